/**
 * `qtorch::rnn_dynamic_layer` (ts/ops/rnn.ts, src/rnn.cc): the native time loop of a dynamic
 * quantized LSTM / GRU / Elman layer against a step-by-step loop over qtensor's public ops
 * (quantizedLinearDynamic for the hidden projection, nn's gate formulas restated with qtensor's
 * add / mul / sigmoid / tanh), on every ISA; special gate values; argument validation.
 * The gates evaluate sigmoid / tanh in double and round once, as the reference does, so results
 * agree but for double-rounding ties: the checks demand near-exactness, not bit equality.
 */
import { describe, expect, it } from 'vitest';
import * as Q from '@qtorch/qtensor';
import type { Tensor } from '@qtorch/qtensor';
import type { RnnCellKind, RnnDynamicLayerArgs, RnnDynamicLayerResult } from '../ts/index.js';
import { randomInts } from './reference.js';
import { type AddonUnderTest, forEachIsa, restoringThreads } from './suite.js';

export const GATES: Record<RnnCellKind, number> = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 };
const OP = 'qtorch::rnn_dynamic_layer';

export const T = (v: Float32Array, shape: number[]): Tensor => Q.Tensor.fromTypedArray(v, shape);
export const f32 = (t: Tensor): Float32Array => Float32Array.from(t.values());

/** A seeded float vector in [-scale, scale] (LCG). */
export function floats(n: number, seed: number, scale: number): Float32Array {
  return Float32Array.from(randomInts(n, -100000, 100000, seed), (v) => (v / 100000) * scale);
}

/** Every float of a layer result, in a form `toEqual` compares bit for bit (Object.is: -0 and NaN too). */
export const bits = (r: RnnDynamicLayerResult) => [Array.from(r.output), Array.from(r.h), r.c ? Array.from(r.c) : null];

/**
 * One step's input gates holding special pre-activations (+-inf, NaN, huge, tiny, subnormal,
 * signed zero), `hidden` = their count, so every gate block of `cell` sees every value (rotated
 * per block). With h0 = 0 and no hidden bias they are the whole pre-activations.
 */
export function specialGates(cell: RnnCellKind): { hidden: number; igates: Float32Array } {
  const special = [Infinity, -Infinity, NaN, 1e30, -1e30, 700, -700, 88, -104, 20, -20, 1e-10, -1e-10, 1e-40, -0, 0, 2 ** -9, -(2 ** -7), 0.5, -0.9];
  const hidden = special.length;
  return { hidden, igates: Float32Array.from({ length: GATES[cell] * hidden }, (_, i) => special[(i + Math.floor(i / hidden) * 3) % hidden]!) };
}

/** nn's gate math (packages/nn/src/functional/rnn.ts) on qtensor ops: the new [h] or [h, c]. */
function refGates(cell: RnnCellKind, ig: Tensor, hg: Tensor, h: Tensor, c: Tensor | null): Tensor[] {
  switch (cell) {
    case 'lstm': {
      const [i, f, g, o] = Q.add(ig, hg).chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
      const cy = Q.add(Q.mul(Q.sigmoid(f), c!), Q.mul(Q.sigmoid(i), Q.tanh(g)));
      return [Q.mul(Q.sigmoid(o), Q.tanh(cy)), cy];
    }
    case 'gru': {
      const [ir, iz, inn] = ig.chunk(3, -1) as [Tensor, Tensor, Tensor];
      const [hr, hz, hn] = hg.chunk(3, -1) as [Tensor, Tensor, Tensor];
      const r = Q.sigmoid(Q.add(ir, hr)), z = Q.sigmoid(Q.add(iz, hz));
      const n = Q.tanh(Q.add(inn, Q.mul(r, hn)));
      return [Q.add(n, Q.mul(z, Q.sub(h, n)))];
    }
    case 'rnn_tanh':
      return [Q.tanh(Q.add(ig, hg))];
    case 'rnn_relu':
      return [Q.relu(Q.add(ig, hg))];
  }
}

/** A layer step by step: `project(h)` is the step's hidden projection, nn's gate math (restated) the rest. */
export function stepByStep(a: Omit<RnnDynamicLayerArgs, 'packedHh' | 'reduceRange'>, project: (h: Tensor) => Tensor): RnnDynamicLayerResult {
  const { steps, batch: n, hidden: hs } = a, gh = GATES[a.cell] * hs;
  let h = T(Float32Array.from(a.h0), [n, hs]);
  let c = a.c0 ? T(Float32Array.from(a.c0), [n, hs]) : null;
  const output = new Float32Array(steps * n * hs);
  for (let i = 0; i < steps; i++) {
    const t = a.reverse ? steps - 1 - i : i;
    const ig = T(a.igates!.slice(t * n * gh, (t + 1) * n * gh), [n, gh]);
    [h, c = null] = refGates(a.cell, ig, project(h), h, c) as [Tensor, Tensor?];
    output.set(f32(h), t * n * hs);
  }
  return { output, h: f32(h), c: c ? f32(c) : null };
}

/** The dynamic layer step by step with the reference kernels (native ones disabled). */
function referenceLayer(engine: Q.Engine, a: RnnDynamicLayerArgs): RnnDynamicLayerResult {
  const prev = Q.setNativeEnabled(false);
  try {
    return stepByStep(a, (h) => Q.withEngine(engine, () => Q.quantizedLinearDynamic(h, a.packedHh as Q.LinearPackedParams, { reduceRange: a.reduceRange })));
  } finally {
    Q.setNativeEnabled(prev);
  }
}

/** got ~ want: NaN where want is NaN, |d| <= 1e-6 max(1, |want|), and >= 99% identical bits. */
function expectNear(got: Float32Array, want: Float32Array, label: string): void {
  expect(got.length, label).toBe(want.length);
  let exact = 0, worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Object.is(g, w)) {
      exact++;
      continue;
    }
    const d = Number.isNaN(w) || Number.isNaN(g) ? Infinity : Math.abs(g - w) / Math.max(1, Math.abs(w));
    if (d > worst) [worst, at] = [d, i];
  }
  expect({ label, worst, at, got: got[at], want: want[at] }).toEqual({ label, worst: expect.any(Number), at, got: got[at], want: want[at] });
  expect(worst, `${label}: worst relative difference at ${at}`).toBeLessThanOrEqual(1e-6);
  expect(exact / Math.max(want.length, 1), `${label}: fraction of identical values`).toBeGreaterThanOrEqual(0.99);
}

function expectSameResult(got: RnnDynamicLayerResult, want: RnnDynamicLayerResult, label: string): void {
  expectNear(got.output, want.output, `${label} output`);
  expectNear(got.h, want.h, `${label} h`);
  expect(got.c === null, `${label}: c present`).toBe(want.c === null);
  if (got.c && want.c) expectNear(got.c, want.c, `${label} c`);
}

/** A packed W_hh (gates * hidden x hidden) with a bias, per-tensor or per-channel, symmetric or not. */
function packedHh(engine: Q.Engine, rows: number, hidden: number, seed: number, perChannel: boolean, bias: boolean): Q.LinearPackedParams {
  const w = Q.Tensor.fromTypedArray(Float32Array.from(floats(rows * hidden, seed, 0.4)), [rows, hidden]);
  const qw = perChannel
    ? Q.quantizePerChannel(w, Array.from({ length: rows }, (_, i) => 0.002 + (i % 7) * 0.0005), Array.from({ length: rows }, (_, i) => (i % 5) - 2), 0, Q.qint8)
    : Q.quantizePerTensor(w, 0.004, seed % 2 ? 3 : 0, Q.qint8);
  return Q.linearPrepack(qw, bias ? T(floats(rows, seed + 1, 0.5), [rows]) : null, engine);
}

export function describeRnn(t: AddonUnderTest): void {
  const { engine } = t;
  const layer = (): ((a: RnnDynamicLayerArgs) => RnnDynamicLayerResult) => {
    const k = Q.findKernel(OP, engine);
    expect(k?.source).toBe('native');
    return k!.impl as (a: RnnDynamicLayerArgs) => RnnDynamicLayerResult;
  };

  describe(`${t.packageName} ${OP} vs a step-by-step reference (every ISA)`, () => {
    it('LSTM / GRU / tanh / relu cells: odd sizes (vector tails), reverse, h0 / c0, per-channel and biasless weights, reduce_range', () => {
      const cells: RnnCellKind[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];
      let seed = 100;
      for (const cell of cells) {
        for (const [steps, batch, hidden] of [[1, 1, 1], [3, 2, 5], [4, 3, 17], [2, 1, 32]] as const) {
          seed += 10;
          const gh = GATES[cell] * hidden;
          const args: RnnDynamicLayerArgs = {
            cell, steps, batch, hidden, igates: floats(steps * batch * gh, seed, 3),
            packedHh: packedHh(engine, gh, hidden, seed, seed % 20 === 0, seed % 30 !== 0),
            reduceRange: seed % 20 !== 0, h0: floats(batch * hidden, seed + 2, 1), c0: cell === 'lstm' ? floats(batch * hidden, seed + 3, 2) : null,
            reverse: seed % 3 === 0,
          };
          const want = referenceLayer(engine, args);
          const c0 = args.c0 ? Float32Array.from(args.c0) : null;
          forEachIsa(t.api, (isa) => {
            expectSameResult(layer()(args), want, `${cell} ${steps}x${batch}x${hidden} [${isa}]`);
            if (c0) expect(args.c0, 'c0 is not modified').toEqual(c0);
          });
        }
      }
    });

    it('gates saturate and propagate like the reference: +-inf, NaN, huge, tiny, subnormal and signed-zero pre-activations', () => {
      for (const cell of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as RnnCellKind[]) {
        // h0 = 0 and no bias make hg = 0
        const { hidden, igates } = specialGates(cell), gh = GATES[cell] * hidden;
        const args: RnnDynamicLayerArgs = {
          cell, steps: 1, batch: 1, hidden, igates, packedHh: packedHh(engine, gh, hidden, 7, false, false), reduceRange: true,
          h0: new Float32Array(hidden), c0: cell === 'lstm' ? floats(hidden, 9, 2) : null, reverse: false,
        };
        const want = referenceLayer(engine, args);
        forEachIsa(t.api, (isa) => expectSameResult(layer()(args), want, `${cell} special values [${isa}]`));
      }
    });

    it('a NaN hidden state is refused by the qparams choice, as the reference dynamic linear refuses it', () => {
      const args: RnnDynamicLayerArgs = {
        cell: 'gru', steps: 2, batch: 1, hidden: 3, igates: floats(18, 5, 1), packedHh: packedHh(engine, 9, 3, 5, false, true),
        reduceRange: false, h0: Float32Array.of(0.5, NaN, 0.1), c0: null, reverse: false,
      };
      let native: unknown, reference: unknown;
      try { layer()(args); } catch (e) { native = e; }
      try { referenceLayer(engine, args); } catch (e) { reference = e; }
      expect(reference).toBeInstanceOf(Q.QTorchValueError);
      expect(native).toBeInstanceOf(Q.QTorchValueError);
      expect((native as Error).message).toBe((reference as Error).message);
    });
  });

  describe(`${t.packageName} ${OP} with the input projection computed natively`, () => {
    /** W_ih (gates * hidden x inputSize) with its bias, as nn-quantized packs it. */
    const packedIh = (rows: number, inputSize: number, seed: number, perChannel: boolean) => packedHh(engine, rows, inputSize, seed, perChannel, true);
    /** The same layer with igates from quantized::linear_dynamic (what nn-quantized computed before), for comparison. */
    const withIgates = (a: RnnDynamicLayerArgs): RnnDynamicLayerArgs => {
      const { x, packedIh: p } = a.input!;
      const inputSize = x.length / (a.steps * a.batch);
      const ig = Q.withEngine(engine, () => Q.quantizedLinearDynamic(T(Float32Array.from(x), [a.steps * a.batch, inputSize]), p as Q.LinearPackedParams, { reduceRange: a.reduceRange }));
      return { ...a, input: undefined, igates: f32(ig) };
    };

    it('the same floats as igates from quantized::linear_dynamic: every cell, odd sizes, reverse, reduce_range, per-channel W_ih, every ISA', () => {
      let seed = 300;
      for (const cell of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as RnnCellKind[]) {
        for (const [steps, batch, hidden, inputSize] of [[1, 1, 1, 1], [3, 2, 5, 7], [5, 3, 17, 33], [2, 4, 32, 64]] as const) {
          seed += 10;
          const gh = GATES[cell] * hidden;
          const args: RnnDynamicLayerArgs = {
            cell, steps, batch, hidden, input: { x: floats(steps * batch * inputSize, seed, 2), packedIh: packedIh(gh, inputSize, seed + 4, seed % 20 === 0) },
            packedHh: packedHh(engine, gh, hidden, seed, seed % 30 === 0, true), reduceRange: seed % 20 !== 0,
            h0: floats(batch * hidden, seed + 2, 1), c0: cell === 'lstm' ? floats(batch * hidden, seed + 3, 2) : null, reverse: seed % 3 === 0,
          };
          const x0 = Float32Array.from(args.input!.x);
          forEachIsa(t.api, (isa) => {
            expect(bits(layer()(args)), `${cell} ${steps}x${batch}x${hidden} from ${inputSize} [${isa}]`).toEqual(bits(layer()(withIgates(args))));
          });
          expect(args.input!.x, 'x is not modified').toEqual(x0);
        }
      }
    });

    it('a projection larger than the scratch limit (16 MiB) runs in a buffer of its own, with the same floats', () => {
      // 128 steps x 16 x (4 x 512) gates = 16 MiB of floats, plus x
      const steps = 128, batch = 16, hidden = 512, inputSize = 64;
      const args: RnnDynamicLayerArgs = {
        cell: 'lstm', steps, batch, hidden, input: { x: floats(steps * batch * inputSize, 11, 1), packedIh: packedIh(4 * hidden, inputSize, 12, true) },
        packedHh: packedHh(engine, 4 * hidden, hidden, 13, false, true), reduceRange: true,
        h0: floats(batch * hidden, 14, 1), c0: floats(batch * hidden, 15, 1), reverse: true,
      };
      expect(bits(layer()(args))).toEqual(bits(layer()(withIgates(args))));
    });

    it('x without a finite range is refused with qtensor\'s own error, as quantized::linear_dynamic refuses it', () => {
      const args: RnnDynamicLayerArgs = {
        cell: 'gru', steps: 2, batch: 1, hidden: 3, input: { x: Float32Array.of(0.5, Infinity, 0.1, 0.2), packedIh: packedIh(9, 2, 21, false) },
        packedHh: packedHh(engine, 9, 3, 22, false, true), reduceRange: false, h0: new Float32Array(3), c0: null, reverse: false,
      };
      let native: unknown, reference: unknown;
      try { layer()(args); } catch (e) { native = e; }
      try { withIgates(args); } catch (e) { reference = e; }
      expect(reference).toBeInstanceOf(Q.QTorchValueError);
      expect(native).toBeInstanceOf(Q.QTorchValueError);
      expect((native as Error).message).toBe((reference as Error).message);
    });

    it('neither igates nor input: a TypeError naming the op', () => {
      const args = { cell: 'rnn_tanh', steps: 1, batch: 1, hidden: 1, packedHh: packedHh(engine, 1, 1, 3, false, false), reduceRange: false,
        h0: new Float32Array(1), c0: null, reverse: false } as RnnDynamicLayerArgs;
      expect(() => layer()(args)).toThrow(/qtorch::rnn_dynamic_layer: expected igates \(Float32Array\) or input/);
    });
  });

  describe(`${t.packageName} ${OP} and intra-op threads`, () => {
    it('identical results for 1, 2 and 3 threads (the hidden GEMM splits its panels, the gates their batch rows)', () => {
      // 8 x 512 x 2048 per step: above the pool's 2^20 multiply-add threshold; 8 x 512 units: above the gates' 2 x 2048
      const hidden = 512, gh = 4 * hidden, batch = 8, steps = 3;
      const args: RnnDynamicLayerArgs = {
        cell: 'lstm', steps, batch, hidden, igates: floats(steps * batch * gh, 77, 2), packedHh: packedHh(engine, gh, hidden, 78, true, true),
        reduceRange: true, h0: floats(batch * hidden, 79, 1), c0: floats(batch * hidden, 80, 1), reverse: false,
      };
      restoringThreads(t.api, () => {
        t.api.setNumThreads(1);
        const one = layer()(args);
        expectSameResult(one, referenceLayer(engine, args), 'lstm 1 thread');
        for (const n of [2, 3]) {
          t.api.setNumThreads(n);
          const r = layer()(args);
          expect([Array.from(r.output), Array.from(r.h), Array.from(r.c!)], `${n} threads`).toEqual([Array.from(one.output), Array.from(one.h), Array.from(one.c!)]);
        }
      });
    });
  });

  describe(`${t.packageName} chooseQparamsU8 (the layer's per-step qparams)`, () => {
    it('the same scale and zero point as qtensor\'s chooseQuantizationParams: random, tiny, one-sided, signed-zero and huge ranges', () => {
      const b = t.nativeLoad.binding!;
      const ranges: Array<[number, number]> = [
        [0, 0], [-0, 0], [0, -0], [-0, -0], [-1, 1], [-1e-30, 2e-30], [0, 1e-7], [-3e-6, 0], [-2e-6, 5e-6], [1, 2], [-5, -2],
        [-3.4e38, 3.4e38], [-1e-45, 1e-45], [-0.5, 127.5], [-1, 254],
      ];
      const u = randomInts(4000, -1e6, 1e6, 91);
      for (let i = 0; i + 1 < u.length; i += 2) {
        const mag = 10 ** ((Math.abs(u[i]!) % 24) - 12);  // ranges from 1e-12 to 1e11
        const [x, y] = [(u[i]! / 1e6) * mag, (u[i + 1]! / 1e6) * mag];
        ranges.push([Math.fround(Math.min(x, y)), Math.fround(Math.max(x, y))]);
      }
      for (const [lo, hi] of ranges) {
        for (const reduceRange of [false, true]) {
          const want = Q.chooseQuantizationParams(lo, hi, 0, 255, { reduceRange });
          expect(b.chooseQparamsU8(lo, hi, reduceRange), `[${lo}, ${hi}] reduceRange ${reduceRange}`).toEqual([want.scale, want.zeroPoint]);
        }
      }
      for (const [lo, hi] of [[NaN, 1], [0, Infinity], [-Infinity, 0], [2, 1]]) expect(b.chooseQparamsU8(lo!, hi!, false)).toBeNull();
    });
  });

  describe(`${t.packageName} rnnLayerDynamic argument validation`, () => {
    it('cell, lengths, c for LSTM only, overlapping outputs, weight shape, flags: TypeError / RangeError, never a crash', () => {
      const b = t.nativeLoad.binding!;
      const p = t.api.packWeights(new Int8Array(8 * 2), 8, 2, 0), ws = Float64Array.of(0.1);
      // LSTM, 3 steps, batch 1, hidden 2: igates 3 * 8, h0 / c 2, output 3 * 2
      const ig = new Float32Array(24), h = new Float32Array(2), c = new Float32Array(2), out = new Float32Array(6);
      const run = (...over: Array<[number, unknown]>) => {
        const args: unknown[] = [0, ig, 3, 1, 2, p, ws, null, false, false, h, c, out];
        for (const [i, v] of over) args[i] = v;
        return (b.rnnLayerDynamic as (...a: unknown[]) => unknown)(...args);
      };
      expect(run()).toBe(3);
      expect(() => run([0, 4])).toThrow(RangeError);
      expect(() => run([0, 'lstm'])).toThrow(TypeError);
      expect(() => run([1, new Float32Array(23)])).toThrow(/igates/);
      expect(() => run([1, new Float64Array(24)])).toThrow(TypeError);
      expect(() => run([2, 4])).toThrow(/igates/);
      expect(() => run([10, new Float32Array(3)])).toThrow(/h0/);
      expect(() => run([11, null])).toThrow(/must be a Float32Array for an LSTM/);
      expect(() => run([0, 1], [1, new Float32Array(18)], [5, t.api.packWeights(new Int8Array(12), 6, 2, 0)])).toThrow(/must be null/);
      expect(() => run([12, new Float32Array(5)])).toThrow(/output/);
      const shared = new Float32Array(30);
      expect(() => run([1, shared.subarray(0, 24)], [12, shared.subarray(20, 26)])).toThrow(/must not share memory/);
      expect(() => run([11, out.subarray(0, 2)])).toThrow(/must not share memory/);
      expect(() => run([11, h])).toThrow(/must not share memory/);
      expect(() => run([5, t.api.packWeights(new Int8Array(12), 6, 2, 0)])).toThrow(/gates \* hidden x hidden/);
      expect(() => run([5, {}])).toThrow(TypeError);
      expect(() => run([6, Float64Array.of(1, 2)])).toThrow(/weightScales/);
      expect(() => run([7, new Float32Array(3)])).toThrow(/bias/);
      expect(() => run([8, 1])).toThrow(/reduceRange/);
      expect(() => run([9, undefined])).toThrow(/reverse/);
      expect(() => run([3, 2 ** 31])).toThrow(RangeError);
      expect(run([2, 0], [1, new Float32Array(0)], [12, new Float32Array(0)])).toBe(0);
      // a NaN h0 stops the loop before its first step, leaving c untouched
      const c0 = Float32Array.of(0.25, -0.5);
      expect(run([10, Float32Array.of(NaN, 0)], [11, c0])).toBe(0);
      expect(Array.from(c0)).toEqual([0.25, -0.5]);
    });

    it('rnnLayerDynamicProjected: x, its qparams and W_ih checked first, then the layer\'s arguments (shifted by 5)', () => {
      const b = t.nativeLoad.binding!;
      const pih = t.api.packWeights(new Int8Array(8 * 3), 8, 3, 0), phh = t.api.packWeights(new Int8Array(8 * 2), 8, 2, 0), ws = Float64Array.of(0.1);
      // LSTM, 3 steps, batch 1, hidden 2, input size 3: x 3 * 3
      const x = new Float32Array(9), h = new Float32Array(2), c = new Float32Array(2), out = new Float32Array(6);
      const run = (...over: Array<[number, unknown]>) => {
        const args: unknown[] = [0, x, 0.01, 0, pih, ws, null, 3, 1, 2, phh, ws, null, false, false, h, c, out];
        for (const [i, v] of over) args[i] = v;
        return (b.rnnLayerDynamicProjected as (...a: unknown[]) => unknown)(...args);
      };
      expect(run()).toBe(3);
      expect(() => run([1, new Float32Array(8)])).toThrow(/rnnLayerDynamicProjected.*x.*steps \* batch \* inputSize/);
      expect(() => run([2, 0])).toThrow(/inScale/);
      expect(() => run([3, 256])).toThrow(/inZeroPoint/);
      expect(() => run([4, t.api.packWeights(new Int8Array(6 * 3), 6, 3, 0)])).toThrow(/packedIh.*8 output features/);
      expect(() => run([5, Float64Array.of(1, 2)])).toThrow(/weightScales/);
      expect(() => run([6, new Float32Array(7)])).toThrow(/bias/);
      expect(() => run([10, t.api.packWeights(new Int8Array(12), 6, 2, 0)])).toThrow(/gates \* hidden x hidden/);
      expect(() => run([16, null])).toThrow(/must be a Float32Array for an LSTM/);
      expect(() => run([17, new Float32Array(5)])).toThrow(/output/);
      expect(() => run([16, out.subarray(0, 2)])).toThrow(/must not share memory/);
    });
  });
}
