/**
 * What QAT modules need from a QConfig, duck typed: nn-qat sits below @qtorch/quantization,
 * so it never imports QConfig; anything with `activation()` / `weight()` factories works.
 * Also the checks `fromFloat` shares (qconfig present, exact float class).
 */
import { QTorchTypeError, QTorchValueError } from '@qtorch/qtensor';
import { Module, type ModuleClass, moduleName, typeOf } from '@qtorch/nn';

/** The factories of a QConfig: each call builds a new observer / fake-quant module. */
export interface QConfigLike {
  /** Builds the activation observer / fake quantizer. */
  readonly activation: () => unknown;
  /** Builds the weight fake quantizer. */
  readonly weight: () => unknown;
}

/** The `qconfig` option every QAT module constructor takes (PyTorch's `qconfig=None` keyword). */
export interface QconfigOption {
  /** Required: the QAT module builds `weight_fake_quant` from `qconfig.weight()`. */
  qconfig?: QConfigLike | null;
}

/** Throws PyTorch's "qconfig must be provided for QAT module" unless `qconfig` is a QConfig-like. */
export function checkQconfig(qconfig: QConfigLike | null | undefined, cls: string): QConfigLike {
  if (!qconfig) {
    throw new QTorchValueError(`${cls}(): qconfig must be provided for QAT module (pass { qconfig } in the options, e.g. getDefaultQatQconfig('qnnpack'))`);
  }
  if (typeof qconfig.weight !== 'function' || typeof qconfig.activation !== 'function') {
    throw new QTorchTypeError(`${cls}(): qconfig must have activation() and weight() factories, got ${describe(qconfig)}`);
  }
  return qconfig;
}

/** Builds the weight fake quantizer from `qconfig.weight()`; it must be a Module (it is a child). */
export function makeWeightFakeQuant(qconfig: QConfigLike, cls: string): Module {
  const fq = qconfig.weight();
  if (!(fq instanceof Module)) {
    throw new QTorchTypeError(`${cls}(): qconfig.weight() must build a Module (a FakeQuantize), got ${describe(fq)}`);
  }
  return fq;
}

/** The `qconfig` attribute of a module, if any (propagated by prepare, or assigned by hand). */
export function getQconfig(mod: Module): QConfigLike | null {
  return ((mod as { qconfig?: QConfigLike | null }).qconfig) ?? null;
}

/**
 * The checks of PyTorch's `from_float`: `mod` is exactly one of `expected` (subclasses do not
 * count, as `type(mod) == cls._FLOAT_MODULE`) and carries a qconfig. Returns the qconfig.
 */
export function checkFloatModule(mod: Module, expected: ModuleClass | readonly ModuleClass[], op: string): QConfigLike {
  const classes = Array.isArray(expected) ? expected : [expected as ModuleClass];
  if (!(mod instanceof Module) || !classes.includes(typeOf(mod))) {
    const names = classes.map((c) => c.name).join(', ');
    throw new QTorchTypeError(`${op}: only works for ${names}, got ${mod instanceof Module ? moduleName(mod) : describe(mod)}`);
  }
  const qconfig = getQconfig(mod);
  if (!qconfig) {
    throw new QTorchValueError(`${op}: Input float module must have a valid qconfig (set mod.qconfig, or run prepareQat, before converting ${moduleName(mod)})`);
  }
  return qconfig;
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

/**
 * Whether the qconfig's activation observer keeps no history (a moving-average observer with
 * averaging constant 1), as dynamic QAT needs: at run time dynamic quantization sees one batch.
 * Looks inside a fake quantizer at its `activation_post_process` (PyTorch's
 * `_activation_is_memoryless`).
 */
export function activationIsMemoryless(qconfig: QConfigLike): boolean {
  const act = qconfig.activation() as Record<string, unknown> | null;
  const inner = act?.activation_post_process;
  const obs = (inner instanceof Module ? inner : act) as { averagingConstant?: unknown } | null;
  return obs?.averagingConstant === 1;
}
