/**
 * `eagerQuantizeFn`: a `QuantizeFn` for the eager workflow (fuse, prepare, calibrate, convert)
 * that keeps the named layers in float. In eager mode a float layer between quantized ones
 * needs its own dequantize / quantize pair, so each skipped layer is wrapped in a `FloatIsland`.
 */
import { Module } from '@qtorch/nn';
import { DeQuantStub, type QConfig, QuantStub, convert, prepare } from '@qtorch/quantization';
import { type Tensor, isTensor } from '@qtorch/qtensor';
import { type ModelInput, type QuantizeFn, argsOf } from './evaluate.js';

/**
 * Runs `module` in float inside a quantized model: inputs pass a DeQuantStub, the output a
 * QuantStub (they become DeQuantize / Quantize at convert; the QuantStub is calibrated like any
 * other). Forwards FloatFunctional's methods too, so a skipped `skip_add.add(x, y)` works.
 */
export class FloatIsland extends Module {
  /** Dequantizes the island's inputs. */
  dequant = new DeQuantStub();
  /** The float module run inside the quantized model. */
  module: Module;
  /** Quantizes the island's output (calibrated like any other QuantStub). */
  quant = new QuantStub();

  /** @param module - The float module to keep in float. */
  constructor(module: Module) {
    super();
    this.module = module;
    (module as { qconfig?: QConfig | null }).qconfig = null;
  }

  private toFloat(x: unknown): unknown {
    if (Array.isArray(x)) return x.map((v) => this.toFloat(v));
    return isTensor(x) ? this.dequant.call(x) : x;
  }

  forward(...args: unknown[]): unknown {
    return this.quant.call(this.module.call(...(args.map((a) => this.toFloat(a)))));
  }

  private functional(op: string, args: unknown[]): Tensor {
    const fn = (this.module as unknown as Record<string, (...a: unknown[]) => Tensor>)[op]!;
    return this.quant.call(fn.apply(this.module, args.map((a) => this.toFloat(a))));
  }

  /** Forwards FloatFunctional.add to the wrapped module, in float. */
  add(x: Tensor, y: Tensor): Tensor { return this.functional('add', [x, y]); }
  /** Forwards FloatFunctional.addScalar to the wrapped module, in float. */
  addScalar(x: Tensor, y: number): Tensor { return this.functional('addScalar', [x, y]); }
  /** Forwards FloatFunctional.mul to the wrapped module, in float. */
  mul(x: Tensor, y: Tensor): Tensor { return this.functional('mul', [x, y]); }
  /** Forwards FloatFunctional.mulScalar to the wrapped module, in float. */
  mulScalar(x: Tensor, y: number): Tensor { return this.functional('mulScalar', [x, y]); }
  /** Forwards FloatFunctional.cat to the wrapped module, in float. */
  cat(xs: Tensor[], dim = 0): Tensor { return this.functional('cat', [xs, dim]); }
  /** Forwards FloatFunctional.addRelu to the wrapped module, in float. */
  addRelu(x: Tensor, y: Tensor): Tensor { return this.functional('addRelu', [x, y]); }
}

/** Options of `eagerQuantizeFn`. */
export interface EagerQuantizeOptions {
  /** The qconfig of the whole model (`getDefaultQconfig('qnnpack')`). */
  qconfig: QConfig;
  /** Calibration inputs run through the prepared model. */
  calibration: readonly ModelInput[];
}

/**
 * A `QuantizeFn` for eager post-training static quantization: eval mode,
 * `model.qconfig = qconfig`, skipped layers wrapped in `FloatIsland`s, prepare, calibration,
 * convert. The model needs its own QuantStub / DeQuantStub, as for `quantize`. Fuse the float
 * model before the analysis (`fuseModules`), so that layer names are those of the fused model.
 * @example const fn = eagerQuantizeFn({ qconfig: getDefaultQconfig('qnnpack'), calibration });
 */
export function eagerQuantizeFn(options: EagerQuantizeOptions): QuantizeFn {
  return (model, skip) => {
    model.eval();
    (model as { qconfig?: QConfig | null }).qconfig = options.qconfig;
    for (const name of skip.keys()) model.setSubmodule(name, new FloatIsland(model.getSubmodule(name)));
    prepare(model, { inplace: true });
    for (const input of options.calibration) model.call(...argsOf(input));
    return convert(model, { inplace: true });
  };
}
