/**
 * Native `quantized::conv2d(_relu)` and `quantized::conv1d(_relu)` (a 1-d conv is a 2-d conv
 * of height 1), with the reference kernel's signature (qtensor src/quantized/ops/conv.ts) and
 * bit-exact results. Transposed and 3-d convolutions fall back to the reference.
 */
import type { Conv2dGeometry } from '../binding.js';
import type { ConvPackedLike, QTensor } from '../qtensor_api.js';
import { type OpContext, readInput8, withFallback, wrapQuantized } from './common.js';
import type { NativeWeightCache } from './weights.js';

/** The native geometry of `x` under `p` (2-d, or 1-d as height 1), or null if not covered. */
function geometryOf(x: QTensor, p: ConvPackedLike, dims: 1 | 2): Conv2dGeometry | null {
  const g = p.geometry, ks = p.weight.shape.slice(2);
  if (g.transposed || p.spatialDims !== dims || x.shape.length !== dims + 2) return null;
  const [b, c] = x.shape as [number, number];
  if (dims === 2) {
    const [h, w] = x.shape.slice(2) as [number, number];
    return [b, c, h, w, ks[0]!, ks[1]!, g.stride[0]!, g.stride[1]!, g.padding[0]!, g.padding[1]!, g.dilation[0]!, g.dilation[1]!];
  }
  return [b, c, 1, x.shape[2]!, 1, ks[0]!, 1, g.stride[0]!, 0, g.padding[0]!, 1, g.dilation[0]!];
}

/** Output size along one dim (PyTorch's formula). */
const outSize = (n: number, k: number, s: number, p: number, d: number): number => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

/** `quantized::conv{dims}d` / `_relu`: (x, packed, outScale, outZeroPoint) -> quantized tensor. */
export function nativeConv(ctx: OpContext, weights: NativeWeightCache, dims: 1 | 2, relu: boolean) {
  const op = `quantized::conv${dims}d${relu ? '_relu' : ''}`;
  return withFallback(ctx, op, (x: QTensor, packed: ConvPackedLike, outScale: number, outZeroPoint: number) => {
    const geo = geometryOf(x, packed, dims);
    const xi = geo && readInput8(x);
    if (!geo || !xi) return null;
    const [b, , ih, iw, kh, kw, sh, sw, ph, pw, dh, dw] = geo;
    const oh = outSize(ih, kh, sh, ph, dh), ow = outSize(iw, kw, sw, pw, dw);
    const y = ctx.binding.qconv2d(xi.ints, geo, xi.zeroPoint, weights.conv(packed), xi.scale, packed.weight.scales, packed.bias,
      outScale, outZeroPoint, relu);
    const shape = dims === 2 ? [b, packed.outChannels, oh, ow] : [b, packed.outChannels, ow];
    return wrapQuantized(ctx.qt, y, shape, x.dtype, outScale, outZeroPoint);
  });
}
