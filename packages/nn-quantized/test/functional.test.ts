// torch.ao.nn.quantized.functional: PyTorch 1.13's recorded outputs (golden conv*, activations,
// pooling, interpolate, per engine), PyTorch's defaults and its error messages.
import { describe, expect, it } from 'vitest';
import { type Engine, type Tensor, float32, fromValues, qint8, quantizePerTensor, quint8, withEngine } from '@qtorch/qtensor';
import { type GoldenCase, expectQTensorEqual, tensorFromGolden } from '../../../tools/testing/src/index.js';
import { casesFor } from '../../../tools/conformance/src/golden_engines.js';
import { toleranceFor } from '../../../tools/conformance/src/tolerance.js';
import * as qF from '../src/functional/index.js';

const ENGINES: Engine[] = ['qnnpack', 'fbgemm'];
const x = (c: GoldenCase): Tensor => tensorFromGolden(c.inputs.x);
const opt = (c: GoldenCase, k: string): Tensor | null => (c.inputs[k] ? tensorFromGolden(c.inputs[k]) : null);

/** fixture op -> the qF call PyTorch's case made (or its functional equivalent). */
const RUNNERS: Record<string, (c: GoldenCase) => Tensor> = {
  'torch.ao.nn.quantized.functional.conv1d': (c) => qF.conv1d(x(c), opt(c, 'w')!, opt(c, 'b'), convOpts(c)),
  'torch.ao.nn.quantized.functional.conv2d': (c) => qF.conv2d(x(c), opt(c, 'w')!, opt(c, 'b'), convOpts(c)),
  'torch.ao.nn.quantized.functional.conv3d': (c) => qF.conv3d(x(c), opt(c, 'w')!, opt(c, 'b'), convOpts(c)),
  'torch.ao.nn.quantized.functional.leaky_relu': (c) => qF.leakyRelu(x(c), { negativeSlope: c.args.negative_slope, scale: c.args.out_scale, zeroPoint: c.args.out_zero_point }),
  'torch.nn.functional.leaky_relu': (c) => qF.leakyRelu(x(c), { negativeSlope: c.args.negative_slope }),
  'torch.ao.nn.quantized.functional.hardtanh': (c) => qF.hardtanh(x(c), { minVal: c.args.min_val, maxVal: c.args.max_val }),
  'torch.ao.nn.quantized.functional.threshold': (c) => qF.threshold(x(c), c.args.threshold, c.args.value),
  'torch.clamp': (c) => qF.clamp(x(c), c.args.min, c.args.max),
  'quantized::hardswish': (c) => qF.hardswish(x(c), c.args.out_scale, c.args.out_zero_point),
  'quantized::elu': (c) => qF.elu(x(c), c.args.out_scale, c.args.out_zero_point, { alpha: c.args.alpha }),
  'quantized::celu': (c) => qF.celu(x(c), c.args.out_scale, c.args.out_zero_point, { alpha: c.args.alpha }),
  'torch.nn.functional.hardsigmoid': (c) => qF.hardsigmoid(x(c)),
  'torch.relu': (c) => qF.relu(x(c)),
  'torch.nn.functional.max_pool1d': (c) => qF.maxPool1d(x(c), c.args.kernel_size, poolOpts(c)),
  'torch.nn.functional.max_pool2d': (c) => qF.maxPool2d(x(c), c.args.kernel_size, poolOpts(c)),
  'torch.nn.functional.avg_pool2d': (c) => qF.avgPool2d(x(c), c.args.kernel_size, poolOpts(c)),
  'torch.nn.functional.avg_pool3d': (c) => qF.avgPool3d(x(c), c.args.kernel_size, poolOpts(c)),
  'torch.nn.functional.adaptive_avg_pool2d': (c) => qF.adaptiveAvgPool2d(x(c), c.args.output_size),
  'torch.nn.functional.adaptive_avg_pool3d': (c) => qF.adaptiveAvgPool3d(x(c), c.args.output_size),
  'torch.nn.functional.interpolate': (c) => qF.interpolate(x(c), {
    size: c.args.size, scaleFactor: c.args.scale_factor, mode: c.args.mode, alignCorners: c.args.align_corners, recomputeScaleFactor: c.args.recompute_scale_factor,
  }),
  'quantized::batch_norm2d': (c) => qF.batchNorm(x(c), opt(c, 'running_mean')!, opt(c, 'running_var')!, normOpts(c)),
  'quantized::layer_norm': (c) => qF.layerNorm(x(c), c.args.normalized_shape, normOpts(c)),
  'quantized::group_norm': (c) => qF.groupNorm(x(c), c.args.num_groups, normOpts(c)),
  'quantized::instance_norm': (c) => qF.instanceNorm(x(c), normOpts(c)),
};

function convOpts(c: GoldenCase): qF.ConvOptions {
  const a = c.args;
  return { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups, scale: a.out_scale, zeroPoint: a.out_zero_point };
}
function poolOpts(c: GoldenCase): qF.AvgPoolOptions & qF.MaxPoolOptions {
  const a = c.args;
  return { stride: a.stride, padding: a.padding, dilation: a.dilation, ceilMode: a.ceil_mode, countIncludePad: a.count_include_pad, divisorOverride: a.divisor_override };
}
function normOpts(c: GoldenCase): qF.NormOptions {
  return { weight: opt(c, 'weight'), bias: opt(c, 'bias'), eps: c.args.eps, scale: c.args.out_scale, zeroPoint: c.args.out_zero_point };
}

const FILES = ['conv1d', 'conv2d', 'conv3d', 'activations', 'pooling', 'interpolate', 'norms'];

describe('functional vs golden (area E)', () => {
  for (const engine of ENGINES) {
    for (const f of FILES) {
      for (const c of casesFor(`ops/${f}.json`, engine).filter((k) => RUNNERS[k.op] && k.expected.error === undefined)) {
        it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
          const tol = toleranceFor(c);
          // norms and bilinear interpolate match exactly here; transcendental activations allow +-1
          const exact = f === 'norms' || f === 'interpolate';
          expectQTensorEqual(RUNNERS[c.op]!(c), c.expected.y, { maxIntDiff: exact || tol.kind !== 'quantized' ? 0 : tol.maxIntDiff, label: c.name });
        }));
      }
    }
  }
});

const qx = (shape: number[]): Tensor => quantizePerTensor(fromValues(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)), shape, float32), 0.02, 128, quint8);

describe('functional defaults and errors', () => {
  it('linear: output qparams default to the input\'s; the weight is packed per call', () => {
    const w = quantizePerTensor(fromValues([1, 0, 0, 1, 0.5, -0.5], [3, 2], float32), 0.01, 0, qint8);
    const input = qx([2, 2]);
    const y = qF.linear(input, w);
    expect(y.quantizer).toMatchObject({ scale: 0.02, zeroPoint: 128 });
    // rows 0 and 1 of the weight are the identity: y[:, 0:2] reproduces the input ints
    const yi = Array.from(y.values()), xi = Array.from(input.values());
    expect([yi[0], yi[1], yi[3], yi[4]]).toEqual([xi[0], xi[1], xi[2], xi[3]]);
  });

  it('float input: "Input to \'quantized.<op>\' must be quantized!"', () => {
    const f = fromValues([1, 2, 3, 4], [1, 1, 2, 2], float32);
    expect(() => qF.avgPool2d(f, 2)).toThrow(/Input to 'quantized\.avg_pool2d' must be quantized!/);
    expect(() => qF.interpolate(f, { scaleFactor: 2 })).toThrow(/quantized\.interpolate/);
    expect(() => qF.hardswish(f, 0.1, 0)).toThrow(/quantized\.hardswish/);
  });

  it('conv: zero padding, quint8 activations and qint8 weights only', () => {
    const w = quantizePerTensor(fromValues([1, 1, 1, 1], [1, 1, 2, 2], float32), 0.1, 0, qint8);
    const input = qx([1, 1, 3, 3]);
    expect(() => qF.conv2d(input, w, null, { paddingMode: 'reflect' })).toThrow(/Only zero-padding is supported!/);
    expect(() => qF.conv2d(quantizePerTensor(input.dequantize(), 0.1, 0, qint8), w, null)).toThrow(/Only torch\.quint8 is supported for activation tensor!/);
    expect(() => qF.conv2d(input, w.dequantize(), null)).toThrow(/Only torch\.qint8 is supported for weight tensor!/);
    expect(() => qF.conv2d(input.reshape([1, 3, 3]), w, null)).toThrow(/Input shape must be `\(N, C, H, W\)`!/);
    expect(() => qF.maxPool2d(input, 2, { returnIndices: true })).toThrow(/return_indices is not yet implemented!/);
    // default output qparams: scale 1.0, zero point 0; a 2x2 box of ones sums four inputs
    const y = qF.conv2d(input, w, null);
    expect(y.quantizer).toMatchObject({ scale: 1, zeroPoint: 0 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
  });

  it('upsample helpers: bilinear aligns corners, nearest repeats', () => {
    const input = qx([1, 1, 2, 2]);
    expect(Array.from(qF.upsampleNearest(input, { scaleFactor: 2 }).values()).slice(0, 4)).toEqual([input.values()[0], input.values()[0], input.values()[1], input.values()[1]]);
    const y = qF.upsampleBilinear(input, { size: [3, 3] });
    // corners are the input corners exactly with align_corners=True
    const v = y.values(), iv = input.values();
    expect([v[0], v[2], v[6], v[8]]).toEqual([iv[0], iv[1], iv[2], iv[3]]);
  });
});
