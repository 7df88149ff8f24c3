/**
 * Quantized ConvReLU1d/2d/3d (torch.ao.nn.intrinsic.quantized): quantized convs with the ReLU
 * applied in the requantization (`quantized::conv2d_relu`). `fromFloat` takes an observed
 * nni.ConvReLU*d, a QAT ConvReLU*d, or a QAT ConvBnReLU*d (its BN folded by running statistics).
 */
import { QTorchValueError, type Tensor, assertQuantized, fmtShape, quantizedConvRelu } from '@qtorch/qtensor';
import { type Module, type ModuleClass, moduleName } from '@qtorch/nn';
import * as nnq from '@qtorch/nn-quantized';
import * as nni from '../fused.js';

const LAYOUTS = ['(N, C, L)', '(N, C, H, W)', '(N, C, D, H, W)'];

/** The quantized conv + relu forward shared by the three ranks. */
function convReluForward(m: nnq._ConvNd, x: Tensor): Tensor {
  const op = `${moduleName(m)}.forward`;
  assertQuantized(x, op);
  const n = m.kernelSize.length;
  if (x.ndim !== n + 2) throw new QTorchValueError(`${op}(): Input shape must be \`${LAYOUTS[n - 1]}\`!, got ${fmtShape(x.shape)}`);
  return quantizedConvRelu(x, m._packed_params, m.scale, m.zeroPoint);
}

/** Quantized Conv1d + ReLU. */
export class ConvReLU1d extends nnq.Conv1d {
  static override _qualName = 'QuantizedConvReLU1d';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [nni.ConvReLU1d];
  override forward(x: Tensor): Tensor {
    return convReluForward(this, x);
  }
  static override fromFloat(mod: Module): ConvReLU1d {
    return super.fromFloat(mod) as ConvReLU1d;
  }
}

/**
 * Quantized Conv2d + ReLU.
 * @example const q = ConvReLU2d.fromFloat(preparedQatConvBnReLU2d);
 */
export class ConvReLU2d extends nnq.Conv2d {
  static override _qualName = 'QuantizedConvReLU2d';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [nni.ConvReLU2d];
  override forward(x: Tensor): Tensor {
    return convReluForward(this, x);
  }
  static override fromFloat(mod: Module): ConvReLU2d {
    return super.fromFloat(mod) as ConvReLU2d;
  }
}

/** Quantized Conv3d + ReLU. */
export class ConvReLU3d extends nnq.Conv3d {
  static override _qualName = 'QuantizedConvReLU3d';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [nni.ConvReLU3d];
  override forward(x: Tensor): Tensor {
    return convReluForward(this, x);
  }
  static override fromFloat(mod: Module): ConvReLU3d {
    return super.fromFloat(mod) as ConvReLU3d;
  }
}
