/**
 * Output comparison (torch.ao.ns._numeric_suite.prepare_model_outputs /
 * compare_model_outputs / get_matching_activations): loggers attached, like observers, to the
 * matching modules of a float model and of the model quantized from it, so that both record
 * their outputs on the same input.
 */
import { LSTM, Linear, type Module, type ModuleClass, Sequential } from '@qtorch/nn';
import {
  QConfig, getDefaultDynamicQuantModuleMappings, getDefaultQatModuleMappings, getDefaultStaticQuantModuleMappings, prepare,
} from '@qtorch/quantization';
import { QTorchValueError, type Tensor } from '@qtorch/qtensor';
import { findMatch } from './compare_weights.js';
import { getLoggerDict } from './logger_dict.js';
import { type LoggerClass, OutputLogger } from './loggers.js';

/**
 * Module classes observed as a whole although they have children (a quantized Linear holds
 * its packed parameters as a child module), as PyTorch's NON_LEAF_MODULE_TO_ADD_OBSERVER_ALLOW_LIST.
 */
export function nonLeafModuleToAddObserverAllowList(): Set<ModuleClass> {
  // nnqd.Linear, nnq.Linear, nnqd.LSTM, nn.LSTM, read from the mappings
  const dynamic = getDefaultDynamicQuantModuleMappings(), stat = getDefaultStaticQuantModuleMappings();
  return new Set<ModuleClass>([dynamic.get(Linear), stat.get(Linear), dynamic.get(LSTM), LSTM].filter((c): c is ModuleClass => c !== undefined));
}

/**
 * The module classes whose outputs `compareModelOutputs` logs by default: every class of the
 * static, QAT and dynamic mappings (float and quantized side) and Sequential
 * (torch.ao.quantization.quantization_mappings.get_default_compare_output_module_list).
 */
export function getDefaultCompareOutputModuleList(): Set<ModuleClass> {
  const out = new Set<ModuleClass>([Sequential]);
  for (const mapping of [getDefaultStaticQuantModuleMappings(), getDefaultQatModuleMappings(), getDefaultDynamicQuantModuleMappings()]) {
    for (const [k, v] of mapping) {
      out.add(k);
      out.add(v);
    }
  }
  return out;
}

/** A float and a quantized activation list at matching places of two models. */
export interface ActivationPair {
  /** The float model's outputs, one per call. */
  float: Tensor[];
  /** The quantized model's outputs, one per call. */
  quantized: Tensor[];
}

/**
 * Pairs the logged outputs of `qModule` with those of `floatModule` by module path:
 * `{ 'conv1.stats': { float: [...], quantized: [...] } }`. Loggers that saw nothing are left out.
 */
export function getMatchingActivations(floatModule: Module, qModule: Module): Record<string, ActivationPair> {
  const floatDict = getLoggerDict(floatModule);
  const quantizedDict = getLoggerDict(qModule);
  // PyTorch searches the float keys in reverse sorted order
  const floatKeys = Object.keys(floatDict).sort().reverse();
  const out: Record<string, ActivationPair> = {};
  for (const [key, stats] of Object.entries(quantizedDict)) {
    if (!stats.tensor_val || stats.tensor_val.length === 0) continue;
    const match = findMatch(floatKeys, key, 'stats');
    if (match !== undefined) out[key] = { float: floatDict[match]!.tensor_val ?? [], quantized: stats.tensor_val };
  }
  return out;
}

/** Options of `prepareModelOutputs` / `compareModelOutputs`. */
export interface PrepareModelOutputsOptions {
  /** Logger attached to each module (default `OutputLogger`). */
  loggerCls?: LoggerClass;
  /** Module classes to log (default `getDefaultCompareOutputModuleList()`). */
  allowList?: Set<ModuleClass>;
}

/** A qconfig whose "observer" is the logger; the weight side is never built by prepare. */
function loggerQconfig(loggerCls: LoggerClass): QConfig {
  return new QConfig(() => new loggerCls(), () => {
    throw new QTorchValueError('prepareModelOutputs(): the logging qconfig has no weight observer (it only logs activations)');
  });
}

/**
 * Attaches a logger, in place, to every module of `floatModule` and of `qModule` whose class is
 * in the allow list (through `prepare`, with the logger as the activation observer).
 * @example
 * prepareModelOutputs(floatModel, qModel);
 * floatModel.call(x); qModel.call(x);
 * const acts = getMatchingActivations(floatModel, qModel);
 */
export function prepareModelOutputs(floatModule: Module, qModule: Module, options: PrepareModelOutputsOptions = {}): void {
  const allowList = options.allowList ?? getDefaultCompareOutputModuleList();
  const qconfig = loggerQconfig(options.loggerCls ?? OutputLogger);
  (floatModule as { qconfig?: QConfig }).qconfig = qconfig;
  prepare(floatModule, { inplace: true, allowList });
  (qModule as { qconfig?: QConfig }).qconfig = qconfig;
  prepare(qModule, { inplace: true, allowList, observerNonLeafModuleList: nonLeafModuleToAddObserverAllowList() });
}

/**
 * Runs the float and the quantized model on `data` (the argument list of one call) with loggers
 * on matching modules and returns their outputs side by side:
 * `{ 'conv1.stats': { float: [Tensor], quantized: [QTensor] }, ... }`. Modifies both models in
 * place, as PyTorch does (pass `deepcopy`s to keep the originals).
 * @example
 * const acts = compareModelOutputs(deepcopy(floatModel), deepcopy(qModel), [x]);
 * for (const [k, v] of Object.entries(acts)) console.log(k, computeSqnr(v.float[0], v.quantized[0]));
 */
export function compareModelOutputs(
  floatModel: Module, qModel: Module, data: readonly unknown[], options: PrepareModelOutputsOptions = {},
): Record<string, ActivationPair> {
  prepareModelOutputs(floatModel, qModel, options);
  floatModel.call(...data);
  qModel.call(...data);
  return getMatchingActivations(floatModel, qModel);
}
