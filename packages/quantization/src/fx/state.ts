/**
 * What prepare records on an observed GraphModule for convert (PyTorch's
 * `_observed_graph_module_attrs`): the qconfig of every node, node scopes, the custom
 * config, which nodes were observed, and standalone-module input / output indexes.
 */
import type { Module } from '@qtorch/nn';
import type { QConfigAny, QConfigMapping } from '../qconfig/qconfig_mapping.js';
import type { BackendConfig } from './backend_config/backend_config.js';
import type { PrepareCustomConfig } from './custom_config.js';
import type { NodeNameToScope } from './tracer.js';

/** The state of an observed (prepared) GraphModule. Shared, not copied, by `deepcopy`. */
export class ObservedGraphModuleState {
  constructor(
    readonly nodeNameToQconfig: ReadonlyMap<string, QConfigAny>,
    readonly nodeNameToScope: NodeNameToScope,
    readonly prepareCustomConfig: PrepareCustomConfig,
    readonly qconfigMapping: QConfigMapping,
    readonly isQat: boolean,
    readonly observedNodeNames: ReadonlySet<string>,
    readonly backendConfig: BackendConfig,
    /** Set for a prepared standalone module: which of its inputs / outputs are quantized. */
    readonly standalone: { inputQuantizedIdxs: number[]; outputQuantizedIdxs: number[] } | null,
  ) {}
}

const KEY = '_observedGraphModuleAttrs';

/** Attaches `state` to a prepared module (non-enumerable: not a submodule, not saved). */
export function setObservedState(m: Module, state: ObservedGraphModuleState): void {
  Object.defineProperty(m, KEY, { value: state, enumerable: false, writable: true, configurable: true });
}

/** The prepare state of `m`, or undefined when `m` was not made by prepareFx. */
export function observedState(m: unknown): ObservedGraphModuleState | undefined {
  const s = (m as Record<string, unknown> | null)?.[KEY];
  return s instanceof ObservedGraphModuleState ? s : undefined;
}

/** Removes the prepare state (convert's output is not an observed module). */
export function clearObservedState(m: Module): void {
  delete (m as unknown as Record<string, unknown>)[KEY];
}
