/**
 * `Graph`: the ordered list of Nodes a traced program consists of (torch.fx.Graph), with the
 * editing API passes use: create nodes at an insertion point, replace uses, erase, lint,
 * dead code elimination, copy, and torch.fx's printed form.
 */
import { QTorchValueError } from '@qtorch/qtensor';
import { Module } from '@qtorch/nn';
import { formatArg, formatArgsTuple, table, targetName } from './format.js';
import { Namespace } from './names.js';
import { type Argument, type Kwargs, type Op, type Target, Node, forEachNode, mapArg } from './node.js';
import { resolveFunction } from './vocabulary.js';

/** Options of `Graph.placeholder`. */
export interface PlaceholderOptions {
  /** Value used when the caller passes `undefined` (stored as the node's only arg). */
  defaultValue?: Argument;
}

/** Which nodes `findNodes` returns. */
export interface FindNodesOptions {
  /** Only nodes with this opcode. */
  op?: Op;
  /** Only nodes with this target (a function, or a qualified name / method name). */
  target?: Target;
}

/** The base name a new node gets from its target (`'layer1.0.conv'` -> `layer1_0_conv`). */
function candidateName(op: Op, target: Target): string {
  if (op === 'output') return 'output';
  if (typeof target === 'function') return target.name || 'fn';
  if (op === 'call_function') return target.slice(target.lastIndexOf('.') + 1);
  return target;
}

/**
 * The ordered list of Nodes a traced program consists of (torch.fx.Graph), with the editing API
 * of passes: create nodes at an insertion point, replace uses, erase, lint, eliminate dead code,
 * copy, and print in torch.fx's form.
 */
export class Graph {
  /** The GraphModule running this graph (set by GraphModule); lint checks targets against it. */
  owningModule: Module | null = null;
  /** Sentinel of the circular node list: `root.next` is the first node. */
  private readonly root: Node;
  private readonly namespace = new Namespace();
  /** New nodes go just before this node (the sentinel: the end of the graph). */
  private insertBefore: Node;
  private count = 0;

  /** An empty graph (insertion point: the end). */
  constructor() {
    this.root = new Node(this, '', 'placeholder', '', [], {});
    this.insertBefore = this.root;
  }

  /** The nodes in order (a snapshot: safe to edit the graph while iterating it). */
  get nodes(): Node[] {
    const out: Node[] = [];
    for (let n = this.root._next; n !== this.root; n = n._next) out.push(n);
    return out;
  }

  /** Number of nodes. */
  get length(): number {
    return this.count;
  }

  /** The nodes in order (placeholders first, output last); safe against erasing the current node. */
  [Symbol.iterator](): Iterator<Node> {
    return this.nodes[Symbol.iterator]();
  }

  /** The output node, or undefined while the graph has none. */
  get outputNode(): Node | undefined {
    const last = this.root._prev;
    return last !== this.root && last.op === 'output' ? last : this.nodes.find((n) => n.op === 'output');
  }

  /**
   * Creates a node at the current insertion point (the end of the graph unless inside
   * `insertingBefore` / `insertingAfter`). `name` is made unique.
   */
  createNode(op: Op, target: Target, args: readonly Argument[] = [], kwargs: Kwargs = {}, name?: string): Node {
    const node = new Node(this, this.namespace.create(name ?? candidateName(op, target)), op, target, args, kwargs);
    this.insertBefore.prepend(node);
    this.count += 1;
    return node;
  }

  /** An input of the graph (a parameter of the generated `forward`). */
  placeholder(name: string, options: PlaceholderOptions = {}): Node {
    const args = 'defaultValue' in options ? [options.defaultValue] : [];
    return this.createNode('placeholder', name, args, {}, name);
  }

  /** Reads the attribute at `qualifiedName` of the owning module (a parameter, buffer or constant). */
  getAttr(qualifiedName: string): Node {
    return this.createNode('get_attr', qualifiedName);
  }

  /** Calls the submodule at `target` (`module.call(...args)`). */
  callModule(target: string, args: readonly Argument[] = [], kwargs: Kwargs = {}): Node {
    return this.createNode('call_module', target, args, kwargs);
  }

  /** Calls method `name` on `args[0]` with the remaining args. */
  callMethod(name: string, args: readonly Argument[] = [], kwargs: Kwargs = {}): Node {
    return this.createNode('call_method', name, args, kwargs);
  }

  /** Calls a function of the op vocabulary (`'F.relu'`) or a function value. */
  callFunction(target: Target, args: readonly Argument[] = [], kwargs: Kwargs = {}): Node {
    return this.createNode('call_function', target, args, kwargs);
  }

  /** The graph's result (`return` of the generated code). */
  output(result: Argument): Node {
    return this.createNode('output', 'output', [result]);
  }

  /**
   * Runs `fn` with new nodes inserted just before `node` (before the first node when null);
   * returns what `fn` returns. Nodes created in `fn` keep their order.
   * @example graph.insertingBefore(relu, () => graph.callFunction('torch.neg', [relu.args[0]]));
   */
  insertingBefore<T>(node: Node | null, fn: () => T): T {
    const target = node ?? this.root._next;
    this.checkOwn(target, 'insertingBefore');
    const saved = this.insertBefore;
    this.insertBefore = target;
    try {
      return fn();
    } finally {
      this.insertBefore = saved;
    }
  }

  /** Runs `fn` with new nodes inserted just after `node` (at the start when null). */
  insertingAfter<T>(node: Node | null, fn: () => T): T {
    if (node) this.checkOwn(node, 'insertingAfter');
    return this.insertingBefore(node ? node._next : null, fn);
  }

  private checkOwn(node: Node, op: string): void {
    if (node !== this.root && (node.graph !== this || node._erased)) {
      throw new QTorchValueError(`${op}(): node '${node.name}' is not in this graph`);
    }
  }

  /** Removes `node`; it must have no users (replace them first). */
  eraseNode(node: Node): void {
    this.checkOwn(node, 'eraseNode');
    if (node === this.root) throw new QTorchValueError('eraseNode(): cannot erase the graph sentinel');
    if (node.users.size > 0) {
      throw new QTorchValueError(
        `eraseNode(): node '${node.name}' still has ${node.users.size} user(s) (${[...node.users].map((u) => u.name).join(', ')}); call replaceAllUsesWith() first`,
      );
    }
    if (this.insertBefore === node) this.insertBefore = node._next;
    node.args = [];
    node.kwargs = {};
    node.unlink();
    node._erased = true;
    this.namespace.release(node.name);
    this.count -= 1;
  }

  /** Nodes with the given op and/or target, in order. */
  findNodes(options: FindNodesOptions): Node[] {
    return this.nodes.filter((n) => (options.op === undefined || n.op === options.op) && (options.target === undefined || n.target === options.target));
  }

  /**
   * Removes nodes whose value nobody reads and that have no side effects (see
   * `Node.isImpure`); returns whether anything was removed.
   */
  eliminateDeadCode(): boolean {
    let changed = false;
    for (const node of this.nodes.reverse()) {
      if (node.users.size === 0 && !node.isImpure()) {
        this.eraseNode(node);
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Checks the graph's invariants: unique names, inputs defined before use and in this graph,
   * users consistent, one output at the end, and (with an owning module) that get_attr /
   * call_module targets exist and call_function targets are in the op vocabulary.
   */
  lint(): void {
    const seen = new Set<Node>();
    const names = new Set<string>();
    const fail = (n: Node, msg: string): never => {
      throw new QTorchValueError(`Graph.lint(): node '${n.name}' (${n.op}): ${msg}`);
    };
    const nodes = this.nodes;
    nodes.forEach((n, i) => {
      if (n.graph !== this) fail(n, 'belongs to another graph');
      if (names.has(n.name)) fail(n, 'duplicate name');
      names.add(n.name);
      const check = (input: Node) => {
        if (input._erased) fail(n, `reads erased node '${input.name}'`);
        if (!seen.has(input)) fail(n, `reads '${input.name}', which is not defined before it`);
        if (!input.users.has(n)) fail(n, `is missing from the users of its input '${input.name}'`);
      };
      for (const a of n.args) forEachNode(a, check);
      for (const v of Object.values(n.kwargs)) forEachNode(v, check);
      for (const u of n.users) if (u._erased || !u.allInputNodes.includes(n)) fail(n, `lists '${u.name}' as a user, which does not read it`);
      if (n.op === 'output' && i !== nodes.length - 1) fail(n, 'the output node must be the last node');
      if (n.op === 'call_function') {
        try {
          resolveFunction(n.target);
        } catch (e) {
          fail(n, (e as Error).message);
        }
      }
      if (this.owningModule && (n.op === 'get_attr' || n.op === 'call_module')) this.lintTarget(n, fail);
      seen.add(n);
    });
  }

  private lintTarget(n: Node, fail: (n: Node, msg: string) => never): void {
    const target = n.target as string;
    let obj: unknown = this.owningModule;
    for (const part of target.split('.')) {
      if (obj === null || typeof obj !== 'object' || !(part in obj)) fail(n, `target '${target}' does not exist on the owning module`);
      obj = (obj as Record<string, unknown>)[part];
    }
    if (n.op === 'call_module' && !(obj instanceof Module)) fail(n, `target '${target}' is not a Module`);
  }

  /** A copy of `node` at the insertion point, its inputs mapped through `argTransform`. */
  nodeCopy(node: Node, argTransform: (n: Node) => Argument): Node {
    const map = (a: Argument) => mapArg(a, argTransform) as Argument;
    const copy = this.createNode(
      node.op,
      node.target,
      node.args.map(map),
      Object.fromEntries(Object.entries(node.kwargs).map(([k, v]) => [k, map(v)])),
      node.name,
    );
    copy.meta = { ...node.meta };
    return copy;
  }

  /**
   * Copies the nodes of `src` (all but its output) into this graph; `valMap` maps src nodes to
   * copies (pre-filled entries are used as given and not copied). Returns the src output's
   * value mapped into this graph (or undefined when src has no output).
   */
  graphCopy(src: Graph, valMap: Map<Node, Argument>): Argument {
    let result: Argument = undefined;
    for (const n of src.nodes) {
      if (valMap.has(n)) continue;
      if (n.op === 'output') {
        result = mapArg(n.args[0], (x) => valMap.get(x)) as Argument;
        continue;
      }
      valMap.set(n, this.nodeCopy(n, (x) => valMap.get(x) as Argument));
    }
    return result;
  }

  /** A deep copy of this graph (new nodes, same targets and meta). */
  copy(): Graph {
    const g = new Graph();
    const out = g.graphCopy(this, new Map());
    if (this.outputNode) g.output(out);
    return g;
  }

  /** torch.fx's printed form: one `%name : [#users=N] = op[target=...](args, kwargs)` line per node. */
  toString(): string {
    const lines = ['graph():'];
    for (const n of this.nodes) {
      if (n.op === 'output') {
        lines.push(`    return ${formatArg(n.args[0]).replace(/%/g, '')}`);
        continue;
      }
      let line = `    %${n.name} : [#users=${n.users.size}] = ${n.op}[target=${targetName(n.target)}]`;
      if (n.op !== 'placeholder' || n.args.length) {
        line += `(args = ${formatArgsTuple(n.args)}, kwargs = ${formatArg(n.kwargs as Argument)})`;
      }
      lines.push(line);
    }
    return lines.join('\n');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** The printed form (keeps test printers from walking the node list). */
  toJSON(): string {
    return this.toString();
  }

  /** The nodes as a table (opcode, name, target, args, kwargs). */
  tabular(): string {
    const rows = this.nodes.map((n) => [n.op, n.name, targetName(n.target), formatArgsTuple(n.args), formatArg(n.kwargs as Argument)]);
    return table(['opcode', 'name', 'target', 'args', 'kwargs'], rows);
  }

  /** Prints `tabular()` to the console (torch.fx's `print_tabular`) and returns it. */
  printTabular(): string {
    const text = this.tabular();
    console.log(text);
    return text;
  }
}
