/**
 * The allow-list of Python globals a `torch.save`d state dict may reference, and the
 * rebuild functions behind them (`torch._utils._rebuild_tensor_v2`, `_rebuild_qtensor`,
 * `_rebuild_parameter`). Anything else is refused by name; nothing is ever executed.
 */
import {
  type DType, bool, float16, float32, float64, int16, int32, int64, int8, qint32, qint8, quint4x2, quint8, uint8,
} from '../dtype.js';
import type { Storage } from '../tensor.js';
import { Tensor } from '../tensor.js';
import { describe, ensure, fail } from './errors.js';
import { PickleCallable, dictSet, isDict, isTuple, makeDict } from './pickle.js';
import { type QParamSpec, checkIntRange, isQScheme, validatedQuantizer } from './qparams.js';

const OP = 'loadTorchFile';
/** Most dims a loaded tensor may have (PyTorch allows 64 in practice). */
const MAX_DIMS = 64;
/** Most per-channel qparams read (they are materialised while loading, unlike tensor views). */
const MAX_CHANNELS = 1 << 24;

/** A `torch.XStorage` class reference: which dtype the storage record holds. */
export class StorageType {
  constructor(readonly name: string, readonly dtype: DType) {}
}

/** A storage read from the archive (`data/<key>`), shared by the tensors that view it. */
export class LoadedStorage {
  constructor(readonly key: string, readonly dtype: DType, readonly storage: Storage) {}
  get numel(): number {
    return this.storage.data.length;
  }
}

const STORAGE_TYPES = new Map<string, DType>([
  ['FloatStorage', float32], ['DoubleStorage', float64], ['HalfStorage', float16], ['LongStorage', int64],
  ['IntStorage', int32], ['ShortStorage', int16], ['CharStorage', int8], ['ByteStorage', uint8],
  ['BoolStorage', bool], ['QUInt8Storage', quint8], ['QInt8Storage', qint8], ['QInt32Storage', qint32],
]);

/** `torch.<name>` dtype globals (PyTorch pickles a dtype as its name). */
const DTYPES = new Map<string, DType>([
  ['float32', float32], ['float', float32], ['float64', float64], ['double', float64], ['float16', float16],
  ['half', float16], ['int64', int64], ['long', int64], ['int32', int32], ['int', int32], ['int16', int16],
  ['short', int16], ['int8', int8], ['uint8', uint8], ['bool', bool], ['quint8', quint8], ['qint8', qint8],
  ['qint32', qint32], ['quint4x2', quint4x2],
]);

function nonNegInt(v: unknown, what: string): number {
  ensure(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, OP, () => `${what} must be a non-negative integer, got ${describe(v)}`);
  return v;
}

function intList(v: unknown, what: string): number[] {
  ensure(isTuple(v) || Array.isArray(v), OP, () => `${what} must be a tuple of ints, got ${describe(v)}`);
  ensure(v.length <= MAX_DIMS, OP, () => `${what} has ${v.length} dims (at most ${MAX_DIMS} supported)`);
  return v.map((x, i) => nonNegInt(x, `${what}[${i}]`));
}

function args(fn: string, a: readonly unknown[], min: number, max: number): void {
  ensure(a.length >= min && a.length <= max, OP, () => `${fn}() takes ${min === max ? min : `${min} to ${max}`} arguments, got ${a.length}`);
}

function requiresGradFlag(v: unknown, fn: string): boolean {
  ensure(typeof v === 'boolean', OP, () => `${fn}(): requires_grad must be a bool, got ${describe(v)}`);
  return v;
}

/** A strided view of `storage`, after checking every element it reaches lies inside it. */
function viewOf(storage: unknown, offsetArg: unknown, sizeArg: unknown, strideArg: unknown, fn: string): Tensor {
  ensure(storage instanceof LoadedStorage, OP, () => `${fn}(): expected a storage, got ${describe(storage)}`);
  const offset = nonNegInt(offsetArg, `${fn}(): storage_offset`);
  const size = intList(sizeArg, `${fn}(): size`);
  const stride = intList(strideArg, `${fn}(): stride`);
  ensure(size.length === stride.length, OP, () => `${fn}(): size has ${size.length} dims but stride has ${stride.length}`);
  let numel = 1, last = offset;
  for (let d = 0; d < size.length; d++) {
    numel *= size[d]!;
    last += (size[d]! - 1) * stride[d]!;
  }
  ensure(Number.isSafeInteger(numel) && Number.isSafeInteger(last), OP, () => `${fn}(): size [${size.join(', ')}] is too large`);
  ensure(numel === 0 ? offset <= storage.numel : last < storage.numel, OP,
    () => `${fn}(): a view of size [${size.join(', ')}], stride [${stride.join(', ')}], offset ${offset} reaches past the end of storage '${storage.key}' (${storage.numel} elements)`);
  return new Tensor(storage.storage, storage.dtype, size, stride, offset);
}

function setRequiresGrad(t: Tensor, flag: boolean, fn: string): Tensor {
  if (!flag) return t;
  ensure(t.dtype.isFloatingPoint, OP, () => `${fn}(): requires_grad=True on a ${t.dtype.torchName} tensor`);
  t.requiresGrad = true;
  return t;
}

function checkHooks(v: unknown, fn: string): void {
  // PyTorch itself does not restore backward hooks from a checkpoint; they are dropped
  ensure(isDict(v) || v === null, OP, () => `${fn}(): backward_hooks must be a dict, got ${describe(v)}`);
}

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
function rebuildTensorV2(a: readonly unknown[]): Tensor {
  const fn = '_rebuild_tensor_v2';
  args(fn, a, 6, 7);
  const t = viewOf(a[0], a[1], a[2], a[3], fn);
  ensure(!t.dtype.isQuantized, OP, () => `${fn}(): a ${t.dtype.torchName} storage needs _rebuild_qtensor`);
  checkHooks(a[5], fn);
  return setRequiresGrad(t, requiresGradFlag(a[4], fn), fn);
}

/** Reads per-channel qparams that PyTorch pickles as tensors. */
function paramValues(v: unknown, what: string): Float64Array {
  ensure(v instanceof Tensor && !v.dtype.isQuantized && v.ndim === 1 && v.numel() <= MAX_CHANNELS, OP,
    () => `_rebuild_qtensor(): ${what} must be a 1-d tensor of at most ${MAX_CHANNELS} values, got ${describe(v)}`);
  return Float64Array.from(v.values());
}

function quantizerSpec(p: unknown): QParamSpec {
  const fn = '_rebuild_qtensor';
  ensure(isTuple(p) && p.length > 0, OP, () => `${fn}(): quantizer_params must be a tuple, got ${describe(p)}`);
  const qs = p[0];
  ensure(isQScheme(qs), OP, () => `${fn}(): unknown qscheme ${describe(qs)}`);
  if (qs === 'per_tensor_affine' || qs === 'per_tensor_symmetric') {
    ensure(p.length === 3 && typeof p[1] === 'number' && typeof p[2] === 'number', OP,
      () => `${fn}(): ${qs} params must be (qscheme, scale, zero_point), got ${describe(p)}`);
    return { qscheme: qs, scale: p[1], zeroPoint: p[2] };
  }
  ensure(p.length === 4, OP, () => `${fn}(): ${qs} params must be (qscheme, scales, zero_points, axis), got ${p.length} items`);
  const zeroPoints = paramValues(p[2], 'zero_points');
  // PyTorch pickles per_channel_affine_float_qparams as per_channel_affine with float zero points
  const floatZp = (p[2] as Tensor).dtype.isFloatingPoint;
  ensure(!floatZp || qs !== 'per_channel_symmetric', OP, () => `${fn}(): ${qs} with float zero points`);
  return {
    qscheme: floatZp ? 'per_channel_affine_float_qparams' : qs,
    scales: paramValues(p[1], 'scales'), zeroPoints, axis: nonNegInt(p[3], `${fn}(): axis`),
  };
}

/** `_rebuild_qtensor(storage, storage_offset, size, stride, quantizer_params, requires_grad, backward_hooks)`. */
function rebuildQTensor(a: readonly unknown[]): Tensor {
  const fn = '_rebuild_qtensor';
  args(fn, a, 7, 7);
  const t = viewOf(a[0], a[1], a[2], a[3], fn);
  ensure(t.dtype.isQuantized, OP, () => `${fn}(): expected a quantized storage, got ${t.dtype.torchName}`);
  requiresGradFlag(a[5], fn); // quantized tensors never require grad; the flag is checked for well-formedness only
  checkHooks(a[6], fn);
  checkIntRange(t.data, t.dtype, OP);
  t.quantizer = validatedQuantizer(quantizerSpec(a[4]), t.shape, t.dtype, OP);
  return t;
}

/** `_rebuild_parameter(data, requires_grad, backward_hooks)`: a Parameter is loaded as its tensor. */
function rebuildParameter(a: readonly unknown[]): Tensor {
  const fn = '_rebuild_parameter';
  args(fn, a, 3, 3);
  ensure(a[0] instanceof Tensor, OP, () => `${fn}(): expected a tensor, got ${describe(a[0])}`);
  checkHooks(a[2], fn);
  return setRequiresGrad(a[0], requiresGradFlag(a[1], fn), fn);
}

/** `OrderedDict()` or `OrderedDict([(k, v), ...])`: a plain (insertion-ordered) object. */
function orderedDict(a: readonly unknown[]): Record<string, unknown> {
  args('OrderedDict', a, 0, 1);
  const d = makeDict();
  if (a.length === 1) {
    const items = a[0];
    ensure(Array.isArray(items), OP, () => `OrderedDict(): expected a list of pairs, got ${describe(items)}`);
    for (const kv of items) {
      ensure(Array.isArray(kv) && kv.length === 2, OP, () => `OrderedDict(): expected a (key, value) pair, got ${describe(kv)}`);
      dictSet(d, kv[0], kv[1]);
    }
  }
  return d;
}

/** `torch.Size((2, 3))`: a tuple of ints. */
function torchSize(a: readonly unknown[]): readonly number[] {
  args('Size', a, 0, 1);
  return Object.freeze(a.length ? intList(a[0], 'Size()') : []);
}

/** `torch.device('cpu')` / `torch.device('cuda', 0)`: the device string (everything loads to the CPU). */
function torchDevice(a: readonly unknown[]): string {
  args('device', a, 1, 2);
  ensure(typeof a[0] === 'string', OP, () => `device(): expected a device string, got ${describe(a[0])}`);
  if (a.length === 1) return a[0];
  return `${a[0]}:${nonNegInt(a[1], 'device() index')}`;
}

const CALLABLES = new Map<string, PickleCallable>([
  ['collections.OrderedDict', new PickleCallable('collections.OrderedDict', orderedDict)],
  ['torch._utils._rebuild_tensor_v2', new PickleCallable('torch._utils._rebuild_tensor_v2', rebuildTensorV2)],
  ['torch._utils._rebuild_qtensor', new PickleCallable('torch._utils._rebuild_qtensor', rebuildQTensor)],
  ['torch._utils._rebuild_parameter', new PickleCallable('torch._utils._rebuild_parameter', rebuildParameter)],
  ['torch.Size', new PickleCallable('torch.Size', torchSize)],
  ['torch.device', new PickleCallable('torch.device', torchDevice)],
]);

/** Resolves GLOBAL `module name` against the allow-list, refusing everything else by name. */
export function findTorchGlobal(module: string, name: string): unknown {
  const qualname = `${module}.${name}`;
  const callable = CALLABLES.get(qualname);
  if (callable) return callable;
  if (module === 'torch') {
    const storageDtype = STORAGE_TYPES.get(name);
    if (storageDtype) return new StorageType(name, storageDtype);
    const dtype = DTYPES.get(name);
    if (dtype) return dtype;
    if (isQScheme(name)) return name;
  }
  const hint = module.startsWith('torch.ops') || module.startsWith('torch.classes') || name === 'ScriptObject'
    ? ' (packed params of a quantized module pickled as a TorchScript object; save the state_dict() of the model instead)'
    : ' (only state dicts of tensors, dicts, lists, tuples and scalars can be loaded)';
  return fail(OP, `refusing to load global ${describe(qualname)}: it is not on the allow-list${hint}`);
}

/** Rejects loader-internal values that must not escape into the result (bare storages, classes). */
export function checkTorchLeaf(v: unknown): void {
  if (v instanceof LoadedStorage) fail(OP, `a bare storage ('${v.key}') outside a tensor is not supported`);
  if (v instanceof StorageType) fail(OP, `a bare storage class torch.${v.name} is not supported`);
  if (v instanceof PickleCallable) fail(OP, `a bare reference to ${v.qualname} is not supported`);
}
