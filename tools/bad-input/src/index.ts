/**
 * @qtorch/bad-input: the reliability suite of issue #15 as data (cases) plus the helpers the
 * suite's tests use. Private: not published.
 */
export { type BadInputCase, type ErrorClass, type OpName, assertQTorchError, caught, group, returns, throws } from './case.js';
export { allCases } from './cases/index.js';
