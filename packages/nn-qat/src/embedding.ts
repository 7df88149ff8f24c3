/**
 * QAT Embedding and EmbeddingBag (torch.ao.nn.qat.Embedding / EmbeddingBag): lookup tables
 * whose weight passes through `weight_fake_quant`, which must use the embedding qscheme
 * `per_channel_affine_float_qparams` (one float scale and zero point per row).
 */
import { checkOptions, QTorchValueError, type Tensor, perChannelAffineFloatQparams } from '@qtorch/qtensor';
import {
  Embedding as FloatEmbedding, EmbeddingBag as FloatEmbeddingBag, type EmbeddingBagModuleOptions, type EmbeddingCommonOptions, type Module,
  type _EmbeddingBase,
} from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import type { Ctor } from './conv.js';
import { type QConfigLike, type QconfigOption, checkFloatModule, checkQconfig, makeWeightFakeQuant } from './qconfig.js';

/** An abstract constructor (what an abstract mixin class adds). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AbstractCtor<T> = abstract new (...args: any[]) => T;

/** Options of the QAT Embedding: Embedding's plus the (required) `qconfig`. */
export interface QatEmbeddingOptions extends EmbeddingCommonOptions, QconfigOption {}

/** Options of the QAT EmbeddingBag: EmbeddingBag's plus the (required) `qconfig`. */
export interface QatEmbeddingBagOptions extends EmbeddingBagModuleOptions, QconfigOption {}

/** The qconfig and a weight fake quantizer checked for the embedding qscheme. */
function embeddingFakeQuant(qconfig: QConfigLike | null | undefined, cls: string): [QConfigLike, Module] {
  const qc = checkQconfig(qconfig, cls);
  const fq = makeWeightFakeQuant(qc, cls);
  const qscheme = (fq as { qscheme?: unknown }).qscheme;
  if (qscheme !== perChannelAffineFloatQparams) {
    throw new QTorchValueError(
      `${cls}(): Embedding weights requires a qscheme of torch.per_channel_affine_float_qparams Got torch.${String(qscheme)} (use defaultEmbeddingQatQconfig)`,
    );
  }
  return [qc, fq];
}

/** What `qatEmbeddingMixin` adds to a float embedding's instances. */
export interface QatEmbeddingMembers {
  /** The qconfig whose weight fake quantizer the table passes through. */
  qconfig: QConfigLike;
  /** Fake quantizer of the weight (per-row float qparams; child `weight_fake_quant`). */
  weight_fake_quant: Module;
}

/**
 * Adds the checked qconfig and the weight fake quantizer to nn's Embedding / EmbeddingBag, whose
 * options object is the constructor's third argument. (The explicit return type keeps Module's
 * private members out of the emitted declarations.)
 */
function qatEmbeddingMixin<B extends Ctor<_EmbeddingBase>>(Base: B): B & AbstractCtor<QatEmbeddingMembers> {
  abstract class QatEmbeddingBase extends Base implements QatEmbeddingMembers {
    qconfig!: QConfigLike;
    weight_fake_quant!: Module;

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      const options = args[2] as QconfigOption | undefined;
      checkOptions(options, new.target.name);
      super(...args);
      [this.qconfig, this.weight_fake_quant] = embeddingFakeQuant(options?.qconfig, new.target.name);
    }
  }
  return QatEmbeddingBase;
}

/** Constructor options replaying a float / QAT embedding's settings. */
function embeddingOptionsOf(mod: _EmbeddingBase): EmbeddingCommonOptions {
  return { paddingIdx: mod.paddingIdx, maxNorm: mod.maxNorm, normType: mod.normType, scaleGradByFreq: mod.scaleGradByFreq, sparse: mod.sparse };
}

/**
 * An Embedding with fake-quantized rows for quantization-aware training.
 * @example new Embedding(100, 16, { qconfig: defaultEmbeddingQatQconfig })
 */
export class Embedding extends qatEmbeddingMixin(FloatEmbedding) {
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static readonly _FLOAT_MODULE = FloatEmbedding;

  /**
   * @param numEmbeddings - Rows of the table.
   * @param embeddingDim - Size of each row.
   * @param options - `qconfig` (required; weight float-qparams per row) and torch.nn.Embedding's options.
   */
  constructor(numEmbeddings: number, embeddingDim: number, options: QatEmbeddingOptions = {}) {
    super(numEmbeddings, embeddingDim, options);
  }

  /** Looks up rows of the fake-quantized table. */
  override forward(input: Tensor): Tensor {
    this.prepareLookup(input);
    return F.embedding(input, this.weight_fake_quant.call(this.weight), { paddingIdx: this.paddingIdx });
  }

  /** The QAT module of a float Embedding carrying a `qconfig` (weight storage shared). */
  static fromFloat(mod: Module): Embedding {
    const qconfig = checkFloatModule(mod, FloatEmbedding, 'qat.Embedding.fromFloat()');
    const emb = mod as FloatEmbedding;
    return new Embedding(emb.numEmbeddings, emb.embeddingDim, { ...embeddingOptionsOf(emb), _weight: emb.weight, qconfig });
  }

  /** A float Embedding with this weight (detached, sharing storage) and training mode. */
  toFloat(): FloatEmbedding {
    const emb = new FloatEmbedding(this.numEmbeddings, this.embeddingDim, { ...embeddingOptionsOf(this), _weight: this.weight.detach() });
    emb.train(this.training);
    return emb;
  }
}

/**
 * An EmbeddingBag with fake-quantized rows for quantization-aware training.
 * @example new EmbeddingBag(100, 16, { mode: 'sum', qconfig: defaultEmbeddingQatQconfig })
 */
export class EmbeddingBag extends qatEmbeddingMixin(FloatEmbeddingBag) {
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static readonly _FLOAT_MODULE = FloatEmbeddingBag;

  /**
   * @param numEmbeddings - Rows of the table.
   * @param embeddingDim - Size of each row.
   * @param options - `qconfig` (required; weight float-qparams per row) and torch.nn.EmbeddingBag's options.
   */
  constructor(numEmbeddings: number, embeddingDim: number, options: QatEmbeddingBagOptions = {}) {
    super(numEmbeddings, embeddingDim, options);
  }

  override forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    this.prepareLookup(input);
    return F.embeddingBag(input, this.weight_fake_quant.call(this.weight), {
      offsets, perSampleWeights, mode: this.mode, includeLastOffset: this.includeLastOffset, paddingIdx: this.paddingIdx,
    });
  }

  /** The QAT module of a float EmbeddingBag carrying a `qconfig` (weight storage shared). */
  static fromFloat(mod: Module): EmbeddingBag {
    const qconfig = checkFloatModule(mod, FloatEmbeddingBag, 'qat.EmbeddingBag.fromFloat()');
    const bag = mod as FloatEmbeddingBag;
    return new EmbeddingBag(bag.numEmbeddings, bag.embeddingDim, {
      ...embeddingOptionsOf(bag), mode: bag.mode, includeLastOffset: bag.includeLastOffset, _weight: bag.weight, qconfig,
    });
  }

  /** A float EmbeddingBag with this weight (detached, sharing storage) and training mode. */
  toFloat(): FloatEmbeddingBag {
    const bag = new FloatEmbeddingBag(this.numEmbeddings, this.embeddingDim, {
      ...embeddingOptionsOf(this), mode: this.mode, includeLastOffset: this.includeLastOffset, _weight: this.weight.detach(),
    });
    bag.train(this.training);
    return bag;
  }
}

