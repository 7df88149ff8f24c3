/**
 * Loading the PyTorch 1.13 golden fixtures in tools/golden (format: tools/golden/README.md).
 * No qtorch import here, so any package's tests (qtensor's included) can use it without a
 * package dependency cycle.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A float as written in the fixtures: a number, or `'nan'` / `'inf'` / `'-inf'`. */
export type GoldenNumber = number | 'nan' | 'inf' | '-inf';

/** A plain tensor in a fixture. */
export interface GoldenPlainTensor {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'bool' | 'float16';
  data: GoldenNumber[];
}

/** A quantized tensor in a fixture (per-tensor or per-channel). */
export interface GoldenQTensor {
  qtensor: true;
  dtype: 'quint8' | 'qint8' | 'qint32' | 'quint4x2';
  qscheme: 'per_tensor_affine' | 'per_tensor_symmetric' | 'per_channel_affine' | 'per_channel_symmetric' | 'per_channel_affine_float_qparams';
  shape: number[];
  int_repr: number[];
  scale?: number;
  zero_point?: number;
  scales?: number[];
  zero_points?: number[];
  axis?: number;
}

/** Any tensor spec in a fixture. */
export type GoldenTensor = GoldenPlainTensor | GoldenQTensor;

/** One fixture case. `expected.error` means PyTorch raised. */
export interface GoldenCase {
  name: string;
  op: string;
  args: Record<string, any>;
  inputs: Record<string, any>;
  expected: Record<string, any>;
}

/** A fixture file. */
export interface GoldenFile {
  torch_version: string;
  generator: string;
  seed: number;
  cases: GoldenCase[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'golden');
const cache = new Map<string, GoldenFile>();

/** Absolute path of a fixture file, e.g. `goldenPath('qtensor/dequantize.json')`. */
export function goldenPath(relPath: string): string {
  return join(root, relPath);
}

/** Parses (once, cached) a fixture file. */
export function loadGolden(relPath: string): GoldenFile {
  let f = cache.get(relPath);
  if (!f) {
    f = JSON.parse(readFileSync(goldenPath(relPath), 'utf8')) as GoldenFile;
    cache.set(relPath, f);
  }
  return f;
}

/** One case by name; throws listing nearby names when it is missing. */
export function goldenCase(file: string, name: string): GoldenCase {
  const cases = loadGolden(file).cases;
  const c = cases.find((k) => k.name === name);
  if (!c) throw new Error(`goldenCase(): no case '${name}' in ${file}; cases: ${cases.map((k) => k.name).slice(0, 20).join(', ')}...`);
  return c;
}

/** A fixture number as a JS number (`'nan'` -> NaN, ...). */
export function goldenNumber(v: GoldenNumber): number {
  return v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v;
}

/** Whether a spec is a quantized tensor. */
export function isGoldenQTensor(spec: unknown): spec is GoldenQTensor {
  return typeof spec === 'object' && spec !== null && (spec as GoldenQTensor).qtensor === true;
}

/** A plain spec's data as numbers; float32 data rounded to float32 exactly (`Float32Array`). */
export function goldenValues(spec: GoldenPlainTensor): Float32Array | Float64Array {
  const vals = spec.data.map(goldenNumber);
  return spec.dtype === 'float32' || spec.dtype === 'float16' ? Float32Array.from(vals) : Float64Array.from(vals);
}
