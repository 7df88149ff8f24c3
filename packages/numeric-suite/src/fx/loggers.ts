/**
 * The output logger of torch.ao.ns._numeric_suite_fx and its insertion / extraction:
 * addLoggers and extractLoggerInfo.
 */
import { Module } from '@qtorch/nn';
import { type Argument, Graph, GraphModule, type Node } from '@qtorch/fx';
import { type Tensor, isTensor } from '@qtorch/qtensor';
import { type Subgraph, asGraphModule, matchSubgraphPairs, targetType } from './match.js';
import type { NSResultType, NSResults, NSSingleResult } from './ns_types.js';

/** Where a logger sits and what it records (the metadata PyTorch's OutputLogger carries). */
export interface LoggerInfo {
  /** Name of the base node of the logged subgraph. */
  refNodeName: string;
  /** Name of the node whose output is logged. */
  prevNodeName: string;
  /** The model this logger belongs to. */
  modelName: string;
  /** The match name shared by the loggers of both models for this layer. */
  refName: string;
  /** Target type of the logged node. */
  prevNodeTargetType: string;
  /** Target type of the base node. */
  refNodeTargetType: string;
  /** 'node_output' for output loggers. */
  resultsType: NSResultType;
  /** Fully qualified name of the base module. */
  fqn: string | null;
}

/** Records the tensors flowing out of a node and passes them through (PyTorch's FX OutputLogger). */
export class OutputLogger extends Module {
  /** The logged tensors, one per forward call. */
  stats: Tensor[] = [];
  /** Logging is skipped while false. */
  enabled = true;
  /** Position within the logged argument (0: outputs are logged whole). */
  indexWithinArg = 0;
  /** Position of the logged argument (0). */
  indexOfArg = 0;

  /** @param info - Where the logger sits: the model, node and reference names it reports under. */
  constructor(readonly info: LoggerInfo) {
    super();
  }

  /** Logs `x` (when it is a tensor and logging is enabled) and returns it unchanged. */
  forward<T>(x: T): T {
    if (this.enabled && isTensor(x)) this.stats.push((x as unknown as Tensor).detach());
    return x;
  }
}

/** A logger class (or its name) for extractLoggerInfo. */
export type LoggerClassOrName = (abstract new (...args: never[]) => OutputLogger) | string;

/** A fresh GraphModule running a copy of `gm`'s graph; `nodeMap` maps old nodes to the copies. @internal */
export function copyGraphModule(gm: GraphModule): { copy: GraphModule; nodeMap: Map<Node, Node> } {
  const graph = new Graph();
  const valMap = new Map<Node, Argument>();
  graph.output(graph.graphCopy(gm.graph, valMap));
  // every copied node maps to a Node (graphCopy copies node by node)
  return { copy: new GraphModule(gm, graph), nodeMap: valMap as Map<Node, Node> };
}

/** An attribute name `${prefix}${k}` not yet used on `gm`. @internal */
export function freshName(gm: GraphModule, prefix: string): string {
  for (let k = 0; ; k++) if (!(`${prefix}${k}` in gm)) return `${prefix}${k}`;
}

/** Copies `gm` with an OutputLogger after the end node of each subgraph. */
function addLoggersToModel(gm: GraphModule, modelName: string, subgraphs: ReadonlyArray<{ refName: string; s: Subgraph }>): GraphModule {
  const { copy, nodeMap } = copyGraphModule(gm);
  for (const { refName, s } of subgraphs) {
    const end = nodeMap.get(s.end)!;
    const loggerNode = insertLogger(copy, end, outputLoggerFor(gm, s, modelName, refName));
    end.replaceAllUsesWith(loggerNode, { deleteUserCb: (u) => u !== loggerNode });
  }
  copy.recompile();
  return copy;
}

/** An OutputLogger for the output of subgraph `s` of `gm`. @internal */
export function outputLoggerFor(gm: GraphModule, s: Subgraph, modelName: string, refName: string): OutputLogger {
  return new OutputLogger({
    refNodeName: s.base.name, prevNodeName: s.end.name, modelName, refName,
    prevNodeTargetType: targetType(gm, s.end), refNodeTargetType: targetType(gm, s.base),
    resultsType: 'node_output', fqn: s.base.target as string,
  });
}

/**
 * Installs `logger` on `gm` and calls it on `node` just after `node` (uses of `node` are left
 * to the caller); returns the logger's node. @internal
 */
export function insertLogger(gm: GraphModule, node: Node, logger: OutputLogger): Node {
  const name = freshName(gm, `${node.name}_ns_logger_`);
  gm.addSubmodule(name, logger);
  return gm.graph.insertingAfter(node, () => gm.graph.callModule(name, [node]));
}

/**
 * Returns copies of `modelA` and `modelB` with an `OutputLogger` after the output of each matched
 * conv / linear subgraph (see match.ts for the matching). The inputs are not modified; the copies
 * share their submodules. Run both on the same data, then call `extractLoggerInfo`.
 * @example
 * const [a, b] = addLoggers('fp32', model, 'int8', quantized);
 * a.call(x); b.call(x);
 * const r = extractLoggerInfo(a, b, 'OutputLogger', 'int8');
 */
export function addLoggers(nameA: string, modelA: Module, nameB: string, modelB: Module): [GraphModule, GraphModule] {
  const gmA = asGraphModule(modelA), gmB = asGraphModule(modelB);
  const pairs = matchSubgraphPairs('addLoggers', gmA, gmB);
  return [
    addLoggersToModel(gmA, nameA, pairs.map((p) => ({ refName: p.name, s: p.a }))),
    addLoggersToModel(gmB, nameB, pairs.map((p) => ({ refName: p.name, s: p.b }))),
  ];
}

const isLogger = (m: Module, cls: LoggerClassOrName): m is OutputLogger =>
  m instanceof OutputLogger && (typeof cls === 'string' ? m.constructor.name === cls : m instanceof cls);

/** Adds the records of the loggers of class `cls` in `model` to `results` (keyed by match name). */
function extractOneModel(model: Module, cls: LoggerClassOrName, results: NSResults): void {
  for (const [, m] of model.namedModules()) {
    if (!isLogger(m, cls)) continue;
    const i = m.info;
    const entry: NSSingleResult = {
      type: i.resultsType, values: [...m.stats],
      prev_node_name: i.prevNodeName, prev_node_target_type: i.prevNodeTargetType,
      ref_node_name: i.refNodeName, ref_node_target_type: i.refNodeTargetType,
      index_within_arg: m.indexWithinArg, index_of_arg: m.indexOfArg, fqn: i.fqn,
    };
    ((results[i.refName] ??= {})[i.resultsType] ??= {})[i.modelName] ??= [];
    results[i.refName]![i.resultsType]![i.modelName]!.push(entry);
  }
}

/** Rekeys results on the ref node names of `modelName`'s entries (PyTorch's rekey helper). */
function rekeyOnNodeNames(results: NSResults, modelName: string): NSResults {
  const out: NSResults = {};
  for (const [key, byType] of Object.entries(results)) {
    const first = Object.values(byType).map((m) => m[modelName]?.[0]).find((e) => e !== undefined);
    out[first ? first.ref_node_name : key] = byType;
  }
  return out;
}

/**
 * Collects what the loggers of `loggerCls` (a class or class name, e.g. 'OutputLogger') in
 * `modelA` and `modelB` recorded, as `{ layer: { node_output: { model: [info] } } }`. Layers are
 * keyed by match name, or by the node names of `modelNameToUseForLayerNames` when given.
 */
export function extractLoggerInfo(modelA: Module, modelB: Module, loggerCls: LoggerClassOrName, modelNameToUseForLayerNames?: string): NSResults {
  return collectLoggerInfo([modelA, modelB], loggerCls, modelNameToUseForLayerNames);
}

/** The records of the loggers in `models`, sorted and optionally rekeyed. @internal */
export function collectLoggerInfo(models: readonly Module[], loggerCls: LoggerClassOrName, modelNameToUseForLayerNames?: string): NSResults {
  const results: NSResults = {};
  for (const m of models) extractOneModel(m, loggerCls, results);
  for (const byType of Object.values(results)) {
    for (const byModel of Object.values(byType)) {
      for (const list of Object.values(byModel)) list.sort((x, y) => x.index_of_arg - y.index_of_arg || x.index_within_arg - y.index_within_arg);
    }
  }
  return modelNameToUseForLayerNames === undefined ? results : rekeyOnNodeNames(results, modelNameToUseForLayerNames);
}
