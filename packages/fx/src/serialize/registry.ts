/**
 * The registry of module classes a saved GraphModule may contain. Loading rebuilds each
 * module from its registered name: without a registration there is no class to rebuild, so
 * an unknown name is an error (and nothing in a file can name arbitrary code).
 */
import { QTorchValueError } from '@qtorch/qtensor';
import type { Module, ModuleClass } from '@qtorch/nn';

/** How a module class is saved and rebuilt. */
export interface ModuleSerializer<M extends Module = Module> {
  /** The name saved in files (default: the class name). Must be unique in the registry. */
  name?: string;
  /**
   * The module's configuration as JSON-able data (constructor arguments, typically). Without
   * `toConfig`/`fromConfig` the module's own plain-data attributes are saved and restored
   * onto a new instance made without running the constructor.
   */
  toConfig?: (m: M) => unknown;
  /** A new module from `toConfig`'s output; its parameters, buffers and children are set afterwards. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fromConfig?: (config: any) => M;
}

/** A registry entry. @internal */
export interface RegistryEntry {
  name: string;
  cls: ModuleClass;
  toConfig?: (m: Module) => unknown;
  fromConfig?: (config: unknown) => Module;
}

const byName = new Map<string, RegistryEntry>();
const byClass = new Map<unknown, RegistryEntry>();

/**
 * Registers `cls` for saveGraphModule / loadGraphModule. Registering the same class again
 * replaces its entry; another class under a taken name is an error.
 *
 * @example
 * ```ts
 * registerSerializableModule(Scale, { toConfig: (m) => ({ factor: m.factor }), fromConfig: (c) => new Scale(c.factor) });
 * ```
 */
export function registerSerializableModule<M extends Module>(cls: ModuleClass<M>, serializer: ModuleSerializer<M> = {}): void {
  const name = serializer.name ?? cls.name;
  if (!name) throw new QTorchValueError('registerSerializableModule(): the class has no name; pass { name }');
  const taken = byName.get(name);
  if (taken && taken.cls !== cls) {
    throw new QTorchValueError(`registerSerializableModule(): name '${name}' is already used by another class; pass a distinct { name }`);
  }
  if ((serializer.toConfig === undefined) !== (serializer.fromConfig === undefined)) {
    throw new QTorchValueError(`registerSerializableModule(${name}): give both toConfig and fromConfig, or neither`);
  }
  const old = byClass.get(cls);
  if (old) byName.delete(old.name);
  const entry: RegistryEntry = {
    name,
    cls: cls as ModuleClass,
    toConfig: serializer.toConfig as ((m: Module) => unknown) | undefined,
    fromConfig: serializer.fromConfig as ((c: unknown) => Module) | undefined,
  };
  byName.set(name, entry);
  byClass.set(cls, entry);
}

/** The entry of `m`'s exact class, or undefined. @internal */
export function serializerOf(m: Module): RegistryEntry | undefined {
  return byClass.get(m.constructor);
}

/** The entry registered under `name`, or undefined. @internal */
export function serializerNamed(name: string): RegistryEntry | undefined {
  return byName.get(name);
}

/** Whether `cls` is registered. */
export function isSerializableModule(cls: ModuleClass): boolean {
  return byClass.has(cls);
}
