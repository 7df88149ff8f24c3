/**
 * `Shadow` (torch.ao.ns._numeric_suite.Shadow): runs a quantized module and, on the
 * dequantized copy of the same input, its float counterpart, and hands both outputs to a
 * logger. The quantized output continues through the model, so the float module only
 * "shadows" it: its error is measured with the quantized model's own inputs.
 */
import { Module } from '@qtorch/nn';
import { DeQuantize } from '@qtorch/nn-quantized';
import { QTorchTypeError, type Tensor, isTensor } from '@qtorch/qtensor';
import type { Logger, LoggerClass } from './loggers.js';

/** Dequantizes quantized tensors, recursively through arrays (PyTorch's `_dequantize_tensor_list`). */
export function dequantizeTensorList(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(dequantizeTensorList);
  return isTensor(x) && x.isQuantized ? x.dequantize() : x;
}

/** The functional interface of FloatFunctional / QFunctional that `Shadow` forwards. */
interface FunctionalLike {
  add(x: Tensor, y: Tensor): Tensor;
  addScalar(x: Tensor, y: number): Tensor;
  mul(x: Tensor, y: Tensor): Tensor;
  mulScalar(x: Tensor, y: number): Tensor;
  cat(x: Tensor[], dim?: number): Tensor;
  addRelu(x: Tensor, y: Tensor): Tensor;
}

/**
 * Attaches `floatModule` to `qModule` as its shadow; `logger` receives
 * `(quantizedOutput, floatOutput)` on every call.
 * @example const s = new Shadow(qModel.fc, floatModel.fc, ShadowLogger);
 */
export class Shadow extends Module {
  /** The quantized module whose output is returned. */
  orig_module: Module;
  /** The float module fed the dequantized inputs. */
  shadow_module: Module;
  /** Unused, as in PyTorch (kept so the module tree matches). */
  dequant = new DeQuantize();
  /** Receives both outputs. */
  logger: Logger;

  /**
   * @param qModule - The quantized module (its output is returned).
   * @param floatModule - The float module run on the dequantized inputs.
   * @param loggerCls - The logger class receiving both outputs.
   */
  constructor(qModule: Module, floatModule: Module, loggerCls: LoggerClass) {
    super();
    this.orig_module = qModule;
    this.shadow_module = floatModule;
    this.logger = new loggerCls();
  }

  /** Runs the quantized module, then the float one on dequantized inputs; returns the quantized output. */
  forward(...x: unknown[]): unknown {
    const output = this.orig_module.call(...x);
    const shadowOutput = this.shadow_module.call(...(dequantizeTensorList(x) as unknown[]));
    this.logger.call(output, shadowOutput);
    return output;
  }

  private functional(which: 'orig_module' | 'shadow_module', op: keyof FunctionalLike): FunctionalLike {
    const m = this[which] as unknown as Partial<FunctionalLike>;
    if (typeof m[op] !== 'function') {
      throw new QTorchTypeError(`Shadow.${op}(): ${which} (${this[which].constructor.name}) has no ${op}(); expected a FloatFunctional / QFunctional`);
    }
    return m as FunctionalLike;
  }

  /** Logs and returns `orig_module.add(x, y)`; the shadow adds the dequantized inputs. */
  add(x: Tensor, y: Tensor): Tensor {
    return this.shadowed('add', (f, deq) => f.add(deq(x), deq(y)));
  }

  /** Logs and returns `orig_module.addScalar(x, y)`. */
  addScalar(x: Tensor, y: number): Tensor {
    return this.shadowed('addScalar', (f, deq) => f.addScalar(deq(x), y));
  }

  /** Logs and returns `orig_module.mul(x, y)`. */
  mul(x: Tensor, y: Tensor): Tensor {
    return this.shadowed('mul', (f, deq) => f.mul(deq(x), deq(y)));
  }

  /** Logs and returns `orig_module.mulScalar(x, y)`. */
  mulScalar(x: Tensor, y: number): Tensor {
    return this.shadowed('mulScalar', (f, deq) => f.mulScalar(deq(x), y));
  }

  /** Logs and returns `orig_module.cat(x, dim)`. */
  cat(x: Tensor[], dim = 0): Tensor {
    return this.shadowed('cat', (f, deq) => f.cat(x.map(deq), dim));
  }

  /** Logs and returns `orig_module.addRelu(x, y)`. */
  addRelu(x: Tensor, y: Tensor): Tensor {
    return this.shadowed('addRelu', (f, deq) => f.addRelu(deq(x), deq(y)));
  }

  /**
   * Runs `run` on the quantized module with inputs as given, then on the float module with
   * dequantized inputs, logs both outputs and returns the quantized one.
   */
  private shadowed(op: keyof FunctionalLike, run: (f: FunctionalLike, deq: (t: Tensor) => Tensor) => Tensor): Tensor {
    const output = run(this.functional('orig_module', op), (t) => t);
    const shadowOutput = run(this.functional('shadow_module', op), (t) => (t.isQuantized ? t.dequantize() : t));
    this.logger.call(output, shadowOutput);
    return output;
  }
}
