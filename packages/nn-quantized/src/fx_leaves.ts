/**
 * The quantized module classes (static and dynamic) are leaves of FX symbolic tracing, like
 * torch.ao.nn.quantized's in torch.fx: a traced model records `call_module` for them instead
 * of tracing into quantized kernels. Registered through qtensor's hook, so this package does
 * not depend on @qtorch/fx. The leaf files are imported directly (not the index files, which
 * import this one).
 */
import { Module } from '@qtorch/nn';
import { type LeafModuleClass, registerLeafModuleClasses } from '@qtorch/qtensor';
import * as dynamicLinear from './dynamic/linear.js';
import * as dynamicRnn from './dynamic/rnn.js';
import * as modules from './modules/index.js';

/**
 * The module classes this package registers as FX tracing leaves (exported so that bundlers
 * keep the registration).
 */
export const fxLeafModules: readonly LeafModuleClass[] = registerLeafModuleClasses([modules, dynamicLinear, dynamicRnn], Module);
