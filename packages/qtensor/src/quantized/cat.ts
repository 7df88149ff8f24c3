/**
 * Quantized `cat` (what `torch.cat` does on quantized tensors): every input is dequantized and
 * requantized with the *first* input's scale and zero point (PyTorch's `quantized_cat_impl`),
 * so inputs with other qparams are converted, not reinterpreted. Per-tensor only.
 */
import { dtypeRange } from '../dtype.js';
import { QTorchTypeError } from '../errors.js';
import { type PerTensorQuantizer, isPerChannel } from '../quantizer.js';
import { shapeNumel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { assertQuantized } from './checks.js';
import { newQuantized } from './make.js';
import { dequantizeValue, f32, inverseScale, quantizeValue } from './numerics.js';

/** Concatenates same-dtype per-tensor quantized tensors along `dim` (already normalized and shape-checked). */
export function quantizedCat(tensors: readonly Tensor[], dim: number): Tensor {
  const first = tensors[0]!;
  for (const t of tensors) {
    assertQuantized(t, 'cat');
    if (isPerChannel(t.quantizer!)) throw new QTorchTypeError("cat(): Only per-tensor quantization is supported in 'cat'!");
    if (t.dtype !== first.dtype) throw new QTorchTypeError(`cat(): All dtypes must be the same, got ${first.dtype.torchName} and ${t.dtype.torchName}`);
  }
  const out = first.quantizer as PerTensorQuantizer;
  const [qmin, qmax] = dtypeRange(first.dtype);
  const inv = inverseScale(out.scale);
  const shape = first.shape.map((s, k) => (k === dim ? tensors.reduce((a, t) => a + t.shape[dim]!, 0) : s));
  const data = new first.dtype.ArrayType(shapeNumel(shape));
  const outer = shapeNumel(shape.slice(0, dim)), innerOut = shapeNumel(shape.slice(dim));
  let col = 0;
  for (const t of tensors) {
    const q = t.quantizer as PerTensorQuantizer;
    const s32 = f32(q.scale);
    const v = t.rawValues();
    const inner = shapeNumel(t.shape.slice(dim));
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        const real = dequantizeValue(v[o * inner + j]!, s32, q.zeroPoint);
        data[o * innerOut + col + j] = quantizeValue(real, inv, out.zeroPoint, qmin, qmax);
      }
    }
    col += inner;
  }
  return newQuantized(data, first.dtype, shape, out);
}
