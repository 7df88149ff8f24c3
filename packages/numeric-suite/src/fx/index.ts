/**
 * @qtorch/numeric-suite/fx: torch.ao.ns._numeric_suite_fx. The graph-mode API (extractWeights,
 * addLoggers, addShadowLoggers, ...) needs `@qtorch/quantization/fx` (prepareFx / convertFx),
 * which is not available yet; the comparison utilities of torch.ao.ns.fx.utils are here now.
 */
export { computeCosineSimilarity, computeNormalizedL2Error, computeSqnr } from '../utils.js';
export type { MetricList, MetricResult, TensorOrList } from '../utils.js';
