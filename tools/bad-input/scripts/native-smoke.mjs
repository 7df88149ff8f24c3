#!/usr/bin/env node
// Native addon smoke + randomized differential check, plain JavaScript so it runs as is under
// valgrind and AddressSanitizer (tools/scripts/valgrind-native.sh, sanitize-native.sh).
// It loads an addon's compiled binding straight from its package directory (node-gyp-build:
// build/Release first, then prebuilds/), then:
//  - packs random int8 weights (random n, k, per-tensor / per-channel zero points) and compares
//    qgemmS32 with a naive integer reference, across thread counts and every ISA level the CPU has;
//  - runs every entry point (qlinear, qlinearDynamic, linearDynamic, qconv2d, quantizePerTensor,
//    dequantize, qadd, qrelu, minMax, sgemm) on random shapes, checking output lengths and ranges;
//  - feeds each entry point arguments that must be refused (wrong types, short buffers, negative
//    or overflowing sizes, bad qparams), each of which must throw a JS error, not crash.
// Usage: node native-smoke.mjs <addon package dir> [shapes=2000] [seed=1]
// Prints "native-smoke: N checks, N passed" and exits 1 on any failure.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '.');
const SHAPES = Number(process.argv[3] ?? 2000);
let seed = Number(process.argv[4] ?? 1) >>> 0;
const require = createRequire(resolve(dir, 'package.json'));
const b = require('node-gyp-build')(dir);

/** xorshift32: a reproducible stream independent of Math.random. */
function rnd() {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 2 ** 32;
}
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

let checks = 0;
let failures = 0;
function check(ok, what) {
  checks++;
  if (!ok) {
    failures++;
    if (failures <= 20) console.error(`FAIL: ${what}`);
  }
}
function refuses(fn, what) {
  try {
    fn();
    check(false, `${what}: expected a thrown error`);
  } catch (e) {
    check(e instanceof TypeError || e instanceof RangeError || e instanceof Error, `${what}: threw ${e}`);
  }
}

/** sum_k (x - zx)(w - zw[n]), the integer reference of qgemmS32. */
function refGemm(x, m, zx, w, n, k, zw) {
  const out = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += (x[i * k + p] - zx) * (w[j * k + p] - zw[j]);
      out[i * n + j] = acc;
    }
  }
  return out;
}

function differential() {
  const isas = ['scalar', 'avx2', 'avx512', 'avx512vnni'];
  const detected = isas.indexOf(b.detectedIsa());
  const threads = [1, 3];
  for (let s = 0; s < SHAPES; s++) {
    const m = int(0, 9), n = int(1, 70), k = int(1, 70);
    const x = Uint8Array.from({ length: m * k }, () => int(0, 255));
    const w = Int8Array.from({ length: n * k }, () => int(-128, 127));
    const perChannel = rnd() < 0.5;
    const zw = perChannel ? Int32Array.from({ length: n }, () => int(-128, 127)) : Int32Array.of(int(-128, 127));
    const zx = int(0, 255);
    const packed = new b.PackedWeights(w, n, k, zw);
    const ref = refGemm(x, m, zx, w, n, k, perChannel ? zw : new Int32Array(n).fill(zw[0]));
    b.setIsa(isas[s % (detected + 1)]);
    b.setNumThreads(threads[s % threads.length]);
    const got = b.qgemmS32(x, m, zx, packed);
    let same = got.length === ref.length;
    for (let i = 0; same && i < ref.length; i++) same = got[i] === ref[i];
    check(same, `qgemmS32 m=${m} n=${n} k=${k} perChannel=${perChannel} isa=${b.isa()}`);
    const unpacked = packed.unpack();
    check(unpacked.length === w.length && unpacked.every((v, i) => v === w[i]), `unpack n=${n} k=${k}`);
    // the other entry points on the same shapes: lengths and ranges (their numerics have their own suites)
    const ws = perChannel ? Float64Array.from({ length: n }, () => 0.01 + rnd() * 0.1) : Float64Array.of(0.05);
    const bias = rnd() < 0.5 ? Float32Array.from({ length: n }, () => rnd() - 0.5) : null;
    const y = b.qlinear(x, m, zx, packed, 0.02, ws, bias, 0.1, int(0, 255), rnd() < 0.5);
    check(y instanceof Uint8Array && y.length === m * n, `qlinear m=${m} n=${n} k=${k}`);
    const yd = b.qlinearDynamic(x, m, zx, packed, 0.02, ws, bias, false);
    check(yd instanceof Float32Array && yd.length === m * n && yd.every(Number.isFinite), `qlinearDynamic m=${m} n=${n} k=${k}`);
    const xf = Float32Array.from({ length: m * k }, () => rnd() * 4 - 2);
    const yl = b.linearDynamic(xf, m, packed, 0.02, 100, ws, bias, true);
    check(yl.length === m * n && yl.every((v) => v >= 0), `linearDynamic relu m=${m} n=${n}`);
    const q = b.quantizePerTensor(xf, 0.02, 100, new Uint8Array(xf.length));
    const dq = b.dequantize(q, 0.02, 100, new Float32Array(xf.length));
    check(dq.every((v, i) => Math.abs(v - xf[i]) <= 0.0101), `quantize/dequantize round trip len=${xf.length}`);
    const sum = b.qadd(q, 0.02, 100, q, 0.02, 100, 0.04, 100, false, new Uint8Array(q.length));
    check(sum.length === q.length, 'qadd');
    check(b.qrelu(q, 100, new Uint8Array(q.length)).every((v) => v >= 100), 'qrelu');
    const [lo, hi] = b.minMax(xf);
    check(lo <= 0 && hi >= 0 && xf.every((v) => v >= lo && v <= hi), 'minMax');
    const a = Float32Array.from({ length: m * k }, () => rnd() - 0.5), bb = Float32Array.from({ length: n * k }, () => rnd() - 0.5);
    check(b.sgemm(a, m, k, bb, n, null).length === m * n, 'sgemm');
  }
  // a small convolution on random geometry
  for (let s = 0; s < Math.max(10, SHAPES / 20); s++) {
    const cin = int(1, 4), cout = int(1, 6), kh = int(1, 3), kw = int(1, 3), ih = int(kh, 7), iw = int(kw, 7), batch = int(1, 2);
    const w = Int8Array.from({ length: cout * cin * kh * kw }, () => int(-128, 127));
    const packed = new b.PackedWeights(w, cout, cin * kh * kw, Int32Array.of(0), 1, kh * kw);
    const x = Uint8Array.from({ length: batch * cin * ih * iw }, () => int(0, 255));
    const geo = [batch, cin, ih, iw, kh, kw, 1, 1, 0, 0, 1, 1];
    const y = b.qconv2d(x, geo, 128, packed, 0.02, Float64Array.of(0.05), null, 0.2, 100, false);
    check(y.length === batch * cout * (ih - kh + 1) * (iw - kw + 1), `qconv2d ${geo}`);
  }
  b.setIsa(b.detectedIsa());
}

function refusals() {
  const p = new b.PackedWeights(new Int8Array(6), 2, 3, Int32Array.of(0));
  const ws = Float64Array.of(0.1);
  const P = b.PackedWeights;
  refuses(() => new P(new Int8Array(5), 2, 3, Int32Array.of(0)), 'PackedWeights: 5 values for 2 x 3');
  refuses(() => new P(new Int8Array(6), -2, -3, Int32Array.of(0)), 'PackedWeights: negative sizes');
  refuses(() => new P(new Int8Array(6), 2 ** 31, 2, Int32Array.of(0)), 'PackedWeights: n * k overflows int32');
  refuses(() => new P(new Uint8Array(6), 2, 3, Int32Array.of(0)), 'PackedWeights: uint8 weights');
  refuses(() => new P(new Int8Array(6), 2, 3, Int32Array.of(0, 0, 0)), 'PackedWeights: 3 zero points for 2 rows');
  refuses(() => new P(null, 2, 3, Int32Array.of(0)), 'PackedWeights: null weights');
  refuses(() => P(new Int8Array(6), 2, 3, Int32Array.of(0)), 'PackedWeights: called without new');
  refuses(() => b.qgemmS32(new Uint8Array(5), 2, 0, p), 'qgemmS32: input shorter than m * k');
  refuses(() => b.qgemmS32(new Uint8Array(6), -1, 0, p), 'qgemmS32: m = -1');
  refuses(() => b.qgemmS32(new Uint8Array(6), 2 ** 31, 0, p), 'qgemmS32: m * k overflows');
  refuses(() => b.qgemmS32(new Uint8Array(6), 2, 0, {}), 'qgemmS32: a plain object as packed weights');
  refuses(() => b.qgemmS32(new Uint8Array(6), 2, 0, null), 'qgemmS32: null packed weights');
  refuses(() => b.qgemmS32(new Uint8Array(6), 2, 300, p), 'qgemmS32: input zero point 300');
  refuses(() => b.qgemmS32(new Uint8Array(6), NaN, 0, p), 'qgemmS32: m = NaN');
  refuses(() => b.qlinear(new Uint8Array(6), 2, 0, p, NaN, ws, null, 0.1, 0, false), 'qlinear: NaN input scale');
  refuses(() => b.qlinear(new Uint8Array(6), 2, 0, p, 0.1, ws, null, 0, 0, false), 'qlinear: output scale 0');
  refuses(() => b.qlinear(new Uint8Array(6), 2, 0, p, 0.1, new Float64Array(3), null, 0.1, 0, false), 'qlinear: 3 weight scales for 2 rows');
  refuses(() => b.qlinear(new Uint8Array(6), 2, 0, p, 0.1, ws, new Float32Array(1), 0.1, 0, false), 'qlinear: bias of 1 for 2 rows');
  refuses(() => b.qlinear(new Uint8Array(6), 2, 0, p, 0.1, ws, null, 0.1, 0), 'qlinear: relu missing');
  refuses(() => b.qconv2d(new Uint8Array(8), [1, 2, 2, 2, 2 ** 16, 2 ** 16, 1, 1, 0, 0, 1, 1], 0, p, 0.1, ws, null, 0.1, 0, false), 'qconv2d: huge kernel');
  refuses(() => b.qconv2d(new Uint8Array(8), [2 ** 30, 2, 2 ** 30, 2, 1, 1, 1, 1, 0, 0, 1, 1], 0, p, 0.1, ws, null, 0.1, 0, false), 'qconv2d: geometry overflowing int32');
  refuses(() => b.quantizePerTensor(new Float32Array(4), 0.1, 0, new Uint8Array(2)), 'quantizePerTensor: short output');
  refuses(() => b.quantizePerTensor(new Float32Array(4), NaN, 0, new Uint8Array(4)), 'quantizePerTensor: NaN scale');
  refuses(() => b.dequantize(new Uint8Array(4), 0.1, 0, new Float32Array(3)), 'dequantize: short output');
  refuses(() => b.qadd(new Uint8Array(4), 0.1, 0, new Uint8Array(5), 0.1, 0, 0.1, 0, false, new Uint8Array(4)), 'qadd: length mismatch');
  refuses(() => b.qrelu(new Uint8Array(4), 0, new Uint8Array(2)), 'qrelu: short output');
  refuses(() => b.minMax(new Float64Array(2)), 'minMax: float64');
  refuses(() => b.sgemm(new Float32Array(6), 2, 3, new Float32Array(5), 2, null), 'sgemm: short b');
  refuses(() => b.sgemm(new Float32Array(6), 2 ** 20, 2 ** 12, new Float32Array(6), 2, null), 'sgemm: m * k overflows');
  refuses(() => b.setNumThreads(0), 'setNumThreads(0)');
  refuses(() => b.setIsa('avx9000'), "setIsa('avx9000')");
}

const t0 = Date.now();
differential();
refusals();
console.log(`native-smoke (${b.engine}, ${b.detectedIsa()}): ${checks} checks, ${checks - failures} passed (${Date.now() - t0} ms)`);
process.exitCode = failures ? 1 : 0;
