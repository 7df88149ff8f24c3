/**
 * Shared pieces of the quantized modules: reading qparams from an observer (duck-typed: the
 * observers live in @qtorch/quantization, a package above this one), quantizing weights
 * (PyTorch's `_quantize_weight`), input checks with the docs' "Common errors" wording, and
 * the `scale` / `zero_point` state-dict entries.
 */
import {
  type DType, type QScheme, QTorchTypeError, QTorchValueError, type Tensor, assertNotQuantized, assertQuantized, checkScale, describeValue, float32,
  int64, quantizePerChannel, quantizePerTensor, scalarTensor,
} from '@qtorch/qtensor';
import { type LoadContext, Module, type ModuleClass, type StateDict, moduleName, typeOf } from '@qtorch/nn';

/** What the quantized modules read from an observer or fake quantizer. */
export interface ObserverLike {
  /** The scale and zero point tensors from the observed statistics. */
  calculateQparams(): [Tensor, Tensor];
  /** The quantized dtype observed for. */
  dtype: DType;
  /** Quantization scheme (default per_tensor_affine). */
  qscheme?: QScheme;
  /** Channel axis of per-channel schemes. */
  chAxis?: number;
}

/** Duck-typed observer check: `calculateQparams()` and a `dtype`. */
export function isObserverLike(x: unknown): x is ObserverLike {
  return typeof x === 'object' && x !== null && typeof (x as ObserverLike).calculateQparams === 'function' && 'dtype' in x;
}

/** A qconfig: factories building the activation and weight observers. */
export interface QConfigLike {
  /** Builds the activation observer. */
  activation: () => unknown;
  /** Builds the weight observer. */
  weight: () => unknown;
}

type Attrs = Record<string, unknown>;

/**
 * Checks the output qparams a quantized module is constructed with (a positive finite scale,
 * an integer zero point), so `new Hardswish(0.05)` (zero point forgotten) or a string scale
 * fails at construction, naming the class, instead of at the first forward.
 */
export function checkModuleQparams(scale: unknown, zeroPoint: unknown, cls: string): void {
  if (typeof scale !== 'number') throw new QTorchTypeError(`${cls}(): expected scale to be a number, got ${describeValue(scale)}`);
  checkScale(scale, cls);
  if (typeof zeroPoint !== 'number' || !Number.isInteger(zeroPoint)) {
    throw new QTorchValueError(`${cls}(): expected zero_point to be an integer, got ${describeValue(zeroPoint)}`);
  }
}

/** Runs an observer on `x` (through `call` when it is a Module, so hooks run). */
export function observe(obs: ObserverLike, x: Tensor): void {
  if (obs instanceof Module) obs.call(x);
  else (obs as unknown as { forward(t: Tensor): unknown }).forward(x);
}

/** `[scale, zeroPoint]` of an observer as numbers (per-tensor). */
export function scalarQparams(obs: ObserverLike): [number, number] {
  const [s, zp] = obs.calculateQparams();
  return [s.values()[0]!, zp.values()[0]!];
}

/** The observer of a module's output (`activation_post_process`, attached by prepare). */
export function activationObserver(mod: Module, cls: string): ObserverLike {
  const obs = (mod as unknown as Attrs).activation_post_process;
  if (!isObserverLike(obs)) {
    throw new QTorchValueError(`${cls}.fromFloat(): the float module has no activation_post_process observer; prepare (and calibrate) the model before converting it`);
  }
  return obs;
}

/** The module's qconfig, or an error naming the fix. */
export function qconfigOf(mod: Module, cls: string): QConfigLike {
  const q = (mod as unknown as Attrs).qconfig as QConfigLike | undefined;
  if (!q || typeof q.weight !== 'function') throw new QTorchValueError(`${cls}.fromFloat(): Input float module must have qconfig defined`);
  return q;
}

/** Whether `mod` is a fused module (nn-intrinsic's Sequential-based patterns carry `_isFusedModule`). */
export function isFused(mod: Module): boolean {
  return (mod.constructor as { _isFusedModule?: boolean })._isFusedModule === true;
}

/**
 * The float module `fromFloat` reads weights from: `mod` itself, or its first child when `mod`
 * is a fused pattern (LinearReLU, ConvReLU2d, ...); throws unless its class is accepted.
 */
export function floatSource(mod: Module, accepted: readonly ModuleClass[], cls: string): Module {
  if (accepted.some((c) => typeOf(mod) === c)) return isFused(mod) ? (mod as unknown as Attrs)['0'] as Module : mod;
  throw new QTorchTypeError(`${cls}.fromFloat(): only works for ${accepted.map((c) => c.name).join(', ')}, but got: ${moduleName(mod)}`);
}

/**
 * The weight observer of a float or QAT module: its `weight_fake_quant` (QAT), else a new one
 * from `qconfig.weight()`. The observer has seen the weight when this returns.
 */
export function weightObserver(mod: Module, weight: Tensor, qconfigHolder: Module, cls: string): ObserverLike {
  const fq = (mod as unknown as Attrs).weight_fake_quant ?? (qconfigHolder as unknown as Attrs).weight_fake_quant;
  const obs = isObserverLike(fq) ? fq : qconfigOf(qconfigHolder, cls).weight();
  if (!isObserverLike(obs)) throw new QTorchTypeError(`${cls}.fromFloat(): qconfig.weight() did not build an observer`);
  observe(obs, weight);
  return obs;
}

/** PyTorch's `_quantize_weight`: per-tensor, per-channel or float-qparams by the observer's qscheme. */
export function quantizeWeight(w: Tensor, obs: ObserverLike): Tensor {
  const [scale, zp] = obs.calculateQparams();
  const qscheme = obs.qscheme ?? 'per_tensor_affine';
  if (qscheme === 'per_tensor_affine' || qscheme === 'per_tensor_symmetric') {
    return quantizePerTensor(w, scale.values()[0]!, zp.values()[0]!, obs.dtype);
  }
  if (qscheme === 'per_channel_affine' || qscheme === 'per_channel_symmetric') return quantizePerChannel(w, scale, zp, obs.chAxis ?? 0, obs.dtype);
  // float qparams: the zero points stay floats
  return quantizePerChannel(w, scale, zp.dtype.isFloatingPoint ? zp : zp.to(float32), obs.chAxis ?? 0, obs.dtype);
}

/** A float weight as float32 (PyTorch's `mod.weight.float()`), detached. */
export function floatWeight(w: unknown, cls: string): Tensor {
  const t = w as Tensor;
  if (!t || typeof t !== 'object' || !('dtype' in t) || t.isQuantized || !t.dtype.isFloatingPoint) {
    throw new QTorchTypeError(`${cls}.fromFloat(): expected a float weight on the float module, got ${t && typeof t === 'object' && 'dtype' in t ? t.dtype.torchName : String(t)}`);
  }
  const d = t.detach();
  return d.dtype === float32 ? d : d.to(float32);
}

/**
 * Float weight and bias of a float / QAT module. QAT patterns with a batch norm (ConvBn2d,
 * LinearBn1d) provide `_foldedWeightBias()`, the BN folded in by its running statistics, which
 * is what PyTorch's `from_float` quantizes.
 */
export function floatWeightBias(mod: Module, cls: string): [Tensor, Tensor | null] {
  const fold = (mod as unknown as { _foldedWeightBias?: () => [Tensor, Tensor | null] })._foldedWeightBias;
  if (typeof fold === 'function') return fold.call(mod);
  const f = mod as unknown as { weight: unknown; bias: Tensor | null };
  return [floatWeight(f.weight, cls), f.bias ? f.bias.detach() : null];
}

/** Throws the "Common errors" message unless a quantized module got a quantized input. */
export function checkQuantizedInput(m: Module, x: Tensor): void {
  if (!x || typeof x !== 'object' || !('isQuantized' in x)) throw new QTorchTypeError(`${moduleName(m)}.forward(): expected a quantized tensor, got ${String(x)}`);
  assertQuantized(x, `${moduleName(m)}.forward`);
}

/** Throws unless a dynamic (float in, float out) module got a float input. */
export function checkFloatInput(m: Module, x: Tensor): void {
  assertNotQuantized(x, `${moduleName(m)}.forward`);
}

/** `torch.per_tensor_affine`, as PyTorch prints a qscheme. */
export const torchQscheme = (t: Tensor): string => `torch.${t.quantizer?.qscheme ?? 'per_tensor_affine'}`;

/**
 * Python's `repr` of a float (`1.0`, `0.1`, `1e-05`), for module reprs. (nn and qtensor keep
 * their formatters internal.)
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expStr] = x.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  // fixed notation with the shortest round-trip digits, as Python prints 1e-4 <= |x| < 1e16
  const digits = mantissa.replace('-', '').replace('.', '').length;
  const s = x.toFixed(Math.max(0, digits - 1 - exp));
  return s.includes('.') ? s : `${s}.0`;
}

/** Python's `repr` of a tuple of ints: `(3,)`, `(1, 1)`. */
export const pyTuple = (v: readonly number[]): string => (v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`);

/** Python's `repr` of a bool. */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** Writes PyTorch's `scale` (float32 0-d) and `zero_point` (int64 0-d) state-dict entries. */
export function saveQparams(dest: StateDict, prefix: string, scale: number, zeroPoint: number): void {
  dest[`${prefix}scale`] = scalarTensor(scale, float32);
  dest[`${prefix}zero_point`] = scalarTensor(zeroPoint, int64);
}

/** Reads a one-element tensor entry, recording a missing key; undefined when absent. */
export function readScalar(sd: StateDict, key: string, ctx: LoadContext): number | undefined {
  const t = sd[key];
  if (t === undefined) {
    ctx.missingKeys.push(key);
    return undefined;
  }
  if (typeof t !== 'object' || !('numel' in t) || t.numel() !== 1) {
    ctx.errorMsgs.push(`While copying the parameter named "${key}", expected a one-element tensor.`);
    return undefined;
  }
  return t.isQuantized ? t.item() : t.values()[0]!;
}

/** Reads `scale` and `zero_point` from a state dict (PyTorch's `float(...)`, `int(...)`). */
export function loadQparams(sd: StateDict, prefix: string, ctx: LoadContext): [number, number] | undefined {
  const s = readScalar(sd, `${prefix}scale`, ctx), zp = readScalar(sd, `${prefix}zero_point`, ctx);
  return s === undefined || zp === undefined ? undefined : [s, Math.trunc(zp)];
}
