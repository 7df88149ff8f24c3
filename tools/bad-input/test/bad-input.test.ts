// The bad-input suite (issue #15): every case from src/cases is one test; the run ends with the
// line "bad-input: N cases, N passed" that CI reads.
import { afterAll, describe, it } from 'vitest';
import { allCases } from '../src/index.js';
import { enumeratedFunctionCount } from '../src/cases/enumerated.js';

const cases = allCases();
let passed = 0;

const byGroup = new Map<string, typeof cases>();
for (const c of cases) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);

for (const [name, list] of byGroup) {
  describe(name, () => {
    for (const c of list) {
      it(c.name, () => {
        c.run();
        passed++;
      });
    }
  });
}

afterAll(() => {
  console.log(`bad-input: ${cases.length} cases, ${passed} passed`);
  console.log(`bad-input: ${enumeratedFunctionCount()} exported functions enumerated, ${byGroup.size} groups`);
});
