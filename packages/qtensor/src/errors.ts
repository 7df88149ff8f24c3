/**
 * Error classes. Messages follow PyTorch's form: the op first, then what was expected and
 * what came, then (where useful) the fix.
 */

/** Base class of every error qtorch throws on purpose. */
export class QTorchError extends Error {
  /** @param message - The message: the op first, then what was expected and what came. */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong dtype / argument type (a float tensor into a quantized op, a string where a number goes). */
export class QTorchTypeError extends QTorchError {}

/** Shapes or dims that do not fit the op. */
export class QTorchShapeError extends QTorchError {}

/** A value out of the op's domain (negative scale, zero point out of range, bad dim). */
export class QTorchValueError extends QTorchError {}

/** No kernel for the requested (op, engine), or an engine mismatch. */
export class QTorchEngineError extends QTorchError {}

/** A file that is corrupt, truncated or hostile. */
export class QTorchSerializationError extends QTorchError {}

/** Formats a shape as PyTorch prints sizes: `[2, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws `QTorchValueError` (or the given class) with `${op}(): ${msg}` unless `cond`. */
export function check(
  cond: unknown,
  op: string,
  msg: string | (() => string),
  ErrorClass: new (m: string) => QTorchError = QTorchValueError,
): asserts cond {
  if (!cond) throw new ErrorClass(`${op}(): ${typeof msg === 'string' ? msg : msg()}`);
}
