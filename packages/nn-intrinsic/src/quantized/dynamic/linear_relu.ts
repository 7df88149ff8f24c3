/** Dynamic quantized LinearReLU (torch.ao.nn.intrinsic.quantized.dynamic.LinearReLU). */
import {
  type LinearFp16PackedParams, type LinearPackedParams, type Tensor, assertNotQuantized, float32, qint8, quantizedLinearDynamicFp16,
  quantizedLinearReluDynamic,
} from '@qtorch/qtensor';
import { type Module, type ModuleClass, moduleName } from '@qtorch/nn';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import * as nni from '../../fused.js';

/**
 * Float in, float out: `relu(x W^T + b)` with the activations quantized per call (with
 * reduce_range, as PyTorch's module passes) and the ReLU applied inside the kernel
 * (`quantized::linear_relu_dynamic`, or its float16 form). `fromFloat` takes nni.LinearReLU
 * with a dynamic qconfig.
 * @example const q = LinearReLU.fromFloat(Object.assign(new nni.LinearReLU(fc, new ReLU()), { qconfig: defaultDynamicQconfig }));
 */
export class LinearReLU extends nnqd.Linear {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'DynamicQuantizedLinearReLU';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [nni.LinearReLU];

  override forward(x: Tensor): Tensor {
    assertNotQuantized(x, `${moduleName(this)}.forward`);
    const p = this._packed_params;
    const input = x.dtype === float32 ? x : x.to(float32);
    const y = p.dtype === qint8
      ? quantizedLinearReluDynamic(input, p._packed_params as LinearPackedParams, { reduceRange: true })
      : quantizedLinearDynamicFp16(input, p._packed_params as LinearFp16PackedParams, { relu: true });
    return y.dtype === x.dtype ? y : y.to(x.dtype);
  }

  static override fromFloat(mod: Module): LinearReLU {
    return super.fromFloat(mod) as LinearReLU;
  }
}
