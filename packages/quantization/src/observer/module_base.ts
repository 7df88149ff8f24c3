/** Observers and fake quantizers are Modules (registered as children, in state dicts, hooked). */
export { Module as ModuleBase } from '@qtorch/nn';
