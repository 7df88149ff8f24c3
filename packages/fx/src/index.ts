/**
 * @qtorch/fx: symbolic tracing, Graph, GraphModule and code generation (torch.fx).
 *
 * @example
 * ```ts
 * import { symbolicTrace } from '@qtorch/fx';
 * const gm = symbolicTrace(model);
 * console.log(gm.code);
 * const y = gm.call(x);
 * ```
 */
export { TraceError } from './errors.js';
export { Node, mapArg, type Op, type Target, type Argument, type Kwargs, type ReplaceAllUsesOptions } from './node.js';
export { Graph, type PlaceholderOptions, type FindNodesOptions } from './graph.js';
export { GraphModule, type GraphModuleOptions } from './graph_module.js';
export { FxModule } from './fx_module.js';
export { Tracer, type TracerOptions, type TraceOptions } from './tracer.js';
export { symbolicTrace, type SymbolicTraceOptions } from './symbolic_trace.js';
export { isProxy } from './proxy.js';
export { registerLibraryModules, type RegisterLibraryOptions } from './library.js';
export { getattr, getitem } from './vocabulary.js';
export { registerSerializableModule, isSerializableModule, type ModuleSerializer } from './serialize/registry.js';
export { traceable, registerLeafModuleClass } from '@qtorch/qtensor';
export { torch, type TorchNamespace } from './torch.js';
export { Interpreter, Transformer, withKwargs, type InterpreterOptions, type RuntimeArgs, type RuntimeKwargs } from './interpreter.js';
export { ShapeProp, tensorMeta, type TensorMeta, type QParamsMeta } from './shape_prop.js';
export { replacePattern, type Match } from './rewriter.js';
export { saveGraphModule, loadGraphModule, GRAPH_MODULE_METADATA_KEY } from './serialize/save_load.js';
export { saveGraphModuleFile, loadGraphModuleFile } from './serialize/file.js';
