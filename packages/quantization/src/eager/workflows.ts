/**
 * One-call workflows: `quantize` (static PTQ), `quantizeDynamic`, `quantizeQat`, as
 * torch.ao.quantization.quantize / quantize_dynamic / quantize_qat.
 */
import { type Module, type ModuleClass, deepcopy } from '@qtorch/nn';
import { type DType, QTorchTypeError, QTorchValueError, describeValue, float16, qint8, quint8 } from '@qtorch/qtensor';
import { checkWorkflowArgs } from './report.js';
import {
  type QConfig, defaultDynamicQconfig, float16DynamicQconfig, floatQparamsWeightOnlyQconfig,
} from '../qconfig/qconfig.js';
import { convert } from './convert.js';
import { type ModuleMapping, defaultDynamicQconfigSpec, getDefaultDynamicQuantModuleMappings, getDefaultStaticQuantModuleMappings } from './mappings.js';
import { prepare, prepareQat } from './prepare.js';
import { type QConfigDict, propagateQconfig_ } from './propagate.js';

/**
 * Post-training static quantization in one call: eval, prepare, `runFn(model, ...runArgs)` to
 * calibrate, convert.
 */
export function quantize<M extends Module, A extends unknown[]>(
  model: M, runFn: (model: M, ...args: A) => void, runArgs: A, options: { mapping?: ModuleMapping; inplace?: boolean } = {},
): M {
  checkWorkflowArgs('quantize', model, options);
  const m = options.inplace ? model : deepcopy(model);
  m.eval();
  prepare(m, { inplace: true });
  runFn(m, ...runArgs);
  convert(m, { mapping: options.mapping ?? getDefaultStaticQuantModuleMappings(), inplace: true });
  return m;
}

/** Quantization-aware training in one call: prepareQat, `runFn` (training), eval, convert. */
export function quantizeQat<M extends Module, A extends unknown[]>(
  model: M, runFn: (model: M, ...args: A) => void, runArgs: A, options: { inplace?: boolean } = {},
): M {
  checkWorkflowArgs('quantizeQat', model, options);
  const m = options.inplace ? model : deepcopy(model);
  m.train();
  prepareQat(m, { inplace: true });
  runFn(m, ...runArgs);
  m.eval();
  convert(m, { inplace: true });
  return m;
}

/** Which modules `quantizeDynamic` converts: classes, names, or a dict of qconfigs. */
export type QconfigSpec = Set<ModuleClass | string> | QConfigDict;

/** Options of `quantizeDynamic`. */
export interface QuantizeDynamicOptions {
  /** Weight dtype: qint8 (default), float16, or quint8 (embeddings). */
  dtype?: DType;
  /** float class -> dynamic quantized class (default: the dynamic quantization mapping for `dtype`). */
  mapping?: ModuleMapping;
  /** Quantize the given model in place instead of a deep copy (default false). */
  inplace?: boolean;
}

function defaultQconfigFor(dtype: DType): QConfig {
  if (dtype === qint8) return defaultDynamicQconfig;
  if (dtype === float16) return float16DynamicQconfig;
  if (dtype === quint8) return floatQparamsWeightOnlyQconfig;
  throw new QTorchValueError(`quantizeDynamic(): don't know how to quantize with default settings for ${dtype.torchName}; provide a full qconfig spec`);
}

/**
 * Dynamic quantization: weights quantized ahead of time, activations quantized on the fly
 * per call. Converts Linear / LSTM / GRU / cells (qint8, float16) or embeddings (quint8).
 * @example const q = quantizeDynamic(model, new Set([Linear]), { dtype: qint8 });
 */
export function quantizeDynamic<M extends Module>(model: M, qconfigSpec?: QconfigSpec, options: QuantizeDynamicOptions = {}): M {
  checkWorkflowArgs('quantizeDynamic', model, options);
  if (qconfigSpec !== undefined && (qconfigSpec === null || typeof qconfigSpec !== 'object')) {
    throw new QTorchTypeError(`quantizeDynamic(): expected qconfigSpec to be a Set of module classes or a qconfig dict, got ${describeValue(qconfigSpec)}`);
  }
  const dtype = options.dtype ?? qint8;
  let spec: QConfigDict;
  if (qconfigSpec === undefined) spec = defaultDynamicQconfigSpec(dtype, defaultQconfigFor(dtype));
  else if (qconfigSpec instanceof Set) {
    const q = defaultQconfigFor(dtype);
    spec = new Map([...qconfigSpec].map((k) => [k, q] as [ModuleClass | string, QConfig]));
  } else spec = qconfigSpec;
  const m = options.inplace ? model : deepcopy(model);
  m.eval();
  propagateQconfig_(m, spec);
  convert(m, { mapping: options.mapping ?? getDefaultDynamicQuantModuleMappings(), inplace: true, checkCalibration: false });
  return m;
}
