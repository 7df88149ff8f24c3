/**
 * `convert` of FX graph mode quantization (torch.ao.quantization.fx.convert, PyTorch 1.13):
 * observers become quantize -> dequantize pairs, weighted modules become reference quantized
 * modules, custom and standalone modules are converted; then, unless a reference model is
 * asked for, the reference patterns are lowered to quantized modules and ops.
 */
import { DeQuantStub } from '../eager/stubs.js';
import { type Module, type ModuleClass, deepcopy, typeOf } from '@qtorch/nn';
import * as nni from '@qtorch/nn-intrinsic';
import { type Argument, GraphModule, Node } from '@qtorch/fx';
import { QTorchValueError, backends, float16 } from '@qtorch/qtensor';
import type { ObserverBase } from '../observer/base.js';
import type { QConfigAny } from '../qconfig/qconfig_mapping.js';
import type { BackendConfig } from './backend_config/backend_config.js';
import type { ConvertCustomConfig } from './custom_config.js';
import { qconfigSupportedByDtypeConfigs } from './insert_observers.js';
import { lowerToNativeBackend } from './lower.js';
import { type ModuleMap, moduleMap } from './match.js';
import { type ReferenceClass, getQparamDict } from './reference_modules.js';
import { type ObservedGraphModuleState, clearObservedState, observedState } from './state.js';
import type { NodeNameToScope } from './tracer.js';
import {
  activationIsStaticallyQuantized, attrOf, createGetattrFromValue, isActivationPostProcess, isDequantizeNode, quantTypeOf, weightIsQuantized,
} from './utils.js';

/** Arguments of `convertGraphModule`. */
export interface ConvertArgs {
  isReference: boolean;
  convertCustomConfig: ConvertCustomConfig;
  /** Converts a prepared standalone module (set by quantize_fx). */
  convertStandalone: (m: GraphModule, isReference: boolean, backendConfig: BackendConfig) => GraphModule;
}

interface Ctx {
  gm: GraphModule;
  modules: ModuleMap;
  state: ObservedGraphModuleState;
  args: ConvertArgs;
  staticCustomNodes: Set<Node>;
}

/** `x.dequantize()` right after `node`, used by all of node's other users. */
function insertDequantizeAfter(node: Node, gm: GraphModule): Node {
  const dq = gm.graph.insertingAfter(node, () => gm.graph.callMethod('dequantize', [node]));
  node.replaceAllUsesWith(dq, { deleteUserCb: (u) => u !== dq });
  return dq;
}

/**
 * Where the qparams of an observer are named after: the module of the op it follows, or
 * (with `_input`) of its first user when it only observes an input (PyTorch's
 * `get_module_path_and_prefix`).
 */
function modulePathAndPrefix(obs: Node, scopes: NodeNameToScope, qconfigs: ReadonlyMap<string, QConfigAny>): [string, string] {
  const observed = obs.args[0] as Node;
  const inputOnly = qconfigs.has(observed.name) && qconfigs.get(observed.name) === null;
  let ref: Node | undefined = observed;
  let prefix = '';
  if (inputOnly) {
    const users = [...obs.users];
    ref = users.find((u) => u.op === 'call_function' && u.target === 'F.linear') ?? users[0];
    prefix = '_input';
  }
  return [ref && scopes.has(ref.name) ? scopes.get(ref.name)![0] : '', prefix];
}

const hasNoneQconfig = (n: Argument, q: ReadonlyMap<string, QConfigAny>) => n instanceof Node && q.has(n.name) && q.get(n.name) === null;

/** Replaces an observer call by quantize -> dequantize (or removes it when nothing is quantized there). */
function replaceObserver(node: Node, ctx: Ctx): void {
  const { gm, state } = ctx;
  const graph = gm.graph;
  const obs = ctx.modules.get(node.target as string) as ObserverBase & { qscheme?: string; chAxis?: number; computeDtype?: unknown };
  const input = node.args[0] as Node;
  const skip = [...node.args, ...node.users].every((n) => hasNoneQconfig(n, state.nodeNameToQconfig));
  const dtype = obs.dtype;
  const isInt = dtype.name === 'quint8' || dtype.name === 'qint8';
  let replacement: Node | null = null;
  graph.insertingBefore(node, () => {
    if (skip) return;
    if (obs.isDynamic && (isInt || dtype === float16)) {
      const reduceRange = backends.quantized.engine === 'fbgemm';
      const q = graph.callFunction('quantized.quantizePerTensorDynamic', [input, dtype, reduceRange]);
      replacement = graph.callMethod('dequantize', [q]);
    } else if (isInt) {
      const [path, prefix] = modulePathAndPrefix(node, state.nodeNameToScope, state.nodeNameToQconfig);
      const [scale, zp] = obs.calculateQparams();
      const perChannel = (obs.qscheme ?? '').startsWith('per_channel');
      const s = createGetattrFromValue(gm, graph, `${path}${prefix}_scale_`, perChannel ? scale : scale.item());
      const z = createGetattrFromValue(gm, graph, `${path}${prefix}_zero_point_`, perChannel ? zp : zp.item(), true);
      const q = perChannel ? graph.callFunction('torch.quantizePerChannel', [input, s, z, obs.chAxis ?? 0, dtype]) : graph.callFunction('torch.quantizePerTensor', [input, s, z, dtype]);
      replacement = graph.callMethod('dequantize', [q]);
    } else if (dtype === float16) {
      replacement = graph.callMethod('dequantize', [graph.callMethod('to', [input, float16])]);
    }
  });
  node.replaceAllUsesWith(replacement ?? input);
  graph.eraseNode(node);
}

/** Replaces an observer (or DeQuantStub) call by `dequantize()`. */
function replaceWithDequantize(node: Node, gm: GraphModule): void {
  const dq = gm.graph.insertingBefore(node, () => gm.graph.callMethod('dequantize', [node.args[0]!]));
  node.replaceAllUsesWith(dq);
  gm.graph.eraseNode(node);
}

/** Classes convertWeightedModule handles: float roots, QAT and fused modules of the backend config. */
function weightedClasses(bc: BackendConfig) {
  const rootToRef = new Map<ModuleClass, ReferenceClass>();
  const qat = new Set<ModuleClass>(), fused = new Set<ModuleClass>();
  for (const c of bc.configs) {
    if (c.rootModule && c.referenceQuantizedModule) rootToRef.set(c.rootModule, c.referenceQuantizedModule as ReferenceClass);
    if (c.qatModule) qat.add(c.qatModule);
    if (c.fusedModule) fused.add(c.fusedModule);
  }
  return { rootToRef, qat, fused };
}

/** Swaps a weighted module (float, QAT or fused) for its reference quantized module. */
function convertWeightedModule(node: Node, ctx: Ctx, classes: ReturnType<typeof weightedClasses>): void {
  const target = node.target as string;
  let original = ctx.modules.get(target)!;
  const qconfig = (original as { qconfig?: QConfigAny }).qconfig ?? null;
  let weightPostProcess: Module | null = null;
  if (classes.qat.has(typeOf(original))) {
    // the QAT weight fake quant has seen the weights during training
    weightPostProcess = (original as unknown as { weight_fake_quant: Module }).weight_fake_quant;
    original = (original as unknown as { toFloat(): Module }).toFloat();
    (original as { qconfig?: QConfigAny }).qconfig = qconfig;
    ctx.gm.setSubmodule(target, original);
    ctx.modules.set(target, original);
  }
  if (!qconfig || hasNoneQconfig(node, ctx.state.nodeNameToQconfig) || !ctx.state.observedNodeNames.has(node.name)) return;
  const dtypeConfigs = ctx.state.backendConfig.configFor(typeOf(original))?.dtypeConfigs ?? [];
  if (!qconfigSupportedByDtypeConfigs(qconfig, dtypeConfigs) || !weightIsQuantized(qconfig)) return;
  const fused = original instanceof nni._FusedModule ? original : null;
  const float = fused ? fused.at(0) as Module : original;
  const wpp = weightPostProcess ?? (qconfig.weight() as Module);
  wpp.call((float as unknown as { weight: unknown }).weight as never);
  const refCls = classes.rootToRef.get(typeOf(float));
  if (!refCls) throw new QTorchValueError(`convertFx(): no reference quantized module is configured for ${typeOf(float).name}`);
  const ref = refCls.fromFloat(float, getQparamDict(wpp as unknown as ObserverBase));
  if (fused) fused.registerModule('0', ref);
  else {
    ctx.gm.setSubmodule(target, ref);
    ctx.modules.set(target, ref);
  }
}

/** Swaps an observed custom module for its quantized class (`fromObserved`), absorbing its observers. */
function convertCustomModule(node: Node, ctx: Ctx): void {
  const target = node.target as string;
  const observed = ctx.modules.get(target)!;
  const qconfig = (observed as { qconfig?: QConfigAny }).qconfig ?? null;
  if (activationIsStaticallyQuantized(qconfig)) {
    ctx.staticCustomNodes.add(node);
    const prev = node.args[0];
    if (isDequantizeNode(prev)) {
      // quantize -> custom module: the quantized module takes the quantized input
      node.replaceInputWith(prev, prev.args[0]!);
      if (prev.users.size === 0) ctx.gm.graph.eraseNode(prev);
    }
    const obsNode = [...node.users].find((u) => u.op === 'call_module' && isActivationPostProcess(ctx.modules.get(u.target as string)));
    if (!obsNode) throw new QTorchValueError(`convertFx(): the custom module '${target}' has no output observer`);
    observed.registerModule('activation_post_process', ctx.modules.get(obsNode.target as string)!);
  }
  const quantType = qconfig ? quantTypeOf(qconfig) : null;
  const cls = quantType ? ctx.args.convertCustomConfig.observedToQuantizedMapping.get(quantType)?.get(typeOf(observed)) : undefined;
  if (!cls) throw new QTorchValueError(`convertFx(): observed custom module '${target}' (${typeOf(observed).name}) has no quantized class for quant type '${String(quantType)}' in observedToQuantizedCustomModuleClass`);
  const quantized = cls.fromObserved(observed);
  ctx.gm.setSubmodule(target, quantized);
  ctx.modules.set(target, quantized);
}

/** Converts a prepared standalone module, passing quantized values in and out as configured. */
function convertStandaloneModule(node: Node, ctx: Ctx): void {
  const target = node.target as string;
  const sm = ctx.modules.get(target) as GraphModule;
  const io = observedState(sm)!.standalone!;
  node.args.forEach((arg, i) => {
    if (io.inputQuantizedIdxs.includes(i) && isDequantizeNode(arg)) {
      node.replaceInputWith(arg, arg.args[0]!);
      if (arg.users.size === 0) ctx.gm.graph.eraseNode(arg);
    }
  });
  if (io.outputQuantizedIdxs.length > 0) insertDequantizeAfter(node, ctx.gm);
  const converted = ctx.args.convertStandalone(sm, ctx.args.isReference, ctx.state.backendConfig);
  ctx.gm.setSubmodule(target, converted);
  ctx.modules.set(target, converted);
}

/** Functional ops whose second argument is a weight. */
const WEIGHTED_FUNCTIONALS = new Set(['F.linear', 'F.conv1d', 'F.conv2d', 'F.conv3d']);

/**
 * Runs the weight observers of functional ops on their weights (PyTorch's
 * `run_weight_observers`): dynamic and weight-only models are converted without calibration.
 */
function runWeightObservers(gm: GraphModule, modules: ModuleMap): void {
  for (const node of gm.graph.nodes) {
    if (node.op !== 'call_module' || !isActivationPostProcess(modules.get(node.target as string))) continue;
    const src = node.args[0];
    const isWeight = [...node.users].some((u) => u.op === 'call_function' && WEIGHTED_FUNCTIONALS.has(u.target as string) && u.args[1] === node);
    if (isWeight && src instanceof Node && src.op === 'get_attr') {
      modules.get(node.target as string)!.call(attrOf(gm, src.target as string) as never);
    }
  }
}

/** Removes the dequantize feeding a graph output left quantized (outputQuantizedIndexes). */
function keepOutputQuantized(output: Node, idxs: number[], gm: GraphModule): void {
  const strip = (a: Argument): Argument => {
    if (isDequantizeNode(a)) return a.args[0];
    if (Array.isArray(a)) return a.map(strip);
    return a;
  };
  const out = output.args[0];
  if (Array.isArray(out)) output.args = [out.map((a: Argument, i: number) => (idxs.includes(i) ? strip(a) : a))];
  else if (idxs.includes(0)) output.args = [strip(out)];
  gm.graph.eliminateDeadCode();
}

/**
 * Converts a prepared GraphModule. Returns a new GraphModule holding only the attributes its
 * graph uses, plus `preservedAttributes`.
 */
export function convertGraphModule(model: GraphModule, args: ConvertArgs): GraphModule {
  const state = observedState(model);
  if (!state) throw new QTorchValueError('convertFx(): the model was not prepared by prepareFx / prepareQatFx (it has no observers to convert)');
  const gm = deepcopy(model);
  const ctx: Ctx = { gm, modules: moduleMap(gm), state, args, staticCustomNodes: new Set() };
  runWeightObservers(gm, ctx.modules);
  const classes = weightedClasses(state.backendConfig);
  const custom = new Set([...args.convertCustomConfig.observedToQuantizedMapping.values()].flatMap((m) => [...m.keys()]));
  const { inputQuantizedIndexes, outputQuantizedIndexes } = state.prepareCustomConfig;
  let placeholders = 0;
  for (const node of gm.graph.nodes) {
    if (node.op === 'placeholder') {
      if (inputQuantizedIndexes.includes(placeholders++)) insertDequantizeAfter(node, gm);
    } else if (node.op === 'output') {
      if (outputQuantizedIndexes.length > 0) keepOutputQuantized(node, outputQuantizedIndexes, gm);
    } else if (node.op === 'call_module') {
      const mod = ctx.modules.get(node.target as string)!;
      const cls = typeOf(mod);
      if (isActivationPostProcess(mod)) {
        if (ctx.staticCustomNodes.has(node.args[0] as Node)) replaceWithDequantize(node, gm);
        else replaceObserver(node, ctx);
      } else if (mod instanceof DeQuantStub) {
        replaceWithDequantize(node, gm);
      } else if (observedState(mod)?.standalone) {
        convertStandaloneModule(node, ctx);
      } else if (classes.rootToRef.has(cls) || classes.qat.has(cls) || classes.fused.has(cls)) {
        // fused modules convert when their first module is a weighted root (not BNReLU2d)
        if (classes.fused.has(cls) && !classes.rootToRef.has(typeOf((mod as nni._FusedModule).at(0) as Module))) continue;
        convertWeightedModule(node, ctx, classes);
      } else if (custom.has(cls)) {
        convertCustomModule(node, ctx);
      }
    }
  }
  gm.graph.eliminateDeadCode();
  if (!args.isReference) lowerToNativeBackend(gm, state);
  for (const m of gm.modules()) delete (m as { qconfig?: unknown }).qconfig;
  clearObservedState(gm);
  gm.graph.lint();
  return rebuildGraphModule(gm, args.convertCustomConfig.preservedAttributes);
}

/**
 * A new GraphModule over `gm`'s graph holding only the attributes the graph uses (dropping
 * replaced modules and unused qparams), plus `preserved` attributes.
 */
export function rebuildGraphModule(gm: GraphModule, preserved: readonly string[]): GraphModule {
  const out = new GraphModule(gm, gm.graph, { className: gm.className });
  for (const name of preserved) {
    if (name in gm) (out as unknown as Record<string, unknown>)[name] = (gm as unknown as Record<string, unknown>)[name];
  }
  return out;
}


