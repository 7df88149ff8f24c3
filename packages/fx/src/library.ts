/**
 * Library module classes: the module classes of a qtorch package are leaves of symbolic
 * tracing (like torch.nn's in torch.fx) and can be saved in a GraphModule file.
 * @qtorch/nn's classes are registered on first use of the tracer or the loader.
 */
import { registerLeafModuleClass } from '@qtorch/qtensor';
import * as nn from '@qtorch/nn';
import { Module, type ModuleClass } from '@qtorch/nn';
import { FxModule } from './fx_module.js';
import { isSerializableModule, registerSerializableModule } from './serialize/registry.js';
import { torch } from './torch.js';

/** Options of `registerLibraryModules`. */
export interface RegisterLibraryOptions {
  /** Classes to trace through rather than record (containers such as Sequential). */
  traceThrough?: readonly unknown[];
}

function isModuleClass(v: unknown): v is ModuleClass {
  return typeof v === 'function' && v.prototype instanceof Module;
}

/**
 * Registers every Module class exported by `namespace` (a package's `import * as ns`) as a
 * tracing leaf (except `traceThrough`) and as serializable under `${prefix}.${exportName}`.
 * Classes already registered for serialization keep their entry.
 *
 * @example registerLibraryModules(nnq, 'nnq'); // all quantized modules become leaves
 */
export function registerLibraryModules(namespace: object, prefix: string, options: RegisterLibraryOptions = {}): void {
  const through = new Set(options.traceThrough ?? []);
  for (const [name, value] of Object.entries(namespace)) {
    if (!isModuleClass(value)) continue;
    if (!through.has(value)) registerLeafModuleClass(value);
    if (!isSerializableModule(value)) registerSerializableModule(value, { name: `${prefix}.${name}` });
  }
}

let registered = false;

/**
 * Registers @qtorch/nn's module classes (once). Called by the tracer and the loader rather
 * than at import, so bundlers that drop side-effect-only code cannot skip it.
 */
export function ensureLibraryRegistered(): void {
  if (registered) return;
  registered = true;
  void torch; // keeps the `torch.*` op vocabulary registered when bundlers drop unused modules
  registerLibraryModules(nn, 'nn', { traceThrough: [nn.Sequential, nn.ModuleList, nn.ModuleDict] });
  registerSerializableModule(FxModule, { name: 'Module' });
}
