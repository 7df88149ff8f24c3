/**
 * The QAT module classes are leaves of FX symbolic tracing, like torch.ao.nn.qat's in
 * torch.fx: a traced model records `call_module` for them instead of tracing into their fake
 * quantizers. Registered through qtensor's hook, so this package does not depend on
 * @qtorch/fx. The module files are imported directly (the index files import this one).
 */
import { Module } from '@qtorch/nn';
import { type LeafModuleClass, registerLeafModuleClasses } from '@qtorch/qtensor';
import * as conv from './conv.js';
import * as dynamicLinear from './dynamic/linear.js';
import * as embedding from './embedding.js';
import * as linear from './linear.js';

/**
 * The module classes this package registers as FX tracing leaves (exported so that bundlers
 * keep the registration).
 */
export const fxLeafModules: readonly LeafModuleClass[] = registerLeafModuleClasses([linear, conv, embedding, dynamicLinear], Module);
