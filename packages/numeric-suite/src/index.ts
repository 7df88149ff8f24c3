/**
 * @qtorch/numeric-suite: finding where a quantized model loses accuracy (torch.ao.ns).
 *
 * The eager API of PyTorch's `torch.ao.ns._numeric_suite` (compareWeights,
 * compareModelOutputs, compareModelStub and their building blocks), the error metrics, a
 * terminal / HTML report and per-layer sensitivity analysis. The FX API is at
 * `@qtorch/numeric-suite/fx`.
 *
 * @example
 * ```ts
 * import { compareWeights, computeSqnr, formatReportTable } from '@qtorch/numeric-suite';
 * const weights = compareWeights(floatModel.stateDict(), qModel.stateDict());
 * for (const [key, w] of Object.entries(weights)) console.log(key, computeSqnr(w.float, w.quantized));
 * console.log(formatReportTable({ weights, model: qModel }));
 * ```
 */
export * from './utils.js';
export * from './loggers.js';
export * from './shadow.js';
export * from './logger_dict.js';
export * from './compare_weights.js';
export * from './stubs.js';
export * from './report/summary.js';
export * from './report/table.js';
export * from './report/svg.js';
export * from './report/html.js';
export * from './outputs.js';
export * from './sensitivity/evaluate.js';
export * from './sensitivity/layers.js';
export * from './sensitivity/sensitivity.js';
export * from './sensitivity/skip_list.js';
export * from './sensitivity/eager_quantize.js';
