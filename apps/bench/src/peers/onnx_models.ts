/**
 * ONNX models of the bench's cases, for the onnxruntime peer: QLinearMatMul / QLinearConv (static
 * int8), DynamicQuantizeLinear + MatMulInteger (dynamic int8), com.microsoft DynamicQuantizeLSTM
 * (dynamic int8 LSTM), QuantizeLinear / DequantizeLinear, and the float Gemm / Conv / MatMul twins. Weights are initializers, so onnxruntime prepacks them.
 */
import type { BenchDType } from '../harness.js';
import { type CaseSpec, convOut } from '../specs.js';
import { type OnnxElem, graphInput, graphOutput, initializer, model, node } from './onnx_proto.js';

/** One model input: element type, shape and data. */
export interface OnnxFeed {
  elem: OnnxElem;
  dims: number[];
  data: Float32Array | Uint8Array;
}

/** A model of one case: `label` (its main op) goes in the engine column. */
export interface OnnxCase {
  label: string;
  dtype: BenchDType;
  model: Uint8Array;
  feeds: Record<string, OnnxFeed>;
}

/** Deterministic operand bytes/floats (values do not matter for speed). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const randU8 = (n: number, r = lcg(1)): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
const randI8 = (n: number, r = lcg(2)): Int8Array => Int8Array.from({ length: n }, () => Math.floor(r() * 255) - 127);
const randF32 = (n: number, r = lcg(3)): Float32Array => Float32Array.from({ length: n }, () => r() * 2 - 1);

const scalarF = (name: string, v: number) => initializer(name, 'float', [], Float32Array.of(v));
const scalarU8 = (name: string, v: number) => initializer(name, 'uint8', [], Uint8Array.of(v));
const scalarI8 = (name: string, v: number) => initializer(name, 'int8', [], Int8Array.of(v));
/** Activation / weight / output qparams of the static int8 models (as in fixtures.ts). */
const QPARAMS = [scalarF('xs', 0.05), scalarU8('xz', 128), scalarF('ws', 0.03), scalarI8('wz', 0), scalarF('ys', 0.5), scalarU8('yz', 128)];

function linearCases(m: number, k: number, n: number, dynamic: boolean, dtypes: readonly BenchDType[]): OnnxCase[] {
  const out: OnnxCase[] = [];
  if (dtypes.includes('int8') && !dynamic) {
    out.push({
      label: 'QLinearMatMul', dtype: 'int8',
      model: model([
        node('QLinearMatMul', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], ['y']),
        ...QPARAMS, initializer('w', 'int8', [k, n], randI8(k * n)),
        graphInput('x', 'uint8', [m, k]), graphOutput('y', 'uint8', [m, n]),
      ]),
      feeds: { x: { elem: 'uint8', dims: [m, k], data: randU8(m * k) } },
    });
  }
  if (dtypes.includes('int8') && dynamic) {
    out.push({
      label: 'MatMulInteger', dtype: 'int8',
      model: model([
        node('DynamicQuantizeLinear', ['x'], ['xq', 'xs', 'xz']),
        node('MatMulInteger', ['xq', 'w', 'xz', 'wz'], ['acc']),
        node('Cast', ['acc'], ['accf'], { to: 1 }),
        node('Mul', ['xs', 'ws'], ['s']),
        node('Mul', ['accf', 's'], ['ys']),
        node('Add', ['ys', 'b'], ['y']),
        scalarF('ws', 0.03), scalarI8('wz', 0), initializer('w', 'int8', [k, n], randI8(k * n)), initializer('b', 'float', [n], randF32(n)),
        graphInput('x', 'float', [m, k]), graphOutput('y', 'float', [m, n]),
      ]),
      feeds: { x: { elem: 'float', dims: [m, k], data: randF32(m * k) } },
    });
  }
  if (dtypes.includes('fp32')) {
    out.push({
      label: 'Gemm', dtype: 'fp32',
      model: model([
        node('Gemm', ['x', 'w', 'b'], ['y'], { transB: 1 }),
        initializer('w', 'float', [n, k], randF32(n * k)), initializer('b', 'float', [n], randF32(n)),
        graphInput('x', 'float', [m, k]), graphOutput('y', 'float', [m, n]),
      ]),
      feeds: { x: { elem: 'float', dims: [m, k], data: randF32(m * k) } },
    });
  }
  return out;
}

function convCases(s: Extract<CaseSpec, { kind: 'conv' }>): OnnxCase[] {
  const attrs = { group: s.groups, kernel_shape: [s.kernel, s.kernel], pads: [s.padding, s.padding, s.padding, s.padding], strides: [s.stride, s.stride] };
  const xDims = [s.n, s.c, s.h, s.w], wDims = [s.cout, s.c / s.groups, s.kernel, s.kernel];
  const yDims = [s.n, s.cout, convOut(s.h, s.kernel, s.stride, s.padding), convOut(s.w, s.kernel, s.stride, s.padding)];
  const wNumel = wDims.reduce((a, b) => a * b, 1), xNumel = xDims.reduce((a, b) => a * b, 1);
  const out: OnnxCase[] = [];
  if (s.dtypes.includes('int8')) {
    out.push({
      label: 'QLinearConv', dtype: 'int8',
      model: model([
        node('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'], ['y'], attrs),
        ...QPARAMS, initializer('w', 'int8', wDims, randI8(wNumel)), initializer('b', 'int32', [s.cout], new Int32Array(s.cout)),
        graphInput('x', 'uint8', xDims), graphOutput('y', 'uint8', yDims),
      ]),
      feeds: { x: { elem: 'uint8', dims: xDims, data: randU8(xNumel) } },
    });
  }
  if (s.dtypes.includes('fp32')) {
    out.push({
      label: 'Conv', dtype: 'fp32',
      model: model([
        node('Conv', ['x', 'w', 'b'], ['y'], attrs),
        initializer('w', 'float', wDims, randF32(wNumel)), initializer('b', 'float', [s.cout], randF32(s.cout)),
        graphInput('x', 'float', xDims), graphOutput('y', 'float', yDims),
      ]),
      feeds: { x: { elem: 'float', dims: xDims, data: randF32(xNumel) } },
    });
  }
  return out;
}

/**
 * The stacked LSTM in onnxruntime, one node per layer with a Squeeze of the direction axis
 * between layers (Y is [L, 1, N, H]):
 * - int8: com.microsoft DynamicQuantizeLSTM, what ORT's quantizer emits (int8 weights W [1, in,
 *   4H] / R [1, H, 4H] with per-tensor scales, float biases; activations quantized per call
 *   inside the op, as in PyTorch);
 * - fp32: the ONNX LSTM (W [1, 4H, in], R [1, 4H, H]), beside our float LSTM.
 * Weights are random (gate order does not matter for speed), in torch's init range.
 */
function lstmCases(s: Extract<CaseSpec, { kind: 'lstm_dynamic' }>): OnnxCase[] {
  const H = s.hidden, G = 4 * H, scale = 1 / Math.sqrt(H);
  const xDims = [s.seq, s.batch, s.input];
  const feeds = { x: { elem: 'float' as const, dims: xDims, data: randF32(xDims[0]! * xDims[1]! * xDims[2]!) } };
  const bias = (l: number) => initializer(`b${l}`, 'float', [1, 2 * G], randF32(2 * G, lcg(30 + l)).map((v) => v * scale));
  /** The layers' nodes (`layer(l, x, y, inputSize)` reads x, writes y), chained; the last output's name. */
  const stacked = (layer: (l: number, x: string, y: string, inSize: number) => Uint8Array[]) => {
    const parts: Uint8Array[] = [];
    let x = 'x';
    for (let l = 0; l < s.layers; l++) {
      const y = `y${l}`;
      parts.push(...layer(l, x, y, l === 0 ? s.input : H));
      x = l === s.layers - 1 ? y : `x${l + 1}`;
      if (l < s.layers - 1) parts.push(node('Squeeze', [y, 'dir_axis'], [x]));
    }
    return [...parts, initializer('dir_axis', 'int64', [1], BigInt64Array.of(1n)), graphInput('x', 'float', xDims), graphOutput(x, 'float', [s.seq, 1, s.batch, H])];
  };
  const out: OnnxCase[] = [];
  if (s.dtypes.includes('int8')) {
    const graph = stacked((l, x, y, inSize) => [
      node('DynamicQuantizeLSTM', [x, `w${l}`, `r${l}`, `b${l}`, '', '', '', '', 'ws', 'wz', 'ws', 'wz'], [y], { hidden_size: H }, 'com.microsoft'),
      initializer(`w${l}`, 'int8', [1, inSize, G], randI8(inSize * G, lcg(10 + l))),
      initializer(`r${l}`, 'int8', [1, H, G], randI8(H * G, lcg(20 + l))),
      bias(l),
    ]);
    // torch's LSTM init U(-1/sqrt(H), 1/sqrt(H)), quantized symmetric: scale max|w| / 127
    const qparams = [initializer('ws', 'float', [1], Float32Array.of(scale / 127)), initializer('wz', 'int8', [1], Int8Array.of(0))];
    out.push({ label: 'DynamicQuantizeLSTM', dtype: 'int8', model: model([...graph, ...qparams], 13, { 'com.microsoft': 1 }), feeds });
  }
  if (s.dtypes.includes('fp32')) {
    const graph = stacked((l, x, y, inSize) => [
      node('LSTM', [x, `w${l}`, `r${l}`, `b${l}`], [y], { hidden_size: H }),
      initializer(`w${l}`, 'float', [1, G, inSize], randF32(inSize * G, lcg(10 + l)).map((v) => v * scale)),
      initializer(`r${l}`, 'float', [1, G, H], randF32(H * G, lcg(20 + l)).map((v) => v * scale)),
      bias(l),
    ]);
    out.push({ label: 'LSTM', dtype: 'fp32', model: model(graph), feeds });
  }
  return out;
}

/** The onnxruntime models of one spec ([] for cases it has no model for: copy, models). */
export function onnxCases(s: CaseSpec): OnnxCase[] {
  switch (s.kind) {
    case 'linear':
    case 'linear_dynamic':
      return linearCases(s.m, s.k, s.n, s.kind === 'linear_dynamic', s.dtypes);
    case 'conv':
      return convCases(s);
    case 'lstm_dynamic':
      return lstmCases(s);
    case 'matmul': {
      const m = s.m ?? s.n, k = s.k ?? s.n;
      return [{
        label: 'MatMul', dtype: 'fp32',
        model: model([node('MatMul', ['a', 'b'], ['y']), initializer('b', 'float', [k, s.n], randF32(k * s.n)), graphInput('a', 'float', [m, k]), graphOutput('y', 'float', [m, s.n])]),
        feeds: { a: { elem: 'float', dims: [m, k], data: randF32(m * k) } },
      }];
    }
    case 'quantize':
      return [{
        label: 'QuantizeLinear', dtype: 'int8',
        model: model([node('QuantizeLinear', ['x', 's', 'z'], ['y']), scalarF('s', 0.05), scalarU8('z', 128), graphInput('x', 'float', [s.numel]), graphOutput('y', 'uint8', [s.numel])]),
        feeds: { x: { elem: 'float', dims: [s.numel], data: randF32(s.numel) } },
      }];
    case 'dequantize':
      return [{
        label: 'DequantizeLinear', dtype: 'int8',
        model: model([node('DequantizeLinear', ['x', 's', 'z'], ['y']), scalarF('s', 0.05), scalarU8('z', 128), graphInput('x', 'uint8', [s.numel]), graphOutput('y', 'float', [s.numel])]),
        feeds: { x: { elem: 'uint8', dims: [s.numel], data: randU8(s.numel) } },
      }];
    default:
      return [];
  }
}
