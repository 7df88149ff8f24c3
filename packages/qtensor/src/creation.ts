/** Tensor creation: `tensor`, `zeros`, `ones`, `full`, `arange`, `linspace`, `eye`, random fills, `*Like`. */
import { type DType, type TypedArray, bool, float16, float32, int64 } from './dtype.js';
import { QTorchTypeError, QTorchValueError } from './errors.js';
import { floatToHalfBits } from './half.js';
import { defaultGenerator, type Generator } from './random.js';
import { checkShape, shapeNumel } from './shape.js';
import { Tensor } from './tensor.js';
import { assertTensor, checkOptions, describeValue } from './args.js';

/** Options shared by creation functions. */
export interface CreationOptions {
  /** Element type (default float32; `bool` for nested booleans). */
  dtype?: DType;
  /** Record operations on the result for autograd. */
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreationOptions {
  /** Generator to draw from (default: the seeded global one). */
  generator?: Generator;
}

/** A nested array of numbers / booleans, or a typed array. */
export type NestedArray = number | boolean | ReadonlyArray<NestedArray> | TypedArray;

/** Converts JS numbers into the storage representation of `dtype` (float16 -> half bits, bool -> 0/1, int64 -> truncated). */
export function storageFromNumbers(values: ArrayLike<number>, dtype: DType): TypedArray {
  const n = values.length;
  const out = new dtype.ArrayType(n);
  if (dtype === float16) for (let i = 0; i < n; i++) out[i] = floatToHalfBits(values[i]!);
  else if (dtype === bool) for (let i = 0; i < n; i++) out[i] = values[i] ? 1 : 0;
  else if (dtype === int64) for (let i = 0; i < n; i++) out[i] = Math.trunc(values[i]!);
  else if (dtype.isFloatingPoint) for (let i = 0; i < n; i++) out[i] = values[i]!;
  else for (let i = 0; i < n; i++) { const v = values[i]!; out[i] = Number.isFinite(v) ? Math.trunc(v) : 0; }
  return out;
}

function finish(t: Tensor, opts?: CreationOptions): Tensor {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Makes a tensor from a typed array of logical values, a flat number array, or nested arrays. */
export function fromValues(values: ArrayLike<number>, shape: readonly number[], dtype: DType = float32): Tensor {
  checkShape(shape, 'tensor');
  if (values.length !== shapeNumel(shape)) {
    throw new QTorchValueError(`tensor(): ${values.length} values do not fill shape [${shape.join(', ')}]`);
  }
  if (dtype.isQuantized) {
    throw new QTorchTypeError(`tensor(): cannot create a ${dtype.torchName} tensor from values; use quantizePerTensor()`);
  }
  return new Tensor(storageFromNumbers(values, dtype), dtype, shape);
}

/**
 * Creates a tensor from nested arrays (PyTorch's `torch.tensor`). Numbers default to float32,
 * booleans to bool; `{ dtype }` chooses.
 */
export function tensor(data: NestedArray | Tensor, opts: CreationOptions = {}): Tensor {
  checkOptions(opts, 'tensor');
  if (data instanceof Tensor) return finish(fromValues(data.values(), data.shape, opts.dtype ?? data.dtype), opts);
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe) || ArrayBuffer.isView(probe)) {
    const arr = probe as ArrayLike<unknown>;
    shape.push(arr.length);
    if (arr.length === 0) break;
    probe = arr[0];
  }
  const flat: number[] = [];
  let sawBool = false;
  const walk = (x: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof x === 'boolean') { sawBool = true; flat.push(x ? 1 : 0); return; }
      if (typeof x !== 'number') throw new QTorchTypeError(`tensor(): expected a number or boolean, got ${x === null ? 'null' : typeof x}`);
      flat.push(x);
      return;
    }
    if (!(Array.isArray(x) || ArrayBuffer.isView(x)) || (x as ArrayLike<unknown>).length !== shape[d]) {
      throw new QTorchValueError(`tensor(): expected sequence of length ${shape[d]} at dim ${d} (ragged nested array)`);
    }
    const arr = x as ArrayLike<unknown>;
    for (let i = 0; i < arr.length; i++) walk(arr[i], d + 1);
  };
  walk(data, 0);
  const dtype = opts.dtype ?? (sawBool ? bool : float32);
  return finish(fromValues(flat, shape, dtype), opts);
}

/** 0-d tensor holding one number. */
export function scalarTensor(value: number, dtype: DType = float32): Tensor {
  return fromValues([value], [], dtype);
}

function shapeArg(shape: readonly number[] | number, op: string): number[] {
  if (typeof shape !== 'number' && !Array.isArray(shape)) {
    throw new QTorchTypeError(`${op}(): expected a shape (an array of sizes, or one size), got ${describeValue(shape)}`);
  }
  const s = typeof shape === 'number' ? [shape] : [...shape];
  checkShape(s, op);
  return s;
}

/** Tensor filled with `value`. */
export function full(shape: readonly number[] | number, value: number, opts: CreationOptions = {}): Tensor {
  checkOptions(opts, 'full');
  const s = shapeArg(shape, 'full');
  const dtype = opts.dtype ?? float32;
  const t = Tensor.empty(s, dtype);
  const v = storageFromNumbers([value], dtype)[0]!;
  if (v !== 0) t.data.fill(v);
  return finish(t, opts);
}

/** Zero-filled tensor. */
export function zeros(shape: readonly number[] | number, opts: CreationOptions = {}): Tensor {
  checkOptions(opts, 'zeros');
  return full(shapeArg(shape, 'zeros'), 0, opts);
}

/** One-filled tensor. */
export function ones(shape: readonly number[] | number, opts: CreationOptions = {}): Tensor {
  checkOptions(opts, 'ones');
  return full(shapeArg(shape, 'ones'), 1, opts);
}

/** Uninitialized tensor (zero-filled here: typed arrays always are). */
export function empty(shape: readonly number[] | number, opts: CreationOptions = {}): Tensor {
  checkOptions(opts, 'empty');
  return full(shapeArg(shape, 'empty'), 0, opts);
}

/** Values from `start` to `end` (exclusive) by `step`; `arange(n)` is 0..n-1. */
export function arange(start: number, end?: number, step = 1, opts: CreationOptions = {}): Tensor {
  checkOptions(opts, 'arange');
  if (end === undefined) { end = start; start = 0; }
  if (step === 0 || !Number.isFinite(step)) throw new QTorchValueError('arange(): step must be nonzero and finite');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = start + i * step;
  return finish(fromValues(vals, [n], opts.dtype ?? float32), opts);
}

/** `steps` evenly spaced values from `start` to `end` inclusive. */
export function linspace(start: number, end: number, steps: number, opts: CreationOptions = {}): Tensor {
  checkOptions(opts, 'linspace');
  if (!Number.isInteger(steps) || steps < 0) throw new QTorchValueError(`linspace(): number of steps must be non-negative, got ${steps}`);
  const vals = new Float64Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the first half from the start and the second half from the end (symmetric rounding)
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) vals[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return finish(fromValues(vals, [steps], opts.dtype ?? float32), opts);
}

/** Identity matrix (n x m). */
export function eye(n: number, m = n, opts: CreationOptions = {}): Tensor {
  checkOptions(opts, 'eye');
  checkShape([n, m], 'eye');
  const t = zeros([n, m], opts.dtype ? { dtype: opts.dtype } : {});
  const one = storageFromNumbers([1], t.dtype)[0]!;
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = one;
  return finish(t, opts);
}

function randomFill(shape: readonly number[] | number, opts: RandomOptions, op: string, draw: (g: Generator) => number): Tensor {
  const s = shapeArg(shape, op);
  const g = opts.generator ?? defaultGenerator;
  const vals = new Float64Array(shapeNumel(s));
  for (let i = 0; i < vals.length; i++) vals[i] = draw(g);
  return finish(fromValues(vals, s, opts.dtype ?? float32), opts);
}

/** Uniform [0, 1). */
export function rand(shape: readonly number[] | number, opts: RandomOptions = {}): Tensor {
  checkOptions(opts, 'rand');
  return randomFill(shape, opts, 'rand', (g) => g.random());
}

/** Standard normal. */
export function randn(shape: readonly number[] | number, opts: RandomOptions = {}): Tensor {
  checkOptions(opts, 'randn');
  return randomFill(shape, opts, 'randn', (g) => g.normal());
}

/** Uniform integers in [low, high) (int64 by default). */
export function randint(low: number, high: number, shape: readonly number[] | number, opts: RandomOptions = {}): Tensor {
  checkOptions(opts, 'randint');
  if (!(high > low)) throw new QTorchValueError(`randint(): expected low < high, got low=${low}, high=${high}`);
  return randomFill(shape, { dtype: int64, ...opts }, 'randint', (g) => g.randint(low, high));
}

/**
 * `t`'s shape and `opts` with `t`'s dtype as the default, for the `*_like` creators; checks that
 * `t` is a tensor and `opts` an options object (a plain-JS caller gets an error naming `op`).
 */
function like<O extends CreationOptions>(t: Tensor, opts: O, op: string): [readonly number[], O] {
  assertTensor(t, op);
  checkOptions(opts, op);
  return [t.shape, { ...opts, dtype: opts.dtype ?? t.dtype }];
}

/** `torch.zeros_like`: zeros with `t`'s shape and (unless `opts.dtype`) dtype. */
export const zerosLike = (t: Tensor, opts: CreationOptions = {}): Tensor => zeros(...like(t, opts, 'zeros_like'));
/** `torch.ones_like`: ones with `t`'s shape and (unless `opts.dtype`) dtype. */
export const onesLike = (t: Tensor, opts: CreationOptions = {}): Tensor => ones(...like(t, opts, 'ones_like'));
/** `torch.empty_like`: a tensor of unspecified contents with `t`'s shape and dtype. */
export const emptyLike = (t: Tensor, opts: CreationOptions = {}): Tensor => empty(...like(t, opts, 'empty_like'));
/** `torch.full_like`: `value` everywhere, with `t`'s shape and (unless `opts.dtype`) dtype. */
export const fullLike = (t: Tensor, value: number, opts: CreationOptions = {}): Tensor => {
  const [shape, o] = like(t, opts, 'full_like');
  return full(shape, value, o);
};
/** `torch.rand_like`: uniform [0, 1) samples with `t`'s shape and dtype (floating dtypes only). */
export const randLike = (t: Tensor, opts: RandomOptions = {}): Tensor => rand(...like(t, opts, 'rand_like'));
/** `torch.randn_like`: standard normal samples with `t`'s shape and dtype (floating dtypes only). */
export const randnLike = (t: Tensor, opts: RandomOptions = {}): Tensor => randn(...like(t, opts, 'randn_like'));
/** `torch.randint_like`: integers uniform in [low, high) with `t`'s shape and dtype. */
export const randintLike = (t: Tensor, low: number, high: number, opts: RandomOptions = {}): Tensor =>
  randint(low, high, ...like(t, opts, 'randint_like'));
