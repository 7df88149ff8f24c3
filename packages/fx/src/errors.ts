/** Errors of @qtorch/fx. */
import { QTorchError } from '@qtorch/qtensor';

/**
 * The model is not symbolically traceable at some point (torch.fx's TraceError): data
 * dependent control flow, reading a traced value's data, or an untraceable call.
 */
export class TraceError extends QTorchError {}

/** Suggestion appended to tracing errors. */
export const TRACE_HINT =
  'Make this code a leaf (pass its module class in Tracer `leafModules` or override `Tracer.isLeafModule`), ' +
  'or fix the value with `concreteArgs` in symbolicTrace().';
