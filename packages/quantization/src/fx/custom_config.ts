/**
 * Custom configurations of FX graph mode quantization (torch.ao.quantization.fx.custom_config):
 * `PrepareCustomConfig` (standalone modules, custom module classes, non-traceable modules,
 * quantized input / output indexes, preserved attributes), `ConvertCustomConfig` and
 * `FuseCustomConfig`. Each also accepts PyTorch's dictionary form through `fromDict`.
 */
import type { Module, ModuleClass } from '@qtorch/nn';
import { QTorchTypeError, QTorchValueError } from '@qtorch/qtensor';
import { type QConfigDictLike, QConfigMapping } from '../qconfig/qconfig_mapping.js';
import { BackendConfig } from './backend_config/backend_config.js';

/** The kinds of quantization a custom module class is registered for (PyTorch's `QuantType`). */
export const QuantType = { STATIC: 'static', DYNAMIC: 'dynamic', WEIGHT_ONLY: 'weight_only' } as const;
export type QuantType = (typeof QuantType)[keyof typeof QuantType];
const QUANT_TYPES: readonly string[] = Object.values(QuantType);

/** An observed custom module class: built from the float module (which carries `qconfig`). */
export interface ObservedCustomModuleClass extends ModuleClass {
  /** Builds the observed module from a float one (a static method of the class). */
  fromFloat(m: Module): Module;
}

/** A quantized custom module class: built from the observed module. */
export interface QuantizedCustomModuleClass extends ModuleClass {
  /** Builds the quantized module from an observed one (a static method of the class). */
  fromObserved(m: Module): Module;
}

/** How a standalone module is prepared (PyTorch's `StandaloneModuleConfigEntry`). */
export interface StandaloneModuleConfigEntry {
  /** Its qconfigs (default: the qconfig the parent gives the module, globally). */
  qconfigMapping: QConfigMapping | null;
  /** Example inputs to trace the standalone module with. */
  exampleInputs: readonly unknown[];
  /** Its prepare custom config (null: default). */
  prepareCustomConfig: PrepareCustomConfig | null;
  /** Its backend config (null: the parent's). */
  backendConfig: BackendConfig | null;
}

/** A class -> class table as a Map or pairs. */
type ClassTable<V> = ReadonlyMap<ModuleClass, V> | ReadonlyArray<readonly [ModuleClass, V]>;

/** PyTorch's `prepare_custom_config_dict`, with camelCase keys (snake_case accepted too). */
export interface PrepareCustomConfigDict {
  /** Submodules by name prepared as standalone graphs: `[name, qconfig, exampleInputs, prepareCustomConfig, backendConfig]`. */
  standaloneModuleName?: ReadonlyArray<readonly [string, QConfigMapping | QConfigDictLike | null, readonly unknown[], PrepareCustomConfigDict | PrepareCustomConfig | null, BackendConfig | null]>;
  /** Submodule classes prepared as standalone graphs: `[class, qconfig, exampleInputs, prepareCustomConfig, backendConfig]`. */
  standaloneModuleClass?: ReadonlyArray<readonly [ModuleClass, QConfigMapping | QConfigDictLike | null, readonly unknown[], PrepareCustomConfigDict | PrepareCustomConfig | null, BackendConfig | null]>;
  /** `{ static: Map([[Float, Observed]]) }` per quant type. */
  floatToObservedCustomModuleClass?: Partial<Record<QuantType, ClassTable<ObservedCustomModuleClass>>>;
  /** Submodules by name that are not traced (kept as leaves). */
  nonTraceableModuleName?: readonly string[];
  /** Submodule classes that are not traced (kept as leaves). */
  nonTraceableModuleClass?: readonly ModuleClass[];
  /** Positions of graph inputs that arrive already quantized. */
  inputQuantizedIdxs?: readonly number[];
  /** Positions of graph outputs left quantized. */
  outputQuantizedIdxs?: readonly number[];
  /** Attributes copied to the prepared GraphModule. */
  preservedAttributes?: readonly string[];
  [snakeCaseKey: string]: unknown;
}

/** PyTorch's `convert_custom_config_dict`. */
export interface ConvertCustomConfigDict {
  /** `{ static: Map([[Observed, Quantized]]) }` per quant type. */
  observedToQuantizedCustomModuleClass?: Partial<Record<QuantType, ClassTable<QuantizedCustomModuleClass>>>;
  /** Attributes copied to the converted GraphModule. */
  preservedAttributes?: readonly string[];
  [snakeCaseKey: string]: unknown;
}

/** PyTorch's `fuse_custom_config_dict`. */
export interface FuseCustomConfigDict {
  /** Attributes copied to the fused GraphModule. */
  preservedAttributes?: readonly string[];
  [snakeCaseKey: string]: unknown;
}

const snakeOf = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Reads key `k` of a dict in camelCase or snake_case, refusing unknown keys. */
function reader(dict: Record<string, unknown>, known: readonly string[], op: string): (k: string) => unknown {
  const allowed = new Set([...known, ...known.map(snakeOf)]);
  for (const k of Object.keys(dict)) {
    if (!allowed.has(k)) throw new QTorchValueError(`${op}: unknown key '${k}' (expected ${known.join(', ')})`);
  }
  return (k) => dict[k] ?? dict[snakeOf(k)];
}

function pairsOf<V>(table: ClassTable<V> | undefined, op: string): Array<[ModuleClass, V]> {
  if (table === undefined) return [];
  if (table instanceof Map) return [...table];
  if (Array.isArray(table)) return table.map(([k, v]) => [k, v] as [ModuleClass, V]);
  throw new QTorchTypeError(`${op}: expected a Map or [class, class] pairs, got ${typeof table}`);
}

function checkQuantType(t: string, op: string): QuantType {
  if (!QUANT_TYPES.includes(t)) throw new QTorchValueError(`${op}: unknown quant type '${t}' (expected ${QUANT_TYPES.join(', ')})`);
  return t as QuantType;
}

function toMapping(m: QConfigMapping | QConfigDictLike | null): QConfigMapping | null {
  return m === null || m instanceof QConfigMapping ? m : QConfigMapping.fromDict(m);
}

/** Custom configuration of `prepareFx` / `prepareQatFx`. Setters chain. */
export class PrepareCustomConfig {
  /** Standalone submodules by qualified name. */
  readonly standaloneModuleNames = new Map<string, StandaloneModuleConfigEntry>();
  /** Standalone submodules by class. */
  readonly standaloneModuleClasses = new Map<ModuleClass, StandaloneModuleConfigEntry>();
  /** Per quant type, float class -> observed custom class. */
  readonly floatToObservedMapping = new Map<QuantType, Map<ModuleClass, ObservedCustomModuleClass>>();
  /** Submodules by name that are not traced. */
  nonTraceableModuleNames: string[] = [];
  /** Submodule classes that are not traced. */
  nonTraceableModuleClasses: ModuleClass[] = [];
  /** Positions of graph inputs that arrive already quantized. */
  inputQuantizedIndexes: number[] = [];
  /** Positions of graph outputs left quantized. */
  outputQuantizedIndexes: number[] = [];
  /** Attributes copied to the prepared GraphModule. */
  preservedAttributes: string[] = [];

  /** Prepares the submodule `name` as a separate graph (a standalone module). */
  setStandaloneModuleName(name: string, qconfigMapping: QConfigMapping | null, exampleInputs: readonly unknown[], prepareCustomConfig: PrepareCustomConfig | null, backendConfig: BackendConfig | null): this {
    this.standaloneModuleNames.set(name, { qconfigMapping, exampleInputs, prepareCustomConfig, backendConfig });
    return this;
  }

  /** Prepares every submodule of class `cls` as a standalone module. */
  setStandaloneModuleClass(cls: ModuleClass, qconfigMapping: QConfigMapping | null, exampleInputs: readonly unknown[], prepareCustomConfig: PrepareCustomConfig | null, backendConfig: BackendConfig | null): this {
    this.standaloneModuleClasses.set(cls, { qconfigMapping, exampleInputs, prepareCustomConfig, backendConfig });
    return this;
  }

  /** Swaps float modules of `floatClass` to `observedClass.fromFloat(m)` in prepare (the docs' custom module API). */
  setFloatToObservedMapping(floatClass: ModuleClass, observedClass: ObservedCustomModuleClass, quantType: QuantType = QuantType.STATIC): this {
    if (typeof observedClass?.fromFloat !== 'function') {
      throw new QTorchTypeError(`PrepareCustomConfig.setFloatToObservedMapping(): ${observedClass?.name ?? String(observedClass)} needs a static fromFloat(floatModule)`);
    }
    const t = checkQuantType(quantType, 'PrepareCustomConfig.setFloatToObservedMapping()');
    if (!this.floatToObservedMapping.has(t)) this.floatToObservedMapping.set(t, new Map());
    this.floatToObservedMapping.get(t)!.set(floatClass, observedClass);
    return this;
  }

  /** Submodules (by qualified name) that tracing treats as opaque leaves. */
  setNonTraceableModuleNames(names: readonly string[]): this {
    this.nonTraceableModuleNames = [...names];
    return this;
  }

  /** Submodule classes that tracing treats as opaque leaves. */
  setNonTraceableModuleClasses(classes: readonly ModuleClass[]): this {
    this.nonTraceableModuleClasses = [...classes];
    return this;
  }

  /** Graph inputs (by position) that arrive already quantized (quint8). */
  setInputQuantizedIndexes(indexes: readonly number[]): this {
    this.inputQuantizedIndexes = [...indexes];
    return this;
  }

  /** Graph outputs (by position) left quantized instead of dequantized. */
  setOutputQuantizedIndexes(indexes: readonly number[]): this {
    this.outputQuantizedIndexes = [...indexes];
    return this;
  }

  /** Attributes of the model kept on the traced / prepared module (not used by forward). */
  setPreservedAttributes(names: readonly string[]): this {
    this.preservedAttributes = [...names];
    return this;
  }

  /** Every custom module float class, over all quant types. */
  customModuleClasses(): Set<ModuleClass> {
    return new Set([...this.floatToObservedMapping.values()].flatMap((m) => [...m.keys()]));
  }

  /** From PyTorch's dictionary form. */
  static fromDict(dict: PrepareCustomConfigDict): PrepareCustomConfig {
    const op = 'PrepareCustomConfig.fromDict()';
    const get = reader(dict, [
      'standaloneModuleName', 'standaloneModuleClass', 'floatToObservedCustomModuleClass', 'nonTraceableModuleName',
      'nonTraceableModuleClass', 'inputQuantizedIdxs', 'outputQuantizedIdxs', 'preservedAttributes',
    ], op);
    const c = new PrepareCustomConfig();
    const sub = (x: unknown) => (x === null || x === undefined ? null : x instanceof PrepareCustomConfig ? x : PrepareCustomConfig.fromDict(x as PrepareCustomConfigDict));
    for (const [name, q, ex, p, b] of (get('standaloneModuleName') ?? []) as NonNullable<PrepareCustomConfigDict['standaloneModuleName']>) {
      c.setStandaloneModuleName(name, toMapping(q), ex ?? [], sub(p), b ?? null);
    }
    for (const [cls, q, ex, p, b] of (get('standaloneModuleClass') ?? []) as NonNullable<PrepareCustomConfigDict['standaloneModuleClass']>) {
      c.setStandaloneModuleClass(cls, toMapping(q), ex ?? [], sub(p), b ?? null);
    }
    const custom = (get('floatToObservedCustomModuleClass') ?? {}) as Record<string, ClassTable<ObservedCustomModuleClass>>;
    for (const [t, table] of Object.entries(custom)) {
      for (const [f, o] of pairsOf(table, op)) c.setFloatToObservedMapping(f, o, checkQuantType(t, op));
    }
    c.setNonTraceableModuleNames((get('nonTraceableModuleName') ?? []) as string[]);
    c.setNonTraceableModuleClasses((get('nonTraceableModuleClass') ?? []) as ModuleClass[]);
    c.setInputQuantizedIndexes((get('inputQuantizedIdxs') ?? []) as number[]);
    c.setOutputQuantizedIndexes((get('outputQuantizedIdxs') ?? []) as number[]);
    c.setPreservedAttributes((get('preservedAttributes') ?? []) as string[]);
    return c;
  }
}

/** Custom configuration of `convertFx`. */
export class ConvertCustomConfig {
  /** Per quant type, observed class -> quantized custom class. */
  readonly observedToQuantizedMapping = new Map<QuantType, Map<ModuleClass, QuantizedCustomModuleClass>>();
  /** Attributes copied to the converted GraphModule. */
  preservedAttributes: string[] = [];

  /** Swaps observed custom modules of `observedClass` to `quantizedClass.fromObserved(m)`. */
  setObservedToQuantizedMapping(observedClass: ModuleClass, quantizedClass: QuantizedCustomModuleClass, quantType: QuantType = QuantType.STATIC): this {
    if (typeof quantizedClass?.fromObserved !== 'function') {
      throw new QTorchTypeError(`ConvertCustomConfig.setObservedToQuantizedMapping(): ${quantizedClass?.name ?? String(quantizedClass)} needs a static fromObserved(observedModule)`);
    }
    const t = checkQuantType(quantType, 'ConvertCustomConfig.setObservedToQuantizedMapping()');
    if (!this.observedToQuantizedMapping.has(t)) this.observedToQuantizedMapping.set(t, new Map());
    this.observedToQuantizedMapping.get(t)!.set(observedClass, quantizedClass);
    return this;
  }

  /** Sets the attributes copied to the converted GraphModule; returns this. */
  setPreservedAttributes(names: readonly string[]): this {
    this.preservedAttributes = [...names];
    return this;
  }

  /** From PyTorch's dictionary form. */
  static fromDict(dict: ConvertCustomConfigDict): ConvertCustomConfig {
    const op = 'ConvertCustomConfig.fromDict()';
    const get = reader(dict, ['observedToQuantizedCustomModuleClass', 'preservedAttributes'], op);
    const c = new ConvertCustomConfig();
    const custom = (get('observedToQuantizedCustomModuleClass') ?? {}) as Record<string, ClassTable<QuantizedCustomModuleClass>>;
    for (const [t, table] of Object.entries(custom)) {
      for (const [o, q] of pairsOf(table, op)) c.setObservedToQuantizedMapping(o, q, checkQuantType(t, op));
    }
    c.setPreservedAttributes((get('preservedAttributes') ?? []) as string[]);
    return c;
  }
}

/** Custom configuration of `fuseFx`. */
export class FuseCustomConfig {
  /** Attributes copied to the fused GraphModule. */
  preservedAttributes: string[] = [];

  /** Sets the attributes copied to the fused GraphModule; returns this. */
  setPreservedAttributes(names: readonly string[]): this {
    this.preservedAttributes = [...names];
    return this;
  }

  /** From PyTorch's dictionary form. @throws QTorchValueError on an unknown key. */
  static fromDict(dict: FuseCustomConfigDict): FuseCustomConfig {
    const get = reader(dict, ['preservedAttributes'], 'FuseCustomConfig.fromDict()');
    return new FuseCustomConfig().setPreservedAttributes((get('preservedAttributes') ?? []) as string[]);
  }
}

/** A config instance, or its dictionary form converted. */
export function toPrepareCustomConfig(c: PrepareCustomConfig | PrepareCustomConfigDict | null | undefined): PrepareCustomConfig {
  if (c instanceof PrepareCustomConfig) return c;
  return c ? PrepareCustomConfig.fromDict(c) : new PrepareCustomConfig();
}

export function toConvertCustomConfig(c: ConvertCustomConfig | ConvertCustomConfigDict | null | undefined): ConvertCustomConfig {
  if (c instanceof ConvertCustomConfig) return c;
  return c ? ConvertCustomConfig.fromDict(c) : new ConvertCustomConfig();
}

export function toFuseCustomConfig(c: FuseCustomConfig | FuseCustomConfigDict | null | undefined): FuseCustomConfig {
  if (c instanceof FuseCustomConfig) return c;
  return c ? FuseCustomConfig.fromDict(c) : new FuseCustomConfig();
}
