/**
 * The PyTorch -> qtorch API table of docs/from-pytorch.md, as data: every name of the
 * quantization API reference (the seeds' 1.6-era reference and the newest docs page), its
 * qtorch name and entry point, and whether it exists. The test checks each row against the
 * packages' real exports in both directions (a "yes" row must resolve, a "not yet" row must
 * not, so the table flips when the feature lands), and that the Markdown table in the guide
 * is exactly `renderApiTable()`; `pnpm --filter @qtorch/doc-examples api-table` rewrites it.
 */
import type { Namespace } from './modules.js';

/**
 * - `yes`: `name` exists in `from`.
 * - `instead`: no direct counterpart; `name` (which exists) is what to use, `note` says why.
 * - `no`: not supported yet; `name` is the name it will have, and it must not exist yet.
 */
export type ApiStatus = 'yes' | 'instead' | 'no';

/** One PyTorch name and its qtorch counterpart. */
export interface ApiRow {
  /** The PyTorch name, as the docs write it. */
  torch: string;
  /**
   * The qtorch name inside `from`: an export (`quantizePerTensor`), a property path through an
   * export (`backends.quantized.engine`, `MinMaxObserver.withArgs`), or `Class#member` for an
   * instance method or getter (`Tensor#intRepr`).
   */
  name: string;
  /** The import specifier (`@qtorch/quantization`, `@qtorch/nn-quantized/dynamic`). */
  from: string;
  status: ApiStatus;
  note?: string;
}

/** A group of rows under one PyTorch namespace. */
export interface ApiSection {
  title: string;
  rows: ApiRow[];
}

type RowSpec = [torch: string, name: string, status?: ApiStatus, note?: string];

/** Rows sharing an entry point; `[torch, name, status = 'yes', note]`. */
function rows(from: string, specs: RowSpec[]): ApiRow[] {
  return specs.map(([torch, name, status = 'yes', note]) => ({ torch, name, from, status, ...(note ? { note } : {}) }));
}

/** Rows whose qtorch name is the camelCase PyTorch name, `prefix` + name. */
function same(from: string, prefix: string, names: string[]): ApiRow[] {
  return rows(from, names.map((n) => [`${prefix}${n}`, camel(n)]));
}

/** `quantize_per_tensor` -> `quantizePerTensor`, `propagate_qconfig_` -> `propagateQconfig_`. */
export function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const QT = '@qtorch/qtensor';
const NN = '@qtorch/nn';
const F = '@qtorch/nn/functional';
const NNQ = '@qtorch/nn-quantized';
const NNQD = '@qtorch/nn-quantized/dynamic';
const QF = '@qtorch/nn-quantized/functional';
const NNQAT = '@qtorch/nn-qat';
const NNI = '@qtorch/nn-intrinsic';
const NNIQAT = '@qtorch/nn-intrinsic/qat';
const NNIQ = '@qtorch/nn-intrinsic/quantized';
const Q = '@qtorch/quantization';
const QFX = '@qtorch/quantization/fx';
const FX = '@qtorch/fx';
const NS = '@qtorch/numeric-suite';
const NSFX = '@qtorch/numeric-suite/fx';

/** The table, in the order of the API reference. */
export const apiSections: ApiSection[] = [
  {
    title: 'Quantized tensors (`torch`, `torch.Tensor`)',
    rows: [
      ...rows(QT, [
        ['torch.quantize_per_tensor', 'quantizePerTensor'],
        ['torch.quantize_per_channel', 'quantizePerChannel'],
        ['torch.Tensor.view', 'Tensor#view'],
        ['torch.Tensor.as_strided', 'Tensor#asStrided'],
        ['torch.Tensor.expand', 'Tensor#expand'],
        ['torch.Tensor.flatten', 'Tensor#flatten'],
        ['torch.Tensor.select', 'Tensor#select'],
        ['Python indexing `x[0, 1:3, None, ...]`', 'Tensor#index', 'yes', "`x.index([0, slice(1, 3), null, '...'])`; also `x.slice(dim, start, end)`, `x.narrow()`"],
        ['torch.Tensor.copy_', 'Tensor#copy_'],
        ['torch.Tensor.clone', 'Tensor#clone'],
        ['torch.Tensor.dequantize', 'Tensor#dequantize', 'yes', 'also the function `dequantize(x)`'],
        ['torch.Tensor.equal', 'Tensor#equal'],
        ['torch.Tensor.int_repr', 'Tensor#intRepr'],
        ['torch.Tensor.max', 'Tensor#max'],
        ['torch.Tensor.mean', 'Tensor#mean'],
        ['torch.Tensor.min', 'Tensor#min'],
        ['torch.Tensor.q_scale', 'Tensor#qScale'],
        ['torch.Tensor.q_zero_point', 'Tensor#qZeroPoint'],
        ['torch.Tensor.q_per_channel_scales', 'Tensor#qPerChannelScales'],
        ['torch.Tensor.q_per_channel_zero_points', 'Tensor#qPerChannelZeroPoints'],
        ['torch.Tensor.q_per_channel_axis', 'Tensor#qPerChannelAxis'],
        ['torch.Tensor.resize_', 'Tensor#resize_'],
        ['torch.Tensor.sort', 'Tensor#sort'],
        ['torch.Tensor.topk', 'Tensor#topk'],
        ['torch.Tensor.qscheme', 'Tensor#qscheme'],
      ]),
    ],
  },
  {
    title: 'Dtypes, quantization schemes, engines',
    rows: rows(QT, [
      ['torch.qscheme', 'perTensorAffine', 'instead', 'qschemes are string constants of type `QScheme`'],
      ['torch.per_tensor_affine', 'perTensorAffine'],
      ['torch.per_channel_affine', 'perChannelAffine'],
      ['torch.per_tensor_symmetric', 'perTensorSymmetric'],
      ['torch.per_channel_symmetric', 'perChannelSymmetric'],
      ['torch.per_channel_affine_float_qparams', 'perChannelAffineFloatQparams'],
      ['torch.dtype', 'DType'],
      ['torch.quint8', 'quint8'],
      ['torch.qint8', 'qint8'],
      ['torch.qint32', 'qint32'],
      ['torch.quint4x2', 'quint4x2'],
      ['torch.float16', 'float16'],
      ['torch.backends.quantized.engine', 'backends.quantized.engine', 'yes', "`'fbgemm'` or `'qnnpack'`"],
      ['torch.backends.quantized.supported_engines', 'backends.quantized.supportedEngines'],
    ]),
  },
  {
    title: 'What the docs\' examples use from `torch` and `torch.nn`',
    rows: [
      ...rows(QT, [
        ['torch.randn', 'randn', 'yes', '`randn([4, 1, 4, 4])`: the shape is one array'],
        ['torch.rand', 'rand'],
        ['torch.float32', 'float32'],
        ['torch.manual_seed', 'manualSeed'],
      ]),
      ...rows(NN, [
        ['torch.nn.Module', 'Module', 'yes', 'subclass it, assign children as properties, run with `model.call(x)`'],
        ['torch.nn.Identity', 'Identity'],
        ['copy.deepcopy (of a model)', 'deepcopy'],
      ]),
    ],
  },
  {
    title: '`torch.nn.functional` on quantized tensors',
    rows: [
      ...rows(F, [
        ['torch.nn.functional.relu', 'relu'],
        ['torch.nn.functional.relu_', 'relu_'],
        ['torch.nn.functional.elu', 'elu', 'yes', 'float input only: for a quantized input use `qF.elu(x, scale, zeroPoint)`'],
        ['torch.nn.functional.max_pool2d', 'maxPool2d'],
        ['torch.nn.functional.adaptive_avg_pool2d', 'adaptiveAvgPool2d'],
        ['torch.nn.functional.avg_pool2d', 'avgPool2d'],
        ['torch.nn.functional.interpolate', 'interpolate', 'yes', "quantized input: 'nearest' / 'nearest-exact' (bilinear: `qF.interpolate`)"],
        ['torch.nn.functional.hardsigmoid', 'hardsigmoid'],
        ['torch.nn.functional.hardswish', 'hardswish', 'yes', 'float input only: for a quantized input use `qF.hardswish(x, scale, zeroPoint)`'],
        ['torch.nn.functional.hardtanh', 'hardtanh'],
        ['torch.nn.functional.upsample', 'upsample'],
      ]),
      ...rows(QF, [
        ['torch.nn.functional.upsample_bilinear', 'upsampleBilinear', 'instead', 'the quantized functional namespace has it'],
        ['torch.nn.functional.upsample_nearest', 'upsampleNearest', 'instead', 'the quantized functional namespace has it'],
      ]),
    ],
  },
  {
    title: '`torch.nn.intrinsic` (fused float modules)',
    rows: same(NNI, 'torch.nn.intrinsic.', [
      'ConvBn1d', 'ConvBn2d', 'ConvBn3d', 'ConvBnReLU1d', 'ConvBnReLU2d', 'ConvBnReLU3d', 'ConvReLU1d', 'ConvReLU2d', 'ConvReLU3d',
      'LinearReLU', 'LinearBn1d', 'BNReLU2d', 'BNReLU3d',
    ]),
  },
  {
    title: '`torch.nn.intrinsic.qat`',
    rows: [
      ...same(NNIQAT, 'torch.nn.intrinsic.qat.', [
        'ConvBn1d', 'ConvBn2d', 'ConvBn3d', 'ConvBnReLU1d', 'ConvBnReLU2d', 'ConvBnReLU3d', 'ConvReLU2d', 'ConvReLU3d', 'LinearReLU',
        'freeze_bn_stats', 'update_bn_stats',
      ]),
    ],
  },
  {
    title: '`torch.nn.intrinsic.quantized`',
    rows: [
      ...same(NNIQ, 'torch.nn.intrinsic.quantized.', ['LinearReLU', 'ConvReLU1d', 'ConvReLU2d', 'ConvReLU3d', 'BNReLU2d', 'BNReLU3d']),
      ...rows('@qtorch/nn-intrinsic/quantized/dynamic', [['torch.nn.intrinsic.quantized.dynamic.LinearReLU', 'LinearReLU']]),
    ],
  },
  {
    title: '`torch.nn.qat`',
    rows: [
      ...same(NNQAT, 'torch.nn.qat.', ['Conv1d', 'Conv2d', 'Conv3d', 'Linear', 'Embedding', 'EmbeddingBag']),
      ...rows('@qtorch/nn-qat/dynamic', [['torch.nn.qat.dynamic.Linear', 'Linear']]),
    ],
  },
  {
    title: '`torch.quantization`: workflow functions',
    rows: rows(Q, [
      ['torch.quantization.quantize', 'quantize'],
      ['torch.quantization.quantize_dynamic', 'quantizeDynamic'],
      ['torch.quantization.quantize_qat', 'quantizeQat'],
      ['torch.quantization.prepare', 'prepare'],
      ['torch.quantization.prepare_qat', 'prepareQat'],
      ['torch.quantization.convert', 'convert'],
      ['torch.quantization.fuse_modules', 'fuseModules'],
      ['torch.quantization.fuse_modules_qat', 'fuseModulesQat'],
      ['torch.quantization.propagate_qconfig_', 'propagateQconfig_'],
      ['torch.quantization.swap_module', 'swapModule'],
      ['torch.quantization.add_observer_', 'addObserver_', 'no', '`prepare` does it'],
      ['torch.quantization.add_quant_dequant', 'addQuantDequant', 'no', 'wrap modules with `QuantWrapper`'],
      ['torch.quantization.get_observer_dict', 'getObserverDict', 'no', 'walk `model.namedModules()`'],
      ['torch.quantization.default_eval_fn', 'defaultEvalFn', 'no', 'pass your own calibration function to `quantize`'],
      ['torch.quantization.quantize_jit', 'quantize', 'instead', 'no TorchScript: use eager `quantize`, or FX graph mode'],
      ['torch.quantization.quantize_dynamic_jit', 'quantizeDynamic', 'instead', 'no TorchScript: use eager `quantizeDynamic`, or FX graph mode'],
      ['qconfig_dict (eager)', 'propagateQconfig_', 'yes', "a `Map` or object from module name (`''` = global) or class to a qconfig or `null`; also `quantizeDynamic`'s second argument"],
      ['prepare(..., prepare_custom_config_dict=...)', 'prepare', 'yes', '`prepare(m, { prepareCustomConfigDict: { floatToObservedCustomModuleClass: new Map([[Float, Observed]]) } })`'],
      ['convert(..., convert_custom_config_dict=...)', 'convert', 'yes', '`convert(m, { convertCustomConfigDict: { observedToQuantizedCustomModuleClass: new Map([[Observed, Quantized]]) } })`'],
      ['from_float / from_observed (custom module classes)', 'convert', 'yes', 'your classes define static `fromFloat(m)` / `fromObserved(m)`'],
    ]),
  },
  {
    title: '`torch.quantization`: qconfigs and stubs',
    rows: rows(Q, [
      ['torch.quantization.QConfig', 'QConfig'],
      ['torch.quantization.QConfigDynamic', 'QConfigDynamic'],
      ['torch.ao.quantization.QConfigMapping', 'QConfigMapping'],
      ['torch.quantization.get_default_qconfig', 'getDefaultQconfig'],
      ['torch.quantization.get_default_qat_qconfig', 'getDefaultQatQconfig'],
      ['torch.quantization.default_qconfig', 'defaultQconfig'],
      ['torch.quantization.default_qat_qconfig', 'defaultQatQconfig'],
      ['torch.quantization.default_dynamic_qconfig', 'defaultDynamicQconfig'],
      ['torch.quantization.float16_dynamic_qconfig', 'float16DynamicQconfig'],
      ['torch.quantization.default_per_channel_qconfig', 'defaultPerChannelQconfig'],
      ['torch.quantization.QuantStub', 'QuantStub'],
      ['torch.quantization.DeQuantStub', 'DeQuantStub'],
      ['torch.quantization.QuantWrapper', 'QuantWrapper'],
    ]),
  },
  {
    title: '`torch.quantization`: observers and fake quantization',
    rows: rows(Q, [
      ['torch.quantization.ObserverBase (`Observer`)', 'ObserverBase'],
      ['ObserverBase.with_args', 'ObserverBase.withArgs', 'yes', '`MinMaxObserver.withArgs({ dtype: qint8 })` returns a factory'],
      ['ObserverBase.calculate_qparams', 'MinMaxObserver#calculateQparams'],
      ['torch.quantization.MinMaxObserver', 'MinMaxObserver'],
      ['torch.quantization.MovingAverageMinMaxObserver', 'MovingAverageMinMaxObserver'],
      ['torch.quantization.PerChannelMinMaxObserver', 'PerChannelMinMaxObserver'],
      ['torch.quantization.MovingAveragePerChannelMinMaxObserver', 'MovingAveragePerChannelMinMaxObserver'],
      ['torch.quantization.HistogramObserver', 'HistogramObserver'],
      ['torch.quantization.RecordingObserver', 'RecordingObserver'],
      ['torch.quantization.NoopObserver', 'NoopObserver'],
      ['torch.quantization.PlaceholderObserver', 'PlaceholderObserver'],
      ['reduce_range=True (observer argument)', 'MinMaxObserver', 'yes', '`new MinMaxObserver({ reduceRange: true })`, `MinMaxObserver.withArgs({ reduceRange: true })`'],
      ['torch.quantization.default_observer', 'defaultObserver'],
      ['torch.quantization.default_weight_observer', 'defaultWeightObserver'],
      ['torch.quantization.FakeQuantize', 'FakeQuantize'],
      ['torch.quantization.default_fake_quant', 'defaultFakeQuant'],
      ['torch.quantization.default_weight_fake_quant', 'defaultWeightFakeQuant'],
      ['torch.quantization.enable_observer / disable_observer', 'enableObserver', 'yes', 'and `disableObserver`; use with `model.apply(...)`'],
      ['torch.quantization.enable_fake_quant / disable_fake_quant', 'enableFakeQuant', 'yes', 'and `disableFakeQuant`'],
    ]),
  },
  {
    title: '`torch.nn.quantized`',
    rows: [
      ...same(NNQ, 'torch.nn.quantized.', [
        'Quantize', 'DeQuantize', 'FloatFunctional', 'QFunctional', 'Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d',
        'ConvTranspose3d', 'Linear', 'MaxPool2d', 'ReLU6', 'ELU', 'Hardswish', 'LeakyReLU', 'Sigmoid', 'Softmax', 'BatchNorm2d',
        'BatchNorm3d', 'LayerNorm', 'GroupNorm', 'InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d', 'Embedding', 'EmbeddingBag',
      ]),
      ...rows(NN, [['torch.nn.quantized.ReLU', 'ReLU', 'instead', 'PyTorch 1.13 dropped it too: the float `ReLU` runs on quantized tensors']]),
      ...rows(NNQ, [
        ['FloatFunctional.add', 'FloatFunctional#add'],
        ['FloatFunctional.cat', 'FloatFunctional#cat'],
        ['FloatFunctional.mul', 'FloatFunctional#mul'],
        ['FloatFunctional.add_relu', 'FloatFunctional#addRelu'],
        ['FloatFunctional.add_scalar', 'FloatFunctional#addScalar'],
        ['FloatFunctional.mul_scalar', 'FloatFunctional#mulScalar'],
        ['Linear.from_float (any quantized module)', 'Linear.fromFloat'],
      ]),
    ],
  },
  {
    title: '`torch.nn.quantized.dynamic`',
    rows: same(NNQD, 'torch.nn.quantized.dynamic.', ['Linear', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell']),
  },
  {
    title: '`torch.nn.quantized.functional`',
    rows: same(QF, 'torch.nn.quantized.functional.', [
      'relu', 'linear', 'conv1d', 'conv2d', 'conv3d', 'max_pool1d', 'max_pool2d', 'adaptive_avg_pool2d', 'adaptive_avg_pool3d',
      'avg_pool2d', 'avg_pool3d', 'interpolate', 'hardswish', 'hardsigmoid', 'hardtanh', 'elu', 'celu', 'leaky_relu', 'clamp',
      'threshold', 'upsample', 'upsample_bilinear', 'upsample_nearest',
    ]),
  },
  {
    title: 'FX graph mode quantization (`torch.quantization.quantize_fx`)',
    rows: rows(QFX, [
      ['quantize_fx.prepare_fx', 'prepareFx', 'yes', "`prepareFx(model, qconfigMapping, { exampleInputs })`; the qconfig dict may be `{ '': qconfig }` or a `QConfigMapping`"],
      ['quantize_fx.prepare_qat_fx', 'prepareQatFx'],
      ['quantize_fx.convert_fx', 'convertFx'],
      ['quantize_fx.convert_to_reference_fx', 'convertToReferenceFx'],
      ['quantize_fx.fuse_fx', 'fuseFx'],
      ['prepare_fx(..., prepare_custom_config_dict=...)', 'PrepareCustomConfig', 'yes', 'or a plain object with PyTorch\'s keys in camelCase'],
      ['convert_fx(..., convert_custom_config_dict=...)', 'ConvertCustomConfig'],
      ['torch.ao.quantization.get_default_qconfig_mapping', 'getDefaultQconfigMapping'],
      ['torch.ao.quantization.backend_config.BackendConfig', 'BackendConfig'],
      ['torch.ao.quantization.backend_config.get_native_backend_config', 'getNativeBackendConfig'],
    ]),
  },
  {
    title: 'Saving and loading',
    rows: [
      ...rows(NN, [
        ['nn.Module.state_dict', 'Module#stateDict'],
        ['nn.Module.load_state_dict', 'Module#loadStateDict'],
      ]),
      ...rows(QT, [
        ['torch.save (a state dict)', 'saveFile', 'instead', 'safetensors: `saveFile(path, sd)` or `saveSafetensors(sd)` (bytes)'],
        ['torch.load (a PyTorch checkpoint)', 'loadTorch', 'yes', '`loadTorch(path)` / `loadTorchFile(bytes)`: state dicts only, never runs code'],
        ['torch.load (a file qtorch saved)', 'loadFile', 'instead', '`loadFile(path).tensors` / `loadSafetensors(bytes).tensors`'],
      ]),
      ...rows(FX, [
        ['torch.jit.script + torch.jit.save', 'saveGraphModule', 'instead', 'no TorchScript: trace with `symbolicTrace`, save graph and weights (`saveGraphModuleFile`)'],
        ['torch.jit.load', 'loadGraphModule', 'instead', 'runs without the model\'s class (`loadGraphModuleFile`)'],
      ]),
    ],
  },
  {
    title: 'Numeric suite (`torch.ao.ns._numeric_suite`, `_numeric_suite_fx`)',
    rows: [
      ...same(NS, 'torch.ao.ns._numeric_suite.', [
        'compare_weights', 'compare_model_outputs', 'compare_model_stub', 'prepare_model_outputs', 'prepare_model_with_stubs',
        'get_matching_activations', 'get_logger_dict', 'Logger', 'OutputLogger', 'ShadowLogger', 'Shadow',
      ]),
      ...rows(NSFX, [
        ['torch.ao.ns.fx.utils.compute_sqnr', 'computeSqnr'],
        ['torch.ao.ns.fx.utils.compute_normalized_l2_error', 'computeNormalizedL2Error'],
        ['torch.ao.ns.fx.utils.compute_cosine_similarity', 'computeCosineSimilarity'],
        ['torch.ao.ns._numeric_suite_fx.extend_logger_results_with_comparison', 'extendLoggerResultsWithComparison'],
        ['torch.ao.ns._numeric_suite_fx.extract_weights', 'extractWeights'],
        ['torch.ao.ns._numeric_suite_fx.add_loggers', 'addLoggers'],
        ['torch.ao.ns._numeric_suite_fx.extract_logger_info', 'extractLoggerInfo'],
        ['torch.ao.ns._numeric_suite_fx.add_shadow_loggers', 'addShadowLoggers'],
        ['torch.ao.ns._numeric_suite_fx.extract_shadow_logger_info', 'extractShadowLoggerInfo'],
      ]),
    ],
  },
  {
    title: 'Not in qtorch',
    rows: [
      ...rows('@qtorch/nn-quantized/sparse', [
        ['torch.ao.nn.sparse.quantized.Linear', 'Linear', 'no', 'sparse quantized modules are not planned yet'],
      ]),
      ...rows(NN, [
        ['nn.MultiheadAttention (quantized)', 'MultiheadAttention', 'instead', 'PyTorch does not quantize it either; it stays float'],
      ]),
    ],
  },
];

/** Every row of the table. */
export function apiRows(): ApiRow[] {
  return apiSections.flatMap((s) => s.rows);
}

/**
 * Looks a qtorch name up in an entry point's exports: `a.b.c` walks properties, `A#m`
 * checks `A.prototype` (methods and getters). Undefined when any step is missing.
 */
export function resolveName(ns: Namespace | undefined, name: string): unknown {
  if (!ns) return undefined;
  const [path, member] = name.split('#') as [string, string | undefined];
  let v: unknown = ns;
  for (const part of path.split('.')) {
    if (v === null || v === undefined || !(typeof v === 'object' || typeof v === 'function')) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  if (member === undefined) return v;
  const proto = (v as { prototype?: object } | undefined)?.prototype;
  return proto && member in proto ? Object.getOwnPropertyDescriptor(findOwner(proto, member), member) : undefined;
}

function findOwner(proto: object, member: string): object {
  let p: object | null = proto;
  while (p && !Object.prototype.hasOwnProperty.call(p, member)) p = Object.getPrototypeOf(p) as object | null;
  return p ?? proto;
}

/** Variable names used to show an instance method (`x.intRepr()`). */
const INSTANCE_NAMES: Record<string, string> = {
  Tensor: 'x', Module: 'model', FloatFunctional: 'ff', MinMaxObserver: 'observer',
};

/** How a row's qtorch name is shown: `quantizePerTensor`, `x.intRepr()`, `backends.quantized.engine`. */
export function displayName(row: ApiRow): string {
  const [path, member] = row.name.split('#') as [string, string | undefined];
  if (member === undefined) return `\`${path}\``;
  return `\`${INSTANCE_NAMES[path] ?? path[0]!.toLowerCase() + path.slice(1)}.${member}()\``;
}

const STATUS_TEXT: Record<ApiStatus, string> = { yes: 'yes', instead: 'use instead', no: '**not yet**' };

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** The Markdown of the table (one `###` heading and table per section). */
export function renderApiTable(sections: ApiSection[] = apiSections): string {
  const out: string[] = [];
  for (const s of sections) {
    out.push(`### ${s.title}`, '', '| PyTorch | qtorch | import from | supported | notes |', '| --- | --- | --- | --- | --- |');
    for (const r of s.rows) {
      const torch = r.torch.includes('`') ? r.torch : `\`${r.torch}\``;
      out.push(`| ${cell(torch)} | ${cell(displayName(r))} | \`${r.from}\` | ${STATUS_TEXT[r.status]} | ${cell(r.note ?? '')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Marker comments delimiting the generated table inside docs/from-pytorch.md. */
export const TABLE_START = '<!-- api-table:start (generated by tools/doc-examples: pnpm --filter @qtorch/doc-examples api-table) -->';
export const TABLE_END = '<!-- api-table:end -->';

/** `doc` with the text between the markers replaced by `table`; throws when a marker is missing. */
export function spliceTable(doc: string, table: string): string {
  const a = doc.indexOf(TABLE_START), b = doc.indexOf(TABLE_END);
  if (a < 0 || b < a) throw new Error(`the api-table markers are missing: ${TABLE_START} ... ${TABLE_END}`);
  return `${doc.slice(0, a + TABLE_START.length)}\n\n${table}\n${doc.slice(b)}`;
}
