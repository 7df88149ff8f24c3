/**
 * Our float models from an {@link Arch} (torch.nn-style modules of @qtorch/nn) and their int8
 * versions by eager post-training quantization (@qtorch/quantization: fuse, prepare, calibrate,
 * convert), one per engine so the packed weights belong to that engine.
 */
import { AdaptiveAvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, deepcopy } from '@qtorch/nn';
import { FloatFunctional } from '@qtorch/nn-quantized';
import { DeQuantStub, QuantStub, convert, fuseModules, getDefaultQconfig, prepare } from '@qtorch/quantization';
import { type Engine, type Tensor, randn, withEngine } from '@qtorch/qtensor';
import type { Arch, Block } from './arch.js';

/** A conv + ReLU pair (fused before quantization). */
class ConvRelu extends Module {
  conv: Conv2d;
  relu = new ReLU();
  constructor(cin: number, cout: number, k: number, stride: number, groups = 1) {
    super();
    this.conv = new Conv2d(cin, cout, k, { stride, padding: (k - 1) / 2, groups });
  }
  forward(x: Tensor): Tensor {
    return this.relu.call(this.conv.call(x));
  }
}

/** ResNet basic block: relu(conv2(relu(conv1(x))) + skip(x)). */
class Basic extends Module {
  a: ConvRelu;
  b: Conv2d;
  proj: Conv2d | null;
  add = new FloatFunctional();
  constructor(cin: number, cout: number, stride: number) {
    super();
    this.a = new ConvRelu(cin, cout, 3, stride);
    this.b = new Conv2d(cout, cout, 3, { padding: 1 });
    this.proj = stride !== 1 || cin !== cout ? new Conv2d(cin, cout, 1, { stride }) : null;
  }
  forward(x: Tensor): Tensor {
    return this.add.addRelu(this.b.call(this.a.call(x)), this.proj ? this.proj.call(x) : x);
  }
}

/** MobileNetV2 inverted residual: 1x1 expand + ReLU, 3x3 depthwise + ReLU, 1x1 project, + x when shapes allow. */
class InvertedResidual extends Module {
  expand: ConvRelu | null;
  dw: ConvRelu;
  project: Conv2d;
  add: FloatFunctional | null;
  constructor(cin: number, cout: number, stride: number, t: number) {
    super();
    const hidden = cin * t;
    this.expand = t !== 1 ? new ConvRelu(cin, hidden, 1, 1) : null;
    this.dw = new ConvRelu(hidden, hidden, 3, stride, hidden);
    this.project = new Conv2d(hidden, cout, 1);
    this.add = stride === 1 && cin === cout ? new FloatFunctional() : null;
  }
  forward(x: Tensor): Tensor {
    const y = this.project.call(this.dw.call(this.expand ? this.expand.call(x) : x));
    return this.add ? this.add.add(y, x) : y;
  }
}

function block(cin: number, b: Block): Module {
  return b.type === 'basic' ? new Basic(cin, b.cout, b.stride) : new InvertedResidual(cin, b.cout, b.stride, b.expand);
}

/** The whole classifier: quant stub, stem, blocks, head, pool, fc, dequant stub (stubs are identities in float). */
export class ArchModel extends Module {
  quant = new QuantStub();
  stem: ConvRelu;
  pool: MaxPool2d | null;
  head: ConvRelu | null;
  gap = new AdaptiveAvgPool2d(1);
  flatten = new Flatten();
  fc: Linear;
  dequant = new DeQuantStub();
  constructor(readonly arch: Arch) {
    super();
    this.stem = new ConvRelu(3, arch.stem, 3, 2);
    this.pool = arch.maxpool ? new MaxPool2d(3, { stride: 2, padding: 1 }) : null;
    let c = arch.stem;
    arch.blocks.forEach((b, i) => {
      this.registerModule(`block${i}`, block(c, b));
      c = b.cout;
    });
    this.head = arch.head ? new ConvRelu(c, arch.head, 1, 1) : null;
    this.fc = new Linear(arch.head || c, arch.classes);
  }
  forward(x: Tensor): Tensor {
    let y = this.stem.call(this.quant.call(x));
    if (this.pool) y = this.pool.call(y);
    for (let i = 0; i < this.arch.blocks.length; i++) y = (this.getSubmodule(`block${i}`) as unknown as { call(t: Tensor): Tensor }).call(y);
    if (this.head) y = this.head.call(y);
    return this.dequant.call(this.fc.call(this.flatten.call(this.gap.call(y))));
  }
}

/** Names of every conv + ReLU pair to fuse (`stem`, `block0.a`, `block1.dw`, ...). */
function fuseGroups(m: ArchModel): string[][] {
  const groups: string[][] = [];
  for (const [name, mod] of m.namedModules()) if (mod instanceof ConvRelu) groups.push([`${name}.conv`, `${name}.relu`]);
  return groups;
}

/** Our float model in eval mode. */
export function floatModel(arch: Arch): ArchModel {
  const m = new ArchModel(arch);
  m.eval();
  return m;
}

/**
 * The int8 twin of `float` for `engine` (a deep copy: same weights): fused, observed on
 * `calibration` inputs with the engine's default qconfig, converted.
 */
export function quantizedModel(float: ArchModel, engine: Engine, calibration: readonly Tensor[]): ArchModel {
  return withEngine(engine, () => {
    const m = deepcopy(float);
    m.eval();
    fuseModules(m, fuseGroups(m), { inplace: true });
    (m as unknown as { qconfig: unknown }).qconfig = getDefaultQconfig(engine);
    prepare(m, { inplace: true });
    for (const x of calibration) m.call(x);
    // checkCalibration off: it counts only hook-fed observers, so it wrongly reports FloatFunctional's
    // (called directly by add/addRelu) as never calibrated; every observer here saw `calibration`
    convert(m, { inplace: true, checkCalibration: false });
    return m;
  });
}

/** Random calibration batches of shape (1, 3, size, size). */
export const calibrationInputs = (size: number, n = 2): Tensor[] => Array.from({ length: n }, () => randn([1, 3, size, size]));
