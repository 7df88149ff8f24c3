/**
 * Module wrappers of tensor arithmetic, so eager-mode quantization can observe and swap it:
 * `FloatFunctional` (float ops + an observer slot), `FXFloatFunctional` (the same without
 * observers, for FX), and `QFunctional` (the quantized ops with output `scale` / `zeroPoint`).
 * Call the methods (`ff.add(a, b)`), not `call()`.
 */
import {
  QTorchTypeError, QTorchValueError, type Tensor, add as addImpl, cat as catImpl, matmul as matmulImpl, mul as mulImpl,
  quantizedAdd, quantizedAddRelu, quantizedAddScalar, quantizedConcat, quantizedMatmul, quantizedMul, quantizedMulScalar,
  relu as reluImpl, traceable,
} from '@qtorch/qtensor';
import { Identity, type LoadContext, Module, type StateDict, moduleName, typeOf } from '@qtorch/nn';
import { loadOutputQparams, saveOutputQparams } from './state.js';
import { activationObserver, pyFloat, scalarQparams } from './utils.js';

// The float ops under their FX names, so a model using FloatFunctional stays symbolically
// traceable (PyTorch's tracer sees torch.add inside FloatFunctional.add the same way).
const add = traceable('torch.add', addImpl);
const mul = traceable('torch.mul', mulImpl);
const cat = traceable('torch.cat', catImpl);
const matmul = traceable('torch.matmul', matmulImpl);
const relu = traceable('torch.relu', reluImpl);

const noForward = (m: Module): never => {
  throw new QTorchValueError(`${moduleName(m)} is not intended to use the 'forward'. Please use the underlying operation (add, mul, cat, ...)`);
};

/**
 * Float `add`, `mul`, `cat`, ... whose results pass through `activation_post_process` (an
 * Identity until prepare puts an observer there).
 * @example this.skip = new FloatFunctional(); ... y = this.skip.add(a, b);
 */
export class FloatFunctional extends Module {
  /** Observer of the op's output (Identity until prepare inserts one). */
  activation_post_process: Module = new Identity();

  forward(): never {
    return noForward(this);
  }

  private observe(r: Tensor): Tensor {
    return this.activation_post_process.call(r) as Tensor;
  }

  /** `x + y` (observed). */
  add(x: Tensor, y: Tensor): Tensor {
    return this.observe(add(x, y));
  }

  /** `x + c` (not observed: the quantized op derives its qparams). */
  addScalar(x: Tensor, y: number): Tensor {
    return add(x, y);
  }

  /** `x * y` (observed). */
  mul(x: Tensor, y: Tensor): Tensor {
    return this.observe(mul(x, y));
  }

  /** `x * c` (not observed). */
  mulScalar(x: Tensor, y: number): Tensor {
    return mul(x, y);
  }

  /** `cat(xs, dim)` (observed). */
  cat(xs: readonly Tensor[], dim = 0): Tensor {
    return this.observe(cat(xs, dim));
  }

  /** `relu(x + y)` (observed). */
  addRelu(x: Tensor, y: Tensor): Tensor {
    return this.observe(relu(add(x, y)));
  }

  /** `x @ y` (observed). */
  matmul(x: Tensor, y: Tensor): Tensor {
    return this.observe(matmul(x, y));
  }
}

/** FloatFunctional for FX graph mode: the same float ops, no observer slot. */
export class FXFloatFunctional extends Module {
  forward(): never {
    return noForward(this);
  }

  /** `x + y` (float). */
  add(x: Tensor, y: Tensor): Tensor {
    return add(x, y);
  }

  /** `x + y` for a number y (float). */
  addScalar(x: Tensor, y: number): Tensor {
    return add(x, y);
  }

  /** `x * y` (float). */
  mul(x: Tensor, y: Tensor): Tensor {
    return mul(x, y);
  }

  /** `x * y` for a number y (float). */
  mulScalar(x: Tensor, y: number): Tensor {
    return mul(x, y);
  }

  /** `torch.cat(xs, dim)` (float). */
  cat(xs: readonly Tensor[], dim = 0): Tensor {
    return cat(xs, dim);
  }

  /** `relu(x + y)` (float). */
  addRelu(x: Tensor, y: Tensor): Tensor {
    return relu(add(x, y));
  }

  /** `x @ y` (float). */
  matmul(x: Tensor, y: Tensor): Tensor {
    return matmul(x, y);
  }
}

/**
 * The quantized counterpart of FloatFunctional: quantized ops producing `scale` / `zeroPoint`
 * (the scalar variants derive theirs from the input, as PyTorch's do).
 * @example const qf = QFunctional.fromFloat(observedFloatFunctional); qf.add(qa, qb);
 */
export class QFunctional extends Module {
  /** Output scale. */
  scale = 1;
  /** Output zero point. */
  zeroPoint = 0;
  /** Kept for state-dict compatibility with FloatFunctional (Identity). */
  activation_post_process: Module = new Identity();

  forward(): never {
    return noForward(this);
  }

  private observe(r: Tensor): Tensor {
    return this.activation_post_process.call(r) as Tensor;
  }

  /** Quantized `x + y`, output at this module's scale and zero point. */
  add(x: Tensor, y: Tensor): Tensor {
    return this.observe(quantizedAdd(x, y, this.scale, this.zeroPoint));
  }

  /** Quantized `x + y` for a number y (output qparams derived from the input's, as PyTorch). */
  addScalar(x: Tensor, y: number): Tensor {
    return quantizedAddScalar(x, y);
  }

  /** Quantized `x * y`, output at this module's scale and zero point. */
  mul(x: Tensor, y: Tensor): Tensor {
    return this.observe(quantizedMul(x, y, this.scale, this.zeroPoint));
  }

  /** Quantized `x * y` for a number y (output qparams derived from the input's, as PyTorch). */
  mulScalar(x: Tensor, y: number): Tensor {
    return quantizedMulScalar(x, y);
  }

  /** Quantized concatenation along `dim`, output at this module's scale and zero point. */
  cat(xs: readonly Tensor[], dim = 0): Tensor {
    return this.observe(quantizedConcat(xs, dim, this.scale, this.zeroPoint));
  }

  /** Quantized `relu(x + y)`, output at this module's scale and zero point. */
  addRelu(x: Tensor, y: Tensor): Tensor {
    return this.observe(quantizedAddRelu(x, y, this.scale, this.zeroPoint));
  }

  /** Quantized `x @ y`, output at this module's scale and zero point. */
  matmul(x: Tensor, y: Tensor): Tensor {
    return this.observe(quantizedMatmul(x, y, this.scale, this.zeroPoint));
  }

  override extraRepr(): string {
    return `scale=${pyFloat(this.scale)}, zero_point=${this.zeroPoint}`;
  }

  override _saveToStateDict(dest: StateDict, prefix: string, keepVars: boolean): void {
    super._saveToStateDict(dest, prefix, keepVars);
    saveOutputQparams(this, dest, prefix);
  }

  override _loadFromStateDict(sd: StateDict, prefix: string, ctx: LoadContext): void {
    super._loadFromStateDict(loadOutputQparams(this, sd, prefix, ctx), prefix, ctx);
  }

  /** From an observed FloatFunctional: its observer's qparams. */
  static fromFloat(mod: Module): QFunctional {
    if (typeOf(mod) !== FloatFunctional) throw new QTorchTypeError(`QFunctional.fromFloat(): expects an instance of FloatFunctional, got ${moduleName(mod)}`);
    const q = new QFunctional();
    [q.scale, q.zeroPoint] = scalarQparams(activationObserver(mod, 'QFunctional'));
    return q;
  }
}
