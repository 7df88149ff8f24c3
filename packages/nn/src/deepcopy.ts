/**
 * `deepcopy(model)`: Python's `copy.deepcopy` for module trees. Modules keep their class,
 * parameters stay Parameters (with `requiresGrad`), buffers and tensors are cloned, hooks and
 * attributes such as `qconfig` are kept. Shared references stay shared in the copy (a memo,
 * as Python's), so tied weights remain tied.
 *
 * Copied: Modules, Tensors, arrays, Maps, Sets, typed arrays, plain objects, and any object
 * with a `[deepcopySymbol](memo)` method. Other class instances (dtypes, QConfig, observer
 * factories, functions) are immutable by convention and are shared.
 */
import { Tensor } from '@qtorch/qtensor';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Objects implementing `[deepcopySymbol](memo)` control how `deepcopy` copies them. */
export const deepcopySymbol: unique symbol = Symbol.for('qtorch.deepcopy') as never;

/** A deep copy memo (original -> copy). */
export type DeepcopyMemo = Map<unknown, unknown>;

/** Deep-copies `value` (typically a Module); see the module comment for what is copied. */
export function deepcopy<T>(value: T, memo: DeepcopyMemo = new Map()): T {
  if (value === null || typeof value !== 'object') return value;
  if (memo.has(value)) return memo.get(value) as T;
  const custom = (value as { [deepcopySymbol]?: (memo: DeepcopyMemo) => unknown })[deepcopySymbol];
  if (typeof custom === 'function') {
    const copy = custom.call(value, memo);
    memo.set(value, copy);
    return copy as T;
  }
  if (value instanceof Tensor) return copyTensor(value, memo) as T;
  if (ArrayBuffer.isView(value)) return remember(memo, value, (value as unknown as { slice(): unknown }).slice()) as T;
  if (Array.isArray(value)) {
    const out: unknown[] = remember(memo, value, []);
    for (const v of value) out.push(deepcopy(v, memo));
    return out as T;
  }
  if (value instanceof Map) {
    const out = remember(memo, value, new Map());
    for (const [k, v] of value) out.set(k, deepcopy(v, memo));
    return out as T;
  }
  if (value instanceof Set) {
    const out = remember(memo, value, new Set());
    for (const v of value) out.add(deepcopy(v, memo));
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (value instanceof Module || proto === Object.prototype || proto === null) return copyObject(value as object, memo) as T;
  return value;
}

function remember<T>(memo: DeepcopyMemo, original: unknown, copy: T): T {
  memo.set(original, copy);
  return copy;
}

/** Same class, own properties deep-copied (getters/setters kept as defined). */
function copyObject(obj: object, memo: DeepcopyMemo): object {
  const out = remember(memo, obj, Object.create(Object.getPrototypeOf(obj)) as object);
  for (const key of Reflect.ownKeys(obj)) {
    const desc = Object.getOwnPropertyDescriptor(obj, key)!;
    if ('value' in desc) desc.value = deepcopy(desc.value, memo);
    Object.defineProperty(out, key, desc);
  }
  return out;
}

function copyTensor(t: Tensor, memo: DeepcopyMemo): Tensor {
  const data = t.detach().clone();
  data.quantizer = t.quantizer;
  const copy = t instanceof Parameter ? new Parameter(data, t.requiresGrad) : data;
  if (!(t instanceof Parameter)) copy.requiresGrad = t.requiresGrad && t.isLeaf;
  memo.set(t, copy);
  if (t.grad) copy.grad = copyTensor(t.grad, memo);
  return copy;
}
