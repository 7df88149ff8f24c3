/**
 * The workflow's answer to PyTorch's silent no-ops: problems found by prepare/convert are
 * reported as warnings naming the module, or thrown with `strict: true`.
 */
import { QTorchValueError } from '@qtorch/qtensor';
import { warnUser } from '../observer/warn.js';

/** Warns (UserWarning) or, when `strict`, throws. */
export function reportProblem(op: string, message: string, strict: boolean | undefined): void {
  if (strict) throw new QTorchValueError(`${op}(): ${message}`);
  warnUser(`${op}(): ${message}`);
}
