/**
 * Resolving a QConfigMapping on a traced graph (torch.ao.quantization.fx.qconfig_mapping_utils):
 * the qconfig of every node by PyTorch 1.13's precedence (global < object type < module name
 * regex < module name < module name + object type + call index), the qconfigs of fused and QAT
 * module classes, and the eager-style `qconfig` attributes of modules.
 */
import { type ModuleClass, typeOf } from '@qtorch/nn';
import * as nni from '@qtorch/nn-intrinsic';
import type { Graph, GraphModule, Node } from '@qtorch/fx';
import { QTorchValueError } from '@qtorch/qtensor';
import { getDefaultQatModuleMappings } from '../eager/mappings.js';
import { type QConfigDict, propagateQconfig_ } from '../eager/propagate.js';
import { type ObjectTypeKey, type QConfigAny, type QConfigMapping, objectTypeName } from '../qconfig/qconfig_mapping.js';
import type { Factory } from '../observer/base.js';
import { type ModuleMap, moduleMap, opKeyOf } from './match.js';
import type { NodeNameToScope, Scope } from './tracer.js';
import { getOrInit, isActivationPostProcess, parentName } from './utils.js';

const TOP: Scope = ['', null];

/** Python's `re.match`: the regex must match at the start of the name. */
function matchesAtStart(regex: string, name: string): boolean {
  return new RegExp(`^(?:${regex})`).test(name);
}

function objectTypeQconfig(m: QConfigMapping, t: ObjectTypeKey | null, fallback: QConfigAny): QConfigAny {
  return t !== null && m.objectTypeQconfigs.has(t) ? m.objectTypeQconfigs.get(t)! : fallback;
}

function moduleNameRegexQconfig(m: QConfigMapping, name: string, fallback: QConfigAny): QConfigAny {
  for (const [re, q] of m.moduleNameRegexQconfigs) if (matchesAtStart(re, name)) return q;
  return fallback;
}

/** The qconfig of `name` or of its closest configured ancestor. */
function moduleNameQconfig(m: QConfigMapping, name: string, fallback: QConfigAny): QConfigAny {
  for (let n = name; n !== ''; n = parentName(n)[0]) if (m.moduleNameQconfigs.has(n)) return m.moduleNameQconfigs.get(n)!;
  return fallback;
}

/** Object type, then module name regex, then module name (PyTorch's `maybe_adjust_qconfig_for_module_type_or_name`). */
function forModuleTypeOrName(m: QConfigMapping, t: ObjectTypeKey | null, name: string, fallback: QConfigAny): QConfigAny {
  return moduleNameQconfig(m, name, moduleNameRegexQconfig(m, name, objectTypeQconfig(m, t, fallback)));
}

function forModuleNameObjectTypeOrder(m: QConfigMapping, path: string, t: ObjectTypeKey | null, index: number, fallback: QConfigAny): QConfigAny {
  const e = m.moduleNameObjectTypeOrderQconfigs.find((x) => x.moduleName === path && x.objectType === t && x.index === index);
  return e ? e.qconfig : fallback;
}

/**
 * The qconfig of every node (PyTorch's `generate_node_name_to_qconfig`); call_module nodes'
 * modules also get it as their `qconfig` attribute (regexes are not seen by eager propagation).
 */
export function generateNodeNameToQconfig(modules: ModuleMap, graph: Graph, mapping: QConfigMapping, scopes: NodeNameToScope): Map<string, QConfigAny> {
  const global = mapping.globalQconfig;
  const out = new Map<string, QConfigAny>();
  // per submodule, how many calls of each object type were seen so far
  const seen = new Map<string, Map<ObjectTypeKey | null, number>>();
  const nextIndex = (path: string, t: ObjectTypeKey | null) => {
    const counts = getOrInit(seen, path, () => new Map());
    const i = counts.get(t) ?? 0;
    counts.set(t, i + 1);
    return i;
  };
  for (const node of graph.nodes) {
    let q: QConfigAny = null;
    const [path, scopeType] = scopes.get(node.name) ?? TOP;
    const scopeKey = scopeType as ModuleClass | null;
    if (node.op === 'get_attr') {
      const [owner] = parentName(node.target as string);
      const m = modules.get(owner);
      q = forModuleTypeOrName(mapping, m ? typeOf(m) : null, owner, global);
    } else if (node.op === 'call_function') {
      const t = opKeyOf(node, modules);
      q = forModuleTypeOrName(mapping, scopeKey, path, objectTypeQconfig(mapping, t, global));
      q = forModuleNameObjectTypeOrder(mapping, path, t, nextIndex(path, t), q);
    } else if (node.op === 'call_method') {
      // the method's own config, else the config of the module it runs in
      q = forModuleTypeOrName(mapping, node.target as string, path, global);
      q = forModuleTypeOrName(mapping, scopeKey, path, q);
    } else if (node.op === 'call_module') {
      const m = modules.get(node.target as string)!;
      if (isActivationPostProcess(m)) continue;
      q = forModuleTypeOrName(mapping, typeOf(m), node.target as string, global);
      // calls are counted in the parent module
      const [parent] = parentName(path);
      q = forModuleNameObjectTypeOrder(mapping, parent, typeOf(m), nextIndex(parent, typeOf(m)), q);
      (m as { qconfig?: QConfigAny }).qconfig = q;
    }
    out.set(node.name, q);
  }
  return out;
}

function sameFactory(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const fa = a as Factory, fb = b as Factory;
  if (typeof fa !== 'function' || typeof fb !== 'function' || !('cls' in fa) || !('cls' in fb) || fa.cls !== fb.cls) return false;
  const ka = Object.keys(fa.args), kb = Object.keys(fb.args);
  return ka.length === kb.length && ka.every((k) => (Object.is(fa.args[k], fb.args[k]) || sameFactory(fa.args[k], fb.args[k])));
}

/** Whether two qconfigs build the same observers (PyTorch's `qconfig_equals`). */
export function qconfigEquals(a: QConfigAny, b: QConfigAny): boolean {
  if (a === null || b === null) return a === b;
  return sameFactory(a.activation, b.activation) && sameFactory(a.weight, b.weight);
}

/**
 * Gives fused module classes (ConvReLU2d, ...) the object-type qconfig of their parts, which
 * must agree (PyTorch's `update_qconfig_for_fusion`).
 */
export function updateQconfigForFusion(gm: GraphModule, mapping: QConfigMapping): void {
  const types = mapping.objectTypeQconfigs;
  if (types.size === 0) return;
  const modules = moduleMap(gm);
  for (const node of gm.graph.nodes) {
    if (node.op !== 'call_module') continue;
    const fused = modules.get(node.target as string);
    if (!(fused instanceof nni._FusedModule)) continue;
    const ops = fused.children();
    const q = types.get(typeOf(ops[0]!));
    for (const op of ops.slice(1)) {
      if (!qconfigEquals(types.get(typeOf(op)) ?? null, q ?? null)) {
        throw new QTorchValueError(
          `prepareFx(): during fusion the qconfigs of all module types in ${objectTypeName(typeOf(fused))} must be the same; offending type: ${objectTypeName(typeOf(op))}`,
        );
      }
    }
    if (q !== undefined) types.set(typeOf(fused), q);
  }
}

/** Gives QAT module classes the object-type qconfig of their float classes (PyTorch's `update_qconfig_for_qat`). */
export function updateQconfigForQat(mapping: QConfigMapping): void {
  const qat = getDefaultQatModuleMappings();
  for (const [k, q] of [...mapping.objectTypeQconfigs]) {
    const target = typeof k === 'string' ? undefined : qat.get(k);
    if (target) mapping.objectTypeQconfigs.set(target, q);
  }
}

/**
 * Sets eager-style `qconfig` attributes on every module (global, module classes and names),
 * which QAT swapping and custom / standalone modules read.
 */
export function propagateQconfigAttributes(gm: GraphModule, mapping: QConfigMapping, skip: { names: string[]; classes: ModuleClass[] }): void {
  const dict: QConfigDict = new Map<ModuleClass | string, NonNullable<QConfigAny> | null>([['', mapping.globalQconfig]]);
  for (const [k, q] of mapping.objectTypeQconfigs) if (typeof k !== 'string') dict.set(k, q);
  for (const [k, q] of mapping.moduleNameQconfigs) dict.set(k, q);
  propagateQconfig_(gm, dict as never, { nonTraceableModuleNames: skip.names, nonTraceableModuleClasses: skip.classes });
}

/** The qconfig a node was prepared with (null when it was not configured). */
export function nodeQconfig(map: ReadonlyMap<string, QConfigAny>, node: Node): QConfigAny {
  return map.get(node.name) ?? null;
}
