/**
 * `Module`: the base class of every layer and model (torch.nn.Module).
 *
 * Children and parameters are discovered from the module's own properties: assigning a
 * Module or a Parameter to a property registers it (`this.conv1 = new Conv2d(...)`), in
 * assignment order, the way PyTorch's `__setattr__` does. Buffers are tensors named by
 * `registerBuffer`. Everything else (`qconfig`, flags, plain tensors) is an ordinary
 * attribute. There is one way to run a module: `module.call(...inputs)`, which runs the
 * forward pre-hooks, `forward`, then the forward hooks (PyTorch's `__call__`).
 */
import { QTorchShapeError, QTorchTypeError, QTorchValueError, Tensor, checkOptions, describeValue, fmtShape, noGrad, zeros } from '@qtorch/qtensor';
import { addHook, type RemovableHandle } from './hooks.js';
import { Parameter } from './parameter.js';

/** A forward pre-hook: may return replacement inputs (an array, or one value for a single input). */
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown;
/** A forward hook: may return a replacement output. */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;

/** A state dict: dotted names (`conv1.weight`, `bn.running_mean`) to tensors, in module order. */
export type StateDict = Record<string, Tensor>;

/** The result of `loadStateDict` (PyTorch's `_IncompatibleKeys`). */
export interface IncompatibleKeys {
  /** Keys the module expected but the state dict lacks. */
  missingKeys: string[];
  /** Keys of the state dict that match no parameter or buffer of the module. */
  unexpectedKeys: string[];
}

/** Error accumulation passed through `_loadFromStateDict`. @internal */
export interface LoadContext {
  strict: boolean;
  missingKeys: string[];
  unexpectedKeys: string[];
  errorMsgs: string[];
}

/** Constructor of a Module subclass; used as the key of module mapping tables. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModuleClass<M extends Module = Module> = abstract new (...args: any[]) => M;

/**
 * Base class of every layer (torch.nn.Module): holds parameters, buffers and child modules
 * (registered by assigning them as properties), switches train/eval mode, and saves and loads
 * state dicts with PyTorch's key names. Subclasses implement `forward`.
 */
export abstract class Module {
  /** Training mode flag (`train()` / `eval()`). */
  training = true;
  /** @internal Buffers in registration order (PyTorch's `_buffers`). */
  _buffers = new Map<string, Tensor | null>();
  /** @internal Names of buffers left out of the state dict. */
  _nonPersistentBuffers = new Set<string>();
  /** @internal */
  _forwardPreHooks = new Map<number, ForwardPreHook>();
  /** @internal */
  _forwardHooks = new Map<number, ForwardHook>();

  /** The computation of this module; run it through `call()`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...inputs: any[]): any;

  /**
   * Runs the module: forward pre-hooks, `forward`, forward hooks. The one call path every
   * package uses (hooks are how observers and the numeric suite attach to a model).
   * @example const y = model.call(x);
   */
  call(...inputs: Parameters<this['forward']>): ReturnType<this['forward']> {
    let args: unknown[] = inputs;
    for (const hook of [...this._forwardPreHooks.values()]) {
      const replaced = hook(this, args);
      if (replaced !== undefined) args = Array.isArray(replaced) ? replaced : [replaced];
    }
    let output: unknown = this.forward(...args);
    for (const hook of [...this._forwardHooks.values()]) {
      const replaced = hook(this, args, output);
      if (replaced !== undefined) output = replaced;
    }
    return output as ReturnType<this['forward']>;
  }

  /** Registers a hook run before `forward`; it may return replacement inputs. */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return addHook(this._forwardPreHooks, hook);
  }

  /** Registers a hook run after `forward`; it may return a replacement output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return addHook(this._forwardHooks, hook);
  }

  // ---- registration -------------------------------------------------------------------

  /** Adds a child module under `name` (same as assigning it to the property). */
  registerModule(name: string, module: Module | null): void {
    checkAttrName(this, name, 'registerModule');
    if (module !== null && !(module instanceof Module)) {
      throw new QTorchTypeError(`registerModule(): ${describe(module)} is not a Module subclass`);
    }
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  /** Alias of `registerModule` (torch `add_module`). */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /** Adds a parameter under `name` (same as assigning a Parameter to the property). */
  registerParameter(name: string, param: Parameter | null): void {
    checkAttrName(this, name, 'registerParameter');
    if (param !== null && !(param instanceof Parameter)) {
      throw new QTorchTypeError(`registerParameter(): cannot assign ${describe(param)} as parameter '${name}' (torch.nn.Parameter or null expected)`);
    }
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /**
   * Adds a buffer: a tensor that is part of the module's state but not trained
   * (BatchNorm's `running_mean`). Non-persistent buffers are left out of the state dict.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    checkAttrName(this, name, 'registerBuffer', true);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new QTorchTypeError(`registerBuffer(): cannot assign ${describe(tensor)} as buffer '${name}' (Tensor or null expected)`);
    }
    this._buffers.set(name, tensor);
    if (options.persistent ?? true) this._nonPersistentBuffers.delete(name);
    else this._nonPersistentBuffers.add(name);
    if (!hasAccessor(this, name)) {
      // Buffers live in `_buffers`; the property reads and writes it, so `this.running_mean = t` works.
      delete (this as unknown as Record<string, unknown>)[name];
      Object.defineProperty(this, name, {
        configurable: true,
        enumerable: false,
        get(this: Module) { return this._buffers.get(name) ?? null; },
        set(this: Module, v: Tensor | null) { this._buffers.set(name, v); },
      });
    }
  }

  // ---- traversal ----------------------------------------------------------------------

  /** `[name, child]` pairs of the direct children, in registration order. */
  namedChildren(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    for (const [key, value] of Object.entries(this)) if (value instanceof Module) out.push([key, value]);
    return out;
  }

  /** The direct children. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * `[dottedName, module]` for this module (name `prefix`) and all descendants, depth first,
   * each module once unless `removeDuplicate` is false.
   */
  namedModules(options: { prefix?: string; removeDuplicate?: boolean } = {}): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    const seen = new Set<Module>();
    const removeDuplicate = options.removeDuplicate ?? true;
    const visit = (m: Module, prefix: string) => {
      if (removeDuplicate) {
        if (seen.has(m)) return;
        seen.add(m);
      }
      out.push([prefix, m]);
      for (const [name, child] of m.namedChildren()) visit(child, prefix ? `${prefix}.${name}` : name);
    };
    visit(this, options.prefix ?? '');
    return out;
  }

  /** This module and all descendants. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** `[name, parameter]` pairs of this module only (no children). */
  _namedOwnParameters(): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    for (const [key, value] of Object.entries(this)) if (value instanceof Parameter) out.push([key, value]);
    return out;
  }

  /** `[name, buffer]` pairs of this module only; `persistentOnly` keeps state-dict buffers. */
  _namedOwnBuffers(persistentOnly = false): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [name, value] of this._buffers) {
      if (value instanceof Tensor && !(persistentOnly && this._nonPersistentBuffers.has(name))) out.push([name, value]);
    }
    return out;
  }

  /** `[dottedName, parameter]` of this module and (if `recurse`) its descendants, each once. */
  namedParameters(options: { prefix?: string; recurse?: boolean } = {}): Array<[string, Parameter]> {
    return this.namedMembers((m) => m._namedOwnParameters(), options);
  }

  /** All parameters (each once). */
  parameters(options: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(options).map(([, p]) => p);
  }

  /** `[dottedName, buffer]` of this module and (if `recurse`) its descendants, each once. */
  namedBuffers(options: { prefix?: string; recurse?: boolean } = {}): Array<[string, Tensor]> {
    return this.namedMembers((m) => m._namedOwnBuffers(), options);
  }

  /** All buffers (each once). */
  buffers(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(options).map(([, b]) => b);
  }

  private namedMembers<T>(own: (m: Module) => Array<[string, T]>, options: { prefix?: string; recurse?: boolean }): Array<[string, T]> {
    const out: Array<[string, T]> = [];
    const seen = new Set<T>();
    const mods: Array<[string, Module]> = options.recurse ?? true ? this.namedModules({ prefix: options.prefix }) : [[options.prefix ?? '', this]];
    for (const [modName, m] of mods) {
      for (const [name, value] of own(m)) {
        if (seen.has(value)) continue;
        seen.add(value);
        out.push([modName ? `${modName}.${name}` : name, value]);
      }
    }
    return out;
  }

  /** The descendant at dotted path `target` (`''` is this module). */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let mod: Module = this;
    const path: string[] = [];
    for (const item of target.split('.')) {
      const next = (mod as unknown as Record<string, unknown>)[item];
      if (!(next instanceof Module)) {
        const where = path.length ? `'${path.join('.')}'` : moduleName(this);
        throw new QTorchValueError(
          next === undefined
            ? `getSubmodule(): ${where} has no attribute '${item}' (looking up '${target}')`
            : `getSubmodule(): '${[...path, item].join('.')}' is not a Module (looking up '${target}')`,
        );
      }
      path.push(item);
      mod = next;
    }
    return mod;
  }

  /** Replaces (or adds) the descendant at dotted path `target`; its parent must exist. */
  setSubmodule(target: string, module: Module): void {
    const dot = target.lastIndexOf('.');
    const parent = dot < 0 ? this : this.getSubmodule(target.slice(0, dot));
    parent.registerModule(target.slice(dot + 1), module);
  }

  /** The parameter at dotted path `target` (e.g. `'conv1.weight'`). */
  getParameter(target: string): Parameter {
    const [mod, name] = this.splitTarget(target);
    const p = (mod as unknown as Record<string, unknown>)[name];
    if (!(p instanceof Parameter)) throw new QTorchValueError(`getParameter(): '${target}' is not a parameter`);
    return p;
  }

  /** The buffer at dotted path `target` (e.g. `'bn.running_mean'`). */
  getBuffer(target: string): Tensor {
    const [mod, name] = this.splitTarget(target);
    const b = mod._buffers.get(name);
    if (!(b instanceof Tensor)) throw new QTorchValueError(`getBuffer(): '${target}' is not a buffer`);
    return b;
  }

  private splitTarget(target: string): [Module, string] {
    const dot = target.lastIndexOf('.');
    return [dot < 0 ? this : this.getSubmodule(target.slice(0, dot)), target.slice(dot + 1)];
  }

  /** Calls `fn` on every child (recursively) and then on this module; returns this. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Sets training mode on this module and its descendants. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Sets evaluation mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` of every parameter. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Clears parameter gradients: zeroed in place, or set to null with `setToNone` (PyTorch 1.13 default: false). */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (options.setToNone) p.grad = null;
      else setData(p.grad, zeros(p.grad.shape, { dtype: p.grad.dtype }));
    }
  }

  /**
   * Converts every parameter and buffer with `fn` (used by `to(dtype)`); each Parameter object
   * is kept, with its `requiresGrad`, and shared parameters stay shared.
   */
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const m of this.modules()) {
      // As PyTorch's `param.data = fn(param)`: the Parameter object stays (optimizers and tied
      // weights keep pointing at it); only its data changes.
      for (const [, p] of m._namedOwnParameters()) setData(p, noGrad(() => fn(p)));
      for (const [name, b] of m._namedOwnBuffers()) m._buffers.set(name, fn(b));
    }
    return this;
  }

  // ---- state dict ---------------------------------------------------------------------

  /**
   * Parameters and persistent buffers under dotted names (`conv1.weight`,
   * `bn.num_batches_tracked`), detached unless `keepVars`.
   */
  stateDict(options: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const dest: StateDict = {};
    const visit = (m: Module, prefix: string) => {
      m._saveToStateDict(dest, prefix, options.keepVars ?? false);
      for (const [name, child] of m.namedChildren()) visit(child, `${prefix}${name}.`);
    };
    visit(this, options.prefix ?? '');
    return dest;
  }

  /** Writes this module's own state (no children) into `dest`. Override to customize saving. */
  _saveToStateDict(dest: StateDict, prefix: string, keepVars: boolean): void {
    for (const [name, p] of this._namedOwnParameters()) dest[prefix + name] = keepVars ? p : p.detach();
    for (const [name, b] of this._namedOwnBuffers(true)) dest[prefix + name] = keepVars ? b : b.detach();
  }

  /**
   * Copies parameters and buffers from `stateDict` into this module and its descendants.
   * With `strict` (default) missing or unexpected keys are an error; size mismatches always are.
   */
  loadStateDict(stateDict: StateDict, options: { strict?: boolean } = {}): IncompatibleKeys {
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
      throw new QTorchTypeError(`${this.constructor.name}.loadStateDict(): expected a state dict ({ name: tensor }), got ${describeValue(stateDict)}`);
    }
    checkOptions(options, `${this.constructor.name}.loadStateDict`);
    const ctx: LoadContext = { strict: options.strict ?? true, missingKeys: [], unexpectedKeys: [], errorMsgs: [] };
    const visit = (m: Module, prefix: string) => {
      m._loadFromStateDict(stateDict, prefix, ctx);
      for (const [name, child] of m.namedChildren()) visit(child, `${prefix}${name}.`);
    };
    visit(this, '');
    if (ctx.strict) {
      if (ctx.unexpectedKeys.length) ctx.errorMsgs.unshift(`Unexpected key(s) in state_dict: ${quoteKeys(ctx.unexpectedKeys)}. `);
      if (ctx.missingKeys.length) ctx.errorMsgs.unshift(`Missing key(s) in state_dict: ${quoteKeys(ctx.missingKeys)}. `);
    }
    if (ctx.errorMsgs.length) {
      throw new QTorchValueError(`Error(s) in loading state_dict for ${moduleName(this)}:\n\t${ctx.errorMsgs.join('\n\t')}`);
    }
    return { missingKeys: ctx.missingKeys, unexpectedKeys: ctx.unexpectedKeys };
  }

  /**
   * Loads this module's own state from `stateDict` (keys under `prefix`) and reports missing,
   * unexpected and mismatched keys into `ctx`. Override to customize loading; call
   * `this._unexpectedKeysUnder(stateDict, prefix, ownNames)` to keep unexpected-key reporting.
   */
  _loadFromStateDict(stateDict: StateDict, prefix: string, ctx: LoadContext): void {
    const local: Array<[string, Tensor]> = [...this._namedOwnParameters(), ...this._namedOwnBuffers(true)];
    for (const [name, param] of local) {
      const key = prefix + name;
      const input = stateDict[key];
      if (input === undefined) {
        ctx.missingKeys.push(key);
        continue;
      }
      if (!(input instanceof Tensor)) {
        ctx.errorMsgs.push(`While copying the parameter named "${key}", expected a Tensor in the state dict, got ${describe(input)}.`);
        continue;
      }
      if (!sameShape(input.shape, param.shape)) {
        ctx.errorMsgs.push(
          `size mismatch for ${key}: copying a param with shape ${fmtTorchSize(input.shape)} from checkpoint, the shape in current model is ${fmtTorchSize(param.shape)}.`,
        );
        continue;
      }
      try {
        noGrad(() => copyInto(param, input));
      } catch (e) {
        ctx.errorMsgs.push(`While copying the parameter named "${key}", whose dimensions in the model are ${fmtTorchSize(param.shape)}: ${(e as Error).message}`);
      }
    }
    this._unexpectedKeysUnder(stateDict, prefix, ctx, new Set(local.map(([n]) => n)));
  }

  /** Reports keys under `prefix` that belong neither to `ownNames` nor to a child. @internal */
  _unexpectedKeysUnder(stateDict: StateDict, prefix: string, ctx: LoadContext, ownNames: Set<string>): void {
    if (!ctx.strict) return;
    const childNames = new Set(this.namedChildren().map(([n]) => n));
    for (const key of Object.keys(stateDict)) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const head = rest.split('.')[0]!;
      if (!ownNames.has(rest) && !childNames.has(head)) ctx.unexpectedKeys.push(key);
    }
  }

  // ---- printing -----------------------------------------------------------------------

  /** The extra text inside this module's repr parentheses (`in_features=4, ...`). */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's module repr: the class name, `extraRepr()`, and the children indented. */
  toString(): string {
    const lines: string[] = [];
    const extra = this.extraRepr();
    if (extra) lines.push(...extra.split('\n'));
    for (const [name, child] of this.namedChildren()) {
      lines.push(`(${name}): ${indentTail(child.toString(), 2)}`);
    }
    const name = moduleName(this);
    if (lines.length === 0) return `${name}()`;
    if (lines.length === 1 && this.namedChildren().length === 0) return `${name}(${lines[0]})`;
    return `${name}(\n${lines.map((l) => `  ${l}`).join('\n')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Points `t` at `src`'s data (storage, dtype, shape, strides, qparams), keeping the object. */
function setData(t: Tensor, src: Tensor): void {
  const w = t as unknown as { storage: unknown; dtype: unknown; shape: unknown; strides: unknown; offset: number; quantizer: unknown };
  w.storage = src.storage;
  w.dtype = src.dtype;
  w.shape = src.shape;
  w.strides = src.strides;
  w.offset = src.offset;
  w.quantizer = src.quantizer;
}

/** The class name of a module as PyTorch prints it. */
export function moduleName(m: Module): string {
  return (m.constructor as { _qualName?: string })._qualName ?? m.constructor.name;
}

/** The class of a module (the key of mapping tables such as float -> quantized). */
export function typeOf<M extends Module>(m: M): ModuleClass<M> {
  return m.constructor as ModuleClass<M>;
}

/** Whether `name` is an accessor on the object or its class (a class-defined property). */
function hasAccessor(obj: object, name: string): boolean {
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d) return d.get !== undefined || d.set !== undefined;
  }
  return false;
}

function checkAttrName(m: Module, name: string, op: string, allowAccessor = false): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new QTorchValueError(`${op}(): name must be a non-empty string without '.', got '${String(name)}'`);
  }
  const self = m as unknown as Record<string, unknown>;
  if (name in self && !Object.prototype.hasOwnProperty.call(self, name) && !(allowAccessor && hasAccessor(m, name))) {
    throw new QTorchValueError(`${op}(): attribute '${name}' already exists on ${moduleName(m)}`);
  }
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** `torch.Size([2, 3])`, as PyTorch's size-mismatch message prints shapes. */
function fmtTorchSize(shape: readonly number[]): string {
  return `torch.Size(${fmtShape(shape).replace(/^\(/, '[').replace(/,?\)$/, ']')})`;
}

function quoteKeys(keys: string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}

function indentTail(s: string, n: number): string {
  const pad = ' '.repeat(n);
  return s.split('\n').map((line, i) => (i === 0 ? line : pad + line)).join('\n');
}

/** Copies `src` into `dst` in place; quantized tensors adopt the source's qparams. */
function copyInto(dst: Tensor, src: Tensor): void {
  if (dst.isQuantized || src.isQuantized) {
    if (dst.dtype !== src.dtype) throw new QTorchTypeError(`expected ${dst.dtype.torchName}, got ${src.dtype.torchName}`);
    dst.quantizer = src.quantizer;
  }
  if (dst.isQuantized) {
    const out = dst.rawValues(), inp = src.contiguous().rawValues();
    if (!dst.isContiguous()) throw new QTorchShapeError(`cannot load into a non-contiguous quantized tensor of shape ${fmtShape(dst.shape)}`);
    out.set(inp as never);
    return;
  }
  dst.copy_(src.dtype === dst.dtype ? src : src.to(dst.dtype));
}
