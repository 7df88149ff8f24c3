/**
 * Helpers shared by fuse / prepare / convert: observer recognition, qconfig dtype queries
 * (torch.ao.quantization.utils), attribute naming and graph-building utilities
 * (torch.ao.quantization.fx.utils).
 */
import { type Module, Identity } from '@qtorch/nn';
import { type Argument, type GraphModule, type Graph, Node } from '@qtorch/fx';
import { type DType, Tensor, float16, float32, int64, qint32, qint8, quint4x2, quint8, scalarTensor } from '@qtorch/qtensor';
import { ObserverBase } from '../observer/base.js';
import { NoopObserver } from '../observer/simple.js';
import { ReuseInputObserver } from '../observer/reuse_input.js';
import type { QConfigAny } from '../qconfig/qconfig_mapping.js';
import { QuantType } from './custom_config.js';

/**
 * Observers and fake quantizers (PyTorch's `is_activation_post_process`). Duck-typed as well,
 * so observers built by another copy of this package's classes are recognized too.
 */
export function isActivationPostProcess(m: unknown): m is ObserverBase {
  if (m instanceof ObserverBase) return true;
  return typeof m === 'object' && m !== null && typeof (m as ObserverBase).calculateQparams === 'function' && (m as ObserverBase).dtype !== undefined
    && typeof (m as ObserverBase).call === 'function';
}

/** `'a.b.c'` -> `['a.b', 'c']`. */
export function parentName(target: string): [string, string] {
  const i = target.lastIndexOf('.');
  return i < 0 ? ['', target] : [target.slice(0, i), target.slice(i + 1)];
}

/** The first `prefix<i>` (made an identifier) that is not an attribute of `m`. */
export function newAttrName(m: Module, prefix: string): string {
  // graph attribute names must be identifiers: 'layer.0' -> 'layer_0', '0' (a Sequential child) -> '_0'
  const p = prefix.replace(/\./g, '_').replace(/^(\d)/, '_$1');
  let i = 0;
  while (`${p}${i}` in m) i++;
  return `${p}${i}`;
}

/**
 * Registers `value` as a buffer of `gm` under a new name starting with `prefix` and returns a
 * get_attr node for it (inserted at the graph's current insertion point). Numbers become 0-d
 * tensors: float32 for non-integers, int64 for integers, as `torch.tensor(value)`.
 */
export function createGetattrFromValue(gm: GraphModule, graph: Graph, prefix: string, value: number | Tensor, isInt = false): Node {
  const name = newAttrName(gm, prefix);
  const t = value instanceof Tensor ? value.clone() : scalarTensor(value, isInt ? int64 : float32);
  gm.registerBuffer(name, t);
  return graph.getAttr(name);
}

/** The dtypes a qconfig's observers configure. */
export interface QconfigDtypes {
  activation: DType;
  weight: DType;
  /** Activations quantized at run time (dynamic quantization). */
  activationIsDynamic: boolean;
}

const dtypeCache = new WeakMap<object, QconfigDtypes>();

function dtypeOf(m: unknown): DType {
  return isActivationPostProcess(m) ? m.dtype : m instanceof Identity ? float32 : ((m as { dtype?: DType }).dtype ?? float32);
}

/** The activation / weight dtypes of `qconfig` (observers are built once per qconfig to read them). */
export function qconfigDtypes(qconfig: NonNullable<QConfigAny>): QconfigDtypes {
  let d = dtypeCache.get(qconfig);
  if (!d) {
    const act = qconfig.activation() as { isDynamic?: boolean; computeDtype?: DType | null };
    d = { activation: dtypeOf(act), weight: dtypeOf(qconfig.weight()), activationIsDynamic: act.isDynamic === true || !!act.computeDtype };
    dtypeCache.set(qconfig, d);
  }
  return d;
}

const STATIC_ACT = new Set<DType>([quint8, qint8, qint32, float16]);
const INT_DTYPES = new Set<DType>([quint8, qint8, quint4x2, qint32]);

/** Activations quantized ahead of time (static quantization, including float16). */
export function activationIsStaticallyQuantized(q: QConfigAny): boolean {
  if (!q) return false;
  const d = qconfigDtypes(q);
  return STATIC_ACT.has(d.activation) && !d.activationIsDynamic;
}

/** Activations quantized at run time. */
export function activationIsDynamicallyQuantized(q: QConfigAny): boolean {
  return !!q && qconfigDtypes(q).activationIsDynamic;
}

/** Weights quantized (integers or float16). */
export function weightIsQuantized(q: QConfigAny): boolean {
  if (!q) return false;
  const w = qconfigDtypes(q).weight;
  return INT_DTYPES.has(w) || w === float16;
}

/** `defaultReuseInputQconfig`-like: the output reuses the input's observer (reshape). */
export function isReuseInputQconfig(q: QConfigAny): boolean {
  if (!q) return false;
  const cls = (f: unknown) => (f as { cls?: unknown }).cls;
  return cls(q.activation) === ReuseInputObserver && cls(q.weight) === NoopObserver;
}

/** Static, dynamic or weight-only, as PyTorch's `get_quant_type`. */
export function quantTypeOf(q: NonNullable<QConfigAny>): QuantType | null {
  const d = qconfigDtypes(q);
  if (INT_DTYPES.has(d.weight)) {
    if (d.activationIsDynamic) return QuantType.DYNAMIC;
    return INT_DTYPES.has(d.activation) ? QuantType.STATIC : QuantType.WEIGHT_ONLY;
  }
  if (d.weight === float16) {
    if (d.activationIsDynamic) return QuantType.DYNAMIC;
    if (d.activation === float16) return QuantType.STATIC;
  }
  return null;
}

/** Values of a map by key, created on first use. */
export function getOrInit<K, V>(m: Map<K, V>, k: K, init: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = init();
    m.set(k, v);
  }
  return v;
}

/** Whether `n` is a `x.dequantize()` node. */
export function isDequantizeNode(n: Argument): n is Node {
  return n instanceof Node && n.op === 'call_method' && n.target === 'dequantize';
}

/** The value of a dotted attribute path of `root` (a get_attr target). */
export function attrOf(root: Module, target: string): unknown {
  return target.split('.').reduce((o: unknown, k) => (o as Record<string, unknown>)[k], root);
}
