/** Linear layers' functional forms: `linear` (qtensor's) and `bilinear`. */
import { assertTensor, QTorchShapeError, type Tensor, add, bmm, fmtShape, linear as linearOp } from '@qtorch/qtensor';

export { linear } from '@qtorch/qtensor';

/**
 * `F.bilinear`: y[..., o] = x1[..., :] W[o] x2[..., :]^T + b[o], with `weight` [out, in1, in2].
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  for (const [arg, t] of [['input1', input1], ['input2', input2], ['weight', weight]] as const) assertTensor(t, 'bilinear', arg);
  const [O, I, J] = weight.shape as [number, number, number];
  const lead = input1.shape.slice(0, -1);
  if (weight.ndim !== 3 || input1.shape[input1.ndim - 1] !== I || input2.shape[input2.ndim - 1] !== J || input2.shape.slice(0, -1).join() !== lead.join()) {
    throw new QTorchShapeError(`bilinear(): expected input1 [..., ${I}], input2 [..., ${J}] with equal leading dims for weight ${fmtShape(weight.shape)}, got ${fmtShape(input1.shape)} and ${fmtShape(input2.shape)}`);
  }
  const N = lead.reduce((a, b) => a * b, 1);
  // u[n, o, j] = sum_i x1[n, i] W[o, i, j], then y[n, o] = sum_j u[n, o, j] x2[n, j]
  const u = linearOp(input1.reshape(N, I), weight.permute(0, 2, 1).reshape(O * J, I)).view(N, O, J);
  let y = bmm(u, input2.reshape(N, J, 1)).view(N, O);
  if (bias) y = add(y, bias);
  return y.reshape([...lead, O]);
}
