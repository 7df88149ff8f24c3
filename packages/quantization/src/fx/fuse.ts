/**
 * Graph fusion (torch.ao.quantization.fx.fuse, PyTorch 1.13): nodes matching a fusion pattern
 * of the backend config (conv-bn-relu, linear-relu, ... including functional relu after a
 * module) are replaced by one call of the fused module, built by the pattern's fuser method
 * in the first module's place.
 */
import { type Module, ReLU } from '@qtorch/nn';
import { type GraphModule, Node } from '@qtorch/fx';
import type { BackendConfig } from './backend_config/backend_config.js';
import { type NodePattern, defaultRootNode, isMatch, moduleMap, nodesOf, sortedPatternConfigs } from './match.js';

/** The modules of a matched node pattern, in its nesting (functional relu becomes an nn.ReLU). */
function modulesOf(p: NodePattern, modules: Map<string, Module>, training: boolean): unknown {
  if (!(p instanceof Node)) return p.map((x) => modulesOf(x, modules, training));
  if (p.op === 'call_module') return modules.get(p.target as string);
  if (p.op === 'call_function' && (p.target === 'F.relu' || p.target === 'torch.relu')) {
    const relu = new ReLU();
    relu.training = training;
    return relu;
  }
  return p.target;
}

/** The nodes of a match in the pattern's nesting (outer op first). */
function matchNodes(pattern: unknown, node: Node): NodePattern {
  if (!Array.isArray(pattern)) return node;
  const [, ...args] = pattern as unknown[];
  return [node, ...args.map((p, i) => matchNodes(p, node.args[i] as Node))];
}

/**
 * Fuses `gm` in place (graph and modules) with the fusion patterns of `backendConfig`;
 * recompiles it. Fused modules are built for QAT (BatchNorm kept) when `isQat`, else for
 * inference (BatchNorm folded; the modules must be in eval mode).
 */
export function fuseGraph(gm: GraphModule, isQat: boolean, backendConfig: BackendConfig): void {
  const configs = sortedPatternConfigs(backendConfig.configs.filter((c) => c.fuserMethod !== null));
  const modules = moduleMap(gm);
  const claimed = new Set<Node>();
  const fusions: Array<{ last: Node; root: Node; nodes: Node[]; fused: Module }> = [];
  for (const node of [...gm.graph.nodes].reverse()) {
    if (claimed.has(node)) continue;
    for (const c of configs) {
      if (!isMatch(modules, node, c.pattern)) continue;
      const nodePattern = matchNodes(c.pattern, node);
      const nodes = nodesOf(nodePattern);
      if (nodes.some((n) => claimed.has(n))) continue;
      const root = defaultRootNode(nodePattern);
      if (root.op !== 'call_module') continue;
      const rootModule = modules.get(root.target as string)!;
      const mods = modulesOf(nodePattern, modules, rootModule.training) as unknown[];
      const fused = c.fuserMethod!(isQat, ...mods);
      nodes.forEach((n) => claimed.add(n));
      fusions.push({ last: node, root, nodes, fused });
      break;
    }
  }
  const graph = gm.graph;
  for (const { last, root, nodes, fused } of fusions) {
    gm.setSubmodule(root.target as string, fused);
    if (last !== root) last.replaceAllUsesWith(root);
    // erase from the last node backwards: each erased node's inputs lose their user first
    for (const n of nodes) if (n !== root) graph.eraseNode(n);
  }
  graph.lint();
  gm.recompile();
}
