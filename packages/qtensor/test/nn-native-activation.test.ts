// The native float32 sigmoid / tanh hook (native_gemm.ts FLOAT_ACTIVATION_OP): qtensor's float32
// sigmoid and tanh hand the whole array to a registered kernel; float64, the other activations
// keep the TypeScript formulas, as do strided in-place calls; autograd is unchanged.
import { afterEach, describe, expect, it } from 'vitest';
import {
  FLOAT_ACTIVATION_OP, type FloatActivationKernel, float64, fromValues, nativeFloatActivation, registerKernel, setNativeEnabled, sigmoid, sigmoid_, silu, tanh, tanh_, unregisterKernel,
} from '../src/index.js';

/** A kernel that records its calls and writes a recognizable value (so its output is seen). */
function recordingKernel(calls: string[]): FloatActivationKernel {
  return (kind, x, out) => {
    calls.push(`${kind} ${x.length}`);
    out.fill(kind === 'sigmoid' ? 0.25 : -0.5);
    return out;
  };
}

afterEach(() => {
  unregisterKernel(FLOAT_ACTIVATION_OP, 'fbgemm', 'native');
  setNativeEnabled(true);
});

describe('native float32 sigmoid / tanh hook', () => {
  it('serves float32 sigmoid and tanh (their values are the kernel\'s); float64, silu and native-off stay in TypeScript', () => {
    expect(nativeFloatActivation()).toBeNull();
    const calls: string[] = [];
    registerKernel({ op: FLOAT_ACTIVATION_OP, engine: 'fbgemm', source: 'native', impl: recordingKernel(calls) });
    const x = fromValues([0.5, -1, 3], [3]);
    expect(Array.from(sigmoid(x).values())).toEqual([0.25, 0.25, 0.25]);
    expect(Array.from(tanh(x.reshape([1, 3])).values())).toEqual([-0.5, -0.5, -0.5]);
    expect(calls).toEqual(['sigmoid 3', 'tanh 3']);
    calls.length = 0;
    sigmoid(x.to(float64));
    silu(x);
    setNativeEnabled(false);
    expect(Array.from(tanh(x).values())[0]).toBeCloseTo(Math.tanh(0.5), 6);
    expect(calls).toEqual([]);
  });

  it('the in-place forms overwrite a contiguous float32 tensor through the kernel; views and float64 keep the formula', () => {
    const calls: string[] = [];
    registerKernel({ op: FLOAT_ACTIVATION_OP, engine: 'fbgemm', source: 'native', impl: recordingKernel(calls) });
    const x = fromValues([0.5, -1, 3, 4], [2, 2]);
    expect(sigmoid_(x)).toBe(x);
    expect(Array.from(x.values())).toEqual([0.25, 0.25, 0.25, 0.25]);
    const row = fromValues([1, 2, 3, 4], [2, 2]).select(1, 0);  // strided: [1, 3]
    tanh_(row);
    expect(Array.from(row.values()).map((v) => v.toFixed(5))).toEqual([Math.tanh(1), Math.tanh(3)].map((v) => v.toFixed(5)));
    tanh_(fromValues([1], [1], float64));
    expect(calls).toEqual(['sigmoid 4']);
  });

  it('keeps autograd: the backward uses the saved input, whichever path made the forward values', () => {
    registerKernel({ op: FLOAT_ACTIVATION_OP, engine: 'fbgemm', source: 'native', impl: recordingKernel([]) });
    const x = fromValues([0.5, -1], [2]).requiresGrad_();
    sigmoid(x).sum().backward();
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    expect(Array.from(x.grad!.values()).map((g, i) => Math.abs(g - s([0.5, -1][i]!) * (1 - s([0.5, -1][i]!))) < 1e-6)).toEqual([true, true]);
  });
});
