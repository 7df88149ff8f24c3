/**
 * The QAT and quantized fused module classes (`/qat`, `/quantized`, `/quantized/dynamic`) are
 * leaves of FX symbolic tracing, like torch.ao.nn.intrinsic's in torch.fx. The float fused
 * containers of the main entry (ConvReLU2d, LinearBn1d, ...) are Sequentials, which torch.fx
 * traces through, so they are not registered. Registered through qtensor's hook, so this
 * package does not depend on @qtorch/fx. The module files are imported directly (the index
 * files import this one).
 */
import { Module } from '@qtorch/nn';
import { type LeafModuleClass, registerLeafModuleClasses } from '@qtorch/qtensor';
import * as qatConv from './qat/conv_fused.js';
import * as qatLinearBn from './qat/linear_fused.js';
import * as qatLinearRelu from './qat/linear_relu.js';
import * as qBnRelu from './quantized/bn_relu.js';
import * as qConvRelu from './quantized/conv_relu.js';
import * as qdLinearRelu from './quantized/dynamic/linear_relu.js';
import * as qLinearRelu from './quantized/linear_relu.js';

/**
 * The module classes this package registers as FX tracing leaves (exported so that bundlers
 * keep the registration).
 */
export const fxLeafModules: readonly LeafModuleClass[] = registerLeafModuleClasses(
  [qatConv, qatLinearBn, qatLinearRelu, qLinearRelu, qConvRelu, qBnRelu, qdLinearRelu], Module,
);
