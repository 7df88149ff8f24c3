/**
 * Runs the test vectors through a built kernels addon (.node): the same binary that ships, on
 * every ISA level the CPU offers (run.sh starts it under qemu-x86_64 -cpu qemu64 / Haswell).
 * Usage: node dist/run-addon.js <vectors.bin> <addon.node> [--expect-isa <isa>]
 * Prints per-ISA pass counts; exits 1 on any mismatch or an unexpected detected ISA.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { compareOutputs } from './compare.js';
import { type FieldData, type VectorCase, decodeVectors } from './format.js';
import { ENGINES, type EngineName } from './cases.js';

type Bytes8 = Uint8Array | Int8Array;
/** The slice of the addon's exports the vectors exercise (kernels-common ts/binding.ts). */
interface Addon {
  engine: EngineName;
  detectedIsa(): string;
  setIsa(isa: string): string;
  PackedWeights: new (w: Int8Array, n: number, k: number, zeroPoints: Int32Array, groups?: number, spatial?: number) => object;
  qgemmS32(a: Uint8Array, m: number, za: number, w: object): Int32Array;
  qlinear(a: Bytes8, m: number, za: number, w: object, inScale: number, ws: Float64Array, bias: Float32Array | null, so: number, zo: number, relu: boolean): Bytes8;
  linearDynamic(x: Float32Array, m: number, w: object, inScale: number, za: number, ws: Float64Array, bias: Float32Array | null, relu: boolean): Float32Array;
  qconv2d(x: Bytes8, geometry: number[], zx: number, w: object, inScale: number, ws: Float64Array, bias: Float32Array | null, so: number, zo: number, relu: boolean): Bytes8;
  qadd(a: Bytes8, sa: number, za: number, b: Bytes8, sb: number, zb: number, so: number, zo: number, relu: boolean, out: Bytes8): Bytes8;
  qrelu(x: Bytes8, zp: number, out: Bytes8): Bytes8;
  quantizePerTensor(x: Float32Array, scale: number, zp: number, out: Bytes8): Bytes8;
  dequantize(q: Bytes8, scale: number, zp: number, out: Float32Array): Float32Array;
  minMax(x: Float32Array): [number, number];
  sgemm(a: Float32Array, m: number, k: number, b: Float32Array, n: number, bias: Float32Array | null): Float32Array;
}

/** This architecture's ISA levels, lowest first (kernels-common include/qtorch/cpu.h). */
export const ARCH_ISAS: readonly string[] = process.arch === 'arm64' ? ['scalar', 'neon', 'neondot', 'neoni8mm'] : ['scalar', 'avx2', 'avx512', 'avx512vnni'];

/** Typed accessors of a case's fields (a missing or mistyped field is a broken vector file). */
function fieldsOf(c: VectorCase) {
  const get = (name: string): FieldData => {
    const v = c.fields[name];
    if (!v) throw new Error(`${c.op} '${c.label}': no field '${name}'`);
    return v;
  };
  return {
    get,
    /** The first (only) value of a scalar field. */
    num: (name: string): number => get(name)[0]!,
    bytes: (name: string): Bytes8 => {
      const v = get(name);
      if (!(v instanceof Uint8Array || v instanceof Int8Array)) throw new Error(`${c.op} '${c.label}': '${name}' is not 8-bit`);
      return v;
    },
    of: <T extends FieldData>(name: string, ctor: new (...a: never[]) => T): T => {
      const v = get(name);
      if (!(v instanceof ctor)) throw new Error(`${c.op} '${c.label}': '${name}' has the wrong type`);
      return v;
    },
  };
}

const bias = (b: Float32Array): Float32Array | null => (b.length ? b : null);
const like = (x: Bytes8): Bytes8 => (x instanceof Int8Array ? new Int8Array(x.length) : new Uint8Array(x.length));

/** The outputs of one case on the addon (null: the case belongs to the other engine). */
export function runCase(addon: Addon, c: VectorCase): Record<string, FieldData> | null {
  const f = fieldsOf(c);
  if (c.fields.engine && ENGINES[f.num('engine')] !== addon.engine) return null;
  const packed = (groups = 1, spatial = 1) => {
    const w = f.of('w', Int8Array), conv = c.op === 'conv2d';
    const rows = f.num(conv ? 'cout' : 'n');
    return new addon.PackedWeights(w, rows, conv ? w.length / rows : f.num('k'), f.of('wzp', Int32Array), groups, spatial);
  };
  switch (c.op) {
    case 'qgemm_s32':
      return { acc: addon.qgemmS32(f.of('a', Uint8Array), f.num('m'), f.num('za'), packed()) };
    case 'qlinear':
      return { y: addon.qlinear(f.bytes('x'), f.num('m'), f.num('za'), packed(), f.num('in_scale'), f.of('w_scales', Float64Array),
        bias(f.of('bias', Float32Array)), f.num('out_scale'), f.num('out_zp'), f.num('relu') !== 0) };
    case 'qlinear_dynamic':
      return { y: addon.linearDynamic(f.of('x', Float32Array), f.num('m'), packed(), f.num('in_scale'), f.num('za'), f.of('w_scales', Float64Array),
        bias(f.of('bias', Float32Array)), f.num('relu') !== 0) };
    case 'conv2d': {
      const g = Array.from(f.of('geometry', Int32Array));
      return { y: addon.qconv2d(f.bytes('x'), g, f.num('zx'), packed(f.num('groups'), g[4]! * g[5]!), f.num('in_scale'), f.of('w_scales', Float64Array),
        bias(f.of('bias', Float32Array)), f.num('out_scale'), f.num('out_zp'), f.num('relu') !== 0) };
    }
    case 'add': {
      const a = f.bytes('a');
      return { y: addon.qadd(a, f.num('sa'), f.num('za'), f.bytes('b'), f.num('sb'), f.num('zb'), f.num('so'), f.num('zo'), f.num('relu') !== 0, like(a)) };
    }
    case 'relu': {
      const x = f.bytes('x');
      return { y: addon.qrelu(x, f.num('zp'), like(x)) };
    }
    case 'quantize': {
      const x = f.of('x', Float32Array);
      return { q: addon.quantizePerTensor(x, f.num('scale'), f.num('zp'), like(f.bytes('expect_q'))) };
    }
    case 'dequantize': {
      const q = f.bytes('q');
      return { y: addon.dequantize(q, f.num('scale'), f.num('zp'), new Float32Array(q.length)) };
    }
    case 'minmax':
      return { lohi: Float32Array.from(addon.minMax(f.of('x', Float32Array))) };
    case 'sgemm': {
      const m = f.num('m'), k = f.num('k'), n = f.num('n');
      return { c: Float64Array.from(addon.sgemm(f.of('a', Float32Array), m, k, f.of('b', Float32Array), n, bias(f.of('bias', Float32Array)))) };
    }
    case 'rnn_gates':
      return null; // the addon has no gates-only function: the C++ driver runs these, the vitest suite the layer
    default:
      throw new Error(`unknown op '${c.op}' (label '${c.label}')`);
  }
}

/** Runs every case on every ISA level up to the detected one; returns the number of failures. */
export function runAll(addon: Addon, cases: readonly VectorCase[], log: (line: string) => void): number {
  const detected = addon.detectedIsa();
  const isas = ARCH_ISAS.slice(0, ARCH_ISAS.indexOf(detected) + 1);
  let failures = 0;
  try {
    for (const isa of isas) {
      addon.setIsa(isa);
      let passed = 0, ran = 0;
      for (const c of cases) {
        let diff: string | null;
        try {
          const got = runCase(addon, c);
          if (!got) continue;
          diff = compareOutputs(c, got);
        } catch (e) {
          diff = `threw ${e instanceof Error ? e.message : String(e)}`;
        }
        ran++;
        if (diff === null) passed++;
        else if (ran - passed <= 10) log(`FAIL [${isa}] ${c.op} '${c.label}': ${diff}`);
      }
      failures += ran - passed;
      log(`${passed === ran ? 'ok  ' : 'FAIL'} addon ${addon.engine} isa ${isa}: ${passed}/${ran} vectors passed`);
    }
  } finally {
    addon.setIsa(detected);
  }
  return failures;
}

function main(argv: string[]): number {
  const [vectors, file] = argv;
  const expectAt = argv.indexOf('--expect-isa');
  const expected = expectAt >= 0 ? argv[expectAt + 1] : undefined;
  if (!vectors || !file) {
    console.error('usage: run-addon <vectors.bin> <addon.node> [--expect-isa <isa>]');
    return 2;
  }
  const addon = createRequire(import.meta.url)(resolve(file)) as Addon;
  const detected = addon.detectedIsa();
  console.log(`addon ${addon.engine}: detected isa ${detected}`);
  if (expected !== undefined && expected !== detected) {
    console.log(`FAIL addon ${addon.engine}: expected the ${expected} path on this CPU, detected ${detected}`);
    return 1;
  }
  return runAll(addon, decodeVectors(readFileSync(vectors)), (l) => console.log(l)) === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) process.exit(main(process.argv.slice(2)));
