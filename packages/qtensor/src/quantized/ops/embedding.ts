/**
 * Quantized embeddings: PyTorch's row-wise quantized tables and their lookups.
 *
 * A packed table is a uint8 tensor `[rows, bytes]`: each row holds the quantized values (8-bit:
 * one per byte; 4-bit: two per byte, element 2k in the low nibble; 2-bit: four per byte), then
 * the row's scale and bias (8-bit: two float32; 4/2-bit: two float16), little endian. A value
 * is `scale * q + bias`.
 *
 * - `embeddingBag{Byte,4bit,2bit}Prepack(w)` quantize a float table row by row (min/max).
 * - `embeddingBagPrepack(qweight)` packs a quantized table (quint8 / quint4x2 with float qparams,
 *   PyTorch's nn.quantized.Embedding route) into `EmbeddingPackedParams`; bias = -zp * scale.
 * - Lookups `embeddingBag{Byte,4bit,2bit}RowwiseOffsets` sum `fma(scale * w, q, out + bias * w)`
 *   per bag (PyTorch's reference loop, also fbgemm's). As in PyTorch 1.13, `mode` is accepted
 *   but the result is always the sum (golden `*_mean` / `*_max` equal `*_sum`).
 * Both engines share these kernels.
 */
import { float32, int32, int64, quint4x2, quint8, uint8, type DType } from '../../dtype.js';
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from '../../errors.js';
import { floatToHalfBits, halfBitsToFloat } from '../../half.js';
import { isPerChannel } from '../../quantizer.js';
import { type Engine, backends, getKernel } from '../../registry.js';
import { shapeNumel } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { assertQuantized } from '../checks.js';
import { fmaf } from './fmaf.js';
import { f32, rint } from './requantize.js';
import { assertTensor, checkOptions } from '../../args.js';

/** Bits per stored value of a row-wise quantized table. */
export type EmbeddingBits = 8 | 4 | 2;

/** Kernel signature of the row-wise lookups (`offsets` includes the final one; one output row per bag). */
export type QEmbeddingBagKernel = (
  packed: Tensor, indices: ArrayLike<number>, offsets: readonly number[], perSampleWeights: ArrayLike<number> | null,
  compressedIndicesMapping: ArrayLike<number> | null, outShape: readonly number[],
) => Tensor;

const half = (v: number): number => halfBitsToFloat(floatToHalfBits(v));
/** Bytes of scale + bias at the end of each row. */
const tailBytes = (bits: EmbeddingBits): number => (bits === 8 ? 8 : 4);
const perByte = (bits: EmbeddingBits): number => 8 / bits;
const opName = (bits: EmbeddingBits): string => (bits === 8 ? 'byte' : `${bits}bit`);

/** Row `r`'s [scale, bias] from the packed bytes. */
function rowScaleBias(bytes: Uint8Array, rowBytes: number, r: number, bits: EmbeddingBits): [number, number] {
  const at = (r + 1) * rowBytes - tailBytes(bits);
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, tailBytes(bits));
  if (bits === 8) return [view.getFloat32(0, true), view.getFloat32(4, true)];
  return [halfBitsToFloat(view.getUint16(0, true)), halfBitsToFloat(view.getUint16(2, true))];
}

/** Writes row `r`'s scale and bias (float32, or float16 for sub-byte tables). */
function setRowScaleBias(bytes: Uint8Array, rowBytes: number, r: number, bits: EmbeddingBits, scale: number, bias: number): void {
  const at = (r + 1) * rowBytes - tailBytes(bits);
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, tailBytes(bits));
  if (bits === 8) {
    view.setFloat32(0, scale, true);
    view.setFloat32(4, bias, true);
  } else {
    view.setUint16(0, floatToHalfBits(scale), true);
    view.setUint16(2, floatToHalfBits(bias), true);
  }
}

/** Stored value `j` of row `r`. */
function rowValue(bytes: Uint8Array, rowBytes: number, r: number, j: number, bits: EmbeddingBits): number {
  const k = perByte(bits);
  return (bytes[r * rowBytes + Math.floor(j / k)]! >> ((j % k) * bits)) & ((1 << bits) - 1);
}

/** Packs `values` (one row-major `[rows, cols]` array) into a table with the given scales / biases. */
function packTable(values: ArrayLike<number>, rows: number, cols: number, bits: EmbeddingBits, scaleBias: (r: number) => [number, number]): Uint8Array {
  const k = perByte(bits), rowBytes = Math.ceil(cols / k) + tailBytes(bits);
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) out[r * rowBytes + Math.floor(j / k)]! |= values[r * cols + j]! << ((j % k) * bits);
    const [s, b] = scaleBias(r);
    setRowScaleBias(out, rowBytes, r, bits, s, b);
  }
  return out;
}

function checkFloatTable(w: Tensor, op: string): void {
  assertTensor(w, op, 'weight');
  if (w.isQuantized || !w.dtype.isFloatingPoint) throw new QTorchTypeError(`${op}(): expected a float weight, got ${w.dtype.torchName}`);
  if (w.ndim < 2) throw new QTorchShapeError(`${op}(): expected a weight [rows, embedding_dim], got ${fmtShape(w.shape)}`);
}

/** A row's quantization: `q = clamp(rint((v - bias) * inv), 0, qmax)`, stored with `scale` and `bias`. */
interface RowQparams {
  scale: number;
  bias: number;
  inv: number;
}

/**
 * Row-wise quantization of a float table `[rows, cols]` to `qmax` levels, each row's qparams
 * from its min and max; returns the codes and each row's `[scale, bias]` (for `packTable`).
 */
function quantizeRows(
  w: Float32Array, rows: number, cols: number, qmax: number, rowQparams: (min: number, max: number) => RowQparams,
): { q: Uint8Array; scaleBias: Array<[number, number]> } {
  const q = new Uint8Array(w.length), scaleBias: Array<[number, number]> = [];
  for (let r = 0; r < rows; r++) {
    const row = w.subarray(r * cols, (r + 1) * cols);
    let mn = Infinity, mx = -Infinity;
    for (const v of row) {
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    const { scale, bias, inv } = rowQparams(mn, mx);
    for (let j = 0; j < cols; j++) q[r * cols + j] = Math.max(0, Math.min(qmax, rint(f32(f32(row[j]! - bias) * inv))));
    scaleBias.push([scale, bias]);
  }
  return { q, scaleBias };
}

/**
 * `torch.ops.quantized.embedding_bag_byte_prepack(weight)`: 8-bit row-wise quantization
 * (`scale = (max - min) / 255`, `bias = min`) of a float table `[..., D]` into uint8 `[..., D + 8]`.
 */
export function embeddingBagBytePrepack(weight: Tensor): Tensor {
  const op = 'quantized::embedding_bag_byte_prepack';
  checkFloatTable(weight, op);
  const cols = weight.shape[weight.ndim - 1]!, rows = shapeNumel(weight.shape.slice(0, -1));
  const { q, scaleBias } = quantizeRows(Float32Array.from(weight.values()), rows, cols, 255, (mn, mx) => {
    const range = f32(mx - mn);
    // (v - min) * inv never exceeds 255.5, so the clamp to 0..255 never bites here
    return { scale: f32(range / 255), bias: mn, inv: f32(255 / f32(range + f32(1e-8))) };
  });
  const bytes = packTable(q, rows, cols, 8, (r) => scaleBias[r]!);
  return new Tensor(bytes, uint8, [...weight.shape.slice(0, -1), cols + 8]);
}

/** Options of the 4-bit / 2-bit prepack ops (PyTorch keyword arguments). */
export interface NbitPrepackOptions {
  /** Search the clipping range with PyTorch's greedy optimizer (not supported: min/max is used). Default false. */
  optimizedQparams?: boolean;
  /** Histogram bins of PyTorch's optimized-qparams search (accepted for parity; unused). */
  nbins?: number;
  /** Range ratio of PyTorch's optimized-qparams search (accepted for parity; unused). */
  ratio?: number;
}

function nbitPrepack(weight: Tensor, bits: 4 | 2, opts: NbitPrepackOptions): Tensor {
  const op = `quantized::embedding_bag_${bits}bit_prepack`;
  checkOptions(opts, op);
  checkFloatTable(weight, op);
  if (opts.optimizedQparams) throw new QTorchValueError(`${op}(): optimized_qparams=True is not supported; use the default min/max quantization`);
  if (weight.ndim !== 2) throw new QTorchShapeError(`${op}(): expected a 2-d weight, got ${fmtShape(weight.shape)}`);
  const [rows, cols] = weight.shape as [number, number];
  if (cols % perByte(bits) !== 0) {
    throw new QTorchShapeError(`${op}(): qembeddingbag_${bits}bit_prepack only works for the number of columns a multiple of ${perByte(bits)}, got ${cols}`);
  }
  const qmax = (1 << bits) - 1;
  const { q, scaleBias } = quantizeRows(Float32Array.from(weight.values()), rows, cols, qmax, (min, mx) => {
    const mn = half(min); // Xmin is stored as float16 and used as such
    const range = f32(mx - mn);
    let scale = range === 0 ? 1 : half(f32(range / qmax));
    let inv = scale === 0 ? 1 : f32(1 / scale);
    if (scale === 0 || !Number.isFinite(inv)) [scale, inv] = [1, 1];
    return { scale, bias: mn, inv };
  });
  const bytes = packTable(q, rows, cols, bits, (r) => scaleBias[r]!);
  return new Tensor(bytes, uint8, [rows, cols / perByte(bits) + 4]);
}

/** `torch.ops.quantized.embedding_bag_4bit_prepack(weight)`: 4-bit row-wise quantization (float16 scale and bias). */
export const embeddingBag4bitPrepack = (weight: Tensor, opts: NbitPrepackOptions = {}): Tensor => nbitPrepack(weight, 4, opts);
/** `torch.ops.quantized.embedding_bag_2bit_prepack(weight)`: 2-bit row-wise quantization (float16 scale and bias). */
export const embeddingBag2bitPrepack = (weight: Tensor, opts: NbitPrepackOptions = {}): Tensor => nbitPrepack(weight, 2, opts);

/** Throws unless `packed` is a 2-d (or batched, 8-bit) uint8 table; returns [rows, rowBytes, dim]. */
function tableGeometry(packed: Tensor, bits: EmbeddingBits, op: string): [number, number, number] {
  assertTensor(packed, op, 'the packed table');
  if (packed.dtype !== uint8 || packed.ndim < 2 || (bits !== 8 && packed.ndim !== 2)) {
    throw new QTorchTypeError(`${op}(): expected a packed uint8 table [rows, bytes] (from embedding_bag_${opName(bits)}_prepack), got ${packed.dtype.torchName} ${fmtShape(packed.shape)}`);
  }
  const rowBytes = packed.shape[packed.ndim - 1]!;
  if (rowBytes <= tailBytes(bits)) throw new QTorchShapeError(`${op}(): packed rows of ${rowBytes} bytes leave no room for ${tailBytes(bits)} bytes of scale and bias`);
  return [shapeNumel(packed.shape.slice(0, -1)), rowBytes, (rowBytes - tailBytes(bits)) * perByte(bits)];
}

const tableBytes = (packed: Tensor): Uint8Array => packed.rawValues() as Uint8Array;

function unpackTable(packed: Tensor, bits: EmbeddingBits): Tensor {
  const op = `quantized::embedding_bag_${opName(bits)}_unpack`;
  const [rows, rowBytes, dim] = tableGeometry(packed, bits, op);
  const bytes = tableBytes(packed);
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const [s, b] = rowScaleBias(bytes, rowBytes, r, bits);
    for (let j = 0; j < dim; j++) out[r * dim + j] = f32(f32(rowValue(bytes, rowBytes, r, j, bits) * s) + b);
  }
  return new Tensor(out, float32, [...packed.shape.slice(0, -1), dim]);
}

/** `torch.ops.quantized.embedding_bag_byte_unpack(packed)`: the float table `scale * q + bias`. */
export const embeddingBagByteUnpack = (packed: Tensor): Tensor => unpackTable(packed, 8);
/** `torch.ops.quantized.embedding_bag_4bit_unpack(packed)`. */
export const embeddingBag4bitUnpack = (packed: Tensor): Tensor => unpackTable(packed, 4);
/** `torch.ops.quantized.embedding_bag_2bit_unpack(packed)`. */
export const embeddingBag2bitUnpack = (packed: Tensor): Tensor => unpackTable(packed, 2);

/** The reference lookup of a `bits` table: per bag, `out = fma(s * w, q, out + b * w)` over its rows. */
export function embeddingBagKernel(bits: EmbeddingBits): QEmbeddingBagKernel {
  return (packed, indices, offsets, psw, mapping, outShape) => {
    const rowBytes = packed.shape[packed.ndim - 1]!, dim = (rowBytes - tailBytes(bits)) * perByte(bits);
    const bytes = tableBytes(packed);
    const out = new Float32Array(shapeNumel(outShape));
    for (let m = 0; m + 1 < offsets.length; m++) {
      const o = m * dim;
      for (let k = offsets[m]!; k < offsets[m + 1]!; k++) {
        const r = mapping ? mapping[indices[k]!]! : indices[k]!;
        if (r === -1) continue; // pruned row
        const wv = psw ? f32(psw[k]!) : 1;
        const [s0, b0] = rowScaleBias(bytes, rowBytes, r, bits);
        const s = f32(wv * s0), b = f32(wv * b0);
        for (let j = 0; j < dim; j++) out[o + j] = fmaf(s, rowValue(bytes, rowBytes, r, j, bits), f32(out[o + j]! + b));
      }
    }
    return new Tensor(out, float32, outShape);
  };
}

/** Keyword arguments of the embedding-bag lookups (PyTorch's defaults). */
export interface EmbeddingBagLookupOptions {
  /** Bag starts into `indices` (1-d indices); null for 2-d indices (fixed-length bags). */
  offsets?: Tensor | null;
  /** Unused by PyTorch's quantized kernels (accepted for signature compatibility). */
  scaleGradByFreq?: boolean;
  /** 0 sum, 1 mean, 2 max. PyTorch 1.13's quantized kernels always sum (see the module comment). */
  mode?: 0 | 1 | 2;
  /** Indices go through `compressedIndicesMapping` (-1 = pruned row). */
  prunedWeights?: boolean;
  /** One float weight per index, multiplying its row. */
  perSampleWeights?: Tensor | null;
  /** int32 map from uncompressed index to packed row (pruned tables). */
  compressedIndicesMapping?: Tensor | null;
  /** `offsets` has one extra entry: the end of the last bag. */
  includeLastOffset?: boolean;
}

function intValues(t: Tensor, what: string, op: string): ArrayLike<number> {
  if (t.isQuantized || (t.dtype !== int64 && t.dtype !== int32)) throw new QTorchTypeError(`${op}(): Expect 32 or 64 bit ${what}, but found ${t.dtype.torchName} instead.`);
  return t.values();
}

/** Validates the lookup arguments; returns the flat indices, offsets (with the final one) and output shape. */
function lookupSetup(
  rows: number, dim: number, indices: Tensor, o: EmbeddingBagLookupOptions, embeddingOp: boolean, op: string,
): { idx: ArrayLike<number>; offsets: number[]; outShape: number[]; psw: ArrayLike<number> | null; mapping: ArrayLike<number> | null } {
  if (indices.ndim !== 1 && indices.ndim !== 2) throw new QTorchShapeError(`${op}(): qembedding/qembedding_bag operator supports 1 or 2d indices, got ${indices.ndim}`);
  const idx = intValues(indices, 'indices', op);
  let offsets: number[];
  if (embeddingOp) offsets = Array.from({ length: idx.length + 1 }, (_, i) => i);
  else if (indices.ndim === 2) {
    if (o.offsets) throw new QTorchValueError(`${op}(): input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences.`);
    const len = indices.shape[1]!;
    offsets = Array.from({ length: indices.shape[0]! + 1 }, (_, i) => i * len);
  } else {
    if (!o.offsets) throw new QTorchValueError(`${op}(): expects offsets to be set for 1D indices.`);
    if (o.offsets.ndim !== 1) throw new QTorchShapeError(`${op}(): expected 1-d offsets, got ${fmtShape(o.offsets.shape)}`);
    offsets = Array.from(intValues(o.offsets, 'offsets', op));
    if (!o.includeLastOffset) offsets.push(idx.length);
  }
  for (let m = 0; m < offsets.length; m++) {
    const v = offsets[m]!;
    if (v < 0 || v > idx.length || (m > 0 && v < offsets[m - 1]!)) {
      throw new QTorchValueError(`${op}(): offsets must be non-decreasing and within [0, ${idx.length}], got [${offsets.join(', ')}]`);
    }
  }
  const mapping = o.prunedWeights && o.compressedIndicesMapping ? intValues(o.compressedIndicesMapping, 'compressed_indices_mapping', op) : null;
  if (o.prunedWeights && !mapping) throw new QTorchValueError(`${op}(): pruned_weights=True needs compressed_indices_mapping`);
  const limit = mapping ? mapping.length : rows;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (i < 0 || i >= limit) throw new QTorchValueError(`${op}(): Index ${k} is out of bounds: ${i}, range 0 to ${limit}`);
    if (mapping && (mapping[i]! < -1 || mapping[i]! >= rows)) throw new QTorchValueError(`${op}(): compressed_indices_mapping[${i}] = ${mapping[i]} is not a row of the table (${rows} rows)`);
  }
  let psw: ArrayLike<number> | null = null;
  if (o.perSampleWeights) {
    const w = o.perSampleWeights;
    if (w.isQuantized || !w.dtype.isFloatingPoint || w.numel() !== idx.length) {
      throw new QTorchValueError(`${op}(): expected per_sample_weights to be a float tensor with one weight per index (${idx.length}), got ${w.dtype.torchName} ${fmtShape(w.shape)}`);
    }
    psw = w.values();
  }
  const outShape = embeddingOp ? [...indices.shape, dim] : [offsets.length - 1, dim];
  return { idx, offsets, outShape, psw, mapping };
}

function runLookup(bits: EmbeddingBits, packed: Tensor, indices: Tensor, o: EmbeddingBagLookupOptions, embeddingOp: boolean, op: string): Tensor {
  checkOptions(o, op);
  if (o.mode !== undefined && ![0, 1, 2].includes(o.mode)) throw new QTorchValueError(`${op}(): mode must be 0 (sum), 1 (mean) or 2 (max), got ${String(o.mode)}`);
  const [rows, , dim] = tableGeometry(packed, bits, op);
  const s = lookupSetup(rows, dim, indices, o, embeddingOp, op);
  return getKernel<QEmbeddingBagKernel>(`quantized::embedding_bag_${opName(bits)}_rowwise_offsets`)(packed, s.idx, s.offsets, s.psw, s.mapping, s.outShape);
}

/** `torch.ops.quantized.embedding_bag_byte_rowwise_offsets(weight, indices, offsets, ...)`: float output `[bags, D]`. */
export const embeddingBagByteRowwiseOffsets = (weight: Tensor, indices: Tensor, opts: EmbeddingBagLookupOptions = {}): Tensor =>
  runLookup(8, weight, indices, opts, false, 'quantized::embedding_bag_byte_rowwise_offsets');
/** `torch.ops.quantized.embedding_bag_4bit_rowwise_offsets(weight, indices, offsets, ...)`. */
export const embeddingBag4bitRowwiseOffsets = (weight: Tensor, indices: Tensor, opts: EmbeddingBagLookupOptions = {}): Tensor =>
  runLookup(4, weight, indices, opts, false, 'quantized::embedding_bag_4bit_rowwise_offsets');
/** `torch.ops.quantized.embedding_bag_2bit_rowwise_offsets(weight, indices, offsets, ...)`. */
export const embeddingBag2bitRowwiseOffsets = (weight: Tensor, indices: Tensor, opts: EmbeddingBagLookupOptions = {}): Tensor =>
  runLookup(2, weight, indices, opts, false, 'quantized::embedding_bag_2bit_rowwise_offsets');

/**
 * Packed quantized embedding table (PyTorch's `EmbeddingPackedParamsBase`), built by
 * `embeddingBagPrepack(qweight)` from a quint8 / quint4x2 table quantized per row with float
 * qparams. Lookups are engine independent; `engine` records where it was packed.
 */
export class EmbeddingPackedParams {
  /**
   * @param engine - The engine the table was packed for.
   * @param bitRate - 8 (quint8) or 4 (quint4x2).
   * @param packed - The packed uint8 table `[rows, bytes]`.
   * @param scales - Per-row scales.
   * @param zeroPoints - Per-row float zero points.
   * @param version - PyTorch's packing version.
   */
  constructor(
    /** The engine the table was packed under (lookups do not depend on it). */
    readonly engine: Engine,
    /** 8 (quint8) or 4 (quint4x2). */
    readonly bitRate: 8 | 4,
    /** The packed uint8 table `[rows, bytes]`. */
    readonly packed: Tensor,
    /** Per-row scales and float zero points of the quantized table (float32 values). */
    readonly scales: Float32Array,
    /** Per-row float zero points (float32 values). */
    readonly zeroPoints: Float32Array,
    /** PyTorch's packing version. */
    readonly version = 1,
  ) {}

  /** Rows and embedding dim of the table. */
  get shape(): [number, number] {
    return [this.packed.shape[0]!, (this.packed.shape[1]! - tailBytes(this.bitRate)) * perByte(this.bitRate)];
  }

  /** The quantized table (`embedding_bag_unpack`): quint8 / quint4x2, per-row float qparams. */
  unpack(): Tensor {
    const [rows, dim] = this.shape;
    const dtype: DType = this.bitRate === 8 ? quint8 : quint4x2;
    const bytes = tableBytes(this.packed), rowBytes = this.packed.shape[1]!;
    const q = new Uint8Array(rows * dim);
    for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) q[r * dim + j] = rowValue(bytes, rowBytes, r, j, this.bitRate);
    const t = new Tensor(q, dtype, [rows, dim]);
    t.quantizer = { qscheme: 'per_channel_affine_float_qparams', scales: Float64Array.from(this.scales), zeroPoints: Float64Array.from(this.zeroPoints), axis: 0 };
    return t;
  }
}

/**
 * `torch.ops.quantized.embedding_bag_prepack(qweight)`: packs a 2-d quint8 or quint4x2 table
 * quantized per row (axis 0) with float qparams; each row stores scale and `-zp * scale`.
 */
export function embeddingBagPrepack(qweight: Tensor, engine: Engine = backends.quantized.engine): EmbeddingPackedParams {
  const op = 'quantized::embedding_bag_prepack';
  assertQuantized(qweight, op);
  const qz = qweight.quantizer!;
  if (qweight.dtype !== quint8 && qweight.dtype !== quint4x2) throw new QTorchTypeError(`${op}(): qembedding_prepack weight type should be quint8 or quint4x2, got ${qweight.dtype.torchName}`);
  if (!isPerChannel(qz) || qz.qscheme !== 'per_channel_affine_float_qparams' || qz.axis !== 0) {
    throw new QTorchTypeError(`${op}(): Expect embedding_bag weights to be quantized using kPerChannelAffineFloatQParams along axis 0, got ${qz.qscheme}`);
  }
  if (qweight.ndim !== 2) throw new QTorchShapeError(`${op}(): expected a 2-d table, got ${fmtShape(qweight.shape)}`);
  const bits: 8 | 4 = qweight.dtype === quint8 ? 8 : 4;
  const [rows, cols] = qweight.shape as [number, number];
  if (cols % perByte(bits) !== 0) throw new QTorchShapeError(`${op}(): a 4-bit table needs an even number of columns, got ${cols}`);
  const scales = Float32Array.from(qz.scales), zps = Float32Array.from(qz.zeroPoints);
  const bytes = packTable(qweight.rawValues(), rows, cols, bits, (r) => [scales[r]!, f32(f32(zps[r]! * scales[r]!) * -1)]);
  return new EmbeddingPackedParams(engine, bits, new Tensor(bytes, uint8, [rows, cols / perByte(bits) + tailBytes(bits)]), scales, zps);
}

/** `torch.ops.quantized.embedding_bag_unpack(packed)`: the quantized table. */
export const embeddingBagUnpack = (packed: EmbeddingPackedParams): Tensor => packed.unpack();

function checkPacked(p: EmbeddingPackedParams, bits: 8 | 4, op: string): void {
  if (!(p instanceof EmbeddingPackedParams)) throw new QTorchTypeError(`${op}(): expected EmbeddingPackedParams (from embeddingBagPrepack), got ${String(p)}`);
  if (p.bitRate !== bits) throw new QTorchTypeError(`${op}(): expected ${bits === 8 ? 'an' : 'a'} ${bits}-bit table, got ${p.bitRate === 8 ? 'an' : 'a'} ${p.bitRate}-bit one`);
}

/**
 * A lookup on packed params: `quantized::embedding_bag_{byte,4bit}` (`embeddingOp` false) or
 * `quantized::embedding_{byte,4bit}`; `fn` names the exported function in option errors.
 */
function packedLookup(fn: string, bits: 8 | 4, embeddingOp: boolean, packed: EmbeddingPackedParams, indices: Tensor, opts: EmbeddingBagLookupOptions): Tensor {
  checkOptions(opts, fn);
  const op = `quantized::embedding${embeddingOp ? '' : '_bag'}_${opName(bits)}`;
  checkPacked(packed, bits, op);
  return runLookup(bits, packed.packed, indices, opts, embeddingOp, op);
}

/** `torch.ops.quantized.embedding_bag_byte(packed, indices, offsets, ...)` on packed params. */
export function quantizedEmbeddingBagByte(packed: EmbeddingPackedParams, indices: Tensor, opts: EmbeddingBagLookupOptions = {}): Tensor {
  return packedLookup('quantizedEmbeddingBagByte', 8, false, packed, indices, opts);
}

/** `torch.ops.quantized.embedding_bag_4bit(packed, indices, offsets, ...)` on packed params. */
export function quantizedEmbeddingBag4bit(packed: EmbeddingPackedParams, indices: Tensor, opts: EmbeddingBagLookupOptions = {}): Tensor {
  return packedLookup('quantizedEmbeddingBag4bit', 4, false, packed, indices, opts);
}

/** Options of the embedding lookups. */
export interface EmbeddingLookupOptions {
  /** Indices go through `compressedIndicesMapping` (-1 = pruned row). */
  prunedWeights?: boolean;
  /** Maps original row indices to rows of the pruned table (with `prunedWeights`). */
  compressedIndicesMapping?: Tensor | null;
}

/** `torch.ops.quantized.embedding_byte(packed, indices)`: one row per index, output `[*indices.shape, D]`. */
export function quantizedEmbeddingByte(packed: EmbeddingPackedParams, indices: Tensor, opts: EmbeddingLookupOptions = {}): Tensor {
  return packedLookup('quantizedEmbeddingByte', 8, true, packed, indices, opts);
}

/** `torch.ops.quantized.embedding_4bit(packed, indices)`. */
export function quantizedEmbedding4bit(packed: EmbeddingPackedParams, indices: Tensor, opts: EmbeddingLookupOptions = {}): Tensor {
  return packedLookup('quantizedEmbedding4bit', 4, true, packed, indices, opts);
}
