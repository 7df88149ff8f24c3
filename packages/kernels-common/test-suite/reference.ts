/**
 * Straightforward references the native kernels are tested against (float64 / int loops,
 * written from the formulas in include/qtorch/qgemm.h, sharing no code with the addon).
 */

/**
 * An LCG state scaled to 0..range-1 by its high bits: the low bits of a power-of-two LCG have
 * short periods (bit 0 alternates, so `s % 2` made every "random" pair one of each).
 */
const upperBits = (s: number, range: number): number => Math.floor((s / 4294967296) * range);

/** Deterministic integers in [lo, hi] (LCG; tests must not depend on Math.random). */
export function randomInts(n: number, lo: number, hi: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + upperBits(s, hi - lo + 1));
  }
  return out;
}

/** acc[i, j] = sum_k (a[i, k] - za) * (w[j, k] - zw[j]). */
export function refQGemm(a: ArrayLike<number>, w: ArrayLike<number>, m: number, n: number, k: number, za: number, zw: ArrayLike<number>): Int32Array {
  const out = new Int32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const z = zw.length === 1 ? zw[0]! : zw[j]!;
      let s = 0;
      for (let t = 0; t < k; t++) s += (a[i * k + t]! - za) * (w[j * k + t]! - z);
      out[i * n + j] = s;
    }
  return out;
}

/** Round half to even (C nearbyint); Math.round rounds half up. */
export function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const f = Math.fround;

/** The engines' requantization as documented in qgemm.h (float32 steps via Math.fround). */
export function refRequant(
  acc: Int32Array, m: number, n: number, engine: 'fbgemm' | 'qnnpack',
  o: { inputScale: number; weightScales: ArrayLike<number>; bias: ArrayLike<number> | null; outputScale: number; outputZeroPoint: number; relu: boolean },
): Uint8Array {
  const y = new Uint8Array(m * n);
  const lo = o.relu ? o.outputZeroPoint : 0;
  for (let j = 0; j < n; j++) {
    const sw = o.weightScales.length === 1 ? o.weightScales[0]! : o.weightScales[j]!;
    const s = f(f(o.inputScale) * f(sw));
    const mult = f(s / f(o.outputScale));
    const b = o.bias ? f(o.bias[j]!) : 0;
    // qnnpack: the int32 bias rint(b * f32(1 / f32(sx * sw))), the product in double
    const qb = Math.min(Math.max(rint(f(b * f(1 / f(o.inputScale * sw)))), -(2 ** 31)), 2 ** 31 - 1);
    for (let i = 0; i < m; i++) {
      const a = acc[i * n + j]!;
      const v = engine === 'fbgemm'
        ? rint(f(f(f(a) + f(b / s)) * mult))
        : rint(f(f((a + qb) | 0) * mult));
      y[i * n + j] = Math.min(Math.max(o.outputZeroPoint + v, lo), 255);
    }
  }
  return y;
}

/** float64 C = A * B^T + bias. */
export function refSGemm(a: Float32Array, b: Float32Array, m: number, n: number, k: number, bias: Float32Array | null): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j]! : 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[j * k + t]!;
      c[i * n + j] = s;
    }
  return c;
}

/** A seeded stream of integers and scales (LCG): identical on every run and machine. Shared with tools/native-check. */
export class Rand {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  int(lo: number, hi: number): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return lo + upperBits(this.s, hi - lo + 1);
  }
  ints(n: number, lo: number, hi: number): number[] {
    return Array.from({ length: n }, () => this.int(lo, hi));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  /** A scale: a power of two half the time (requantization ties happen), else a random float. */
  scale(lo: number, hi: number): number {
    return this.int(0, 1) ? 2 ** -this.int(Math.round(-Math.log2(hi)), Math.round(-Math.log2(lo))) : lo + ((hi - lo) * this.int(0, 1000)) / 1000;
  }
}
