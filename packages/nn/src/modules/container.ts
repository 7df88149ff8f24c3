/** Containers: Sequential, ModuleList, ModuleDict (torch.nn.modules.container). */
import { QTorchTypeError, QTorchValueError, describeValue } from '@qtorch/qtensor';
import { Module } from '../module.js';

function childAt(owner: Module, list: Module[], idx: number, op: string): number {
  const n = list.length;
  const i = idx < 0 ? idx + n : idx;
  if (!Number.isInteger(idx) || i < 0 || i >= n) {
    throw new QTorchValueError(`${op}: index ${idx} is out of range for ${owner.constructor.name} of length ${n}`);
  }
  return i;
}

/** Modules kept under the names '0', '1', ...; shared by Sequential and ModuleList. */
abstract class IndexedContainer extends Module {
  constructor(modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  /** Number of modules. */
  get length(): number {
    return this.children().length;
  }

  /** The module at `idx` (negative counts from the end). */
  at(idx: number): Module {
    const list = this.children();
    return list[childAt(this, list, idx, 'at()')]!;
  }

  /** Replaces the module at `idx`. */
  set(idx: number, module: Module): void {
    const list = this.children();
    this.registerModule(String(childAt(this, list, idx, 'set()')), module);
  }

  /** Appends a module. */
  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Appends modules. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts `module` before index `idx`. */
  insert(idx: number, module: Module): void {
    const list = this.children();
    const i = idx < 0 ? Math.max(0, idx + list.length) : Math.min(idx, list.length);
    list.splice(i, 0, module);
    this.reindex(list);
  }

  /** Removes and returns the module at `idx`. */
  pop(idx = -1): Module {
    const list = this.children();
    const [removed] = list.splice(childAt(this, list, idx, 'pop()'), 1);
    this.reindex(list);
    return removed!;
  }

  private reindex(list: Module[]): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [name] of this.namedChildren()) delete self[name];
    list.forEach((m, i) => this.registerModule(String(i), m));
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

/**
 * Runs its modules in order, each one's output the next one's input (torch.nn.Sequential).
 * @example const net = new Sequential(new Linear(4, 8), new ReLU());
 */
export class Sequential extends IndexedContainer {
  /** @param modules - The children, registered as `'0'`, `'1'`, ... in call order. */
  constructor(...modules: Module[]) {
    super(modules);
  }

  /** A Sequential of the modules in `[start, end)`. */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(...this.children().slice(start, end));
  }

  forward(input: unknown): unknown {
    let x = input;
    for (const m of this.children()) x = m.call(x);
    return x;
  }
}

/** A list of modules, registered as children; it has no forward (torch.nn.ModuleList). */
export class ModuleList extends IndexedContainer {
  /** @param modules - The children, registered as `'0'`, `'1'`, ... */
  constructor(modules: Iterable<Module> = []) {
    if (modules === null || typeof (modules as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
      throw new QTorchTypeError(`ModuleList(): expected an iterable of Modules, got ${describeValue(modules)}`);
    }
    super([...modules]);
  }

  forward(): never {
    throw new QTorchTypeError('ModuleList has no forward(); iterate over its modules instead');
  }
}

/** Named modules, registered as children, in insertion order (torch.nn.ModuleDict). */
export class ModuleDict extends Module {
  /** @param modules - Named children, as a record or as `[name, module]` pairs (order kept). */
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  /** The module under `key`. */
  get(key: string): Module {
    const m = (this as unknown as Record<string, unknown>)[key];
    if (!(m instanceof Module)) throw new QTorchValueError(`ModuleDict.get(): no module named '${key}'`);
    return m;
  }

  /** Adds or replaces the module under `key`. */
  set(key: string, module: Module): void {
    this.registerModule(key, module);
  }

  /** Whether a module is registered under `key`. */
  has(key: string): boolean {
    return this.namedChildren().some(([k]) => k === key);
  }

  /** Removes and returns the module under `key`. */
  pop(key: string): Module {
    const m = this.get(key);
    delete (this as unknown as Record<string, unknown>)[key];
    return m;
  }

  /** Adds the given modules. */
  update(modules: Record<string, Module> | Iterable<[string, Module]>): void {
    if (modules === null || typeof modules !== 'object') {
      throw new QTorchTypeError(`ModuleDict.update(): expected a record or an iterable of [name, Module] pairs, got ${describeValue(modules)}`);
    }
    const entries = Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.registerModule(k, m);
  }

  /** The children's names, in insertion order. */
  keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }

  /** The children, in insertion order. */
  values(): Module[] {
    return this.children();
  }

  /** `[name, module]` pairs, in insertion order. */
  items(): Array<[string, Module]> {
    return this.namedChildren();
  }

  /** Number of children. */
  get size(): number {
    return this.namedChildren().length;
  }

  forward(): never {
    throw new QTorchTypeError('ModuleDict has no forward(); look modules up by key instead');
  }
}
