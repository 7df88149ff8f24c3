/**
 * `convert` and `swapModule`: replace observed (or QAT) modules by their quantized
 * counterparts through a class mapping, as PyTorch's eager `convert`. Unlike PyTorch, the
 * usual silent failures are reported (uncalibrated observers, modules no mapping can swap,
 * quantized layers with no QuantStub in front, a model in which nothing was converted).
 */
import { Dropout, type Module, type ModuleClass, deepcopy, typeOf } from '@qtorch/nn';
import { QTorchValueError } from '@qtorch/qtensor';
import { isCountingObserver, observerCalls, observerForwardHook, observerForwardPreHook, removeActivationPostProcess } from './observe.js';
import { qconfigOf, removeQconfig_ } from './propagate.js';
import { checkWorkflowArgs, reportProblem } from './report.js';
import { DeQuantStub, QuantStub } from './stubs.js';
import { type ModuleMapping, getDefaultStaticQuantModuleMappings, isFusedModule, isObserverLike } from './mappings.js';

/** A class that can be built from an observed custom module (docs' custom module API). */
export interface QuantizedCustomClass {
  /** Builds the quantized module from an observed one (a static method of the class). */
  fromObserved(m: Module): Module;
}

/** Options of `convert`. */
export interface ConvertOptions {
  /** float/observed class -> quantized class (default: the static quantization mapping). */
  mapping?: ModuleMapping;
  /** Convert the given model instead of a deep copy. */
  inplace?: boolean;
  /** Delete the `qconfig` attributes afterwards (default true). */
  removeQconfig?: boolean;
  /** `observedToQuantizedCustomModuleClass`: observed custom class -> quantized custom class. */
  convertCustomConfigDict?: { observedToQuantizedCustomModuleClass?: Map<ModuleClass, QuantizedCustomClass> };
  /** Throw instead of warning on the problems listed in the module comment. */
  strict?: boolean;
  /** Check that observers saw data (default true; prepareQat's internal swap turns it off). */
  checkCalibration?: boolean;
}

/**
 * Swaps `mod` for its quantized counterpart when it has a qconfig and its class is mapped;
 * keeps the module's pre-hooks and its forward hooks other than the observer's.
 */
export function swapModule(mod: Module, mapping: ModuleMapping, custom: Map<ModuleClass, QuantizedCustomClass> = new Map()): Module {
  if (!qconfigOf(mod)) return mod;
  const cls = typeOf(mod);
  let swapped: Module | undefined;
  if (custom.has(cls)) swapped = custom.get(cls)!.fromObserved(mod);
  else if (mapping.has(cls)) swapped = (mapping.get(cls) as unknown as { fromFloat(m: Module): Module }).fromFloat(mod);
  if (!swapped) return mod;
  for (const hook of mod._forwardPreHooks.values()) if (hook !== observerForwardPreHook) swapped.registerForwardPreHook(hook);
  for (const hook of mod._forwardHooks.values()) if (hook !== observerForwardHook) swapped.registerForwardHook(hook);
  return swapped;
}

interface ConvertWalk {
  mapping: ModuleMapping;
  custom: Map<ModuleClass, QuantizedCustomClass>;
  /** Static conversion: swapped modules must carry an observer. */
  requireObserver: boolean;
  swappedNames: string[];
}

function convertChildren(module: Module, walk: ConvertWalk, prefix: string): void {
  const { mapping, custom, swappedNames } = walk;
  for (const [name, child] of module.namedChildren()) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (!isFusedModule(child) && !custom.has(typeOf(child))) convertChildren(child, walk, path);
    if (walk.requireObserver && !custom.has(typeOf(child))) checkObserved(child, path, mapping);
    const swapped = swapModule(child, mapping, custom);
    if (swapped !== child) {
      module.registerModule(name, swapped);
      swappedNames.push(path);
    }
  }
}

/** Classes whose quantized version needs no activation observer. */
const NEEDS_NO_OBSERVER: ReadonlySet<ModuleClass> = new Set<ModuleClass>([DeQuantStub, Dropout]);

/** A module about to be swapped by the static mapping must have been observed. */
function checkObserved(mod: Module, path: string, mapping: ModuleMapping): void {
  const cls = typeOf(mod);
  if (!qconfigOf(mod) || !mapping.has(cls) || NEEDS_NO_OBSERVER.has(cls)) return;
  const app = (mod as { activation_post_process?: Module }).activation_post_process;
  if (!app || !isObserverLike(app)) {
    throw new QTorchValueError(`convert(): '${path}' (${mod.constructor.name}) has a qconfig but no observer: call prepare(model) and run calibration data through it before convert`);
  }
}

function checkCalibrated(model: Module, strict: boolean | undefined): void {
  for (const [name, m] of model.namedModules()) {
    if (!name.endsWith('activation_post_process') || !isCountingObserver(m)) continue;
    if (observerCalls(m) === 0) {
      reportProblem('convert', `the observer '${name}' never saw data: run calibration inputs through the prepared model before convert (its qparams would be the defaults)`, strict);
    }
  }
}

/** Leaf modules with weights and a qconfig that no mapping swaps (not looking inside units swapped whole). */
function checkUnswapped(module: Module, mapping: ModuleMapping, strict: boolean | undefined, prefix = ''): void {
  for (const [name, m] of module.namedChildren()) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (isObserverLike(m) || (qconfigOf(m) && mapping.has(typeOf(m))) || isFusedModule(m)) continue;
    if (m.children().length > 0) {
      checkUnswapped(m, mapping, strict, path);
    } else if (qconfigOf(m) && m.parameters().length > 0) {
      reportProblem('convert', `'${path}' (${m.constructor.name}) has a qconfig but no quantized counterpart in the mapping: it stays float`, strict);
    }
  }
}

/**
 * Converts a prepared (calibrated) or QAT-trained model into a quantized one.
 * @example const quantized = convert(prepared);
 */
export function convert<M extends Module>(model: M, options: ConvertOptions = {}): M {
  checkWorkflowArgs('convert', model, options);
  const m = options.inplace ? model : deepcopy(model);
  const mapping = options.mapping ?? getDefaultStaticQuantModuleMappings();
  const custom = options.convertCustomConfigDict?.observedToQuantizedCustomModuleClass ?? new Map();
  const requireObserver = options.checkCalibration ?? true;
  if (requireObserver) checkCalibrated(m, options.strict);
  checkUnswapped(m, mapping, options.strict);
  const swapped: string[] = [];
  convertChildren(m, { mapping, custom, requireObserver, swappedNames: swapped }, '');
  if (options.checkCalibration ?? true) {
    if (swapped.length === 0) {
      reportProblem('convert', 'no module was converted: give modules a qconfig (model.qconfig = ...) and prepare the model first', options.strict);
    } else if (mapping.has(QuantStub) && !m.modules().some((x) => x instanceof (mapping.get(QuantStub) as unknown as new () => Module))) {
      reportProblem('convert', 'the model has quantized modules but no QuantStub: they will receive float tensors; add a QuantStub (or wrap the model in QuantWrapper)', options.strict);
    }
  }
  if (options.removeQconfig ?? true) {
    removeQconfig_(m);
    for (const x of m.modules()) {
      const app = (x as { activation_post_process?: Module }).activation_post_process;
      if (app && isObserverLike(app)) removeActivationPostProcess(x);
    }
  }
  return m;
}
