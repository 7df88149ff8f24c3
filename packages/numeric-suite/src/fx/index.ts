/**
 * @qtorch/numeric-suite/fx: torch.ao.ns._numeric_suite_fx, the graph-mode numeric suite for
 * models quantized with `@qtorch/quantization/fx` (prepareFx / convertFx), and the comparison
 * utilities of torch.ao.ns.fx.utils.
 */
export { computeCosineSimilarity, computeNormalizedL2Error, computeSqnr } from '../utils.js';
export type { MetricList, MetricResult, TensorOrList } from '../utils.js';
export type { NSResults, NSSingleResult, NSResultType } from './ns_types.js';
export { extractWeights } from './weights.js';
export { extendLoggerResultsWithComparison, type ComparisonFn } from './compare.js';
export { OutputLogger, addLoggers, extractLoggerInfo, type LoggerInfo, type LoggerClassOrName } from './loggers.js';
export { addShadowLoggers, extractShadowLoggerInfo } from './shadow.js';
