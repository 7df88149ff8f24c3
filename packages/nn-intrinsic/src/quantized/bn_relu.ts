/**
 * Quantized BNReLU2d / BNReLU3d (torch.ao.nn.intrinsic.quantized): quantized batch norm with
 * the ReLU applied in the requantization (`quantized::batch_norm2d_relu`). `fromFloat` takes an
 * observed nni.BNReLU2d / BNReLU3d.
 */
import { quantizedBatchNorm2dRelu, quantizedBatchNorm3dRelu } from '@qtorch/qtensor';
import * as nnq from '@qtorch/nn-quantized';
import * as nni from '../fused.js';

/**
 * Quantized BatchNorm2d + ReLU.
 * @example const q = BNReLU2d.fromFloat(observedBnRelu);
 */
export class BNReLU2d extends nnq.BatchNorm2d {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedBNReLU2d';
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static readonly _FLOAT_MODULE = nni.BNReLU2d;

  protected override get bnOp(): typeof quantizedBatchNorm2dRelu {
    return quantizedBatchNorm2dRelu;
  }
}

/** Quantized BatchNorm3d + ReLU. */
export class BNReLU3d extends nnq.BatchNorm3d {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedBNReLU3d';
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static readonly _FLOAT_MODULE = nni.BNReLU3d;

  protected override get bnOp(): typeof quantizedBatchNorm3dRelu {
    return quantizedBatchNorm3dRelu;
  }
}
