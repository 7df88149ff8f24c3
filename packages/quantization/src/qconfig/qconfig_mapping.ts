/**
 * `QConfigMapping` (torch.ao.quantization.QConfigMapping): which qconfig each op of a traced
 * model gets, by global default, object type (module class, function or method name),
 * module name regex, module name, and (module name, object type, call index). FX graph mode
 * quantization reads it; `getDefaultQconfigMapping` / `getDefaultQatQconfigMapping` are
 * PyTorch 1.13's defaults entry for entry.
 */
import { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, Linear, ReLU, BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm, Hardsigmoid, Sigmoid, Softmax, Tanh, type ModuleClass, Module } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { QTorchTypeError, QTorchValueError, traceableName } from '@qtorch/qtensor';
import type { Factory } from '../observer/base.js';
import { defaultFixedQparamsRange0To1Observer, defaultFixedQparamsRangeNeg1To1Observer, defaultPlaceholderObserver, defaultWeightObserver } from '../observer/defaults.js';
import { defaultWeightFakeQuant } from '../fake_quantize/defaults.js';
import { FixedQParamsFakeQuantize } from '../fake_quantize/fake_quantize.js';
import { QConfig, QConfigDynamic, defaultReuseInputQconfig, getDefaultQatQconfig, getDefaultQconfig } from './qconfig.js';

/** A qconfig, or `null` to leave an op unquantized. */
export type QConfigAny = QConfig | QConfigDynamic | null;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

/**
 * What `setObjectType` accepts: a module class, a traceable function (`F.relu`), the
 * qualified name of one (`'torch.add'`), or a tensor method name (`'reshape'`).
 */
export type ObjectType = ModuleClass | AnyFn | string;

/** An object type as stored: a module class, or the op's qualified / method name. */
export type ObjectTypeKey = ModuleClass | string;

/**
 * Functions that are one op under two names: PyTorch's `F.sigmoid` / `F.tanh` call the
 * `torch` ops, so configuring one configures the other.
 */
const FUNCTION_ALIASES: Readonly<Record<string, string>> = { 'F.sigmoid': 'torch.sigmoid', 'F.tanh': 'torch.tanh' };

/** The canonical name of a call_function target or method name. */
export function canonicalOpName(name: string): string {
  return FUNCTION_ALIASES[name] ?? name;
}

function isModuleClass(x: unknown): x is ModuleClass {
  return typeof x === 'function' && (x === Module || x.prototype instanceof Module);
}

/** Normalizes an object type: classes stay, functions become their traceable names. */
export function objectTypeKey(t: ObjectType): ObjectTypeKey {
  if (isModuleClass(t)) return t;
  if (typeof t === 'string') return canonicalOpName(t);
  if (typeof t === 'function') {
    const name = traceableName(t);
    if (name === undefined) {
      throw new QTorchTypeError(
        `QConfigMapping: ${t.name || 'the function'} is not a traceable op, so no graph node can call it; pass a function of F / torch (or one made with traceable(name, fn)), a Module class, or a method name`,
      );
    }
    return canonicalOpName(name);
  }
  throw new QTorchTypeError(`QConfigMapping: object type must be a Module class, a traceable function or a name, got ${typeof t}`);
}

/** An object type as PyTorch prints it (class or op name). */
export function objectTypeName(k: ObjectTypeKey): string {
  return typeof k === 'string' ? k : k.name;
}

/** One `setModuleNameObjectTypeOrder` entry. */
export interface ModuleNameObjectTypeOrderEntry {
  /** The parent module's qualified name. */
  moduleName: string;
  /** The child's type (module class or function). */
  objectType: ObjectTypeKey;
  /** Which call of that type (0-based, in order). */
  index: number;
  /** The qconfig for that call (null: not quantized). */
  qconfig: QConfigAny;
}

/**
 * The dictionary form of a QConfigMapping (PyTorch's `qconfig_dict`). Keys: `''` (global),
 * `objectType`, `moduleNameRegex`, `moduleName`, `moduleNameObjectTypeOrder`; PyTorch's
 * snake_case spellings are accepted too.
 */
export interface QConfigDictLike {
  /** The global qconfig. */
  ''?: QConfigAny;
  /** `[type, qconfig]` pairs (module class or function). */
  objectType?: ReadonlyArray<readonly [ObjectType, QConfigAny]>;
  /** `[regex, qconfig]` pairs matched against qualified module names. */
  moduleNameRegex?: ReadonlyArray<readonly [string, QConfigAny]>;
  /** `[qualified name, qconfig]` pairs. */
  moduleName?: ReadonlyArray<readonly [string, QConfigAny]>;
  /** `[parent name, type, index, qconfig]` entries. */
  moduleNameObjectTypeOrder?: ReadonlyArray<readonly [string, ObjectType, number, QConfigAny]>;
  /** PyTorch spelling of `objectType`. */
  object_type?: ReadonlyArray<readonly [ObjectType, QConfigAny]>;
  /** PyTorch spelling of `moduleNameRegex`. */
  module_name_regex?: ReadonlyArray<readonly [string, QConfigAny]>;
  /** PyTorch spelling of `moduleName`. */
  module_name?: ReadonlyArray<readonly [string, QConfigAny]>;
  /** PyTorch spelling of `moduleNameObjectTypeOrder`. */
  module_name_object_type_order?: ReadonlyArray<readonly [string, ObjectType, number, QConfigAny]>;
}

const DICT_KEYS = new Set([
  '', 'objectType', 'moduleNameRegex', 'moduleName', 'moduleNameObjectTypeOrder',
  'object_type', 'module_name_regex', 'module_name', 'module_name_object_type_order',
]);

function qconfigRepr(q: QConfigAny): string {
  if (q === null) return 'None';
  const name = (f: unknown) => ((f as Factory).cls?.name ?? (f as { name?: string }).name ?? 'factory');
  return `${q.constructor.name}(activation=${name(q.activation)}, weight=${name(q.weight)})`;
}

/**
 * Mapping from model ops to qconfigs. In increasing match priority: `setGlobal`,
 * `setObjectType`, `setModuleNameRegex` (first registered regex that matches wins),
 * `setModuleName` (the closest configured ancestor name wins), `setModuleNameObjectTypeOrder`.
 * A `null` qconfig leaves the matching ops in float.
 *
 * @example
 * ```ts
 * const mapping = new QConfigMapping()
 *   .setGlobal(getDefaultQconfig('qnnpack'))
 *   .setObjectType(F.relu, null)
 *   .setModuleName('head', null)
 *   .setModuleNameObjectTypeOrder('', F.linear, 0, defaultQconfig);
 * ```
 */
export class QConfigMapping {
  /** The qconfig of everything not matched otherwise (null: not quantized). */
  globalQconfig: QConfigAny = null;
  /** qconfigs by module class or function. */
  readonly objectTypeQconfigs = new Map<ObjectTypeKey, QConfigAny>();
  /** qconfigs by regex over qualified module names (first match wins, in insertion order). */
  readonly moduleNameRegexQconfigs = new Map<string, QConfigAny>();
  /** qconfigs by qualified module name. */
  readonly moduleNameQconfigs = new Map<string, QConfigAny>();
  /** qconfigs of the n-th call of a type inside a named module. */
  readonly moduleNameObjectTypeOrderQconfigs: ModuleNameObjectTypeOrderEntry[] = [];

  /** Sets the global (default) qconfig. */
  setGlobal(qconfig: QConfigAny): this {
    this.globalQconfig = qconfig;
    return this;
  }

  /** Sets the qconfig of a module class, function or method name (replacing an earlier one). */
  setObjectType(objectType: ObjectType, qconfig: QConfigAny): this {
    this.objectTypeQconfigs.set(objectTypeKey(objectType), qconfig);
    return this;
  }

  /**
   * Sets the qconfig of modules whose qualified name matches `regex` at its start (Python's
   * `re.match`). Regexes are tried in registration order: register specific ones first.
   */
  setModuleNameRegex(regex: string, qconfig: QConfigAny): this {
    try {
      new RegExp(regex);
    } catch (e) {
      throw new QTorchValueError(`QConfigMapping.setModuleNameRegex(): '${regex}' is not a valid regular expression (${(e as Error).message})`);
    }
    this.moduleNameRegexQconfigs.set(regex, qconfig);
    return this;
  }

  /** Sets the qconfig of the module with this qualified name (and everything inside it). */
  setModuleName(moduleName: string, qconfig: QConfigAny): this {
    this.moduleNameQconfigs.set(moduleName, qconfig);
    return this;
  }

  /**
   * Sets the qconfig of the `index`-th call (0-based) of `objectType` directly inside the
   * module named `moduleName`.
   */
  setModuleNameObjectTypeOrder(moduleName: string, objectType: ObjectType, index: number, qconfig: QConfigAny): this {
    if (!Number.isInteger(index) || index < 0) {
      throw new QTorchValueError(`QConfigMapping.setModuleNameObjectTypeOrder(): index must be a non-negative integer, got ${index}`);
    }
    const key = objectTypeKey(objectType);
    const entry = this.moduleNameObjectTypeOrderQconfigs.find((e) => e.moduleName === moduleName && e.objectType === key && e.index === index);
    if (entry) entry.qconfig = qconfig;
    else this.moduleNameObjectTypeOrderQconfigs.push({ moduleName, objectType: key, index, qconfig });
    return this;
  }

  /** The dictionary form (PyTorch's `to_dict`). */
  toDict(): Required<Pick<QConfigDictLike, '' | 'objectType' | 'moduleNameRegex' | 'moduleName' | 'moduleNameObjectTypeOrder'>> {
    return {
      '': this.globalQconfig,
      objectType: [...this.objectTypeQconfigs],
      moduleNameRegex: [...this.moduleNameRegexQconfigs],
      moduleName: [...this.moduleNameQconfigs],
      moduleNameObjectTypeOrder: this.moduleNameObjectTypeOrderQconfigs.map((e) => [e.moduleName, e.objectType, e.index, e.qconfig] as const),
    };
  }

  /** A mapping from the dictionary form (PyTorch's `from_dict`); unknown keys are an error. */
  static fromDict(dict: QConfigDictLike): QConfigMapping {
    for (const k of Object.keys(dict)) {
      if (!DICT_KEYS.has(k)) {
        throw new QTorchValueError(`QConfigMapping.fromDict(): unknown key '${k}' (expected '', objectType, moduleNameRegex, moduleName, moduleNameObjectTypeOrder)`);
      }
    }
    const m = new QConfigMapping();
    if ('' in dict) m.setGlobal(dict[''] ?? null);
    for (const [t, q] of dict.objectType ?? dict.object_type ?? []) m.setObjectType(t, q);
    for (const [r, q] of dict.moduleNameRegex ?? dict.module_name_regex ?? []) m.setModuleNameRegex(r, q);
    for (const [n, q] of dict.moduleName ?? dict.module_name ?? []) m.setModuleName(n, q);
    for (const [n, t, i, q] of dict.moduleNameObjectTypeOrder ?? dict.module_name_object_type_order ?? []) m.setModuleNameObjectTypeOrder(n, t, i, q);
    return m;
  }

  /** A copy (the qconfigs themselves are shared: they hold factories only). */
  clone(): QConfigMapping {
    const m = new QConfigMapping().setGlobal(this.globalQconfig);
    for (const [k, q] of this.objectTypeQconfigs) m.objectTypeQconfigs.set(k, q);
    for (const [k, q] of this.moduleNameRegexQconfigs) m.moduleNameRegexQconfigs.set(k, q);
    for (const [k, q] of this.moduleNameQconfigs) m.moduleNameQconfigs.set(k, q);
    for (const e of this.moduleNameObjectTypeOrderQconfigs) m.moduleNameObjectTypeOrderQconfigs.push({ ...e });
    return m;
  }

  /** PyTorch's repr: each style with its entries. */
  toString(): string {
    const lines = ['QConfigMapping ('];
    const section = (name: string, entries: Array<[string, QConfigAny]> | null, single?: QConfigAny) => {
      lines.push(` ${name}`);
      if (entries === null) lines.push(`  ${qconfigRepr(single ?? null)}`);
      else if (entries.length === 0) lines.push('  {}');
      else for (const [k, q] of entries) lines.push(`  ${k}: ${qconfigRepr(q)}`);
    };
    section('global_qconfig', null, this.globalQconfig);
    section('object_type_qconfigs', [...this.objectTypeQconfigs].map(([k, q]) => [objectTypeName(k), q]));
    section('module_name_regex_qconfigs', [...this.moduleNameRegexQconfigs]);
    section('module_name_qconfigs', [...this.moduleNameQconfigs]);
    section(
      'module_name_object_type_order_qconfigs',
      this.moduleNameObjectTypeOrderQconfigs.map((e) => [`(${e.moduleName}, ${objectTypeName(e.objectType)}, ${e.index})`, e.qconfig]),
    );
    lines.push(')');
    return lines.join('\n');
  }
}

/** A QConfigMapping, or the dictionary form of one (converted, as PyTorch 1.13 does). */
export function toQconfigMapping(m: QConfigMapping | QConfigDictLike | null | undefined, op: string): QConfigMapping {
  if (m instanceof QConfigMapping) return m;
  // a mapping made by another copy of this class (CommonJS builds of two entry points)
  if (m && (m as QConfigMapping).objectTypeQconfigs instanceof Map && typeof (m as QConfigMapping).clone === 'function') return m as QConfigMapping;
  if (m === null || m === undefined) return new QConfigMapping();
  if (typeof m !== 'object' || Array.isArray(m)) throw new QTorchTypeError(`${op}(): expected a QConfigMapping or a qconfig dict, got ${Array.isArray(m) ? 'an array' : typeof m}`);
  return QConfigMapping.fromDict(m);
}

/** Ops whose outputs have fixed qparams, and their observers (PyTorch's `_FIXED_QPARAMS_OP_TO_OBSERVER`). */
export const FIXED_QPARAMS_OP_TO_OBSERVER: ReadonlyArray<readonly [ObjectType, Factory]> = [
  [Hardsigmoid, defaultFixedQparamsRange0To1Observer],
  [F.hardsigmoid, defaultFixedQparamsRange0To1Observer],
  ['hardsigmoid', defaultFixedQparamsRange0To1Observer],
  ['hardsigmoid_', defaultFixedQparamsRange0To1Observer],
  [Sigmoid, defaultFixedQparamsRange0To1Observer],
  ['torch.sigmoid', defaultFixedQparamsRange0To1Observer],
  ['sigmoid', defaultFixedQparamsRange0To1Observer],
  ['sigmoid_', defaultFixedQparamsRange0To1Observer],
  [Softmax, defaultFixedQparamsRange0To1Observer],
  [Tanh, defaultFixedQparamsRangeNeg1To1Observer],
  ['torch.tanh', defaultFixedQparamsRangeNeg1To1Observer],
  ['tanh', defaultFixedQparamsRangeNeg1To1Observer],
  ['tanh_', defaultFixedQparamsRangeNeg1To1Observer],
];

function defaultMapping(isQat: boolean, backend: string, version: number): QConfigMapping {
  const qconfig = isQat ? getDefaultQatQconfig(backend, version) : getDefaultQconfig(backend, version);
  const defaultWeight = isQat ? defaultWeightFakeQuant : defaultWeightObserver;
  // per-channel weights are not supported by fbgemm's transposed convolutions (pytorch#47535)
  const transpose = backend === 'fbgemm' || backend === 'x86' ? new QConfig(qconfig.activation, defaultWeight) : qconfig;
  // the layer norm kernels take float weights
  const layerNorm = new QConfig(qconfig.activation, defaultPlaceholderObserver);
  const m = new QConfigMapping()
    .setGlobal(qconfig)
    .setObjectType('reshape', defaultReuseInputQconfig)
    .setObjectType(Conv1d, qconfig).setObjectType(Conv2d, qconfig).setObjectType(Conv3d, qconfig)
    .setObjectType(ConvTranspose1d, transpose).setObjectType(ConvTranspose2d, transpose).setObjectType(ConvTranspose3d, transpose)
    .setObjectType(Linear, qconfig)
    .setObjectType(F.conv1d, qconfig).setObjectType(F.conv2d, qconfig).setObjectType(F.conv3d, qconfig)
    .setObjectType(F.convTranspose1d, transpose).setObjectType(F.convTranspose2d, transpose).setObjectType(F.convTranspose3d, transpose)
    .setObjectType(F.linear, qconfig)
    .setObjectType(ReLU, qconfig).setObjectType(F.relu, qconfig).setObjectType('torch.relu', qconfig)
    .setObjectType(BatchNorm1d, qconfig).setObjectType(BatchNorm2d, qconfig).setObjectType(BatchNorm3d, qconfig)
    .setObjectType(F.layerNorm, layerNorm).setObjectType(LayerNorm, layerNorm);
  // one qconfig per fixed-qparams observer, shared by its ops
  const byObserver = new Map<Factory, QConfig>();
  for (const [op, observer] of FIXED_QPARAMS_OP_TO_OBSERVER) {
    let q = byObserver.get(observer);
    if (!q) {
      q = new QConfig(isQat ? FixedQParamsFakeQuantize.withArgs({ observer }) : observer, defaultWeight);
      byObserver.set(observer, q);
    }
    m.setObjectType(op, q);
  }
  return m;
}

/**
 * PyTorch 1.13's default QConfigMapping for post-training quantization on `backend`
 * ('x86' | 'fbgemm' | 'qnnpack' | 'onednn'): `getDefaultQconfig(backend)` globally, with
 * fixed-qparams observers for sigmoid / tanh / hardsigmoid / softmax, per-tensor weights for
 * fbgemm's transposed convolutions, float weights for layer norm, and `reshape` reusing its
 * input's observer.
 * @example const prepared = prepareFx(model.eval(), getDefaultQconfigMapping('qnnpack'), { exampleInputs: [x] });
 */
export function getDefaultQconfigMapping(backend = 'x86', version = 0): QConfigMapping {
  return defaultMapping(false, backend, version);
}

/** PyTorch 1.13's default QConfigMapping for quantization-aware training on `backend`. */
export function getDefaultQatQconfigMapping(backend = 'x86', version = 1): QConfigMapping {
  return defaultMapping(true, backend, version);
}
