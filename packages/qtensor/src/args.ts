/**
 * Argument checks for plain JavaScript callers, whom no type checker protects: a non-tensor
 * where a tensor goes, and a positional value where the trailing options object goes
 * (`new LeakyReLU(0.2)` for `new LeakyReLU({ negativeSlope: 0.2 })`, `F.linear(x, w, b)` for
 * `F.linear(x, w, { bias: b })`). Both would otherwise fail deep inside an op with a bare
 * `TypeError` (or, for options, be silently ignored); these throw `QTorchTypeError` naming the op.
 */
import { QTorchTypeError } from './errors.js';
import { isTraced } from './fx_hook.js';
import { Tensor } from './tensor.js';

/** A JavaScript value as an error message shows it: `null`, `number 0.2`, `string 'x'`, `an Array`, `a Tensor`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Tensor) return `a Tensor (${v.dtype.torchName}, shape [${v.shape.join(', ')}])`;
  if (Array.isArray(v)) return `an Array of length ${v.length}`;
  switch (typeof v) {
    case 'number': case 'boolean': case 'bigint': return `${typeof v} ${String(v)}`;
    case 'string': return `string '${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
    case 'function': return `a function${v.name ? ` (${v.name})` : ''}`;
    case 'symbol': return 'a symbol';
    default: {
      const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
      return name && name !== 'Object' ? `a ${name}` : 'an object';
    }
  }
}

/** Throws `QTorchTypeError` unless `x` is a Tensor (`arg` names the argument in the message). */
export function assertTensor(x: unknown, op: string, arg = 'input'): asserts x is Tensor {
  // a traced value (symbolic tracing) passes: its own traps report untraceable use with a TraceError
  if (!(x instanceof Tensor) && !isTraced(x)) throw new QTorchTypeError(`${op}(): expected ${arg} to be a Tensor, got ${describeValue(x)}`);
}

/** Throws `QTorchTypeError` unless `xs` is an array of Tensors (`cat`, `stack`, list overloads). */
export function assertTensorList(xs: unknown, op: string, arg = 'tensors'): asserts xs is readonly Tensor[] {
  if (!Array.isArray(xs)) throw new QTorchTypeError(`${op}(): expected ${arg} to be an array of Tensors, got ${describeValue(xs)}`);
  xs.forEach((x, i) => assertTensor(x, op, `${arg}[${i}]`));
}

/** A plain object: `{...}` or `Object.create(null)`, from any realm (not an array or a class instance). */
function isPlainObject(v: unknown): v is object {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * The options object of an op or constructor: `{}` for undefined, `options` itself when it is a
 * plain object, and a `QTorchTypeError` for anything else: a number, string, boolean, null,
 * array, Tensor, dtype or function in the options position is a positional-argument mistake
 * (`zeros([2], float64)` for `zeros([2], { dtype: float64 })`), never options.
 */
export function checkOptions<T extends object>(options: T | undefined, op: string): T {
  if (options === undefined) return {} as T;
  const v: unknown = options;
  if (isTraced(v)) return options;
  if (!isPlainObject(v)) {
    throw new QTorchTypeError(
      `${op}(): expected an options object ({ ... }) as the last argument, got ${describeValue(v)}; ` +
        'the parameters that have a default in PyTorch go in that object by (camelCase) name',
    );
  }
  return options;
}
