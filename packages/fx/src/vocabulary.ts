/**
 * The op vocabulary: call_function targets are qualified names resolved through qtensor's
 * traceable-function table (`F.relu`, `torch.cat`, and the built-ins below). A graph loaded
 * from a file can only call names found here.
 */
import { QTorchValueError, traceable, traceableFunction } from '@qtorch/qtensor';
import { checkSafeAttr } from './names.js';
import type { AnyFn, Target } from './node.js';

/** `obj.name` (Python's builtin getattr; `x.shape` records as getattr). */
export const getattr = traceable('getattr', (obj: unknown, name: string): unknown => {
  checkSafeAttr(name, 'getattr()');
  return (obj as Record<string, unknown>)[name];
});

/** `obj[key]` (Python's operator.getitem; `shape[0]`, `chunks[1]`). */
export const getitem = traceable('getitem', (obj: unknown, key: number | string): unknown => {
  if (typeof key !== 'number') checkSafeAttr(key, 'getitem()');
  return (obj as Record<string | number, unknown>)[key];
});

/**
 * Fails when a GraphModule specialized on a concrete argument is called with another value
 * (torch.fx's `torch._assert` on concrete_args). `undefined` means the default was used.
 */
export const assertSpecialized = traceable('fx.assertSpecialized', (value: unknown, expected: unknown, name: string): void => {
  if (value !== undefined && !Object.is(value, expected)) {
    throw new QTorchValueError(
      `GraphModule.forward(): '${name}' was fixed to ${String(expected)} by concreteArgs when tracing, got ${String(value)}; trace again for this value`,
    );
  }
});

/** The function a call_function target names; unknown names are an error. */
export function resolveFunction(target: Target): AnyFn {
  if (typeof target === 'function') return target;
  const fn = traceableFunction(target);
  if (!fn) {
    throw new QTorchValueError(
      `call_function target '${target}' is not in the op vocabulary; make the function traceable with traceable('${target}', fn) (from @qtorch/qtensor) before building or loading the graph`,
    );
  }
  return fn;
}
