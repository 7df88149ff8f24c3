import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCases } from '../src/cases.js';
import { decodeVectors, encodeVectors } from '../src/format.js';
import { runAll } from '../src/run-addon.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const common = join(root, 'packages', 'kernels-common');
const cases = buildCases();

/** gyp-sources.py's targets for an architecture: name -> { flags, sources }. */
function gypTargets(arch: string): Map<string, { flags: string[]; sources: string[] }> {
  // node-gyp's interpreter: $PYTHON, else python3 (plain `python` on Windows)
  const python = process.env.PYTHON ?? (process.platform === 'win32' ? 'python' : 'python3');
  const out = execFileSync(python, [join(here, '..', 'gyp-sources.py'), join(common, 'kernels.gyp'), arch], { encoding: 'utf8' });
  return new Map(out.trim().split(/\r?\n/).map((line) => {
    const [name, flags, sources] = line.split('\t');
    return [name!, { flags: flags!.split(' ').filter(Boolean), sources: sources!.split(' ').filter(Boolean) }];
  }));
}

describe('kernels.gyp source lists (what the driver builds)', () => {
  it('every kernel source is in a library of x64 or arm64, per-ISA files only with their flags', () => {
    const x64 = gypTargets('x64'), arm64 = gypTargets('arm64');
    const listed = new Set([...x64.values(), ...arm64.values()].flatMap((t) => t.sources));
    const kernelSources = readdirSync(join(common, 'src')).filter((f) => f.endsWith('.cc') && !f.startsWith('napi_')).map((f) => `src/${f}`);
    expect(kernelSources.filter((s) => !listed.has(s))).toEqual([]);
    // baseline library: the shared flags only (no -m / -march), both architectures
    for (const t of [x64, arm64]) expect(t.get('qtorch_kernels')!.flags.filter((f) => f.startsWith('-m'))).toEqual([]);
    expect(x64.get('qtorch_kernels_avx2')!.flags).toEqual(expect.arrayContaining(['-mavx2', '-mfma', '-fwrapv', '-ffp-contract=off']));
    expect(arm64.get('qtorch_kernels')!.sources).toContain('src/kernels_neon.cc');
    expect(arm64.get('qtorch_kernels_neondot')!.flags).toContain('-march=armv8.2-a+dotprod');
    expect(arm64.get('qtorch_kernels_neoni8mm')!.flags).toContain('-march=armv8.2-a+dotprod+i8mm');
    expect([...arm64.keys()].filter((k) => k.includes('avx'))).toEqual([]);
    expect(x64.get('qtorch_kernels')!.sources.filter((s) => s.includes('neon'))).toEqual([]);
  });
});

describe('test vectors', () => {
  it('cover every op of the C++ API the addons call, both engines, both 8-bit types', () => {
    const ops = new Set(cases.map((c) => c.op));
    expect([...ops].sort()).toEqual(['add', 'conv2d', 'dequantize', 'minmax', 'qgemm_s32', 'qlinear', 'qlinear_dynamic', 'quantize', 'relu', 'rnn_gates', 'sgemm']);
    // every recurrent cell kind with gates of its own (relu has none), specials among the inputs
    const gates = cases.filter((c) => c.op === 'rnn_gates');
    expect(new Set(gates.map((c) => c.fields.cell![0]))).toEqual(new Set([0, 1, 2]));
    expect(gates.some((c) => Array.from(c.fields.ig!).some(Number.isNaN))).toBe(true);
    for (const op of ['qlinear', 'conv2d']) {
      const of = cases.filter((c) => c.op === op);
      expect(new Set(of.map((c) => c.fields.engine![0]))).toEqual(new Set([0, 1]));
      expect(new Set(of.map((c) => c.fields.x!.constructor.name))).toEqual(new Set(['Uint8Array', 'Int8Array']));
    }
    // depthwise, grouped, strided and 1x1 convolutions are among them
    const geometry = cases.filter((c) => c.op === 'conv2d').map((c) => ({ g: c.fields.groups![0]!, cin: c.fields.geometry![1]!, k: c.fields.geometry![4]! * c.fields.geometry![5]!, s: c.fields.geometry![6]! }));
    expect(geometry.some((g) => g.g === g.cin && g.g > 1)).toBe(true);
    expect(geometry.some((g) => g.g > 1 && g.g < g.cin)).toBe(true);
    expect(geometry.some((g) => g.k === 1 && g.s === 1)).toBe(true);
    expect(geometry.some((g) => g.k === 1 && g.s > 1)).toBe(true);
  });

  it('are deterministic (same bytes on every run)', () => {
    const again = encodeVectors(buildCases()), first = encodeVectors(cases);
    // Buffer.compare: a deep toEqual of megabytes is slow
    expect({ length: again.length, order: Buffer.compare(again, first) }).toEqual({ length: first.length, order: 0 });
  });
});

/** The built addon binary of a kernels package (prebuild, else the node-gyp build). */
function addonFile(pkg: string): string {
  const dirs = [join(root, 'packages', pkg, 'prebuilds', `${process.platform}-${process.arch}`), join(root, 'packages', pkg, 'build', 'Release')];
  for (const d of dirs) {
    const f = existsSync(d) && readdirSync(d).find((n) => n.endsWith('.node'));
    if (f) return join(d, f);
  }
  throw new Error(`no built addon for ${pkg} (build it first)`);
}

describe('the vectors through the built addons on this CPU (every ISA level it has)', () => {
  const require = createRequire(import.meta.url);
  for (const pkg of ['kernels-fbgemm', 'kernels-qnnpack']) {
    it(`${pkg}: every vector passes; a corrupted expectation fails`, () => {
      const addon = require(addonFile(pkg)) as Parameters<typeof runAll>[0];
      const lines: string[] = [];
      expect(runAll(addon, decodeVectors(encodeVectors(cases)), (l) => lines.push(l))).toBe(0);
      expect(lines.filter((l) => l.startsWith('ok'))).toHaveLength(lines.length);
      const broken = structuredClone(cases.filter((c) => c.op === 'qlinear' && c.fields.engine![0] === (pkg === 'kernels-fbgemm' ? 0 : 1)).slice(0, 1));
      (broken[0]!.fields.expect_y as Uint8Array)[0]! ^= 1;
      lines.length = 0;
      expect(runAll(addon, broken, (l) => lines.push(l))).toBeGreaterThan(0);
      expect(lines.join('\n')).toMatch(/FAIL \[scalar\] qlinear .*y\[0\]/);
    });
  }
});
