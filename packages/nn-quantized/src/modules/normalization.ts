/**
 * Quantized normalization layers (torch.ao.nn.quantized BatchNorm2d/3d, LayerNorm, GroupNorm,
 * InstanceNorm1d/2d/3d): the float layers' parameters and statistics, a quantized forward and
 * output qparams saved as `scale` / `zero_point` next to the float layer's state.
 */
import {
  checkOptions, QTorchValueError, type Tensor, quantizedBatchNorm2d, quantizedBatchNorm3d, quantizedGroupNorm, quantizedInstanceNorm,
  quantizedLayerNorm,
} from '@qtorch/qtensor';
import {
  BatchNorm2d as FloatBatchNorm2d, GroupNorm as FloatGroupNorm, _InstanceNorm as FloatInstanceNormBase, LayerNorm as FloatLayerNorm,
  type Module, Parameter, moduleName,
} from '@qtorch/nn';
import { outputQparams, withOutputQparams } from './output_qparams.js';
import { checkModuleQparams, checkQuantizedInput, isFused } from './utils.js';

/** A float affine parameter adopted by the quantized layer (kept a Parameter so it stays in the state dict). */
const adopt = (t: Tensor | null | undefined): Parameter | null => (t ? (t instanceof Parameter ? t : new Parameter(t, false)) : null);

/** What fromFloat reads from a float batch norm. */
interface FloatBatchNormLike {
  numFeatures: number;
  eps: number;
  momentum: number | null;
  weight: Tensor | null;
  bias: Tensor | null;
  running_mean: Tensor | null;
  running_var: Tensor | null;
}

type BatchNormFn = typeof quantizedBatchNorm2d;

/** The class a batch norm's static factory is called on, which is the class it builds. */
type BatchNormClassOf<T> = (new (numFeatures: number, options?: { eps?: number; momentum?: number | null }) => T) & { _qualName: string };

/** Quantized batch norm over (N, C, H, W) input (running statistics, affine parameters). */
export class BatchNorm2d extends withOutputQparams(FloatBatchNorm2d) {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedBatchNorm2d';
  /** Output scale. */
  override scale = 1;
  /** Output zero point. */
  override zeroPoint = 0;

  /**
   * @param numFeatures - Number of channels C.
   * @param options - `eps` (default 1e-5) and `momentum`.
   */
  constructor(numFeatures: number, options: { eps?: number; momentum?: number | null } = {}) {
    checkOptions(options, new.target.name);
    super(numFeatures, { eps: options.eps, momentum: options.momentum, affine: true, trackRunningStats: true });
  }

  /** The op of this rank (`batch_norm2d` / `batch_norm3d`). */
  protected get bnOp(): BatchNormFn {
    return quantizedBatchNorm2d;
  }

  /** Quantized batch norm of [N, C, H, W] input with the running statistics, at this module's output qparams. */
  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    return this.bnOp(input, this.weight!, this.bias!, this.running_mean!, this.running_var!, this.eps, this.scale, this.zeroPoint);
  }

  /** Copies the float batch norm's parameters and statistics (its first child for BNReLU patterns). */
  protected adoptFloat(f: FloatBatchNormLike): void {
    this.weight = adopt(f.weight);
    this.bias = adopt(f.bias);
    if (!this.weight || !this.bias || !f.running_mean || !f.running_var) {
      throw new QTorchValueError(`${moduleName(this)}.fromFloat(): the float batch norm must be affine and track running statistics`);
    }
    this.running_mean = f.running_mean.detach().clone();
    this.running_var = f.running_var.detach().clone();
  }

  /** From an observed float BatchNorm (or a fused BN + ReLU pattern). */
  static fromFloat<T extends BatchNorm2d>(this: BatchNormClassOf<T>, mod: Module): T {
    const cls = this._qualName;
    const [scale, zeroPoint] = outputQparams(mod, cls);
    const f = (isFused(mod) ? (mod as unknown as Record<string, Module>)['0'] : mod) as unknown as FloatBatchNormLike;
    const q = new this(f.numFeatures, { eps: f.eps, momentum: f.momentum });
    q.adoptFloat(f);
    [q.scale, q.zeroPoint] = [scale, zeroPoint];
    return q;
  }

  /** From a float BatchNorm and output qparams. */
  static fromReference<T extends BatchNorm2d>(this: BatchNormClassOf<T>, bn: Module, outputScale: number, outputZeroPoint: number): T {
    const f = bn as unknown as FloatBatchNormLike;
    const q = new this(f.numFeatures, { eps: f.eps, momentum: f.momentum });
    q.adoptFloat(f);
    [q.scale, q.zeroPoint] = [outputScale, Math.trunc(outputZeroPoint)];
    return q;
  }
}

/** Quantized batch norm over (N, C, D, H, W) input. */
export class BatchNorm3d extends BatchNorm2d {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedBatchNorm3d';

  protected override get bnOp(): BatchNormFn {
    return quantizedBatchNorm3d;
  }
}

/** Quantized layer norm with the float layer's affine parameters and output qparams. */
export class LayerNorm extends withOutputQparams(FloatLayerNorm) {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedLayerNorm';

  /**
   * @param normalizedShape - The trailing dims to normalize over.
   * @param weight - Float elementwise scale, or null.
   * @param bias - Float elementwise shift, or null.
   * @param scale - Output scale.
   * @param zeroPoint - Output zero point.
   * @param options - `eps` (default 1e-5) and `elementwiseAffine`.
   */
  constructor(
    normalizedShape: number | readonly number[], weight: Tensor | null, bias: Tensor | null, public override scale: number, public override zeroPoint: number,
    options: { eps?: number; elementwiseAffine?: boolean } = {},
  ) {
    checkModuleQparams(scale, zeroPoint, new.target.name);
    checkOptions(options, new.target.name);
    super(normalizedShape, options);
    this.weight = adopt(weight);
    this.bias = adopt(bias);
  }

  /** Quantized layer norm, at this module's output qparams. */
  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    return quantizedLayerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps, this.scale, this.zeroPoint);
  }

  /** From a float LayerNorm with an observer giving the output qparams. */
  static fromFloat(mod: Module): LayerNorm {
    const f = mod as unknown as FloatLayerNorm;
    return new LayerNorm(f.normalizedShape, f.weight, f.bias, ...outputQparams(mod, 'QuantizedLayerNorm'), { eps: f.eps, elementwiseAffine: f.elementwiseAffine });
  }

  /** From a reference module, with the output qparams given. */
  static fromReference(mod: Module, scale: number, zeroPoint: number): LayerNorm {
    const f = mod as unknown as FloatLayerNorm;
    return new LayerNorm(f.normalizedShape, f.weight, f.bias, scale, Math.trunc(zeroPoint), { eps: f.eps, elementwiseAffine: f.elementwiseAffine });
  }
}

/** Quantized group norm with the float layer's affine parameters and output qparams. */
export class GroupNorm extends withOutputQparams(FloatGroupNorm) {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedGroupNorm';

  /**
   * @param numGroups - Number of channel groups.
   * @param numChannels - Number of channels C.
   * @param weight - Per-channel float scale, or null.
   * @param bias - Per-channel float shift, or null.
   * @param scale - Output scale.
   * @param zeroPoint - Output zero point.
   * @param options - `eps` (default 1e-5) and `affine`.
   */
  constructor(
    numGroups: number, numChannels: number, weight: Tensor | null, bias: Tensor | null, public override scale: number, public override zeroPoint: number,
    options: { eps?: number; affine?: boolean } = {},
  ) {
    checkModuleQparams(scale, zeroPoint, new.target.name);
    checkOptions(options, new.target.name);
    super(numGroups, numChannels, options);
    this.weight = adopt(weight);
    this.bias = adopt(bias);
  }

  /** Quantized group norm, at this module's output qparams. */
  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    return quantizedGroupNorm(input, this.numGroups, this.weight, this.bias, this.eps, this.scale, this.zeroPoint);
  }

  /** From a float GroupNorm with an observer giving the output qparams. */
  static fromFloat(mod: Module): GroupNorm {
    const f = mod as unknown as FloatGroupNorm;
    return new GroupNorm(f.numGroups, f.numChannels, f.weight, f.bias, ...outputQparams(mod, 'QuantizedGroupNorm'), { eps: f.eps, affine: f.affine });
  }

  /** From a reference module, with the output qparams given. */
  static fromReference(mod: Module, scale: number, zeroPoint: number): GroupNorm {
    const f = mod as unknown as FloatGroupNorm;
    return new GroupNorm(f.numGroups, f.numChannels, f.weight, f.bias, scale, Math.trunc(zeroPoint), { eps: f.eps, affine: f.affine });
  }
}

/** Options of the quantized instance norms (PyTorch's defaults: no affine, no running stats). */
export interface QuantizedInstanceNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Accepted for parity (running stats are not used). */
  momentum?: number | null;
  /** Whether `weight` / `bias` apply. */
  affine?: boolean;
  /** Accepted for parity (running stats are not used). */
  trackRunningStats?: boolean;
}

/** The quantized instance norms' shared body (PyTorch's three classes differ only in rank). */
export abstract class _InstanceNorm extends withOutputQparams(FloatInstanceNormBase) {
  /**
   * @param numFeatures - Number of channels C.
   * @param weight - Per-channel float scale, or null.
   * @param bias - Per-channel float shift, or null.
   * @param scale - Output scale.
   * @param zeroPoint - Output zero point.
   * @param options - `eps`, `momentum`, `affine`, `trackRunningStats`.
   */
  constructor(numFeatures: number, weight: Tensor | null, bias: Tensor | null, public override scale: number, public override zeroPoint: number, options: QuantizedInstanceNormOptions = {}) {
    checkModuleQparams(scale, zeroPoint, new.target.name);
    checkOptions(options, new.target.name);
    super(numFeatures, options);
    this.weight = adopt(weight);
    this.bias = adopt(bias);
  }

  /** Quantized instance norm, at this module's output qparams. */
  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    return quantizedInstanceNorm(input, this.weight, this.bias, this.eps, this.scale, this.zeroPoint);
  }

  /** From a float InstanceNorm with an observer giving the output qparams. */
  static fromFloat(mod: Module): _InstanceNorm {
    const f = mod as unknown as FloatInstanceNormBase;
    const cls = this as unknown as InstanceNormClass;
    return new cls(f.numFeatures, f.weight, f.bias, ...outputQparams(mod, cls._qualName), { eps: f.eps, affine: f.affine });
  }

  /** From a reference module, with the output qparams given. */
  static fromReference(mod: Module, scale: number, zeroPoint: number): _InstanceNorm {
    const f = mod as unknown as FloatInstanceNormBase;
    const cls = this as unknown as InstanceNormClass;
    return new cls(f.numFeatures, f.weight, f.bias, scale, Math.trunc(zeroPoint), { eps: f.eps, affine: f.affine });
  }
}

type InstanceNormClass = (new (...a: ConstructorParameters<typeof InstanceNorm1d>) => _InstanceNorm) & { _qualName: string };

/** Quantized instance norm over (N, C, L) input. */
export class InstanceNorm1d extends _InstanceNorm {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedInstanceNorm1d';
  protected readonly noBatchDim = 2;
}

/** Quantized instance norm over (N, C, H, W) input. */
export class InstanceNorm2d extends _InstanceNorm {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedInstanceNorm2d';
  protected readonly noBatchDim = 3;
}

/** Quantized instance norm over (N, C, D, H, W) input. */
export class InstanceNorm3d extends _InstanceNorm {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedInstanceNorm3d';
  protected readonly noBatchDim = 4;
}
