/**
 * Every exported function of qtensor (the torch namespace), @qtorch/nn/functional and
 * @qtorch/nn-quantized/functional, enumerated at run time, called from plain JavaScript with
 * `null` / `undefined` / a number where its first argument (a tensor or a shape) goes: each must
 * throw a QTorchError whose message names the function (camelCase or PyTorch's snake_case name),
 * never a bare engine TypeError ("Cannot read properties of null"). A function added later is
 * tested automatically; only the building blocks listed in INTERNAL (helpers other packages
 * compose, scalar formulas, kernel tables) and functions for which these values are valid
 * arguments are left out, each for a reason given below.
 */
import * as qt from '@qtorch/qtensor';
import * as F from '@qtorch/nn/functional';
import * as QF from '@qtorch/nn-quantized/functional';
import { type BadInputCase, assertQTorchError, caught } from '../case.js';

/** Exported qtensor functions that are not ops a user calls with tensors. */
const INTERNAL = new Set([
  // shape / stride / dtype arithmetic used by sibling packages
  '_pair', '_single', '_triple', 'expandTuple', 'broadcastShapes', 'broadcastStrides', 'checkNumel', 'checkShape', 'contiguousStrides',
  'fmtShape', 'inferShape', 'shapeNumel', 'shapesEqual', 'shapeError', 'stridedOffsets', 'gatherStrided', 'scatterStrided', 'makeView',
  'sumToShape', 'splitSpatialInput', 'spatialOutputShape', 'to3d', 'checkWindowParams', 'convOutputLength', 'convOutputSize',
  'convTransposeOutputLength', 'convTransposeOutputSize', 'poolOutputSize', 'adaptiveStart', 'adaptiveEnd', 'samePadding',
  'dtypeFromName', 'dtypeRange', 'underlyingIntDtype', 'promoteTypes', 'canCast', 'resultType', 'storageFromNumbers', 'allocLike',
  'valuesIndices', 'stepRounding', 'normalizeDim', 'readPerTensor',
  // argument checks and error helpers (they throw by design, with the caller's op name)
  'check', 'check8bit', 'checkOptions', 'assertTensor', 'assertTensorList', 'assertQuantized', 'assertNotQuantized', 'assertFloat',
  'assertQuantizedDtype', 'checkScale', 'checkZeroPoint', 'checkOutputQparams', 'checkInplaceAllowed', 'describeValue', 'isPerChannel',
  // quantized-kernel plumbing (packed weights, output stages, the kernel registry and the fx hook)
  'gemmRows', 'makeOutputStage', 'makeFloatOutputStage', 'makeQTensor', 'requantize', 'requantMultiplier', 'fixedQparams',
  'registerKernel', 'unregisterKernel', 'getKernel', 'findKernel', 'listKernels', 'kernelSource', 'setNativeEnabled', 'withEngine', 'nativeFloatGemm', 'nativeFloatIm2col', 'nativeFloatPack', 'nativeFloatPrepackedGemm', 'nativeFloatRnnLayer', 'nativeFloatActivation',
  'registerReferenceQuantizedKernels', 'referenceQuantizedOps', 'installQuantizedMethod', 'embeddingBagUnpack', 'softmaxInto', 'recordOp',
  'traceable', 'traceableFunction', 'traceableName', 'traceableNames', 'registerLeafModuleClass', 'registerLeafModuleClasses',
  'isLeafModuleClass', 'setTraceHook', 'getTraceHook', 'isTraced', 'containsTraced',
  // autograd / printing / randomness switches (they take a function, a flag or a seed, not a tensor)
  'noGrad', 'enableGrad', 'setGradEnabled', 'isGradEnabled', 'gradcheck', 'setPrintOptions', 'getPrintOptions', 'manualSeed', 'isTensor',
  // number-in number-out formulas and conversions
  'f32', 'rint', 'roundHalfEven', 'clampInt', 'reluFloor', 'erf', 'floatToHalfBits', 'halfBitsToFloat',
  // valid with null / a number: `slice(null)` is Python's `:`, arange / scalarTensor take numbers
  'slice', 'arange', 'scalarTensor',
]);

/** Names matching these are per-element formulas or kernel factories (`reluScalar`, `addKernel`, ...). */
const INTERNAL_PATTERN = /(Scalar|GradScalar|Kernel)$/;

/** Functions of @qtorch/nn/functional that are RNN building blocks (the cells' gate math), not PyTorch functionals. */
const F_INTERNAL = new Set(['gruGates', 'recurrentLayers', 'gruCell', 'lstmCell', 'lstmGates', 'rnnGates', 'rnnReluCell', 'rnnTanhCell', 'nativeLayerResult']);

/** Functions for which `{}` is a valid first argument (an empty record of tensors). */
const EMPTY_RECORD_OK = new Set(['saveSafetensors']);

/** Functions whose errors use PyTorch's name of the op they alias or delegate to. */
const ALIASES: Record<string, string> = {
  clip: 'clamp', clip_: 'clamp_', argsort: 'sort', qArgsort: 'sort', variance: 'var', tensorRepr: 'repr', upsample: 'interpolate',
  fromValues: 'tensor', quantizedHardtanh: 'clamp', quantizedConcat: 'cat', quantizedConcatRelu: 'cat_relu',
  quantizedUpsampleBilinear: 'interpolate', quantizedUpsampleNearest: 'interpolate',
};

/**
 * The names an error may call `name` by: itself, without a trailing `_`, snake_case, and
 * without qtorch's `q` / `quantized` / `Dim` affixes (`qArgmax` -> `argmax`,
 * `quantizedAdd` -> `quantized::add`, `sliceDim` -> `slice`, `quantizedConv2d` -> `quantized::conv`).
 */
function spellings(name: string): string[] {
  const out = new Set<string>([name, ALIASES[name] ?? name]);
  const base = name.replace(/_$/, '').replace(/^q(?=[A-Z])/, '').replace(/^quantized(?=[A-Z])/, '').replace(/Dim$/, '');
  const snake = base.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const digits = snake.replace(/([a-z])(\d)/g, '$1_$2'); // embeddingBag4bit -> embedding_bag_4bit
  for (const n of [base, snake, digits, snake.replace(/_?\dd(_relu)?$/, '').replace(/_relu$/, '')]) if (n) out.add(n);
  return [...out];
}

function isFunction(v: unknown): v is (...args: unknown[]) => unknown {
  return typeof v === 'function' && !/^class\b/.test(Function.prototype.toString.call(v));
}

/** The namespace's functions to test, sorted by name. */
function functionsOf(ns: Record<string, unknown>, skip: (name: string) => boolean): Array<[string, (...args: unknown[]) => unknown]> {
  return Object.entries(ns)
    .filter((e): e is [string, (...args: unknown[]) => unknown] => isFunction(e[1]) && !/^[A-Z]/.test(e[0]) && !skip(e[0]))
    .sort(([a], [b]) => a.localeCompare(b));
}

const BAD_FIRST_ARGS: ReadonlyArray<[string, unknown]> = [['null', null], ['undefined', undefined], ['{}', {}]];

function casesFor(pkg: string, prefix: string, ns: Record<string, unknown>, skip: (name: string) => boolean): BadInputCase[] {
  const out: BadInputCase[] = [];
  for (const [name, fn] of functionsOf(ns, skip)) {
    const names = spellings(name);
    const op = new RegExp(names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
    for (const [label, arg] of BAD_FIRST_ARGS) {
      if (label === '{}' && EMPTY_RECORD_OK.has(name)) continue;
      out.push({
        group: `enumerated: ${pkg}`,
        name: `${prefix}${name}(${label}, ...)`,
        run: () => assertQTorchError(caught(() => fn(arg)), qt.QTorchError, op),
      });
    }
  }
  return out;
}

/** One case per (enumerated function, bad first argument). */
export function enumeratedCases(): BadInputCase[] {
  return [
    ...casesFor('@qtorch/qtensor', '', qt, (n) => INTERNAL.has(n) || INTERNAL_PATTERN.test(n)),
    ...casesFor('@qtorch/nn/functional', 'F.', F, (n) => F_INTERNAL.has(n)),
    ...casesFor('@qtorch/nn-quantized/functional', 'QF.', QF, () => false),
  ];
}

/** How many functions the enumeration covers (printed by the suite). */
export function enumeratedFunctionCount(): number {
  return new Set(enumeratedCases().map((c) => c.name.slice(0, c.name.indexOf('(')))).size;
}
