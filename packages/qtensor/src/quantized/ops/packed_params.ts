/**
 * Prepacked weights of quantized linear and convolution (PyTorch's `LinearPackedParamsBase`,
 * `ConvPackedParamsBase`): `linearPrepack(w, b)`, `conv2dPrepack(w, b, stride, ...)`.
 *
 * A packed object remembers the engine that packed it and ops run it on that engine's
 * kernels (PyTorch calls the packed object's own `apply()`, whatever the current engine).
 * `repack(engine)` moves it to another engine. The reference layout is engine-neutral (the
 * qint8 weight, its qparams and the float bias), so packing is validation plus a copy.
 */
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from '../../errors.js';
import { float32, qint8 } from '../../dtype.js';
import { isPerChannel } from '../../quantizer.js';
import { type Engine, backends } from '../../registry.js';
import { Tensor } from '../../tensor.js';
import { assertTensor } from '../../args.js';

/** A qint8 weight read for GEMM: ints row-major, one scale / zero point per output channel. */
export interface PackedWeight {
  /** Weight ints, row-major, shape `shape`. */
  readonly q: Int8Array;
  /** `[N, K]` for linear, `[Cout, Cin/groups, *k]` (or transposed) for conv. */
  readonly shape: readonly number[];
  /**
   * One scale per output channel (per-tensor weights repeat the one scale). A transposed
   * convolution's weight `[Cin, Cout/groups, *k]` has `Cout` entries: its axis-1 qparams repeated
   * for each group.
   */
  readonly scales: Float64Array;
  /** One zero point per output channel (all zero for symmetric weights). */
  readonly zeroPoints: Float64Array;
  /** Whether the weight was quantized per channel. */
  readonly perChannel: boolean;
  /** The weight axis of the output channels (and of per-channel qparams): 0, or 1 when transposed. */
  readonly axis: number;
}

/**
 * Reads a qint8 weight whose output channels run along `axis`; `outChannels` of them in all
 * (more than `shape[axis]` for a grouped transposed convolution, whose groups share the qparams).
 */
function packWeight(w: Tensor, op: string, axis = 0, outChannels = w.shape[axis] ?? 1): PackedWeight {
  if (!w.isQuantized || w.dtype.name !== 'qint8') {
    throw new QTorchTypeError(`${op}(): expected a qint8 quantized weight, got ${w.dtype.torchName}`);
  }
  const qz = w.quantizer!;
  const perChannel = isPerChannel(qz);
  if (perChannel) {
    if (qz.qscheme === 'per_channel_affine_float_qparams') throw new QTorchTypeError(`${op}(): float-qparams weights are for embeddings only`);
    if (qz.axis !== axis) throw new QTorchValueError(`${op}(): per-channel weights must be quantized along axis ${axis} (output channels), got axis ${qz.axis}`);
  }
  const perAxis = w.shape[axis] ?? 1;
  const expand = (v: (c: number) => number): Float64Array => Float64Array.from({ length: outChannels }, (_, oc) => v(oc % perAxis));
  const scales = perChannel ? expand((c) => qz.scales[c]!) : new Float64Array(outChannels).fill(qz.scale);
  const zeroPoints = perChannel ? expand((c) => qz.zeroPoints[c]!) : new Float64Array(outChannels).fill(qz.zeroPoint);
  return { q: Int8Array.from(w.rawValues()), shape: [...w.shape], scales, zeroPoints, perChannel, axis };
}

function unpackWeight(p: PackedWeight): Tensor {
  const w = new Tensor(Int8Array.from(p.q), qint8, p.shape);
  const n = p.shape[p.axis] ?? 1; // per-channel qparams as the weight had them (one group's worth)
  w.quantizer = p.perChannel
    ? { qscheme: 'per_channel_affine', scales: p.scales.slice(0, n), zeroPoints: p.zeroPoints.slice(0, n), axis: p.axis }
    : { qscheme: 'per_tensor_affine', scale: p.scales[0] ?? 1, zeroPoint: p.zeroPoints[0] ?? 0 };
  return w;
}

function packBias(b: Tensor | null | undefined, n: number, op: string): Float32Array | null {
  if (b === null || b === undefined) return null;
  if (b.isQuantized || !b.dtype.isFloatingPoint) throw new QTorchTypeError(`${op}(): expected a float bias, got ${b.dtype.torchName}`);
  if (b.ndim !== 1 || b.shape[0] !== n) {
    throw new QTorchShapeError(`${op}(): expected a bias of shape [${n}] (one per output channel), got ${fmtShape(b.shape)}`);
  }
  return Float32Array.from(b.values());
}

const biasTensor = (b: Float32Array | null): Tensor | null => (b ? new Tensor(Float32Array.from(b), float32, [b.length]) : null);

/** Plain-tensor form of packed linear params (what `__getstate__` gives; `serialize()`). */
export interface LinearPackedState {
  /** Discriminates linear from conv states. */
  kind: 'linear';
  /** The engine the params were packed for. */
  engine: Engine;
  /** The quantized qint8 weight `[N, K]`. */
  weight: Tensor;
  /** The float bias `[N]`, or null. */
  bias: Tensor | null;
}

/** Called with each packed-params object when it is disposed (native addons free their copy). */
export type PackedParamsDisposeHook = (params: object) => void;

const disposeHooks = new Set<PackedParamsDisposeHook>();

/**
 * Registers `hook`, run with every packed-params object whose `dispose()` is called (native
 * kernel addons use it to free their prepacked copy early). Returns the unregister function.
 */
export function onPackedParamsDispose(hook: PackedParamsDisposeHook): () => void {
  if (typeof hook !== 'function') throw new QTorchTypeError(`onPackedParamsDispose(): expected a function, got ${hook === null ? 'null' : typeof hook}`);
  disposeHooks.add(hook);
  return () => disposeHooks.delete(hook);
}

/** The weight of packed params, released by `dispose()`; any later use throws. */
abstract class DisposableWeight {
  #weight: PackedWeight | null;

  constructor(weight: PackedWeight, private readonly kindName: string) {
    this.#weight = weight;
  }

  /** The packed qint8 weight; throws once the params were disposed. */
  get weight(): PackedWeight {
    if (!this.#weight) {
      throw new QTorchValueError(`${this.kindName}: these packed params were disposed (dispose() released their weights); pack the weight again`);
    }
    return this.#weight;
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean {
    return this.#weight === null;
  }

  /**
   * Releases the weights now, native prepacked copies included, instead of at garbage
   * collection; every later use of these params throws. Idempotent.
   */
  dispose(): void {
    if (!this.#weight) return;
    this.#weight = null;
    for (const hook of disposeHooks) hook(this);
  }
}

/** Packed weight and bias of `quantized::linear` (`torch.ops.quantized.linear_prepack`). */
export class LinearPackedParams extends DisposableWeight {
  /**
   * @param engine - The engine whose kernels run these params.
   * @param weight - The packed qint8 weight `[N, K]`.
   * @param bias - Float bias `[N]`, or null.
   */
  constructor(
    /** The engine whose kernels run these params. */
    readonly engine: Engine,
    /** The packed qint8 weight `[N, K]`. */
    weight: PackedWeight,
    /** Float bias `[N]`, or null. */
    readonly bias: Float32Array | null,
  ) {
    super(weight, 'LinearPackedParams');
  }

  /** Output features N. */
  get outFeatures(): number {
    return this.weight.shape[0]!;
  }

  /** Input features K. */
  get inFeatures(): number {
    return this.weight.shape[1]!;
  }

  /** `[weight, bias]` as tensors (`linear_unpack`). */
  unpack(): [Tensor, Tensor | null] {
    return [unpackWeight(this.weight), biasTensor(this.bias)];
  }

  /** The same params for another engine's kernels. */
  repack(engine: Engine): LinearPackedParams {
    return new LinearPackedParams(engine, this.weight, this.bias);
  }

  /** Plain tensors, for state dicts. */
  serialize(): LinearPackedState {
    const [weight, bias] = this.unpack();
    return { kind: 'linear', engine: this.engine, weight, bias };
  }

  /** Rebuilds packed params from `serialize()` output, on `engine` (default: the recorded one). */
  static deserialize(state: LinearPackedState, engine: Engine = state.engine): LinearPackedParams {
    if (state?.kind !== 'linear') throw new QTorchValueError(`LinearPackedParams.deserialize(): expected a linear state, got kind '${String(state?.kind)}'`);
    return linearPrepack(state.weight, state.bias, engine);
  }
}

/**
 * `torch.ops.quantized.linear_prepack(w, b)`: w is a qint8 `[N, K]` weight (per-tensor or
 * per-channel along axis 0), b a float `[N]` bias or null. Packs for the current engine.
 */
export function linearPrepack(w: Tensor, bias: Tensor | null = null, engine: Engine = backends.quantized.engine): LinearPackedParams {
  const op = 'quantized::linear_prepack';
  assertTensor(w, op);
  checkEngineArg(engine, op);
  if (w.ndim !== 2) throw new QTorchShapeError(`${op}(): expected a 2-d weight [out_features, in_features], got ${fmtShape(w.shape)}`);
  const pw = packWeight(w, op);
  return new LinearPackedParams(engine, pw, packBias(bias, w.shape[0]!, op));
}

/** Throws unless `engine` is one this build supports (a plain-JS caller can pass any string). */
function checkEngineArg(engine: Engine, op: string): void {
  if (!backends.quantized.supportedEngines.includes(engine)) {
    throw new QTorchValueError(`${op}(): engine '${String(engine)}' is not supported; supported engines: ${backends.quantized.supportedEngines.join(', ')}`);
  }
}

/** Geometry of a packed convolution (spatial lists have one entry per spatial dim). */
export interface ConvGeometry {
  /** Stride per spatial dim. */
  readonly stride: readonly number[];
  /** Padding per spatial dim. */
  readonly padding: readonly number[];
  /** Dilation per spatial dim. */
  readonly dilation: readonly number[];
  /** Transposed convolutions only (zeros otherwise). */
  readonly outputPadding: readonly number[];
  /** Number of channel groups. */
  readonly groups: number;
  /** Whether this is a transposed convolution. */
  readonly transposed: boolean;
}

/** Plain-tensor form of packed conv params. */
export interface ConvPackedState extends ConvGeometry {
  /** Discriminates conv from linear states. */
  kind: 'conv';
  /** The engine the params were packed for. */
  engine: Engine;
  /** The quantized qint8 weight. */
  weight: Tensor;
  /** The float bias `[Cout]`, or null. */
  bias: Tensor | null;
}

/** Packed weight, bias and geometry of `quantized::convNd` (`convNd_prepack`). */
export class ConvPackedParams extends DisposableWeight {
  /**
   * @param engine - The engine whose kernels run these params.
   * @param weight - The packed qint8 weight.
   * @param bias - Float bias `[Cout]`, or null.
   * @param geometry - Stride, padding, dilation, groups.
   */
  constructor(
    /** The engine whose kernels run these params. */
    readonly engine: Engine,
    /** qint8 weight: `[Cout, Cin/groups, *k]`, or `[Cin, Cout/groups, *k]` when transposed. */
    weight: PackedWeight,
    /** Float bias `[Cout]`, or null. */
    readonly bias: Float32Array | null,
    /** Stride, padding, dilation, output padding, groups, transposed. */
    readonly geometry: ConvGeometry,
  ) {
    super(weight, 'ConvPackedParams');
  }

  /** Number of spatial dims (1, 2 or 3). */
  get spatialDims(): number {
    return this.weight.shape.length - 2;
  }

  /** Output channels. */
  get outChannels(): number {
    const g = this.geometry;
    return g.transposed ? this.weight.shape[1]! * g.groups : this.weight.shape[0]!;
  }

  /** `[weight, bias]` (`convNd_unpack`). */
  unpack(): [Tensor, Tensor | null] {
    return [unpackWeight(this.weight), biasTensor(this.bias)];
  }

  /** The same params for another engine's kernels. */
  repack(engine: Engine): ConvPackedParams {
    return new ConvPackedParams(engine, this.weight, this.bias, this.geometry);
  }

  /** Plain tensors and geometry, for state dicts. */
  serialize(): ConvPackedState {
    const [weight, bias] = this.unpack();
    return { kind: 'conv', engine: this.engine, weight, bias, ...this.geometry };
  }

  /** Rebuilds packed params from `serialize()` output. */
  static deserialize(state: ConvPackedState, engine: Engine = state.engine): ConvPackedParams {
    if (state?.kind !== 'conv') throw new QTorchValueError(`ConvPackedParams.deserialize(): expected a conv state, got kind '${String(state?.kind)}'`);
    return convPrepack(state.weight, state.bias, state, engine);
  }
}

/** Convolution geometry arguments: a number applies to every spatial dim. */
export interface ConvPrepackOptions {
  /** Stride per spatial dim (default 1). */
  stride?: number | readonly number[];
  /** Zero padding per spatial dim (default 0). */
  padding?: number | readonly number[];
  /** Dilation per spatial dim (default 1). */
  dilation?: number | readonly number[];
  /** Transposed convolutions: extra output size per spatial dim (default 0). */
  outputPadding?: number | readonly number[];
  /** Channel groups (default 1). */
  groups?: number;
  /** Pack a transposed convolution's weight `[Cin, Cout/groups, *k]` (default false). */
  transposed?: boolean;
}

function spatial(v: number | readonly number[] | undefined, dflt: number, d: number, name: string, op: string, min: number): number[] {
  const arr = v === undefined ? new Array<number>(d).fill(dflt) : typeof v === 'number' ? new Array<number>(d).fill(v) : [...v];
  if (arr.length !== d) throw new QTorchValueError(`${op}(): expected ${name} to have ${d} values, got ${arr.length}`);
  for (const x of arr) {
    if (!Number.isInteger(x) || x < min) throw new QTorchValueError(`${op}(): ${name} must be integers >= ${min}, got [${arr.join(', ')}]`);
  }
  return arr;
}

/**
 * Packs a conv weight `[Cout, Cin/groups, *k]` (`[Cin, Cout/groups, *k]` if `transposed`) with
 * its bias and geometry; the number of spatial dims comes from the weight.
 */
export function convPrepack(
  w: Tensor, bias: Tensor | null, opts: ConvPrepackOptions = {}, engine: Engine = backends.quantized.engine,
): ConvPackedParams {
  assertTensor(w, 'quantized::conv_prepack');
  checkEngineArg(engine, 'quantized::conv_prepack');
  const d = w.ndim - 2;
  const transposed = opts.transposed ?? false;
  const op = `quantized::conv${transposed ? '_transpose' : ''}${d}d_prepack`;
  if (d < 1 || d > 3) throw new QTorchShapeError(`${op}(): expected a 3-d, 4-d or 5-d weight, got ${fmtShape(w.shape)}`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new QTorchValueError(`${op}(): groups must be a positive integer, got ${groups}`);
  for (let i = 2; i < w.ndim; i++) {
    if (w.shape[i]! < 1) throw new QTorchShapeError(`${op}(): kernel sizes must be positive, got weight ${fmtShape(w.shape)}`);
  }
  const outAxisSize = transposed ? w.shape[1]! * groups : w.shape[0]!;
  if (!transposed && outAxisSize % groups !== 0) {
    throw new QTorchValueError(`${op}(): output channels (${outAxisSize}) must be divisible by groups (${groups})`);
  }
  if (transposed && w.shape[0]! % groups !== 0) {
    throw new QTorchValueError(`${op}(): input channels (${w.shape[0]}) must be divisible by groups (${groups})`);
  }
  // transposed weights are [Cin, Cout/groups, *k]: per-channel qparams run along axis 1 (qnnpack's
  // layout; PyTorch's fbgemm/onednn refuse per-channel here, the reference kernels accept it)
  const pw = packWeight(w, op, transposed ? 1 : 0, outAxisSize);
  const geometry: ConvGeometry = {
    stride: spatial(opts.stride, 1, d, 'stride', op, 1),
    padding: spatial(opts.padding, 0, d, 'padding', op, 0),
    dilation: spatial(opts.dilation, 1, d, 'dilation', op, 1),
    outputPadding: spatial(opts.outputPadding, 0, d, 'output_padding', op, 0),
    groups,
    transposed,
  };
  return new ConvPackedParams(engine, pw, packBias(bias, outAxisSize, op), geometry);
}

/** `torch.ops.quantized.conv1d_prepack(w, b, stride, padding, dilation, groups)`. */
export function conv1dPrepack(w: Tensor, bias: Tensor | null, stride: number | readonly number[] = 1, padding: number | readonly number[] = 0, dilation: number | readonly number[] = 1, groups = 1): ConvPackedParams {
  assertTensor(w, 'quantized::conv1d_prepack');
  checkWeightDims(w, 3, 'quantized::conv1d_prepack');
  return convPrepack(w, bias, { stride, padding, dilation, groups });
}

/** `torch.ops.quantized.conv2d_prepack(w, b, stride, padding, dilation, groups)`. */
export function conv2dPrepack(w: Tensor, bias: Tensor | null, stride: number | readonly number[] = 1, padding: number | readonly number[] = 0, dilation: number | readonly number[] = 1, groups = 1): ConvPackedParams {
  assertTensor(w, 'quantized::conv2d_prepack');
  checkWeightDims(w, 4, 'quantized::conv2d_prepack');
  return convPrepack(w, bias, { stride, padding, dilation, groups });
}

/** `torch.ops.quantized.conv3d_prepack(w, b, stride, padding, dilation, groups)`. */
export function conv3dPrepack(w: Tensor, bias: Tensor | null, stride: number | readonly number[] = 1, padding: number | readonly number[] = 0, dilation: number | readonly number[] = 1, groups = 1): ConvPackedParams {
  assertTensor(w, 'quantized::conv3d_prepack');
  checkWeightDims(w, 5, 'quantized::conv3d_prepack');
  return convPrepack(w, bias, { stride, padding, dilation, groups });
}

/** `torch.ops.quantized.conv_transpose2d_prepack(w, b, stride, padding, output_padding, dilation, groups)`. */
export function convTranspose2dPrepack(
  w: Tensor, bias: Tensor | null, stride: number | readonly number[] = 1, padding: number | readonly number[] = 0,
  outputPadding: number | readonly number[] = 0, dilation: number | readonly number[] = 1, groups = 1,
): ConvPackedParams {
  assertTensor(w, 'quantized::conv_transpose2d_prepack');
  checkWeightDims(w, 4, 'quantized::conv_transpose2d_prepack');
  return convPrepack(w, bias, { stride, padding, outputPadding, dilation, groups, transposed: true });
}

function checkWeightDims(w: Tensor, nd: number, op: string): void {
  if (w.ndim !== nd) throw new QTorchShapeError(`${op}(): expected a ${nd}-d weight, got ${fmtShape(w.shape)}`);
}
