import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, Conv1d, Conv2d, Conv3d, Module, Parameter, ReLU, type _BatchNorm,
} from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { type Tensor, fromValues, manualSeed, noGrad, rand, randn } from '@qtorch/qtensor';
import { FakeQuantize, defaultQatQconfig } from '@qtorch/quantization';
import * as nni from '../src/index.js';
import * as nniqat from '../src/qat/index.js';
import { fakeQuantValue, maxAbsDiff, steMask, symmetricScale } from '../../nn-qat/test/reference.js';

const f32 = Math.fround;
const EPS = 1e-5;
type AnyConvBn = nniqat.ConvBn1d | nniqat.ConvBn2d | nniqat.ConvBn3d;

/** Gives a BN non-trivial running statistics and affine parameters. */
function randomizeBn(bn: _BatchNorm): void {
  const c = bn.numFeatures;
  noGrad(() => {
    bn.running_mean!.copy_(randn([c]).mul(0.3));
    bn.running_var!.copy_(rand([c]).add(0.5));
    bn.weight!.copy_(rand([c]).add(0.5).mul(randn([c]).sign()));
    bn.bias!.copy_(randn([c]));
  });
}

/** s = gamma / sqrt(running_var + eps) per channel, rounded as float32 ops round. */
function scaleFactor(bn: _BatchNorm): number[] {
  const g = bn.weight!.values(), rv = bn.running_var!.values();
  return Array.from(rv, (v, c) => f32(g[c]! / f32(Math.sqrt(f32(v + f32(bn.eps))))));
}

/** fq(W * s[:, None...]) for a per-tensor symmetric qint8 FakeQuantize on its first call; and the STE mask. */
function foldedFakeQuant(w: Tensor, s: number[]): { values: Float64Array; mask: Float64Array; scaled: Float64Array } {
  const v = w.values();
  const per = v.length / w.shape[0]!;
  const scaled = Float64Array.from(v, (x, i) => f32(x * s[Math.floor(i / per)]!));
  let lo = Infinity, hi = -Infinity;
  for (const x of scaled) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  const scale = symmetricScale(lo, hi);
  return {
    scaled,
    values: scaled.map((x) => fakeQuantValue(x, scale, 0, -128, 127)),
    mask: scaled.map((x) => (steMask(x, scale, 0, -128, 127) ? 1 : 0)),
  };
}

/** Channel (dim 1) of element i of a contiguous (N, C, *) tensor. */
function channelOf(shape: readonly number[]): (i: number) => number {
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  return (i) => Math.floor(i / inner) % shape[1]!;
}

/** BatchNorm written out: batch statistics (training) or the given running ones, in float64. */
function bnRef(z: ArrayLike<number>, shape: readonly number[], bn: _BatchNorm, stats: { mean: number[]; variance: number[] } | null) {
  const C = shape[1]!, ch = channelOf(shape);
  const n = z.length / C;
  const mean = new Array<number>(C).fill(0), sq = new Array<number>(C).fill(0);
  for (let i = 0; i < z.length; i++) mean[ch(i)]! += z[i]! / n;
  for (let i = 0; i < z.length; i++) sq[ch(i)]! += (z[i]! - mean[ch(i)]!) ** 2;
  const biasedVar = sq.map((s) => s / n), unbiasedVar = sq.map((s) => s / (n - 1));
  const useMean = stats ? stats.mean : mean, useVar = stats ? stats.variance : biasedVar;
  const g = bn.weight!.values(), b = bn.bias!.values();
  const y = Float64Array.from(z, (v, i) => ((v - useMean[ch(i)]!) / Math.sqrt(useVar[ch(i)]! + bn.eps)) * g[ch(i)]! + b[ch(i)]!);
  return { y, mean, unbiasedVar };
}

const DIMS = [
  { name: '1d', Qat: nniqat.ConvBn1d, QatRelu: nniqat.ConvBnReLU1d, Conv: Conv1d, Bn: BatchNorm1d, Fused: nni.ConvBn1d, FusedRelu: nni.ConvBnReLU1d, x: [4, 3, 9] },
  { name: '2d', Qat: nniqat.ConvBn2d, QatRelu: nniqat.ConvBnReLU2d, Conv: Conv2d, Bn: BatchNorm2d, Fused: nni.ConvBn2d, FusedRelu: nni.ConvBnReLU2d, x: [3, 3, 6, 5] },
  { name: '3d', Qat: nniqat.ConvBn3d, QatRelu: nniqat.ConvBnReLU3d, Conv: Conv3d, Bn: BatchNorm3d, Fused: nni.ConvBn3d, FusedRelu: nni.ConvBnReLU3d, x: [2, 3, 4, 5, 4] },
] as const;

/** A float fused ConvBn(ReLU) with random weights and BN state, carrying a per-tensor QAT qconfig. */
function floatFused(d: (typeof DIMS)[number], relu: boolean, bias: boolean): Module {
  const conv = new d.Conv(3, 4, 3, { padding: 1, bias });
  const bn = new d.Bn(4);
  randomizeBn(bn);
  const fused = relu ? new d.FusedRelu(conv as never, bn as never, new ReLU()) : new d.Fused(conv as never, bn as never);
  return Object.assign(fused, { qconfig: defaultQatQconfig });
}

/** The reference output of a QAT ConvBn(ReLU): conv with fq(W s), / s, + b, then BN written out. */
function convBnRef(d: (typeof DIMS)[number], m: AnyConvBn, x: Tensor, training: boolean, relu: boolean) {
  const s = scaleFactor(m.bn);
  const { values } = foldedFakeQuant(m.weight, s);
  const conv = new d.Conv(3, 4, 3, { padding: 1, bias: false });
  conv.weight = new Parameter(fromValues(values, m.weight.shape));
  const out = conv.call(x);
  const ch = channelOf(out.shape);
  const cb = m.bias?.values();
  const z = Float64Array.from(out.values(), (v, i) => v / s[ch(i)]! + (cb ? cb[ch(i)]! : 0));
  const stats = training ? null : { mean: Array.from(m.bn.running_mean!.values()), variance: Array.from(m.bn.running_var!.values()) };
  const res = bnRef(z, out.shape, m.bn, stats);
  if (relu) res.y = res.y.map((v) => Math.max(v, 0));
  return { ...res, shape: out.shape };
}

describe('QAT ConvBn / ConvBnReLU: BN folded into the fake-quantized weight', () => {
  for (const d of DIMS) {
    for (const relu of [false, true]) {
      const cls = relu ? d.QatRelu.name : d.Qat.name;
      it(`${cls} training: conv(x, fq(W s)) / s + b -> batch-stat BN${relu ? ' -> relu' : ''}, running stats updated`, () => {
        manualSeed(20);
        const m = (relu ? d.QatRelu : d.Qat).fromFloat(floatFused(d, relu, true)) as AnyConvBn;
        expect(m.constructor).toBe(relu ? d.QatRelu : d.Qat);
        const x = randn([...d.x]);
        const rm0 = Array.from(m.bn.running_mean!.values()), rv0 = Array.from(m.bn.running_var!.values());
        const ref = convBnRef(d, m, x, true, relu);
        const y = m.call(x);
        expect(y.shape).toEqual(ref.shape);
        expect(maxAbsDiff(y.values(), ref.y)).toBeLessThan(2e-5);
        // running statistics: momentum 0.1, unbiased variance
        const wantRm = rm0.map((v, c) => 0.9 * v + 0.1 * ref.mean[c]!);
        const wantRv = rv0.map((v, c) => 0.9 * v + 0.1 * ref.unbiasedVar[c]!);
        expect(maxAbsDiff(m.bn.running_mean!.values(), wantRm)).toBeLessThan(1e-5);
        expect(maxAbsDiff(m.bn.running_var!.values(), wantRv)).toBeLessThan(1e-5);
        expect(m.bn.num_batches_tracked!.item()).toBe(1);
      });

      it(`${cls} with frozen BN statistics: running-stat BN, statistics untouched`, () => {
        manualSeed(21);
        const m = (relu ? d.QatRelu : d.Qat).fromFloat(floatFused(d, relu, false)) as AnyConvBn;
        expect(m.bias).toBeNull();
        m.freezeBnStats();
        const x = randn([...d.x]);
        const rv0 = Array.from(m.bn.running_var!.values());
        const ref = convBnRef(d, m, x, false, relu);
        expect(maxAbsDiff(m.call(x).values(), ref.y)).toBeLessThan(2e-5);
        expect(Array.from(m.bn.running_var!.values())).toEqual(rv0);
        expect(m.bn.num_batches_tracked!.item()).toBe(0);
      });
    }
  }

  it('eval() runs BN on running statistics; toFloat folds BN into the conv (== eval output without fake quant)', () => {
    manualSeed(22);
    for (const relu of [false, true]) {
      const m = (relu ? nniqat.ConvBnReLU2d : nniqat.ConvBn2d).fromFloat(floatFused(DIMS[1], relu, true));
      // (evaluated before any other call: the reference models the fake quantizer's first observation)
      m.eval();
      expect(m.bn.training).toBe(false);
      const x = randn([2, 3, 6, 5]);
      const ref = convBnRef(DIMS[1], m, x, false, relu);
      expect(maxAbsDiff(m.call(x).values(), ref.y)).toBeLessThan(2e-5);
      const float = m.toFloat();
      expect(float.constructor).toBe(relu ? nni.ConvReLU2d : Conv2d);
      expect(float.training).toBe(false);
      (m.weight_fake_quant as FakeQuantize).disableFakeQuant();
      expect(maxAbsDiff(float.call(x).values(), m.call(x).values())).toBeLessThan(1e-5);
    }
  });

  it('gradients reach W, gamma, beta and the conv bias through the straight-through estimator', () => {
    manualSeed(23);
    const m = nniqat.ConvBn2d.fromFloat(floatFused(DIMS[1], false, true));
    const x = randn([3, 3, 6, 5]);
    const g = randn([3, 4, 6, 5]);
    // the forward scales with the running variance from before its own BN update
    const rv0 = m.bn.running_var!.clone();
    const fq = foldedFakeQuant(m.weight, scaleFactor(m.bn));
    m.call(x).mul(g).sum().backward();
    // surrogate with the same value and the STE gradient, from differentiable primitives:
    // W s * mask + (fq(W s) - W s * mask) held constant, then / s, + b, batch-statistics BN
    const leaf = (t: Tensor): Tensor => t.detach().clone().requiresGrad_();
    const [W, gamma, beta, b] = [leaf(m.weight), leaf(m.bn.weight!), leaf(m.bn.bias!), leaf(m.bias!)];
    const sVec = gamma.div(rv0.add(EPS).sqrt());
    const ws = W.mul(sVec.reshape([4, 1, 1, 1])).mul(fromValues(fq.mask, W.shape));
    const wq = ws.add(fromValues(fq.values, W.shape).sub(ws.detach()));
    const z = F.conv2d(x, wq, { padding: 1 }).div(sVec.reshape([1, 4, 1, 1])).add(b.reshape([1, 4, 1, 1]));
    F.batchNorm(z, null, null, { weight: gamma, bias: beta, training: true, eps: EPS }).mul(g).sum().backward();
    for (const [name, got, want] of [
      ['weight', m.weight.grad!, W.grad!], ['bn.weight', m.bn.weight!.grad!, gamma.grad!], ['bn.bias', m.bn.bias!.grad!, beta.grad!],
    ] as const) {
      expect(maxAbsDiff(got.values(), want.values()), name).toBeLessThan(2e-4);
      expect(Math.max(...Array.from(got.values(), Math.abs)), name).toBeGreaterThan(1e-3);
    }
    // a per-channel constant before batch-statistics BN has no effect: the bias gradient vanishes
    expect(maxAbsDiff(m.bias!.grad!.values(), b.grad!.values())).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(m.bias!.grad!.values(), Math.abs))).toBeLessThan(1e-4);
  });
});
