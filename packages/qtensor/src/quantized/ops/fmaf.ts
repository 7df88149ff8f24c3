/**
 * C's `fmaf(a, b, c)` for float32 operands: `a * b + c` rounded once to float32. PyTorch's
 * embedding-bag and batch-norm kernels use fused multiply-adds (`std::fma`, `vec::fmadd`);
 * a float32 product and sum rounded separately would differ on some outputs.
 */
import { f32 } from '../numerics.js';

const buf = new Float32Array(1);
const bits = new Int32Array(buf.buffer);

/** The float32 next to `x` (a float32 value) towards +inf (`up`) or -inf. */
function nextFloat(x: number, up: boolean): number {
  if (x === 0) return up ? 2 ** -149 : -(2 ** -149);
  buf[0] = x;
  bits[0] += (x > 0) === up ? 1 : -1;
  return buf[0]!;
}

/**
 * Exact `fmaf`: for float32 inputs the product is exact in a double; the double sum is
 * corrected (Knuth's two-sum) where a double rounding could land on a float32 midpoint.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bp = s - c;
  const err = (p - bp) + (c - (s - bp));
  const r = f32(s);
  if (err === 0 || r === s || !Number.isFinite(s)) return r;
  // s lies between two float32 values; only an exact midpoint needs the error's sign
  const other = nextFloat(r, s > r);
  if ((r + other) / 2 !== s) return r;
  return err > 0 === other > r ? other : r;
}
