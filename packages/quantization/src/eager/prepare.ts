/**
 * `prepare` (post-training static) and `prepareQat`: attach observers to the modules that
 * have a qconfig, as PyTorch's eager `prepare` / `_add_observer_` / `prepare_qat`.
 */
import { type Module, type ModuleClass, Sequential, deepcopy, typeOf } from '@qtorch/nn';
import { QTorchValueError } from '@qtorch/qtensor';
import type { QConfig } from '../qconfig/qconfig.js';
import { activationIsMemoryless, countingObserver, insertActivationPostProcess } from './observe.js';
import { propagateQconfig_, qconfigOf } from './propagate.js';
import { checkWorkflowArgs, reportProblem } from './report.js';
import { DeQuantStub } from './stubs.js';
import {
  type ModuleMapping, getDefaultQatModuleMappings, getDefaultQconfigPropagationList, isDropout, isFloatFunctional,
  isFusedModule, specialActivationPostProcess,
} from './mappings.js';
import { convert } from './convert.js';

/** A custom module class that `prepare` swaps in through `fromFloat` (docs' custom module API). */
export interface ObservedCustomClass {
  /** Builds the observed module from a float one (a static method of the class). */
  fromFloat(m: Module): Module;
}

/** Options of `prepare`. */
export interface PrepareOptions {
  /** Work on the given model instead of a deep copy. */
  inplace?: boolean;
  /** Module classes whose outputs get observers (default: every class with a quantized counterpart). */
  allowList?: Set<ModuleClass>;
  /** Non-leaf module classes observed as a unit. */
  observerNonLeafModuleList?: Set<ModuleClass>;
  /** `floatToObservedCustomModuleClass`: float class -> observed custom class. */
  prepareCustomConfigDict?: { floatToObservedCustomModuleClass?: Map<ModuleClass, ObservedCustomClass> };
  /** Throw instead of warning when nothing would be quantized. */
  strict?: boolean;
}

/** What `prepare` did: the modules it observes and those it leaves in float. */
export interface PrepareSummary {
  /** Qualified names of the modules that got an output observer. */
  observed: string[];
  /** Qualified names of the modules left in float (no qconfig or no quantized counterpart). */
  leftFloat: string[];
}

const summaries = new WeakMap<Module, PrepareSummary>();

/** The summary of the last `prepare` of `model` (which modules get quantized, which stay float). */
export function prepareSummary(model: Module): PrepareSummary | undefined {
  return summaries.get(model);
}

function needsObservation(m: Module): boolean {
  return !!qconfigOf(m);
}

function observe(m: Module, special?: () => Module): void {
  if (!needsObservation(m) || m instanceof DeQuantStub) return;
  const qconfig = qconfigOf(m) as QConfig;
  const observer = (special ?? (qconfig.activation as () => Module))();
  insertActivationPostProcess(m, observer, special ? false : activationIsMemoryless(qconfig));
}

function addObserver_(
  module: Module, allow: Set<ModuleClass>, nonLeaf: Set<ModuleClass> | undefined,
  custom: Map<ModuleClass, ObservedCustomClass>,
): void {
  for (const [name, child] of module.namedChildren()) {
    const cls = typeOf(child);
    if (isDropout(child)) continue;
    if (isFloatFunctional(child)) {
      if (needsObservation(child)) child.registerModule('activation_post_process', countingObserver((qconfigOf(child)!.activation as () => Module)()));
    } else if (isFusedModule(child) || nonLeaf?.has(cls)) {
      observe(child);
    } else if (specialActivationPostProcess(child)) {
      observe(child, specialActivationPostProcess(child));
    } else if (needsObservation(child) && custom.has(cls)) {
      const observed = custom.get(cls)!.fromFloat(child);
      module.registerModule(name, observed);
      observe(observed);
    } else {
      addObserver_(child, allow, nonLeaf, custom);
    }
  }
  if (module.children().length === 0 && !(module instanceof Sequential) && allow.has(typeOf(module))) observe(module);
}

function summarize(model: Module): PrepareSummary {
  const observed: string[] = [];
  const leftFloat: string[] = [];
  for (const [name, m] of model.namedModules()) {
    if (name === '' || name.endsWith('activation_post_process') || name.includes('activation_post_process.')) continue;
    const realChildren = m.namedChildren().filter(([n]) => n !== 'activation_post_process');
    if (realChildren.length > 0 && !isFusedModule(m)) continue;
    if ((m as { activation_post_process?: unknown }).activation_post_process || (needsObservation(m) && isFloatFunctional(m))) observed.push(name);
    else if (!name.includes('.weight_fake_quant') && !name.endsWith('weight_fake_quant')) leftFloat.push(name);
  }
  return { observed, leftFloat };
}

/**
 * Prepares a float model for post-training static quantization: propagates qconfigs and
 * attaches observers. Run calibration data through the result, then `convert` it.
 * @example
 * model.qconfig = getDefaultQconfig('qnnpack');
 * const prepared = prepare(model.eval());
 * for (const x of calibration) prepared.call(x);
 * const quantized = convert(prepared);
 */
export function prepare<M extends Module>(model: M, options: PrepareOptions = {}): M {
  checkWorkflowArgs('prepare', model, options);
  const m = options.inplace ? model : deepcopy(model);
  propagateQconfig_(m);
  if (!m.modules().some((x) => needsObservation(x))) {
    reportProblem(
      'prepare',
      'None of the submodule got qconfig applied. Make sure you passed correct configuration through `qconfig_dict` or by assigning the `.qconfig` attribute directly on submodules',
      options.strict,
    );
  }
  addObserver_(
    m, options.allowList ?? getDefaultQconfigPropagationList(), options.observerNonLeafModuleList,
    options.prepareCustomConfigDict?.floatToObservedCustomModuleClass ?? new Map(),
  );
  summaries.set(m, summarize(m));
  return m;
}

/** Options of `prepareQat`. */
export interface PrepareQatOptions {
  /** float class -> QAT class (default: the QAT module mapping). */
  mapping?: ModuleMapping;
  /** Work on the given model instead of a deep copy (default false). */
  inplace?: boolean;
}

/**
 * Prepares a float model (in training mode) for quantization-aware training: swaps modules
 * for their QAT versions (fake-quantized weights) and attaches fake quantizers to outputs.
 */
export function prepareQat<M extends Module>(model: M, options: PrepareQatOptions = {}): M {
  checkWorkflowArgs('prepareQat', model, options);
  if (!model.training) throw new QTorchValueError('prepareQat(): prepare_qat only works on models in training mode; call model.train() first');
  const mapping = options.mapping ?? getDefaultQatModuleMappings();
  const m = options.inplace ? model : deepcopy(model);
  propagateQconfig_(m);
  convert(m, { mapping, inplace: true, removeQconfig: false, checkCalibration: false });
  prepare(m, { observerNonLeafModuleList: new Set(mapping.values()), inplace: true });
  return m;
}
