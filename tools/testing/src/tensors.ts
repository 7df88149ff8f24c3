/** Fixture specs -> qtorch tensors. */
import {
  type Tensor, _emptyPerChannelAffineQuantized, dtypeFromName, emptyAffineQuantized, float32, fromValues, tensor,
} from '@qtorch/qtensor';
import { type GoldenPlainTensor, type GoldenTensor, goldenValues, isGoldenQTensor } from './golden.js';

/**
 * Builds the tensor a fixture spec describes. Floats keep their exact float32 / float64 bits
 * ('nan' / 'inf' / '-inf' restored); quantized specs become quantized tensors with the
 * recorded qparams and integer representation (float zero points -> float-qparams scheme).
 */
export function tensorFromGolden(spec: GoldenTensor): Tensor {
  if (isGoldenQTensor(spec)) {
    const dtype = dtypeFromName(spec.dtype);
    const t = spec.qscheme.startsWith('per_channel')
      ? _emptyPerChannelAffineQuantized(spec.shape, {
          scales: spec.scales!,
          zeroPoints: spec.qscheme === 'per_channel_affine_float_qparams'
            ? tensor(spec.zero_points!, { dtype: float32 })
            : spec.zero_points!,
          axis: spec.axis!,
          dtype,
        })
      : emptyAffineQuantized(spec.shape, { scale: spec.scale!, zeroPoint: spec.zero_point!, dtype });
    t.data.set(spec.int_repr);
    return t;
  }
  const plain = spec as GoldenPlainTensor;
  return fromValues(goldenValues(plain), plain.shape, dtypeFromName(plain.dtype));
}
