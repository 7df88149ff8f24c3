/**
 * The default module mappings of the eager workflows (torch.ao.quantization.quantization_mappings):
 * float/observed class -> quantized class (static), float -> QAT class, float -> dynamic class,
 * and the module classes that get qconfigs and observers. Getters return copies, so callers
 * can extend them (`getDefaultStaticQuantModuleMappings().set(MyFloat, MyQuantized)`).
 */
import * as nn from '@qtorch/nn';
import type { Module, ModuleClass } from '@qtorch/nn';
import * as nni from '@qtorch/nn-intrinsic';
import * as nniqat from '@qtorch/nn-intrinsic/qat';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import * as nniqd from '@qtorch/nn-intrinsic/quantized/dynamic';
import * as nnqat from '@qtorch/nn-qat';
import * as nnqatd from '@qtorch/nn-qat/dynamic';
import * as nnq from '@qtorch/nn-quantized';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import type { DType } from '@qtorch/qtensor';
import { quint8 } from '@qtorch/qtensor';
import { FakeQuantizeBase } from '../fake_quantize/base.js';
import { defaultFixedQparamsRange0To1FakeQuant, defaultFixedQparamsRangeNeg1To1FakeQuant } from '../fake_quantize/defaults.js';
import { ObserverBase } from '../observer/base.js';
import type { QConfig } from '../qconfig/qconfig.js';
import { DeQuantStub, QuantStub } from './stubs.js';

/** A module class mapping: source class -> target class (with a static `fromFloat`). */
export type ModuleMapping = Map<ModuleClass, ModuleClass>;

type Pair = [unknown, unknown];

/** Builds a mapping; an undefined class (a module not implemented yet) is an error in tests. */
function mapping(pairs: Pair[]): ModuleMapping {
  return new Map(pairs.filter(([a, b]) => a !== undefined && b !== undefined) as Array<[ModuleClass, ModuleClass]>);
}

const STATIC: Pair[] = [
  [QuantStub, nnq.Quantize], [DeQuantStub, nnq.DeQuantize],
  [nn.BatchNorm2d, nnq.BatchNorm2d], [nn.BatchNorm3d, nnq.BatchNorm3d], [nn.Dropout, nnq.Dropout],
  [nn.Conv1d, nnq.Conv1d], [nn.Conv2d, nnq.Conv2d], [nn.Conv3d, nnq.Conv3d],
  [nn.ConvTranspose1d, nnq.ConvTranspose1d], [nn.ConvTranspose2d, nnq.ConvTranspose2d], [nn.ConvTranspose3d, nnq.ConvTranspose3d],
  [nn.ELU, nnq.ELU], [nn.Embedding, nnq.Embedding], [nn.EmbeddingBag, nnq.EmbeddingBag],
  [nn.GroupNorm, nnq.GroupNorm], [nn.Hardswish, nnq.Hardswish],
  [nn.InstanceNorm1d, nnq.InstanceNorm1d], [nn.InstanceNorm2d, nnq.InstanceNorm2d], [nn.InstanceNorm3d, nnq.InstanceNorm3d],
  [nn.LayerNorm, nnq.LayerNorm], [nn.LeakyReLU, nnq.LeakyReLU], [nn.NonDynamicallyQuantizableLinear, nnq.Linear],
  [nn.Linear, nnq.Linear], [nn.ReLU6, nnq.ReLU6], [nn.PReLU, (nnq as Record<string, unknown>).PReLU],
  [nnq.FloatFunctional, nnq.QFunctional],
  [nni.BNReLU2d, nniq.BNReLU2d], [nni.BNReLU3d, nniq.BNReLU3d],
  [nni.ConvReLU1d, nniq.ConvReLU1d], [nni.ConvReLU2d, nniq.ConvReLU2d], [nni.ConvReLU3d, nniq.ConvReLU3d],
  [nni.LinearReLU, nniq.LinearReLU],
  [nniqat.ConvBn1d, nnq.Conv1d], [nniqat.ConvBn2d, nnq.Conv2d], [nniqat.ConvBn3d, nnq.Conv3d],
  [nniqat.ConvBnReLU1d, nniq.ConvReLU1d], [nniqat.ConvBnReLU2d, nniq.ConvReLU2d], [nniqat.ConvBnReLU3d, nniq.ConvReLU3d],
  [nniqat.ConvReLU2d, nniq.ConvReLU2d], [nniqat.ConvReLU3d, nniq.ConvReLU3d],
  [nniqat.LinearReLU, nniq.LinearReLU], [nniqat.LinearBn1d, nnq.Linear],
  [nnqat.Linear, nnq.Linear], [nnqat.Conv2d, nnq.Conv2d], [nnqat.Conv3d, nnq.Conv3d],
];

const QAT: Pair[] = [
  [nn.Conv2d, nnqat.Conv2d], [nn.Conv3d, nnqat.Conv3d], [nn.Linear, nnqat.Linear], [nn.NonDynamicallyQuantizableLinear, nnqat.Linear],
  [nni.ConvBn1d, nniqat.ConvBn1d], [nni.ConvBn2d, nniqat.ConvBn2d], [nni.ConvBn3d, nniqat.ConvBn3d],
  [nni.ConvBnReLU1d, nniqat.ConvBnReLU1d], [nni.ConvBnReLU2d, nniqat.ConvBnReLU2d], [nni.ConvBnReLU3d, nniqat.ConvBnReLU3d],
  [nni.ConvReLU2d, nniqat.ConvReLU2d], [nni.ConvReLU3d, nniqat.ConvReLU3d],
  [nni.LinearReLU, nniqat.LinearReLU], [nni.LinearBn1d, nniqat.LinearBn1d],
];

const DYNAMIC: Pair[] = [
  [nn.GRUCell, nnqd.GRUCell], [nn.Linear, nnqd.Linear], [nnqatd.Linear, nnqd.Linear], [nn.NonDynamicallyQuantizableLinear, nnqd.Linear],
  [nn.LSTM, nnqd.LSTM], [nn.GRU, nnqd.GRU],
  [nn.LSTMCell, nnqd.LSTMCell], [nn.RNNCell, nnqd.RNNCell], [nni.LinearReLU, nniqd.LinearReLU],
  [nn.EmbeddingBag, nnq.EmbeddingBag], [nn.Embedding, nnq.Embedding],
];

/** Every mapping entry of PyTorch 1.13 whose classes are not (yet) implemented here. */
export function unimplementedMappingEntries(): string[] {
  const out: string[] = [];
  for (const [table, pairs] of [['static', STATIC], ['qat', QAT], ['dynamic', DYNAMIC]] as const) {
    pairs.forEach(([a, b], i) => {
      if (a === undefined || b === undefined) out.push(`${table}[${i}]: ${(a as { name?: string })?.name ?? '?'} -> ${(b as { name?: string })?.name ?? '?'}`);
    });
  }
  return out;
}

/** float / observed / QAT class -> quantized class, for static quantization. */
export function getDefaultStaticQuantModuleMappings(): ModuleMapping {
  return mapping(STATIC);
}

/** float class -> QAT class. */
export function getDefaultQatModuleMappings(): ModuleMapping {
  return mapping(QAT);
}

/** float class -> dynamically quantized class. */
export function getDefaultDynamicQuantModuleMappings(): ModuleMapping {
  return mapping(DYNAMIC);
}

/** The module classes that receive a qconfig and an output observer. */
export function getDefaultQconfigPropagationList(): Set<ModuleClass> {
  return new Set<ModuleClass>([
    ...getDefaultStaticQuantModuleMappings().keys(), ...getDefaultQatModuleMappings().keys(),
    ...getDefaultDynamicQuantModuleMappings().keys(), nn.Sequential,
  ]);
}

/** The default qconfig spec of `quantizeDynamic` for a weight dtype. */
export function defaultDynamicQconfigSpec(dtype: DType, qconfig: QConfig): Map<ModuleClass, QConfig> {
  const classes = dtype === quint8 ? [nn.EmbeddingBag, nn.Embedding] : [nn.Linear, nn.LSTM, nn.GRU, nn.LSTMCell, nn.RNNCell, nn.GRUCell];
  return new Map(classes.filter((c) => c !== undefined).map((c) => [c as ModuleClass, qconfig]));
}

/** Dropout is skipped by prepare (it is the identity in eval). */
export function isDropout(m: Module): boolean {
  return nn.Dropout !== undefined && m instanceof nn.Dropout;
}

/** FloatFunctional / QFunctional: observed through their own activation_post_process. */
export function isFloatFunctional(m: Module): boolean {
  return (nnq.FloatFunctional !== undefined && m instanceof nnq.FloatFunctional) || (nnq.QFunctional !== undefined && m instanceof nnq.QFunctional);
}

/** The QAT fused classes: PyTorch makes them _FusedModule subclasses too (multiple inheritance). */
const QAT_FUSED: ModuleClass[] = [
  nniqat.ConvBn1d, nniqat.ConvBn2d, nniqat.ConvBn3d, nniqat.ConvBnReLU1d, nniqat.ConvBnReLU2d, nniqat.ConvBnReLU3d,
  nniqat.ConvReLU1d, nniqat.ConvReLU2d, nniqat.ConvReLU3d, nniqat.LinearReLU, nniqat.LinearBn1d,
];

/** Fused modules (conv-bn-relu, ... float or QAT) are observed and swapped as one unit. */
export function isFusedModule(m: Module): boolean {
  return m instanceof nni._FusedModule || QAT_FUSED.some((c) => m instanceof c);
}

/** Observers and fake quantizers. */
export function isObserverLike(m: Module): boolean {
  return m instanceof ObserverBase || m instanceof FakeQuantizeBase;
}

/**
 * In training (QAT), sigmoid-like outputs get fixed-qparams fake quantizers, as PyTorch's
 * DEFAULT_MODULE_TO_ACT_POST_PROCESS.
 */
export function specialActivationPostProcess(m: Module): (() => Module) | undefined {
  if (!m.training) return undefined;
  if (m instanceof nn.Hardsigmoid || m instanceof nn.Sigmoid || m instanceof nn.Softmax) return defaultFixedQparamsRange0To1FakeQuant as unknown as () => Module;
  if (m instanceof nn.Tanh) return defaultFixedQparamsRangeNeg1To1FakeQuant as unknown as () => Module;
  return undefined;
}
