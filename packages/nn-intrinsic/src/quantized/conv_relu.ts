/**
 * Quantized ConvReLU1d/2d/3d (torch.ao.nn.intrinsic.quantized): quantized convs with the ReLU
 * applied in the requantization (`quantized::conv2d_relu`). `fromFloat` takes an observed
 * nni.ConvReLU*d, a QAT ConvReLU*d, or a QAT ConvBnReLU*d (its BN folded by running statistics).
 */
import { QTorchValueError, type Tensor, assertQuantized, fmtShape, quantizedConvRelu } from '@qtorch/qtensor';
import { type ModuleClass, moduleName } from '@qtorch/nn';
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

/**
 * PyTorch's ConvReLU1d/2d/3d over nnq.Conv1d/2d/3d (they differ only in rank): `forward` runs
 * the fused kernel; `fromFloat` / `fromReference` are the conv's (they build `this` class).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function convRelu<B extends new (...args: any[]) => nnq._ConvNd>(Base: B, qualName: string, floatModule: ModuleClass): B {
  class ConvReLUNd extends Base {
    static _qualName = qualName;
    static _FLOAT_MODULE: readonly ModuleClass[] = [floatModule];
    override forward(x: Tensor): Tensor {
      return convReluForward(this, x);
    }
  }
  return ConvReLUNd;
}

/** Quantized Conv1d + ReLU. */
export class ConvReLU1d extends convRelu(nnq.Conv1d, 'QuantizedConvReLU1d', nni.ConvReLU1d) {}

/**
 * Quantized Conv2d + ReLU.
 * @example const q = ConvReLU2d.fromFloat(preparedQatConvBnReLU2d);
 */
export class ConvReLU2d extends convRelu(nnq.Conv2d, 'QuantizedConvReLU2d', nni.ConvReLU2d) {}

/** Quantized Conv3d + ReLU. */
export class ConvReLU3d extends convRelu(nnq.Conv3d, 'QuantizedConvReLU3d', nni.ConvReLU3d) {}
