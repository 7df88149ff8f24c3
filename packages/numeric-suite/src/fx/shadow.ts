/**
 * addShadowLoggers / extractShadowLoggerInfo of torch.ao.ns._numeric_suite_fx: model A's
 * matched subgraphs run as shadows inside model B, on model B's inputs to those subgraphs, so
 * each layer's error is measured without the error accumulated by the layers before it.
 */
import type { Module } from '@qtorch/nn';
import type { Argument, GraphModule, Node } from '@qtorch/fx';
import { QTorchValueError, type Tensor, isTensor } from '@qtorch/qtensor';
import { type SubgraphPair, asGraphModule, matchSubgraphPairs } from './match.js';
import { type LoggerClassOrName, collectLoggerInfo, copyGraphModule, freshName, insertLogger, outputLoggerFor } from './loggers.js';
import type { NSResults } from './ns_types.js';

/** The shadow's input: model B's input dequantized (float subgraphs of A take float inputs). */
function toFloat<T>(x: T): T | Tensor {
  return isTensor(x) && x.isQuantized ? x.dequantize() : x;
}

/** The nodes of A's subgraph, base first (the base, then the relu it may extend over). */
const chainOf = (p: SubgraphPair): Node[] => (p.a.end === p.a.base ? [p.a.base] : [p.a.base, p.a.end]);

/** Copies A's subgraph of `p` into `c` after `after`, fed by `input`; returns its last node. */
function copyShadow(c: GraphModule, gmA: GraphModule, p: SubgraphPair, index: number, input: Node, after: Node): Node {
  const aInput = p.a.base.args[0];
  const extra = p.a.base.allInputNodes.filter((n) => n !== aInput);
  if (!(typeof aInput === 'object' && aInput !== null && 'op' in aInput) || extra.length > 0) {
    throw new QTorchValueError(`addShadowLoggers(): subgraph '${p.a.base.name}' must take a single tensor input, got ${p.a.base.allInputNodes.length} node inputs`);
  }
  const mapped = new Map<Node, Argument>();
  return c.graph.insertingAfter(after, () => {
    mapped.set(aInput as Node, c.graph.callFunction(toFloat, [input]));
    let last: Node = input;
    chainOf(p).forEach((n, k) => {
      last = c.graph.nodeCopy(n, (x) => {
        if (!mapped.has(x)) throw new QTorchValueError(`addShadowLoggers(): node '${n.name}' reads '${x.name}' from outside its subgraph`);
        return mapped.get(x)!;
      });
      if (n.op === 'call_module') {
        // the shadow calls A's module, installed on the shadowing model under a fresh name
        const name = freshName(c, `shadow_wrapper_${index}_${k}_`);
        c.addSubmodule(name, gmA.getSubmodule(n.target as string));
        last.target = name;
      }
      mapped.set(n, last);
    });
    return last;
  });
}

/**
 * Returns a copy of `modelB` in which each matched subgraph of `modelA` (see match.ts) runs as a
 * shadow on the (dequantized) input of the corresponding subgraph of B; OutputLoggers record
 * both outputs (model names `nameA` for the shadow, `nameB` for B). Only B's outputs flow on.
 * @example
 * const shadowed = addShadowLoggers('fp32', model, 'int8', quantized);
 * shadowed.call(x);
 * const r = extractShadowLoggerInfo(shadowed, 'OutputLogger', 'int8');
 */
export function addShadowLoggers(nameA: string, modelA: Module, nameB: string, modelB: Module): GraphModule {
  const gmA = asGraphModule(modelA), gmB = asGraphModule(modelB);
  const pairs = matchSubgraphPairs('addShadowLoggers', gmA, gmB);
  const { copy, nodeMap } = copyGraphModule(gmB);
  pairs.forEach((p, i) => {
    const endB = nodeMap.get(p.b.end)!;
    const inputB = p.b.base.allInputNodes[0];
    if (!inputB) throw new QTorchValueError(`addShadowLoggers(): '${p.b.base.name}' has no input node`);
    const loggerB = insertLogger(copy, endB, outputLoggerFor(gmB, p.b, nameB, p.name));
    endB.replaceAllUsesWith(loggerB, { deleteUserCb: (u) => u !== loggerB });
    const shadowEnd = copyShadow(copy, gmA, p, i, nodeMap.get(inputB)!, loggerB);
    insertLogger(copy, shadowEnd, outputLoggerFor(gmA, p.a, nameA, p.name));
  });
  copy.recompile();
  return copy;
}

/**
 * What the loggers of `loggerCls` in a model made by `addShadowLoggers` recorded:
 * `{ layer: { node_output: { [nameA]: [info], [nameB]: [info] } } }`, keyed by match name or by
 * the node names of `modelNameToUseForLayerNames`.
 */
export function extractShadowLoggerInfo(modelAShadowsB: Module, loggerCls: LoggerClassOrName, modelNameToUseForLayerNames?: string): NSResults {
  return collectLoggerInfo([modelAShadowsB], loggerCls, modelNameToUseForLayerNames);
}
