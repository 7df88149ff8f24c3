/**
 * dropout (elementwise) and dropout1d/2d/3d (whole channels), drawing from the seeded
 * default generator: kept values are scaled by 1 / (1 - p) so the expectation is unchanged.
 * In evaluation mode (or p = 0) the input is returned as is.
 */
import { recordOp } from '../autograd.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import { type Generator, defaultGenerator } from '../random.js';
import { shapeNumel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { allocFloat, allocGrad, checkFloat, floatTensor, gradTensor, resultDtype } from './float_io.js';
import { checkOptions } from '../args.js';

/** Options of the dropout ops. */
export interface DropoutOptions {
  /** Probability of zeroing an element / channel (default 0.5). */
  p?: number;
  /** Apply dropout (default true); false returns the input. */
  training?: boolean;
  /** Random source (default: the global seeded generator). */
  generator?: Generator;
}

function checkP(p: number, op: string): void {
  if (!(p >= 0 && p <= 1)) throw new QTorchValueError(`${op}(): dropout probability has to be between 0 and 1, but got ${p}`);
}

/** Applies a keep-mask with one entry per `group` consecutive elements, scaled by 1 / (1 - p). */
function maskedScale(name: string, x: Tensor, p: number, group: number, gen: Generator): Tensor {
  const xv = x.values();
  const groups = group > 0 ? xv.length / group : 0;
  // p = 1 keeps nothing; the 0 scale avoids 0 * Infinity
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = new Float64Array(groups);
  for (let k = 0; k < groups; k++) mask[k] = gen.random() < p ? 0 : scale;
  const dtype = resultDtype(x);
  const out = allocFloat(xv.length, dtype);
  for (let i = 0; i < xv.length; i++) out[i] = mask[Math.floor(i / group)]! === 0 ? 0 : xv[i]! * mask[Math.floor(i / group)]!;
  return recordOp(name, floatTensor(out, x.shape, dtype), [x], (g) => {
    const gv = g.values();
    const gx = allocGrad(x);
    for (let i = 0; i < gx.length; i++) gx[i] = gv[i]! * mask[Math.floor(i / group)]!;
    return [gradTensor(gx, x)];
  });
}

/** Zeroes each element with probability p and scales the rest by 1 / (1 - p). */
export function dropout(x: Tensor, opts: DropoutOptions = {}): Tensor {
  checkOptions(opts, 'dropout');
  const { p = 0.5, training = true, generator = defaultGenerator } = opts;
  checkP(p, 'dropout');
  checkFloat(x, 'dropout');
  if (!training || p === 0) return x;
  return maskedScale('Dropout', x, p, 1, generator);
}

/**
 * Zeroes whole channels: the input is (N, C, *spatial) or (C, *spatial) with `spatialDims`
 * trailing spatial dims, and each (sample, channel) is kept or dropped as one.
 */
function featureDropout(op: string, x: Tensor, spatialDims: number, opts: DropoutOptions): Tensor {
  checkOptions(opts, op);
  const { p = 0.5, training = true, generator = defaultGenerator } = opts;
  checkP(p, op);
  checkFloat(x, op);
  if (x.ndim !== spatialDims + 1 && x.ndim !== spatialDims + 2) {
    throw new QTorchShapeError(`${op}(): Expected ${spatialDims + 1}D or ${spatialDims + 2}D input, but received a ${x.ndim}D input of shape ${fmtShape(x.shape)}`);
  }
  if (!training || p === 0) return x;
  return maskedScale('FeatureDropout', x, p, shapeNumel(x.shape.slice(x.ndim - spatialDims)), generator);
}

/** Channel dropout for (N, C, L) or (C, L) inputs. */
export const dropout1d = (x: Tensor, opts: DropoutOptions = {}): Tensor => featureDropout('dropout1d', x, 1, opts);
/** Channel dropout for (N, C, H, W) or (C, H, W) inputs. */
export const dropout2d = (x: Tensor, opts: DropoutOptions = {}): Tensor => featureDropout('dropout2d', x, 2, opts);
/** Channel dropout for (N, C, D, H, W) or (C, D, H, W) inputs. */
export const dropout3d = (x: Tensor, opts: DropoutOptions = {}): Tensor => featureDropout('dropout3d', x, 3, opts);
