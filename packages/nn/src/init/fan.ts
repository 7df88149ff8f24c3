/** Fan computation and recommended gains (torch.nn.init.calculate_gain / _calculate_fan_in_and_fan_out). */
import { QTorchShapeError, QTorchValueError, type Tensor, fmtShape } from '@qtorch/qtensor';

/** Nonlinearity names `calculateGain` knows (PyTorch's strings). */
export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** Which fan `kaiming*_` preserves the variance of. */
export type FanMode = 'fan_in' | 'fan_out';

const LINEAR_FNS = new Set(['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid']);

/**
 * The recommended gain for a nonlinearity (1 for linear/conv/sigmoid, 5/3 for tanh, sqrt(2)
 * for relu, sqrt(2 / (1 + slope^2)) for leaky_relu with `param` the slope (default 0.01), 3/4 for selu).
 * @example calculateGain('leaky_relu', { param: 0.2 })
 */
export function calculateGain(nonlinearity: Nonlinearity, options: { param?: number | null } = {}): number {
  const { param = null } = options;
  if (LINEAR_FNS.has(nonlinearity)) return 1;
  if (nonlinearity === 'tanh') return 5 / 3;
  if (nonlinearity === 'relu') return Math.SQRT2;
  if (nonlinearity === 'selu') return 3 / 4;
  if (nonlinearity === 'leaky_relu') {
    let slope = 0.01;
    if (param !== null) {
      if (typeof param !== 'number' || Number.isNaN(param)) throw new QTorchValueError(`calculateGain(): negative_slope ${String(param)} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2 / (1 + slope * slope));
  }
  throw new QTorchValueError(`calculateGain(): Unsupported nonlinearity ${String(nonlinearity)}`);
}

/** `[fanIn, fanOut]` of a weight: dim 1 / dim 0 times the receptive field (the product of dims 2..). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new QTorchShapeError(`calculateFanInAndFanOut(): Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape ${fmtShape(t.shape)})`);
  }
  let receptive = 1;
  for (let d = 2; d < t.ndim; d++) receptive *= t.shape[d]!;
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

/** The fan selected by `mode`. @internal */
export function correctFan(t: Tensor, mode: FanMode, op: string): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new QTorchValueError(`${op}(): Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fanIn : fanOut;
}
