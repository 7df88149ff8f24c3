/** Error helpers of the file readers: every problem with a file is a QTorchSerializationError. */
import { QTorchError, QTorchSerializationError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Throws `QTorchSerializationError` with `${op}(): ${msg}` unless `cond`. */
export function ensure(cond: unknown, op: string, msg: string | (() => string)): asserts cond {
  if (!cond) throw new QTorchSerializationError(`${op}(): ${typeof msg === 'string' ? msg : msg()}`);
}

/** Throws `QTorchSerializationError` with `${op}(): ${msg}`. */
export function fail(op: string, msg: string): never {
  throw new QTorchSerializationError(`${op}(): ${msg}`);
}

/**
 * Runs `fn`, turning qtorch's validation errors (a bad scale or zero point read from a file)
 * into `QTorchSerializationError`: the file is at fault, not the caller.
 */
export function asFileError<T>(op: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof QTorchSerializationError || !(e instanceof QTorchError)) throw e;
    throw new QTorchSerializationError(`${op}(): invalid ${what}: ${e.message}`);
  }
}

/** A short printable form of an untrusted value for error messages (never walks big objects). */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v !== 'object' || v === null) return String(v);
  if (v instanceof Tensor) return `a ${v.dtype.torchName} tensor of shape ${fmtShape(v.shape)}`;
  if (Array.isArray(v)) return `a ${Object.isFrozen(v) ? 'tuple' : 'list'} of ${v.length} items`;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'a dict';
}
