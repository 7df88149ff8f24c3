/**
 * PyTorch 1.13's pattern configurations for the native engines (backend_config/native.py,
 * fbgemm.py, qnnpack.py and _common_operator_config_utils.py): weighted ops (linear, conv)
 * with their fusions and QAT / reference modules, binary ops, fixed-qparams ops, ops that share
 * their input's qparams, cat, batch norm, and the default (different-observer) ops.
 *
 * JavaScript has no `+` on tensors: `x.add(y)` / `x.mul(y)` (call_method) stand for Python's
 * `operator.add` / `operator.mul`.
 */
import * as nn from '@qtorch/nn';
import type { ModuleClass } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import * as nni from '@qtorch/nn-intrinsic';
import * as nniqat from '@qtorch/nn-intrinsic/qat';
import * as nnqat from '@qtorch/nn-qat';
import { torch } from '@qtorch/fx';
import { float16, float32, qint8, quint4x2, quint8 } from '@qtorch/qtensor';
import { FixedQParamsFakeQuantize } from '../../fake_quantize/fake_quantize.js';
import { FIXED_QPARAMS_OP_TO_OBSERVER, type ObjectType } from '../../qconfig/qconfig_mapping.js';
import * as nnqr from '../reference_modules.js';
import {
  BackendConfig, BackendPatternConfig, DTypeConfig, ObservationType, type ObserverCtor, type Pattern,
} from './backend_config.js';
import { eagerFuser, reverse2, reverse3, reverseSequentialWrapper2 } from './fuser_methods.js';

const DIFFERENT = ObservationType.OUTPUT_USE_DIFFERENT_OBSERVER_AS_INPUT;
const SHARE = ObservationType.OUTPUT_SHARE_OBSERVER_WITH_INPUT;

/** quint8 activations, qint8 weights (linear, conv). */
export const weightedOpInt8DtypeConfig = new DTypeConfig({ inputDtype: quint8, outputDtype: quint8, weightDtype: qint8, biasDtype: float32 });
/** quint8 in and out (ops without weights). */
export const defaultOpQuint8DtypeConfig = new DTypeConfig({ inputDtype: quint8, outputDtype: quint8 });
/** float16 static (reference only). */
export const defaultOpFp16DtypeConfig = new DTypeConfig({ inputDtype: float16, outputDtype: float16, weightDtype: float16, biasDtype: float16 });
/** int8 dynamic: quint8 activations quantized at run time, float output. */
export const defaultDynamicInt8DtypeConfig = new DTypeConfig({ inputDtype: quint8, outputDtype: float32, weightDtype: qint8, biasDtype: float32, isDynamic: true });
/** float16 dynamic. */
export const defaultDynamicFloat16DtypeConfig = new DTypeConfig({ inputDtype: float16, outputDtype: float32, weightDtype: float16, biasDtype: float32, isDynamic: true });
/** quint8 in and out with float weights (layer norm). */
export const inputOutputOnlyQuint8DtypeConfig = new DTypeConfig({ inputDtype: quint8, outputDtype: quint8, weightDtype: float32, biasDtype: float32 });
/** Weight-only quint8 (embeddings). */
export const weightOnlyQuint8DtypeConfig = new DTypeConfig({ inputDtype: float32, outputDtype: float32, weightDtype: quint8 });
/** Weight-only 4-bit (embeddings). */
export const weightOnlyQuint4x2DtypeConfig = new DTypeConfig({ inputDtype: float32, outputDtype: float32, weightDtype: quint4x2 });

const cfg = (p: Pattern, dtypes: readonly DTypeConfig[], obs: typeof DIFFERENT | typeof SHARE = DIFFERENT) =>
  new BackendPatternConfig(p).setObservationType(obs).setDtypeConfigs(dtypes);

/** Ops with their own output observer and no weight (PyTorch's `_get_default_op_configs`). */
function defaultOpConfigs(dtypes: readonly DTypeConfig[]): BackendPatternConfig[] {
  const ops: ObjectType[] = [
    nn.ELU, nn.LeakyReLU, nn.Hardswish, nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d, nn.LayerNorm, nn.Dropout, nn.PReLU,
    F.elu, F.hardswish, F.leakyRelu, F.dropout,
  ];
  return [
    ...ops.map((op) => cfg(op, dtypes)),
    cfg(F.groupNorm, dtypes)._setInputTypeToIndex({ weight: 'weight', bias: 'bias' }),
    cfg(F.instanceNorm, dtypes)._setInputTypeToIndex({ weight: 'weight', bias: 'bias' }),
    cfg(F.layerNorm, dtypes)._setInputTypeToIndex({ weight: 'weight', bias: 'bias' }),
  ];
}

/** Linear modules, F.linear, their relu / batch-norm fusions and QAT forms. */
function linearConfigs(dtypes: readonly DTypeConfig[]): BackendPatternConfig[] {
  const weighted = (p: Pattern, qat?: ModuleClass) => {
    const c = cfg(p, dtypes).setRootModule(nn.Linear).setReferenceQuantizedModule(nnqr.Linear);
    return qat ? c.setQatModule(qat) : c;
  };
  const fusion = (p: Pattern, fused: ModuleClass, fuser: ReturnType<typeof reverse2>) => cfg(p, dtypes).setFuserMethod(fuser).setFusedModule(fused);
  return [
    weighted(nn.Linear, nnqat.Linear),
    weighted(nnqat.Linear),
    cfg(F.linear, dtypes)._setInputTypeToIndex({ weight: 1, bias: 2 }),
    fusion([nn.ReLU, nn.Linear], nni.LinearReLU, reverseSequentialWrapper2(nni.LinearReLU)),
    fusion([F.relu, nn.Linear], nni.LinearReLU, reverseSequentialWrapper2(nni.LinearReLU)),
    weighted(nni.LinearReLU, nniqat.LinearReLU),
    weighted(nniqat.LinearReLU),
    cfg([nn.ReLU, F.linear], dtypes),
    cfg([F.relu, F.linear], dtypes),
    fusion([nn.BatchNorm1d, nn.Linear], nni.LinearBn1d, reverse2(eagerFuser([nn.Linear, nn.BatchNorm1d]))),
    weighted(nni.LinearBn1d, nniqat.LinearBn1d),
    weighted(nniqat.LinearBn1d),
  ];
}

interface ConvSet {
  root: ModuleClass; qat: ModuleClass; func: ObjectType; reference: ModuleClass; bn: ModuleClass;
  convRelu: ModuleClass; reluQat: ModuleClass; convBn: ModuleClass; bnQat: ModuleClass; convBnRelu: ModuleClass; bnReluQat: ModuleClass;
}

const CONVS: ConvSet[] = [
  {
    root: nn.Conv1d, qat: nnqat.Conv1d, func: F.conv1d, reference: nnqr.Conv1d, bn: nn.BatchNorm1d, convRelu: nni.ConvReLU1d,
    reluQat: nniqat.ConvReLU1d, convBn: nni.ConvBn1d, bnQat: nniqat.ConvBn1d, convBnRelu: nni.ConvBnReLU1d, bnReluQat: nniqat.ConvBnReLU1d,
  },
  {
    root: nn.Conv2d, qat: nnqat.Conv2d, func: F.conv2d, reference: nnqr.Conv2d, bn: nn.BatchNorm2d, convRelu: nni.ConvReLU2d,
    reluQat: nniqat.ConvReLU2d, convBn: nni.ConvBn2d, bnQat: nniqat.ConvBn2d, convBnRelu: nni.ConvBnReLU2d, bnReluQat: nniqat.ConvBnReLU2d,
  },
  {
    root: nn.Conv3d, qat: nnqat.Conv3d, func: F.conv3d, reference: nnqr.Conv3d, bn: nn.BatchNorm3d, convRelu: nni.ConvReLU3d,
    reluQat: nniqat.ConvReLU3d, convBn: nni.ConvBn3d, bnQat: nniqat.ConvBn3d, convBnRelu: nni.ConvBnReLU3d, bnReluQat: nniqat.ConvBnReLU3d,
  },
];

/** Conv modules, F.conv*, their relu / batch-norm fusions and QAT forms. */
function convConfigs(dtypes: readonly DTypeConfig[]): BackendPatternConfig[] {
  const out: BackendPatternConfig[] = [];
  for (const c of CONVS) {
    const weighted = (p: Pattern, qat?: ModuleClass) => {
      const b = cfg(p, dtypes).setRootModule(c.root).setReferenceQuantizedModule(c.reference);
      return qat ? b.setQatModule(qat) : b;
    };
    const fusion = (p: Pattern, fused: ModuleClass, fuser: ReturnType<typeof reverse2>) => cfg(p, dtypes).setFuserMethod(fuser).setFusedModule(fused);
    const convBnRelu = reverse3(eagerFuser([c.root, c.bn, nn.ReLU]));
    out.push(
      weighted(c.root, c.qat),
      weighted(c.qat),
      cfg(c.func, dtypes)._setInputTypeToIndex({ weight: 1, bias: 'bias' }),
      fusion([nn.ReLU, c.root], c.convRelu, reverseSequentialWrapper2(c.convRelu as never)),
      fusion([F.relu, c.root], c.convRelu, reverseSequentialWrapper2(c.convRelu as never)),
      weighted(c.convRelu, c.reluQat),
      weighted(c.reluQat),
      cfg([nn.ReLU, c.func], dtypes),
      cfg([F.relu, c.func], dtypes),
      fusion([c.bn, c.root], c.convBn, reverse2(eagerFuser([c.root, c.bn]))),
      fusion([nn.ReLU, [c.bn, c.root]], c.convBnRelu, convBnRelu),
      fusion([F.relu, [c.bn, c.root]], c.convBnRelu, convBnRelu).setRootModule(c.root),
      cfg(c.convBn, dtypes).setQatModule(c.bnQat),
      cfg(c.convBnRelu, dtypes).setQatModule(c.bnReluQat),
      weighted(c.bnQat),
      weighted(c.bnReluQat),
    );
  }
  return out;
}

/** add / mul (tensor-tensor: own observer; with a scalar: the input's qparams), with relu; matmul. */
function binaryOpConfigs(dtypes: readonly DTypeConfig[]): BackendPatternConfig[] {
  const byTensorArgs = new Map([[0, SHARE], [1, SHARE], [2, DIFFERENT]] as const);
  const out: BackendPatternConfig[] = [];
  for (const op of ['add', torch.add, 'mul', torch.mul] as ObjectType[]) {
    for (const p of [[nn.ReLU, op], [F.relu, op], [torch.relu, op], op] as Pattern[]) {
      out.push(new BackendPatternConfig(p).setDtypeConfigs(dtypes)._setNumTensorArgsToObservationType(byTensorArgs));
    }
  }
  out.push(new BackendPatternConfig(torch.matmul).setDtypeConfigs(dtypes));
  return out;
}

/** sigmoid, tanh, hardsigmoid, softmax: the output observer is fixed by the op. */
function fixedQparamsOpConfigs(dtypes: readonly DTypeConfig[]): BackendPatternConfig[] {
  return FIXED_QPARAMS_OP_TO_OBSERVER.map(([op, observer]) => cfg(op, dtypes)
    ._setOverwriteOutputFakeQuantize(FixedQParamsFakeQuantize.withArgs({ observer }) as unknown as ObserverCtor)
    ._setOverwriteOutputObserver(observer as unknown as ObserverCtor));
}

/** Ops whose output is quantized like their input (pooling, relu, shape ops). */
function shareQparamsOpConfigs(dtypes: readonly DTypeConfig[]): BackendPatternConfig[] {
  const ops: ObjectType[] = [
    nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d, nn.Hardtanh, nn.Identity,
    nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.ReLU, nn.ReLU6,
    F.adaptiveAvgPool1d, F.adaptiveAvgPool2d, F.adaptiveAvgPool3d, F.hardtanh, F.hardtanh_, F.interpolate, F.maxPool1d, F.maxPool2d,
    F.maxPool3d, F.relu, F.relu6, F.avgPool1d, F.avgPool2d, F.avgPool3d,
    torch.clamp, torch.flatten, torch.mean, torch.transpose, torch.squeeze, torch.stack, torch.unsqueeze,
    'contiguous', 'clamp', 'detach', 'detach_', 'flatten', 'mean', 'permute', 'repeat', 'repeat_interleave', 'reshape', 'resize_', 'relu',
    'relu_', 'size', 'squeeze', 'squeeze_', 'transpose', 'unsqueeze', 'unsqueeze_', 'view',
  ];
  return ops.map((op) => cfg(op, dtypes, SHARE));
}

/** BatchNorm2d/3d and their relu fusions. */
function bnConfigs(dtypes: readonly DTypeConfig[]): BackendPatternConfig[] {
  const out: BackendPatternConfig[] = [];
  for (const [bn, fused] of [[nn.BatchNorm2d, nni.BNReLU2d], [nn.BatchNorm3d, nni.BNReLU3d]] as const) {
    for (const relu of [nn.ReLU, F.relu] as ObjectType[]) {
      out.push(cfg([relu, bn], dtypes).setFuserMethod(reverseSequentialWrapper2(fused as never)).setFusedModule(fused));
    }
    out.push(cfg(bn, dtypes));
  }
  out.push(cfg(nni.BNReLU2d, dtypes), cfg(nni.BNReLU3d, dtypes));
  return out;
}

/** Embeddings: weight-only quantization (their inputs are indices, outputs stay float). */
function embeddingConfigs(dtypes: readonly DTypeConfig[]): BackendPatternConfig[] {
  const weightOnly = (p: Pattern) => cfg(p, dtypes).setRootModule(nn.Embedding).setReferenceQuantizedModule(nnqr.Embedding)._setInputOutputObserved(false);
  return [weightOnly(nn.Embedding).setQatModule(nnqat.Embedding), weightOnly(nnqat.Embedding)];
}

/** Layer norm: quantized input and output, float weights. */
function layerNormConfigs(dtypes: readonly DTypeConfig[]): BackendPatternConfig[] {
  return [cfg(nn.LayerNorm, dtypes), cfg(F.layerNorm, dtypes)._setInputTypeToIndex({ weight: 'weight', bias: 'bias' })];
}

/** The dtype configs per op family of one backend. */
interface FamilyDtypes {
  conv: DTypeConfig[]; linear: DTypeConfig[]; binary: DTypeConfig[]; defaultOp: DTypeConfig[]; fixedQparams: DTypeConfig[];
  shareQparams: DTypeConfig[]; layerNorm: DTypeConfig[];
}

const EMBEDDING_DTYPES = [weightOnlyQuint8DtypeConfig, weightOnlyQuint4x2DtypeConfig];

function build(name: string, d: FamilyDtypes): BackendConfig {
  return new BackendConfig(name)
    .setBackendPatternConfigs(defaultOpConfigs(d.defaultOp))
    .setBackendPatternConfigs(linearConfigs(d.linear))
    .setBackendPatternConfigs(convConfigs(d.conv))
    .setBackendPatternConfigs(binaryOpConfigs(d.binary))
    .setBackendPatternConfigs(fixedQparamsOpConfigs(d.fixedQparams))
    .setBackendPatternConfigs(shareQparamsOpConfigs(d.shareQparams))
    .setBackendPatternConfig(cfg(torch.cat, d.defaultOp, SHARE))
    .setBackendPatternConfigs(bnConfigs(d.defaultOp))
    .setBackendPatternConfigs(layerNormConfigs(d.layerNorm))
    .setBackendPatternConfigs(embeddingConfigs(EMBEDDING_DTYPES));
}

/**
 * The native backend config (the default of prepareFx / convertFx): fbgemm's and qnnpack's
 * patterns together, with float16 static quantization in reference mode.
 */
export function getNativeBackendConfig(): BackendConfig {
  return build('native', {
    conv: [weightedOpInt8DtypeConfig],
    linear: [weightedOpInt8DtypeConfig, defaultDynamicInt8DtypeConfig, defaultDynamicFloat16DtypeConfig, defaultOpFp16DtypeConfig],
    binary: [weightedOpInt8DtypeConfig, defaultOpFp16DtypeConfig],
    defaultOp: [defaultOpQuint8DtypeConfig],
    fixedQparams: [weightedOpInt8DtypeConfig, defaultOpFp16DtypeConfig],
    shareQparams: [defaultOpQuint8DtypeConfig, defaultOpFp16DtypeConfig],
    layerNorm: [inputOutputOnlyQuint8DtypeConfig],
  });
}

/** The patterns and dtypes the fbgemm engine runs (x86): int8 static and dynamic, float16 dynamic. */
export function getFbgemmBackendConfig(): BackendConfig {
  return build('fbgemm', {
    conv: [weightedOpInt8DtypeConfig],
    linear: [weightedOpInt8DtypeConfig, defaultDynamicInt8DtypeConfig, defaultDynamicFloat16DtypeConfig],
    binary: [weightedOpInt8DtypeConfig],
    defaultOp: [defaultOpQuint8DtypeConfig],
    fixedQparams: [weightedOpInt8DtypeConfig],
    shareQparams: [defaultOpQuint8DtypeConfig],
    layerNorm: [inputOutputOnlyQuint8DtypeConfig],
  });
}

/**
 * The patterns and dtypes the qnnpack engine runs (ARM): int8 static and dynamic. (qnnpack has
 * no float16 kernels; float16 dynamic linear fails at run time there, as in PyTorch.)
 */
export function getQnnpackBackendConfig(): BackendConfig {
  return build('qnnpack', {
    conv: [weightedOpInt8DtypeConfig],
    linear: [weightedOpInt8DtypeConfig, defaultDynamicInt8DtypeConfig],
    binary: [weightedOpInt8DtypeConfig],
    defaultOp: [defaultOpQuint8DtypeConfig],
    fixedQparams: [weightedOpInt8DtypeConfig],
    shareQparams: [defaultOpQuint8DtypeConfig],
    layerNorm: [inputOutputOnlyQuint8DtypeConfig],
  });
}
