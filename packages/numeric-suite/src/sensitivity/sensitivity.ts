/**
 * Per-layer sensitivity analysis (beyond PyTorch): quantize one layer at a time, or keep one
 * layer in float at a time, and rank the layers by the effect on the model's output.
 */
import type { Module } from '@qtorch/nn';
import { QTorchValueError } from '@qtorch/qtensor';
import { type EvaluationOptions, Evaluator, type ModelInput, type QuantizeFn } from './evaluate.js';
import { quantizableLayers } from './layers.js';

/** How layers are probed. */
export type SensitivityMode = 'quantize-one' | 'float-one';

/** Options of `layerSensitivity`. */
export interface LayerSensitivityOptions extends EvaluationOptions {
  /**
   * `'float-one'` (default): quantize everything but one layer; a layer is sensitive when
   * keeping it in float recovers much of the accuracy. `'quantize-one'`: quantize only one
   * layer; a layer is sensitive when quantizing it alone costs much.
   */
  mode?: SensitivityMode;
}

/** One layer's probe result. */
export interface LayerSensitivity {
  /** Module path. */
  layer: string;
  /** The metric of the probe model (this layer alone in float, or alone quantized). */
  score: number;
  /**
   * How much this layer's quantization costs, in metric units (larger = more sensitive; signs
   * flipped for lower-is-better metrics). float-one: `score - baseline`, what keeping the layer
   * in float recovers over the fully quantized model. quantize-one: `best - score`, how much
   * worse quantizing this layer alone is than quantizing the least harmful layer alone (the
   * float reference itself is often infinite, as SQNR of identical outputs is).
   */
  impact: number;
}

/** Result of `layerSensitivity`. */
export interface SensitivityReport {
  /** How the sensitivity of each layer was measured. */
  mode: SensitivityMode;
  /** Metric of the fully quantized model. */
  baseline: number;
  /** Metric of the float model against itself (SQNR: Infinity). */
  reference: number;
  /** Layers, most sensitive first. */
  ranking: LayerSensitivity[];
  /** How many quantized models were built and run. */
  evaluations: number;
}

/** The candidate layers: the option, or every layer prepare would quantize. @internal */
export function candidateLayers(model: Module, layers: readonly string[] | undefined, op: string): string[] {
  const out = layers ? [...layers] : quantizableLayers(model);
  if (out.length === 0) throw new QTorchValueError(`${op}(): no layers to analyse; the model has no quantizable layers (pass options.layers)`);
  for (const name of out) {
    try {
      model.getSubmodule(name);
    } catch {
      throw new QTorchValueError(`${op}(): '${name}' is not a submodule of the model (options.layers)`);
    }
  }
  return out;
}

/** Ranks `layers` from a finished evaluator (shared with suggestSkipList). @internal */
export function rankLayers(ev: Evaluator, layers: readonly string[], mode: SensitivityMode): SensitivityReport {
  const baseline = ev.score([]);
  const reference = ev.metric(ev.reference, ev.reference);
  const sign = ev.higherIsBetter ? 1 : -1;
  const probes = layers.map((layer) => ({
    layer, score: mode === 'float-one' ? ev.score([layer]) : ev.score(layers.filter((l) => l !== layer)),
  }));
  const best = probes.reduce((b, p) => (ev.better(p.score, b) ? p.score : b), probes[0]!.score);
  const ranking = probes.map(({ layer, score }) => ({ layer, score, impact: sign * (mode === 'float-one' ? score - baseline : best - score) }));
  // most sensitive first (NaN impacts, from infinite scores on both sides, last)
  ranking.sort((a, b) => (Number.isNaN(b.impact) ? -1 : Number.isNaN(a.impact) ? 1 : b.impact - a.impact));
  return { mode, baseline, reference, ranking, evaluations: ev.evaluations };
}

/**
 * Probes each layer of `floatModel` and ranks the layers by how much their quantization hurts
 * the model output (or a user metric), most sensitive first.
 * @param quantizeFn builds a quantized model keeping the given layers in float (`eagerQuantizeFn(...)`)
 * @param inputs evaluation inputs (tensors, or argument lists)
 * @example
 * const report = layerSensitivity(model, eagerQuantizeFn({ qconfig, calibration }), testInputs, { mode: 'float-one' });
 * console.log(report.ranking[0].layer); // the layer to blame
 */
export function layerSensitivity(
  floatModel: Module, quantizeFn: QuantizeFn, inputs: readonly ModelInput[], options: LayerSensitivityOptions = {},
): SensitivityReport {
  const mode = options.mode ?? 'float-one';
  if (mode !== 'float-one' && mode !== 'quantize-one') {
    throw new QTorchValueError(`layerSensitivity(): mode must be 'float-one' or 'quantize-one', got '${String(mode)}'`);
  }
  const layers = candidateLayers(floatModel, options.layers, 'layerSensitivity');
  return rankLayers(new Evaluator(floatModel, quantizeFn, inputs, options, 'layerSensitivity'), layers, mode);
}
