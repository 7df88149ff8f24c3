/**
 * The declarative backend configuration (torch.ao.quantization.backend_config): for each
 * pattern of ops an engine can run quantized, the supported dtypes, how its output is
 * observed, the modules it fuses into and swaps to. prepareFx, convertFx and fuseFx read it.
 */
import type { Module, ModuleClass } from '@qtorch/nn';
import { type DType, QTorchValueError } from '@qtorch/qtensor';
import { type ObjectType, type ObjectTypeKey, objectTypeKey, objectTypeName } from '../../qconfig/qconfig_mapping.js';

/** How a pattern's output is observed (PyTorch's `ObservationType`). */
export const ObservationType = {
  /** The output gets its own observer (conv, linear, add with two tensors, ...). */
  OUTPUT_USE_DIFFERENT_OBSERVER_AS_INPUT: 'OUTPUT_USE_DIFFERENT_OBSERVER_AS_INPUT',
  /** The output shares the input's observer (maxpool, flatten, cat, ...): same qparams. */
  OUTPUT_SHARE_OBSERVER_WITH_INPUT: 'OUTPUT_SHARE_OBSERVER_WITH_INPUT',
} as const;
export type ObservationType = (typeof ObservationType)[keyof typeof ObservationType];

/**
 * A pattern in PyTorch's reversed nested form: an op, or `[outer, inner]` where the outer op
 * consumes the inner pattern's output. `[F.relu, [nn.BatchNorm2d, nn.Conv2d]]` is
 * `relu(bn(conv(x)))`. Ops are module classes, traceable functions or their qualified names
 * (`'torch.add'`), and tensor method names (`'reshape'`).
 */
export type Pattern = ObjectType | readonly Pattern[];

/** A pattern with every op normalized to its key. */
export type PatternKey = ObjectTypeKey | readonly PatternKey[];

/** Normalizes a pattern's ops (functions to their traceable names). */
export function patternKey(p: Pattern): PatternKey {
  return Array.isArray(p) ? (p as readonly Pattern[]).map(patternKey) : objectTypeKey(p as ObjectType);
}

/** A pattern as text: `(F.relu, Conv2d)`. */
export function patternName(p: PatternKey): string {
  return Array.isArray(p) ? `(${(p as readonly PatternKey[]).map(patternName).join(', ')})` : objectTypeName(p as ObjectTypeKey);
}

/** Structural equality of normalized patterns. */
export function patternEquals(a: PatternKey, b: PatternKey): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return (a as readonly PatternKey[]).every((x, i) => patternEquals(x, (b as readonly PatternKey[])[i]!));
  }
  return a === b;
}

/** Options of `DTypeConfig` (PyTorch's keyword arguments). */
export interface DTypeConfigOptions {
  /** dtype of the pattern's quantized input (null: any). */
  inputDtype?: DType | null;
  /** dtype of the pattern's output (null: any). */
  outputDtype?: DType | null;
  /** dtype of the weight (null: no weight, or any). */
  weightDtype?: DType | null;
  /** dtype of the bias (null: no bias, or any). */
  biasDtype?: DType | null;
  /** The input is quantized at run time (dynamic quantization). */
  isDynamic?: boolean | null;
}

/** One supported combination of dtypes for a pattern; `null` means "any / not applicable". */
export class DTypeConfig {
  /** dtype of the pattern's quantized input (null: any). */
  readonly inputDtype: DType | null;
  /** dtype of the pattern's output (null: any). */
  readonly outputDtype: DType | null;
  /** dtype of the weight (null: no weight, or any). */
  readonly weightDtype: DType | null;
  /** dtype of the bias (null: no bias, or any). */
  readonly biasDtype: DType | null;
  /** Whether the input is quantized at run time (dynamic quantization); null: unspecified. */
  readonly isDynamic: boolean | null;

  /** @param options - The dtypes (each default null) and `isDynamic`. */
  constructor(options: DTypeConfigOptions = {}) {
    this.inputDtype = options.inputDtype ?? null;
    this.outputDtype = options.outputDtype ?? null;
    this.weightDtype = options.weightDtype ?? null;
    this.biasDtype = options.biasDtype ?? null;
    this.isDynamic = options.isDynamic ?? null;
  }
}

/**
 * Builds the fused module from the matched modules, in pattern order (`(isQat, relu, conv)` for
 * `[nn.ReLU, nn.Conv2d]`; nested patterns give nested arrays), as PyTorch's fuser methods.
 */
export type FuserMethod = (isQat: boolean, ...modules: any[]) => Module;

/** Where a functional op takes its weight and bias: a positional index or an options key. */
export interface InputTypeToIndex {
  /** Position or options key of the weight argument. */
  weight?: number | string;
  /** Position or options key of the bias argument. */
  bias?: number | string;
}

/** A factory of an observer or fake quantizer. */
export type ObserverCtor = () => Module;

/** The configuration of one pattern (PyTorch's `BackendPatternConfig`). Setters chain. */
export class BackendPatternConfig {
  /** The pattern, normalised to its key form (an op, a module class, or a nested tuple of them). */
  readonly pattern: PatternKey;
  /** How the pattern's inputs and outputs are observed. */
  observationType: ObservationType = ObservationType.OUTPUT_USE_DIFFERENT_OBSERVER_AS_INPUT;
  /** The dtype combinations the backend supports for this pattern. */
  dtypeConfigs: DTypeConfig[] = [];
  /** The float module class a weighted pattern is built around (nn.Conv2d for ConvReLU2d). */
  rootModule: ModuleClass | null = null;
  /** The QAT module prepareQatFx swaps this (module) pattern to. */
  qatModule: ModuleClass | null = null;
  /** The reference quantized module convertFx swaps the root module to. */
  referenceQuantizedModule: ModuleClass | null = null;
  /** The fused module a fusion pattern becomes. */
  fusedModule: ModuleClass | null = null;
  /** How fuseFx builds the fused module (fusion patterns only). */
  fuserMethod: FuserMethod | null = null;
  /** @internal PyTorch's private `_num_tensor_args_to_observation_type`. */
  _numTensorArgsToObservationType = new Map<number, ObservationType>();
  /** @internal PyTorch's private `_input_type_to_index`. */
  _inputTypeToIndex: InputTypeToIndex = {};
  /** @internal PyTorch's private `_overwrite_output_fake_quantize`. */
  _overwriteOutputFakeQuantize: ObserverCtor | null = null;
  /** @internal PyTorch's private `_overwrite_output_observer`. */
  _overwriteOutputObserver: ObserverCtor | null = null;
  /** @internal PyTorch's private `_input_output_observed`. */
  _inputOutputObserved = true;

  /** @param pattern - An op, a module class, or a nested tuple of them (PyTorch's pattern format). */
  constructor(pattern: Pattern) {
    this.pattern = patternKey(pattern);
  }

  /** Sets how the pattern is observed; returns this. */
  setObservationType(t: ObservationType): this {
    this.observationType = t;
    return this;
  }

  /** Replaces the supported dtype combinations; returns this. */
  setDtypeConfigs(configs: readonly DTypeConfig[]): this {
    this.dtypeConfigs = [...configs];
    return this;
  }

  /** Adds one supported dtype combination; returns this. */
  addDtypeConfig(config: DTypeConfig): this {
    this.dtypeConfigs.push(config);
    return this;
  }

  /** Sets the float module class the pattern is built around; returns this. */
  setRootModule(cls: ModuleClass): this {
    this.rootModule = cls;
    return this;
  }

  /** Sets the QAT module class the pattern is swapped to by prepareQatFx; returns this. */
  setQatModule(cls: ModuleClass): this {
    this.qatModule = cls;
    return this;
  }

  /** Sets the reference quantized module class convertFx swaps to; returns this. */
  setReferenceQuantizedModule(cls: ModuleClass): this {
    this.referenceQuantizedModule = cls;
    return this;
  }

  /** Sets the fused module class the pattern becomes; returns this. */
  setFusedModule(cls: ModuleClass): this {
    this.fusedModule = cls;
    return this;
  }

  /** Sets how fuseFx builds the fused module; returns this. */
  setFuserMethod(fn: FuserMethod): this {
    this.fuserMethod = fn;
    return this;
  }

  /** Observation type by the number of tensor inputs (binary ops: `x + 1` shares its input's qparams). */
  _setNumTensorArgsToObservationType(m: ReadonlyMap<number, ObservationType>): this {
    this._numTensorArgsToObservationType = new Map(m);
    return this;
  }

  /** Where a functional op's weight and bias are (`{ weight: 1, bias: 2 }`). */
  _setInputTypeToIndex(m: InputTypeToIndex): this {
    this._inputTypeToIndex = { ...m };
    return this;
  }

  /** For quint8 QAT: this fake quantizer replaces the qconfig's output one (fixed-qparams ops). */
  _setOverwriteOutputFakeQuantize(ctor: ObserverCtor): this {
    this._overwriteOutputFakeQuantize = ctor;
    return this;
  }

  /** For quint8 PTQ: this observer replaces the qconfig's output one (fixed-qparams ops). */
  _setOverwriteOutputObserver(ctor: ObserverCtor): this {
    this._overwriteOutputObserver = ctor;
    return this;
  }

  /** False for ops whose inputs and outputs are not observed (tensor metadata such as `size`). */
  _setInputOutputObserved(observed: boolean): this {
    this._inputOutputObserved = observed;
    return this;
  }
}

/**
 * The patterns one engine supports (PyTorch's `BackendConfig`). Later configs for an equal
 * pattern replace earlier ones.
 * @example
 * ```ts
 * const config = getQnnpackBackendConfig();
 * config.setBackendPatternConfig(new BackendPatternConfig(MyOp).setDtypeConfigs([int8]));
 * ```
 */
export class BackendConfig {
  private readonly _configs: BackendPatternConfig[] = [];

  /** @param name - The backend's name (for messages). */
  constructor(readonly name = '') {}

  /** Adds (or replaces the config of the same pattern). */
  setBackendPatternConfig(config: BackendPatternConfig): this {
    const i = this._configs.findIndex((c) => patternEquals(c.pattern, config.pattern));
    if (i >= 0) this._configs[i] = config;
    else this._configs.push(config);
    return this;
  }

  /** Adds (or replaces) each config in order; returns this. */
  setBackendPatternConfigs(configs: readonly BackendPatternConfig[]): this {
    for (const c of configs) this.setBackendPatternConfig(c);
    return this;
  }

  /** The pattern configs, in registration order. */
  get configs(): readonly BackendPatternConfig[] {
    return this._configs;
  }

  /** The config of `pattern`, if any. */
  configFor(pattern: Pattern): BackendPatternConfig | undefined {
    const key = patternKey(pattern);
    return this._configs.find((c) => patternEquals(c.pattern, key));
  }
}

/** Throws unless `x` is a BackendConfig. */
export function checkBackendConfig(x: unknown, op: string): BackendConfig {
  if (!(x instanceof BackendConfig)) throw new QTorchValueError(`${op}(): backendConfig must be a BackendConfig (e.g. getQnnpackBackendConfig()), got ${typeof x}`);
  return x;
}
