/**
 * `Quantize` and `DeQuantize` (torch.ao.nn.quantized): what convert puts in place of
 * QuantStub / DeQuantStub. Quantize keeps its qparams as buffers (`scale` [1] float32,
 * `zero_point` [1] int64), as PyTorch does.
 */
import {
  type DType, QTorchTypeError, type Tensor, checkZeroPoint, dequantize, describeValue, float32, fromValues, int64, quantizePerTensor,
} from '@qtorch/qtensor';
import { Module } from '@qtorch/nn';
import { activationObserver, checkFloatInput, checkModuleQparams, scalarQparams } from './utils.js';

/**
 * Quantizes float input per tensor with fixed qparams.
 * @example const q = new Quantize(0.1, 128, quint8); const qx = q.call(x);
 */
export class Quantize extends Module {
  /** The quantized dtype produced. */
  dtype: DType;
  /** The output scale, a 1-element float tensor (a buffer, as in PyTorch). */
  declare scale: Tensor;
  /** The output zero point, a 1-element int64 tensor (a buffer). */
  declare zero_point: Tensor;

  /**
   * @param scale - Output scale.
   * @param zeroPoint - Output zero point.
   * @param dtype - Quantized dtype (quint8, qint8, qint32).
   * @throws QTorchTypeError for a non-quantized dtype.
   */
  constructor(scale: number, zeroPoint: number, dtype: DType) {
    super();
    if (!(dtype instanceof Object) || !dtype.isQuantized) {
      throw new QTorchTypeError(`Quantize(): expected a quantized dtype (quint8, qint8, qint32), got ${dtype?.torchName ?? describeValue(dtype)}`);
    }
    checkModuleQparams(scale, zeroPoint, 'Quantize');
    checkZeroPoint(zeroPoint, dtype, 'Quantize');
    this.registerBuffer('scale', fromValues([scale], [1], float32));
    this.registerBuffer('zero_point', fromValues([zeroPoint], [1], int64));
    this.dtype = dtype;
  }

  forward(x: Tensor): Tensor {
    checkFloatInput(this, x);
    return quantizePerTensor(x, this.scale.values()[0]!, this.zero_point.values()[0]!, this.dtype);
  }

  override extraRepr(): string {
    return `scale=${this.scale.toString()}, zero_point=${this.zero_point.toString()}, dtype=${this.dtype.torchName}`;
  }

  /** From an observed QuantStub: its observer's qparams and dtype. */
  static fromFloat(mod: Module): Quantize {
    const obs = activationObserver(mod, 'Quantize');
    const [scale, zeroPoint] = scalarQparams(obs);
    return new Quantize(scale, zeroPoint, obs.dtype);
  }
}

/**
 * Dequantizes its input to float32.
 * @example const y = new DeQuantize().call(qy);
 */
export class DeQuantize extends Module {
  /** A float input passes through as float32 (PyTorch's `dequantize()` of a float tensor). */
  forward(xq: Tensor): Tensor {
    return dequantize(xq);
  }

  /** A DeQuantize (it has no state to take from the float stub). */
  static fromFloat(_mod?: Module): DeQuantize {
    return new DeQuantize();
  }
}
