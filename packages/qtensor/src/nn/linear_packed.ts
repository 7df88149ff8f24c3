/**
 * Float32 linear layers with their weight packed once, for inference: what PyTorch's prepacked
 * linears (mkldnn, xnnpack) do and what ONNX Runtime does to constant weights when it builds a
 * session. An unpacked `linear` with a native GEMM rearranges the whole weight into the
 * kernel's column panels on every call (for 128 x 1024 x 1024, 4 MB read and written: a sixth
 * of the call); {@link packLinearWeight} does it once and {@link linearPacked} reuses it.
 *
 * The pack is a snapshot: later writes to the weight tensor are not seen (pack again after
 * changing it). Results are the same floats as `linear(x, weight, bias)` on the same machine.
 */
import { isGradEnabled } from '../autograd.js';
import { float32 } from '../dtype.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import { shapeNumel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat } from './float_io.js';
import { NATIVE_GEMM_MIN_MACS } from './gemm.js';
import { linear } from './linalg.js';
import { type FloatPackedWeight, nativeFloatPack, nativeFloatPrepackedGemm } from './native_gemm.js';

/** A float32 linear weight `[out, in]` (and bias `[out]`) packed by {@link packLinearWeight}. */
export class PackedLinearWeight {
  /** @internal Built by {@link packLinearWeight}. */
  constructor(
    /** A float32 copy of the weight: the path for inputs the packed kernel does not take. */
    readonly weight: Tensor,
    /** A float32 copy of the bias, or null. */
    readonly bias: Tensor | null,
    /** The native kernel's panels, or null when no addon packed them. */
    readonly packed: FloatPackedWeight | null,
  ) {}

  /** Output features (the weight's rows). */
  get outFeatures(): number {
    return this.weight.shape[0]!;
  }

  /** Input features (the weight's columns). */
  get inFeatures(): number {
    return this.weight.shape[1]!;
  }
}

/** A contiguous float32 copy of `t` (never sharing its storage). */
const float32Copy = (t: Tensor): Tensor => Tensor.fromTypedArray(Float32Array.from(t.to(float32).values()), [...t.shape], float32);

/**
 * Packs a float linear layer's `weight` `[out, in]` (and `bias` `[out]`) for {@link linearPacked}:
 * into the native GEMM kernel's layout when an addon is loaded, else kept as a float32 copy.
 */
export function packLinearWeight(weight: Tensor, bias?: Tensor | null): PackedLinearWeight {
  const op = 'packLinearWeight';
  checkFloat(weight, op, 'weight');
  if (bias) checkFloat(bias, op, 'bias');
  if (weight.ndim !== 2) throw new QTorchShapeError(`${op}(): weight must be 2-D [out_features, in_features], got ${fmtShape(weight.shape)}`);
  const [nOut, nIn] = weight.shape as [number, number];
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== nOut)) throw new QTorchShapeError(`${op}(): bias must have shape [${nOut}], got ${fmtShape(bias.shape)}`);
  const w = float32Copy(weight);
  const pack = nOut > 0 && nIn > 0 ? nativeFloatPack() : null;
  return new PackedLinearWeight(w, bias ? float32Copy(bias) : null, pack ? pack(w.rawValues() as Float32Array, nOut, nIn) : null);
}

/**
 * `linear(input, weight, bias)` with the weight packed by {@link packLinearWeight}: `input`
 * `[..., in]` -> `[..., out]`. Inference only: no gradient flows to the input (an input that
 * requires grad while grad mode is on is refused).
 */
export function linearPacked(input: Tensor, packed: PackedLinearWeight): Tensor {
  const op = 'linearPacked';
  checkFloat(input, op);
  if (!(packed instanceof PackedLinearWeight)) throw new QTorchValueError(`${op}(): expected a PackedLinearWeight from packLinearWeight, got ${String(packed)}`);
  if (input.requiresGrad && isGradEnabled()) {
    throw new QTorchValueError(`${op}(): inference only, but the input requires grad; call it under noGrad, or use linear()`);
  }
  const nIn = packed.inFeatures, nOut = packed.outFeatures;
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== nIn) {
    throw new QTorchShapeError(`${op}(): input ${fmtShape(input.shape)} has ${input.shape[input.ndim - 1] ?? 0} features, the packed weight expects ${nIn}`);
  }
  const m = shapeNumel(input.shape.slice(0, -1));
  const run = packed.packed && input.dtype === float32 && m * nOut * nIn >= NATIVE_GEMM_MIN_MACS ? nativeFloatPrepackedGemm() : null;
  // what linear() would compute: the TypeScript loops below the native threshold, float64 in float64
  if (!run || !packed.packed) return linear(input, packed.weight, packed.bias);
  const x = input.rawValues() as Float32Array;  // contiguous values (a gathered copy for a strided view)
  const y = run(x, m, nIn, packed.packed, nOut, { bias: packed.bias ? (packed.bias.rawValues() as Float32Array) : null });
  return Tensor.fromTypedArray(y, [...input.shape.slice(0, -1), nOut], float32);
}
