/**
 * The strided FP32 GEMM (`sgemmStrided`) both addons export, and qtensor's float ops on it:
 * every ISA the CPU has against a float64 loop (float32 sums: tolerance), every transpose
 * combination, offsets, leading dimensions, alpha/beta/bias, shapes straddling the kernels'
 * tiles and cache blocks, thread-count invariance, argument checks. Not published.
 */
import { describe, expect, it } from 'vitest';
import * as Q from '@qtorch/qtensor';
import { type NativeBinding, createKernelsApi } from '../ts/index.js';
import { randomInts } from './reference.js';
import { type AddonUnderTest, forEachIsa, restoringThreads } from './suite.js';

/** A strided GEMM call: operands are views at an offset with a leading dimension > their row. */
interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  bias: boolean;
}

interface Operands {
  a: Float32Array;
  aOff: number;
  lda: number;
  b: Float32Array;
  bOff: number;
  ldb: number;
  c: Float32Array;
  cOff: number;
  ldc: number;
  bias: Float32Array | null;
}

const floats = (n: number, seed: number): Float32Array => Float32Array.from(randomInts(n, -1000, 1000, seed), (v) => v / 997);

/** Operands of `c`: each stored matrix padded by 3 columns and preceded by 5 elements. */
function operands(c: Case, seed: number): Operands {
  const [ar, ac] = c.transA ? [c.k, c.m] : [c.m, c.k];
  const [br, bc] = c.transB ? [c.n, c.k] : [c.k, c.n];
  const lda = ac + 3, ldb = bc + 3, ldc = c.n + 3;
  return {
    a: floats(5 + ar * lda, seed), aOff: 5, lda,
    b: floats(5 + br * ldb, seed + 1), bOff: 5, ldb,
    c: floats(5 + c.m * ldc, seed + 2), cOff: 5, ldc,
    bias: c.bias ? floats(c.n, seed + 3) : null,
  };
}

/**
 * float64 `alpha * op(A) op(B) + beta * C + bias` over the view, and per element the sum of
 * the terms' magnitudes (the scale float32 rounding errors are relative to).
 */
function reference(c: Case, o: Operands): { want: Float64Array; scale: Float64Array } {
  const want = new Float64Array(c.m * c.n), scale = new Float64Array(c.m * c.n);
  for (let i = 0; i < c.m; i++)
    for (let j = 0; j < c.n; j++) {
      let s = 0, mag = 0;
      for (let p = 0; p < c.k; p++) {
        const av = o.a[o.aOff + (c.transA ? p * o.lda + i : i * o.lda + p)]!;
        const bv = o.b[o.bOff + (c.transB ? j * o.ldb + p : p * o.ldb + j)]!;
        s += av * bv;
        mag += Math.abs(av * bv);
      }
      const old = c.beta === 0 ? 0 : c.beta * o.c[o.cOff + i * o.ldc + j]!;
      const bias = o.bias ? o.bias[j]! : 0;
      want[i * c.n + j] = c.alpha * s + old + bias;
      scale[i * c.n + j] = Math.abs(c.alpha) * mag + Math.abs(old) + Math.abs(bias) + 1;
    }
  return { want, scale };
}

/** Runs the case on a copy of C; returns the whole C array. */
function run(t: AddonUnderTest, c: Case, o: Operands): Float32Array {
  const out = o.c.slice();
  t.api.sgemmStrided(c.transA, c.transB, c.m, c.n, c.k, c.alpha, o.a, o.aOff, o.lda, o.b, o.bOff, o.ldb, c.beta, out, o.cOff, o.ldc, o.bias);
  return out;
}

/** Worst |got - want| / scale over the view, and whether anything outside the view changed. */
function check(c: Case, o: Operands, got: Float32Array): { worst: number; outsideTouched: boolean } {
  const { want, scale } = reference(c, o);
  let worst = 0, outsideTouched = false;
  for (let idx = 0; idx < got.length; idx++) {
    const r = idx - o.cOff, i = Math.floor(r / o.ldc), j = r % o.ldc;
    if (r >= 0 && i < c.m && j < c.n) worst = Math.max(worst, Math.abs(got[idx]! - want[i * c.n + j]!) / scale[i * c.n + j]!);
    else if (!Object.is(got[idx], o.c[idx])) outsideTouched = true;
  }
  return { worst, outsideTouched };
}

// float32 sums of <= 1100 terms: errors stay far below 1e-5 of the terms' magnitude.
const TOL = 1e-5;

// Shapes around the tiles (4x8 scalar, 6x16 AVX2, 6x32 AVX-512) and the cache blocks (K 256,
// M 144, N 1024).
const SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 1], [7, 13, 5], [6, 16, 256], [12, 32, 257], [13, 37, 300], [5, 3, 1], [145, 20, 9], [2, 1030, 7], [1, 70, 513],
];

export function describeSGemmStrided(t: AddonUnderTest): void {
  describe(`${t.packageName} strided FP32 GEMM`, () => {
    for (const [m, n, k] of SHAPES) {
      it(`${m}x${n}x${k}: every ISA, every transpose, offsets and leading dims, within ${TOL} of a float64 loop`, () => {
        forEachIsa(t.api, (isa) => {
          let seed = m * 7919 + n * 31 + k;
          for (const transA of [false, true])
            for (const transB of [false, true]) {
              const c: Case = { transA, transB, m, n, k, alpha: 1, beta: 0, bias: false };
              for (const v of [c, { ...c, bias: true }, { ...c, beta: 1 }, { ...c, alpha: -0.75, beta: 0.5, bias: true }]) {
                const o = operands(v, seed++);
                const r = check(v, o, run(t, v, o));
                expect({ isa, ...v, ok: r.worst < TOL, outsideTouched: r.outsideTouched }).toEqual({ isa, ...v, ok: true, outsideTouched: false });
              }
            }
        });
      });
    }

    it('beta = 0 ignores what C held (NaN); K = 0 gives beta * C + bias; empty M or N writes nothing', () => {
      forEachIsa(t.api, () => {
        const c = new Float32Array(6).fill(NaN);
        t.api.sgemmStrided(false, false, 2, 3, 2, 1, Float32Array.of(1, 2, 3, 4), 0, 2, Float32Array.of(1, 0, 0, 0, 1, 0), 0, 3, 0, c, 0, 3, null);
        expect(Array.from(c)).toEqual([1, 2, 0, 3, 4, 0]);
        const c0 = Float32Array.of(1, 2, 3, 4);
        t.api.sgemmStrided(false, false, 2, 2, 0, 1, new Float32Array(0), 0, 0, new Float32Array(0), 0, 2, 2, c0, 0, 2, Float32Array.of(0.5, -1));
        expect(Array.from(c0)).toEqual([2.5, 3, 6.5, 7]);
        const untouched = Float32Array.of(9, 9);
        t.api.sgemmStrided(false, false, 0, 2, 3, 1, new Float32Array(0), 0, 3, new Float32Array(6), 0, 2, 0, untouched, 0, 2, null);
        t.api.sgemmStrided(false, false, 2, 0, 3, 1, new Float32Array(6), 0, 3, new Float32Array(0), 0, 0, 0, untouched, 0, 0, null);
        expect(Array.from(untouched)).toEqual([9, 9]);
      });
    });

    it('the same floats for 1, 2 and 3 threads (row and column splits)', () => {
      restoringThreads(t.api, () => {
        for (const c of [
          { transA: false, transB: true, m: 40, n: 700, k: 300, alpha: 1, beta: 0, bias: true },  // splits N
          { transA: true, transB: false, m: 600, n: 20, k: 300, alpha: 1, beta: 1, bias: false },  // splits M
        ]) {
          const o = operands(c, 42);
          const results = [1, 2, 3].map((threads) => {
            t.api.setNumThreads(threads);
            return run(t, c, o);
          });
          expect(check(c, o, results[0]!).worst).toBeLessThan(TOL);
          expect(results[1]).toEqual(results[0]);
          expect(results[2]).toEqual(results[0]);
        }
      });
    });

    it('argument checks: types, extents with offsets, leading dimensions, overlap of C with an operand', () => {
      const f = (n: number) => new Float32Array(n);
      const call = (over: Partial<Record<'a' | 'aOff' | 'lda' | 'c' | 'cOff' | 'ldc' | 'bias' | 'transA', unknown>> = {}) => () =>
        (t.api.sgemmStrided as (...args: unknown[]) => void)(
          over.transA ?? false, false, 2, 3, 4, 1, over.a ?? f(8), over.aOff ?? 0, over.lda ?? 4, f(12), 0, 3, 0,
          over.c ?? f(6), over.cOff ?? 0, over.ldc ?? 3, over.bias ?? null);
      expect(call()).not.toThrow();
      expect(call({ a: new Float64Array(8) })).toThrow(TypeError);
      expect(call({ transA: 1 })).toThrow(TypeError);
      expect(call({ aOff: 1 })).toThrow(/holds 8 elements, too few/);
      expect(call({ a: f(9), aOff: 1 })).not.toThrow();
      expect(call({ lda: 3 })).toThrow(/must be >= 4/);
      expect(call({ lda: 5 })).toThrow(RangeError);  // 2 rows of stride 5 need 9
      expect(call({ cOff: -1 })).toThrow(RangeError);
      expect(call({ ldc: 2 })).toThrow(RangeError);
      expect(call({ bias: f(2) })).toThrow(RangeError);
      const shared = f(20);
      expect(call({ a: shared, c: shared.subarray(4, 10) })).toThrow(/must not overlap a/);
      expect(call({ a: shared, c: shared.subarray(8, 14) })).not.toThrow();  // same buffer, disjoint ranges
    });

    // fp16 dynamic linear is fbgemm-only (its packed params always carry engine 'fbgemm')
    if (t.engine === 'fbgemm') {
      it(`quantized::linear_dynamic_fp16 runs natively, within ${TOL} of the reference's sequential float32 sums (bias, none, relu)`, () => {
        Q.manualSeed(11);
        const x = Q.randn([3, 5, 40]), w = Q.randn([30, 40]), bias = Q.randn([30]);
        for (const b of [bias, null]) {
          const packed = Q.withEngine('fbgemm', () => Q.linearPrepackFp16(w, b));
          for (const relu of [false, true]) {
            expect(Q.kernelSource('quantized::linear_dynamic_fp16', 'fbgemm')).toBe('native');
            const got = Q.quantizedLinearDynamicFp16(x, packed, { relu });
            const prev = Q.setNativeEnabled(false);
            const want = Q.quantizedLinearDynamicFp16(x, packed, { relu });
            Q.setNativeEnabled(prev);
            expect(got.shape).toEqual([3, 5, 30]);
            const g = got.values(), wv = want.values();
            let worst = 0, negatives = 0;
            for (let i = 0; i < g.length; i++) {
              worst = Math.max(worst, Math.abs(g[i]! - wv[i]!) / (1 + Math.abs(wv[i]!)));
              if (g[i]! < 0) negatives++;
            }
            // relu: no negative output; without: some (so the relu case is not vacuous)
            expect({ bias: b !== null, relu, ok: worst < TOL, negatives: relu ? negatives : negatives > 0 }).toEqual({ bias: b !== null, relu, ok: true, negatives: relu ? 0 : true });
          }
        }
      });
    }

    it('packLinearWeight / linearPacked: the floats of linear() on every ISA (tails of panels and K blocks, 1-3 threads), without repacking', () => {
      expect(t.listNativeOps()).toEqual(expect.arrayContaining([Q.FLOAT_PACK_OP, Q.FLOAT_PREPACKED_GEMM_OP]));
      Q.manualSeed(12);
      restoringThreads(t.api, () => {
        forEachIsa(t.api, (isa) => {
          // n past a 16 / 32 column panel, k past a 256 block, m across 6-row tiles and the 144-row block
          for (const [m, n, k, threads] of [[1, 33, 257, 1], [7, 100, 40, 2], [150, 70, 513, 3], [128, 1024, 300, 2]] as const) {
            t.api.setNumThreads(threads);
            const x = Q.randn([m, k]), w = Q.randn([n, k]), b = Q.randn([n]);
            const packed = Q.packLinearWeight(w, b);
            expect(packed.packed?.nr, isa).toBe(isa === 'scalar' ? 8 : isa === 'avx2' ? 16 : packed.packed?.nr);
            const want = Array.from(Q.linear(x, w, b).values());
            expect(Array.from(Q.linearPacked(x, packed).values()), `${isa} ${m}x${n}x${k} on ${threads}`).toEqual(want);
            expect(Array.from(Q.linearPacked(x, Q.packLinearWeight(w)).values())).toEqual(Array.from(Q.linear(x, w).values()));
          }
        });
      });
      // packed on the widest ISA, run after lowering the active one: that kernel still reads its panels
      const x = Q.randn([20, 300]), w = Q.randn([40, 300]);
      const wide = Q.packLinearWeight(w);
      const want = Array.from(Q.linear(x, w).values());
      forEachIsa(t.api, (isa) => expect(Array.from(Q.linearPacked(x, wide).values()), isa).toEqual(want));
    });

    it('sgemmPackBT / sgemmPrepacked argument checks: lengths, a panel width this CPU has no kernel for', () => {
      const packed = t.api.sgemmPackBT(new Float32Array(12), 3, 4);
      expect(packed.data.length).toBe(Math.ceil(3 / packed.nr) * packed.nr * 4);
      const run = (over: { a?: Float32Array; packed?: { data: Float32Array; nr: number }; n?: number; bias?: Float32Array | null } = {}) => () =>
        t.api.sgemmPrepacked(over.a ?? new Float32Array(8), 2, 4, over.packed ?? packed, over.n ?? 3, { bias: over.bias ?? null });
      expect(Array.from(run()())).toEqual([0, 0, 0, 0, 0, 0]);
      expect(run({ a: new Float32Array(7) })).toThrow(RangeError);
      expect(run({ packed: { data: packed.data.subarray(1), nr: packed.nr } })).toThrow(/packed/);
      expect(run({ n: packed.nr + 1 })).toThrow(RangeError);  // needs a second panel
      expect(run({ packed: { data: packed.data, nr: 7 } })).toThrow(/no kernel of this CPU reads panels 7 wide/);
      expect(run({ bias: new Float32Array(2) })).toThrow(RangeError);
      expect(() => t.api.sgemmPackBT(new Float32Array(11), 3, 4)).toThrow(RangeError);
      // a binary built before these functions: the API says so instead of calling undefined
      const pool = { numThreads: () => 1, setNumThreads: () => 1 };
      const stale = createKernelsApi(t.engine, { binding: pool as unknown as NativeBinding, reason: null });
      expect(() => stale.sgemmPackBT(new Float32Array(12), 3, 4)).toThrow(/^sgemmPackBT\(\): the loaded @qtorch\/kernels-\w+ binary predates it; rebuild the addon$/);
      expect(() => stale.sgemmPrepacked(new Float32Array(8), 2, 4, packed, 3)).toThrow(/^sgemmPrepacked\(\): the loaded .* binary predates it/);
      expect(() => stale.im2colF32(new Float32Array(1), 0, 1, new Int32Array(18), new Float32Array(1))).toThrow(/^im2colF32\(\): the loaded .* binary predates it/);
    });

    it(`registers '${Q.FLOAT_GEMM_OP}' and qtensor's float ops use it (float32 within ${TOL} of float64; switchable)`, () => {
      expect(t.listNativeOps()).toContain(Q.FLOAT_GEMM_OP);
      expect(Q.nativeFloatGemm()).not.toBeNull();
      const prev = Q.setNativeEnabled(false);
      expect(Q.nativeFloatGemm()).toBeNull();
      Q.setNativeEnabled(prev);
      // Large enough for the native path; float64 copies run the TypeScript loops.
      const x = Q.randn([3, 5, 40], { requiresGrad: true }), w = Q.randn([30, 40], { requiresGrad: true }), bias = Q.randn([30], { requiresGrad: true });
      const img = Q.randn([2, 6, 9, 11], { requiresGrad: true }), kern = Q.randn([8, 6, 3, 3], { requiresGrad: true });
      const f64 = (v: Q.Tensor) => v.detach().to(Q.float64).requiresGrad_(true);
      const ops: Array<[string, Q.Tensor[], (...ts: Q.Tensor[]) => Q.Tensor]> = [
        ['matmul', [x, w], (a, b) => Q.matmul(a!, b!.t())],
        ['linear', [x, w, bias], (a, b, c) => Q.linear(a!, b!, c)],
        ['conv2d', [img, kern], (a, b) => Q.conv2d(a!, b!, { padding: 1, stride: [1, 2] })],
      ];
      for (const [name, inputs, op] of ops) {
        const inputs64 = inputs.map(f64);
        const y = op(...inputs), y64 = op(...inputs64);
        expect(y.dtype).toBe(Q.float32);
        y.sum().backward();
        y64.sum().backward();
        const pairs: Array<[string, Q.Tensor, Q.Tensor]> = [['out', y, y64], ...inputs.map((v, i): [string, Q.Tensor, Q.Tensor] => [`grad ${i}`, v.grad!, inputs64[i]!.grad!])];
        for (const [what, got, want] of pairs) {
          const g = got.values(), wv = want.values();
          let worst = 0;
          for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - wv[i]!) / (1 + Math.abs(wv[i]!)));
          expect({ name, what, ok: worst < TOL }).toEqual({ name, what, ok: true });
        }
        for (const v of inputs) v.grad = null;
      }
    });
  });
}
