/**
 * The small quantized model the async-inference and memory tests run: Quantize -> Linear ->
 * ReLU -> Linear -> DeQuantize (nn-quantized modules), with deterministic weights.
 */
import { type Tensor, manualSeed, qint8, quantizePerTensor, quint8, randn } from '@qtorch/qtensor';
import { ReLU, Sequential } from '@qtorch/nn';
import * as nnq from '@qtorch/nn-quantized';

/** A quantized linear with `seed`-determined weights and bias. */
function qlinear(inF: number, outF: number, seed: number): nnq.Linear {
  manualSeed(seed);
  const lin = new nnq.Linear(inF, outF);
  lin.setWeightBias(quantizePerTensor(randn([outF, inF]), 0.02, 0, qint8), randn([outF]));
  lin.scale = 0.25;
  lin.zeroPoint = 64;
  return lin;
}

/** The model: `width` features in and out, `hidden` in the middle. */
export function buildQuantizedMlp(width: number, hidden = width): Sequential {
  return new Sequential(
    new nnq.Quantize(0.05, 128, quint8), qlinear(width, hidden, 1), new ReLU(), qlinear(hidden, width, 2), new nnq.DeQuantize(),
  ).eval();
}

/** The model's forward (through `call`, so hooks run), typed: float input, float output. */
export function forward(model: Sequential, x: Tensor): Tensor {
  return model.call(x) as Tensor;
}

/** What the model worker expects as `workerData`. */
export interface ModelWorkerData {
  /** safetensors file with the model's state dict. */
  path: string;
  width: number;
  hidden: number;
  /** Kill the worker thread when asked to run on an empty tensor (to test crash handling). */
  exitOnEmpty?: boolean;
}
