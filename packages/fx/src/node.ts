/**
 * `Node`: one operation of a Graph (torch.fx.Node). A node has an `op` (what kind of
 * operation), a `target` (what is called or read), `args` and `kwargs` (its inputs: constants
 * or other nodes, possibly nested in arrays and plain objects), a unique `name` (the variable
 * of the generated code), `users` (the nodes that read it) and free-form `meta`.
 */
import { DType, QTorchValueError } from '@qtorch/qtensor';
import type { Graph } from './graph.js';
import { checkQualifiedName, checkSafeAttr, isIdentifier } from './names.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFn = (...args: any[]) => any;

/** The kinds of node (torch.fx's opcodes). */
export type Op = 'placeholder' | 'get_attr' | 'call_function' | 'call_method' | 'call_module' | 'output';

export const OPS: readonly Op[] = ['placeholder', 'get_attr', 'call_function', 'call_method', 'call_module', 'output'];

/**
 * What a node calls or reads: an attribute path (get_attr, call_module), a method name
 * (call_method), a placeholder's name, or for call_function a qualified name of the op
 * vocabulary (`'F.relu'`) or, for graphs built in memory, a function.
 */
export type Target = string | AnyFn;

/** A node input: a constant, a node, or arrays / plain objects of them. */
export type Argument =
  | Node
  | number
  | string
  | boolean
  | null
  | undefined
  | DType
  | readonly Argument[]
  | { readonly [key: string]: Argument };

/** A node's keyword arguments: the trailing options object of the call. */
export type Kwargs = { readonly [key: string]: Argument };

/** Options of `replaceAllUsesWith`. */
export interface ReplaceAllUsesOptions {
  /** Users for which this returns false keep their input. */
  deleteUserCb?: (user: Node) => boolean;
}

/** True for arrays' and plain objects' prototypes: the containers an Argument may nest in. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Applies `fn` to every node inside `a` (arrays and plain objects are rebuilt). */
export function mapArg<T>(a: Argument, fn: (n: Node) => T): unknown {
  if (a instanceof Node) return fn(a);
  if (Array.isArray(a)) return a.map((v: Argument) => mapArg(v, fn));
  if (isPlainObject(a)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) out[k] = mapArg(v as Argument, fn);
    return out;
  }
  return a;
}

/** Calls `fn` on every node inside `a`, in order. */
export function forEachNode(a: Argument, fn: (n: Node) => void): void {
  mapArg(a, (n) => {
    fn(n);
    return n;
  });
}

/** Built-in call_function targets whose attribute argument is checked when the node is made. */
const ATTR_ARG_TARGETS = new Set(['getattr', 'getitem']);

/**
 * Checks that (op, target, args) is a node a graph may hold: known op, attribute paths and
 * method names free of prototype internals, constant getattr / getitem keys safe.
 */
export function checkNodeSpec(op: Op, target: Target, args: readonly Argument[]): void {
  if (!OPS.includes(op)) throw new QTorchValueError(`createNode(): unknown op '${String(op)}' (expected one of ${OPS.join(', ')})`);
  const what = `createNode(${op})`;
  switch (op) {
    case 'get_attr':
    case 'call_module':
      checkQualifiedName(target, what);
      break;
    case 'call_method':
      if (typeof target !== 'string' || !isIdentifier(target)) {
        throw new QTorchValueError(`${what}: method name must be an identifier, got ${JSON.stringify(String(target))}`);
      }
      checkSafeAttr(target, what);
      break;
    case 'call_function':
      if (typeof target !== 'string' && typeof target !== 'function') {
        throw new QTorchValueError(`${what}: target must be a qualified op name or a function, got ${typeof target}`);
      }
      if (typeof target === 'string' && ATTR_ARG_TARGETS.has(target)) {
        const key = args[1];
        if (typeof key === 'string') checkSafeAttr(key, `${what} ${target}`);
      }
      break;
    case 'placeholder':
    case 'output':
      if (typeof target !== 'string') throw new QTorchValueError(`${what}: target must be a string`);
      break;
  }
}

/**
 * One operation of a Graph (torch.fx.Node): an opcode, a target, positional args and kwargs
 * (which may reference other nodes), a unique name, and the users that read its value.
 */
export class Node {
  /** The graph this node belongs to. */
  readonly graph: Graph;
  /** Unique within the graph; the variable name in generated code. */
  name: string;
  /** The opcode: `placeholder`, `get_attr`, `call_function`, `call_method`, `call_module` or `output`. */
  readonly op: Op;
  /** What is called or read: a function, a method name, or a qualified attribute / module name. */
  target: Target;
  /** Free-form metadata (ShapeProp writes `tensorMeta`; passes add their own). */
  meta: Record<string, unknown> = {};
  /** Nodes that read this node, in the order they started to. */
  readonly users = new Set<Node>();
  /** @internal */
  _prev: Node = this;
  /** @internal */
  _next: Node = this;
  /** @internal */
  _erased = false;
  private _args: readonly Argument[] = [];
  private _kwargs: Kwargs = {};
  private _inputs = new Set<Node>();

  /** @internal Created by `Graph.createNode`. */
  constructor(graph: Graph, name: string, op: Op, target: Target, args: readonly Argument[], kwargs: Kwargs) {
    this.graph = graph;
    this.name = name;
    this.op = op;
    this.target = target;
    this.setInputs(args, kwargs);
  }

  /** Positional inputs. Assigning updates `users` of old and new input nodes. */
  get args(): readonly Argument[] {
    return this._args;
  }
  set args(args: readonly Argument[]) {
    this.setInputs(args, this._kwargs);
  }

  /** Keyword inputs (the call's trailing options object). */
  get kwargs(): Kwargs {
    return this._kwargs;
  }
  set kwargs(kwargs: Kwargs) {
    this.setInputs(this._args, kwargs);
  }

  private setInputs(args: readonly Argument[], kwargs: Kwargs): void {
    checkNodeSpec(this.op, this.target, args);
    const inputs = new Set<Node>();
    const collect = (n: Node) => {
      if (n.graph !== this.graph) {
        throw new QTorchValueError(`Node '${this.name}': input '${n.name}' belongs to another graph`);
      }
      inputs.add(n);
    };
    for (const a of args) forEachNode(a, collect);
    for (const v of Object.values(kwargs)) forEachNode(v, collect);
    for (const old of this._inputs) old.users.delete(this);
    for (const n of inputs) n.users.add(this);
    this._args = Object.freeze([...args]);
    this._kwargs = Object.freeze({ ...kwargs });
    this._inputs = inputs;
  }

  /** The distinct nodes among args and kwargs, in order of appearance. */
  get allInputNodes(): Node[] {
    return [...this._inputs];
  }

  /** The previous node in the graph (the graph's sentinel at the start). */
  get prev(): Node {
    return this._prev;
  }

  /** The next node in the graph (the graph's sentinel at the end). */
  get next(): Node {
    return this._next;
  }

  /** Moves `x` to just before this node. */
  prepend(x: Node): void {
    if (x === this) throw new QTorchValueError('prepend(): cannot prepend a node to itself');
    if (x.graph !== this.graph) throw new QTorchValueError('prepend(): nodes belong to different graphs');
    x.unlink();
    const p = this._prev;
    p._next = x;
    x._prev = p;
    x._next = this;
    this._prev = x;
  }

  /** Moves `x` to just after this node. */
  append(x: Node): void {
    this._next.prepend(x);
  }

  /** @internal Takes the node out of the list (not out of the graph's names). */
  unlink(): void {
    const p = this._prev, n = this._next;
    p._next = n;
    n._prev = p;
    this._prev = this;
    this._next = this;
  }

  /** Replaces input `n` by `arg` wherever it occurs (args and kwargs). */
  replaceInputWith(oldInput: Node, newInput: Argument): void {
    const swap = (x: Node) => (x === oldInput ? newInput : x);
    this.setInputs(
      this._args.map((a) => mapArg(a, swap) as Argument),
      Object.fromEntries(Object.entries(this._kwargs).map(([k, v]) => [k, mapArg(v, swap) as Argument])),
    );
  }

  /**
   * Makes every user of this node read `replaceWith` instead; returns the users changed.
   * @example relu.replaceAllUsesWith(gelu);
   */
  replaceAllUsesWith(replaceWith: Node, options: ReplaceAllUsesOptions = {}): Node[] {
    const changed: Node[] = [];
    for (const user of [...this.users]) {
      if (user === replaceWith || (options.deleteUserCb && !options.deleteUserCb(user))) continue;
      user.replaceInputWith(this, replaceWith);
      changed.push(user);
    }
    return changed;
  }

  /** Replaces positional argument `idx`. */
  updateArg(idx: number, arg: Argument): void {
    const args = [...this._args];
    args[idx] = arg;
    this.args = args;
  }

  /** Replaces keyword argument `key`. */
  updateKwarg(key: string, arg: Argument): void {
    this.kwargs = { ...this._kwargs, [key]: arg };
  }

  /**
   * True when the node must stay even without users: placeholders, output, in-place calls
   * (names ending in `_`, the JS spelling of PyTorch's in-place ops) and assertions.
   */
  isImpure(): boolean {
    if (this.op === 'placeholder' || this.op === 'output') return true;
    if (this.op === 'call_module') return false;
    const name = typeof this.target === 'string' ? this.target : '';
    return name.endsWith('_') || name.startsWith('fx.assert');
  }

  /** The node's name (torch.fx's `str(node)`). */
  toString(): string {
    return this.name;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.name;
  }

  /** `Node(name)`: keeps test printers and JSON.stringify from walking the whole graph. */
  toJSON(): string {
    return `Node(${this.name})`;
  }
}
