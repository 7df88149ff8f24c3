/**
 * The tracer of FX graph mode quantization (PyTorch's `QuantizationTracer`): library modules,
 * skipped modules (non-traceable names / classes, standalone and custom modules) become
 * call_module leaves, and every node records the scope it was created in (the qualified name
 * and class of the module whose forward was running), which module-name qconfigs and the
 * names of quantization parameters use.
 */
import { type Module, type ModuleClass, typeOf } from '@qtorch/nn';
import { type Node, type Op, type Target, Tracer } from '@qtorch/fx';

/** Where a node was created: the running module's qualified name and class (null at the top). */
export type Scope = readonly [path: string, type: ModuleClass | null];

/** Node name -> scope, for a traced graph. */
export type NodeNameToScope = Map<string, Scope>;

/** Options of `QuantizationTracer`. */
export interface QuantizationTracerOptions {
  /** Qualified names of submodules kept as leaves (not traced through). */
  skippedModuleNames?: readonly string[];
  /** Module classes kept as leaves (not traced through). */
  skippedModuleClasses?: readonly ModuleClass[];
}

/**
 * The tracer of prepareFx (PyTorch's `QuantizationTracer`): a Tracer that keeps the skipped
 * (non-traceable) modules and observed custom modules as leaves, and records each node's module scope.
 */
export class QuantizationTracer extends Tracer {
  /** Scope of every call_function / call_method / call_module node created. */
  readonly nodeNameToScope: NodeNameToScope = new Map();
  private readonly skippedNames: Set<string>;
  private readonly skippedClasses: Set<ModuleClass>;
  private scope: Scope = ['', null];

  /** @param options - `skippedModuleNames` and `skippedModuleClasses`. */
  constructor(options: QuantizationTracerOptions = {}) {
    super();
    this.skippedNames = new Set(options.skippedModuleNames ?? []);
    this.skippedClasses = new Set(options.skippedModuleClasses ?? []);
  }

  override isLeafModule(m: Module, qualifiedName: string): boolean {
    return super.isLeafModule(m, qualifiedName) || this.skippedNames.has(qualifiedName) || this.skippedClasses.has(typeOf(m));
  }

  override callModule(m: Module, forward: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    const saved = this.scope;
    this.scope = [this.pathOfModule(m), typeOf(m)];
    try {
      return super.callModule(m, forward, args);
    } finally {
      this.scope = saved;
    }
  }

  override createNodeFromValues(op: Op, target: Target, args: readonly unknown[], kwargs: Record<string, unknown>): Node {
    const node = super.createNodeFromValues(op, target, args, kwargs);
    this.nodeNameToScope.set(node.name, this.scope);
    return node;
  }
}
