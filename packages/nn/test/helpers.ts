/**
 * Test helpers: independent float64 reference loops and a finite-difference check of a
 * module's gradients with respect to its inputs and its parameters.
 */
import { type Tensor, backward, float64, fromValues, noGrad } from '@qtorch/qtensor';
import { expect } from 'vitest';
import type { Module } from '../src/index.js';

/** Flat float64 values of a tensor. */
export const vals = (t: Tensor): number[] => Array.from(t.values());

/** Asserts |a - b| <= atol + rtol |b| elementwise (lengths must match). */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, b = expected[i]!;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) throw new Error(`element ${i}: got ${a}, expected ${b}`);
  }
}

/** Converts a module's floating parameters and buffers to float64 (for finite differences). */
export function toDouble<M extends Module>(m: M): M {
  return m._apply((t) => (t.dtype.isFloatingPoint ? t.to(float64) : t));
}

/** A float64 leaf tensor that requires grad. */
export function leaf(values: ArrayLike<number>, shape: number[]): Tensor {
  const t = fromValues(values, shape, float64);
  t.requiresGrad = true;
  return t;
}

/** Deterministic pseudo-random values in [-1, 1) (a tiny LCG, independent of qtensor's generator). */
export function lcgValues(n: number, seed = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/**
 * Checks the autograd gradients of sum(v * f()) for every element of `inputs` and of the
 * module's parameters against central differences (float64 everywhere). `f` re-runs the forward.
 */
export function checkGrads(m: Module, inputs: Tensor[], f: () => Tensor, opts: { eps?: number; atol?: number; rtol?: number } = {}): void {
  const { eps = 1e-6, atol = 1e-6, rtol = 1e-4 } = opts;
  const out = f();
  const v = lcgValues(out.numel(), 7);
  for (const p of m.parameters()) p.grad = null;
  backward(out, fromValues(v, out.shape, float64));
  const project = (): number => {
    const o = noGrad(f).values();
    let s = 0;
    for (let i = 0; i < o.length; i++) s += o[i]! * v[i]!;
    return s;
  };
  const targets: Array<[string, Tensor]> = [...inputs.map((t, i): [string, Tensor] => [`input${i}`, t]), ...m.namedParameters()];
  for (const [name, t] of targets) {
    expect(t.grad, `${name} has a gradient`).not.toBeNull();
    const g = t.grad!.values();
    const data = t.data;
    for (let i = 0; i < t.numel(); i++) {
      const idx = t.offset + i; // leaves here are contiguous
      const orig = data[idx]!;
      data[idx] = orig + eps;
      const up = project();
      data[idx] = orig - eps;
      const down = project();
      data[idx] = orig;
      const numeric = (up - down) / (2 * eps);
      if (!(Math.abs(g[i]! - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradient of ${name}[${i}]: autograd ${g[i]}, finite difference ${numeric}`);
      }
    }
  }
}

/** Naive float64 N-d convolution (cross-correlation) over [N, C, *spatial] with zero padding. */
export function naiveConv(
  x: ArrayLike<number>, xShape: number[], w: ArrayLike<number>, wShape: number[], b: ArrayLike<number> | null,
  o: { stride: number[]; padding: number[]; dilation: number[]; groups: number },
): { out: number[]; shape: number[] } {
  const [N, C] = xShape as [number, number];
  const inSp = xShape.slice(2), k = wShape.slice(2);
  const O = wShape[0]!, Cg = wShape[1]!, Og = O / o.groups;
  const outSp = inSp.map((n, d) => Math.floor((n + 2 * o.padding[d]! - o.dilation[d]! * (k[d]! - 1) - 1) / o.stride[d]!) + 1);
  const nd = inSp.length;
  const prod = (a: number[]): number => a.reduce((p, q) => p * q, 1);
  const unravel = (i: number, dims: number[]): number[] => {
    const r: number[] = new Array(dims.length);
    for (let d = dims.length - 1; d >= 0; d--) { r[d] = i % dims[d]!; i = Math.floor(i / dims[d]!); }
    return r;
  };
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let oc = 0; oc < O; oc++) for (let op = 0; op < prod(outSp); op++) {
    const pos = unravel(op, outSp);
    const g = Math.floor(oc / Og);
    let s = b ? b[oc]! : 0;
    for (let ci = 0; ci < Cg; ci++) for (let kp = 0; kp < prod(k); kp++) {
      const kk = unravel(kp, k);
      const ip = pos.map((p, d) => p * o.stride[d]! - o.padding[d]! + kk[d]! * o.dilation[d]!);
      if (ip.some((v, d) => v < 0 || v >= inSp[d]!)) continue;
      let xi = n * C + g * Cg + ci;
      for (let d = 0; d < nd; d++) xi = xi * inSp[d]! + ip[d]!;
      let wi = oc * Cg + ci;
      for (let d = 0; d < nd; d++) wi = wi * k[d]! + kk[d]!;
      s += x[xi]! * w[wi]!;
    }
    out.push(s);
  }
  return { out, shape: [N, O, ...outSp] };
}
