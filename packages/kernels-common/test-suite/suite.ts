/**
 * The test suite both addons run (each passes its own package's API): loading and fallback,
 * every ISA bit-exact against the TS references, golden PyTorch linear cases for the addon's
 * engine, FP32 GEMM, and argument validation. Not published (outside package.json "files").
 */
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Isa, KernelsApi, LoadResult } from '../ts/index.js';
import { randomInts, refQGemm, refRequant, refSGemm } from './reference.js';

/** What a kernels package gives the suite. */
export interface AddonUnderTest {
  engine: 'fbgemm' | 'qnnpack';
  packageName: string;
  packageRoot: string;
  api: KernelsApi;
  nativeLoad: LoadResult;
  loadNative(root: string, env: NodeJS.ProcessEnv): LoadResult;
  listNativeOps(): string[];
}

/** This architecture's ISA levels, lowest first (cpu.h). */
const ISAS: Isa[] = process.arch === 'arm64' ? ['scalar', 'neon', 'neondot', 'neoni8mm'] : ['scalar', 'avx2', 'avx512', 'avx512vnni'];

/** ISA levels this CPU can run (each is tested). */
export function availableIsas(api: KernelsApi): Isa[] {
  return ISAS.slice(0, ISAS.indexOf(api.detectedIsa()) + 1);
}

/** Runs `fn` (which may set any thread count), then gives the pool back the count it had. */
export function restoringThreads<T>(api: Pick<KernelsApi, 'numThreads' | 'setNumThreads'>, fn: () => T): T {
  const prev = api.numThreads();
  try {
    return fn();
  } finally {
    api.setNumThreads(prev);
  }
}

/** Runs `fn` once per available ISA, restoring the detected level afterwards. */
export function forEachIsa(api: KernelsApi, fn: (isa: Isa) => void): void {
  try {
    for (const isa of availableIsas(api)) {
      api.setIsa(isa);
      fn(isa);
    }
  } finally {
    api.setIsa(api.detectedIsa());
  }
}

/** Loading: native, prebuild-only directory, disabled, missing binary; registration. */
export function describeLoading(t: AddonUnderTest): void {
  describe(`${t.packageName} loading`, () => {

    it('loads the native addon in the workspace and reports the detected ISA', () => {
      expect(t.nativeLoad.reason).toBeNull();
      const info = t.api.backendInfo();
      expect(info).toEqual({ engine: t.engine, native: true, isa: t.api.detectedIsa(), reason: null });
      expect(ISAS).toContain(info.isa);
    });

    it('registers its kernels into the qtensor registry on import', () => {
      expect(t.listNativeOps()).toEqual(expect.arrayContaining(['kernels::qgemm_s32', 'kernels::qlinear', 'kernels::qlinear_dynamic', 'kernels::sgemm']));
    });

    it('loads from a directory holding only package.json and prebuilds/ (what the tarball ships)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'qtorch-prebuild-'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: t.packageName, version: '0.0.0' }));
      const platformDir = `${process.platform}-${process.arch}`;
      const target = join(dir, 'prebuilds', platformDir);
      mkdirSync(target, { recursive: true });
      const shipped = join(t.packageRoot, 'prebuilds', platformDir);
      if (existsSync(shipped)) {
        for (const f of readdirSync(shipped)) copyFileSync(join(shipped, f), join(target, f));
      } else {
        // prebuildify's name for an N-API glibc build; the binary is the node-gyp one.
        const built = readdirSync(join(t.packageRoot, 'build', 'Release')).find((f) => f.endsWith('.node'))!;
        copyFileSync(join(t.packageRoot, 'build', 'Release', built), join(target, `${t.packageName.replace('/', '+')}.glibc.node`));
      }
      const r = t.loadNative(dir, {});
      rmSync(dir, { recursive: true, force: true });
      expect(r.reason).toBeNull();
      expect(r.binding!.engine).toBe(t.engine);
    });

    it('QTORCH_DISABLE_NATIVE=1 gives the fallback with a reason', () => {
      expect(t.loadNative(t.packageRoot, { QTORCH_DISABLE_NATIVE: '1' })).toEqual({ binding: null, reason: 'QTORCH_DISABLE_NATIVE=1' });
    });

    it('a missing binary gives the loader error as the reason', () => {
      const dir = mkdtempSync(join(tmpdir(), 'qtorch-empty-'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: t.packageName }));
      const r = t.loadNative(dir, {});
      rmSync(dir, { recursive: true, force: true });
      expect(r.binding).toBeNull();
      expect(r.reason).toMatch(/No native build was found/);
    });
  });
}

interface GemmCase { m: number; n: number; k: number; za: number; zw: number[]; a: number[]; w: number[] }

function gemmCase(m: number, n: number, k: number, seed: number, perChannel: boolean, extreme = false, za?: number, aRange: [number, number] = [0, 255]): GemmCase {
  const [lo, hi] = aRange;
  const a = extreme ? randomInts(m * k, 0, 1, seed).map((v) => (v ? hi : lo)) : randomInts(m * k, lo, hi, seed);
  const w = extreme ? randomInts(n * k, 0, 1, seed + 1).map((v) => (v ? 127 : -128)) : randomInts(n * k, -128, 127, seed + 1);
  const zw = perChannel ? randomInts(n, -128, 127, seed + 2) : [extreme ? 0 : randomInts(1, -128, 127, seed + 2)[0]!];
  return { m, n, k, za: za ?? (extreme ? 0 : randomInts(1, 0, 255, seed + 3)[0]!), zw, a, w };
}

/** Activations 0..127 except one 255 in the second row block's last K block: that A block alone is wide. */
function mixedRangeCase(): GemmCase {
  const c = gemmCase(150, 20, 1100, 47, true, false, 70, [0, 127]);
  c.a[149 * c.k + 1050] = 255;
  return c;
}

/**
 * Activations in the window lo..lo + 128 except about one value in `every`, set to 0 or 255
 * (outside it at either end): the AVX2 kernel packs such blocks clamped to the window and adds
 * the clamped-off parts back per value, when they are at most 1 / 64 of the block.
 */
function windowCase(m: number, n: number, k: number, seed: number, perChannel: boolean, za: number, lo: number, every: number): GemmCase {
  const c = gemmCase(m, n, k, seed, perChannel, false, za, [lo, lo + 128]);
  const pick = randomInts(m * k, 0, every - 1, seed + 7);
  c.a = c.a.map((v, i) => (pick[i] === 0 ? (i % 3 === 0 ? 0 : 255) : pick[i] === 1 && every > 2 ? (i % 2 ? lo : lo + 128) : v));
  c.w = c.w.map((v, i) => (i % 11 === 0 ? -128 : i % 13 === 0 ? 127 : v));
  return c;
}

/** INT8 GEMM and requantization, every ISA, against the references and the golden cases. */
export function describeQGemm(t: AddonUnderTest): void {
  const { api } = t;
  describe(`${t.packageName} INT8 GEMM`, () => {
    const cases: Array<[string, GemmCase]> = [
      ['1x1x1', gemmCase(1, 1, 1, 1, false)],
      ['odd 7x70x13 per-channel', gemmCase(7, 70, 13, 2, true)],
      ['odd 13x129x37 per-tensor', gemmCase(13, 129, 37, 3, false)],
      ['6x64x8 exact tile', gemmCase(6, 64, 8, 4, true)],
      ['5x3x4097 odd K > block', gemmCase(5, 3, 4097, 5, true)],
      ['K=4096 extremes 0/255 x -128/127', gemmCase(9, 67, 4096, 6, false, true)],
      ['K=4096 per-channel', gemmCase(3, 65, 4096, 7, true)],
      // The AVX2 kernel's paths (kernels_avx2.cc): rows <= 2 stream int8 B (1 and 2 rows), more
      // rows widen B per 16-column strip into 6-row tiles (remainders 3..5 as one tile, 1 and 2
      // as 4+3 / 4+4 with the last full tile: 7, 8, 13, 17 rows), A in blocks of 144 rows and K
      // in blocks of 512 (K % 4 != 0 in the last one), partial strips and panels.
      ['direct 1x200x1030 per-channel', gemmCase(1, 200, 1030, 21, true)],
      ['direct 2x130x515 per-tensor', gemmCase(2, 130, 515, 22, false)],
      ['tiles 17x70x531 per-channel (6+6+5 rows)', gemmCase(17, 70, 531, 23, true)],
      ['tiles 10x17x9 per-tensor (6+4 rows)', gemmCase(10, 17, 9, 24, false)],
      ['tiles 9x64x1027 (6+3 rows)', gemmCase(9, 64, 1027, 25, true)],
      ['151x33x600: two row blocks (144 + 7 rows)', gemmCase(151, 33, 600, 26, true)],
      ['40x1x7: one column', gemmCase(40, 1, 7, 27, true)],
      ['extremes 0/255 x -128/127, za = 255', gemmCase(8, 40, 1100, 28, false, true, 255)],
      ['extremes, direct rows, za = 255', gemmCase(2, 40, 1100, 29, false, true, 255)],
      ['extremes, za = 0, per-channel', gemmCase(7, 24, 2050, 30, true, true, 0)],
      // Activations within lo..lo + 128 take the AVX2 vpmaddubsw path (per A block of 144 rows x
      // 512 k): its tiles, direct rows and remainders, and the range ends against the weight
      // extremes (pair sums down to -32768); lo..lo + 129 must take the widening path.
      ['narrow 0..127 tiles 17x70x531 per-channel', gemmCase(17, 70, 531, 41, true, false, 64, [0, 127])],
      ['narrow 0..127 direct 1x200x1030', gemmCase(1, 200, 1030, 42, false, false, 64, [0, 127])],
      ['narrow 100..228 extremes, direct 2 rows, za = 255', gemmCase(2, 40, 1100, 43, false, true, 255, [100, 228])],
      ['narrow 127..255 extremes 13x33x600 (in place, 4+4+4+1 rows), za = 0', gemmCase(13, 33, 600, 44, true, true, 0, [127, 255])],
      ['narrow 7x70x531 (in place, 4+3 rows)', gemmCase(7, 70, 531, 48, true, false, 3, [0, 127])],
      ['narrow 10x70x531 (in place, 4+4+2 rows)', gemmCase(10, 70, 531, 49, false, false, 200, [60, 188])],
      ['narrow 30..157, two row blocks 151x33x600, za = lo', gemmCase(151, 33, 600, 45, true, false, 30, [30, 157])],
      ['span 0..129 extremes (widening path) 8x40x1100', gemmCase(8, 40, 1100, 46, false, true, 0, [0, 129])],
      ['narrow K blocks and row blocks mixed with wide ones 150x20x1100', mixedRangeCase()],
      // Full-range activations with few values outside a 129-value window (clamped + corrected)
      ['window 60..188, 1% outliers, 20x130x300 per-channel', windowCase(20, 130, 300, 61, true, 128, 60, 100)],
      ['window 0..128, 1% outliers, 150x144x1030 (row blocks, K blocks, K % 4), za = 255', windowCase(150, 144, 1030, 62, false, 255, 0, 100)],
      ['window 127..255, 0.5% outliers, 17x200x290 per-channel, za = 0 (one range: below the pool threshold)', windowCase(17, 200, 290, 63, true, 0, 127, 200)],
      ['window 90..218, 4% outliers (too many: widening path) 30x128x600', windowCase(30, 128, 600, 64, true, 100, 90, 25)],
    ];

    it('runs with new outputs poisoned (QTORCH_POISON_OUTPUTS, vitest.shared.ts): an unwritten element cannot pass as a zero', () => {
      expect(process.env.QTORCH_POISON_OUTPUTS).toBe('1');
      // K = 0: every sum is 0 because the kernel writes it, not because the memory came zeroed
      const packed = api.packWeights(new Int8Array(0), 5, 0, Int32Array.of(0));
      expect(Array.from(api.qgemmS32(new Uint8Array(0), 3, 0, packed))).toEqual(new Array(15).fill(0));
    });

    it('packWeights keeps the weights: unpack() gives the plain N x K back', () => {
      const c = gemmCase(3, 70, 13, 9, true);
      const p = api.packWeights(Int8Array.from(c.w), c.n, c.k, Int32Array.from(c.zw));
      expect([p.n, p.k]).toEqual([70, 13]);
      expect(Array.from(p.unpack())).toEqual(c.w);
      expect(Array.from(p.zeroPoints)).toEqual(c.zw);
    });

    for (const [name, c] of cases) {
      it(`qgemmS32 ${name}: every ISA bit-exact with the reference`, () => {
        const expected = refQGemm(c.a, c.w, c.m, c.n, c.k, c.za, c.zw);
        const packed = api.packWeights(Int8Array.from(c.w), c.n, c.k, Int32Array.from(c.zw));
        const a = Uint8Array.from(c.a);
        forEachIsa(api, (isa) => {
          const got = api.qgemmS32(a, c.m, c.za, packed);
          expect({ isa, equal: got.every((v, i) => v === expected[i]) }).toEqual({ isa, equal: true });
        });
      });
    }

    it('qgemmS32 with activation outliers on one thread (whole ranges: every strip corrected) and on 3', () => {
      restoringThreads(api, () => {
        for (const c of [windowCase(40, 300, 700, 65, true, 30, 40, 150), windowCase(145, 131, 520, 66, false, 200, 100, 80)]) {
          const expected = refQGemm(c.a, c.w, c.m, c.n, c.k, c.za, c.zw);
          const packed = api.packWeights(Int8Array.from(c.w), c.n, c.k, Int32Array.from(c.zw));
          for (const threads of [1, 3]) {
            api.setNumThreads(threads);
            const got = api.qgemmS32(Uint8Array.from(c.a), c.m, c.za, packed);
            expect({ threads, equal: got.every((v, i) => v === expected[i]) }).toEqual({ threads, equal: true });
          }
        }
      });
    });

    it('qgemmS32 split over panels and over rows: 1 and 2 threads give the reference integers', () => {
      // sizes above the pool's threshold: 5 panels (split by panels), 1 panel x 200 rows (by rows)
      const splits = [gemmCase(20, 300, 1100, 31, true), gemmCase(200, 50, 700, 32, false)];
      restoringThreads(api, () => {
        for (const c of splits) {
          const expected = refQGemm(c.a, c.w, c.m, c.n, c.k, c.za, c.zw);
          const packed = api.packWeights(Int8Array.from(c.w), c.n, c.k, Int32Array.from(c.zw));
          for (const threads of [1, 2]) {
            api.setNumThreads(threads);
            forEachIsa(api, (isa) => {
              const got = api.qgemmS32(Uint8Array.from(c.a), c.m, c.za, packed);
              expect({ isa, threads, equal: got.every((v, i) => v === expected[i]) }).toEqual({ isa, threads, equal: true });
            });
          }
        }
      });
    });

    it(`qlinear (${t.engine} numerics) and qlinearDynamic: every ISA equals the reference pipeline`, () => {
      const c = gemmCase(11, 70, 45, 11, true);
      const expectedAcc = refQGemm(c.a, c.w, c.m, c.n, c.k, c.za, c.zw);
      const weightScales = Float32Array.from(randomInts(c.n, 1, 100, 12).map((v) => v / 4000));
      const bias = Float32Array.from(randomInts(c.n, -500, 500, 13).map((v) => v / 100));
      const packed = api.packWeights(Int8Array.from(c.w), c.n, c.k, Int32Array.from(c.zw));
      for (const relu of [false, true]) {
        const o = { inputScale: 0.02, inputZeroPoint: c.za, weightScales, bias, outputScale: 0.35, outputZeroPoint: 100, relu };
        const expected = refRequant(expectedAcc, c.m, c.n, t.engine, { ...o, bias });
        forEachIsa(api, (isa) => {
          expect({ isa, y: Array.from(api.qlinear(Uint8Array.from(c.a), c.m, packed, o)) }).toEqual({ isa, y: Array.from(expected) });
        });
      }
      const dyn = api.qlinearDynamic(Uint8Array.from(c.a), c.m, packed, { inputScale: 0.02, inputZeroPoint: c.za, weightScales, bias });
      const f = Math.fround;
      for (let i = 0; i < c.m; i++)
        for (let j = 0; j < c.n; j++) {
          const s = f(f(0.02) * weightScales[j]!);
          expect(dyn[i * c.n + j]).toBe(f(f(f(expectedAcc[i * c.n + j]!) * s) + bias[j]!));
        }
    });

    it(`matches PyTorch 1.13 quantized::linear golden cases (${t.engine === 'fbgemm' ? 'onednn' : 'qnnpack'} numerics)`, () => {
      const file = new URL('../../../tools/golden/ops/linear.json', import.meta.url);
      const golden = JSON.parse(readFileSync(file, 'utf8')) as { cases: GoldenCase[] };
      const suffix = t.engine === 'fbgemm' ? '@onednn' : '@qnnpack';
      let checked = 0;
      for (const gc of golden.cases) {
        if (!gc.name.endsWith(suffix) || !gc.op.startsWith('quantized::linear') || gc.op.includes('dynamic')) continue;
        const { x, w, b } = gc.inputs;
        if (!gc.expected.y || x.dtype !== 'quint8') continue; // error cases; qint8 activations are not this kernel's
        const [m, k] = x.shape as [number, number];
        const n = w.shape[0]!;
        const perChannel = w.qscheme === 'per_channel_affine';
        const packed = api.packWeights(Int8Array.from(w.int_repr), n, k, Int32Array.from(perChannel ? w.zero_points! : [w.zero_point!]));
        forEachIsa(api, (isa) => {
          const y = api.qlinear(Uint8Array.from(x.int_repr), m, packed, {
            inputScale: x.scale!, inputZeroPoint: x.zero_point!,
            weightScales: Float32Array.from(perChannel ? w.scales! : [w.scale!]),
            bias: b ? Float32Array.from(b.data!) : null,
            outputScale: gc.args.out_scale, outputZeroPoint: gc.args.out_zero_point, relu: gc.op.endsWith('_relu'),
          });
          expect({ case: gc.name, isa, y: Array.from(y) }).toEqual({ case: gc.name, isa, y: gc.expected.y!.int_repr });
        });
        checked++;
      }
      expect(checked).toBeGreaterThan(20);
    });
  });
}

interface GoldenTensor { shape: number[]; dtype: string; qscheme?: string; int_repr: number[]; data?: number[]; scale?: number; zero_point?: number; scales?: number[]; zero_points?: number[] }
interface GoldenCase {
  name: string; op: string;
  args: { out_scale: number; out_zero_point: number };
  inputs: { x: GoldenTensor; w: GoldenTensor; b: GoldenTensor | null };
  expected: { y?: GoldenTensor };
}

/** FP32 GEMM against a float64 reference (summation order differs per ISA: tolerance). */
export function describeSGemm(t: AddonUnderTest): void {
  describe(`${t.packageName} FP32 GEMM`, () => {
    for (const [m, n, k] of [[1, 1, 1], [5, 7, 3], [9, 13, 37], [4, 3, 16], [17, 33, 300], [3, 20, 4100]] as const) {
      it(`sgemm ${m}x${n}x${k} every ISA within float32 tolerance`, () => {
        const a = Float32Array.from(randomInts(m * k, -1000, 1000, m + k).map((v) => v / 997));
        const b = Float32Array.from(randomInts(n * k, -1000, 1000, n * k).map((v) => v / 991));
        const bias = Float32Array.from(randomInts(n, -100, 100, n).map((v) => v / 10));
        const ref = refSGemm(a, b, m, n, k, bias);
        forEachIsa(t.api, (isa) => {
          const got = t.api.sgemm(a, m, k, b, n, { bias });
          let worst = 0;
          for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!) / (1 + Math.abs(ref[i]!)));
          expect({ isa, ok: worst < 1e-5 }).toEqual({ isa, ok: true });
        });
        expect(Array.from(t.api.sgemm(a, m, k, b, n)).map((v, i) => Math.abs(v + bias[i % n]! - ref[i]!) < 1e-3 * (1 + Math.abs(ref[i]!)))).not.toContain(false);
      });
    }
  });
}

/** Bad arguments throw TypeError / RangeError (validated in C++ before touching memory). */
export function describeBadArguments(t: AddonUnderTest): void {
  describe(`${t.packageName} argument validation`, () => {
    const b = () => t.nativeLoad.binding!;
    const packed = () => t.api.packWeights(new Int8Array(6), 2, 3, 0);
    const ws = Float32Array.of(0.1);
    it('PackedWeights: wrong types and sizes', () => {
      expect(() => new (b().PackedWeights)(new Uint8Array(6) as unknown as Int8Array, 2, 3, Int32Array.of(0))).toThrow(TypeError);
      expect(() => new (b().PackedWeights)(new Int8Array(5), 2, 3, Int32Array.of(0))).toThrow(RangeError);
      expect(() => new (b().PackedWeights)(new Int8Array(6), 2, 3, Int32Array.of(0, 0, 0))).toThrow(RangeError);
      expect(() => new (b().PackedWeights)(new Int8Array(6), 2, 3, Int32Array.of(200))).toThrow(RangeError);
      expect(() => new (b().PackedWeights)(new Int8Array(6), -2, -3, Int32Array.of(0))).toThrow(RangeError);
      expect(() => new (b().PackedWeights)(new Int8Array(6), 2.5, 3, Int32Array.of(0))).toThrow(RangeError);
      expect(() => new (b().PackedWeights)(new Int8Array(6), '2' as unknown as number, 3, Int32Array.of(0))).toThrow(TypeError);
      expect(() => new (b().PackedWeights)(new Int8Array(6), 1e6, 1e6, Int32Array.of(0))).toThrow(RangeError);
    });
    it('qgemmS32 / qlinear / qlinearDynamic: wrong types, lengths and values', () => {
      const p = packed();
      expect(() => b().qgemmS32(new Uint8Array(5), 2, 0, p)).toThrow(RangeError);
      expect(() => b().qgemmS32(new Int8Array(6) as unknown as Uint8Array, 2, 0, p)).toThrow(TypeError);
      expect(() => b().qgemmS32(new Uint8Array(6), 2, 256, p)).toThrow(RangeError);
      expect(() => b().qgemmS32(new Uint8Array(6), 2, 0, {} as never)).toThrow(TypeError);
      expect(() => b().qgemmS32(new Uint8Array(6), 2, 0, { n: 2, k: 3 } as never)).toThrow(TypeError);
      expect(() => b().qgemmS32(new Uint8Array(6), NaN, 0, p)).toThrow(RangeError);
      expect(() => (b().qgemmS32 as (...a: unknown[]) => unknown)()).toThrow(TypeError);
      const y = () => b().qlinear(new Uint8Array(6), 2, 0, p, 0.1, ws, null, 0.2, 0, false);
      expect(y()).toHaveLength(4);
      expect(() => b().qlinear(new Uint8Array(6), 2, 0, p, 0, ws, null, 0.2, 0, false)).toThrow(RangeError);
      expect(() => b().qlinear(new Uint8Array(6), 2, 0, p, 0.1, Float32Array.of(1, 2, 3), null, 0.2, 0, false)).toThrow(RangeError);
      expect(() => b().qlinear(new Uint8Array(6), 2, 0, p, 0.1, Float32Array.of(-1), null, 0.2, 0, false)).toThrow(RangeError);
      expect(() => b().qlinear(new Uint8Array(6), 2, 0, p, 0.1, ws, new Float32Array(3), 0.2, 0, false)).toThrow(RangeError);
      expect(() => b().qlinear(new Uint8Array(6), 2, 0, p, 0.1, ws, [1, 2] as never, 0.2, 0, false)).toThrow(TypeError);
      expect(() => b().qlinear(new Uint8Array(6), 2, 0, p, 0.1, ws, null, Infinity, 0, false)).toThrow(RangeError);
      expect(() => b().qlinear(new Uint8Array(6), 2, 0, p, 0.1, ws, null, 0.2, 300, false)).toThrow(RangeError);
      expect(() => b().qlinear(new Uint8Array(6), 2, 0, p, 0.1, ws, null, 0.2, 0, 1 as never)).toThrow(TypeError);
      expect(() => b().qlinearDynamic(new Uint8Array(6), 2, 0, p, 0.1, new Int32Array(1) as never, null)).toThrow(TypeError);
      // weight scales may be doubles (qtensor keeps them so) or floats
      expect(b().qlinearDynamic(new Uint8Array(6), 2, 0, p, 0.1, Float64Array.of(0.1), null)).toHaveLength(4);
    });
    it('sgemm: wrong types and lengths; a zero-sized product is fine', () => {
      expect(() => b().sgemm(new Float32Array(6), 2, 3, new Float32Array(5), 2, null)).toThrow(RangeError);
      expect(() => b().sgemm(new Float64Array(6) as never, 2, 3, new Float32Array(6), 2, null)).toThrow(TypeError);
      expect(() => b().sgemm(new Float32Array(6), 2, 3, new Float32Array(6), 2, new Float32Array(1))).toThrow(RangeError);
      expect(b().sgemm(new Float32Array(0), 0, 3, new Float32Array(6), 2, null)).toHaveLength(0);
      // K = 0: an empty sum, so C is the bias
      expect(Array.from(b().sgemm(new Float32Array(0), 2, 0, new Float32Array(0), 2, Float32Array.of(1.5, -2)))).toEqual([1.5, -2, 1.5, -2]);
    });
    it('setIsa: unknown names and levels above the CPU throw RangeError', () => {
      expect(() => t.api.setIsa('sse9' as Isa)).toThrow(RangeError);
      expect(() => t.api.setIsa(3 as unknown as Isa)).toThrow(TypeError);
      const above = ISAS[ISAS.indexOf(t.api.detectedIsa()) + 1];
      if (above) expect(() => t.api.setIsa(above)).toThrow(/this CPU supports up to/);
      // a level of the other architecture is refused, whatever the CPU has
      expect(() => t.api.setIsa(process.arch === 'arm64' ? 'avx2' : 'neon')).toThrow(/this CPU supports up to/);
      expect(t.api.setIsa(t.api.detectedIsa())).toBe(t.api.detectedIsa());
    });
    it('empty dimensions: K = 0 gives zero accumulators, M = 0 an empty result', () => {
      const p0 = t.api.packWeights(new Int8Array(0), 3, 0, Int32Array.of(1, 2, 3));
      expect(Array.from(t.api.qgemmS32(new Uint8Array(0), 2, 5, p0))).toEqual([0, 0, 0, 0, 0, 0]);
      expect(t.api.qgemmS32(new Uint8Array(0), 0, 5, packed())).toHaveLength(0);
    });
    it('typed-array views with an offset are read from their offset', () => {
      const buf = new Uint8Array(10);
      buf.set([1, 2, 3, 4, 5, 6], 4);
      const p = t.api.packWeights(Int8Array.of(1, 0, 0, 0, 1, 0), 2, 3, 0);
      expect(Array.from(t.api.qgemmS32(buf.subarray(4), 2, 0, p))).toEqual([1, 2, 4, 5]);
    });
  });
}
