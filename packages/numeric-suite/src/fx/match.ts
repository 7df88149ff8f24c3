/**
 * Subgraph matching between two models (a simplified torch.ao.ns.fx.graph_matcher).
 *
 * PyTorch matches subgraphs through the backend config's patterns and sets of related ops. Here
 * the matching is deliberately simple: the weighted modules (Conv1d/2d/3d and Linear, float,
 * fused or quantized) of each graph are listed in graph order and paired by position and base
 * kind. A fused relu in one model (ConvReLU2d) extends the other model's subgraph over its
 * relu, so both subgraphs end at comparable values. Functional weighted ops (F.linear /
 * F.conv2d call_function nodes) are not matched.
 */
import { type Module } from '@qtorch/nn';
import { GraphModule, type Node, symbolicTrace } from '@qtorch/fx';
import { QTorchValueError, type Tensor, isTensor } from '@qtorch/qtensor';

/** A weighted subgraph of one model: its base (weighted) node and its last node. */
export interface Subgraph {
  /** The weighted call_module node. */
  base: Node;
  /** The node whose output is the subgraph's output (the base, or a relu after it). */
  end: Node;
  /** The weighted module. */
  module: Module;
  /** PyTorch-style base op name, e.g. 'torch.nn.Conv2d'. */
  baseType: string;
  /** Whether the module includes a fused relu. */
  fusedRelu: boolean;
}

/** A matched pair, `a` from the first model, `b` from the second, under a match name. */
export interface SubgraphPair {
  name: string;
  a: Subgraph;
  b: Subgraph;
}

type Bag = Record<string, unknown>;

/** The float/quantized module carrying the weight: the module itself or a fused module's [0]. */
function weightedCore(mod: Module): Bag {
  const m = mod as unknown as Bag;
  const first = m['0'];
  return 'inFeatures' in m || 'kernelSize' in m || first === undefined ? m : (first as Bag);
}

/** 'torch.nn.Conv2d' / 'torch.nn.Linear' for weighted modules, else undefined. */
function baseTypeOf(mod: Module): string | undefined {
  const core = weightedCore(mod);
  if (Array.isArray(core.kernelSize) && 'inChannels' in core) return `torch.nn.Conv${core.kernelSize.length}d`;
  if ('inFeatures' in core && 'outFeatures' in core) return 'torch.nn.Linear';
  return undefined;
}

/** The weight of a weighted module (quantized modules expose it as a method, as PyTorch's). */
export function moduleWeight(mod: Module): Tensor {
  const w = weightedCore(mod).weight;
  const t = typeof w === 'function' ? (w as () => unknown).call(weightedCore(mod)) : w;
  if (!isTensor(t)) throw new QTorchValueError(`extractWeights(): module ${mod.constructor.name} has no weight tensor`);
  return t.detach();
}

/** The graph module to instrument: `model` itself, or its symbolic trace. */
export function asGraphModule(model: Module): GraphModule {
  return model instanceof GraphModule ? model : symbolicTrace(model);
}

/** The type name of a node's target: the called module's class, or the function / method name. */
export function targetType(gm: GraphModule, node: Node): string {
  if (node.op === 'call_module') return gm.getSubmodule(node.target as string).constructor.name;
  const t = node.target;
  return typeof t === 'function' ? t.name : String(t);
}

/** Whether `node` applies a relu (module, function or method form). */
function isRelu(gm: GraphModule, node: Node): boolean {
  if (node.op === 'call_module') return gm.getSubmodule(node.target as string).constructor.name === 'ReLU';
  if (node.op !== 'call_function' && node.op !== 'call_method') return false;
  const t = node.target;
  return /(^|\.)relu_?$/.test(typeof t === 'function' ? t.name : String(t));
}

/** The weighted subgraphs of `gm`, in graph order. */
export function weightedSubgraphs(gm: GraphModule): Subgraph[] {
  const out: Subgraph[] = [];
  for (const node of gm.graph.nodes) {
    if (node.op !== 'call_module') continue;
    const module = gm.getSubmodule(node.target as string);
    const baseType = baseTypeOf(module);
    if (baseType === undefined) continue;
    const m = module as unknown as Bag;
    const fusedRelu = /ReLU/.test(module.constructor.name) || (m['1'] as Module | undefined)?.constructor.name === 'ReLU';
    out.push({ base: node, end: node, module, baseType, fusedRelu });
  }
  return out;
}

/** Extends `s` over the relu that follows it (the counterpart of a fused relu). */
function extendOverRelu(gm: GraphModule, s: Subgraph): Subgraph {
  const users = [...s.base.users];
  return users.length === 1 && isRelu(gm, users[0]!) ? { ...s, end: users[0]! } : s;
}

/**
 * Pairs the weighted subgraphs of `gmA` and `gmB` by position. Throws when the models have a
 * different number of weighted modules or when the kinds at a position differ.
 */
export function matchSubgraphPairs(op: string, gmA: GraphModule, gmB: GraphModule): SubgraphPair[] {
  const as = weightedSubgraphs(gmA), bs = weightedSubgraphs(gmB);
  if (as.length !== bs.length) {
    throw new QTorchValueError(`${op}(): models have ${as.length} and ${bs.length} weighted modules (conv / linear); expected equal counts to match them`);
  }
  const counters = new Map<string, number>();
  return as.map((a, i) => {
    let b = bs[i]!;
    if (a.baseType !== b.baseType) {
      throw new QTorchValueError(`${op}(): weighted module ${i} is ${a.baseType} ('${a.base.name}') in model A but ${b.baseType} ('${b.base.name}') in model B`);
    }
    if (b.fusedRelu && !a.fusedRelu) a = extendOverRelu(gmA, a);
    if (a.fusedRelu && !b.fusedRelu) b = extendOverRelu(gmB, b);
    const k = counters.get(a.baseType) ?? 0;
    counters.set(a.baseType, k + 1);
    return { name: `base_op_${a.baseType}_${k}`, a, b };
  });
}
