/** `symbolicTrace`: trace a module or function into a GraphModule (torch.fx.symbolic_trace). */
import { Module, moduleName } from '@qtorch/nn';
import { GraphModule } from './graph_module.js';
import type { AnyFn } from './node.js';
import { type TraceOptions, Tracer, type TracerOptions } from './tracer.js';

/** Options of `symbolicTrace`. */
export interface SymbolicTraceOptions extends TraceOptions, TracerOptions {}

/**
 * Traces `root` (a Module or a function) with a `Tracer` and wraps the graph in a
 * GraphModule holding root's submodules and parameters.
 *
 * @example
 * ```ts
 * const gm = symbolicTrace(model);
 * console.log(gm.graph.toString(), gm.code);
 * const y = gm.call(x); // same result as model.call(x)
 * ```
 */
export function symbolicTrace(root: Module | AnyFn, options: SymbolicTraceOptions = {}): GraphModule {
  const tracer = new Tracer(options);
  const graph = tracer.trace(root, options);
  const className = root instanceof Module ? moduleName(root) : root.name || 'GraphModule';
  return new GraphModule(tracer.root, graph, { className, constants: tracer.tensorConstants });
}
