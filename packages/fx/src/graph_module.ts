/**
 * `GraphModule`: a Module that runs a Graph (torch.fx.GraphModule). It holds the submodules,
 * parameters and buffers the graph's call_module / get_attr nodes name, copied by reference
 * from the traced root under the same dotted paths, and a `forward` compiled from the graph's
 * generated code (`gm.code`). After editing `gm.graph`, call `gm.recompile()`.
 */
import { QTorchValueError, Tensor } from '@qtorch/qtensor';
import { type DeepcopyMemo, Module, deepcopy, deepcopySymbol, moduleName } from '@qtorch/nn';
import { type GeneratedCode, compileForward, generateCode } from './codegen.js';
import { FxModule } from './fx_module.js';
import { checkQualifiedName } from './names.js';
import { Graph } from './graph.js';
import type { AnyFn } from './node.js';

/** Options of `new GraphModule`. */
export interface GraphModuleOptions {
  /** The name printed for the module (default: the root's class name, or 'GraphModule'). */
  className?: string;
  /** Values for targets not found on the root (the tracer's tensor constants). @internal */
  constants?: ReadonlyMap<string, unknown>;
}

/** Internal fields, kept non-enumerable so the Module machinery (children, repr) ignores them. */
const INTERNAL = ['_graph', '_code', '_forwardImpl', 'className'] as const;

/** Defines `obj[key] = value` as an ordinary own property, even over an inherited accessor. */
function defineOwn(obj: object, key: string, value: unknown, enumerable = true): void {
  Object.defineProperty(obj, key, { value, enumerable, writable: true, configurable: true });
}

/** Reads `root`'s attribute at `target` and where it lives. */
function lookup(root: Module | Record<string, unknown>, target: string): { owner: unknown; value: unknown } {
  if (!(root instanceof Module)) return { owner: undefined, value: root[target] };
  const parts = target.split('.');
  let owner: unknown = root;
  for (const p of parts.slice(0, -1)) owner = owner === undefined || owner === null ? undefined : (owner as Record<string, unknown>)[p];
  const leaf = parts[parts.length - 1]!;
  const value = owner instanceof Module || (typeof owner === 'object' && owner !== null) ? (owner as Record<string, unknown>)[leaf] : undefined;
  return { owner, value };
}

/**
 * Copies the attribute at `target` from `root` (or `constants`) into `gm` under the same path,
 * creating bare FxModules for intermediate names (torch.fx's `_copy_attr`). Parameters stay
 * parameters, buffers stay buffers.
 */
function copyAttr(gm: Module, root: Module | Record<string, unknown>, target: string, constants?: ReadonlyMap<string, unknown>): void {
  const parts = target.split('.');
  let dst: Module = gm;
  let src: unknown = root;
  for (const p of parts.slice(0, -1)) {
    src = src instanceof Module ? (src as unknown as Record<string, unknown>)[p] : undefined;
    let next = (dst as unknown as Record<string, unknown>)[p];
    if (!(next instanceof Module)) {
      next = new FxModule();
      if (src instanceof Module) (next as Module).training = src.training;
      defineOwn(dst, p, next);
    }
    dst = next as Module;
  }
  const leaf = parts[parts.length - 1]!;
  const { owner, value } = constants?.has(target) ? { owner: undefined, value: constants.get(target) } : lookup(root, target);
  if (value === undefined) throw new QTorchValueError(`GraphModule: node target '${target}' does not exist on the root module`);
  if (owner instanceof Module && value instanceof Tensor && owner._buffers.has(leaf)) {
    dst.registerBuffer(leaf, value, { persistent: !owner._nonPersistentBuffers.has(leaf) });
  } else {
    defineOwn(dst, leaf, value);
  }
}

/**
 * A Module built from a Graph (torch.fx.GraphModule): holds the submodules, parameters and
 * buffers the graph's get_attr and call_module nodes use, and runs the graph as its forward.
 */
export class GraphModule extends Module {
  /** The printed class name. */
  declare className: string;
  declare private _graph: Graph;
  declare private _code: string;
  declare private _forwardImpl: AnyFn;

  /**
   * A GraphModule running `graph`, with the attributes its nodes name copied from `root` (a
   * Module, or a record from qualified name to value).
   */
  constructor(root: Module | Record<string, unknown>, graph: Graph, options: GraphModuleOptions = {}) {
    super();
    defineOwn(this, 'className', options.className ?? (root instanceof Module ? moduleName(root) : 'GraphModule'), false);
    if (root instanceof Module) this.training = root.training;
    const targets = graph.nodes.filter((n) => n.op === 'get_attr' || n.op === 'call_module').map((n) => n.target as string);
    // graph order, as torch.fx; a called module later replaces the bare holder made for its path
    for (const t of new Set(targets)) {
      copyAttr(this, root, t, options.constants);
    }
    this.graph = graph;
  }

  /** The graph this module runs. Assigning a graph recompiles. */
  get graph(): Graph {
    return this._graph;
  }
  set graph(g: Graph) {
    g.owningModule = this;
    defineOwn(this, '_graph', g, false);
    this.recompile();
  }

  /** The generated source of `forward` (readable JavaScript, like torch.fx's Python code). */
  get code(): string {
    return this._code;
  }

  /** @internal The compiled `forward(x, ...)` (named parameters, for re-tracing). */
  get compiledForward(): AnyFn {
    return this._forwardImpl;
  }

  /** Regenerates `code` and `forward` from the graph (call after editing the graph). */
  recompile(): GeneratedCode {
    const gen = generateCode(this._graph);
    defineOwn(this, '_code', gen.code, false);
    defineOwn(this, '_forwardImpl', compileForward(gen), false);
    return gen;
  }

  /**
   * Installs `m` at dotted path `target`, creating bare modules for missing parents
   * (torch.fx's `add_submodule`); returns false when a parent on the path is not a Module.
   */
  addSubmodule(target: string, m: Module): boolean {
    checkQualifiedName(target, 'addSubmodule()');
    const parts = target.split('.');
    let mod: Module = this;
    for (const p of parts.slice(0, -1)) {
      const next = (mod as unknown as Record<string, unknown>)[p];
      if (next === undefined) {
        const holder = new FxModule();
        defineOwn(mod, p, holder);
        mod = holder;
      } else if (next instanceof Module) mod = next;
      else return false;
    }
    defineOwn(mod, parts[parts.length - 1]!, m);
    return true;
  }

  /** Removes the submodule at `target`; returns false when there is none. */
  deleteSubmodule(target: string): boolean {
    const dot = target.lastIndexOf('.');
    let parent: Module;
    try {
      parent = dot < 0 ? this : this.getSubmodule(target.slice(0, dot));
    } catch {
      return false;
    }
    const name = target.slice(dot + 1);
    if (!((parent as unknown as Record<string, unknown>)[name] instanceof Module)) return false;
    delete (parent as unknown as Record<string, unknown>)[name];
    return true;
  }

  /** Removes submodules no call_module / get_attr node refers to (nor to anything below them). */
  deleteAllUnusedSubmodules(): void {
    const used = new Set<string>();
    for (const n of this._graph.nodes) {
      if (n.op !== 'call_module' && n.op !== 'get_attr') continue;
      const parts = (n.target as string).split('.');
      // a called module keeps everything below it; every prefix of a target is in use
      for (let i = 1; i <= parts.length; i++) used.add(parts.slice(0, i).join('.'));
      if (n.op === 'call_module') used.add(`${n.target as string}.*`);
    }
    const keep = (name: string) => used.has(name) || [...used].some((u) => u.endsWith('.*') && name.startsWith(u.slice(0, -1)));
    for (const [name] of this.namedModules().reverse()) if (name !== '' && !keep(name)) this.deleteSubmodule(name);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(...args: any[]): any {
    return this._forwardImpl.apply(this, args);
  }

  /** The module tree printed as the root class, then the generated code (torch.fx's `str(gm)`). */
  override toString(): string {
    const base = super.toString();
    return `${this.className}${base.slice(moduleName(this).length)}\n\n${this._code}`;
  }

  /** `deepcopy(gm)`: copies the attributes and the graph (new nodes), then recompiles. */
  [deepcopySymbol](memo: DeepcopyMemo): GraphModule {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as GraphModule;
    memo.set(this, copy);
    for (const key of Reflect.ownKeys(this)) {
      if ((INTERNAL as readonly PropertyKey[]).includes(key)) continue;
      const desc = Object.getOwnPropertyDescriptor(this, key)!;
      if ('value' in desc) desc.value = deepcopy(desc.value, memo);
      Object.defineProperty(copy, key, desc);
    }
    defineOwn(copy, 'className', this.className, false);
    copy.graph = this._graph.copy();
    return copy;
  }
}
