/**
 * `prepare` of FX graph mode quantization (torch.ao.quantization.fx.prepare, PyTorch 1.13)
 * on a traced and fused GraphModule: qconfig resolution, QAT module swaps, pattern matching,
 * standalone module preparation and observer insertion. The result records its state for
 * convert.
 */
import { type Module, type ModuleClass, typeOf } from '@qtorch/nn';
import type { GraphModule, Node } from '@qtorch/fx';
import { QTorchValueError } from '@qtorch/qtensor';
import { swapModule } from '../eager/convert.js';
import type { ModuleMapping } from '../eager/mappings.js';
import { type QConfigAny, QConfigMapping } from '../qconfig/qconfig_mapping.js';
import type { BackendConfig } from './backend_config/backend_config.js';
import { PrepareCustomConfig } from './custom_config.js';
import { type InsertContext, type StandaloneIo, insertObserversForModel } from './insert_observers.js';
import { type MatchResultWithQconfig, type ModuleMap, findMatches, moduleMap, sortedPatternConfigs } from './match.js';
import { generateNodeNameToQconfig, propagateQconfigAttributes, updateQconfigForFusion, updateQconfigForQat } from './qconfig_utils.js';
import { ObservedGraphModuleState, observedState, setObservedState } from './state.js';
import type { NodeNameToScope } from './tracer.js';
import { isFusedModule } from '@qtorch/nn-intrinsic';
import { parentName } from './utils.js';

/** Prepares a standalone module (set by quantize_fx, which owns tracing). */
export type StandalonePrepareFn = (m: Module, mapping: QConfigMapping, isQat: boolean, exampleInputs: readonly unknown[], pcc: PrepareCustomConfig, backendConfig: BackendConfig) => GraphModule;

/** Arguments of `prepareGraphModule`. */
export interface PrepareArgs {
  gm: GraphModule;
  qconfigMapping: QConfigMapping;
  isQat: boolean;
  nodeNameToScope: NodeNameToScope;
  prepareCustomConfig: PrepareCustomConfig;
  backendConfig: BackendConfig;
  isStandaloneModule: boolean;
  prepareStandalone: StandalonePrepareFn;
}

/** float (or fused) class -> QAT class, from the backend config (PyTorch's `get_module_to_qat_module`). */
function moduleToQatModule(backendConfig: BackendConfig): ModuleMapping {
  const out: ModuleMapping = new Map();
  for (const c of backendConfig.configs) {
    if (c.qatModule && typeof c.pattern === 'function') out.set(c.pattern as ModuleClass, c.qatModule);
  }
  return out;
}

/** Swaps modules with a qconfig to their QAT classes, fused modules as a whole (PyTorch's `qat_swap_modules`). */
function swapQatModules(module: Module, mapping: ModuleMapping): void {
  for (const [name, child] of module.namedChildren()) {
    if (!isFusedModule(child)) swapQatModules(child, mapping);
    const swapped = swapModule(child, mapping);
    if (swapped !== child) module.registerModule(name, swapped);
  }
}

/** The configuration a standalone module is prepared with (PyTorch's `get_standalone_module_configs`). */
function standaloneConfigs(node: Node, modules: ModuleMap, pcc: PrepareCustomConfig, qconfig: QConfigAny, backendConfig: BackendConfig) {
  const m = modules.get(node.target as string)!;
  const entry = pcc.standaloneModuleNames.get(node.target as string) ?? pcc.standaloneModuleClasses.get(typeOf(m));
  return {
    mapping: entry?.qconfigMapping ?? new QConfigMapping().setGlobal(qconfig),
    exampleInputs: entry?.exampleInputs ?? [],
    prepareCustomConfig: entry?.prepareCustomConfig ?? new PrepareCustomConfig(),
    backendConfig: entry?.backendConfig ?? backendConfig,
  };
}

/** Prepares each matched standalone module and records its quantized input / output indexes. */
function prepareStandaloneModules(args: PrepareArgs, modules: ModuleMap, matches: Map<string, MatchResultWithQconfig>): Map<string, StandaloneIo> {
  const io = new Map<string, StandaloneIo>();
  for (const [name, m] of matches) {
    if (!m.handler.isStandaloneModule() || name !== m.lastNode.name) continue;
    const node = m.lastNode;
    const target = node.target as string;
    let observed = modules.get(target)!;
    const existing = observedState(observed);
    if (!existing) {
      const c = standaloneConfigs(node, modules, args.prepareCustomConfig, m.qconfig, args.backendConfig);
      observed = args.prepareStandalone(observed, c.mapping, args.isQat, c.exampleInputs, c.prepareCustomConfig, c.backendConfig);
      const [parent, leaf] = parentName(target);
      modules.get(parent)!.registerModule(leaf, observed);
      modules.set(target, observed);
    }
    io.set(name, observedState(observed)!.standalone!);
  }
  return io;
}

/**
 * Inserts observers into `args.gm` (already traced and fused) and records the prepare state
 * on it. Mutates and returns `args.gm`.
 */
export function prepareGraphModule(args: PrepareArgs): GraphModule {
  const { gm, isQat, prepareCustomConfig: pcc, backendConfig } = args;
  if (observedState(gm)) throw new QTorchValueError('prepareFx(): the model is already prepared (it has observers); prepare the float model');
  const mapping = args.qconfigMapping.clone();
  updateQconfigForFusion(gm, mapping);
  propagateQconfigAttributes(gm, mapping, { names: pcc.nonTraceableModuleNames, classes: pcc.nonTraceableModuleClasses });
  if (isQat) {
    swapQatModules(gm, moduleToQatModule(backendConfig));
    updateQconfigForQat(mapping);
  }
  const modules = moduleMap(gm);
  const nodeQconfig = generateNodeNameToQconfig(modules, gm.graph, mapping, args.nodeNameToScope);
  const found = findMatches(gm.graph, modules, sortedPatternConfigs(backendConfig.configs), {
    standaloneModuleNames: new Set(pcc.standaloneModuleNames.keys()),
    standaloneModuleClasses: new Set(pcc.standaloneModuleClasses.keys()),
    customModuleClasses: pcc.customModuleClasses(),
    isObservedStandalone: (m) => observedState(m)?.standalone != null,
  });
  const matches = new Map<string, MatchResultWithQconfig>();
  for (const [name, m] of found) matches.set(name, { ...m, qconfig: nodeQconfig.get(name) ?? null });
  const standaloneIo = prepareStandaloneModules(args, modules, matches);
  const ctx: InsertContext = {
    gm, modules, matches, nodeQconfig, prepareCustomConfig: pcc, backendConfig, isQat, standaloneIo, observedNodeNames: new Set(),
  };
  insertObserversForModel(ctx);
  gm.graph.lint();
  gm.recompile();
  const standalone = args.isStandaloneModule ? { inputQuantizedIdxs: [...pcc.inputQuantizedIndexes], outputQuantizedIdxs: [...pcc.outputQuantizedIndexes] } : null;
  setObservedState(gm, new ObservedGraphModuleState(nodeQconfig, args.nodeNameToScope, pcc, mapping, isQat, ctx.observedNodeNames, backendConfig, standalone));
  return gm;
}
