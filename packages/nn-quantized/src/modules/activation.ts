/**
 * Quantized activations (torch.ao.nn.quantized ReLU6, Hardswish, ELU, LeakyReLU, Sigmoid,
 * Softmax): the float module classes with a quantized forward and output qparams. Unlike
 * PyTorch 1.13 (where only LeakyReLU's are buffers), every one saves its output qparams as
 * `scale` / `zero_point` in the state dict, so a save / load round trip restores them.
 */
import {
  checkOptions, type Tensor, quantizedElu, quantizedHardswish, quantizedLeakyRelu, quantizedRelu6, quantizedSigmoid, quantizedSoftmax,
} from '@qtorch/qtensor';
import {
  ELU as FloatELU, Hardswish as FloatHardswish, LeakyReLU as FloatLeakyReLU, type Module, ReLU, Sigmoid as FloatSigmoid,
  Softmax as FloatSoftmax,
} from '@qtorch/nn';
import { outputQparams, withOutputQparams } from './output_qparams.js';
import { checkModuleQparams, checkQuantizedInput } from './utils.js';

/** `min(max(x, 0), 6)` on quantized input (input qparams kept). */
export class ReLU6 extends ReLU {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedReLU6';

  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    return quantizedRelu6(input);
  }

  /** From a float ReLU6 (no observer needed: the output keeps the input's qparams). */
  static fromFloat(mod: Module): ReLU6 {
    return new ReLU6({ inplace: (mod as unknown as { inplace?: boolean }).inplace ?? false });
  }
}

/**
 * Quantized hardswish with output qparams.
 * @example const hs = new Hardswish(0.05, 128);
 */
export class Hardswish extends withOutputQparams(FloatHardswish) {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedHardswish';
  /**
   * @param scale - Output scale.
   * @param zeroPoint - Output zero point.
   */
  constructor(public override scale: number, public override zeroPoint: number) {
    super();
    checkModuleQparams(scale, zeroPoint, new.target.name);
  }

  /** Quantized hardswish of a quint8 input, requantized to this module's scale and zero point. */
  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    return quantizedHardswish(input, this.scale, this.zeroPoint);
  }

  /** From a float Hardswish with an observer (`activation_post_process`) giving the output qparams. */
  static fromFloat(mod: Module): Hardswish {
    return new Hardswish(...outputQparams(mod, 'QuantizedHardswish'));
  }

  /** From a reference module, with the output qparams given. */
  static fromReference(_mod: Module, scale: number, zeroPoint: number): Hardswish {
    return new Hardswish(scale, Math.trunc(zeroPoint));
  }
}

/** Quantized ELU with output qparams and `alpha` (default 1). */
export class ELU extends withOutputQparams(FloatELU) {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedELU';
  /**
   * @param scale - Output scale.
   * @param zeroPoint - Output zero point.
   * @param options - `alpha` (default 1).
   */
  constructor(public override scale: number, public override zeroPoint: number, options: { alpha?: number } = {}) {
    checkModuleQparams(scale, zeroPoint, new.target.name);
    checkOptions(options, new.target.name);
    super({ alpha: options.alpha ?? 1 });
  }

  /** Quantized ELU, requantized to this module's scale and zero point. */
  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    return quantizedElu(input, this.scale, this.zeroPoint, this.alpha);
  }

  /** From a float ELU with an observer giving the output qparams. */
  static fromFloat(mod: Module): ELU {
    return new ELU(...outputQparams(mod, 'QuantizedELU'), { alpha: (mod as unknown as FloatELU).alpha });
  }

  /** From a reference module, with the output qparams given. */
  static fromReference(mod: Module, scale: number, zeroPoint: number): ELU {
    return new ELU(scale, Math.trunc(zeroPoint), { alpha: (mod as unknown as FloatELU).alpha });
  }
}

/** Quantized LeakyReLU with output qparams (`negativeSlope` default 0.01). */
export class LeakyReLU extends withOutputQparams(FloatLeakyReLU) {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedLeakyReLU';
  /**
   * @param scale - Output scale.
   * @param zeroPoint - Output zero point.
   * @param options - `negativeSlope` (default 0.01) and `inplace`.
   */
  constructor(public override scale: number, public override zeroPoint: number, options: { negativeSlope?: number; inplace?: boolean } = {}) {
    checkModuleQparams(scale, zeroPoint, new.target.name);
    checkOptions(options, new.target.name);
    super(options);
  }

  /** Quantized leaky ReLU, requantized to this module's scale and zero point. */
  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    return quantizedLeakyRelu(input, this.negativeSlope, { scale: this.scale, zeroPoint: this.zeroPoint });
  }

  /** From a float LeakyReLU with an observer giving the output qparams. */
  static fromFloat(mod: Module): LeakyReLU {
    const f = mod as unknown as FloatLeakyReLU;
    return new LeakyReLU(...outputQparams(mod, 'QuantizedLeakyReLU'), { negativeSlope: f.negativeSlope, inplace: f.inplace });
  }

  /** From a reference module, with the output qparams given. */
  static fromReference(mod: Module, scale: number, zeroPoint: number): LeakyReLU {
    const f = mod as unknown as FloatLeakyReLU;
    return new LeakyReLU(scale, Math.trunc(zeroPoint), { negativeSlope: f.negativeSlope, inplace: f.inplace });
  }
}

/** Quantized sigmoid with output qparams (PyTorch's `output_scale`, `output_zero_point`). */
export class Sigmoid extends withOutputQparams(FloatSigmoid) {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedSigmoid';
  /**
   * @param scale - Output scale (1/256 for quint8, as PyTorch fixes it).
   * @param zeroPoint - Output zero point.
   */
  constructor(public override scale: number, public override zeroPoint: number) {
    super();
    checkModuleQparams(scale, zeroPoint, new.target.name);
  }

  /** Quantized sigmoid, requantized to this module's scale and zero point. */
  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    return quantizedSigmoid(input, { scale: this.scale, zeroPoint: this.zeroPoint });
  }

  /** From a float Sigmoid with an observer giving the output qparams. */
  static fromFloat(mod: Module): Sigmoid {
    return new Sigmoid(...outputQparams(mod, 'QuantizedSigmoid'));
  }
}

/** Quantized softmax along `dim` (null: PyTorch's implicit dim) with output qparams (default 1, 0). */
export class Softmax extends withOutputQparams(FloatSoftmax) {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedSoftmax';
  /** @param options - `dim` (default null: the implicit dim), output `scale` (default 1) and `zeroPoint` (default 0). */
  constructor(options: { dim?: number | null; scale?: number; zeroPoint?: number } = {}) {
    checkOptions(options, new.target.name);
    super({ dim: options.dim ?? null });
    this.scale = options.scale ?? 1;
    this.zeroPoint = options.zeroPoint ?? 0;
    checkModuleQparams(this.scale, this.zeroPoint, new.target.name);
  }

  /** Quantized softmax along `dim`, requantized to this module's scale and zero point. */
  override forward(input: Tensor): Tensor {
    checkQuantizedInput(this, input);
    const n = input.ndim;
    return quantizedSoftmax(input, this.dim ?? (n === 0 || n === 1 || n === 3 ? 0 : 1), this.scale, this.zeroPoint);
  }

  /** From a float Softmax with an observer giving the output qparams. */
  static fromFloat(mod: Module): Softmax {
    const [scale, zeroPoint] = outputQparams(mod, 'QuantizedSoftmax');
    return new Softmax({ dim: (mod as unknown as FloatSoftmax).dim, scale, zeroPoint });
  }

  /** From a reference module, with the output qparams given. */
  static fromReference(mod: Module, scale: number, zeroPoint: number): Softmax {
    return new Softmax({ dim: (mod as unknown as FloatSoftmax).dim, scale, zeroPoint: Math.trunc(zeroPoint) });
  }
}
