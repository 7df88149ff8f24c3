/**
 * A module tree as data: each module's registered class name, configuration or plain-data
 * attributes, and the names of its parameters, tensors, buffers and children (whose tensors
 * go to the safetensors part of the file under their dotted paths).
 */
import { QTorchSerializationError, Tensor } from '@qtorch/qtensor';
import { Module, Parameter, moduleName } from '@qtorch/nn';
import { FxModule } from '../fx_module.js';
import { isIdentifier, isSafeAttr } from '../names.js';
import { isPlainObject } from '../node.js';
import { serializerNamed, serializerOf } from './registry.js';
import { type Json, decodeValue, encodeValue } from './value_codec.js';

/** One own attribute of a module. */
export type AttrRecord =
  | { kind: 'module'; module: ModuleRecord }
  | { kind: 'param'; requiresGrad: boolean }
  | { kind: 'tensor' }
  | { kind: 'data'; value: Json };

/** One registered buffer (`present: false` for a buffer slot holding null). */
export interface BufferRecord {
  present: boolean;
  persistent: boolean;
}

/** A module as saved. */
export interface ModuleRecord {
  cls: string;
  training: boolean;
  config?: Json;
  attrs: Array<[string, AttrRecord]>;
  buffers: Array<[string, BufferRecord]>;
}

/** Fields every Module has (training flag, buffer table, hooks): not attributes of the subclass. */
const BASE_KEYS = new Set(Object.keys(new FxModule()));
const MAX_DEPTH = 64;

function bad(msg: string): never {
  throw new QTorchSerializationError(`loadGraphModule(): ${msg}`);
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/**
 * Encodes `m` (at dotted `path`) and its descendants; tensors are added to `tensors`.
 * `rootClass` names the root record's class instead of the registry (the GraphModule).
 */
export function encodeModule(m: Module, path: string, tensors: Record<string, Tensor>, rootClass?: string): ModuleRecord {
  const entry = rootClass ? undefined : serializerOf(m);
  if (!rootClass && !entry) {
    throw new QTorchSerializationError(
      `saveGraphModule(): module '${path}' is a ${moduleName(m)}, which is not registered; call registerSerializableModule(${m.constructor.name}, ...) first`,
    );
  }
  const rec: ModuleRecord = { cls: rootClass ?? entry!.name, training: m.training, attrs: [], buffers: [] };
  if (entry?.toConfig) rec.config = encodeValue(entry.toConfig(m), `the config of ${entry.name}`);
  for (const [name, v] of Object.entries(m)) {
    if (BASE_KEYS.has(name)) continue;
    const key = join(path, name);
    if (v instanceof Module) rec.attrs.push([name, { kind: 'module', module: encodeModule(v, key, tensors) }]);
    else if (v instanceof Tensor) {
      tensors[key] = v;
      rec.attrs.push([name, v instanceof Parameter ? { kind: 'param', requiresGrad: v.requiresGrad } : { kind: 'tensor' }]);
    } else if (!entry?.toConfig) {
      rec.attrs.push([name, { kind: 'data', value: encodeValue(v, `attribute '${key}' of ${moduleName(m)}`) }]);
    }
  }
  for (const [name, t] of m._buffers) {
    if (t) tensors[join(path, name)] = t;
    rec.buffers.push([name, { present: t !== null, persistent: !m._nonPersistentBuffers.has(name) }]);
  }
  return rec;
}

/** A module made without running its constructor: the Module base fields, the class's prototype. */
function blankInstance(cls: abstract new (...a: never[]) => Module): Module {
  const m = Object.create(cls.prototype as object) as Module;
  const base = new FxModule();
  for (const key of Reflect.ownKeys(base)) Object.defineProperty(m, key, Object.getOwnPropertyDescriptor(base, key)!);
  return m;
}

function checkName(name: unknown, where: string): asserts name is string {
  if (typeof name !== 'string' || !(isIdentifier(name) || /^\d+$/.test(name)) || !isSafeAttr(name)) {
    bad(`bad attribute name ${JSON.stringify(name)} in ${where}`);
  }
}

/** Sets an own data property; names that are class members (methods, accessors) are refused. */
function setAttr(m: Module, name: string, value: unknown, where: string): void {
  if (name in m && !Object.prototype.hasOwnProperty.call(m, name)) bad(`attribute '${name}' of ${where} would shadow a class member`);
  Object.defineProperty(m, name, { value, enumerable: true, writable: true, configurable: true });
}

function tensorAt(tensors: Record<string, Tensor>, key: string): Tensor {
  const t = Object.prototype.hasOwnProperty.call(tensors, key) ? tensors[key] : undefined;
  if (!(t instanceof Tensor)) bad(`tensor '${key}' is missing from the file`);
  return t;
}

/** Fills `m` from `rec` (attributes in saved order, then buffers). */
export function applyRecord(m: Module, rec: ModuleRecord, path: string, tensors: Record<string, Tensor>, depth: number): void {
  const where = path ? `'${path}'` : 'the root';
  if (!Array.isArray(rec.attrs) || !Array.isArray(rec.buffers)) bad(`malformed module record at ${where}`);
  m.training = rec.training === true;
  for (const item of rec.attrs) {
    if (!Array.isArray(item) || item.length !== 2 || !isPlainObject(item[1])) bad(`malformed attribute in ${where}`);
    const [name, a] = item as [unknown, AttrRecord];
    checkName(name, where);
    const key = join(path, name);
    switch (a.kind) {
      case 'module':
        setAttr(m, name, decodeModule(a.module, key, tensors, depth + 1), where);
        break;
      case 'param':
        setAttr(m, name, new Parameter(tensorAt(tensors, key), a.requiresGrad === true), where);
        break;
      case 'tensor':
        setAttr(m, name, tensorAt(tensors, key), where);
        break;
      case 'data':
        setAttr(m, name, decodeValue(a.value), where);
        break;
      default:
        bad(`unknown attribute kind in ${where}`);
    }
  }
  for (const item of rec.buffers) {
    if (!Array.isArray(item) || item.length !== 2 || !isPlainObject(item[1])) bad(`malformed buffer in ${where}`);
    const [name, b] = item as [unknown, BufferRecord];
    checkName(name, where);
    const t = b.present ? tensorAt(tensors, join(path, name)) : null;
    if (m._buffers.has(name)) m._buffers.set(name, t);
    else {
      if (name in m) bad(`buffer '${name}' of ${where} would shadow a class member`);
      m.registerBuffer(name, t, { persistent: b.persistent !== false });
    }
    if (b.persistent === false) m._nonPersistentBuffers.add(name);
    else m._nonPersistentBuffers.delete(name);
  }
}

/** Rebuilds a (non-root) module from its record: registered class, config or attributes, tensors. */
export function decodeModule(rec: unknown, path: string, tensors: Record<string, Tensor>, depth: number): Module {
  if (depth > MAX_DEPTH) bad('module tree nested too deeply');
  if (!isPlainObject(rec) || typeof rec.cls !== 'string') bad(`malformed module record at '${path}'`);
  const r = rec as unknown as ModuleRecord;
  const entry = serializerNamed(r.cls);
  if (!entry) {
    bad(`module '${path}' has class '${r.cls}', which is not registered here; import the package that defines it, or call registerSerializableModule(cls, { name: '${r.cls}' }) before loading`);
  }
  const m = entry.fromConfig ? entry.fromConfig(decodeValue(r.config ?? null)) : blankInstance(entry.cls);
  applyRecord(m, r, path, tensors, depth);
  return m;
}
