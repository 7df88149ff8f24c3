/**
 * Symbolic tracing (torch.fx.Tracer / symbolic_trace): runs a module's `forward` with
 * proxies instead of tensors and records what it does as a Graph.
 *
 * - Module calls go through `Module.prototype.call`, which the tracer replaces while tracing
 *   (restored in `finally`): a leaf module becomes a call_module node, any other module is
 *   traced through (its `forward` runs with proxies; hooks are not run, as in torch.fx).
 * - Functions made with qtensor's `traceable()` (the `F` namespace of @qtorch/nn, `torch`
 *   of @qtorch/fx) reach the tracer through qtensor's trace hook: call_function nodes.
 * - Inside traced-through modules `this` is a view of the module on which reading a tensor
 *   attribute (a parameter, buffer or plain tensor) gives a get_attr proxy.
 * - Tensors met in arguments that are not module attributes become `_tensor_constant<N>`
 *   attributes of the GraphModule.
 */
import { DType, Tensor, isLeafModuleClass, setTraceHook } from '@qtorch/qtensor';
import { Module, type ModuleClass, moduleName } from '@qtorch/nn';
import { TRACE_HINT, TraceError } from './errors.js';
import { Graph } from './graph.js';
import { GraphModule } from './graph_module.js';
import { FxModule } from './fx_module.js';
import { ensureLibraryRegistered } from './library.js';
import { type AnyFn, type Argument, Node, type Op, type Target, isPlainObject } from './node.js';
import { parameterNames } from './params.js';
import { type ProxyHost, makeProxy, proxyRecord, splitKwargs } from './proxy.js';

/** Options of `Tracer`. */
export interface TracerOptions {
  /** More module classes to record as call_module (besides the registered library classes). */
  leafModules?: readonly ModuleClass[];
}

/** Options of `Tracer.trace`. */
export interface TraceOptions {
  /**
   * Values for some of `forward`'s parameters, by name: the trace is specialized to them
   * (e.g. a flag steering control flow). The GraphModule keeps the parameter; passing
   * another primitive value later is an error.
   */
  concreteArgs?: Record<string, unknown>;
}

type CallSlot = { call: AnyFn };

function isPrimitive(v: unknown): boolean {
  return v === null || v === undefined || ['number', 'string', 'boolean'].includes(typeof v);
}

/**
 * Symbolic tracer (torch.fx.Tracer): runs a module's forward on proxies and records every
 * function, method and leaf-module call as a Node of a Graph. `isLeafModule` decides which
 * modules are called as a unit.
 */
export class Tracer implements ProxyHost {
  /** The graph being recorded. */
  graph = new Graph();
  /** The module being traced (an FxModule for plain functions). */
  root: Module = new FxModule();
  /** Tensors met during tracing that are not attributes of root, by the name they get. */
  readonly tensorConstants = new Map<string, Tensor>();
  private readonly leafClasses: Set<unknown>;
  private modulePaths = new Map<Module, string>();
  private tensorPaths: Map<Tensor, string> | null = null;
  private attrProxies = new Map<string, unknown>();
  private moduleViews = new WeakMap<Module, Module>();
  private viewTargets = new WeakMap<object, Module>();

  /** @param options - `leafModules`: more module classes recorded as call_module. */
  constructor(options: TracerOptions = {}) {
    ensureLibraryRegistered();
    this.leafClasses = new Set(options.leafModules ?? []);
  }

  /**
   * Whether calls to `m` are recorded as call_module (true) or traced through. Default:
   * classes registered with `registerLeafModuleClass` (every module class of the qtorch
   * packages but containers) and the `leafModules` option. Override to change.
   */
  isLeafModule(m: Module, qualifiedName: string): boolean {
    void qualifiedName;
    return isLeafModuleClass(m.constructor) || this.leafClasses.has(m.constructor);
  }

  /**
   * Records `root`'s forward (or the function `root`) as a Graph.
   * @example const graph = new Tracer().trace(model);
   */
  trace(root: Module | AnyFn, options: TraceOptions = {}): Graph {
    const isModule = root instanceof Module;
    // a GraphModule's forward takes (...args): trace its compiled function, which names them
    const fn: AnyFn = root instanceof GraphModule ? root.compiledForward : isModule ? root.forward : root;
    this.attach(isModule ? root : new FxModule(), new Graph());
    const params = parameterNames(fn);
    const concrete = options.concreteArgs ?? {};
    for (const key of Object.keys(concrete)) {
      if (!params.some((p) => p.name === key)) {
        throw new TraceError(`symbolicTrace(): concreteArgs names '${key}', which is not a parameter of forward (${params.map((p) => p.name).join(', ')})`);
      }
    }
    // re-tracing a GraphModule keeps its placeholders' defaults
    const defaults = new Map<string, Argument>();
    if (root instanceof GraphModule) {
      for (const n of root.graph.findNodes({ op: 'placeholder' })) if (n.args.length) defaults.set(n.target as string, n.args[0]);
    }
    const args = params.map(({ name }) => {
      if (!Object.prototype.hasOwnProperty.call(concrete, name)) {
        return makeProxy(this, this.graph.placeholder(name, defaults.has(name) ? { defaultValue: defaults.get(name) } : {}));
      }
      const value = concrete[name];
      if (!isPrimitive(value)) {
        this.graph.placeholder(name, { defaultValue: undefined });
        return value;
      }
      const ph = this.graph.placeholder(name, { defaultValue: value as Argument });
      this.graph.callFunction('fx.assertSpecialized', [ph, value as Argument, name]);
      return value;
    });
    const result = this.withTracing(() => fn.apply(isModule ? this.moduleView(root) : undefined, args));
    this.graph.output(this.createArg(result));
    return this.graph;
  }

  /** @internal Points the tracer at `root` and `graph` (trace() and Transformer). */
  attach(root: Module, graph: Graph): void {
    this.root = root;
    this.graph = graph;
    this.modulePaths = new Map();
    for (const [name, m] of root.namedModules()) this.modulePaths.set(m, name);
    this.tensorPaths = null;
    this.attrProxies = new Map();
    this.tensorConstants.clear();
  }

  /**
   * @internal Runs `fn` with the trace hook installed and `Module.prototype.call` routed
   * through `callModule`; both are restored afterwards, also on error.
   */
  withTracing<T>(fn: () => T): T {
    const proto = Module.prototype as unknown as CallSlot;
    const originalCall = proto.call;
    const tracer = this;
    proto.call = function (this: Module, ...args: unknown[]): unknown {
      const m = tracer.viewTargets.get(this) ?? this;
      return tracer.callModule(m, (...a: unknown[]) => m.forward.apply(tracer.moduleView(m), a), args);
    };
    const previousHook = setTraceHook((name, _fn, args) => {
      const [a, kw] = splitKwargs(args);
      return this.createProxy('call_function', name, a, kw);
    });
    try {
      return fn();
    } finally {
      setTraceHook(previousHook);
      proto.call = originalCall;
    }
  }

  /**
   * Handles a module call met while tracing: a call_module node for leaves, else runs
   * `forward` (torch.fx's `Tracer.call_module`). Override to customize.
   */
  callModule(m: Module, forward: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    const path = this.pathOfModule(m);
    if (!this.isLeafModule(m, path)) return forward(...args);
    const [a, kw] = splitKwargs(args);
    return this.createProxy('call_module', path, a, kw);
  }

  /** The qualified name of `m` in root; a module that is not part of root is a TraceError. */
  pathOfModule(m: Module): string {
    const path = this.modulePaths.get(m);
    if (path === undefined) {
      throw new TraceError(`symbolic tracing: ${moduleName(m)} is called but is not a submodule of the traced root; assign it to a property of the model before tracing`);
    }
    return path;
  }

  /** Records a node from runtime values and returns a proxy for it. */
  createProxy(op: Op, target: Target, args: readonly unknown[], kwargs: Record<string, unknown>): unknown {
    return makeProxy(this, this.createNodeFromValues(op, target, args, kwargs));
  }

  /** Records a node from runtime values (proxies and tensors inside are turned into nodes). */
  createNodeFromValues(op: Op, target: Target, args: readonly unknown[], kwargs: Record<string, unknown>): Node {
    const a = args.map((v) => this.createArg(v));
    const kw = this.createArg(kwargs) as Record<string, Argument>;
    return this.graph.createNode(op, target, a, kw);
  }

  /**
   * A runtime value as a node argument: proxies become their nodes, tensors get_attr nodes,
   * constants stay; anything else (a function, a Module, a class instance) is a TraceError.
   */
  createArg(a: unknown): Argument {
    const rec = proxyRecord(a);
    if (rec) {
      if (rec.host !== this) throw new TraceError('symbolic tracing: a traced value of another trace was used');
      return rec.node;
    }
    if (a instanceof Node) {
      if (a.graph !== this.graph) throw new TraceError(`symbolic tracing: node '${a.name}' belongs to another graph`);
      return a;
    }
    if (a instanceof Tensor) return proxyRecord(this.tensorProxy(a))!.node;
    if (isPrimitive(a) || a instanceof DType) return a as Argument;
    if (Array.isArray(a)) return a.map((v) => this.createArg(v));
    if (isPlainObject(a)) {
      const out: Record<string, Argument> = {};
      for (const [k, v] of Object.entries(a)) out[k] = this.createArg(v);
      return out;
    }
    const what = a instanceof Module ? `a Module (${moduleName(a)})` : typeof a === 'object' ? `a ${(a as object).constructor?.name ?? 'object'}` : `a ${typeof a}`;
    throw new TraceError(`symbolic tracing: ${what} cannot be recorded as an argument of a traced call. ${TRACE_HINT}`);
  }

  /** A get_attr proxy for `qualifiedName` (one node per name and trace). */
  getAttrProxy(qualifiedName: string): unknown {
    let p = this.attrProxies.get(qualifiedName);
    if (p === undefined) {
      p = makeProxy(this, this.graph.getAttr(qualifiedName));
      this.attrProxies.set(qualifiedName, p);
    }
    return p;
  }

  /** A get_attr proxy for a concrete tensor: its attribute path in root, or a new constant. */
  private tensorProxy(t: Tensor): unknown {
    this.tensorPaths ??= this.collectTensorPaths();
    let path = this.tensorPaths.get(t);
    if (path === undefined) {
      path = `_tensor_constant${this.tensorConstants.size}`;
      this.tensorConstants.set(path, t);
      this.tensorPaths.set(t, path);
    }
    return this.getAttrProxy(path);
  }

  private collectTensorPaths(): Map<Tensor, string> {
    const paths = new Map<Tensor, string>();
    for (const [prefix, m] of this.root.namedModules()) {
      const own: Array<[string, unknown]> = [...Object.entries(m), ...m._buffers];
      for (const [name, v] of own) {
        if (v instanceof Tensor && !paths.has(v)) paths.set(v, prefix ? `${prefix}.${name}` : name);
      }
    }
    return paths;
  }

  /** The `this` a traced-through module's forward sees: tensor attributes read as get_attr proxies. */
  private moduleView(m: Module): Module {
    let view = this.moduleViews.get(m);
    if (view) return view;
    const tracer = this;
    view = new Proxy(m, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || !(v instanceof Tensor)) return v;
        const prefix = tracer.pathOfModule(target);
        return tracer.getAttrProxy(prefix ? `${prefix}.${key}` : key);
      },
    });
    this.moduleViews.set(m, view);
    this.viewTargets.set(view, m);
    return view;
  }
}

