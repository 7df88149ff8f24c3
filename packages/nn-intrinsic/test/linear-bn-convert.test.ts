// nnq.Linear.fromFloat on a QAT LinearBn1d quantizes the BN-folded weight and bias (PyTorch's
// from_float runs fuse_linear_bn_weights first). The fold is recomputed here in float64.
import { describe, expect, it } from 'vitest';
import type { Module } from '@qtorch/nn';
import { manualSeed, noGrad, qScale, quantizePerTensor, quint8, randn, tensor } from '@qtorch/qtensor';
import { MinMaxObserver, defaultQatQconfig } from '@qtorch/quantization';
import * as nnq from '@qtorch/nn-quantized';
import * as nniqat from '../src/qat/index.js';

describe('nnq.Linear.fromFloat(qat LinearBn1d)', () => {
  it('folds the BN running statistics into the quantized weight and bias', () => {
    manualSeed(71);
    const m = new nniqat.LinearBn1d(5, 4, { qconfig: defaultQatQconfig });
    // BN far from identity: a conversion that ignored it would be off by a lot
    const [gamma, beta, mean, variance] = [[2, 0.5, -1, 1.5], [0.1, -0.2, 0.3, 0], [0.5, -1, 2, 0], [0.25, 4, 1, 0.5]];
    noGrad(() => {
      m.bn.weight!.copy_(tensor(gamma));
      m.bn.bias!.copy_(tensor(beta));
      m.bn.running_mean!.copy_(tensor(mean));
      m.bn.running_var!.copy_(tensor(variance));
    });
    Object.assign(m, { activation_post_process: new MinMaxObserver() });
    m.registerForwardHook((mod, _i, out) => (mod as unknown as { activation_post_process: Module }).activation_post_process.call(out));
    m.eval().call(randn([8, 5]));

    const q = nnq.Linear.fromFloat(m);
    expect(q).toBeInstanceOf(nnq.Linear);

    const w = m.weight.values(), b = m.bias!.values(), eps = m.bn.eps;
    const factor = gamma.map((g, c) => g / Math.sqrt(variance[c]! + eps));
    const wFold = Array.from(w, (v, i) => v * factor[Math.floor(i / 5)]!);
    const bFold = factor.map((f, c) => (b[c]! - mean[c]!) * f + beta[c]!);

    const qb = q.bias()!.values();
    for (let c = 0; c < 4; c++) expect(qb[c]!).toBeCloseTo(bFold[c]!, 5);
    const s = qScale(q.weight());
    const dq = q.weight().dequantize().values();
    for (let i = 0; i < wFold.length; i++) expect(Math.abs(dq[i]! - wFold[i]!)).toBeLessThanOrEqual(s / 2 + 1e-6);

    // the converted module computes x W'^T + b' (within one output step)
    const xq = quantizePerTensor(randn([3, 5]), 0.05, 128, quint8);
    const xd = xq.dequantize().values(), y = q.call(xq).dequantize().values();
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 4; c++) {
        let acc = bFold[c]!;
        for (let k = 0; k < 5; k++) acc += xd[r * 5 + k]! * dq[c * 5 + k]!;
        const clamped = Math.min(q.scale * (255 - q.zeroPoint), Math.max(-q.scale * q.zeroPoint, acc));
        expect(Math.abs(y[r * 4 + c]! - clamped)).toBeLessThanOrEqual(q.scale * 1.0001);
      }
    }
  });
});
