// Loads one kernels addon binary, prints the ISA it selected and checks its INT8 GEMM (every
// ISA level it can run) and FP32 GEMM against plain JS loops. Used by qemu-isa-check.sh to run
// the same prebuilt .node on emulated CPUs. Usage: node native-isa-check.cjs <file.node> [expected-isa]
'use strict';
const file = process.argv[2];
const expectedIsa = process.argv[3];
const b = require(file);
const levels = ['scalar', 'avx2', 'avx512', 'avx512vnni'];
let seed = 12345;
const rnd = (lo, hi) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return lo + (seed % (hi - lo + 1)); };
const [M, N, K] = [5, 67, 131];
const a = Uint8Array.from({ length: M * K }, () => rnd(0, 255));
const w = Int8Array.from({ length: N * K }, () => rnd(-128, 127));
const zw = Int32Array.from({ length: N }, () => rnd(-128, 127));
const za = 77;
const ref = new Int32Array(M * N);
for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
  let s = 0; for (let k = 0; k < K; k++) s += (a[i * K + k] - za) * (w[j * K + k] - zw[j]); ref[i * N + j] = s;
}
const detected = b.detectedIsa();
console.log(`${b.engine}: detected isa ${detected}`);
let ok = expectedIsa === undefined || expectedIsa === detected;
if (!ok) console.log(`FAIL expected isa ${expectedIsa}`);
const packed = new b.PackedWeights(w, N, K, zw);
for (const isa of levels.slice(0, levels.indexOf(detected) + 1)) {
  b.setIsa(isa);
  const got = b.qgemmS32(a, M, za, packed);
  const bad = got.filter((v, i) => v !== ref[i]).length;
  const fa = Float32Array.from(a, (v) => v / 255), fw = Float32Array.from(w, (v) => v / 128);
  const sg = b.sgemm(fa, M, K, fw, N, null);
  let worst = 0;
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0; for (let k = 0; k < K; k++) s += fa[i * K + k] * fw[j * K + k];
    worst = Math.max(worst, Math.abs(sg[i * N + j] - s) / (1 + Math.abs(s)));
  }
  const pass = bad === 0 && worst < 1e-5;
  ok = ok && pass;
  console.log(`${pass ? 'ok  ' : 'FAIL'} ${isa}: qgemm ${bad} mismatches of ${ref.length}, sgemm max rel err ${worst.toExponential(1)}`);
}
process.exit(ok ? 0 : 1);
