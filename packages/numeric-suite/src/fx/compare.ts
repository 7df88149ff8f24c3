/** extend_logger_results_with_comparison of torch.ao.ns._numeric_suite_fx. */
import { QTorchValueError, type Tensor } from '@qtorch/qtensor';
import type { NSResults } from './ns_types.js';

/** A comparison of a model-A value with the corresponding model-B value (e.g. `computeSqnr`). */
export type ComparisonFn = (x: Tensor, y: Tensor) => unknown;

/**
 * Adds `comparisonName` to every model-B result: the list of `comparisonFn(valueA, valueB)`
 * over the values of the model-A result with the same argument indices. Mutates `results`.
 */
export function extendLoggerResultsWithComparison(
  results: NSResults, modelName1: string, modelName2: string, comparisonFn: ComparisonFn, comparisonName: string,
): void {
  const op = 'extendLoggerResultsWithComparison';
  for (const [layer, byType] of Object.entries(results)) {
    for (const [type, byModel] of Object.entries(byType)) {
      const results1 = byModel[modelName1], results2 = byModel[modelName2];
      if (!results1 || !results2) {
        throw new QTorchValueError(`${op}(): layer '${layer}' (${type}) has models [${Object.keys(byModel).join(', ')}], expected '${modelName1}' and '${modelName2}'`);
      }
      for (const r2 of results2) {
        const r1 = results1.find((r) => r.index_within_arg === r2.index_within_arg && r.index_of_arg === r2.index_of_arg);
        if (!r1) throw new QTorchValueError(`${op}(): layer '${layer}' has no '${modelName1}' result for arg ${r2.index_of_arg}[${r2.index_within_arg}]`);
        const n = Math.min(r1.values.length, r2.values.length);
        r2[comparisonName] = Array.from({ length: n }, (_, i) => comparisonFn(r1.values[i]!, r2.values[i]!));
      }
    }
  }
}
