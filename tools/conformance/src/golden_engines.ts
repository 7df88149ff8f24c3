/**
 * Which golden case serves which qtorch engine. PyTorch 1.13's reference build had no fbgemm:
 * `@qnnpack` cases are qnnpack's, and `@onednn` cases show fbgemm's math (our 'fbgemm').
 * onednn refuses weights with a nonzero zero point and qint8 activations; fbgemm computes
 * them, so for those cases the fbgemm expectation is the `@qnnpack` twin's result (no bias in
 * those cases, and without a bias the engines agree bit for bit).
 */
import type { Engine } from '@qtorch/qtensor';
import { type GoldenCase, loadGolden } from '../../testing/src/index.js';

/** onednn-only restrictions: the engines agree on these cases, except onednn errors. */
export const ONEDNN_ONLY_ERRORS: readonly string[] = ['weight_zero_point_3', 'qint8_activation'];

/** The fixture suffix of an engine's cases. */
export function goldenSuffix(engine: Engine): string {
  return engine === 'qnnpack' ? '@qnnpack' : '@onednn';
}

/** The cases of `file` for `engine`, with `expected` swapped for onednn-only error cases. */
export function casesFor(file: string, engine: Engine): GoldenCase[] {
  const all = loadGolden(file).cases;
  const suffix = goldenSuffix(engine);
  const out: GoldenCase[] = [];
  for (const c of all) {
    if (!c.name.endsWith(suffix)) continue;
    const base = c.name.slice(0, -suffix.length);
    if (engine === 'fbgemm' && c.expected.error !== undefined && ONEDNN_ONLY_ERRORS.includes(base)) {
      const twin = all.find((k) => k.name === `${base}@qnnpack`);
      if (twin && twin.expected.error === undefined) {
        out.push({ ...c, expected: twin.expected });
        continue;
      }
    }
    out.push(c);
  }
  return out;
}
