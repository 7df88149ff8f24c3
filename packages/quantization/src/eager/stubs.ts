/**
 * QuantStub, DeQuantStub and QuantWrapper (torch.ao.quantization.stubs): markers of where a
 * model's tensors turn quantized and back. Before conversion they pass tensors through;
 * `convert` swaps them for `Quantize` / `DeQuantize` modules.
 */
import { Module } from '@qtorch/nn';
import type { Tensor } from '@qtorch/qtensor';
import type { QConfig } from '../qconfig/qconfig.js';

/** A pass-through module carrying an optional qconfig (the two stubs differ only in what convert makes of them). */
abstract class Stub extends Module {
  qconfig?: QConfig | null;
  constructor(qconfig?: QConfig | null) {
    super();
    if (qconfig) this.qconfig = qconfig;
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Marks where float input becomes quantized; observed by `prepare`, swapped for `Quantize` by `convert`. */
export class QuantStub extends Stub {}

/** Marks where quantized tensors turn back to float; swapped for `DeQuantize` by `convert`. */
export class DeQuantStub extends Stub {}

/** Wraps `module` between a QuantStub and a DeQuantStub, taking over its qconfig. */
export class QuantWrapper extends Module {
  /** Quantizes the wrapped module's input. */
  quant: QuantStub;
  /** Dequantizes the wrapped module's output. */
  dequant: DeQuantStub;
  /** The wrapped float module. */
  module: Module;
  /** The qconfig the wrapper carries (copied from the wrapped module, as in PyTorch). */
  qconfig?: QConfig | null;
  /** @param module - The float module to wrap between a QuantStub and a DeQuantStub. */
  constructor(module: Module) {
    super();
    const qconfig = (module as { qconfig?: QConfig | null }).qconfig ?? null;
    this.quant = new QuantStub(qconfig);
    this.dequant = new DeQuantStub(qconfig);
    this.module = module;
    this.train(module.training);
  }
  forward(x: Tensor): Tensor {
    return this.dequant.call(this.module.call(this.quant.call(x)) as Tensor);
  }
}
