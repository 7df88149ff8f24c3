/**
 * `kernels::rnn_float_layer` (ts/ops/rnn.ts, src/rnn.cc): the native time loop of a float LSTM /
 * GRU / Elman layer-direction (what nn's recurrent layers run at inference) against the same
 * layer step by step: the addon's `sgemm` for the hidden projection (this ISA's GEMM, which the
 * layer's prepacked product must match; qtensor's `linear` calls it from 4096 multiply-adds on,
 * and sums smaller products in its own loop) and nn's gate math on qtensor's ops. Bit for bit,
 * on every ISA and thread count; argument validation.
 */
import { describe, expect, it } from 'vitest';
import * as Q from '@qtorch/qtensor';
import type { KernelsApi, RnnCellKind, RnnDynamicLayerResult, RnnFloatLayerArgs } from '../ts/index.js';
import { GATES, T, bits, f32, floats, specialGates, stepByStep } from './rnn.js';
import { type AddonUnderTest, forEachIsa, restoringThreads } from './suite.js';

const OP = 'kernels::rnn_float_layer';
const CELLS: RnnCellKind[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];

/** The layer step by step: h W_hh^T + b_hh by the addon's sgemm (the active ISA's), then the gates. */
function referenceFloatLayer(api: KernelsApi, a: RnnFloatLayerArgs): RnnDynamicLayerResult {
  const gh = GATES[a.cell] * a.hidden;
  return stepByStep(a, (h) => T(api.sgemm(f32(h), a.batch, a.hidden, a.whh, gh, { bias: a.bhh }), [a.batch, gh]));
}

/** A layer's arguments: seeded operands, W_hh scaled so that h stays in the gates' working range. */
function layerArgs(cell: RnnCellKind, steps: number, batch: number, hidden: number, seed: number, o: { bias?: boolean; reverse?: boolean } = {}): RnnFloatLayerArgs {
  const gh = GATES[cell] * hidden;
  return {
    cell, steps, batch, hidden, igates: floats(steps * batch * gh, seed, 3), whh: floats(gh * hidden, seed + 1, 1 / Math.sqrt(hidden)),
    bhh: o.bias === false ? null : floats(gh, seed + 2, 0.5), h0: floats(batch * hidden, seed + 3, 1),
    c0: cell === 'lstm' ? floats(batch * hidden, seed + 4, 2) : null, reverse: o.reverse ?? false,
  };
}

export function describeRnnFloat(t: AddonUnderTest): void {
  const layer = (): ((a: RnnFloatLayerArgs) => RnnDynamicLayerResult) => {
    const k = Q.findKernel(OP, t.engine);
    expect(k?.source).toBe('native');
    return k!.impl as (a: RnnFloatLayerArgs) => RnnDynamicLayerResult;
  };

  describe(`${t.packageName} ${OP} vs linear + the gate math step by step (every ISA)`, () => {
    it('every cell: odd sizes (GEMM and vector tails), reverse, biasless, h0 / c0; operands not modified', () => {
      let seed = 500;
      for (const cell of CELLS) {
        for (const [steps, batch, hidden] of [[1, 1, 1], [3, 2, 5], [4, 3, 17], [2, 9, 40]] as const) {
          seed += 10;
          const args = layerArgs(cell, steps, batch, hidden, seed, { bias: seed % 30 !== 0, reverse: seed % 3 === 0 });
          const copies = [args.igates, args.whh, args.h0, args.c0].map((v) => v && Float32Array.from(v));
          forEachIsa(t.api, (isa) => {
            expect(bits(layer()(args)), `${cell} ${steps}x${batch}x${hidden} [${isa}]`).toEqual(bits(referenceFloatLayer(t.api, args)));
          });
          expect([args.igates, args.whh, args.h0, args.c0], 'operands are not modified').toEqual(copies);
        }
      }
    });

    it('gates saturate and propagate like the reference: +-inf, NaN, huge, tiny, subnormal and signed-zero pre-activations', () => {
      for (const cell of CELLS) {
        // h0 = 0 and no bias make hg = 0
        const { hidden, igates } = specialGates(cell);
        const args: RnnFloatLayerArgs = { ...layerArgs(cell, 1, 1, hidden, 40, { bias: false }), igates, h0: new Float32Array(hidden) };
        forEachIsa(t.api, (isa) => expect(bits(layer()(args)), `${cell} special values [${isa}]`).toEqual(bits(referenceFloatLayer(t.api, args))));
      }
    });

    it('identical results for 1, 2 and 3 threads (the hidden GEMM splits its panels, the gates their batch rows)', () => {
      // 8 x 512 x 2048 per step: above the pool's thresholds for the GEMM and the gates
      const args = layerArgs('lstm', 3, 8, 512, 90);
      restoringThreads(t.api, () => {
        t.api.setNumThreads(1);
        const one = bits(layer()(args));
        expect(one, '1 thread').toEqual(bits(referenceFloatLayer(t.api, args)));
        for (const n of [2, 3]) {
          t.api.setNumThreads(n);
          expect(bits(layer()(args)), `${n} threads`).toEqual(one);
        }
      });
    });
  });

  describe(`${t.packageName} kernels::float_activation vs qtensor's float32 sigmoid / tanh (every ISA)`, () => {
    const kernel = () => {
      const k = Q.findKernel('kernels::float_activation', t.engine);
      expect(k?.source).toBe('native');
      return k!.impl as (kind: 'sigmoid' | 'tanh', x: Float32Array, out?: Float32Array) => Float32Array;
    };
    /** qtensor's own float32 formulas (native kernels off). */
    const reference = (kind: 'sigmoid' | 'tanh', x: Float32Array): number[] => {
      const prev = Q.setNativeEnabled(false);
      try {
        return Array.from((kind === 'sigmoid' ? Q.sigmoid : Q.tanh)(T(Float32Array.from(x), [x.length])).values());
      } finally {
        Q.setNativeEnabled(prev);
      }
    };
    const special = [Infinity, -Infinity, NaN, 1e30, -1e30, 700, -700, 88.7, -88.7, 104, -104, 20, -20, 9.01, -9.01, 1e-10, -1e-10, 1e-40, -1e-40, -0, 0, 2 ** -9, -(2 ** -7), 0.5, -0.9];
    // every magnitude from 1e-8 to 1e3, both signs, and every length 0..19 for the vector tails
    const values = Float32Array.from([...special, ...Array.from(floats(4000, 61, 1), (v, i) => v * 10 ** ((i % 12) - 8))]);

    it('bit for bit, on special values, random magnitudes and every tail length, fresh and in place', () => {
      for (const kind of ['sigmoid', 'tanh'] as const) {
        const want = reference(kind, values);
        forEachIsa(t.api, (isa) => {
          expect(Array.from(kernel()(kind, values)), `${kind} [${isa}]`).toEqual(want);
          for (let n = 0; n < 20; n++) expect(Array.from(kernel()(kind, values.subarray(5, 5 + n))), `${kind} length ${n} [${isa}]`).toEqual(want.slice(5, 5 + n));
          const inPlace = Float32Array.from(values);
          expect(kernel()(kind, inPlace, inPlace)).toBe(inPlace);
          expect(Array.from(inPlace), `${kind} in place [${isa}]`).toEqual(want);
        });
      }
    });

    it('the same values on 1, 2 and 3 threads (a large array splits over the pool)', () => {
      const big = Float32Array.from(floats(200003, 62, 12));
      const want = reference('tanh', big);
      restoringThreads(t.api, () => {
        for (const n of [1, 2, 3]) {
          t.api.setNumThreads(n);
          expect(Array.from(kernel()('tanh', big)), `${n} threads`).toEqual(want);
        }
      });
    });

    it('qtensor\'s float32 sigmoid / tanh run on it (the values are the reference\'s either way)', () => {
      const x = T(Float32Array.from(values), [values.length]);
      expect(Array.from(Q.sigmoid(x).values())).toEqual(reference('sigmoid', values));
      expect(Q.nativeFloatActivation()).not.toBeNull();
    });

    it('arguments: kind, x and out types, out length and overlap: TypeError / RangeError naming the op, never a crash', () => {
      const b = t.nativeLoad.binding!;
      const x = new Float32Array(8);
      const run = (...args: unknown[]) => (b.floatActivation as (...a: unknown[]) => unknown)(...args);
      expect(run(1, x, new Float32Array(8))).toBeUndefined();
      expect(() => run(2, x, new Float32Array(8))).toThrow(/floatActivation.*kind/);
      expect(() => run(0, new Float64Array(8), new Float32Array(8))).toThrow(TypeError);
      expect(() => run(0, x, new Float32Array(7))).toThrow(/floatActivation.*out.*x\.length/);
      const shared = new Float32Array(12);
      expect(() => run(0, shared.subarray(0, 8), shared.subarray(4, 12))).toThrow(/floatActivation.*out.*must be x itself or not share memory/);
      expect(() => kernel()('relu' as never, x)).toThrow(/kernels::float_activation: expected kind 'sigmoid' or 'tanh'/);
      expect(() => kernel()('tanh', [1, 2] as never)).toThrow(/kernels::float_activation: expected x as a Float32Array/);
    });
  });

  describe(`${t.packageName} rnnLayerFloat argument validation`, () => {
    it('cell, lengths, c for LSTM only, memory the layer writes shared with what it reads, flags: TypeError / RangeError, never a crash', () => {
      const run = (...over: Array<[number, unknown]>) => {
        // LSTM, 3 steps, batch 1, hidden 2: igates 3 * 8, W_hh 8 * 2, bias 8, h0 / c 2, output 3 * 2
        const args: unknown[] = [0, new Float32Array(24), 3, 1, 2, new Float32Array(16), null, false, new Float32Array(2), new Float32Array(2), new Float32Array(6)];
        for (const [i, v] of over) args[i] = v;
        return (t.nativeLoad.binding!.rnnLayerFloat as (...a: unknown[]) => unknown)(...args);
      };
      expect(run()).toBeUndefined();
      expect(() => run([0, 4])).toThrow(/rnnLayerFloat.*cell/);
      expect(() => run([1, new Float32Array(23)])).toThrow(/rnnLayerFloat.*igates.*steps \* batch \* gates \* hidden/);
      expect(() => run([1, new Float64Array(24)])).toThrow(TypeError);
      expect(() => run([5, new Float32Array(15)])).toThrow(/rnnLayerFloat.*whh.*gates \* hidden \* hidden/);
      expect(() => run([6, new Float32Array(7)])).toThrow(/bias/);
      expect(() => run([7, 0])).toThrow(/reverse/);
      expect(() => run([8, new Float32Array(3)])).toThrow(/h0/);
      expect(() => run([9, null])).toThrow(/must be a Float32Array for an LSTM/);
      expect(() => run([0, 1], [1, new Float32Array(18)], [5, new Float32Array(12)])).toThrow(/must be null/);
      expect(() => run([10, new Float32Array(5)])).toThrow(/output/);
      const shared = new Float32Array(40);
      expect(() => run([5, shared.subarray(0, 16)], [10, shared.subarray(10, 16)])).toThrow(/output.*must not share memory with whh/);
      expect(() => run([6, shared.subarray(0, 8)], [9, shared.subarray(6, 8)])).toThrow(/c.*must not share memory with bias/);
      expect(() => run([1, shared.subarray(0, 24)], [10, shared.subarray(20, 26)])).toThrow(/must not share memory with igates/);
      expect(() => run([3, 2 ** 31])).toThrow(RangeError);
      expect(run([2, 0], [1, new Float32Array(0)], [10, new Float32Array(0)])).toBeUndefined();
    });

    it('the registered kernel names itself for dims it cannot size an output by, and passes the rest to the binding\'s checks', () => {
      const ok = layerArgs('gru', 2, 1, 3, 7);
      for (const bad of [null, {}, { ...ok, steps: -1 }, { ...ok, hidden: 1.5 }, { ...ok, batch: 2 ** 40, hidden: 2 ** 20 }]) {
        expect(() => layer()(bad as never)).toThrow(/kernels::rnn_float_layer: expected steps, batch and hidden as non-negative integers/);
      }
      expect(() => layer()({ ...ok, cell: 'elman' } as never)).toThrow(/rnnLayerFloat.*cell/);
      expect(() => layer()({ ...ok, whh: new Float32Array(3) })).toThrow(/rnnLayerFloat.*whh/);
    });
  });
}
