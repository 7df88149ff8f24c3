/**
 * Golden case -> qtorch call, per PyTorch op name. Each runner rebuilds the case's inputs and
 * returns what the op returned (compared with `expected.y`).
 */
import * as Q from '@qtorch/qtensor';
import type { Tensor } from '@qtorch/qtensor';
import { type GoldenCase, tensorFromGolden } from '../../testing/src/index.js';

/** Runs one golden case through the public qtorch API. */
export type CaseRunner = (c: GoldenCase) => Tensor;

const inp = (c: GoldenCase, k: string): Tensor => tensorFromGolden(c.inputs[k]);
const optInp = (c: GoldenCase, k: string): Tensor | null => (c.inputs[k] ? tensorFromGolden(c.inputs[k]) : null);

const linearPacked = (c: GoldenCase): Q.LinearPackedParams => Q.linearPrepack(inp(c, 'w'), optInp(c, 'b'));

function convCase(relu: boolean): CaseRunner {
  return (c) => {
    const a = c.args;
    const w = inp(c, 'w');
    const packed = Q.convPrepack(w, optInp(c, 'b'), { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups });
    return (relu ? Q.quantizedConvRelu : Q.quantizedConv)(inp(c, 'x'), packed, a.out_scale, a.out_zero_point);
  };
}

const x = (c: GoldenCase): Tensor => inp(c, 'x');
const xs = (c: GoldenCase): Tensor[] => (c.inputs.xs as unknown[]).map((t) => tensorFromGolden(t as never));

function binaryCase(fn: (a: Tensor, b: Tensor, s: number, zp: number) => Tensor): CaseRunner {
  return (c) => fn(inp(c, 'a'), inp(c, 'b'), c.args.out_scale, c.args.out_zero_point);
}

function scalarCase(fn: (a: Tensor, other: number) => Tensor): CaseRunner {
  return (c) => fn(inp(c, 'a'), c.args.other);
}

/** Fixture pooling kwargs -> QPoolOptions. */
function poolCase(fn: (x: Tensor, k: number | readonly number[], o: Q.QPoolOptions) => Tensor): CaseRunner {
  return (c) => {
    const a = c.args;
    return fn(inp(c, 'x'), a.kernel_size, {
      stride: a.stride, padding: a.padding, dilation: a.dilation, ceilMode: a.ceil_mode,
      countIncludePad: a.count_include_pad, divisorOverride: a.divisor_override,
    });
  };
}

/** Fixture F.interpolate kwargs -> InterpolateOptions. */
const interpolateOpts = (a: Record<string, any>): Q.InterpolateOptions => ({
  size: a.size, scaleFactor: a.scale_factor, mode: a.mode, alignCorners: a.align_corners, recomputeScaleFactor: a.recompute_scale_factor,
});

type BatchNormFn = typeof Q.quantizedBatchNorm;
function batchNormCase(fn: BatchNormFn): CaseRunner {
  return (c) => fn(x(c), inp(c, 'weight'), inp(c, 'bias'), inp(c, 'running_mean'), inp(c, 'running_var'), c.args.eps, c.args.out_scale, c.args.out_zero_point);
}

const PREPACK: Record<string, (w: Tensor) => Tensor> = {
  embedding_bag_byte_prepack: Q.embeddingBagBytePrepack,
  embedding_bag_4bit_prepack: (w) => Q.embeddingBag4bitPrepack(w),
  embedding_bag_2bit_prepack: (w) => Q.embeddingBag2bitPrepack(w),
};

/** `embedding_bag_*_rowwise_offsets` on the table prepacked by `args.prepack`. */
function embeddingBagCase(fn: typeof Q.embeddingBagByteRowwiseOffsets): CaseRunner {
  return (c) => fn(PREPACK[c.args.prepack]!(inp(c, 'weight')), inp(c, 'indices'), {
    offsets: optInp(c, 'offsets'), mode: c.args.mode, scaleGradByFreq: c.args.scale_grad_by_freq, prunedWeights: c.args.pruned_weights,
    perSampleWeights: optInp(c, 'per_sample_weights'), includeLastOffset: c.args.include_last_offset,
  });
}

/** op name (as in the fixtures) -> runner. */
export const GOLDEN_RUNNERS: Record<string, CaseRunner> = {
  'quantized::linear': (c) => Q.quantizedLinear(inp(c, 'x'), linearPacked(c), c.args.out_scale, c.args.out_zero_point),
  'quantized::linear_relu': (c) => Q.quantizedLinearRelu(inp(c, 'x'), linearPacked(c), c.args.out_scale, c.args.out_zero_point),
  'quantized::linear_dynamic': (c) => Q.quantizedLinearDynamic(inp(c, 'x'), linearPacked(c), { reduceRange: c.args.reduce_range }),
  'quantized::linear_relu_dynamic': (c) => Q.quantizedLinearReluDynamic(inp(c, 'x'), linearPacked(c), { reduceRange: c.args.reduce_range }),
  'torch.ao.nn.quantized.functional.conv1d': convCase(false),
  'torch.ao.nn.quantized.functional.conv2d': convCase(false),
  'torch.ao.nn.quantized.functional.conv3d': convCase(false),
  'quantized::conv1d_relu': convCase(true),
  'quantized::conv2d_relu': convCase(true),
  'quantized::conv3d_relu': convCase(true),
  'quantized::add': binaryCase(Q.quantizedAdd),
  'quantized::add_relu': binaryCase(Q.quantizedAddRelu),
  'quantized::mul': binaryCase(Q.quantizedMul),
  'quantized::mul_relu': binaryCase(Q.quantizedMulRelu),
  'quantized::matmul': binaryCase(Q.quantizedMatmul),
  'quantized::add_scalar': scalarCase(Q.quantizedAddScalar),
  'quantized::add_scalar_relu': scalarCase(Q.quantizedAddScalarRelu),
  'quantized::mul_scalar': scalarCase(Q.quantizedMulScalar),
  'quantized::mul_scalar_relu': scalarCase(Q.quantizedMulScalarRelu),
  'quantized::cat': (c) => Q.quantizedConcat(xs(c), c.args.dim, c.args.out_scale, c.args.out_zero_point),
  'torch.cat': (c) => Q.cat(xs(c), c.args.dim),
  'torch.relu': (c) => Q.quantizedRelu(x(c)),
  'quantized::relu6': (c) => Q.quantizedRelu6(x(c)),
  'torch.nn.functional.relu6': (c) => Q.quantizedRelu6(x(c)),
  'quantized::hardswish': (c) => Q.quantizedHardswish(x(c), c.args.out_scale, c.args.out_zero_point),
  'torch.nn.functional.hardsigmoid': (c) => Q.quantizedHardsigmoid(x(c)),
  'torch.sigmoid': (c) => Q.quantizedSigmoid(x(c)),
  'quantized::sigmoid': (c) => Q.quantizedSigmoid(x(c), { scale: c.args.out_scale, zeroPoint: c.args.out_zero_point }),
  'torch.tanh': (c) => Q.quantizedTanh(x(c)),
  'quantized::elu': (c) => Q.quantizedElu(x(c), c.args.out_scale, c.args.out_zero_point, c.args.alpha),
  'quantized::celu': (c) => Q.quantizedCelu(x(c), c.args.out_scale, c.args.out_zero_point, c.args.alpha),
  'torch.nn.functional.leaky_relu': (c) => Q.quantizedLeakyRelu(x(c), c.args.negative_slope),
  'torch.ao.nn.quantized.functional.leaky_relu': (c) =>
    Q.quantizedLeakyRelu(x(c), c.args.negative_slope, { scale: c.args.out_scale, zeroPoint: c.args.out_zero_point }),
  'torch.ao.nn.quantized.functional.hardtanh': (c) => Q.quantizedHardtanh(x(c), c.args.min_val, c.args.max_val),
  'torch.clamp': (c) => Q.quantizedClamp(x(c), c.args.min, c.args.max),
  'torch.ao.nn.quantized.functional.threshold': (c) => Q.quantizedThreshold(x(c), c.args.threshold, c.args.value),
  'torch.nn.functional.gelu': (c) => Q.quantizedGelu(x(c)),
  'torch.nn.functional.max_pool1d': poolCase(Q.quantizedMaxPool1d),
  'torch.nn.functional.max_pool2d': poolCase(Q.quantizedMaxPool2d),
  'torch.nn.functional.avg_pool2d': poolCase(Q.quantizedAvgPool2d),
  'torch.nn.functional.avg_pool3d': poolCase(Q.quantizedAvgPool3d),
  'torch.nn.functional.adaptive_avg_pool2d': (c) => Q.quantizedAdaptiveAvgPool2d(x(c), c.args.output_size),
  'torch.nn.functional.adaptive_avg_pool3d': (c) => Q.quantizedAdaptiveAvgPool3d(x(c), c.args.output_size),
  'quantized::softmax': (c) => Q.quantizedSoftmax(x(c), c.args.dim, c.args.out_scale, c.args.out_zero_point),
  'torch.nn.functional.interpolate': (c) => Q.quantizedInterpolate(x(c), interpolateOpts(c.args)),
  'torch.nn.functional.dropout': (c) => Q.quantizedDropout(x(c), { p: c.args.p, training: c.args.training }),
  'quantized::batch_norm1d': batchNormCase(Q.quantizedBatchNorm1d),
  'quantized::batch_norm2d': batchNormCase(Q.quantizedBatchNorm2d),
  'quantized::batch_norm3d': batchNormCase(Q.quantizedBatchNorm3d),
  'quantized::batch_norm2d_relu': batchNormCase(Q.quantizedBatchNorm2dRelu),
  'quantized::batch_norm3d_relu': batchNormCase(Q.quantizedBatchNorm3dRelu),
  'quantized::layer_norm': (c) => Q.quantizedLayerNorm(x(c), c.args.normalized_shape, inp(c, 'weight'), inp(c, 'bias'), c.args.eps, c.args.out_scale, c.args.out_zero_point),
  'quantized::group_norm': (c) => Q.quantizedGroupNorm(x(c), c.args.num_groups, inp(c, 'weight'), inp(c, 'bias'), c.args.eps, c.args.out_scale, c.args.out_zero_point),
  'quantized::instance_norm': (c) => Q.quantizedInstanceNorm(x(c), inp(c, 'weight'), inp(c, 'bias'), c.args.eps, c.args.out_scale, c.args.out_zero_point),
  'quantized::embedding_bag_byte_prepack': (c) => Q.embeddingBagBytePrepack(inp(c, 'weight')),
  'quantized::embedding_bag_4bit_prepack': (c) => Q.embeddingBag4bitPrepack(inp(c, 'weight')),
  'quantized::embedding_bag_2bit_prepack': (c) => Q.embeddingBag2bitPrepack(inp(c, 'weight')),
  'quantized::embedding_bag_byte_rowwise_offsets': embeddingBagCase(Q.embeddingBagByteRowwiseOffsets),
  'quantized::embedding_bag_4bit_rowwise_offsets': embeddingBagCase(Q.embeddingBag4bitRowwiseOffsets),
  'quantized::embedding_bag_2bit_rowwise_offsets': embeddingBagCase(Q.embeddingBag2bitRowwiseOffsets),
  'quantized::embedding_bag_byte_unpack': (c) => Q.embeddingBagByteUnpack(Q.embeddingBagBytePrepack(inp(c, 'weight'))),
  'quantized::embedding_byte': (c) => Q.quantizedEmbeddingByte(Q.embeddingBagPrepack(inp(c, 'qweight')), inp(c, 'indices')),
  'quantized::embedding_4bit': (c) => {
    const qw = Q.quantizePerChannel(inp(c, 'weight'), inp(c, 'observer_scales'), inp(c, 'observer_zero_points'), 0, Q.quint4x2);
    return Q.quantizedEmbedding4bit(Q.embeddingBagPrepack(qw), inp(c, 'indices'));
  },
};
