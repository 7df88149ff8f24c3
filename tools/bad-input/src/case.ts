/**
 * A bad-input case: one call of a public entry point with one kind of bad input, and what it
 * must do: throw a given qtorch error class whose message names the op, or give a documented
 * result (asserted by a check). Checks use node:assert so the cases run under any runner.
 */
import assert from 'node:assert/strict';
import { QTorchError } from '@qtorch/qtensor';

/** An Error subclass the case expects (QTorchTypeError, QTorchValueError, ...). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

/** One case of the suite. */
export interface BadInputCase {
  /** The area: 'special floats', 'qparams', 'shapes', ... */
  readonly group: string;
  /** `entry point: what is wrong -> what is expected`. */
  readonly name: string;
  /** Runs the call and asserts the outcome (throws an AssertionError when qtorch misbehaves). */
  run(): void;
}

/** How a case names the op its error message must mention. */
export type OpName = string | RegExp;

/** The error `fn` throws, or an AssertionError when it returns. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected an error, but the call returned normally');
}

/** Asserts that `err` is a `cls` (and a QTorchError) whose message names `op`. */
export function assertQTorchError(err: unknown, cls: ErrorClass, op: OpName): void {
  if (!(err instanceof cls) || !(err instanceof QTorchError)) {
    const got = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
    assert.fail(`expected a ${cls.name} (QTorchError) but got ${got}`);
  }
  const message = err.message;
  if (typeof op === 'string') assert.ok(message.includes(op), `the message should name '${op}': ${message}`);
  else assert.match(message, op, `the message should name the op: ${message}`);
}

/** A case where `fn` must throw `cls` with a message naming `op`. */
export function throws(group: string, name: string, fn: () => unknown, cls: ErrorClass, op: OpName): BadInputCase {
  return { group, name, run: () => assertQTorchError(caught(fn), cls, op) };
}

/** A case with a documented result: `check` asserts on what `fn` returns. */
export function returns<T>(group: string, name: string, fn: () => T, check: (result: T) => void): BadInputCase {
  return { group, name, run: () => check(fn()) };
}

/** Builds cases of one group without repeating its name. */
export function group(name: string): {
  throws: (caseName: string, fn: () => unknown, cls: ErrorClass, op: OpName) => BadInputCase;
  returns: <T>(caseName: string, fn: () => T, check: (result: T) => void) => BadInputCase;
} {
  return {
    throws: (caseName, fn, cls, op) => throws(name, caseName, fn, cls, op),
    returns: (caseName, fn, check) => returns(name, caseName, fn, check),
  };
}
