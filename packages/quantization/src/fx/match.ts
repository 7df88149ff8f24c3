/**
 * Pattern matching on graphs (torch.ao.quantization.fx.match_utils / pattern_utils): which
 * node sequences form one pattern of the backend config, walking the graph backwards and
 * trying longer patterns first, as PyTorch 1.13 does. Each match gets a `QuantizeHandler`
 * that tells prepare how to observe it.
 */
import { type Module, typeOf } from '@qtorch/nn';
import { type Argument, type Graph, Node } from '@qtorch/fx';
import { traceableName } from '@qtorch/qtensor';
import { type ObjectTypeKey, type QConfigAny, canonicalOpName } from '../qconfig/qconfig_mapping.js';
import { type BackendPatternConfig, type ObservationType, type ObserverCtor, type PatternKey, ObservationType as OT } from './backend_config/backend_config.js';
import { isActivationPostProcess } from './utils.js';

/** Qualified name -> module (duplicates kept: shared observers appear under every name). */
export type ModuleMap = Map<string, Module>;

/** The modules of `root` by qualified name. */
export function moduleMap(root: Module): ModuleMap {
  return new Map(root.namedModules({ removeDuplicate: false }));
}

/** The nodes of a match in the pattern's nesting: `[relu, [bn, conv]]`. */
export type NodePattern = Node | readonly NodePattern[];

/** The op a node runs, as patterns and object-type qconfigs name it. */
export function opKeyOf(node: Node, modules: ModuleMap): ObjectTypeKey | null {
  switch (node.op) {
    case 'call_module': {
      const m = modules.get(node.target as string);
      return m ? typeOf(m) : null;
    }
    case 'call_function':
      return canonicalOpName(typeof node.target === 'string' ? node.target : traceableName(node.target) ?? node.target.name);
    case 'call_method':
      return node.target as string;
    default:
      return null;
  }
}

/** Whether `node` matches `pattern` (inner pattern nodes may have one user only). */
export function isMatch(modules: ModuleMap, node: Argument, pattern: PatternKey, maxUses = Infinity): boolean {
  const [self, argPatterns] = Array.isArray(pattern) ? [pattern[0] as PatternKey, pattern.slice(1) as PatternKey[]] : [pattern, [] as PatternKey[]];
  if (!(node instanceof Node) || node.users.size > maxUses) return false;
  if (Array.isArray(self)) return false;
  if (node.op !== 'call_module' && node.op !== 'call_function' && node.op !== 'call_method') return false;
  if (typeof self !== 'string' && node.op !== 'call_module') return false;
  if (opKeyOf(node, modules) !== self) return false;
  if (argPatterns.length === 0) return true;
  if (argPatterns.length !== node.args.length) return false;
  return argPatterns.every((p, i) => isMatch(modules, node.args[i]!, p, 1));
}

/** Records the nodes of a match in the pattern's nesting (PyTorch's `record_match`). */
function recordMatch(pattern: PatternKey, node: Node, matched: NodePattern[]): void {
  if (!Array.isArray(pattern)) {
    matched.push(node);
    return;
  }
  const [self, ...args] = pattern as readonly PatternKey[];
  const current: NodePattern[] = [];
  recordMatch(self!, node, matched);
  args.forEach((p, i) => recordMatch(p, node.args[i] as Node, current));
  if (current.length > 1) {
    if (args.length === 1) matched.push(current);
    else matched.push(...current);
  } else if (current.length === 1) matched.push(current[0]!);
}

/** The node a pattern is rooted at: the innermost, first-executed op (`conv` of relu(bn(conv))). */
export function defaultRootNode(p: NodePattern): Node {
  let x = p;
  while (!(x instanceof Node)) x = x[x.length - 1]!;
  return x;
}

/** Every node of a node pattern. */
export function nodesOf(p: NodePattern): Node[] {
  return p instanceof Node ? [p] : p.flatMap(nodesOf);
}

/**
 * True when the value of `a` is known to hold no tensor (a constant, a shape, a size):
 * such inputs are not observed (PyTorch's `all_node_args_have_no_tensors`, also inexact).
 */
export function argHasNoTensors(a: Argument, modules: ModuleMap, cache = new Map<Node, boolean>()): boolean {
  if (!(a instanceof Node)) return !Array.isArray(a) || a.every((x: Argument) => argHasNoTensors(x, modules, cache));
  const hit = cache.get(a);
  if (hit !== undefined) return hit;
  let result: boolean;
  if (a.op === 'placeholder' || a.op === 'get_attr') result = false;
  else if (a.op === 'call_module') {
    const m = modules.get(a.target as string);
    result = isActivationPostProcess(m) ? argHasNoTensors(a.args[0]!, modules, cache) : false;
  } else if (a.op === 'call_function' && a.target === 'getitem') result = argHasNoTensors(a.args[0]!, modules, cache);
  else if (a.op === 'call_function' && a.target === 'getattr' && ['ndim', 'shape', 'dtype'].includes(a.args[1] as string)) result = true;
  else if (a.op === 'call_method' && (a.target === 'size' || a.target === 'dim')) result = true;
  else result = a.args.every((x) => argHasNoTensors(x, modules, cache));
  cache.set(a, result);
  return result;
}

/**
 * How one matched pattern is observed (PyTorch's `QuantizeHandler`, configured from the
 * backend pattern config).
 */
export class QuantizeHandler {
  readonly rootNode: Node;
  /** How many of the root node's inputs are tensors (`x + y`: 2, `x + 1`: 1). */
  readonly numTensorArgs: number;
  readonly observationType: ObservationType;

  constructor(
    readonly nodePattern: NodePattern,
    modules: ModuleMap,
    readonly config: BackendPatternConfig | null,
    readonly kind: 'pattern' | 'custom' | 'standalone' = 'pattern',
  ) {
    this.rootNode = defaultRootNode(nodePattern);
    const cache = new Map<Node, boolean>();
    this.numTensorArgs = this.rootNode.args.filter((a) => a instanceof Node && !argHasNoTensors(a, modules, cache)).length;
    const byCount = config?._numTensorArgsToObservationType;
    this.observationType = byCount && byCount.size > 0 ? byCount.get(this.numTensorArgs) ?? OT.OUTPUT_USE_DIFFERENT_OBSERVER_AS_INPUT
      : config?.observationType ?? OT.OUTPUT_USE_DIFFERENT_OBSERVER_AS_INPUT;
  }

  /** The output shares the input's observer (same qparams in and out). */
  isGeneralTensorValueOp(): boolean {
    return this.observationType === OT.OUTPUT_SHARE_OBSERVER_WITH_INPUT;
  }

  isCustomModule(): boolean {
    return this.kind === 'custom';
  }

  isStandaloneModule(): boolean {
    return this.kind === 'standalone';
  }

  inputOutputObserved(): boolean {
    return this.config?._inputOutputObserved ?? true;
  }

  /**
   * The output observer's factory: the qconfig's, unless the backend fixes it for quint8
   * (fixed-qparams ops).
   */
  getActivationCtr(qconfig: NonNullable<QConfigAny>, actDtypeIsQuint8: boolean, isQat: boolean): ObserverCtor {
    const overwrite = isQat ? this.config?._overwriteOutputFakeQuantize : this.config?._overwriteOutputObserver;
    if (actDtypeIsQuint8 && overwrite) return overwrite;
    return qconfig.activation as ObserverCtor;
  }
}

/** One match: its last node, nodes, pattern and handler (the qconfig is added by prepare). */
export interface MatchResult {
  lastNode: Node;
  nodePattern: NodePattern;
  pattern: PatternKey | null;
  handler: QuantizeHandler;
}

/** A match with the qconfig of its node. */
export interface MatchResultWithQconfig extends MatchResult {
  qconfig: QConfigAny;
}

/** Counts the ops of a pattern (longer patterns are tried first). */
function patternLength(p: PatternKey): number {
  return Array.isArray(p) ? (p as readonly PatternKey[]).reduce((n: number, x) => n + patternLength(x), 0) : 1;
}

/** Patterns sorted as PyTorch's `sorted_patterns_dict`: nested patterns longest first, then single ops. */
export function sortedPatternConfigs(configs: readonly BackendPatternConfig[]): BackendPatternConfig[] {
  const key = (c: BackendPatternConfig) => (Array.isArray(c.pattern) ? -patternLength(c.pattern) : 1);
  return configs.map((c, i) => [c, i] as const).sort((a, b) => key(a[0]) - key(b[0]) || a[1] - b[1]).map(([c]) => c);
}

/** What besides the patterns is matched as one unit. */
export interface FindMatchesOptions {
  standaloneModuleNames?: ReadonlySet<string>;
  standaloneModuleClasses?: ReadonlySet<unknown>;
  customModuleClasses?: ReadonlySet<unknown>;
  /** Already prepared standalone modules (matched again by convert). */
  isObservedStandalone?: (m: Module) => boolean;
}

/**
 * Matches the graph's nodes against `configs` (already sorted), last node first; then custom
 * module and standalone module calls. Returns node name -> match (every node of a match).
 */
export function findMatches(graph: Graph, modules: ModuleMap, configs: readonly BackendPatternConfig[], options: FindMatchesOptions = {}): Map<string, MatchResult> {
  const matches = new Map<string, MatchResult>();
  for (const node of [...graph.nodes].reverse()) {
    if (matches.has(node.name)) continue;
    for (const config of configs) {
      if (!isMatch(modules, node, config.pattern)) continue;
      const nodePattern: NodePattern[] = [];
      recordMatch(config.pattern, node, nodePattern);
      const result: MatchResult = { lastNode: node, nodePattern, pattern: config.pattern, handler: new QuantizeHandler(nodePattern, modules, config) };
      for (const n of nodesOf(nodePattern)) matches.set(n.name, result);
      break;
    }
  }
  for (const node of graph.nodes) {
    if (node.op !== 'call_module') continue;
    const m = modules.get(node.target as string)!;
    const standalone = options.standaloneModuleNames?.has(node.target as string) || options.standaloneModuleClasses?.has(typeOf(m)) || options.isObservedStandalone?.(m);
    if (options.customModuleClasses?.has(typeOf(m))) {
      matches.set(node.name, { lastNode: node, nodePattern: node, pattern: null, handler: new QuantizeHandler(node, modules, null, 'custom') });
    }
    if (standalone) {
      matches.set(node.name, { lastNode: node, nodePattern: node, pattern: null, handler: new QuantizeHandler(node, modules, null, 'standalone') });
    }
  }
  return matches;
}
