import { describe, expect, it } from 'vitest';
import { timeInterleaved, median } from '../src/harness.js';
import { formatTable } from '../src/report.js';
import { SUITES } from '../src/suites/index.js';

describe('bench harness smoke (one tiny case of each suite; correctness, not speed)', () => {
  it('median of even and odd sample counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  for (const suite of SUITES) {
    it(`suite ${suite.name} runs and reports`, () => {
      const groups = suite.groups({ quick: true });
      expect(groups.length).toBeGreaterThan(0);
      const results = timeInterleaved(groups[0]!, { warmup: 0, minRuns: 2, budgetMs: 0 });
      expect(results).toHaveLength(groups[0]!.length);
      for (const r of results) {
        expect(r.runs).toBeGreaterThanOrEqual(2);
        expect(r.medianMs).toBeGreaterThan(0);
      }
      expect(formatTable(results)).toContain(`## ${suite.name}`);
    });
  }
});
