/**
 * Quantized convolutions (torch.ao.nn.quantized Conv1d/2d/3d, ConvTranspose1d/2d/3d): qint8
 * weight packed with its geometry for the current engine (the packed object keeps that
 * engine), quantized input, quantized output with `scale` / `zeroPoint`.
 *
 * State dict (PyTorch's keys): `weight` (quantized), `bias` (float; absent without bias),
 * `scale` (float32 0-d), `zero_point` (int64 0-d).
 */
import {
  checkOptions, type ConvPackedParams, type IntOrTuple, QTorchTypeError, QTorchValueError, type Tensor, convPrepack, emptyAffineQuantized,
  expandTuple, fmtShape, qint8, quantizedConv, zeros,
} from '@qtorch/qtensor';
import {
  Conv1d as FloatConv1d, Conv2d as FloatConv2d, Conv3d as FloatConv3d, ConvTranspose1d as FloatConvTranspose1d,
  ConvTranspose2d as FloatConvTranspose2d, ConvTranspose3d as FloatConvTranspose3d, type LoadContext, Module, type ModuleClass,
  type StateDict, type _ConvNd as FloatConvNd, moduleName,
} from '@qtorch/nn';
import { loadOutputQparams, reportUnexpected, requireTensor, saveOutputQparams } from './state.js';
import {
  activationObserver, checkQuantizedInput, floatSource, floatWeightBias, isObserverLike, pyFloat, pyTuple, quantizeWeight, scalarQparams,
  weightObserver,
} from './utils.js';

/** Options of the quantized convolutions (PyTorch's keyword arguments). */
export interface QuantizedConvOptions {
  /** Stride per spatial dim (default 1). */
  stride?: IntOrTuple;
  /** Zero padding per side, or 'valid' (none) / 'same' (stride 1, symmetric padding only). */
  padding?: IntOrTuple | 'valid' | 'same';
  /** Dilation per spatial dim (default 1). */
  dilation?: IntOrTuple;
  /** Channel groups (default 1). */
  groups?: number;
  /** Whether the layer has a bias (default true). */
  bias?: boolean;
  /** Only 'zeros' runs on the quantized kernels. */
  paddingMode?: 'zeros';
}

/** Options of the quantized transposed convolutions. */
export interface QuantizedConvTransposeOptions extends QuantizedConvOptions {
  /** Extra size added to one side of each output dim (default 0). */
  outputPadding?: IntOrTuple;
}

/** Constructor arguments of Conv1d/2d/3d (one tuple, so the classes share one signature). */
export type QuantizedConvArgs = [inChannels: number, outChannels: number, kernelSize: IntOrTuple, options?: QuantizedConvOptions];

/** Constructor arguments of ConvTranspose1d/2d/3d. */
export type QuantizedConvTransposeArgs = [inChannels: number, outChannels: number, kernelSize: IntOrTuple, options?: QuantizedConvTransposeOptions];

/** The float attributes `fromFloat` reads from a float / QAT / reference convolution (nn's `_ConvNd` geometry). */
type FloatConvLike = Pick<FloatConvNd, 'inChannels' | 'outChannels' | 'kernelSize' | 'stride' | 'padding' | 'dilation' | 'outputPadding' | 'groups'> & {
  paddingMode: string;
  weight: Tensor;
  bias: Tensor | null;
};

/** Numeric padding for 'valid' / 'same' (PyTorch pads 'same' symmetrically when it can). */
function resolvePadding(p: IntOrTuple | 'valid' | 'same', kernel: number[], dilation: number[], stride: number[], n: number, cls: string): number[] {
  if (p === 'valid') return new Array<number>(n).fill(0);
  if (p !== 'same') return expandTuple(p, n, 'padding', cls);
  if (stride.some((s) => s !== 1)) throw new QTorchValueError(`${cls}(): padding='same' is not supported for strided convolutions`);
  return kernel.map((k, i) => {
    const total = dilation[i]! * (k - 1);
    if (total % 2 !== 0) throw new QTorchValueError(`${cls}(): padding='same' needs symmetric padding on the quantized kernels (kernel ${pyTuple(kernel)}, dilation ${pyTuple(dilation)})`);
    return total / 2;
  });
}

/** Everything the quantized convolutions share: geometry, packed weight, qparams, state, repr. */
export abstract class _ConvNd extends Module {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedConv';
  /** Float classes `fromFloat` accepts (fused patterns: subclasses replace it). */
  static _FLOAT_MODULE: readonly ModuleClass[] = [];

  /** Input channels C_in. */
  inChannels: number;
  /** Output channels C_out. */
  outChannels: number;
  /** Kernel size per spatial dim. */
  kernelSize: number[];
  /** Stride per spatial dim. */
  stride: number[];
  /** Padding per spatial dim. */
  padding: number[];
  /** Dilation per spatial dim. */
  dilation: number[];
  /** Whether this is a transposed convolution. */
  transposed: boolean;
  /** Extra output size per spatial dim (transposed only). */
  outputPadding: number[];
  /** Channel groups. */
  groups: number;
  /** Only zero padding is supported by the quantized kernels. */
  paddingMode: 'zeros';
  /** Output scale. */
  scale = 1;
  /** Output zero point. */
  zeroPoint = 0;
  /** The packed weight, bias and geometry (qtensor's packed object; remembers its engine). */
  _packed_params!: ConvPackedParams;

  protected constructor(n: number, transposed: boolean, inChannels: number, outChannels: number, kernelSize: IntOrTuple, o: QuantizedConvTransposeOptions = {}) {
    checkOptions(o, new.target.name);
    super();
    const cls = (new.target as unknown as { _qualName: string })._qualName;
    const groups = o.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1) throw new QTorchValueError(`${cls}(): groups must be a positive integer, got ${groups}`);
    if (inChannels % groups !== 0) throw new QTorchValueError(`${cls}(): in_channels must be divisible by groups`);
    if (outChannels % groups !== 0) throw new QTorchValueError(`${cls}(): out_channels must be divisible by groups`);
    if ((o.paddingMode ?? 'zeros') !== 'zeros') {
      throw new QTorchValueError(`${cls}(): padding_mode '${String(o.paddingMode)}' is not supported by the quantized kernels; only 'zeros' is`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = expandTuple(kernelSize, n, 'kernel_size', cls);
    this.stride = expandTuple(o.stride ?? 1, n, 'stride', cls);
    this.dilation = expandTuple(o.dilation ?? 1, n, 'dilation', cls);
    this.padding = resolvePadding(o.padding ?? 0, this.kernelSize, this.dilation, this.stride, n, cls);
    this.transposed = transposed;
    this.outputPadding = expandTuple(o.outputPadding ?? 0, n, 'output_padding', cls);
    this.groups = groups;
    this.paddingMode = 'zeros';
    const wShape = transposed ? [inChannels, outChannels / groups, ...this.kernelSize] : [outChannels, inChannels / groups, ...this.kernelSize];
    this.setWeightBias(emptyAffineQuantized(wShape, { scale: 1, zeroPoint: 0, dtype: qint8 }), o.bias ?? true ? zeros([outChannels]) : null);
  }

  /** Packs `w` (qint8 quantized) and `b` (float or null) with this module's geometry for the current engine. */
  setWeightBias(w: Tensor, b: Tensor | null): void {
    this._packed_params = convPrepack(w, b, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, outputPadding: this.outputPadding,
      groups: this.groups, transposed: this.transposed,
    });
  }

  /** `[weight, bias]` (unpacked). */
  _weightBias(): [Tensor, Tensor | null] {
    return this._packed_params.unpack();
  }

  /** The quantized weight. */
  weight(): Tensor {
    return this._weightBias()[0];
  }

  /** The float bias, or null. */
  bias(): Tensor | null {
    return this._weightBias()[1];
  }

  forward(x: Tensor): Tensor {
    checkQuantizedInput(this, x);
    const n = this.kernelSize.length;
    if (x.ndim !== n + 2) throw new QTorchValueError(`${moduleName(this)}.forward(): Input shape must be \`(N, C, ${['L', 'H, W', 'D, H, W'][n - 1]})\`!, got ${fmtShape(x.shape)}`);
    return quantizedConv(x, this._packed_params, this.scale, this.zeroPoint);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, scale=${pyFloat(this.scale)}, zero_point=${this.zeroPoint}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias() === null) s += ', bias=False';
    return s;
  }

  override _saveToStateDict(dest: StateDict, prefix: string, keepVars: boolean): void {
    super._saveToStateDict(dest, prefix, keepVars);
    const [w, b] = this._weightBias();
    dest[`${prefix}weight`] = w;
    if (b) dest[`${prefix}bias`] = b;
    saveOutputQparams(this, dest, prefix);
  }

  override _loadFromStateDict(sd: StateDict, prefix: string, ctx: LoadContext): void {
    const rest = loadOutputQparams(this, sd, prefix, ctx);
    const w = requireTensor(rest, `${prefix}weight`, ctx);
    if (w) {
      try {
        this.setWeightBias(w, rest[`${prefix}bias`] ?? null);
      } catch (e) {
        ctx.errorMsgs.push(`While loading "${prefix}weight" (${fmtShape(w.shape)}): ${(e as Error).message}`);
      }
    }
    reportUnexpected(this, sd, prefix, ctx, ['weight', 'bias', 'scale', 'zero_point']);
  }

  /** Builds the quantized module with the float module's geometry. */
  protected static _fromFloatModule(this: ConvClass, f: FloatConvLike, cls: string): _ConvNd {
    const padding = typeof f.padding === 'string' ? f.padding : [...f.padding];
    const common = { stride: f.stride, padding, dilation: f.dilation, groups: f.groups, bias: f.bias !== null, paddingMode: f.paddingMode as 'zeros' };
    if (f.paddingMode !== 'zeros') throw new QTorchValueError(`${cls}.fromFloat(): padding_mode '${f.paddingMode}' is not supported by the quantized kernels`);
    return new this(f.inChannels, f.outChannels, f.kernelSize, { ...common, outputPadding: f.outputPadding });
  }

  /**
   * Builds the quantized convolution from an observed float (or QAT) convolution: weight
   * observer from `weight_fake_quant` or `qconfig.weight()`, output qparams from
   * `activation_post_process` (kept at 1 / 0 when there is none or it is a float observer).
   */
  static fromFloat<T extends _ConvNd>(this: ConvClassOf<T>, mod: Module): T {
    const self = this as unknown as ConvClass & typeof _ConvNd;
    const cls = self._qualName;
    const qat = (mod as unknown as { weight_fake_quant?: unknown }).weight_fake_quant !== undefined;
    const src = qat ? mod : floatSource(mod, self._FLOAT_MODULE, cls);
    const [w, b] = floatWeightBias(src, cls);
    const wObs = weightObserver(src, w, mod, cls);
    if (wObs.dtype !== qint8) throw new QTorchTypeError(`${cls}.fromFloat(): Weight observer must have a dtype of qint8, got ${wObs.dtype.torchName}`);
    const q = self._fromFloatModule(src as unknown as FloatConvLike, cls);
    q.setWeightBias(quantizeWeight(w, wObs), b);
    const act = (mod as unknown as { activation_post_process?: unknown }).activation_post_process;
    if (qat || (isObserverLike(act) && act.dtype.isQuantized)) [q.scale, q.zeroPoint] = scalarQparams(activationObserver(mod, cls));
    return q as T;
  }

  /** Builds the quantized convolution from a reference (weight-simulated) convolution. */
  static fromReference<T extends _ConvNd>(this: ConvClassOf<T>, ref: Module & { getQuantizedWeight(): Tensor }, outputScale: number, outputZeroPoint: number): T {
    const self = this as unknown as ConvClass & typeof _ConvNd;
    const f = ref as unknown as FloatConvLike;
    const q = self._fromFloatModule(f, self._qualName);
    q.setWeightBias(ref.getQuantizedWeight(), f.bias ? f.bias.detach() : null);
    q.scale = outputScale;
    q.zeroPoint = Math.trunc(outputZeroPoint);
    return q as T;
  }
}

/** A concrete quantized convolution class (for the static factories). */
type ConvClass = new (...args: QuantizedConvTransposeArgs) => _ConvNd;

/** The class a static factory is called on, which is the class it builds (`Conv2d.fromFloat` -> Conv2d). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ConvClassOf<T extends _ConvNd> = new (...args: any[]) => T;

/**
 * Quantized 1-d convolution over (N, C, L).
 * @example const qconv = Conv1d.fromFloat(observedConv1d);
 */
export class Conv1d extends _ConvNd {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedConv1d';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [FloatConv1d];
  /** Same arguments as torch.ao.nn.quantized.Conv1d: `(inChannels, outChannels, kernelSize, options)`. */
  constructor(...args: QuantizedConvArgs) {
    super(1, false, ...args);
  }
}

/**
 * Quantized 2-d convolution over (N, C, H, W).
 * @example const qconv = new Conv2d(3, 8, 3, { stride: 1, padding: 1 });
 */
export class Conv2d extends _ConvNd {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedConv2d';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [FloatConv2d];
  /** Same arguments as torch.ao.nn.quantized.Conv2d: `(inChannels, outChannels, kernelSize, options)`. */
  constructor(...args: QuantizedConvArgs) {
    super(2, false, ...args);
  }
}

/** Quantized 3-d convolution over (N, C, D, H, W). */
export class Conv3d extends _ConvNd {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedConv3d';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [FloatConv3d];
  /** Same arguments as torch.ao.nn.quantized.Conv3d: `(inChannels, outChannels, kernelSize, options)`. */
  constructor(...args: QuantizedConvArgs) {
    super(3, false, ...args);
  }
}

/** Quantized 1-d transposed convolution (per-tensor weights in the reference kernels). */
export class ConvTranspose1d extends _ConvNd {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedConvTranspose1d';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [FloatConvTranspose1d];
  /** Same arguments as torch.ao.nn.quantized.ConvTranspose1d: `(inChannels, outChannels, kernelSize, options)`. */
  constructor(...args: QuantizedConvTransposeArgs) {
    super(1, true, ...args);
  }
}

/** Quantized 2-d transposed convolution (per-tensor weights in the reference kernels). */
export class ConvTranspose2d extends _ConvNd {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedConvTranspose2d';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [FloatConvTranspose2d];
  /** Same arguments as torch.ao.nn.quantized.ConvTranspose2d: `(inChannels, outChannels, kernelSize, options)`. */
  constructor(...args: QuantizedConvTransposeArgs) {
    super(2, true, ...args);
  }
}

/** Quantized 3-d transposed convolution (per-tensor weights in the reference kernels). */
export class ConvTranspose3d extends _ConvNd {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedConvTranspose3d';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [FloatConvTranspose3d];
  /** Same arguments as torch.ao.nn.quantized.ConvTranspose3d: `(inChannels, outChannels, kernelSize, options)`. */
  constructor(...args: QuantizedConvTransposeArgs) {
    super(3, true, ...args);
  }
}
