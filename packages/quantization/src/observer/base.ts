/**
 * `ObserverBase` and the `withArgs` factories that QConfig holds (PyTorch's `_with_args` /
 * `_PartialWrapper`): a factory is callable, builds a new instance per call, and chains.
 */
import { type DType, type Tensor, float32, fromValues } from '@qtorch/qtensor';
import { ModuleBase } from './module_base.js';

/** Constructor keyword arguments of an observer / fake quantizer (camelCase PyTorch names). */
export type Args = Record<string, unknown>;

/**
 * A factory made by `withArgs`: `factory()` builds a new instance with the bound arguments
 * (plus callable arguments evaluated at each call); `factory.withArgs(more)` merges more.
 */
export interface Factory<T = unknown> {
  (): T;
  /** The class being built. */
  readonly cls: new (opts?: any) => T;
  /** The bound keyword arguments (PyTorch's `partial.keywords`). */
  readonly args: Readonly<Args>;
  /** Arguments computed by calling a function at each construction. */
  readonly callableArgs: Readonly<Record<string, () => unknown>>;
  /** A new factory with `args` merged over the bound ones. */
  withArgs(args: Args): Factory<T>;
  /** A new factory with arguments computed at construction time. */
  withCallableArgs(args: Record<string, () => unknown>): Factory<T>;
}

/** Builds a factory for `cls` with bound `args` and `callableArgs`. */
export function makeFactory<T>(
  cls: new (opts?: any) => T, args: Args = {}, callableArgs: Record<string, () => unknown> = {},
): Factory<T> {
  const build = (): T => {
    const computed: Args = {};
    for (const [k, fn] of Object.entries(callableArgs)) if (!(k in args)) computed[k] = fn();
    return new cls({ ...args, ...computed });
  };
  return Object.assign(build, {
    cls,
    args: { ...args },
    callableArgs: { ...callableArgs },
    withArgs: (more: Args) => makeFactory(cls, { ...args, ...more }, callableArgs),
    withCallableArgs: (more: Record<string, () => unknown>) => makeFactory(cls, args, { ...callableArgs, ...more }),
  });
}

/** Whether `x` is a factory made by `withArgs` (not an instance). */
export function isFactory(x: unknown): x is Factory {
  return typeof x === 'function' && 'cls' in x && 'withArgs' in x;
}

/** Options every observer takes. */
export interface ObserverBaseOptions {
  /** dtype of the quantize node the observer configures. */
  dtype?: DType;
  /** Whether this observer configures dynamic quantization. */
  isDynamic?: boolean;
}

/**
 * Base observer module: `forward(x)` records statistics and returns `x`;
 * `calculateQparams()` turns them into `[scale, zeroPoint]` tensors.
 */
export abstract class ObserverBase extends ModuleBase {
  /** dtype of the quantized tensor the observer's qparams are for. */
  dtype: DType;
  /** Whether the qparams are computed at run time (dynamic quantization). */
  isDynamic: boolean;
  private readonly _bufferValues = new Map<string, Tensor>();

  /** @param opts - `dtype` observed for, and `isDynamic`. */
  constructor(opts: ObserverBaseOptions & { dtype: DType }) {
    super();
    this.dtype = opts.dtype;
    this.isDynamic = opts.isDynamic ?? false;
  }

  /** PyTorch's `with_args`: a factory building this class with `args` bound. */
  static withArgs<T>(this: new (opts?: any) => T, args: Args = {}): Factory<T> {
    return makeFactory(this, args);
  }

  /** PyTorch's `with_callable_args`: arguments computed by calling functions at construction. */
  static withCallableArgs<T>(this: new (opts?: any) => T, args: Record<string, () => unknown>): Factory<T> {
    return makeFactory(this, {}, args);
  }

  /** Records statistics of `x` and returns `x` unchanged. */
  abstract override forward(x: Tensor): Tensor;

  /** Quantization parameters from the statistics so far. */
  abstract calculateQparams(): [Tensor, Tensor];

  /** PyTorch's `extra_repr`. */
  override extraRepr(): string {
    return '';
  }

  /** `ClassName(extraRepr)`, as PyTorch prints modules. */
  override toString(): string {
    return `${this.constructor.name}(${this.extraRepr()})`;
  }

  /** Sets a buffer (registered under its PyTorch state-dict name). */
  protected setBuffer(name: string, value: Tensor): void {
    this._bufferValues.set(name, value);
    this.registerBuffer(name, value);
  }

  /** Reads a buffer set with `setBuffer`. */
  protected buffer(name: string): Tensor {
    return this._bufferValues.get(name)!;
  }

  /** Overwrites a float32 buffer with new values (replacing it when the size changes). */
  protected writeFloatBuffer(name: string, values: ArrayLike<number>, shape: readonly number[]): void {
    const cur = this._bufferValues.get(name);
    if (cur && cur.offset === 0 && cur.numel() === values.length && cur.shape.length === shape.length && cur.isContiguous()) {
      (cur.data as Float32Array).set(values, 0);
    } else {
      this.setBuffer(name, fromValues(values, shape, float32));
    }
  }
}
