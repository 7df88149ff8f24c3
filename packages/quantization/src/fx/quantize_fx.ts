/**
 * The FX graph mode quantization API (torch.ao.quantization.quantize_fx, PyTorch 1.13):
 * `fuseFx`, `prepareFx`, `prepareQatFx`, `convertFx`, `convertToReferenceFx`. Unlike
 * PyTorch, the input model is never modified (it is deep-copied first).
 */
import { type Module, deepcopy, moduleName, typeOf } from '@qtorch/nn';
import { GraphModule, type Graph, type Node } from '@qtorch/fx';
import { QTorchTypeError, QTorchValueError } from '@qtorch/qtensor';
import { type QConfigDictLike, type QConfigMapping, toQconfigMapping } from '../qconfig/qconfig_mapping.js';
import { type BackendConfig, checkBackendConfig } from './backend_config/backend_config.js';
import { getNativeBackendConfig } from './backend_config/native.js';
import { convertGraphModule, rebuildGraphModule } from './convert.js';
import {
  type ConvertCustomConfig, type ConvertCustomConfigDict, type FuseCustomConfig, type FuseCustomConfigDict, type PrepareCustomConfig,
  type PrepareCustomConfigDict, toConvertCustomConfig, toFuseCustomConfig, toPrepareCustomConfig,
} from './custom_config.js';
import { fuseGraph } from './fuse.js';
import { prepareGraphModule } from './prepare.js';
import { registerQuantizationModules } from './registration.js';
import { observedState } from './state.js';
import { type NodeNameToScope, QuantizationTracer } from './tracer.js';

/** Options of `fuseFx`. */
export interface FuseFxOptions {
  /** Custom configuration (preserved attributes). */
  fuseCustomConfig?: FuseCustomConfig | FuseCustomConfigDict;
  /** The backend's fusion patterns (default: the native backend config). */
  backendConfig?: BackendConfig;
}

/** Options of `prepareFx` / `prepareQatFx`. */
export interface PrepareFxOptions {
  /** Example inputs of `forward` (PyTorch requires them; they are not needed to trace here). */
  exampleInputs?: readonly unknown[];
  /** Custom configuration (standalone modules, non-traceable modules, custom module classes, ...). */
  prepareCustomConfig?: PrepareCustomConfig | PrepareCustomConfigDict;
  /** PyTorch's older name of `prepareCustomConfig`. */
  prepareCustomConfigDict?: PrepareCustomConfig | PrepareCustomConfigDict;
  /** The backend's patterns and dtypes (default: the native backend config). */
  backendConfig?: BackendConfig;
}

/** Options of `convertFx`. */
export interface ConvertFxOptions {
  /** Custom configuration (observed -> quantized custom classes, preserved attributes). */
  convertCustomConfig?: ConvertCustomConfig | ConvertCustomConfigDict;
  /** PyTorch's older name of `convertCustomConfig`. */
  convertCustomConfigDict?: ConvertCustomConfig | ConvertCustomConfigDict;
  /** Produce a reference quantized model (dequantize -> float op -> quantize) instead of lowering. */
  isReference?: boolean;
}

function checkModule(model: unknown, op: string): asserts model is Module {
  if (!model || typeof (model as Module).forward !== 'function' || typeof (model as Module).namedModules !== 'function') {
    throw new QTorchTypeError(`${op}(): expected a Module, got ${model === null ? 'null' : typeof model}`);
  }
}

/** Copies `names` from `src` onto `dst` (attributes forward does not use, kept by request). */
function copyPreserved(src: Module, dst: Module, names: readonly string[], op: string): void {
  for (const name of names) {
    if (!(name in src)) throw new QTorchValueError(`${op}(): preserved attribute '${name}' does not exist on ${moduleName(src)}`);
    (dst as unknown as Record<string, unknown>)[name] = (src as unknown as Record<string, unknown>)[name];
  }
}

/**
 * Scopes of an existing graph (a GraphModule passed in again): call_module nodes run in their
 * own module, everything else at the top (the original scopes are not recorded in the graph).
 */
function scopesOfGraph(gm: GraphModule, graph: Graph): NodeNameToScope {
  const scopes: NodeNameToScope = new Map();
  for (const n of graph.nodes as Node[]) {
    scopes.set(n.name, n.op === 'call_module' ? [n.target as string, typeOf(gm.getSubmodule(n.target as string))] : ['', null]);
  }
  return scopes;
}

/** Traces a deep copy of `model` with the quantization tracer. */
function trace(model: Module, skipped: { names: string[]; classes: Array<abstract new (...a: never[]) => Module> }, preserved: readonly string[], op: string): { gm: GraphModule; scopes: NodeNameToScope } {
  const copy = deepcopy(model);
  let gm: GraphModule;
  let scopes: NodeNameToScope;
  if (copy instanceof GraphModule) {
    // already a graph (e.g. fuseFx's result): reuse it rather than tracing generated code
    gm = copy;
    scopes = scopesOfGraph(gm, gm.graph);
  } else {
    const tracer = new QuantizationTracer({ skippedModuleNames: skipped.names, skippedModuleClasses: skipped.classes as never });
    const graph = tracer.trace(copy);
    gm = new GraphModule(tracer.root, graph, { className: moduleName(copy), constants: tracer.tensorConstants });
    scopes = tracer.nodeNameToScope;
  }
  copyPreserved(copy, gm, preserved, op);
  return { gm, scopes };
}

/**
 * Fuses the modules of a model by the backend's fusion patterns (conv-bn-relu, linear-relu,
 * ...), functional relu after a module included. BatchNorm is folded, so the model must be in
 * eval mode.
 * @example const fused = fuseFx(model.eval());
 */
export function fuseFx(model: Module, options: FuseFxOptions = {}): GraphModule {
  checkModule(model, 'fuseFx');
  registerQuantizationModules();
  const config = toFuseCustomConfig(options.fuseCustomConfig);
  const backendConfig = options.backendConfig ? checkBackendConfig(options.backendConfig, 'fuseFx') : getNativeBackendConfig();
  const { gm } = trace(model, { names: [], classes: [] }, config.preservedAttributes, 'fuseFx');
  fuseGraph(gm, false, backendConfig);
  const out = rebuildGraphModule(gm, config.preservedAttributes);
  return out;
}

function prepareImpl(model: Module, qconfigMapping: QConfigMapping | QConfigDictLike, isQat: boolean, options: PrepareFxOptions, isStandalone: boolean, op: string): GraphModule {
  checkModule(model, op);
  registerQuantizationModules();
  if (observedState(model)) throw new QTorchValueError(`${op}(): the model is already prepared; pass the float model`);
  const mapping = toQconfigMapping(qconfigMapping, op);
  const pcc = toPrepareCustomConfig(options.prepareCustomConfig ?? options.prepareCustomConfigDict);
  const backendConfig = options.backendConfig ? checkBackendConfig(options.backendConfig, op) : getNativeBackendConfig();
  const skipped = {
    names: [...pcc.nonTraceableModuleNames, ...pcc.standaloneModuleNames.keys()],
    classes: [...pcc.nonTraceableModuleClasses, ...pcc.standaloneModuleClasses.keys(), ...pcc.customModuleClasses()],
  };
  const traced = trace(model, skipped, pcc.preservedAttributes, op);
  fuseGraph(traced.gm, isQat, backendConfig);
  const gm = rebuildGraphModule(traced.gm, pcc.preservedAttributes);
  return prepareGraphModule({
    gm, qconfigMapping: mapping, isQat, nodeNameToScope: traced.scopes, prepareCustomConfig: pcc, backendConfig, isStandaloneModule: isStandalone,
    prepareStandalone: (m, smMapping, smQat, exampleInputs, smPcc, smBackend) =>
      prepareImpl(m, smMapping, smQat, { exampleInputs, prepareCustomConfig: smPcc, backendConfig: smBackend }, true, op),
  });
}

/**
 * Prepares a model (eval mode) for post-training quantization: traces it, fuses it, and
 * inserts observers where the qconfigs say. Run calibration data through the result, then
 * `convertFx` it.
 * @example
 * ```ts
 * const prepared = prepareFx(model.eval(), { '': getDefaultQconfig('qnnpack') }, { exampleInputs: [x] });
 * for (const batch of calibration) prepared.call(batch);
 * const quantized = convertFx(prepared);
 * ```
 */
export function prepareFx(model: Module, qconfigMapping: QConfigMapping | QConfigDictLike, options: PrepareFxOptions = {}): GraphModule {
  return prepareImpl(model, qconfigMapping, false, options, false, 'prepareFx');
}

/**
 * Prepares a model (training mode) for quantization-aware training: fusion for QAT, QAT
 * module swaps and fake quantizers. Train the result, then `convertFx` it.
 */
export function prepareQatFx(model: Module, qconfigMapping: QConfigMapping | QConfigDictLike, options: PrepareFxOptions = {}): GraphModule {
  checkModule(model, 'prepareQatFx');
  if (!model.training) throw new QTorchValueError('prepareQatFx(): the model must be in training mode for quantization-aware training; call model.train() first');
  return prepareImpl(model, qconfigMapping, true, options, false, 'prepareQatFx');
}

function convertImpl(model: GraphModule, isReference: boolean, options: ConvertFxOptions, op: string): GraphModule {
  checkModule(model, op);
  registerQuantizationModules();
  if (!(model instanceof GraphModule) || !observedState(model)) {
    throw new QTorchValueError(`${op}(): expected a model prepared by prepareFx / prepareQatFx, got ${moduleName(model)}`);
  }
  return convertGraphModule(model, {
    isReference,
    convertCustomConfig: toConvertCustomConfig(options.convertCustomConfig ?? options.convertCustomConfigDict),
    convertStandalone: (sm, ref) => convertImpl(sm, ref, {}, op),
  });
}

/**
 * Converts a prepared, calibrated (or QAT-trained) model to a quantized one: quantized
 * modules and ops, with quantize / dequantize where values change between float and
 * quantized. With `isReference: true`, a reference model instead.
 * @example const quantized = convertFx(prepared);
 */
export function convertFx(model: GraphModule, options: ConvertFxOptions = {}): GraphModule {
  return convertImpl(model, options.isReference ?? false, options, 'convertFx');
}

/**
 * Converts to a reference quantized model: dequantize -> float op (with quantized-dequantized
 * weights) -> quantize around every quantized op (PyTorch's `convert_to_reference_fx`).
 */
export function convertToReferenceFx(model: GraphModule, options: Omit<ConvertFxOptions, 'isReference'> = {}): GraphModule {
  return convertImpl(model, true, options, 'convertToReferenceFx');
}
