/**
 * Subgraph rewriting (torch.fx.subgraph_rewriter.replace_pattern): finds every occurrence of
 * a pattern (a function, traced symbolically) in a GraphModule's graph and replaces it with
 * a replacement function's graph, inputs bound by position.
 */
import { QTorchValueError } from '@qtorch/qtensor';
import type { Graph } from './graph.js';
import { GraphModule } from './graph_module.js';
import { type AnyFn, type Argument, Node, isPlainObject } from './node.js';
import { symbolicTrace } from './symbolic_trace.js';

/** One replaced occurrence. */
export interface Match {
  /** The graph node that matched the pattern's output value. */
  anchor: Node;
  /** Pattern node -> graph node (placeholders map to the bound inputs). */
  nodesMap: Map<Node, Node>;
  /** The nodes inserted for the replacement. */
  replacements: Node[];
}

function graphOf(p: AnyFn | GraphModule | Graph): Graph {
  if (p instanceof GraphModule) return p.graph;
  if (typeof p === 'function') return symbolicTrace(p).graph;
  return p;
}

/** Constants equal as data (arrays and plain objects compared deeply, NaN equal to NaN). */
function sameConstant(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameConstant(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && sameConstant(a[k], b[k]));
  }
  return false;
}

/** Matches pattern structure backwards from `p` / `g`, filling `map`. */
class Matcher {
  constructor(readonly map: Map<Node, Node>) {}

  node(p: Node, g: Node): boolean {
    const bound = this.map.get(p);
    if (bound) return bound === g;
    if (p.op === 'placeholder') {
      this.map.set(p, g);
      return true;
    }
    if (p.op !== g.op || p.target !== g.target || p.args.length !== g.args.length) return false;
    this.map.set(p, g);
    if (!p.args.every((a, i) => this.arg(a, g.args[i]))) return false;
    const pk = Object.keys(p.kwargs), gk = Object.keys(g.kwargs);
    return pk.length === gk.length && pk.every((k) => k in g.kwargs && this.arg(p.kwargs[k], g.kwargs[k]));
  }

  arg(p: Argument, g: Argument): boolean {
    if (p instanceof Node) return g instanceof Node && this.node(p, g);
    if (g instanceof Node) return false;
    if (Array.isArray(p)) return Array.isArray(g) && p.length === g.length && p.every((x: Argument, i: number) => this.arg(x, (g as Argument[])[i]));
    if (isPlainObject(p)) {
      if (!isPlainObject(g)) return false;
      const kp = Object.keys(p), kg = Object.keys(g);
      return kp.length === kg.length && kp.every((k) => k in g && this.arg(p[k] as Argument, g[k] as Argument));
    }
    return sameConstant(p, g);
  }
}

/**
 * Replaces every non-overlapping occurrence of `pattern` in `gm` with `replacement`, then
 * lints and recompiles `gm`. Both are functions of the same number of inputs (or graphs);
 * the pattern must return one value. A matched node other than the pattern's output may
 * not be read outside the match (the occurrence is skipped).
 *
 * @example
 * ```ts
 * replacePattern(gm, (x, y) => F.relu(torch.add(x, y)), (x, y) => F.relu6(torch.add(x, y)));
 * ```
 */
export function replacePattern(gm: GraphModule, pattern: AnyFn | GraphModule | Graph, replacement: AnyFn | GraphModule | Graph): Match[] {
  const pGraph = graphOf(pattern);
  const rGraph = graphOf(replacement);
  const pOut = pGraph.outputNode;
  const pAnchor = pOut?.args[0];
  if (!(pAnchor instanceof Node)) throw new QTorchValueError('replacePattern(): the pattern must return exactly one computed value');
  const pInputs = pGraph.findNodes({ op: 'placeholder' });
  const rInputs = rGraph.findNodes({ op: 'placeholder' });
  if (pInputs.length !== rInputs.length) {
    throw new QTorchValueError(`replacePattern(): pattern has ${pInputs.length} inputs, replacement ${rInputs.length}; they must be equal`);
  }
  const graph = gm.graph;
  const claimed = new Set<Node>();
  const matches: Array<{ anchor: Node; nodesMap: Map<Node, Node>; internal: Node[] }> = [];
  for (const g of graph.nodes) {
    const matcher = new Matcher(new Map());
    if (!matcher.node(pAnchor, g)) continue;
    const internal = [...matcher.map].filter(([p]) => p.op !== 'placeholder').map(([, n]) => n);
    const inside = new Set(internal);
    const leaks = internal.some((n) => n !== g && [...n.users].some((u) => !inside.has(u)));
    if (leaks || internal.some((n) => claimed.has(n)) || pInputs.some((p) => !matcher.map.has(p))) continue;
    internal.forEach((n) => claimed.add(n));
    matches.push({ anchor: g, nodesMap: matcher.map, internal });
  }
  const results: Match[] = [];
  for (const m of matches) {
    const valMap = new Map<Node, Argument>(rInputs.map((r, i) => [r, m.nodesMap.get(pInputs[i]!)!]));
    const before = new Set(graph.nodes);
    const out = graph.insertingBefore(m.anchor, () => graph.graphCopy(rGraph, valMap));
    if (!(out instanceof Node)) throw new QTorchValueError('replacePattern(): the replacement must return exactly one value');
    m.anchor.replaceAllUsesWith(out);
    // erase the matched nodes as they become unused (`internal` is not in topological order)
    let again = true;
    while (again) {
      again = false;
      for (const n of m.internal) {
        if (!n._erased && n.users.size === 0) {
          graph.eraseNode(n);
          again = true;
        }
      }
    }
    results.push({ anchor: m.anchor, nodesMap: m.nodesMap, replacements: graph.nodes.filter((n) => !before.has(n)) });
  }
  graph.lint();
  gm.recompile();
  return results;
}
