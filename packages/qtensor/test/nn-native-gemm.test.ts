// The native float32 GEMM hook (native_gemm.ts): which products gemm.ts hands to a registered
// kernel, with which strided arguments, and the switches that keep the TypeScript loops.
import { afterEach, describe, expect, it } from 'vitest';
import {
  FLOAT_GEMM_OP, type FloatGemmKernel, NATIVE_GEMM_MIN_MACS, conv2d, float64, linear, matmul, nativeFloatGemm, randn,
  registerKernel, setNativeEnabled, unregisterKernel, withEngine,
} from '../src/index.js';

/** A naive strided GEMM with the kernel's contract, recording every call's shape and flags. */
function recordingKernel(calls: string[]): FloatGemmKernel {
  return (transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, bias) => {
    calls.push(`${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}x${n}x${k} beta=${beta}${bias ? ' bias' : ''}`);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[aOff + (transA ? p * lda + i : i * lda + p)]! * b[bOff + (transB ? j * ldb + p : p * ldb + j)]!;
        const old = beta === 0 ? 0 : beta * c[cOff + i * ldc + j]!;
        c[cOff + i * ldc + j] = alpha * s + old + (bias ? bias[j]! : 0);
      }
  };
}

afterEach(() => {
  unregisterKernel(FLOAT_GEMM_OP, 'fbgemm', 'native');
  unregisterKernel(FLOAT_GEMM_OP, 'qnnpack', 'native');
  setNativeEnabled(true);
});

describe('native float32 GEMM hook', () => {
  it('is absent until an addon registers it, found under any engine, and off with setNativeEnabled(false)', () => {
    expect(nativeFloatGemm()).toBeNull();
    const k = recordingKernel([]);
    registerKernel({ op: FLOAT_GEMM_OP, engine: 'qnnpack', source: 'native', impl: k });
    expect(withEngine('fbgemm', () => nativeFloatGemm())).toBe(k);
    setNativeEnabled(false);
    expect(nativeFloatGemm()).toBeNull();
  });

  it('serves float32 products from the threshold on (matmul NN, linear NT + bias, backward NT/TN with accumulation); float64 and tiny ones stay in TypeScript', () => {
    const calls: string[] = [];
    registerKernel({ op: FLOAT_GEMM_OP, engine: 'fbgemm', source: 'native', impl: recordingKernel(calls) });
    const a = randn([16, 32], { requiresGrad: true }), b = randn([32, 8], { requiresGrad: true });
    expect(16 * 32 * 8).toBeGreaterThanOrEqual(NATIVE_GEMM_MIN_MACS);
    const y = matmul(a, b);
    y.sum().backward();
    expect(calls).toEqual(['NN 16x8x32 beta=0', 'NT 16x32x8 beta=1', 'TN 32x8x16 beta=1']);
    // the recording kernel is a float64 loop: the hooked results equal the TypeScript ones
    const ref = matmul(a.detach().to(float64), b.detach().to(float64));
    expect(Array.from(y.values()).map((v, i) => Math.abs(v - ref.values()[i]!) < 1e-5)).not.toContain(false);

    calls.length = 0;
    linear(randn([8, 32]), randn([24, 32]), randn([24]));
    expect(calls).toEqual(['NT 8x24x32 beta=0 bias']);

    calls.length = 0;
    matmul(randn([16, 32], { dtype: float64 }), randn([32, 8]));  // float64 result
    matmul(randn([4, 4]), randn([4, 4]));  // 64 multiply-adds
    expect(calls).toEqual([]);

    conv2d(randn([1, 4, 10, 10]), randn([8, 4, 3, 3]), { padding: 1 });
    expect(calls).toEqual(['NN 8x100x36 beta=0']);
  });
});
