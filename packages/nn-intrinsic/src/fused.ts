/**
 * Float fused modules (torch.ao.nn.intrinsic): Sequential containers that module fusion
 * produces, so that prepare / convert can swap a whole pattern (conv + bn + relu) for one
 * QAT or quantized module. Each checks its modules' exact classes, as PyTorch does.
 */
import { QTorchTypeError, type Tensor } from '@qtorch/qtensor';
import {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, Conv1d, Conv2d, Conv3d, LeakyReLU, Linear, Module, type ModuleClass, ReLU, Sequential, Tanh,
  moduleName, typeOf,
} from '@qtorch/nn';

/**
 * Base of the float fused modules (PyTorch's `_FusedModule`, a Sequential). QAT and quantized
 * fused classes cannot extend it (they extend Conv2d, Linear, ...); they set the static
 * `_isFusedModule` instead, and `isFusedModule` recognizes both.
 */
export abstract class _FusedModule extends Sequential {
  /** @internal Marks fused module classes (PyTorch's `_FusedModule` check; see `isFusedModule`). */
  static readonly _isFusedModule = true;

  /** Runs the modules in order (Sequential's forward, typed for tensors). */
  override forward(input: Tensor): Tensor {
    return super.forward(input) as Tensor;
  }
}

/** Whether `m` is a fused module: a float `_FusedModule`, or a QAT / quantized fused class. */
export function isFusedModule(m: unknown): m is Module {
  return m instanceof Module && (m.constructor as { _isFusedModule?: boolean })._isFusedModule === true;
}

/** Checks that `mods` are exactly of the `expected` classes (no subclasses), then returns them. */
function checked(cls: string, mods: readonly unknown[], expected: readonly ModuleClass[]): Module[] {
  const ok = mods.length === expected.length && mods.every((m, i) => m instanceof Module && typeOf(m) === expected[i]);
  if (!ok) {
    const got = mods.map((m) => (m instanceof Module ? moduleName(m) : m === null ? 'null' : typeof m)).join(', ');
    throw new QTorchTypeError(`${cls}(): Incorrect types for input modules: expected (${expected.map((c) => c.name).join(', ')}), got (${got})`);
  }
  return mods as Module[];
}

/** Conv1d followed by ReLU. */
export class ConvReLU1d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Conv1d and a ReLU. */
  constructor(conv: Conv1d, relu: ReLU) {
    super(...checked('ConvReLU1d', [conv, relu], [Conv1d, ReLU]));
  }
}

/**
 * Conv2d followed by ReLU.
 * @example new ConvReLU2d(new Conv2d(3, 8, 3), new ReLU())
 */
export class ConvReLU2d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Conv2d and a ReLU. */
  constructor(conv: Conv2d, relu: ReLU) {
    super(...checked('ConvReLU2d', [conv, relu], [Conv2d, ReLU]));
  }
}

/** Conv3d followed by ReLU. */
export class ConvReLU3d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Conv3d and a ReLU. */
  constructor(conv: Conv3d, relu: ReLU) {
    super(...checked('ConvReLU3d', [conv, relu], [Conv3d, ReLU]));
  }
}

/** Linear followed by ReLU. */
export class LinearReLU extends _FusedModule {
  /** @throws QTorchTypeError unless given a Linear and a ReLU. */
  constructor(linear: Linear, relu: ReLU) {
    super(...checked('LinearReLU', [linear, relu], [Linear, ReLU]));
  }
}

/** Conv1d followed by BatchNorm1d (QAT folds the BN; eager fusion folds it into the conv). */
export class ConvBn1d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Conv1d and a BatchNorm1d. */
  constructor(conv: Conv1d, bn: BatchNorm1d) {
    super(...checked('ConvBn1d', [conv, bn], [Conv1d, BatchNorm1d]));
  }
}

/** Conv2d followed by BatchNorm2d. */
export class ConvBn2d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Conv2d and a BatchNorm2d. */
  constructor(conv: Conv2d, bn: BatchNorm2d) {
    super(...checked('ConvBn2d', [conv, bn], [Conv2d, BatchNorm2d]));
  }
}

/** Conv3d followed by BatchNorm3d. */
export class ConvBn3d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Conv3d and a BatchNorm3d. */
  constructor(conv: Conv3d, bn: BatchNorm3d) {
    super(...checked('ConvBn3d', [conv, bn], [Conv3d, BatchNorm3d]));
  }
}

/** Conv1d, BatchNorm1d, ReLU. */
export class ConvBnReLU1d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Conv1d, a BatchNorm1d and a ReLU. */
  constructor(conv: Conv1d, bn: BatchNorm1d, relu: ReLU) {
    super(...checked('ConvBnReLU1d', [conv, bn, relu], [Conv1d, BatchNorm1d, ReLU]));
  }
}

/**
 * Conv2d, BatchNorm2d, ReLU: what `fuseModulesQat([['conv', 'bn', 'relu']])` produces.
 * @example new ConvBnReLU2d(new Conv2d(3, 4, 3), new BatchNorm2d(4), new ReLU())
 */
export class ConvBnReLU2d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Conv2d, a BatchNorm2d and a ReLU. */
  constructor(conv: Conv2d, bn: BatchNorm2d, relu: ReLU) {
    super(...checked('ConvBnReLU2d', [conv, bn, relu], [Conv2d, BatchNorm2d, ReLU]));
  }
}

/** Conv3d, BatchNorm3d, ReLU. */
export class ConvBnReLU3d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Conv3d, a BatchNorm3d and a ReLU. */
  constructor(conv: Conv3d, bn: BatchNorm3d, relu: ReLU) {
    super(...checked('ConvBnReLU3d', [conv, bn, relu], [Conv3d, BatchNorm3d, ReLU]));
  }
}

/** BatchNorm2d followed by ReLU. */
export class BNReLU2d extends _FusedModule {
  /** @throws QTorchTypeError unless given a BatchNorm2d and a ReLU. */
  constructor(batchNorm: BatchNorm2d, relu: ReLU) {
    super(...checked('BNReLU2d', [batchNorm, relu], [BatchNorm2d, ReLU]));
  }
}

/** BatchNorm3d followed by ReLU. */
export class BNReLU3d extends _FusedModule {
  /** @throws QTorchTypeError unless given a BatchNorm3d and a ReLU. */
  constructor(batchNorm: BatchNorm3d, relu: ReLU) {
    super(...checked('BNReLU3d', [batchNorm, relu], [BatchNorm3d, ReLU]));
  }
}

/** Linear followed by BatchNorm1d. */
export class LinearBn1d extends _FusedModule {
  /** @throws QTorchTypeError unless given a Linear and a BatchNorm1d. */
  constructor(linear: Linear, bn: BatchNorm1d) {
    super(...checked('LinearBn1d', [linear, bn], [Linear, BatchNorm1d]));
  }
}

/** Linear followed by LeakyReLU (an onednn fusion). */
export class LinearLeakyReLU extends _FusedModule {
  /** @throws QTorchTypeError unless given a Linear and a LeakyReLU. */
  constructor(linear: Linear, leakyRelu: LeakyReLU) {
    super(...checked('LinearLeakyReLU', [linear, leakyRelu], [Linear, LeakyReLU]));
  }
}

/** Linear followed by Tanh (an onednn fusion). */
export class LinearTanh extends _FusedModule {
  /** @throws QTorchTypeError unless given a Linear and a Tanh. */
  constructor(linear: Linear, tanh: Tanh) {
    super(...checked('LinearTanh', [linear, tanh], [Linear, Tanh]));
  }
}

/** The binary op of ConvAdd2d: `add(convOutput, extraInput)` (PyTorch passes `torch.add`). */
export type AddFn = (a: Tensor, b: Tensor) => Tensor;

/**
 * Conv2d whose output is added to a second input: `forward(x1, x2) = add(conv(x1), x2)`.
 * `add` is a plain function attribute (not a module), as in PyTorch.
 */
export class ConvAdd2d extends _FusedModule {
  /** The function adding the second input (`torch.add`), a plain attribute as in PyTorch. */
  add: AddFn;
  /**
   * @param conv - The convolution.
   * @param add - The addition, `(a, b) => a + b`.
   * @throws QTorchTypeError unless `conv` is a Conv2d.
   */
  constructor(conv: Conv2d, add: AddFn) {
    super(...checked('ConvAdd2d', [conv], [Conv2d]));
    this.add = add;
  }

  override forward(x1: Tensor, x2?: Tensor): Tensor {
    return this.add((this.at(0) as Conv2d).call(x1), requireSecond(x2, 'ConvAdd2d'));
  }
}

/** `relu(add(conv(x1), x2))`; `relu` is a child module named `relu`. */
export class ConvAddReLU2d extends _FusedModule {
  /** The function adding the second input (`torch.add`), a plain attribute as in PyTorch. */
  add: AddFn;
  /** The ReLU applied to the sum (child module `relu`). */
  relu: ReLU;
  /**
   * @param conv - The convolution.
   * @param add - The addition, `(a, b) => a + b`.
   * @param relu - The ReLU after the addition.
   * @throws QTorchTypeError unless given a Conv2d and a ReLU.
   */
  constructor(conv: Conv2d, add: AddFn, relu: ReLU) {
    super(...checked('ConvAddReLU2d', [conv, relu], [Conv2d, ReLU]).slice(0, 1));
    this.add = add;
    this.relu = relu;
  }

  override forward(x1: Tensor, x2?: Tensor): Tensor {
    return this.relu.call(this.add((this.at(0) as Conv2d).call(x1), requireSecond(x2, 'ConvAddReLU2d')));
  }
}

function requireSecond(x2: Tensor | undefined, cls: string): Tensor {
  if (x2 === undefined) throw new QTorchTypeError(`${cls}.forward(): expected two inputs (x1, x2), got one`);
  return x2;
}
