/** Test doubles and naive float64 references shared by the numeric suite tests. */
import { Linear, Module } from '@qtorch/nn';
import { type Tensor, quantizePerTensor, quint8, tensor } from '@qtorch/qtensor';

/** y = x W^T + b in float64 over row-major values (x: [n, in]). */
export function naiveLinear(x: ArrayLike<number>, n: number, w: ArrayLike<number>, b: ArrayLike<number>, inF: number, outF: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < outF; o++) {
      let s = b[o]!;
      for (let k = 0; k < inF; k++) s += x[i * inF + k]! * w[o * inF + k]!;
      out.push(s);
    }
  }
  return out;
}

/** Float values of a tensor (dequantized when quantized). */
export function vals(t: Tensor): number[] {
  return t.toArray();
}

/**
 * A stand-in "quantized Linear": runs a float Linear on the dequantized input and quantizes
 * the output with fixed qparams. A distinct class, so the suite treats it as quantized.
 */
export class FakeQuantLinear extends Module {
  constructor(readonly inner: Linear, readonly scale = 0.05, readonly zeroPoint = 128) {
    super();
  }
  forward(x: Tensor): Tensor {
    const xf = x.isQuantized ? x.dequantize() : x;
    return quantizePerTensor(this.inner.call(xf), this.scale, this.zeroPoint, quint8);
  }
}

/** A float functional module (FloatFunctional's interface, float math). */
export class FloatOps extends Module {
  forward(x: Tensor): Tensor { return x; }
  add(x: Tensor, y: Tensor): Tensor { return x.add(y); }
  addScalar(x: Tensor, y: number): Tensor { return x.add(y); }
  mul(x: Tensor, y: Tensor): Tensor { return x.mul(y); }
  mulScalar(x: Tensor, y: number): Tensor { return x.mul(y); }
  cat(xs: Tensor[]): Tensor { return tensor(xs.flatMap((t) => t.toArray())); }
  addRelu(x: Tensor, y: Tensor): Tensor { return x.add(y).relu(); }
}

/** Its "quantized" twin: float math on dequantized inputs, output quantized (scale 0.1, zp 100). */
export class QuantOps extends FloatOps {
  private q(t: Tensor): Tensor { return quantizePerTensor(t, 0.1, 100, quint8); }
  private d(t: Tensor): Tensor { return t.isQuantized ? t.dequantize() : t; }
  override add(x: Tensor, y: Tensor): Tensor { return this.q(super.add(this.d(x), this.d(y))); }
  override addScalar(x: Tensor, y: number): Tensor { return this.q(super.addScalar(this.d(x), y)); }
  override mul(x: Tensor, y: Tensor): Tensor { return this.q(super.mul(this.d(x), this.d(y))); }
  override mulScalar(x: Tensor, y: number): Tensor { return this.q(super.mulScalar(this.d(x), y)); }
  override cat(xs: Tensor[]): Tensor { return this.q(super.cat(xs.map((t) => this.d(t)))); }
  override addRelu(x: Tensor, y: Tensor): Tensor { return this.q(super.addRelu(this.d(x), this.d(y))); }
}
