/** Variance-scaling initializations: xavier (Glorot) and kaiming (He), uniform and normal. */
import type { Tensor } from '@qtorch/qtensor';
import { type FanMode, type Nonlinearity, calculateFanInAndFanOut, calculateGain, correctFan } from './fan.js';
import { type RandomFillOptions, normal_, uniform_ } from './fill.js';

/** Options of the xavier initializations. */
export interface XavierOptions extends RandomFillOptions {
  /** Scaling factor (default 1). */
  gain?: number;
}

/** Options of the kaiming initializations. */
export interface KaimingOptions extends RandomFillOptions {
  /** Negative slope of the rectifier that follows (leaky_relu only; default 0). */
  a?: number;
  /** Preserve the variance of the forward ('fan_in', default) or backward ('fan_out') pass. */
  mode?: FanMode;
  /** The nonlinearity that follows (default 'leaky_relu'). */
  nonlinearity?: Nonlinearity;
}

function xavierStd(t: Tensor, gain: number): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/** U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, options: XavierOptions = {}): Tensor {
  const bound = Math.sqrt(3) * xavierStd(t, options.gain ?? 1);
  return uniform_(t, { a: -bound, b: bound, generator: options.generator });
}

/** N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, options: XavierOptions = {}): Tensor {
  return normal_(t, { mean: 0, std: xavierStd(t, options.gain ?? 1), generator: options.generator });
}

function kaimingStd(t: Tensor, options: KaimingOptions, op: string): number {
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = options;
  const fan = correctFan(t, mode, op);
  return calculateGain(nonlinearity, { param: a }) / Math.sqrt(fan);
}

/**
 * U(-b, b) with b = gain * sqrt(3 / fan). Layers default to `{ a: Math.sqrt(5) }`, which
 * gives b = 1 / sqrt(fanIn).
 */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.numel() === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd(t, options, 'kaimingUniform_');
  return uniform_(t, { a: -bound, b: bound, generator: options.generator });
}

/** N(0, std^2) with std = gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.numel() === 0) return t;
  return normal_(t, { mean: 0, std: kaimingStd(t, options, 'kaimingNormal_'), generator: options.generator });
}
