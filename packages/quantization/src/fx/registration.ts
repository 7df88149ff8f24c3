/**
 * Makes the quantization module classes known to @qtorch/fx: leaves of symbolic tracing (like
 * torch.nn.intrinsic / quantized modules in torch.fx) and classes a saved GraphModule may
 * contain. Modules holding packed weights (qtensor's packed objects are not plain data) are
 * saved with their weights in their configuration, as a base64 safetensors blob.
 */
import { Module, type ModuleClass } from '@qtorch/nn';
import * as nni from '@qtorch/nn-intrinsic';
import * as nniqat from '@qtorch/nn-intrinsic/qat';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import * as nniqd from '@qtorch/nn-intrinsic/quantized/dynamic';
import * as nnqat from '@qtorch/nn-qat';
import * as nnqatd from '@qtorch/nn-qat/dynamic';
import * as nnq from '@qtorch/nn-quantized';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import { registerLibraryModules, registerSerializableModule } from '@qtorch/fx';
import {
  type ConvGeometry, type ConvPackedParams, QTorchSerializationError, type Tensor, convPrepack, dtypeFromName, loadSafetensors, saveSafetensors,
} from '@qtorch/qtensor';
import * as observers from './observer_classes.js';
import * as stubs from '../eager/stubs.js';
import { QUANTIZED_OPS } from './ops.js';
import * as nnqr from './reference_modules.js';

/** Tensors as a base64 safetensors blob (quantized tensors keep their qparams). */
function encodeTensors(ts: Record<string, Tensor | null>): string {
  const present = Object.fromEntries(Object.entries(ts).filter(([, t]) => t !== null)) as Record<string, Tensor>;
  return Buffer.from(saveSafetensors(present)).toString('base64');
}

function decodeTensors(b64: unknown, what: string): Record<string, Tensor> {
  if (typeof b64 !== 'string') throw new QTorchSerializationError(`loadGraphModule(): ${what} has no weights`);
  return loadSafetensors(new Uint8Array(Buffer.from(b64, 'base64'))).tensors;
}

/** Packed conv weights held by a module, for functional convolutions of converted graphs (`_packed_weight_0`). */
export class ConvPackedParamsModule extends Module {
  /** PyTorch's qualified name of the packed params class, used when saving graphs. */
  static _qualName = 'ConvPackedParams';
  /** @param _packed_params - The packed conv weights (kept under PyTorch's attribute name). */
  constructor(public _packed_params: ConvPackedParams) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

interface ConvConfig extends ConvGeometry {
  state: string;
}

const convConfig = (p: ConvPackedParams): ConvConfig => {
  const [weight, bias] = p.unpack();
  const g = p.geometry;
  return { stride: [...g.stride], padding: [...g.padding], dilation: [...g.dilation], outputPadding: [...g.outputPadding], groups: g.groups, transposed: g.transposed, state: encodeTensors({ weight, bias }) };
};

const convFromConfig = (c: ConvConfig, what: string): ConvPackedParams => {
  const t = decodeTensors(c.state, what);
  return convPrepack(t.weight!, t.bias ?? null, c);
};

type QConv = nnq._ConvNd;
type QConvClass = new (inC: number, outC: number, k: number[], o: Record<string, unknown>) => QConv;

/** Saves a quantized conv module as its geometry, output qparams and weights. */
function registerQuantizedConv(cls: QConvClass, name: string): void {
  registerSerializableModule(cls as unknown as ModuleClass<QConv>, {
    name,
    toConfig: (m: QConv) => ({ inChannels: m.inChannels, outChannels: m.outChannels, kernelSize: m.kernelSize, scale: m.scale, zeroPoint: m.zeroPoint, ...convConfig(m._packed_params) }),
    fromConfig: (c: ConvConfig & { inChannels: number; outChannels: number; kernelSize: number[]; scale: number; zeroPoint: number }) => {
      const m = new cls(c.inChannels, c.outChannels, c.kernelSize, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, outputPadding: c.outputPadding });
      m._packed_params = convFromConfig(c, name);
      m.scale = c.scale;
      m.zeroPoint = c.zeroPoint;
      return m;
    },
  });
}

let registered = false;

/**
 * Registers the quantized, QAT, fused and reference module classes, observers and the
 * quantized op vocabulary with @qtorch/fx (once). prepareFx / convertFx / fuseFx call it;
 * call it yourself before `loadGraphModule` of a quantized model in a fresh process.
 */
export function registerQuantizationModules(): void {
  if (registered) return;
  registered = true;
  void QUANTIZED_OPS;
  registerSerializableModule(nnq.LinearPackedParams, {
    name: 'nnq.LinearPackedParams',
    toConfig: (m) => {
      const [weight, bias] = m._weightBias();
      return { dtype: m.dtype.name, state: encodeTensors({ weight, bias }) };
    },
    fromConfig: (c: { dtype: string; state: string }) => {
      const p = new nnq.LinearPackedParams(dtypeFromName(c.dtype));
      const t = decodeTensors(c.state, 'nnq.LinearPackedParams');
      p.setWeightBias(t.weight!, t.bias ?? null);
      return p;
    },
  });
  registerSerializableModule(ConvPackedParamsModule, {
    name: 'quantization.ConvPackedParams',
    toConfig: (m) => convConfig(m._packed_params),
    fromConfig: (c: ConvConfig) => new ConvPackedParamsModule(convFromConfig(c, 'quantization.ConvPackedParams')),
  });
  const convs: Array<[unknown, string]> = [
    [nnq.Conv1d, 'nnq.Conv1d'], [nnq.Conv2d, 'nnq.Conv2d'], [nnq.Conv3d, 'nnq.Conv3d'],
    [nnq.ConvTranspose1d, 'nnq.ConvTranspose1d'], [nnq.ConvTranspose2d, 'nnq.ConvTranspose2d'], [nnq.ConvTranspose3d, 'nnq.ConvTranspose3d'],
    [nniq.ConvReLU1d, 'nniq.ConvReLU1d'], [nniq.ConvReLU2d, 'nniq.ConvReLU2d'], [nniq.ConvReLU3d, 'nniq.ConvReLU3d'],
  ];
  for (const [cls, name] of convs) registerQuantizedConv(cls as QConvClass, name);
  const namespaces: Array<[object, string]> = [
    [nni, 'nni'], [nniqat, 'nniqat'], [nniq, 'nniq'], [nniqd, 'nniqd'], [nnqat, 'nnqat'], [nnqatd, 'nnqatd'], [nnq, 'nnq'], [nnqd, 'nnqd'],
    [nnqr, 'nnqr'], [observers, 'quantization'], [stubs, 'quantization'],
  ];
  for (const [ns, prefix] of namespaces) registerLibraryModules(ns, prefix);
}
