/**
 * Declarative benchmark cases, shared by our implementation and the peers: the PyTorch script
 * and the ONNX model builder read the same JSON, so every peer times exactly our shapes.
 */
import type { BenchDType } from './harness.js';
import type { Arch } from './models/arch.js';

interface SpecBase {
  suite: string;
  /** Row label, unique within the suite. */
  case: string;
  /** Operations per call (multiply-adds count 2); 0 for bandwidth-bound cases. */
  ops: number;
  /** Bytes read + written per call (bandwidth-bound cases). */
  bytes?: number;
  /** Which dtypes to time: int8 (quantized path) and/or fp32 (the float path beside it). */
  dtypes: BenchDType[];
}

/** y = x W^T (+ b): x (m, k), W (n, k). `linear` is static (quantized in and out), `linear_dynamic` float in/out. */
export interface LinearSpec extends SpecBase {
  kind: 'linear' | 'linear_dynamic';
  m: number;
  k: number;
  n: number;
}

/** 2-d convolution of an (n, c, h, w) input with a (cout, c / groups, kernel, kernel) weight. */
export interface ConvSpec extends SpecBase {
  kind: 'conv';
  n: number;
  c: number;
  h: number;
  w: number;
  cout: number;
  kernel: number;
  stride: number;
  padding: number;
  groups: number;
}

/** Multi-layer LSTM over (seq, batch, input), dynamic quantization of its weights. */
export interface LstmSpec extends SpecBase {
  kind: 'lstm_dynamic';
  input: number;
  hidden: number;
  layers: number;
  seq: number;
  batch: number;
}

/** quantize_per_tensor / dequantize / a typed-array copy of `numel` float32 elements. */
export interface ElementwiseSpec extends SpecBase {
  kind: 'quantize' | 'dequantize' | 'copy';
  numel: number;
}

/** Float matmul (m, k) x (k, n); m and k default to n (square). */
export interface MatmulSpec extends SpecBase {
  kind: 'matmul';
  n: number;
  m?: number;
  k?: number;
}

/** A whole small model (see models/arch.ts), int8 vs float. */
export interface ModelSpec extends SpecBase {
  kind: 'model';
  model: 'resnet' | 'mobilenetv2';
  /** The architecture as data (the PyTorch peer builds the same network from it). */
  arch: Arch;
  /** Input (1, 3, size, size). */
  size: number;
}

export type CaseSpec = LinearSpec | ConvSpec | LstmSpec | ElementwiseSpec | MatmulSpec | ModelSpec;

/** What every timed variant of `spec` reports about the case (ours and the peers' alike). */
export const caseMeta = (spec: CaseSpec) => ({ suite: spec.suite, case: spec.case, ops: spec.ops, bytes: spec.bytes });

/** Output spatial size of a convolution. */
export const convOut = (size: number, kernel: number, stride: number, padding: number): number =>
  Math.floor((size + 2 * padding - kernel) / stride) + 1;

/** Multiply-adds x 2 of a convolution. */
export function convOps(s: Omit<ConvSpec, 'ops' | 'suite' | 'case' | 'kind' | 'dtypes'>): number {
  const oh = convOut(s.h, s.kernel, s.stride, s.padding), ow = convOut(s.w, s.kernel, s.stride, s.padding);
  return 2 * s.n * s.cout * oh * ow * (s.c / s.groups) * s.kernel * s.kernel;
}

/** Multiply-adds x 2 of an LSTM: 4 gates of (input + hidden) x hidden per step, layer and batch row. */
export function lstmOps(s: Omit<LstmSpec, 'ops' | 'suite' | 'case' | 'kind' | 'dtypes'>): number {
  let ops = 0;
  for (let l = 0; l < s.layers; l++) ops += 2 * 4 * s.hidden * ((l === 0 ? s.input : s.hidden) + s.hidden) * s.seq * s.batch;
  return ops;
}
