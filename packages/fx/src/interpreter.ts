/**
 * `Interpreter` runs a graph node by node (torch.fx.Interpreter); override `runNode` or the
 * per-op methods (`callFunction`, `callMethod`, `callModule`, ...) to observe or change
 * execution. `Transformer` (torch.fx.Transformer) runs the same methods on proxies to build
 * a new graph: override them to rewrite calls.
 */
import { QTorchValueError } from '@qtorch/qtensor';
import { type Module } from '@qtorch/nn';
import { Graph } from './graph.js';
import { GraphModule } from './graph_module.js';
import { checkSafeAttr } from './names.js';
import { type Argument, Node, type Op, type Target, mapArg } from './node.js';
import { makeProxy } from './proxy.js';
import { Tracer } from './tracer.js';
import { resolveFunction } from './vocabulary.js';

/** Options of `new Interpreter`. */
export interface InterpreterOptions {
  /** The graph to run (default: the module's own, for a GraphModule). */
  graph?: Graph;
  /** Drop each value after its last use (default true). */
  garbageCollectValues?: boolean;
}

/** Runtime values of a node's args and kwargs. */
export type RuntimeArgs = unknown[];
/** Runtime values of a node's kwargs, by name. */
export type RuntimeKwargs = Record<string, unknown>;

/** Call arguments: the positional ones, then the kwargs object when it has entries. */
export function withKwargs(args: readonly unknown[], kwargs: RuntimeKwargs): unknown[] {
  return Object.keys(kwargs).length > 0 ? [...args, kwargs] : [...args];
}

const OP_METHODS: Record<Op, 'placeholder' | 'getAttr' | 'callFunction' | 'callMethod' | 'callModule' | 'output'> = {
  placeholder: 'placeholder',
  get_attr: 'getAttr',
  call_function: 'callFunction',
  call_method: 'callMethod',
  call_module: 'callModule',
  output: 'output',
};

/**
 * Runs a GraphModule node by node (torch.fx.Interpreter); subclasses override the per-opcode
 * methods (`callFunction`, `callModule`, ...) to observe or change what each node does.
 */
export class Interpreter {
  /** The module whose attributes get_attr / call_module nodes read. */
  readonly module: Module;
  /** The graph being run. */
  readonly graph: Graph;
  /** Node -> value of the current run. */
  env = new Map<Node, unknown>();
  private readonly garbageCollect: boolean;
  /** Node -> the inputs whose last use it is. */
  private readonly lastUses = new Map<Node, Node[]>();
  private pendingArgs: unknown[] = [];

  /**
   * @param module - The module to run (a GraphModule, or any module with `options.graph`).
   * @param options - `graph` (default: the GraphModule's) and `garbageCollectValues` (default true).
   * @throws QTorchValueError when no graph is given and the module is not a GraphModule.
   */
  constructor(module: Module, options: InterpreterOptions = {}) {
    this.module = module;
    const graph = options.graph ?? (module instanceof GraphModule ? module.graph : undefined);
    if (!graph) throw new QTorchValueError('Interpreter: pass a GraphModule or { graph }');
    this.graph = graph;
    this.garbageCollect = options.garbageCollectValues ?? true;
    const seen = new Set<Node>();
    for (const n of [...graph.nodes].reverse()) {
      for (const input of n.allInputNodes) {
        if (seen.has(input)) continue;
        seen.add(input);
        const list = this.lastUses.get(n) ?? [];
        list.push(input);
        this.lastUses.set(n, list);
      }
    }
  }

  /**
   * Runs the graph on `args` (one per placeholder; `undefined` takes a placeholder's default)
   * and returns the output node's value.
   * @example const y = new Interpreter(gm).run(x);
   */
  run(...args: unknown[]): unknown {
    this.env = new Map();
    this.pendingArgs = [...args];
    for (const node of this.graph.nodes) {
      let value: unknown;
      try {
        value = this.runNode(node);
      } catch (e) {
        if (e instanceof Error && !e.message.includes('While executing')) {
          e.message += `\n  While executing %${node.name} : ${node.op}[target=${typeof node.target === 'string' ? node.target : node.target.name}]`;
        }
        throw e;
      }
      this.env.set(node, value);
      if (this.garbageCollect) for (const dead of this.lastUses.get(node) ?? []) this.env.delete(dead);
      if (node.op === 'output') return value;
    }
    return undefined;
  }

  /** Runs one node: fetches its inputs and dispatches on its op. */
  runNode(n: Node): unknown {
    const [args, kwargs] = this.fetchArgsKwargsFromEnv(n);
    return this[OP_METHODS[n.op]](n.target, args, kwargs);
  }

  /** The next input of `run` (or the placeholder's default for `undefined`). */
  placeholder(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    void target;
    void kwargs;
    const value = this.pendingArgs.shift();
    return value === undefined && args.length > 0 ? args[0] : value;
  }

  /** The module attribute at `target`. */
  getAttr(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    void args;
    void kwargs;
    return this.fetchAttr(target as string);
  }

  /** Calls the op-vocabulary function (or function value) `target`. */
  callFunction(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    return resolveFunction(target)(...withKwargs(args, kwargs));
  }

  /** Calls method `target` of `args[0]`. */
  callMethod(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    checkSafeAttr(target, 'Interpreter.callMethod()');
    const [self, ...rest] = args;
    const method = (self as Record<string, unknown>)?.[target];
    if (typeof method !== 'function') {
      const what = self === null || self === undefined ? String(self) : `a ${(self as object).constructor?.name ?? typeof self}`;
      throw new QTorchValueError(`Interpreter.callMethod(): ${what} has no method '${target}'`);
    }
    return (method as (...a: unknown[]) => unknown).apply(self, withKwargs(rest, kwargs));
  }

  /** Calls the submodule at `target` (through `Module.call`, hooks included). */
  callModule(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    const m = this.fetchAttr(target as string) as Module;
    return m.call(...withKwargs(args, kwargs));
  }

  /** The graph's result. */
  output(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    void target;
    void kwargs;
    return args[0];
  }

  /** Reads the attribute at dotted path `target` of the module. */
  fetchAttr(target: string): unknown {
    let obj: unknown = this.module;
    for (const part of target.split('.')) {
      checkSafeAttr(part, 'Interpreter.fetchAttr()');
      if (obj === null || typeof obj !== 'object' || !(part in obj)) {
        throw new QTorchValueError(`Interpreter: the module has no attribute '${target}'`);
      }
      obj = (obj as Record<string, unknown>)[part];
    }
    return obj;
  }

  /** The runtime values of `n`'s args and kwargs. */
  fetchArgsKwargsFromEnv(n: Node): [RuntimeArgs, RuntimeKwargs] {
    return [this.mapNodesToValues(n.args, n) as RuntimeArgs, this.mapNodesToValues(n.kwargs as Argument, n) as RuntimeKwargs];
  }

  /** `a` with every node replaced by its value in this run. */
  mapNodesToValues(a: Argument | readonly Argument[], n: Node): unknown {
    return mapArg(a as Argument, (x) => {
      if (!this.env.has(x)) throw new QTorchValueError(`Interpreter: node '${n.name}' reads '${x.name}', which has no value (graph order or garbage collection)`);
      return this.env.get(x);
    });
  }
}

/**
 * Builds a new graph by running the per-op methods on proxies (torch.fx.Transformer).
 * Override `callFunction` etc. and return `super.callFunction(otherTarget, args, kwargs)`, or
 * call traceable functions on the proxy arguments directly.
 *
 * @example
 * ```ts
 * class ReluToGelu extends Transformer {
 *   override callFunction(target: Target, args: unknown[], kwargs: Record<string, unknown>) {
 *     return super.callFunction(target === 'F.relu' ? 'F.gelu' : target, args, kwargs);
 *   }
 * }
 * const gm2 = new ReluToGelu(gm).transform();
 * ```
 */
export class Transformer extends Interpreter {
  /** The graph being built. */
  readonly newGraph = new Graph();
  /** Records nodes into `newGraph` (also for traceable functions called by overrides). */
  readonly tracer = new Tracer();

  /**
   * @param module - The GraphModule to transform.
   * @param options - `graph` (default the module's).
   */
  constructor(module: Module, options: Omit<InterpreterOptions, 'garbageCollectValues'> = {}) {
    super(module, { ...options, garbageCollectValues: false });
    this.tracer.attach(module, this.newGraph);
  }

  override placeholder(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    void kwargs;
    const node = this.newGraph.placeholder(target as string, args.length ? { defaultValue: args[0] as Argument } : {});
    return makeProxy(this.tracer, node);
  }

  override getAttr(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    return this.tracer.createProxy('get_attr', target, args, kwargs);
  }

  override callFunction(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    return this.tracer.createProxy('call_function', target, args, kwargs);
  }

  override callMethod(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    return this.tracer.createProxy('call_method', target, args, kwargs);
  }

  override callModule(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
    return this.tracer.createProxy('call_module', target, args, kwargs);
  }

  /** Runs the transformation and returns a GraphModule over the module's attributes. */
  transform(): GraphModule {
    const result = this.tracer.withTracing(() => this.run());
    this.newGraph.output(this.tracer.createArg(result));
    const className = this.module instanceof GraphModule ? this.module.className : undefined;
    return new GraphModule(this.module, this.newGraph, { className });
  }
}
