/**
 * @qtorch/nn/functional: torch.nn.functional under camelCase names (`F.conv2d`, `F.maxPool2d`,
 * `F.crossEntropy`). Keyword arguments go in one trailing options object. Ops that PyTorch
 * also runs on quantized tensors (relu, hardswish, maxPool2d, adaptiveAvgPool2d, ...) accept them.
 *
 * @example
 * ```ts
 * import * as F from '@qtorch/nn/functional';
 * const y = F.relu(F.conv2d(x, w, { bias: b, padding: 1 }));
 * ```
 */
export * from './activation.js';
export * from './pooling.js';
export * from './upsampling.js';
export * from './dropout.js';
export {
  type ConvOptions, type ConvTransposeOptions, type BatchNormOptions, type InstanceNormOptions, type AffineNormOptions,
  type EmbeddingOptions, type EmbeddingBagOptions, type PadOptions, type PadMode, type InterpolateOptions, type InterpolateMode,
  type MaxPoolOptions, type AvgPoolOptions, type AvgPool1dOptions, type AdaptiveSize, type AdaptiveMaxPoolOptions,
  type DropoutOptions, type SoftmaxOptions, type GeluOptions, type HardtanhOptions, type LeakyReluOptions, type AlphaOptions, type SoftplusOptions,
} from '@qtorch/qtensor';
export * from './rnn.js';
export * from './attention.js';

// ---- Symbolic tracing (@qtorch/fx) ----------------------------------------------------------
// Every function of F is wrapped with qtensor's `traceable`, so that tracing records a call as a
// `call_function` node with target 'F.<name>' (and 'F.<name>' is in the op vocabulary saved
// graphs may use). Outside tracing a wrapper only checks whether a trace hook is set. These
// local exports shadow the same names of the `export *` lines above.
import { traceable } from '@qtorch/qtensor';
import * as Q from '@qtorch/qtensor';
import * as A from './activation.js';
import * as P from './pooling.js';
import * as U from './upsampling.js';
import * as D from './dropout.js';
import * as L from './linear.js';
import * as MHA from './attention.js';

/** `torch.nn.functional.relu`: max(x, 0) elementwise; float or quantized input. */
export const relu = traceable('F.relu', A.relu);
/** `torch.nn.functional.relu_`: in-place {@link relu}; returns its input. */
export const relu_ = traceable('F.relu_', A.relu_);
/** `torch.nn.functional.relu6`: min(max(x, 0), 6) elementwise; float or quantized input. */
export const relu6 = traceable('F.relu6', A.relu6);
/** `torch.nn.functional.hardtanh`: clamps to [minVal, maxVal] (default [-1, 1]); float or quantized input. */
export const hardtanh = traceable('F.hardtanh', A.hardtanh);
/** `torch.nn.functional.hardtanh_`: in-place {@link hardtanh}; returns its input. */
export const hardtanh_ = traceable('F.hardtanh_', A.hardtanh_);
/** `torch.nn.functional.leaky_relu`: x for x >= 0, negativeSlope * x below (default slope 0.01). */
export const leakyRelu = traceable('F.leakyRelu', A.leakyRelu);
/** `torch.nn.functional.leaky_relu_`: in-place {@link leakyRelu}; returns its input. */
export const leakyRelu_ = traceable('F.leakyRelu_', A.leakyRelu_);
/** `torch.nn.functional.elu`: x for x > 0, alpha * (exp(x) - 1) below (default alpha 1). */
export const elu = traceable('F.elu', A.elu);
/** `torch.nn.functional.elu_`: in-place {@link elu}; returns its input. */
export const elu_ = traceable('F.elu_', A.elu_);
/** `torch.nn.functional.selu`: scale * elu(x, alpha) with SELU's fixed alpha and scale. */
export const selu = traceable('F.selu', A.selu);
/** `torch.nn.functional.celu`: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)). */
export const celu = traceable('F.celu', A.celu);
/** `torch.nn.functional.gelu`: x * Phi(x), exact (erf) or with `approximate: 'tanh'`. */
export const gelu = traceable('F.gelu', A.gelu);
/** `torch.nn.functional.silu`: x * sigmoid(x) (swish). */
export const silu = traceable('F.silu', A.silu);
/** `torch.nn.functional.mish`: x * tanh(softplus(x)). */
export const mish = traceable('F.mish', A.mish);
/** `torch.nn.functional.hardsigmoid`: relu6(x + 3) / 6; float or quantized input. */
export const hardsigmoid = traceable('F.hardsigmoid', A.hardsigmoid);
/** `torch.nn.functional.hardswish`: x * relu6(x + 3) / 6; float or quantized input. */
export const hardswish = traceable('F.hardswish', A.hardswish);
/** `torch.nn.functional.threshold`: x where x > threshold, else `value`. */
export const threshold = traceable('F.threshold', A.threshold);
/** `torch.nn.functional.sigmoid`: 1 / (1 + exp(-x)); float or quantized input. */
export const sigmoid = traceable('F.sigmoid', A.sigmoid);
/** `torch.nn.functional.tanh`: hyperbolic tangent elementwise; float or quantized input. */
export const tanh = traceable('F.tanh', A.tanh);
/** `torch.nn.functional.logsigmoid`: log(sigmoid(x)), computed stably for large |x|. */
export const logsigmoid = traceable('F.logsigmoid', A.logsigmoid);
/** `torch.nn.functional.softplus`: log(1 + exp(beta * x)) / beta, linear above `threshold`. */
export const softplus = traceable('F.softplus', A.softplus);
/** `torch.nn.functional.prelu`: x for x >= 0, weight * x below (one weight, or one per channel of dim 1). */
export const prelu = traceable('F.prelu', A.prelu);
/** `torch.nn.functional.softmax`: exp(x) / sum(exp(x)) along `dim`. */
export const softmax = traceable('F.softmax', A.softmax);
/** `torch.nn.functional.log_softmax`: x - logsumexp(x) along `dim`. */
export const logSoftmax = traceable('F.logSoftmax', A.logSoftmax);
/** `torch.nn.functional.max_pool1d` over input [N, C, L] or [C, L]; float or quantized. */
export const maxPool1d = traceable('F.maxPool1d', P.maxPool1d);
/** `torch.nn.functional.max_pool2d` over input [N, C, H, W] or [C, H, W]; float or quantized. */
export const maxPool2d = traceable('F.maxPool2d', P.maxPool2d);
/** `torch.nn.functional.max_pool3d` over input [N, C, D, H, W] or [C, D, H, W]. */
export const maxPool3d = traceable('F.maxPool3d', P.maxPool3d);
/** `torch.nn.functional.avg_pool1d` over input [N, C, L] or [C, L]. */
export const avgPool1d = traceable('F.avgPool1d', P.avgPool1d);
/** `torch.nn.functional.avg_pool2d` over input [N, C, H, W] or [C, H, W]; float or quantized. */
export const avgPool2d = traceable('F.avgPool2d', P.avgPool2d);
/** `torch.nn.functional.avg_pool3d` over input [N, C, D, H, W] or [C, D, H, W]; float or quantized. */
export const avgPool3d = traceable('F.avgPool3d', P.avgPool3d);
/** `torch.nn.functional.adaptive_avg_pool1d`: average pooling to a fixed output length. */
export const adaptiveAvgPool1d = traceable('F.adaptiveAvgPool1d', P.adaptiveAvgPool1d);
/** `torch.nn.functional.adaptive_avg_pool2d`: average pooling to a fixed [H, W]; float or quantized. */
export const adaptiveAvgPool2d = traceable('F.adaptiveAvgPool2d', P.adaptiveAvgPool2d);
/** `torch.nn.functional.adaptive_avg_pool3d`: average pooling to a fixed [D, H, W]; float or quantized. */
export const adaptiveAvgPool3d = traceable('F.adaptiveAvgPool3d', P.adaptiveAvgPool3d);
/** `torch.nn.functional.adaptive_max_pool1d`: max pooling to a fixed output length. */
export const adaptiveMaxPool1d = traceable('F.adaptiveMaxPool1d', P.adaptiveMaxPool1d);
/** `torch.nn.functional.adaptive_max_pool2d`: max pooling to a fixed [H, W]. */
export const adaptiveMaxPool2d = traceable('F.adaptiveMaxPool2d', P.adaptiveMaxPool2d);
/** `torch.nn.functional.adaptive_max_pool3d`: max pooling to a fixed [D, H, W]. */
export const adaptiveMaxPool3d = traceable('F.adaptiveMaxPool3d', P.adaptiveMaxPool3d);
/** `torch.nn.functional.interpolate`: resizes by `size` or `scaleFactor` (nearest, linear, bilinear, ...). */
export const interpolate = traceable('F.interpolate', U.interpolate);
/** `torch.nn.functional.upsample`: the deprecated alias of {@link interpolate}. */
export const upsample = traceable('F.upsample', U.upsample);
/** `torch.nn.functional.dropout`: zeroes elements with probability p and scales the rest by 1 / (1 - p) when training. */
export const dropout = traceable('F.dropout', D.dropout);
/** `torch.nn.functional.dropout1d`: zeroes whole channels of [N, C, L] input when training. */
export const dropout1d = traceable('F.dropout1d', D.dropout1d);
/** `torch.nn.functional.dropout2d`: zeroes whole channels of [N, C, H, W] input when training. */
export const dropout2d = traceable('F.dropout2d', D.dropout2d);
/** `torch.nn.functional.dropout3d`: zeroes whole channels of [N, C, D, H, W] input when training. */
export const dropout3d = traceable('F.dropout3d', D.dropout3d);
/** `torch.nn.functional.linear`: x @ weight^T + bias, weight [out, in]. */
export const linear = traceable('F.linear', L.linear);
/** `torch.nn.functional.bilinear`: x1^T A x2 + b, weight [out, in1, in2]. */
export const bilinear = traceable('F.bilinear', L.bilinear);
/** `torch.nn.functional.multi_head_attention_forward`: the math of MultiheadAttention. */
export const multiHeadAttentionForward = traceable('F.multiHeadAttentionForward', MHA.multiHeadAttentionForward);
/** `torch.nn.functional.conv1d`: input [N, C_in, L], weight [C_out, C_in / groups, k]. */
export const conv1d = traceable('F.conv1d', Q.conv1d);
/** `torch.nn.functional.conv2d`: input [N, C_in, H, W], weight [C_out, C_in / groups, kH, kW]. */
export const conv2d = traceable('F.conv2d', Q.conv2d);
/** `torch.nn.functional.conv3d`: input [N, C_in, D, H, W], weight [C_out, C_in / groups, kD, kH, kW]. */
export const conv3d = traceable('F.conv3d', Q.conv3d);
/** `torch.nn.functional.conv_transpose1d`: weight [C_in, C_out / groups, k]. */
export const convTranspose1d = traceable('F.convTranspose1d', Q.convTranspose1d);
/** `torch.nn.functional.conv_transpose2d`: weight [C_in, C_out / groups, kH, kW]. */
export const convTranspose2d = traceable('F.convTranspose2d', Q.convTranspose2d);
/** `torch.nn.functional.conv_transpose3d`: weight [C_in, C_out / groups, kD, kH, kW]. */
export const convTranspose3d = traceable('F.convTranspose3d', Q.convTranspose3d);
/** `torch.nn.functional.batch_norm`: normalizes over every dim but 1 (channels); updates running stats when training. */
export const batchNorm = traceable('F.batchNorm', Q.batchNorm);
/** `torch.nn.functional.instance_norm`: normalizes each channel of each sample separately. */
export const instanceNorm = traceable('F.instanceNorm', Q.instanceNorm);
/** `torch.nn.functional.layer_norm`: normalizes over the trailing `normalizedShape` dims. */
export const layerNorm = traceable('F.layerNorm', Q.layerNorm);
/** `torch.nn.functional.group_norm`: normalizes over groups of channels of each sample. */
export const groupNorm = traceable('F.groupNorm', Q.groupNorm);
/** `torch.nn.functional.embedding`: rows of `weight` [num, dim] at integer `input` indices. */
export const embedding = traceable('F.embedding', Q.embedding);
/** `torch.nn.functional.embedding_bag`: sums, means or maxes of embedding rows per bag. */
export const embeddingBag = traceable('F.embeddingBag', Q.embeddingBag);
/** `torch.nn.functional.pad`: pads trailing dims (constant, reflect, replicate or circular). */
export const pad = traceable('F.pad', Q.pad);
/** `torch.nn.functional.mse_loss`: (input - target)^2, reduced by `reduction` (default mean). */
export const mseLoss = traceable('F.mseLoss', Q.mseLoss);
/** `torch.nn.functional.l1_loss`: |input - target|, reduced by `reduction` (default mean). */
export const l1Loss = traceable('F.l1Loss', Q.l1Loss);
/** `torch.nn.functional.smooth_l1_loss`: quadratic below `beta`, linear above. */
export const smoothL1Loss = traceable('F.smoothL1Loss', Q.smoothL1Loss);
/** `torch.nn.functional.huber_loss`: quadratic below `delta`, linear above (scaled by delta). */
export const huberLoss = traceable('F.huberLoss', Q.huberLoss);
/** `torch.nn.functional.binary_cross_entropy` on probabilities in [0, 1] (log clamped at -100). */
export const binaryCrossEntropy = traceable('F.binaryCrossEntropy', Q.binaryCrossEntropy);
/** `torch.nn.functional.binary_cross_entropy_with_logits`: sigmoid + BCE, computed stably. */
export const binaryCrossEntropyWithLogits = traceable('F.binaryCrossEntropyWithLogits', Q.binaryCrossEntropyWithLogits);
/** `torch.nn.functional.cross_entropy`: log_softmax + nll_loss; class indices or probabilities as target. */
export const crossEntropy = traceable('F.crossEntropy', Q.crossEntropy);
/** `torch.nn.functional.nll_loss` on log-probabilities [N, C, ...] and class-index targets. */
export const nllLoss = traceable('F.nllLoss', Q.nllLoss);
