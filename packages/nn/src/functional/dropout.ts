/** Dropout under torch.nn.functional names; outside training any input (quantized too) passes through. */
import * as Q from '@qtorch/qtensor';
import type { Tensor } from '@qtorch/qtensor';

type DropoutFn = (x: Tensor, opts?: Q.DropoutOptions) => Tensor;

// PyTorch returns the input untouched when not training, so eval-mode dropout accepts quantized tensors
const passThroughWhenEval = (fn: DropoutFn): DropoutFn => (x, opts = {}) => (opts.training === false ? x : fn(x, opts));

/** Zeroes elements with probability `p` (default 0.5) and scales the rest by 1 / (1 - p). */
export const dropout = passThroughWhenEval(Q.dropout);
/** Zeroes whole channels of (N, C, L) input. */
export const dropout1d = passThroughWhenEval(Q.dropout1d);
/** Zeroes whole channels of (N, C, H, W) input. */
export const dropout2d = passThroughWhenEval(Q.dropout2d);
/** Zeroes whole channels of (N, C, D, H, W) input. */
export const dropout3d = passThroughWhenEval(Q.dropout3d);
