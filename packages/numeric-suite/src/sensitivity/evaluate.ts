/**
 * Shared machinery of the sensitivity analysis: running a model over a set of inputs,
 * scoring its outputs against the float model's, and quantizing with a skip list.
 */
import { type Module, deepcopy } from '@qtorch/nn';
import { QTorchTypeError, QTorchValueError, type Tensor, isTensor } from '@qtorch/qtensor';

/**
 * Quantizes a float model keeping the layers named in `skip` in float; `skip` has the form
 * of a qconfig dict entry list (`name -> null`). It receives a fresh copy of the float model
 * and may modify it. `eagerQuantizeFn` builds one for the eager workflow.
 */
export type QuantizeFn = (floatModel: Module, skip: Map<string, null>) => Module;

/**
 * Scores a model's outputs (one per input, dequantized) against the float model's; higher is
 * better unless `higherIsBetter: false`. Default: SQNR of all outputs together, in dB.
 */
export type SensitivityMetric = (reference: Tensor[], outputs: Tensor[]) => number;

/** One model input: a tensor, or the argument list of one call. */
export type ModelInput = Tensor | readonly unknown[];

/** Options shared by `layerSensitivity` and `suggestSkipList`. */
export interface EvaluationOptions {
  /** Output metric (default: SQNR of the outputs vs the float model's, dB). */
  metric?: SensitivityMetric;
  /** Whether a larger metric is better (default true: SQNR, accuracy). */
  higherIsBetter?: boolean;
  /** The layers to consider (default: every layer prepare would quantize; see `quantizableLayers`). */
  layers?: readonly string[];
}

/** SQNR in dB of all outputs concatenated: the default metric (+Infinity when identical). */
export const outputSqnr: SensitivityMetric = (reference, outputs) => {
  let xx = 0, dd = 0;
  reference.forEach((r, i) => {
    const rv = r.values(), ov = outputs[i]!.values();
    for (let k = 0; k < rv.length; k++) {
      xx += rv[k]! * rv[k]!;
      dd += (rv[k]! - ov[k]!) ** 2;
    }
  });
  return 20 * Math.log10(Math.sqrt(xx) / Math.sqrt(dd));
};

/** The argument list of one model input. @internal */
export function argsOf(input: ModelInput): unknown[] {
  return isTensor(input) ? [input] : [...input];
}

/** Runs `model` on every input, returning float (dequantized) outputs. @internal */
export function runModel(model: Module, inputs: readonly ModelInput[], op: string): Tensor[] {
  if (inputs.length === 0) throw new QTorchValueError(`${op}(): no inputs given; pass at least one input batch`);
  return inputs.map((input, i) => {
    const out = model.call(...argsOf(input));
    if (!isTensor(out)) {
      throw new QTorchTypeError(`${op}(): the model's output for input ${i} is not a Tensor; wrap the model so that it returns one tensor`);
    }
    return out.isQuantized ? out.dequantize() : out;
  });
}

/** Scores of quantized variants of one float model, with the float outputs computed once. @internal */
export class Evaluator {
  readonly reference: Tensor[];
  readonly metric: SensitivityMetric;
  readonly higherIsBetter: boolean;
  /** Number of quantized models built and run so far. */
  evaluations = 0;
  private readonly cache = new Map<string, number>();

  constructor(
    private readonly floatModel: Module, private readonly quantizeFn: QuantizeFn,
    private readonly inputs: readonly ModelInput[], options: EvaluationOptions, private readonly op: string,
  ) {
    if (typeof quantizeFn !== 'function') throw new QTorchTypeError(`${op}(): quantizeFn must be a function (floatModel, skip) => quantized model`);
    this.reference = runModel(floatModel, inputs, op);
    this.metric = options.metric ?? outputSqnr;
    this.higherIsBetter = options.higherIsBetter ?? true;
  }

  /** The metric with the given layers kept in float (memoized per set). */
  score(skip: readonly string[]): number {
    const key = [...skip].sort().join('\u0000');
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const model = this.quantizeFn(deepcopy(this.floatModel), new Map(skip.map((name) => [name, null])));
    const value = this.metric(this.reference, runModel(model, this.inputs, this.op));
    this.evaluations++;
    this.cache.set(key, value);
    return value;
  }

  /** Whether score `a` is strictly better than `b`. */
  better(a: number, b: number): boolean {
    return this.higherIsBetter ? a > b : a < b;
  }

  /** Whether `score` meets `budget`. */
  meets(score: number, budget: number): boolean {
    return this.higherIsBetter ? score >= budget : score <= budget;
  }
}
