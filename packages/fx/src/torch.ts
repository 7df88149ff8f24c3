/**
 * `torch`: traceable versions of the qtensor top-level functions models call (`torch.cat`,
 * `torch.flatten`, `torch.add`, ...). Inside a model traced with symbolicTrace, call these
 * (or tensor methods) rather than qtensor's functions directly: a plain qtensor function
 * cannot see through a traced value. Each is in the op vocabulary as `'torch.<name>'`.
 *
 * @example
 * ```ts
 * import { torch } from '@qtorch/fx';
 * forward(x: Tensor, y: Tensor) { return torch.flatten(torch.cat([x, y], 1), 1); }
 * ```
 */
import * as Q from '@qtorch/qtensor';
import { traceable } from '@qtorch/qtensor';

const NAMES = [
  // arithmetic and comparison
  'add', 'sub', 'mul', 'div', 'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'pow', 'reciprocal', 'square',
  'maximum', 'minimum', 'floorDivide', 'remainder', 'clamp', 'clip', 'where', 'lerp', 'addcmul', 'addcdiv', 'round',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalNot', 'isnan', 'isfinite',
  // linear algebra
  'matmul', 'mm', 'bmm', 'addmm',
  // shape and layout
  'cat', 'stack', 'flatten', 'unflatten', 'reshape', 'view', 'squeeze', 'unsqueeze', 'permute', 'transpose', 't',
  'expand', 'expandAs', 'select', 'narrow', 'split', 'chunk', 'unbind', 'contiguous', 'clone', 'to',
  // reductions
  'sum', 'mean', 'prod', 'amax', 'amin', 'max', 'min', 'argmax', 'argmin', 'std', 'var', 'norm', 'logsumexp', 'cumsum',
  // activations under torch names
  'relu', 'sigmoid', 'tanh', 'softmax', 'logSoftmax',
  // creation from traced shapes
  'zerosLike', 'onesLike', 'fullLike', 'randLike', 'randnLike',
  // quantization
  'quantizePerTensor', 'quantizePerChannel', 'dequantize', 'fakeQuantizePerTensorAffine', 'fakeQuantizePerChannelAffine',
] as const;

/** The traceable functions, typed as qtensor's. */
export type TorchNamespace = { readonly [K in (typeof NAMES)[number]]: (typeof Q)[K] };

/** Traceable qtensor functions under their qtensor names (`torch.cat`, `torch.add`, ...). */
export const torch: TorchNamespace = Object.freeze(
  Object.fromEntries(NAMES.map((name) => [name, traceable(`torch.${name}`, Q[name] as (...args: unknown[]) => unknown)])),
) as TorchNamespace;
