/**
 * @qtorch/nn-intrinsic: fused modules (torch.ao.nn.intrinsic). This entry has the float fused
 * containers that module fusion produces (ConvReLU2d, ConvBnReLU2d, LinearReLU, ...) and the
 * batch-norm folding helpers (torch.nn.utils.fusion). QAT and quantized fused modules live in
 * `@qtorch/nn-intrinsic/qat`, `/quantized` and `/quantized/dynamic`.
 *
 * @example
 * ```ts
 * import { Conv2d, BatchNorm2d, ReLU } from '@qtorch/nn';
 * import { ConvBnReLU2d, fuseConvBnEval } from '@qtorch/nn-intrinsic';
 * const fused = new ConvBnReLU2d(new Conv2d(3, 4, 3), new BatchNorm2d(4), new ReLU());
 * ```
 */
export * from './fused.js';
export * from './fusion_math.js';
export * from './fusion.js';
