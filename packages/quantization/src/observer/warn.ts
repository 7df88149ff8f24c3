/** Python-style `warnings.warn` for observers: a Node process warning of type UserWarning. */
export function warnUser(message: string): void {
  process.emitWarning(message, 'UserWarning');
}
