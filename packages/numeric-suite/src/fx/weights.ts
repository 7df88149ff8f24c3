/** extractWeights of torch.ao.ns._numeric_suite_fx: the weights of matched layers of two models. */
import type { Module } from '@qtorch/nn';
import type { GraphModule } from '@qtorch/fx';
import { type Subgraph, asGraphModule, matchSubgraphPairs, moduleWeight, targetType } from './match.js';
import type { NSResults, NSSingleResult } from './ns_types.js';

/** One model's weight entry for a matched subgraph. */
function weightInfo(gm: GraphModule, s: Subgraph): NSSingleResult {
  const type = targetType(gm, s.base);
  return {
    type: 'weight',
    values: [moduleWeight(s.module)],
    prev_node_name: s.base.name,
    prev_node_target_type: type,
    ref_node_name: s.base.name,
    ref_node_target_type: type,
    index_within_arg: 0,
    index_of_arg: 0,
    fqn: s.base.target as string,
  };
}

/**
 * Extracts the weights of the matched conv / linear layers of `modelA` and `modelB` (e.g. a
 * float model and its `convertFx` result). Float models that are not GraphModules are traced.
 * As PyTorch, the result is keyed by the node names of model B:
 * `{ layer: { weight: { [modelNameA]: [info], [modelNameB]: [info] } } }`, with quantized
 * weights left quantized (the comparison functions dequantize).
 * @example
 * const r = extractWeights('fp32', model, 'int8', quantized);
 * extendLoggerResultsWithComparison(r, 'fp32', 'int8', computeSqnr, 'sqnr');
 */
export function extractWeights(modelNameA: string, modelA: Module, modelNameB: string, modelB: Module): NSResults {
  const gmA = asGraphModule(modelA), gmB = asGraphModule(modelB);
  const results: NSResults = {};
  for (const { a, b } of matchSubgraphPairs('extractWeights', gmA, gmB)) {
    results[b.base.name] = { weight: { [modelNameA]: [weightInfo(gmA, a)], [modelNameB]: [weightInfo(gmB, b)] } };
  }
  return results;
}
