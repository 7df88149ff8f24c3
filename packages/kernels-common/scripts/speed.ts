/**
 * Quick speed check of an addon's native quantized ops against qtensor's TypeScript reference
 * (not a unit test, no assertions). Run for one addon with scripts/speed.sh:
 *
 *   packages/kernels-common/scripts/speed.sh fbgemm     # or qnnpack
 *
 * It bundles this file with esbuild (qtensor and the addon from source) next to the addon, so
 * the addon finds its binary, and prints median times, throughput and native/reference ratios.
 */
import * as Q from '@qtorch/qtensor';
import type { Tensor } from '@qtorch/qtensor';
import * as addon from 'qtorch-addon';

const engine = addon.ENGINE;

/** Fastest of `reps` runs in milliseconds, after one warm-up (the minimum: other processes on the machine only add time). */
function time(fn: () => unknown, reps: number): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

function bothWays(fn: () => unknown, nativeReps: number, refReps: number): { native: number; reference: number } {
  Q.setNativeEnabled(true);
  const native = time(fn, nativeReps);
  Q.setNativeEnabled(false);
  const reference = time(fn, refReps);
  Q.setNativeEnabled(true);
  return { native, reference };
}

let seed = 7;
const rnd = (lo: number, hi: number): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return lo + (seed % (hi - lo + 1));
};
const ints = (n: number, lo: number, hi: number): Int32Array => Int32Array.from({ length: n }, () => rnd(lo, hi));

function weight(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const w = new Q.Tensor(Int8Array.from(ints(n, -128, 127)), Q.qint8, shape);
  // fbgemm's default: per-channel symmetric weights
  w.quantizer = { qscheme: 'per_channel_affine', scales: Float64Array.from({ length: shape[0]! }, () => 0.001 + rnd(0, 1000) / 1e5), zeroPoints: new Float64Array(shape[0]!), axis: 0 };
  return w;
}

const rows: string[][] = [['case', 'native ms', 'reference ms', 'speed-up', 'native throughput']];
function report(name: string, r: { native: number; reference: number }, work: number, unit: string): void {
  rows.push([name, r.native.toFixed(3), r.reference.toFixed(1), `${(r.reference / r.native).toFixed(0)}x`, `${(work / r.native / 1e6).toFixed(1)} ${unit}`]);
}

const threads = addon.numThreads();
addon.setNumThreads(1);  // one thread unless a row says otherwise
console.log(`engine ${engine}, ISA ${addon.backendInfo().isa}, node ${process.version}, 1 thread (pool default ${threads})`);
Q.withEngine(engine, () => {
  {
    const [m, k, n] = [128, 1024, 1024];
    const x = Q.makeQTensor([m, k], Q.quint8, 0.02, 64, ints(m * k, 0, 255));
    const packed = Q.linearPrepack(weight([n, k]), Q.Tensor.fromTypedArray(new Float32Array(n).fill(0.25), [n]), engine);
    report('linear 128x1024x1024', bothWays(() => Q.quantizedLinear(x, packed, 0.5, 70), 20, 2), 2 * m * k * n, 'GOP/s');
    addon.setNumThreads(2);
    const two = time(() => Q.quantizedLinear(x, packed, 0.5, 70), 20);
    addon.setNumThreads(1);
    report('  the same, 2 threads', { native: two, reference: NaN }, 2 * m * k * n, 'GOP/s');
    const x1 = Q.makeQTensor([1, k], Q.quint8, 0.02, 64, ints(k, 0, 255));
    report('linear 1x1024x1024', bothWays(() => Q.quantizedLinear(x1, packed, 0.5, 70), 200, 5), 2 * k * n, 'GOP/s');
    const xf = Q.dequantize(x);
    report('dynamic linear 128x1024x1024', bothWays(() => Q.quantizedLinearDynamic(xf, packed, { reduceRange: true }), 20, 2), 2 * m * k * n, 'GOP/s');
  }
  for (const [name, c, co, g, k, h] of [
    ['conv 3x3 64ch 56x56', 64, 64, 1, 3, 56], ['conv 1x1 256ch 56x56', 256, 256, 1, 1, 56], ['depthwise 3x3 144ch 56x56', 144, 144, 144, 3, 56],
  ] as const) {
    const x = Q.makeQTensor([1, c, h, h], Q.quint8, 0.02, 64, ints(c * h * h, 0, 255));
    const packed = Q.convPrepack(weight([co, c / g, k, k]), null, { padding: (k - 1) / 2, groups: g }, engine);
    report(name, bothWays(() => Q.quantizedConv2d(x, packed, 0.5, 70), 20, 1), (2 * co * (c / g) * k * k * h * h), 'GOP/s');
  }
  {
    const n = 16 * 1024 * 1024;
    const xf = Q.Tensor.fromTypedArray(Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 100 - 5), [n]);
    const quantize = Q.getKernel<(x: Tensor, s: number, z: number, d: Q.DType) => Tensor>('aten::quantize_per_tensor', engine);
    const dequantize = Q.getKernel<(x: Tensor) => Tensor>('aten::dequantize', engine);
    const xq = Q.quantizePerTensor(xf, 0.05, 128, Q.quint8);
    const src = new Uint8Array(4 * n), dst = new Uint8Array(4 * n);
    src.fill(1);
    const memcpy = time(() => dst.set(src), 10);
    const memcpyFresh = time(() => src.slice(), 5);
    const q = { native: time(() => quantize(xf, 0.05, 128, Q.quint8), 10), reference: time(() => Q.quantizePerTensor(xf, 0.05, 128, Q.quint8), 2) };
    const d = { native: time(() => dequantize(xq), 10), reference: time(() => Q.dequantize(xq), 2) };
    report('quantize_per_tensor 16M', q, 5 * n, 'GB/s (r+w)');
    report('dequantize 16M', d, 5 * n, 'GB/s (r+w)');
    report('memcpy 64 MB into a reused buffer', { native: memcpy, reference: memcpy }, 8 * n, 'GB/s (r+w)');
    report('memcpy 64 MB into a fresh buffer (slice)', { native: memcpyFresh, reference: memcpyFresh }, 8 * n, 'GB/s (r+w)');
    const pct = (t: number, base: number): string => `${(((5 * n) / t / ((8 * n) / base)) * 100).toFixed(0)}%`;
    rows.push(['  quantize / dequantize vs reused-buffer memcpy', `${pct(q.native, memcpy)} / ${pct(d.native, memcpy)}`, '', '', '']);
    rows.push(['  quantize / dequantize vs fresh-buffer memcpy', `${pct(q.native, memcpyFresh)} / ${pct(d.native, memcpyFresh)}`, '', '', '']);
    const a = Q.makeQTensor([n], Q.quint8, 0.02, 10, xq.rawValues());
    report('add 16M', bothWays(() => Q.quantizedAdd(a, xq, 0.07, 3), 10, 1), 3 * n, 'GB/s (r+w)');
  }
});
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
