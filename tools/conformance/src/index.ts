/**
 * @qtorch/conformance: the conformance suite of qtorch's quantized operators. `runConformance`
 * defines vitest suites that run every PyTorch 1.13 golden case of area E (ops/*.json) for
 * one engine, plus randomized comparisons against a float64 "dequantize -> float op ->
 * quantize" model. qtensor runs it against the TypeScript reference kernels; a native addon
 * registers its kernels and runs the same suite.
 */
import { describe, expect, it } from 'vitest';
import { type Engine, type Tensor, withEngine } from '@qtorch/qtensor';
import { expectQTensorEqual, expectTensorClose, goldenValues, type GoldenCase } from '../../testing/src/index.js';
import { casesFor } from './golden_engines.js';
import { GOLDEN_RUNNERS } from './golden_ops.js';
import { toleranceFor } from './tolerance.js';
import { defineRandomizedChecks } from './randomized.js';

export { casesFor, goldenSuffix, ONEDNN_ONLY_ERRORS } from './golden_engines.js';
export { GOLDEN_RUNNERS, type CaseRunner } from './golden_ops.js';
export { toleranceFor, type Tolerance } from './tolerance.js';

/** The area-E fixture files. */
export const GOLDEN_OP_FILES: readonly string[] = [
  'linear', 'linear_dynamic', 'conv1d', 'conv2d', 'conv3d', 'binary', 'activations', 'pooling',
  'interpolate', 'norms', 'embedding',
].map((f) => `ops/${f}.json`);

/** Options of `runConformance`. */
export interface ConformanceOptions {
  /** The engine whose kernels are checked. */
  engine: Engine;
  /** Prefix of the suite names (e.g. 'reference', 'native avx2'). */
  label: string;
  /** Fixture files to run (default: all of area E). */
  files?: readonly string[];
  /** Skip the randomized comparisons. */
  goldenOnly?: boolean;
}

/** Checks one case's result against its expectation (throws with a readable diff). */
export function checkGoldenCase(c: GoldenCase, run: () => Tensor): void {
  if (c.expected.error !== undefined) {
    expect(run, `${c.name}: PyTorch raised '${c.expected.error}'`).toThrow();
    return;
  }
  const y = run();
  // prepack cases record the packed table as `packed`
  const exp = c.expected.y ?? c.expected.packed;
  const tol = toleranceFor(c);
  if (tol.kind === 'quantized') {
    expectQTensorEqual(y, exp, { maxIntDiff: tol.maxIntDiff, label: c.name });
  } else {
    let atol = tol.atol;
    if (tol.relativeToMax) {
      let m = 0;
      for (const v of goldenValues(exp)) m = Math.max(m, Math.abs(v));
      atol = tol.atol * m + 1e-6;
    }
    expectTensorClose(y, exp, { atol, rtol: tol.rtol, label: c.name });
  }
}

/** Golden ops (fixture op names) that have no runner yet. */
export function uncoveredGoldenOps(engine: Engine = 'qnnpack'): string[] {
  const ops = new Set<string>();
  for (const f of GOLDEN_OP_FILES) for (const c of casesFor(f, engine)) if (!GOLDEN_RUNNERS[c.op]) ops.add(c.op);
  return [...ops];
}

/** Defines the vitest suites of the conformance run for one engine. */
export function runConformance(opts: ConformanceOptions): void {
  const { engine, label } = opts;
  for (const file of opts.files ?? GOLDEN_OP_FILES) {
    const cases = casesFor(file, engine).filter((c) => GOLDEN_RUNNERS[c.op]);
    if (cases.length === 0) continue;
    describe(`${label} [${engine}] golden ${file}`, () => {
      for (const c of cases) {
        it(c.name, () => withEngine(engine, () => checkGoldenCase(c, () => GOLDEN_RUNNERS[c.op]!(c))));
      }
    });
  }
  if (!opts.goldenOnly) defineRandomizedChecks(engine, label);
}
