// The native addons against a naive reference and hostile arguments, in CI: scripts/native-smoke.mjs
// (the same script tools/scripts/sanitize-native.sh and valgrind-native.sh run under ASan/UBSan
// and valgrind) on each addon's normal build, in a child process so a crash in native code shows
// up as a failed test instead of taking the runner down.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, '..', 'scripts', 'native-smoke.mjs');
const packages = join(here, '..', '..', '..', 'packages');

describe('native addons: randomized differential and refused arguments', () => {
  for (const [pkg, seed] of [['kernels-fbgemm', 11], ['kernels-qnnpack', 12]] as const) {
    it(`${pkg}: 1,500 random GEMM shapes match the integer reference; every bad call throws`, () => {
      const r = spawnSync(process.execPath, [script, join(packages, pkg), '1500', String(seed)], { encoding: 'utf8', timeout: 60_000 });
      const line = r.stdout.split('\n').find((l) => l.startsWith('native-smoke')) ?? '';
      console.log(line);
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const m = /: (\d+) checks, (\d+) passed/.exec(line);
      expect(m, r.stdout + r.stderr).not.toBeNull();
      expect(Number(m![2])).toBe(Number(m![1]));
      expect(Number(m![1])).toBeGreaterThan(15_000);
    });
  }
});
