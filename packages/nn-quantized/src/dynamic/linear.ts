/**
 * Dynamic quantized Linear (torch.ao.nn.quantized.dynamic.Linear): float in, float out. The
 * weight is quantized once (qint8) or rounded to float16 (fbgemm only); activations are
 * quantized per call with `reduce_range` (honoured by fbgemm, ignored by qnnpack, as in
 * PyTorch 1.13). State dict as the static Linear's.
 */
import {
  checkOptions, type DType, type LinearFp16PackedParams, type LinearPackedParams as PackedLinear, QTorchTypeError, type Tensor, float16, float32, qint8,
  quantizedLinearDynamic, quantizedLinearDynamicFp16,
} from '@qtorch/qtensor';
import { Linear as FloatLinear, type Module, type ModuleClass, NonDynamicallyQuantizableLinear } from '@qtorch/nn';
import { Linear as StaticLinear, type QuantizedLinearOptions } from '../modules/linear.js';
import { checkFloatInput, floatSource, floatWeight, qconfigOf, quantizeWeight, torchQscheme, weightObserver } from '../modules/utils.js';

/**
 * Float input, float output, quantized weight.
 * @example const q = Linear.fromFloat(Object.assign(new nn.Linear(8, 4), { qconfig: defaultDynamicQconfig }));
 */
export class Linear extends StaticLinear {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'DynamicQuantizedLinear';
  /** @internal State-dict version (PyTorch's `_version`), saved in metadata. */
  static override _version = 4;
  static override _FLOAT_MODULE: readonly ModuleClass[] = [FloatLinear, NonDynamicallyQuantizableLinear];
  /** PyTorch's module version: 4 quantizes activations with reduce_range. */
  version = 4;

  /**
   * @param inFeatures - Size of each input sample.
   * @param outFeatures - Size of each output sample.
   * @param options - `bias` (default true) and `dtype`: qint8 (default) or float16 weights.
   * @throws QTorchTypeError for a dtype other than qint8 or float16.
   */
  constructor(inFeatures: number, outFeatures: number, options: QuantizedLinearOptions = {}) {
    checkOptions(options, new.target.name);
    super(inFeatures, outFeatures, options);
  }

  override forward(x: Tensor): Tensor {
    checkFloatInput(this, x);
    const p = this._packed_params;
    const input = x.dtype === float32 ? x : x.to(float32);
    const y = p.dtype === qint8
      ? quantizedLinearDynamic(input, p._packed_params as PackedLinear, { reduceRange: this.version >= 4 })
      : quantizedLinearDynamicFp16(input, p._packed_params as LinearFp16PackedParams);
    return y.dtype === x.dtype ? y : y.to(x.dtype);
  }

  override extraRepr(): string {
    const dtype = this._packed_params.dtype;
    let s = `in_features=${this.inFeatures}, out_features=${this.outFeatures}, dtype=${dtype.torchName}`;
    if (dtype === qint8) s += `, qscheme=${torchQscheme(this.weight())}`;
    return s;
  }

  /**
   * From a float Linear (or a fused LinearReLU's Linear, or a QAT Linear) carrying a qconfig whose
   * weight observer is qint8 (weights quantized) or float16 (weights rounded to half).
   */
  static override fromFloat(mod: Module): Linear {
    const cls = this._qualName;
    const qat = (mod as unknown as { weight_fake_quant?: unknown }).weight_fake_quant !== undefined;
    const src = qat ? mod : floatSource(mod, this._FLOAT_MODULE, cls);
    const f = src as unknown as FloatLinear;
    const w = floatWeight(f.weight, cls);
    const q = qconfigOf(mod, cls);
    const probe = (qat ? (mod as unknown as { weight_fake_quant: { dtype: unknown } }).weight_fake_quant : q.weight()) as { dtype?: unknown };
    if (probe.dtype !== qint8 && probe.dtype !== float16) {
      throw new QTorchTypeError(`${cls}.fromFloat(): The only supported dtypes for dynamic quantized linear are qint8 and float16 got: ${String(probe.dtype)}`);
    }
    const qlinear = new this(f.inFeatures, f.outFeatures, { dtype: probe.dtype as DType });
    const qweight = probe.dtype === qint8 ? quantizeWeight(w, weightObserver(src, w, mod, cls)) : w;
    qlinear.setWeightBias(qweight, f.bias ? f.bias.detach() : null);
    return qlinear;
  }
}
