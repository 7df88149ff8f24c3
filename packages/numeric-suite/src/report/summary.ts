/**
 * Turns numeric suite results (compareWeights, compareModelOutputs, compareModelStub) into one
 * row per compared place: layer, op type, weight or activation, SQNR, normalized L2 error and
 * cosine similarity. The terminal table and the HTML report both render these rows.
 */
import { type Module, moduleName } from '@qtorch/nn';
import { QTorchTypeError, type Tensor, isTensor } from '@qtorch/qtensor';
import type { WeightCompareDict } from '../compare_weights.js';
import { cosineFromSums, floatValues, normalizedL2FromSums, pairSums, sqnrFromSums } from '../utils.js';

/**
 * Activation results: `{ float: Tensor[], quantized: Tensor[] }` per logger (or single tensors),
 * as `compareModelOutputs` and `compareModelStub` return them.
 */
export type ActivationCompareDict = Record<string, { float?: Tensor | readonly Tensor[]; quantized?: Tensor | readonly Tensor[] }>;

/** One compared place of the model. */
export interface LayerReport {
  /** Module path (`conv1`, `fc`). */
  layer: string;
  /** The result key it came from (`conv1.weight`, `conv1.stats`). */
  key: string;
  /** Class of the module in the quantized model (`ConvReLU2d`), `''` when unknown. */
  opType: string;
  /** Whether a weight or an output activation was compared. */
  kind: 'weight' | 'activation';
  /** SQNR in dB over all logged pairs (higher is better; Infinity when exact). */
  sqnr: number;
  /** Normalized L2 error over all logged pairs (lower is better). */
  normalizedL2: number;
  /** Cosine similarity over all logged pairs (1 is best). */
  cosine: number;
  /** SQNR per channel (weights: output channels, dim 0; activations: dim 1, or dim 0 for 1-d). */
  channelSqnr: number[];
  /** Float values (all logged pairs, flattened, float64). */
  floatValues: Float64Array;
  /** Dequantized values, aligned with `floatValues`. */
  quantizedValues: Float64Array;
}

/** The inputs a report is built from. */
export interface ReportInput {
  /** `compareWeights` result. */
  weights?: WeightCompareDict;
  /** `compareModelOutputs` / `compareModelStub` result. */
  activations?: ActivationCompareDict;
  /** The quantized model, to name each layer's op type. */
  model?: Module;
}

const KEY_SUFFIXES = ['._packed_params._packed_params', '._packed_params.weight', '.weight', '.stats'];

/** The module path a result key belongs to (`fc._packed_params._packed_params` -> `fc`). */
export function layerOfKey(key: string): string {
  for (const s of KEY_SUFFIXES) if (key.endsWith(s)) return key.slice(0, -s.length);
  return key === 'stats' ? '' : key;
}

function opTypeOf(model: Module | undefined, layer: string): string {
  if (!model) return '';
  try {
    let m = layer === '' ? model : model.getSubmodule(layer);
    // a Shadow wraps the quantized module the user cares about
    const orig = (m as { orig_module?: Module }).orig_module;
    if (orig) m = orig;
    return moduleName(m);
  } catch {
    return '';
  }
}

function asList(v: Tensor | readonly Tensor[] | undefined, key: string, side: string): readonly Tensor[] {
  if (isTensor(v)) return [v];
  if (Array.isArray(v) && v.every(isTensor)) return v;
  throw new QTorchTypeError(`summarizeResults(): activations['${key}'].${side} should be a Tensor or a list of Tensors, got ${v === undefined ? 'nothing' : typeof v}`);
}

/** Channel index of each flat element for `shape` and `axis` (empty when there is no such axis). */
function channelCount(shape: readonly number[], axis: number): { size: number; inner: number } {
  if (axis >= shape.length) return { size: 1, inner: Infinity };
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return { size: shape[axis]!, inner };
}

/** Accumulates per-channel sums of squares for the SQNR of each channel. */
function addChannelSums(xx: Float64Array, dd: Float64Array, f: Float64Array, q: Float64Array, shape: readonly number[], axis: number): void {
  const { size, inner } = channelCount(shape, axis);
  for (let i = 0; i < f.length; i++) {
    const c = size === 1 ? 0 : Math.floor(i / inner) % size;
    xx[c]! += f[i]! * f[i]!;
    dd[c]! += (f[i]! - q[i]!) * (f[i]! - q[i]!);
  }
}

/** Builds one row from aligned float / quantized tensor lists. */
function rowOf(key: string, kind: LayerReport['kind'], floats: readonly Tensor[], quants: readonly Tensor[], model?: Module): LayerReport {
  const n = Math.min(floats.length, quants.length);
  const fParts: Float64Array[] = [], qParts: Float64Array[] = [];
  const first = floats[0];
  const axis = kind === 'weight' || !first || first.ndim < 2 ? 0 : 1;
  const channels = first && first.ndim > axis ? first.shape[axis]! : 1;
  const xx = new Float64Array(channels), dd = new Float64Array(channels);
  for (let i = 0; i < n; i++) {
    const f = floatValues(floats[i]!), q = floatValues(quants[i]!);
    if (f.length !== q.length) {
      throw new QTorchTypeError(`summarizeResults(): '${key}' pair ${i} has ${f.length} float and ${q.length} quantized elements`);
    }
    fParts.push(f);
    qParts.push(q);
    const sameLayout = floats[i]!.ndim > axis && floats[i]!.shape[axis] === channels;
    addChannelSums(xx, dd, f, q, sameLayout ? floats[i]!.shape : [f.length], sameLayout ? axis : 1);
  }
  const fv = concat(fParts), qv = concat(qParts);
  const sums = pairSums(fv, qv);
  return {
    layer: layerOfKey(key), key, opType: opTypeOf(model, layerOfKey(key)), kind,
    sqnr: sqnrFromSums(sums), normalizedL2: normalizedL2FromSums(sums), cosine: cosineFromSums(sums),
    channelSqnr: Array.from(xx, (s, c) => 20 * Math.log10(Math.sqrt(s) / Math.sqrt(dd[c]!))),
    floatValues: fv, quantizedValues: qv,
  };
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * One row per weight and per logged activation, with SQNR, normalized L2 error and cosine
 * similarity over all logged pairs (a logger that recorded several calls counts them all).
 * @example
 * const rows = summarizeResults({ weights: compareWeights(f.stateDict(), q.stateDict()), activations: compareModelOutputs(f, q, [x]), model: q });
 */
export function summarizeResults(input: ReportInput): LayerReport[] {
  const rows: LayerReport[] = [];
  for (const [key, { float, quantized }] of Object.entries(input.weights ?? {})) {
    rows.push(rowOf(key, 'weight', [float], [quantized], input.model));
  }
  for (const [key, v] of Object.entries(input.activations ?? {})) {
    rows.push(rowOf(key, 'activation', asList(v.float, key, 'float'), asList(v.quantized, key, 'quantized'), input.model));
  }
  return rows;
}

/** Rows as given, or summarized from raw results. @internal */
export function toRows(results: LayerReport[] | ReportInput): LayerReport[] {
  return Array.isArray(results) ? results : summarizeResults(results);
}

/** The `count` rows with the lowest SQNR, worst first. */
export function worstLayers(rows: readonly LayerReport[], count: number): LayerReport[] {
  return [...rows].sort((a, b) => a.sqnr - b.sqnr).slice(0, count);
}
