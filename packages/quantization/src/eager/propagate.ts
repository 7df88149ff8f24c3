/**
 * qconfig propagation (propagate_qconfig_): every module gets a `qconfig` attribute from, in
 * increasing priority, its parent, the dict entry for its class, the dict entry for its
 * dotted name, and a `qconfig` it already carries (`null` there opts a module out).
 */
import { type Module, type ModuleClass, typeOf } from '@qtorch/nn';
import { QTorchValueError } from '@qtorch/qtensor';
import { ModuleBase } from '../observer/module_base.js';
import type { QConfig } from '../qconfig/qconfig.js';

/** A qconfig per module class and/or per dotted module name (`''` is the whole model). */
export type QConfigDict = Map<ModuleClass | string, QConfig | null> | Record<string, QConfig | null>;

/** Reads `qconfigDict` for a class or a name. @internal */
export function lookupQconfig(dict: QConfigDict | undefined, key: ModuleClass | string): QConfig | null | undefined {
  if (!dict) return undefined;
  if (dict instanceof Map) return dict.get(key);
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : undefined;
}

/** A module's qconfig attribute, `undefined` when it has none. */
export function qconfigOf(m: Module): QConfig | null | undefined {
  return (m as { qconfig?: QConfig | null }).qconfig;
}

/** Rejects qconfigs holding observer instances instead of factories (a frequent mistake). */
export function assertValidQconfig(qconfig: QConfig | null | undefined, m: Module, name: string): void {
  if (!qconfig) return;
  for (const part of ['activation', 'weight'] as const) {
    if (qconfig[part] instanceof ModuleBase || typeof qconfig[part] !== 'function') {
      throw new QTorchValueError(
        `propagateQconfig_(): the qconfig of '${name || '<model>'}' holds an observer instance in '${part}'; a QConfig holds factories: use MyObserver.withArgs({...}) instead of new MyObserver({...})`,
      );
    }
  }
}

/** Options of `propagateQconfig_`. */
export interface PropagateOptions {
  /** Children named here (or of these classes) keep their own qconfig, and their subtrees are skipped. */
  nonTraceableModuleNames?: string[];
  /** Module classes that keep their own qconfig; their subtrees are skipped. */
  nonTraceableModuleClasses?: ModuleClass[];
}

/** Assigns `qconfig` to every module of `model` in place (see the module comment for priority). */
export function propagateQconfig_(model: Module, qconfigDict?: QConfigDict, options: PropagateOptions = {}): void {
  const visit = (m: Module, parent: QConfig | null | undefined, prefix: string) => {
    const byType = lookupQconfig(qconfigDict, typeOf(m));
    let q = byType !== undefined ? byType : parent;
    const byName = lookupQconfig(qconfigDict, prefix);
    if (byName !== undefined) q = byName;
    if (qconfigOf(m) !== undefined) q = qconfigOf(m);
    assertValidQconfig(q, m, prefix);
    (m as { qconfig?: QConfig | null }).qconfig = q ?? null;
    for (const [name, child] of m.namedChildren()) {
      const skip = options.nonTraceableModuleNames?.includes(name) || options.nonTraceableModuleClasses?.includes(typeOf(child));
      if (!skip) visit(child, q, prefix ? `${prefix}.${name}` : name);
    }
  };
  visit(model, undefined, '');
}

/** Removes the `qconfig` attribute from every module. */
export function removeQconfig_(model: Module): void {
  for (const m of model.modules()) delete (m as { qconfig?: unknown }).qconfig;
}
