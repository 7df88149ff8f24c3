/**
 * Observer insertion (the core of torch.ao.quantization.fx.prepare, PyTorch 1.13): every node
 * gets a target dtype for its inputs and output from its match and qconfig; an observer goes
 * wherever a value's dtype changes to a quantized one, and after the last node of every
 * statically quantized pattern. Ops that keep their input's qparams (cat, pooling, shape ops)
 * share their input's observer instance.
 */
import { type Module, typeOf } from '@qtorch/nn';
import { type Argument, type GraphModule, Node } from '@qtorch/fx';
import { type DType, QTorchValueError, float16, float32, quint8 } from '@qtorch/qtensor';
import { type QConfigAny, canonicalOpName } from '../qconfig/qconfig_mapping.js';
import { type BackendConfig, type BackendPatternConfig, type DTypeConfig, type PatternKey, patternEquals } from './backend_config/backend_config.js';
import type { PrepareCustomConfig } from './custom_config.js';
import { type MatchResultWithQconfig, type ModuleMap, type NodePattern, argHasNoTensors, defaultRootNode, nodesOf, opKeyOf } from './match.js';
import {
  activationIsStaticallyQuantized, isActivationPostProcess, isReuseInputQconfig, newAttrName, parentName, qconfigDtypes, quantTypeOf,
} from './utils.js';

/** The dtypes a node's inputs and output will have after convert (null: not a tensor). */
export interface TargetDtypeInfo {
  inputActivation: DType | null;
  outputActivation: DType | null;
  weight?: DType | null;
  bias?: DType | null;
  inputActivationIsDynamic?: boolean;
}

const FP32: TargetDtypeInfo = { inputActivation: float32, outputActivation: float32 };
const NOT_TENSOR: TargetDtypeInfo = { inputActivation: null, outputActivation: null };

/** Ops whose weight input stays float (the norms' affine parameters). */
const NON_QUANTIZABLE_WEIGHT_OPS = new Set(['F.layerNorm', 'F.groupNorm', 'F.instanceNorm']);

/** How a standalone module's inputs and outputs are quantized. */
export interface StandaloneIo {
  inputQuantizedIdxs: number[];
  outputQuantizedIdxs: number[];
}

/** Everything observer insertion reads. */
export interface InsertContext {
  gm: GraphModule;
  modules: ModuleMap;
  matches: Map<string, MatchResultWithQconfig>;
  nodeQconfig: ReadonlyMap<string, QConfigAny>;
  prepareCustomConfig: PrepareCustomConfig;
  backendConfig: BackendConfig;
  isQat: boolean;
  /** Standalone module node name -> its quantized input / output indexes. */
  standaloneIo: ReadonlyMap<string, StandaloneIo>;
  /** Filled with the names of the nodes of observed patterns. */
  observedNodeNames: Set<string>;
}

/** The single-op pattern config of a node's op (weights / bias positions of functionals). */
function opConfig(node: Node, ctx: InsertContext): BackendPatternConfig | undefined {
  const key = opKeyOf(node, ctx.modules);
  if (key === null) return undefined;
  return ctx.backendConfig.configs.find((c) => !Array.isArray(c.pattern) && patternEquals(c.pattern, key as PatternKey));
}

function argAt(node: Node, where: number | string | undefined): Argument {
  if (where === undefined) return undefined;
  return typeof where === 'number' ? node.args[where] : node.kwargs[where];
}

/** Whether `arg` is the weight of functional `node` (F.linear's second argument, ...). */
export function nodeArgIsWeight(node: Node, arg: Argument, ctx: InsertContext): boolean {
  if (node.op !== 'call_function' || !(arg instanceof Node)) return false;
  const where = opConfig(node, ctx)?._inputTypeToIndex.weight;
  return argAt(node, where) === arg || node.kwargs.weight === arg;
}

/** Whether `arg` is the bias of functional `node`. */
export function nodeArgIsBias(node: Node, arg: Argument, ctx: InsertContext): boolean {
  if (node.op !== 'call_function' || !(arg instanceof Node)) return false;
  const where = opConfig(node, ctx)?._inputTypeToIndex.bias;
  return argAt(node, where) === arg || node.kwargs.bias === arg;
}

/** The target dtypes of every node (PyTorch's `get_target_activation_dtype_for_node`). */
function targetDtypes(ctx: InsertContext): Map<Node, TargetDtypeInfo> {
  const out = new Map<Node, TargetDtypeInfo>();
  const cache = new Map<Node, boolean>();
  const { inputQuantizedIndexes: inQ, outputQuantizedIndexes: outQ } = ctx.prepareCustomConfig;
  let inputs = 0;
  let outputs = 0;
  for (const node of ctx.gm.graph.nodes) {
    const m = ctx.matches.get(node.name);
    let info: TargetDtypeInfo = FP32;
    if (node.op === 'placeholder') {
      const dt = inQ.includes(inputs++) ? quint8 : float32;
      info = { inputActivation: dt, outputActivation: dt };
    } else if (node.op === 'output') {
      const dt = outQ.includes(outputs++) ? quint8 : float32;
      info = { inputActivation: dt, outputActivation: dt };
    } else if (node.op !== 'get_attr') {
      if (argHasNoTensors(node, ctx.modules, cache)) {
        info = NOT_TENSOR;
      } else if (node.op === 'call_function' && node.target === 'getitem') {
        info = FP32;
      } else if (m?.qconfig && m.handler.isStandaloneModule()) {
        const io = ctx.standaloneIo.get(node.name)!;
        info = { inputActivation: quint8, outputActivation: io.outputQuantizedIdxs.includes(0) ? quint8 : float32 };
      } else if (m?.qconfig && m.handler.inputOutputObserved()) {
        const d = qconfigDtypes(m.qconfig);
        info = {
          inputActivation: d.activation,
          inputActivationIsDynamic: d.activationIsDynamic,
          weight: d.weight,
          bias: d.activation === float16 && d.weight === float16 && !d.activationIsDynamic ? float16 : float32,
          outputActivation: d.activationIsDynamic ? float32 : d.activation,
        };
      }
    }
    out.set(node, info);
  }
  return out;
}

/** Dtype config checks (PyTorch's `is_pattern_dtype_config_supported_by_backend`). */
function patternSupported(m: MatchResultWithQconfig, dtypes: Map<Node, TargetDtypeInfo>, ctx: InsertContext): boolean {
  const configs = m.handler.config?.dtypeConfigs;
  if (!m.pattern || !configs) return true;
  const root = defaultRootNode(m.nodePattern);
  const first = m.nodePattern instanceof Node ? m.nodePattern : nodesOf(m.nodePattern[0]!)[0]!;
  const info = dtypes.get(root)!;
  const argOk = (a: Argument, c: DTypeConfig): boolean => {
    if (Array.isArray(a)) return a.every((x: Argument) => argOk(x, c));
    if (!(a instanceof Node)) return true;
    if (nodeArgIsWeight(root, a, ctx)) return c.weightDtype === null || info.weight === c.weightDtype;
    if (nodeArgIsBias(root, a, ctx)) return c.biasDtype === null || info.bias === c.biasDtype;
    if (c.inputDtype === null) return true;
    if (c.isDynamic) return info.inputActivationIsDynamic === true && info.inputActivation === c.inputDtype;
    return info.inputActivation === c.inputDtype;
  };
  return configs.some((c) => [...root.args, ...Object.values(root.kwargs)].every((a) => argOk(a, c))
    && (c.outputDtype === null || dtypes.get(first)!.outputActivation === c.outputDtype));
}

/** Whether a qconfig fits one of the dtype configs (PyTorch's `is_qconfig_supported_by_dtype_configs`). */
export function qconfigSupportedByDtypeConfigs(q: NonNullable<QConfigAny>, configs: readonly DTypeConfig[]): boolean {
  const d = qconfigDtypes(q);
  const bias = d.activation === float16 && d.weight === float16 ? float16 : float32;
  return configs.some((c) => {
    const input = c.inputDtype ?? float32, weight = c.weightDtype ?? float32, output = c.outputDtype ?? float32, b = c.biasDtype ?? float32;
    if (c.isDynamic) return d.activationIsDynamic && d.activation === input && output === float32 && d.weight === weight;
    return !d.activationIsDynamic && input === d.activation && output === d.activation && weight === d.weight && b === bias;
  });
}

/** Attaches `observer` to the model and calls it on `node`'s value, right after `node`. */
export function insertObserver(node: Node, observer: Module, ctx: Pick<InsertContext, 'gm' | 'modules'>): Node {
  const name = newAttrName(ctx.gm, 'activation_post_process_');
  ctx.gm.registerModule(name, observer);
  ctx.modules.set(name, observer);
  const graph = ctx.gm.graph;
  return graph.insertingAfter(node, () => graph.callModule(name, [node]));
}

function isObserverNode(n: Argument, modules: ModuleMap): n is Node {
  return n instanceof Node && n.op === 'call_module' && isActivationPostProcess(modules.get(n.target as string));
}

/** The dtype `arg` has as a value (an observer passes its input's through). */
function outputDtypeOf(arg: Node, dtypes: Map<Node, TargetDtypeInfo>, modules: ModuleMap): DType | null {
  const src = isObserverNode(arg, modules) ? (arg.args[0] as Node) : arg;
  return (dtypes.get(src) ?? FP32).outputActivation;
}

/** Inserts (or reuses) the observer `arg` needs as an input of `node`; returns the argument to use. */
function maybeObserveInput(node: Node, arg: Argument, m: MatchResultWithQconfig, dtypes: Map<Node, TargetDtypeInfo>, ctx: InsertContext): Argument {
  if (Array.isArray(arg)) return arg.map((a: Argument) => maybeObserveInput(node, a, m, dtypes, ctx));
  // values passed between the ops of one pattern (conv -> relu) are not observed
  if (!(arg instanceof Node) || nodesOf(m.nodePattern).includes(arg)) return arg;
  const qconfig = m.qconfig!;
  const outDtype = outputDtypeOf(arg, dtypes, ctx.modules);
  let needsObs: boolean;
  let ctor: () => unknown;
  let inDtype: DType | null;
  if (m.handler.isStandaloneModule()) {
    const idx = node.args.indexOf(arg);
    inDtype = idx >= 0 && ctx.standaloneIo.get(node.name)!.inputQuantizedIdxs.includes(idx) ? quint8 : float32;
    needsObs = idx >= 0 && outDtype !== inDtype && inDtype !== float32;
    ctor = qconfig.activation;
  } else {
    const info = dtypes.get(node)!;
    const isWeight = nodeArgIsWeight(node, arg, ctx);
    const isBias = nodeArgIsBias(node, arg, ctx);
    const key = opKeyOf(node, ctx.modules);
    inDtype = isWeight ? (typeof key === 'string' && NON_QUANTIZABLE_WEIGHT_OPS.has(canonicalOpName(key)) ? null : info.weight ?? null)
      : isBias ? info.bias ?? null : info.inputActivation;
    ctor = isWeight ? qconfig.weight : qconfig.activation;
    needsObs = (outDtype !== inDtype && inDtype !== float32 && inDtype !== null && outDtype !== null && !isReuseInputQconfig(qconfig))
      // dynamic quantization observes the first input
      || (!isWeight && !isBias && info.inputActivationIsDynamic === true && arg === node.args[0]);
  }
  if (!needsObs) return arg;
  const observer = ctor() as Module;
  for (const user of arg.users) {
    const existing = user.op === 'call_module' ? ctx.modules.get(user.target as string) : undefined;
    if (existing && isActivationPostProcess(existing) && typeOf(existing) === typeOf(observer) && existing.dtype === inDtype) return user;
  }
  return insertObserver(arg, observer, ctx);
}

/** Makes the inputs and the output of `node` use its first input's observer; false when none is found. */
function shareObserverWithInput(node: Node, ctx: InsertContext): boolean {
  const firstArg = node.args.find((a) => a instanceof Node || Array.isArray(a));
  if (firstArg === undefined) return false;
  let first: Argument = Array.isArray(firstArg) ? firstArg[0] : firstArg;
  for (let guard = 0; !isObserverNode(first, ctx.modules); guard++) {
    if (!(first instanceof Node) || first.op === 'placeholder' || guard > 10000) return false;
    const back: Argument = first.args.find((a) => a instanceof Node);
    if (back === undefined) return false;
    first = back;
  }
  const shared = ctx.modules.get(first.target as string)!;
  const point = (obsNode: Node) => {
    const [parent, name] = parentName(obsNode.target as string);
    ctx.modules.get(parent)!.registerModule(name, shared);
    ctx.modules.set(obsNode.target as string, shared);
  };
  if (Array.isArray(firstArg)) {
    for (let input of (firstArg as readonly Argument[]).slice(1)) {
      for (let guard = 0; !isObserverNode(input, ctx.modules); guard++) {
        if (!(input instanceof Node) || input.args.length < 1 || guard > 10000) return false;
        input = input.args[0];
      }
      point(input);
    }
  }
  for (const user of node.users) {
    if (!isObserverNode(user, ctx.modules)) throw new QTorchValueError(`prepareFx(): internal error: a user of '${node.name}' is not its output observer`);
    point(user);
  }
  return true;
}

/** Removes the output observers of `node`. */
function removeOutputObserver(node: Node, ctx: InsertContext): void {
  for (const obs of [...node.users]) {
    obs.replaceAllUsesWith(node);
    ctx.gm.graph.eraseNode(obs);
  }
}

/** Swaps a custom module for its observed class (`fromFloat`), by the qconfig's quant type. */
function swapCustomModuleToObserved(node: Node, qconfig: NonNullable<QConfigAny>, ctx: InsertContext): void {
  const m = ctx.modules.get(node.target as string)!;
  const quantType = quantTypeOf(qconfig);
  const observedCls = quantType ? ctx.prepareCustomConfig.floatToObservedMapping.get(quantType)?.get(typeOf(m)) : undefined;
  if (!observedCls) {
    throw new QTorchValueError(`prepareFx(): custom module '${node.target as string}' (${typeOf(m).name}) has no observed class for quant type '${String(quantType)}' in floatToObservedCustomModuleClass`);
  }
  const observed = observedCls.fromFloat(m);
  const [parent, name] = parentName(node.target as string);
  ctx.modules.get(parent)!.registerModule(name, observed);
  ctx.modules.set(node.target as string, observed);
}

/** Observes the graph outputs listed in outputQuantizedIndexes. */
function observeGraphOutput(output: Node, dtypes: Map<Node, TargetDtypeInfo>, ctx: InsertContext): void {
  const idxs = ctx.prepareCustomConfig.outputQuantizedIndexes;
  if (idxs.length === 0) return;
  if (idxs.length !== 1 || idxs[0] !== 0) throw new QTorchValueError(`prepareFx(): outputQuantizedIndexes must be [] or [0], got [${idxs.join(', ')}]`);
  const visit = (a: Argument): Argument => {
    if (Array.isArray(a)) return a.map(visit);
    if (!(a instanceof Node)) return a;
    if (outputDtypeOf(a, dtypes, ctx.modules) === quint8) return a;
    const q = ctx.nodeQconfig.get(a.name);
    if (!q) throw new QTorchValueError(`prepareFx(): the output '${a.name}' is to be quantized (outputQuantizedIndexes) but has no qconfig`);
    return insertObserver(a, q.activation() as Module, ctx);
  };
  output.args = output.args.map(visit);
}

/**
 * Inserts the observers of a prepared model (PyTorch's `insert_observers_for_model`).
 * Mutates `ctx.gm.graph`; registers observer modules on `ctx.gm`.
 */
export function insertObserversForModel(ctx: InsertContext): void {
  const dtypes = targetDtypes(ctx);
  for (const node of ctx.gm.graph.nodes) {
    if (node.op === 'placeholder' || node.op === 'get_attr') continue;
    if (node.op === 'output') {
      observeGraphOutput(node, dtypes, ctx);
      continue;
    }
    const m = ctx.matches.get(node.name);
    if (!m || !m.qconfig) continue;
    const info = dtypes.get(node)!;
    const isGetitem = node.op === 'call_function' && node.target === 'getitem';
    if (info.outputActivation === null || isGetitem || !patternSupported(m, dtypes, ctx)) continue;
    for (const n of nodesOf(m.nodePattern as NodePattern)) ctx.observedNodeNames.add(n.name);
    node.args = node.args.map((a) => maybeObserveInput(node, a, m, dtypes, ctx));
    node.kwargs = Object.fromEntries(Object.entries(node.kwargs).map(([k, v]) => [k, maybeObserveInput(node, v, m, dtypes, ctx)]));
    if (node !== m.lastNode) continue;
    const obs = maybeObserveOutput(node, m, info, ctx);
    if (!obs) continue;
    for (const user of [...node.users]) if (user !== obs) user.replaceInputWith(node, obs);
    const sameGraph = !(outputDtypeOf(node, dtypes, ctx.modules) === quint8 && node.args[0] instanceof Node && node.args[0].op === 'placeholder');
    if ((m.handler.isGeneralTensorValueOp() && sameGraph) || isReuseInputQconfig(m.qconfig)) {
      if (!shareObserverWithInput(node, ctx)) removeOutputObserver(node, ctx);
    }
    if (m.handler.isCustomModule()) swapCustomModuleToObserved(node, m.qconfig, ctx);
  }
}

/** The output observer of the last node of a statically quantized pattern. */
function maybeObserveOutput(node: Node, m: MatchResultWithQconfig, info: TargetDtypeInfo, ctx: InsertContext): Node | null {
  const dt = info.outputActivation;
  if (dt === null || dt === float32 || !activationIsStaticallyQuantized(m.qconfig) || m.handler.isStandaloneModule()) return null;
  const ctor = m.handler.getActivationCtr(m.qconfig!, qconfigDtypes(m.qconfig!).activation === quint8, ctx.isQat);
  return insertObserver(node, ctor(), ctx);
}
