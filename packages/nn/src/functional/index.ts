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

export const relu = traceable('F.relu', A.relu);
export const relu_ = traceable('F.relu_', A.relu_);
export const relu6 = traceable('F.relu6', A.relu6);
export const hardtanh = traceable('F.hardtanh', A.hardtanh);
export const hardtanh_ = traceable('F.hardtanh_', A.hardtanh_);
export const leakyRelu = traceable('F.leakyRelu', A.leakyRelu);
export const leakyRelu_ = traceable('F.leakyRelu_', A.leakyRelu_);
export const elu = traceable('F.elu', A.elu);
export const elu_ = traceable('F.elu_', A.elu_);
export const selu = traceable('F.selu', A.selu);
export const celu = traceable('F.celu', A.celu);
export const gelu = traceable('F.gelu', A.gelu);
export const silu = traceable('F.silu', A.silu);
export const mish = traceable('F.mish', A.mish);
export const hardsigmoid = traceable('F.hardsigmoid', A.hardsigmoid);
export const hardswish = traceable('F.hardswish', A.hardswish);
export const threshold = traceable('F.threshold', A.threshold);
export const sigmoid = traceable('F.sigmoid', A.sigmoid);
export const tanh = traceable('F.tanh', A.tanh);
export const logsigmoid = traceable('F.logsigmoid', A.logsigmoid);
export const softplus = traceable('F.softplus', A.softplus);
export const prelu = traceable('F.prelu', A.prelu);
export const softmax = traceable('F.softmax', A.softmax);
export const logSoftmax = traceable('F.logSoftmax', A.logSoftmax);
export const maxPool1d = traceable('F.maxPool1d', P.maxPool1d);
export const maxPool2d = traceable('F.maxPool2d', P.maxPool2d);
export const maxPool3d = traceable('F.maxPool3d', P.maxPool3d);
export const avgPool1d = traceable('F.avgPool1d', P.avgPool1d);
export const avgPool2d = traceable('F.avgPool2d', P.avgPool2d);
export const avgPool3d = traceable('F.avgPool3d', P.avgPool3d);
export const adaptiveAvgPool1d = traceable('F.adaptiveAvgPool1d', P.adaptiveAvgPool1d);
export const adaptiveAvgPool2d = traceable('F.adaptiveAvgPool2d', P.adaptiveAvgPool2d);
export const adaptiveAvgPool3d = traceable('F.adaptiveAvgPool3d', P.adaptiveAvgPool3d);
export const adaptiveMaxPool1d = traceable('F.adaptiveMaxPool1d', P.adaptiveMaxPool1d);
export const adaptiveMaxPool2d = traceable('F.adaptiveMaxPool2d', P.adaptiveMaxPool2d);
export const adaptiveMaxPool3d = traceable('F.adaptiveMaxPool3d', P.adaptiveMaxPool3d);
export const interpolate = traceable('F.interpolate', U.interpolate);
export const upsample = traceable('F.upsample', U.upsample);
export const dropout = traceable('F.dropout', D.dropout);
export const dropout1d = traceable('F.dropout1d', D.dropout1d);
export const dropout2d = traceable('F.dropout2d', D.dropout2d);
export const dropout3d = traceable('F.dropout3d', D.dropout3d);
export const linear = traceable('F.linear', L.linear);
export const bilinear = traceable('F.bilinear', L.bilinear);
export const multiHeadAttentionForward = traceable('F.multiHeadAttentionForward', MHA.multiHeadAttentionForward);
export const conv1d = traceable('F.conv1d', Q.conv1d);
export const conv2d = traceable('F.conv2d', Q.conv2d);
export const conv3d = traceable('F.conv3d', Q.conv3d);
export const convTranspose1d = traceable('F.convTranspose1d', Q.convTranspose1d);
export const convTranspose2d = traceable('F.convTranspose2d', Q.convTranspose2d);
export const convTranspose3d = traceable('F.convTranspose3d', Q.convTranspose3d);
export const batchNorm = traceable('F.batchNorm', Q.batchNorm);
export const instanceNorm = traceable('F.instanceNorm', Q.instanceNorm);
export const layerNorm = traceable('F.layerNorm', Q.layerNorm);
export const groupNorm = traceable('F.groupNorm', Q.groupNorm);
export const embedding = traceable('F.embedding', Q.embedding);
export const embeddingBag = traceable('F.embeddingBag', Q.embeddingBag);
export const pad = traceable('F.pad', Q.pad);
export const mseLoss = traceable('F.mseLoss', Q.mseLoss);
export const l1Loss = traceable('F.l1Loss', Q.l1Loss);
export const smoothL1Loss = traceable('F.smoothL1Loss', Q.smoothL1Loss);
export const huberLoss = traceable('F.huberLoss', Q.huberLoss);
export const binaryCrossEntropy = traceable('F.binaryCrossEntropy', Q.binaryCrossEntropy);
export const binaryCrossEntropyWithLogits = traceable('F.binaryCrossEntropyWithLogits', Q.binaryCrossEntropyWithLogits);
export const crossEntropy = traceable('F.crossEntropy', Q.crossEntropy);
export const nllLoss = traceable('F.nllLoss', Q.nllLoss);
