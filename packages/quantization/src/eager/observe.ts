/**
 * Attaching observers: the module's `activation_post_process` child observes its output
 * through a forward hook run first among the module's hooks (or its input, through a
 * pre-hook, for memoryless observers), as PyTorch's `_register_activation_post_process_hook`.
 * Each observer counts the calls it saw (an own attribute, so deep copies keep it), so
 * `convert` can tell an uncalibrated model.
 */
import type { Module, ForwardHook, ForwardPreHook } from '@qtorch/nn';
import type { QConfig } from '../qconfig/qconfig.js';

type Counted = Module & { _observedCalls?: number };

function countCall(observer: Module): void {
  const o = observer as Counted;
  o._observedCalls = (o._observedCalls ?? 0) + 1;
}

/** The forward hook that feeds a module's output to its activation_post_process. */
export const observerForwardHook: ForwardHook = (m, _inputs, output) => {
  const app = (m as { activation_post_process?: Module }).activation_post_process;
  if (!app) return undefined;
  return app.call(output);
};

/** The pre-hook variant: observes the module's first input (memoryless observers). */
export const observerForwardPreHook: ForwardPreHook = (m, inputs) => {
  const app = (m as { activation_post_process?: Module }).activation_post_process;
  if (!app) return undefined;
  app.call(inputs[0]);
  return undefined;
};

/** The observer's own pre-hook that counts its calls, however it is called (hooks, FloatFunctional). */
const countingHook: ForwardPreHook = (observer) => {
  countCall(observer);
  return undefined;
};

/** Makes `observer` count the calls it sees; returns it. */
export function countingObserver<M extends Module>(observer: M): M {
  observer.registerForwardPreHook(countingHook);
  return observer;
}

/** Whether `prepare` attached this observer (it counts its calls). */
export function isCountingObserver(observer: Module): boolean {
  return [...observer._forwardPreHooks.values()].includes(countingHook);
}

/** How many times an observer attached by `prepare` has been fed (0: never calibrated). */
export function observerCalls(observer: Module): number {
  return (observer as Counted)._observedCalls ?? 0;
}

/** Whether an observer keeps no state between calls (averaging constant 1). */
export function activationIsMemoryless(qconfig: QConfig): boolean {
  const act = qconfig.activation() as { averagingConstant?: number; averaging_constant?: number };
  return (act.averagingConstant ?? act.averaging_constant) === 1;
}

/** Attaches `observer` as `m.activation_post_process` with its hook placed first. */
export function insertActivationPostProcess(m: Module, observer: Module, memoryless: boolean): void {
  m.registerModule('activation_post_process', countingObserver(observer));
  if (memoryless) {
    const handle = m.registerForwardPreHook(observerForwardPreHook);
    moveFirst(m._forwardPreHooks, handle.id);
  } else {
    const handle = m.registerForwardHook(observerForwardHook);
    moveFirst(m._forwardHooks, handle.id);
  }
}

/** Reorders in place (hook handles keep pointing at this Map). */
function moveFirst<H>(hooks: Map<number, H>, id: number): void {
  const entries = [...hooks];
  hooks.clear();
  for (const [k, h] of entries) if (k === id) hooks.set(k, h);
  for (const [k, h] of entries) if (k !== id) hooks.set(k, h);
}

/** Removes a module's activation_post_process and the hooks that fed it. */
export function removeActivationPostProcess(m: Module): void {
  delete (m as { activation_post_process?: unknown }).activation_post_process;
  for (const [id, h] of m._forwardHooks) if (h === observerForwardHook) m._forwardHooks.delete(id);
  for (const [id, h] of m._forwardPreHooks) if (h === observerForwardPreHook) m._forwardPreHooks.delete(id);
}
