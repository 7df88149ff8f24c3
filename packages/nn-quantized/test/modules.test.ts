// Static quantized modules: fromFloat from float modules with hand-attached observers (checked
// against hand-computed qparams and a float64 model), state-dict round trips, reprs, engines and
// the "Common errors" messages.
import { describe, expect, it } from 'vitest';
import {
  QTorchTypeError, QTorchValueError, type Tensor, float32, fromValues, int64, perChannelSymmetric, perTensorSymmetric, qint8,
  quantizePerTensor, quint8, tensor, withEngine,
} from '@qtorch/qtensor';
import * as nn from '@qtorch/nn';
import { MinMaxObserver, PerChannelMinMaxObserver, QConfig, getDefaultQatQconfig } from '@qtorch/quantization';
import { Linear as QatLinear } from '@qtorch/nn-qat';
import {
  BatchNorm2d, Conv2d, ConvTranspose1d, DeQuantize, Dropout, ELU, Embedding, EmbeddingBag, GroupNorm, Hardswish, InstanceNorm2d, LayerNorm, LeakyReLU, Linear,
  QFunctional, Quantize, ReLU6, Sigmoid, Softmax, FloatFunctional,
} from '../src/index.js';

const vals = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const ft = (v: number[], shape: number[]): Tensor => fromValues(v, shape, float32);
const qin = (shape: number[], scale = 0.05, zp = 128): Tensor =>
  quantizePerTensor(ft(vals(shape.reduce((a, b) => a * b, 1), (i) => Math.sin(i * 0.37) * 3), shape), scale, zp, quint8);
const ints = (t: Tensor): number[] => Array.from(t.values());

/** Sets a float module parameter's values in place. */
function setValues(p: Tensor, v: number[]): void {
  (p.data as Float32Array).set(v);
}

const staticQconfig = (perChannel = false): QConfig => new QConfig(
  MinMaxObserver.withArgs({}),
  perChannel ? PerChannelMinMaxObserver.withArgs({ dtype: qint8, qscheme: perChannelSymmetric }) : MinMaxObserver.withArgs({ dtype: qint8, qscheme: perTensorSymmetric }),
);

/** Attaches qconfig + output observer and calibrates on `xs`, as prepare + calibration would. */
function observe(m: nn.Module, xs: Tensor[]): void {
  const obs = new MinMaxObserver();
  Object.assign(m, { qconfig: staticQconfig() });
  (m as unknown as { activation_post_process: nn.Module }).activation_post_process = obs;
  for (const x of xs) obs.call(m.call(x));
}

describe('Linear.fromFloat', () => {
  const fc = new nn.Linear(4, 3);
  const W = [0.5, -1.27, 0.3, 0.9, -0.2, 0.7, 1.0, -0.6, 0.05, 0.4, -0.8, 0.25];
  setValues(fc.weight, W);
  setValues(fc.bias!, [0.1, -0.2, 0.3]);
  const xs = [ft(vals(8, (i) => (i - 4) / 3), [2, 4])];
  observe(fc, xs);

  it('quantizes the weight with the symmetric observer and takes the output qparams', () => {
    const q = Linear.fromFloat(fc);
    // MinMaxObserver(qint8, per_tensor_symmetric): scale = max|w| / 127.5, zero point 0
    const sw = Math.fround(1.27 / 127.5);
    expect(q.weight().quantizer).toMatchObject({ qscheme: 'per_tensor_affine', zeroPoint: 0 });
    expect((q.weight().quantizer as { scale: number }).scale).toBeCloseTo(sw, 9);
    // the largest |w| lands on +-127.5 (symmetric range), which rounds to -128 here
    expect(ints(q.weight())).toEqual(W.map((w) => (w === -1.27 ? -128 : Math.round(w / sw))));
    expect(Array.from(q.bias()!.values())).toEqual(Array.from(Float32Array.of(0.1, -0.2, 0.3)));
    // output observer: quint8 affine over [min(y, 0), max(y, 0)]
    const y = fc.call(xs[0]!).values();
    const lo = Math.min(0, ...y), hi = Math.max(0, ...y), s = (hi - lo) / 255;
    expect(q.scale).toBeCloseTo(s, 6);
    expect(q.zeroPoint).toBe(Math.round(-lo / s));
  });

  it('runs within one output step of the float64 model', () => {
    const q = Linear.fromFloat(fc);
    const x = xs[0]!;
    const xq = quantizePerTensor(x, 0.02, 128, quint8);
    const y = q.call(xq).values();
    const xd = xq.dequantize().values(), wd = q.weight().dequantize().values();
    for (let m = 0; m < 2; m++) {
      for (let n = 0; n < 3; n++) {
        let acc = [0.1, -0.2, 0.3][n]!;
        for (let k = 0; k < 4; k++) acc += xd[m * 4 + k]! * wd[n * 4 + k]!;
        const ref = Math.min(255, Math.max(0, q.zeroPoint + Math.round(acc / q.scale)));
        expect(Math.abs(y[m * 3 + n]! - ref)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('needs an observer and a qconfig, and a qint8 weight observer', () => {
    expect(() => Linear.fromFloat(new nn.Linear(2, 2))).toThrow(/activation_post_process/);
    const noQconfig = Object.assign(new nn.Linear(2, 2), { activation_post_process: new MinMaxObserver() });
    expect(() => Linear.fromFloat(noQconfig)).toThrow(/must have qconfig defined/);
    const badW = Object.assign(new nn.Linear(2, 2), { activation_post_process: new MinMaxObserver(), qconfig: new QConfig(MinMaxObserver.withArgs({}), MinMaxObserver.withArgs({})) });
    expect(() => Linear.fromFloat(badW)).toThrow(/Weight observer must have dtype torch.qint8/);
    expect(() => Linear.fromFloat(new nn.ReLU())).toThrow(/only works for Linear, NonDynamicallyQuantizableLinear, but got: ReLU/);
  });
});

describe('Linear.fromFloat from a QAT Linear', () => {
  it('takes the weight qparams of weight_fake_quant and the output ones of activation_post_process', () => {
    const qconfig = getDefaultQatQconfig('qnnpack');
    const qat = new QatLinear(4, 3, { qconfig });
    setValues(qat.weight, [0.5, -1.1, 0.3, 0.9, -0.2, 0.7, 1.0, -0.6, 0.05, 0.4, -0.8, 0.25]);
    const act = qconfig.activation() as nn.Module;
    (qat as unknown as { activation_post_process: nn.Module }).activation_post_process = act;
    for (let i = 0; i < 3; i++) act.call(qat.call(ft(vals(8, (k) => Math.sin(k + i)), [2, 4])));
    const q = Linear.fromFloat(qat);
    const [ws] = (qat.weight_fake_quant as unknown as { calculateQparams(): [Tensor, Tensor] }).calculateQparams();
    const [as, az] = (act as unknown as { calculateQparams(): [Tensor, Tensor] }).calculateQparams();
    expect((q.weight().quantizer as { scale: number }).scale).toBe(ws.values()[0]);
    expect(ints(q.weight())).toEqual(ints(quantizePerTensor(qat.weight.detach(), ws.values()[0]!, 0, qint8)));
    expect([q.scale, q.zeroPoint]).toEqual([as.values()[0], az.values()[0]]);
  });
});

describe('Conv2d.fromFloat with per-channel weights', () => {
  it('one scale per output channel; output within one step of the float64 model', () => {
    const conv = new nn.Conv2d(2, 3, 2, { padding: 1 });
    setValues(conv.weight, vals(24, (i) => Math.cos(i * 1.3) * (1 + (i % 3))));
    const x = ft(vals(2 * 2 * 3 * 3, (i) => Math.sin(i)), [2, 2, 3, 3]);
    const obs = new MinMaxObserver();
    Object.assign(conv, { qconfig: staticQconfig(true), activation_post_process: obs });
    obs.call(conv.call(x));
    const q = Conv2d.fromFloat(conv);
    const w = q.weight(), wq = w.quantizer as { qscheme: string; scales: Float64Array; axis: number };
    expect(wq.qscheme).toBe('per_channel_affine');
    expect(wq.axis).toBe(0);
    const wv = conv.weight.values();
    for (let c = 0; c < 3; c++) {
      const amax = Math.max(...Array.from(wv.slice(c * 8, c * 8 + 8), Math.abs));
      expect(wq.scales[c]).toBeCloseTo(amax / 127.5, 6);
    }
    const xq = quantizePerTensor(x, 0.01, 128, quint8);
    const y = q.call(xq);
    expect(y.shape).toEqual([2, 3, 4, 4]);
    const ref = conv.call(xq.dequantize()).values(); // float conv of the dequantized input, float weights
    const yv = y.dequantize().values();
    // weight rounding adds at most half a weight step per tap on top of the output step
    for (let i = 0; i < ref.length; i++) expect(Math.abs(yv[i]! - ref[i]!)).toBeLessThanOrEqual(q.scale + 0.05);
  });
});

const f32Qparams = (t: Tensor): unknown => {
  const q = t.quantizer as { scale?: number } | null;
  return q && q.scale !== undefined ? { ...q, scale: Math.fround(q.scale) } : q;
};

describe('ConvTranspose1d', () => {
  it('matches a float64 transposed convolution within one output step', () => {
    const q = new ConvTranspose1d(2, 3, 3, { stride: 2, padding: 1 });
    const w = quantizePerTensor(ft(vals(18, (i) => Math.cos(i * 0.9)), [2, 3, 3]), 0.01, 0, qint8);
    // a different bias per output channel (each must get its own)
    const b = ft([0.3, -0.5, 0.9], [3]);
    q.setWeightBias(w, b);
    [q.scale, q.zeroPoint] = [0.02, 128];
    const x = qin([1, 2, 4]);
    const y = q.call(x);
    expect(y.shape).toEqual([1, 3, 7]); // (4 - 1) * 2 - 2 + 3
    const xd = x.dequantize().values(), wd = w.dequantize().values(), yv = y.values();
    for (let oc = 0; oc < 3; oc++) {
      for (let o = 0; o < 7; o++) {
        let acc = b.values()[oc]!;
        for (let ic = 0; ic < 2; ic++) for (let i = 0; i < 4; i++) for (let k = 0; k < 3; k++) if (i * 2 - 1 + k === o) acc += xd[ic * 4 + i]! * wd[(ic * 3 + oc) * 3 + k]!;
        expect(Math.abs(yv[oc * 7 + o]! - Math.min(255, Math.max(0, 128 + Math.round(acc / 0.02))))).toBeLessThanOrEqual(1);
      }
    }
    expect(Array.from(yv).filter((v) => v === 0 || v === 255).length).toBeLessThan(3); // the bias is visible, not clipped
    expect(q.toString()).toBe('QuantizedConvTranspose1d(2, 3, kernel_size=(3,), stride=(2,), scale=0.02, zero_point=128, padding=(1,))');
  });
});

/** Saves `m`'s state, loads it into `fresh`, and checks identical integer outputs on `x`. */
function roundTrip<M extends nn.Module>(m: M, fresh: M, x: Tensor, run: (mod: M, x: Tensor) => Tensor = (mod, v) => (mod as unknown as { call(t: Tensor): Tensor }).call(v)): void {
  const sd = m.stateDict();
  const res = fresh.loadStateDict(sd);
  expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
  const a = run(m, x), b = run(fresh, x);
  expect(ints(b)).toEqual(ints(a));
  // scale is saved as float32 (PyTorch's torch.tensor(scale)), so it comes back rounded
  expect(f32Qparams(b)).toEqual(f32Qparams(a));
  expect(Object.keys(fresh.stateDict())).toEqual(Object.keys(sd));
}

describe('state dict round trips (save -> new module -> load -> identical outputs)', () => {
  it('Linear: PyTorch keys, bias optional', () => {
    const q = new Linear(4, 3);
    q.setWeightBias(quantizePerTensor(ft(vals(12, (i) => i / 10 - 0.5), [3, 4]), 0.01, 0, qint8), ft([1, 2, 3], [3]));
    [q.scale, q.zeroPoint] = [0.05, 100];
    expect(Object.keys(q.stateDict())).toEqual(['scale', 'zero_point', '_packed_params.weight', '_packed_params.bias']);
    roundTrip(q, new Linear(4, 3), qin([2, 4]));
    const nb = new Linear(4, 3, { bias: false });
    expect(Object.keys(nb.stateDict())).toEqual(['scale', 'zero_point', '_packed_params.weight']);
    roundTrip(nb, new Linear(4, 3, { bias: false }), qin([2, 4]));
  });

  it('Linear loads PyTorch 1.13 `_packed_params._packed_params` (weight, bias) tuples', () => {
    const q = new Linear(4, 3);
    q.setWeightBias(quantizePerTensor(ft(vals(12, (i) => i / 7 - 0.8), [3, 4]), 0.01, 0, qint8), null);
    const [w] = q._weightBias();
    const fresh = new Linear(4, 3);
    fresh.loadStateDict({ scale: tensor(0.1), zero_point: tensor([3], { dtype: int64 }).reshape([]), '_packed_params._packed_params': [w, null] as never });
    expect(ints(fresh.weight())).toEqual(ints(w));
    expect(fresh.bias()).toBeNull();
    expect([fresh.scale, fresh.zeroPoint]).toEqual([Math.fround(0.1), 3]);
  });

  it('Conv2d: weight, bias, scale, zero_point', () => {
    const q = new Conv2d(2, 4, 3, { padding: 1, groups: 2 });
    q.setWeightBias(quantizePerTensor(ft(vals(36, (i) => Math.sin(i)), [4, 1, 3, 3]), 0.02, 0, qint8), ft([0.1, 0.2, -0.1, 0], [4]));
    [q.scale, q.zeroPoint] = [0.03, 120];
    expect(Object.keys(q.stateDict())).toEqual(['weight', 'bias', 'scale', 'zero_point']);
    roundTrip(q, new Conv2d(2, 4, 3, { padding: 1, groups: 2 }), qin([1, 2, 5, 5]));
  });

  it('norms, activations, QFunctional, Quantize, Embedding', () => {
    const bn = new BatchNorm2d(2);
    setValues(bn.weight!, [1.5, 0.5]);
    bn.running_mean = ft([0.1, -0.2], [2]);
    [bn.scale, bn.zeroPoint] = [0.04, 130];
    roundTrip(bn, new BatchNorm2d(2), qin([1, 2, 3, 3]));
    roundTrip(new LayerNorm([3], ft([1, 2, 3], [3]), ft([0, 0.1, 0], [3]), 0.02, 128), new LayerNorm([3], ft([1, 1, 1], [3]), ft([0, 0, 0], [3]), 1, 0), qin([2, 3]));
    roundTrip(new GroupNorm(2, 4, ft([1, 1, 2, 2], [4]), ft([0, 0, 1, 1], [4]), 0.03, 128), new GroupNorm(2, 4, ft([1, 1, 1, 1], [4]), ft([0, 0, 0, 0], [4]), 1, 0), qin([1, 4, 3]));
    roundTrip(new InstanceNorm2d(2, null, null, 0.03, 120), new InstanceNorm2d(2, null, null, 1, 0), qin([1, 2, 3, 3]));
    roundTrip(new Hardswish(0.02, 50), new Hardswish(1, 0), qin([6]));
    roundTrip(new ELU(0.03, 60, { alpha: 0.5 }), new ELU(1, 0, { alpha: 0.5 }), qin([6]));
    roundTrip(new LeakyReLU(0.02, 30, { negativeSlope: 0.1 }), new LeakyReLU(1, 0, { negativeSlope: 0.1 }), qin([6]));
    roundTrip(new Sigmoid(1 / 256, 0), new Sigmoid(1, 0), qin([6]));
    roundTrip(new Softmax({ dim: 1, scale: 1 / 256, zeroPoint: 0 }), new Softmax({ dim: 1 }), qin([2, 3]));
    const qf = new QFunctional();
    [qf.scale, qf.zeroPoint] = [0.1, 10];
    roundTrip(qf, new QFunctional(), qin([4]), (m, x) => m.add(x, x));
    roundTrip(new Quantize(0.1, 7, quint8), new Quantize(1, 0, quint8), ft([0.5, -0.3, 2], [3]));
  });

  it('Embedding keeps its table under `_packed_params._packed_weight`', () => {
    const w = ft(vals(12, (i) => Math.cos(i)), [4, 3]);
    const f = Object.assign(new nn.Embedding(4, 3, { _weight: w }), {
      qconfig: new QConfig(MinMaxObserver.withArgs({}), PerChannelMinMaxObserver.withArgs({ dtype: quint8, qscheme: 'per_channel_affine_float_qparams', chAxis: 0 })),
    });
    const q = Embedding.fromFloat(f);
    expect(Object.keys(q.stateDict())).toEqual(['_packed_params._packed_weight']);
    const idx = tensor([3, 0, 1], { dtype: int64 });
    const fresh = new Embedding(4, 3);
    fresh.loadStateDict(q.stateDict());
    expect(Array.from(fresh.call(idx).values())).toEqual(Array.from(q.call(idx).values()));
    // rows of the dequantized table (the lookup computes scale * q - zp * scale: float32 rounding apart)
    const dq = q.weight().dequantize().values(), y = q.call(idx).values();
    [...dq.slice(9, 12), ...dq.slice(0, 3), ...dq.slice(3, 6)].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
  });

  it('a strict load reports missing and unexpected keys', () => {
    expect(() => new Linear(2, 2).loadStateDict({ scale: tensor(1), zero_point: tensor(0) })).toThrow(/Missing key\(s\) in state_dict: "_packed_params.weight"/);
    const sd = { ...new Linear(2, 2).stateDict(), extra: tensor(1) };
    expect(() => new Linear(2, 2).loadStateDict(sd)).toThrow(/Unexpected key\(s\) in state_dict: "extra"/);
  });
});

describe('reprs (PyTorch format)', () => {
  it('modules print like torch.ao.nn.quantized', () => {
    const fc = new Linear(4, 2);
    [fc.scale, fc.zeroPoint] = [0.1, 3];
    expect(fc.toString()).toBe('QuantizedLinear(in_features=4, out_features=2, scale=0.1, zero_point=3, qscheme=torch.per_tensor_affine)');
    expect(new Conv2d(3, 8, 3, { padding: 1 }).toString()).toBe('QuantizedConv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), scale=1.0, zero_point=0, padding=(1, 1))');
    expect(new Conv2d(4, 4, [1, 3], { groups: 2, bias: false }).toString()).toBe('QuantizedConv2d(4, 4, kernel_size=(1, 3), stride=(1, 1), scale=1.0, zero_point=0, groups=2, bias=False)');
    expect(new ReLU6().toString()).toBe('QuantizedReLU6()');
    expect(new LeakyReLU(0.1, 2).toString()).toBe('QuantizedLeakyReLU(negative_slope=0.01)');
    expect(new ELU(0.1, 2).toString()).toBe('QuantizedELU(alpha=1.0)');
    expect(new BatchNorm2d(4).toString()).toBe('QuantizedBatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect(new Dropout({ p: 0.2 }).toString()).toBe('QuantizedDropout(p=0.2, inplace=False)');
    expect(new Embedding(10, 3).toString()).toBe('QuantizedEmbedding(num_embeddings=10, embedding_dim=3, dtype=torch.quint8, qscheme=torch.per_channel_affine_float_qparams)');
    expect(new Quantize(0.5, 2, quint8).toString()).toBe('Quantize(scale=tensor([0.5000]), zero_point=tensor([2]), dtype=torch.quint8)');
    expect(new DeQuantize().toString()).toBe('DeQuantize()');
    const qf = new QFunctional();
    expect(qf.toString()).toBe('QFunctional(\n  scale=1.0, zero_point=0\n  (activation_post_process): Identity()\n)');
  });
});

describe('engines and errors', () => {
  it('packed weights remember their engine and run under another one', () => {
    const w = quantizePerTensor(ft(vals(12, (i) => i / 10 - 0.6), [3, 4]), 0.01, 0, qint8);
    const b = ft([0.0125, -0.0375, 0.5], [3]); // bias ties: the engines' bias rounding differs
    const x = qin([5, 4], 0.05, 128);
    const build = (): Linear => {
      const q = new Linear(4, 3);
      q.setWeightBias(w, b);
      [q.scale, q.zeroPoint] = [0.02, 128];
      return q;
    };
    const onQnnpack = withEngine('qnnpack', build), onFbgemm = withEngine('fbgemm', build);
    expect((onQnnpack._packed_params._packed_params as { engine: string }).engine).toBe('qnnpack');
    expect(ints(withEngine('fbgemm', () => onQnnpack.call(x)))).toEqual(ints(withEngine('qnnpack', () => onQnnpack.call(x))));
    expect(ints(withEngine('qnnpack', () => onFbgemm.call(x)))).toEqual(ints(withEngine('fbgemm', () => onFbgemm.call(x))));
  });

  it('a float tensor into a quantized module: the Common errors message', () => {
    const x = ft([1, 2, 3, 4], [1, 4]);
    expect(() => new Linear(4, 2).call(x)).toThrow(/QuantizedLinear\.forward\(\): expected a quantized tensor, got torch\.float32\. Quantize the input first \(QuantStub/);
    expect(() => new Conv2d(1, 1, 1).call(x.reshape([1, 1, 2, 2]))).toThrow(QTorchTypeError);
    expect(() => new Hardswish(0.1, 0).call(x)).toThrow(/QuantizedHardswish\.forward/);
    expect(() => new Quantize(0.1, 0, quint8).call(qin([4]))).toThrow(/Quantize\.forward\(\): expected a non-quantized tensor, got torch\.quint8\. Call dequantize\(\) first/);
  });

  it('constructor and usage errors', () => {
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/in_channels must be divisible by groups/);
    expect(() => new Conv2d(2, 4, 3, { paddingMode: 'reflect' as never })).toThrow(/padding_mode 'reflect' is not supported/);
    expect(() => new Conv2d(2, 4, 3).call(qin([2, 5, 5]))).toThrow(/Input shape must be/);
    expect(() => new FloatFunctional().call()).toThrow(/not intended to use the 'forward'/);
    expect(() => new EmbeddingBag(4, 3, { mode: 'mean' as never })).toThrow(/only mode='sum'/);
    expect(() => new Embedding(4, 3, { dtype: qint8 })).toThrow(QTorchTypeError);
    expect(() => QFunctional.fromFloat(new QFunctional())).toThrow(/expects an instance of FloatFunctional/);
    expect(() => new Linear(2, 2).setWeightBias(ft([1, 2, 3, 4], [2, 2]), null)).toThrow(/expected a qint8 quantized weight/);
    expect(() => BatchNorm2d.fromFloat(Object.assign(new nn.BatchNorm2d(2, { affine: false }), { activation_post_process: observed() }))).toThrow(QTorchValueError);
  });
});

function observed(): MinMaxObserver {
  const o = new MinMaxObserver();
  o.call(ft([-1, 2], [2]));
  return o;
}
