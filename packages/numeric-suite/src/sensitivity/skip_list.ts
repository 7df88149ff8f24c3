/**
 * `suggestSkipList`: the smallest set of layers to keep in float so that the quantized model
 * meets an accuracy budget (beyond PyTorch).
 */
import type { Module } from '@qtorch/nn';
import { QTorchValueError } from '@qtorch/qtensor';
import { type EvaluationOptions, Evaluator, type ModelInput, type QuantizeFn } from './evaluate.js';
import { candidateLayers, rankLayers } from './sensitivity.js';

/**
 * Layer names to keep in float, as a qconfig dict fragment (`name -> null`): merge it into
 * the qconfig dict of prepare, or hand it to a `QuantizeFn`.
 */
export class SkipList extends Map<string, null> {
  /**
   * @param layers - Qualified names of the layers kept in float.
   * @param score - The metric of the model quantized with this skip list.
   * @param budgetMet - Whether `score` meets the budget.
   */
  constructor(
    layers: Iterable<string>,
    /** The metric of the model quantized with this skip list. */
    readonly score: number,
    /** Whether `score` meets the budget (false: even keeping every candidate in float did not). */
    readonly budgetMet: boolean,
    /** Whether no smaller set meets the budget (proved by exhaustive search within `maxEvaluations`). */
    readonly minimal: boolean,
    /** How many quantized models were built and run. */
    readonly evaluations: number,
  ) {
    super([...layers].map((name) => [name, null] as [string, null]));
  }

  /** The layer names, in suggestion order. */
  layers(): string[] {
    return [...this.keys()];
  }
}

/** Options of `suggestSkipList`. */
export interface SuggestSkipListOptions extends EvaluationOptions {
  /**
   * Upper bound on quantized models built for the exhaustive search of smaller sets (default
   * 64). Beyond it the greedy-then-pruned set is returned with `minimal: false`.
   */
  maxEvaluations?: number;
}

/** All size-`k` combinations of `items`, in lexicographic order of positions. */
function* combinations<T>(items: readonly T[], k: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === k) {
    yield [...prefix];
    return;
  }
  for (let i = start; i <= items.length - (k - prefix.length); i++) {
    prefix.push(items[i]!);
    yield* combinations(items, k, i + 1, prefix);
    prefix.pop();
  }
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * Finds the smallest set of layers to keep in float so that the quantized model's metric
 * (default: output SQNR in dB) meets `budget` (>= budget, or <= for `higherIsBetter: false`).
 * Layers are ranked by sensitivity (float-one probes), added greedily until the budget is met,
 * pruned, and smaller sets are then searched exhaustively while `maxEvaluations` allows; among
 * equally small sets the best-scoring one wins.
 * @returns a `SkipList` (a `Map<name, null>`, usable in a qconfig dict) with its score
 * @example
 * const skip = suggestSkipList(model, 30, eagerQuantizeFn({ qconfig, calibration }), testInputs);
 * const qconfigDict = new Map([['', qconfig], ...skip]);
 */
export function suggestSkipList(
  floatModel: Module, budget: number, quantizeFn: QuantizeFn, inputs: readonly ModelInput[], options: SuggestSkipListOptions = {},
): SkipList {
  const op = 'suggestSkipList';
  if (typeof budget !== 'number' || Number.isNaN(budget)) throw new QTorchValueError(`${op}(): budget must be a number (metric threshold), got ${String(budget)}`);
  const layers = candidateLayers(floatModel, options.layers, op);
  const maxEvaluations = options.maxEvaluations ?? 64;
  const ev = new Evaluator(floatModel, quantizeFn, inputs, options, op);
  const baseline = ev.score([]);
  if (ev.meets(baseline, budget)) return new SkipList([], baseline, true, true, ev.evaluations);

  const ranked = rankLayers(ev, layers, 'float-one').ranking.map((r) => r.layer);
  // greedy: most sensitive first, until the budget is met
  let chosen: string[] = [];
  let score = baseline;
  for (const layer of ranked) {
    chosen.push(layer);
    score = ev.score(chosen);
    if (ev.meets(score, budget)) break;
  }
  if (!ev.meets(score, budget)) return new SkipList(chosen, score, false, false, ev.evaluations);
  // prune layers that the rest made unnecessary (last added first)
  for (const layer of [...chosen].reverse()) {
    const trial = chosen.filter((l) => l !== layer);
    if (trial.length > 0 && ev.meets(ev.score(trial), budget)) chosen = trial;
  }
  score = ev.score(chosen);
  // exhaustive search of the smaller sizes, while affordable
  for (let k = 1; k < chosen.length; k++) {
    if (ev.evaluations + binomial(ranked.length, k) > maxEvaluations) return new SkipList(chosen, score, true, false, ev.evaluations);
    let best: string[] | undefined;
    let bestScore = NaN;
    for (const combo of combinations(ranked, k)) {
      const s = ev.score(combo);
      if (ev.meets(s, budget) && (best === undefined || ev.better(s, bestScore))) [best, bestScore] = [combo, s];
    }
    if (best) return new SkipList(best, bestScore, true, true, ev.evaluations);
  }
  return new SkipList(chosen, score, true, true, ev.evaluations);
}
