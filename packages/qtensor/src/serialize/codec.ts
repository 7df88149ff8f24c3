/**
 * Raw little-endian bytes <-> qtorch storage arrays, shared by the safetensors and the
 * PyTorch checkpoint readers. Both formats store elements little-endian and row-major.
 *
 * Decoding always copies into a fresh buffer (loaded tensors own their data and typed arrays
 * need aligned offsets). int64 is stored in a `Float64Array` in qtorch, so it is converted
 * from / to 8-byte two's complement here; values beyond 2^53 round to the nearest double
 * (qtorch's int64 representation cannot hold them exactly).
 */
import { type DType, type TypedArray, bool, int64 } from '../dtype.js';
import { QTorchSerializationError, QTorchValueError } from '../errors.js';

/** Whether this machine stores multi-byte numbers little-endian (every Node target does). */
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A fresh copy of `bytes` with every `itemsize`-byte element swapped to host order. */
function copyToHostOrder(bytes: Uint8Array, itemsize: number): ArrayBuffer {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  if (!HOST_LE && itemsize > 1) {
    for (let i = 0; i < out.length; i += itemsize) out.subarray(i, i + itemsize).reverse();
  }
  return out.buffer;
}

/**
 * Decodes `numel` elements of `dtype` from little-endian `bytes` (exactly numel * itemsize
 * long) into a new storage array. Quantized dtypes decode as their integer representation.
 */
export function decodeElements(bytes: Uint8Array, dtype: DType, numel: number, op: string): TypedArray {
  const size = dtype.itemsize; // int64 is 8 bytes both in files and in qtorch's Float64Array
  if (bytes.length !== numel * size) {
    throw new QTorchSerializationError(
      `${op}(): ${numel} ${dtype.torchName} elements need ${numel * size} bytes, got ${bytes.length}`,
    );
  }
  const buf = copyToHostOrder(bytes, size);
  if (dtype === int64) {
    const wide = new BigInt64Array(buf);
    const out = new Float64Array(numel);
    for (let i = 0; i < numel; i++) out[i] = Number(wide[i]!);
    return out;
  }
  const out = new dtype.ArrayType(buf, 0, numel);
  // a bool byte other than 0/1 reads as true, as in PyTorch; keep qtorch's 0/1 invariant
  if (dtype === bool) for (let i = 0; i < numel; i++) if (out[i] !== 0) out[i] = 1;
  return out;
}

/**
 * Encodes row-major storage values of `dtype` as little-endian bytes (a new buffer; never
 * aliases `values`).
 */
export function encodeElements(values: TypedArray, dtype: DType, op: string): Uint8Array {
  const n = values.length;
  let out: Uint8Array;
  if (dtype === int64) {
    const wide = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) {
        throw new QTorchValueError(`${op}(): an int64 tensor holds ${v} at flat index ${i}; expected a finite integer`);
      }
      wide[i] = BigInt.asIntN(64, BigInt(Math.trunc(v)));
    }
    out = new Uint8Array(wide.buffer);
  } else {
    out = new Uint8Array(n * dtype.itemsize);
    out.set(new Uint8Array(values.buffer, values.byteOffset, n * dtype.itemsize));
  }
  if (!HOST_LE && dtype.itemsize > 1) {
    for (let i = 0; i < out.length; i += dtype.itemsize) out.subarray(i, i + dtype.itemsize).reverse();
  }
  return out;
}
