/**
 * The workflow's answer to PyTorch's silent no-ops: problems found by prepare/convert are
 * reported as warnings naming the module, or thrown with `strict: true`.
 */
import { Module } from '@qtorch/nn';
import { QTorchTypeError, QTorchValueError, checkOptions, describeValue } from '@qtorch/qtensor';
import { warnUser } from '../observer/warn.js';

/**
 * Checks a workflow's arguments from plain-JS callers: `model` must be a Module and `options`
 * an options object (or undefined), so `prepare(null)` or `convert(model, true)` fail naming `op`.
 */
export function checkWorkflowArgs(op: string, model: unknown, options: object | undefined): void {
  if (!(model instanceof Module)) throw new QTorchTypeError(`${op}(): expected a Module, got ${describeValue(model)}`);
  checkOptions(options, op);
}

/** Warns (UserWarning) or, when `strict`, throws. */
export function reportProblem(op: string, message: string, strict: boolean | undefined): void {
  if (strict) throw new QTorchValueError(`${op}(): ${message}`);
  warnUser(`${op}(): ${message}`);
}
