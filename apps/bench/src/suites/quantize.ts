/**
 * quantize_per_tensor / dequantize of 16M elements, as GB/s beside a plain typed-array copy of
 * the same float data (the memory-bandwidth ceiling these ops are bound by).
 *
 * Fresh vs reused outputs, stated so the rows compare like with like: an op returns a new
 * tensor, whose first touch page-faults its memory in (the kernel zeroes every page: for the
 * 64 MB float output that costs more than dequantizing into it) and adds GC pressure. So each
 * side has both forms: `copy` into a reused array (`dst.set(src)`, engine 'reused out') and into
 * a fresh one (`src.slice()`, 'fresh out'); the native ops through the registry (fresh output,
 * engine = the addon's) and into a reused output (`kernels::quantize_per_tensor` /
 * `kernels::dequantize`, engine '<addon> reused out'). Bytes moved: 8n for the copy, 5n for the ops.
 */
import { type Tensor, dequantize, getKernel, listKernels, quantizePerTensor, quint8, randn } from '@qtorch/qtensor';
import { seed } from '../fixtures.js';
import type { BenchCase } from '../harness.js';
import type { ElementwiseSpec } from '../specs.js';
import { variantsOf, withVariant } from '../variants.js';
import { threadCountsOf } from './rows.js';
import type { Suite, SuiteContext } from './types.js';

const SCALE = 0.05, ZERO_POINT = 128;

function specs(quick: boolean): ElementwiseSpec[] {
  const n = quick ? 1 << 12 : 1 << 24;
  const label = quick ? `${n}` : '16M';
  const base = { suite: 'quantize', numel: n, ops: 0 } as const;
  return [
    { ...base, kind: 'copy', case: `copy f32 ${label}`, bytes: 8 * n, dtypes: ['fp32'] },
    { ...base, kind: 'quantize', case: `quantize_per_tensor ${label}`, bytes: 5 * n, dtypes: ['int8'] },
    { ...base, kind: 'dequantize', case: `dequantize ${label}`, bytes: 5 * n, dtypes: ['int8'] },
  ];
}

/** Operands are made once per size and shared by the three cases (16M floats is 64 MB). */
let operands: { n: number; x: Tensor; q: Tensor } | null = null;
function operandsFor(n: number): { x: Tensor; q: Tensor } {
  if (operands?.n !== n) {
    seed();
    const x = randn([n]);
    operands = { n, x, q: quantizePerTensor(x, SCALE, ZERO_POINT, quint8) };
  }
  return operands;
}

/**
 * Native `aten::` kernels of `op`, called through the registry (qtensor's public function does not
 * dispatch these yet), beside the public TypeScript function (engine '-').
 */
function rows(s: ElementwiseSpec, ctx: SuiteContext, op: string, call: (kernel: (...a: never[]) => Tensor) => Tensor, reference: () => Tensor,
  into: { op: string; call: (kernel: (...a: never[]) => unknown) => unknown }): BenchCase[] {
  const meta = { suite: s.suite, case: s.case, ops: 0, bytes: s.bytes, dtype: 'int8' } as const;
  const natives = variantsOf(op).filter((v) => v.impl === 'qtorch-native');
  return [
    ...natives.flatMap((v): BenchCase[] => {
      const kernel = getKernel<(...a: never[]) => Tensor>(op, v.engine);
      const fresh = threadCountsOf(v, ctx).map((threads): BenchCase => ({ ...meta, threads, impl: v.impl, engine: v.engine, run: () => withVariant(v, () => call(kernel)) }));
      // the same kernel writing a reused output (absent in addons built before kernels::* had it)
      const intoKernel = listKernels().find((k) => k.op === into.op && k.engine === v.engine && k.source === 'native');
      const reused = intoKernel ? threadCountsOf(v, ctx).map((threads): BenchCase => ({ ...meta, threads, impl: v.impl, engine: `${v.engine} reused out`, run: () => into.call(intoKernel.impl) })) : [];
      return [...fresh, ...reused];
    }),
    { ...meta, threads: 1, impl: 'qtorch-reference', engine: '-', run: reference },
  ];
}

type QuantizeFn = (x: Tensor, scale: number, zeroPoint: number, dtype: typeof quint8) => Tensor;
type DequantizeFn = (q: Tensor) => Tensor;
type QuantizeIntoFn = (x: Float32Array, scale: number, zeroPoint: number, out: Uint8Array) => Uint8Array;
type DequantizeIntoFn = (q: Uint8Array, scale: number, zeroPoint: number, out: Float32Array) => Float32Array;

export const quantizeSuite: Suite<ElementwiseSpec> = {
  name: 'quantize',
  description: 'quantize_per_tensor / dequantize of 16M elements vs a typed-array copy (GB/s; fresh and reused outputs on both sides)',
  specs: ({ quick }) => specs(quick),
  ours(s, ctx) {
    const { x, q } = operandsFor(s.numel);
    if (s.kind === 'copy') {
      const src = x.data as Float32Array, dst = new Float32Array(s.numel);
      const meta = { suite: s.suite, case: s.case, threads: 1, ops: 0, bytes: s.bytes, impl: 'qtorch-reference', dtype: 'fp32' } as const;
      return [{ ...meta, engine: 'reused out', run: () => dst.set(src) }, { ...meta, engine: 'fresh out', run: () => src.slice() }];
    }
    if (s.kind === 'quantize') {
      const out = new Uint8Array(s.numel);
      return rows(s, ctx, 'aten::quantize_per_tensor', (k) => (k as unknown as QuantizeFn)(x, SCALE, ZERO_POINT, quint8), () => quantizePerTensor(x, SCALE, ZERO_POINT, quint8),
        { op: 'kernels::quantize_per_tensor', call: (k) => (k as unknown as QuantizeIntoFn)(x.data as Float32Array, SCALE, ZERO_POINT, out) });
    }
    const out = new Float32Array(s.numel), qi = q.rawValues() as Uint8Array;
    return rows(s, ctx, 'aten::dequantize', (k) => (k as unknown as DequantizeFn)(q), () => dequantize(q),
      { op: 'kernels::dequantize', call: (k) => (k as unknown as DequantizeIntoFn)(qi, SCALE, ZERO_POINT, out) });
  },
};
