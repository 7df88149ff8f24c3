/**
 * Module fusion (torch.ao.quantization.fuse_modules): [conv, bn], [conv, bn, relu],
 * [conv, relu], [linear, relu], [linear, bn], [bn, relu] in 1d/2d/3d. Modules in eval mode
 * are fused for inference (BatchNorm folded into the conv/linear weights); modules in training
 * mode get the fused training modules that keep BN for QAT, as the docs' QAT example expects
 * (PyTorch 1.13 would need fuse_modules_qat there). `fuseModulesQat` always fuses for QAT.
 * The first module's slot gets the fused module, the others become Identity.
 */
import {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, Conv1d, Conv2d, Conv3d, Identity, Linear, type Module, type ModuleClass, ReLU,
  deepcopy, typeOf,
} from '@qtorch/nn';
import {
  BNReLU2d, BNReLU3d, ConvBn1d, ConvBn2d, ConvBn3d, ConvBnReLU1d, ConvBnReLU2d, ConvBnReLU3d, ConvReLU1d, ConvReLU2d,
  ConvReLU3d, LinearBn1d, LinearReLU, fuseConvBnEval, fuseLinearBnEval,
} from '@qtorch/nn-intrinsic';
import { QTorchTypeError, QTorchValueError, describeValue } from '@qtorch/qtensor';
import { checkWorkflowArgs } from './report.js';

/** Builds the fused module from the modules of one group. */
export type FuserMethod = (isQat: boolean, ...mods: Module[]) => Module;

type Fused = new (...mods: any[]) => Module;

function assertSameMode(op: string, mods: Module[]): void {
  if (mods.some((m) => m.training !== mods[0]!.training)) {
    throw new QTorchValueError(`${op}: the modules to fuse must all be in training or all in eval mode`);
  }
}

function evalOnly(op: string, mods: Module[]): void {
  if (mods.some((m) => m.training)) {
    throw new QTorchValueError(`${op}: fusion for inference folds BatchNorm and needs eval mode (call model.eval()); for quantization-aware training use fuseModulesQat`);
  }
}

function convBn(qatClass: Fused): FuserMethod {
  return (isQat, conv, bn) => {
    assertSameMode('fuseConvBn', [conv!, bn!]);
    if (isQat) return new qatClass(conv, bn);
    evalOnly('fuseConvBn', [conv!, bn!]);
    return fuseConvBnEval(conv as never, bn as never);
  };
}

function convBnRelu(qatClass: Fused, reluClass: Fused): FuserMethod {
  return (isQat, conv, bn, relu) => {
    assertSameMode('fuseConvBnRelu', [conv!, bn!, relu!]);
    if (isQat) return new qatClass(conv, bn, relu);
    evalOnly('fuseConvBnRelu', [conv!, bn!]);
    return new reluClass(fuseConvBnEval(conv as never, bn as never), relu);
  };
}

const sequence = (cls: Fused): FuserMethod => (_isQat, ...mods) => new cls(...mods);

const linearBn: FuserMethod = (isQat, linear, bn) => {
  assertSameMode('fuseLinearBn', [linear!, bn!]);
  if (isQat) return new LinearBn1d(linear as never, bn as never);
  evalOnly('fuseLinearBn', [linear!, bn!]);
  return fuseLinearBnEval(linear as never, bn as never);
};

/** (class, class[, class]) -> fuser method: PyTorch's DEFAULT_OP_LIST_TO_FUSER_METHOD. */
const DEFAULT_FUSER_METHODS: Array<[ModuleClass[], FuserMethod]> = [
  [[Conv1d, BatchNorm1d], convBn(ConvBn1d)],
  [[Conv1d, BatchNorm1d, ReLU], convBnRelu(ConvBnReLU1d, ConvReLU1d)],
  [[Conv2d, BatchNorm2d], convBn(ConvBn2d)],
  [[Conv2d, BatchNorm2d, ReLU], convBnRelu(ConvBnReLU2d, ConvReLU2d)],
  [[Conv3d, BatchNorm3d], convBn(ConvBn3d)],
  [[Conv3d, BatchNorm3d, ReLU], convBnRelu(ConvBnReLU3d, ConvReLU3d)],
  [[Conv1d, ReLU], sequence(ConvReLU1d)],
  [[Conv2d, ReLU], sequence(ConvReLU2d)],
  [[Conv3d, ReLU], sequence(ConvReLU3d)],
  [[Linear, BatchNorm1d], linearBn],
  [[Linear, ReLU], sequence(LinearReLU)],
  [[BatchNorm2d, ReLU], sequence(BNReLU2d)],
  [[BatchNorm3d, ReLU], sequence(BNReLU3d)],
];

/** Extra fuser methods supplied by the caller (fuseCustomConfig.additionalFuserMethodMapping). */
export type FuserMethodMapping = Array<[ModuleClass[], FuserMethod]>;

/** The fuser method for a tuple of module classes, or undefined. */
export function getFuserMethod(types: ModuleClass[], additional: FuserMethodMapping = []): FuserMethod | undefined {
  const same = (a: ModuleClass[]) => a.length === types.length && a.every((t, i) => t === types[i]);
  return [...additional, ...DEFAULT_FUSER_METHODS].find(([k]) => same(k))?.[1];
}

/**
 * Fuses one group of modules: the fused module (with the first module's pre-hooks and the
 * last module's forward hooks) and Identity for the rest.
 */
export function fuseKnownModules(mods: Module[], isQat: boolean, additional: FuserMethodMapping = []): Module[] {
  const types = mods.map((m) => typeOf(m));
  const method = getFuserMethod(types, additional);
  if (!method) throw new QTorchValueError(`fuseModules(): cannot fuse modules: (${types.map((t) => t.name).join(', ')}); supported: conv+bn(+relu), conv+relu, linear+relu, linear+bn, bn+relu`);
  const fused = method(isQat, ...mods);
  const first = mods[0]!, last = mods[mods.length - 1]!;
  for (const [id, hook] of [...first._forwardPreHooks]) {
    fused.registerForwardPreHook(hook);
    first._forwardPreHooks.delete(id);
  }
  for (const [id, hook] of [...last._forwardHooks]) {
    fused.registerForwardHook(hook);
    last._forwardHooks.delete(id);
  }
  return [fused, ...mods.slice(1).map(() => {
    const id = new Identity();
    id.training = first.training;
    return id;
  })];
}

/** Options of `fuseModules`. */
export interface FuseOptions {
  /** Fuse the given model in place instead of a deep copy (default false). */
  inplace?: boolean;
  /** Fuse for QAT (keep BN) or for inference (fold BN); default: from the modules' training mode. */
  isQat?: boolean;
  /** Replaces `fuseKnownModules`. */
  fuserFunc?: (mods: Module[], isQat: boolean, additional: FuserMethodMapping) => Module[];
  /** `additionalFuserMethodMapping`: extra module-type tuples and the functions that fuse them. */
  fuseCustomConfig?: { additionalFuserMethodMapping?: FuserMethodMapping };
}

function fuse<M extends Module>(model: M, groups: string[] | string[][], isQat: boolean | undefined, options: FuseOptions): M {
  const op = isQat ? 'fuseModulesQat' : 'fuseModules';
  checkWorkflowArgs(op, model, options);
  if (!Array.isArray(groups) || groups.length === 0 || !groups.every((g) => typeof g === 'string' || (Array.isArray(g) && g.every((n) => typeof n === 'string')))) {
    throw new QTorchTypeError(`${op}(): expected a list of module names or a list of such lists, e.g. [['conv', 'bn', 'relu']], got ${describeValue(groups)}`);
  }
  const m = options.inplace ? model : deepcopy(model);
  const list: string[][] = groups.every((g) => typeof g === 'string') ? [groups as string[]] : (groups as string[][]);
  const fuser = options.fuserFunc ?? fuseKnownModules;
  for (const names of list) {
    const mods = names.map((n) => m.getSubmodule(n));
    const fused = fuser(mods, isQat ?? mods[0]!.training, options.fuseCustomConfig?.additionalFuserMethodMapping ?? []);
    names.forEach((n, i) => m.setSubmodule(n, fused[i]!));
  }
  return m;
}

/**
 * Fuses groups of modules: for inference in eval mode (BatchNorm folded), for QAT in training mode.
 * @example const fused = fuseModules(model.eval(), [['conv1', 'bn1', 'relu1'], ['conv2', 'relu2']]);
 */
export function fuseModules<M extends Module>(model: M, groups: string[] | string[][], options: FuseOptions = {}): M {
  return fuse(model, groups, options.isQat, options);
}

/** Fuses groups of modules for quantization-aware training (BatchNorm kept, folded during QAT). */
export function fuseModulesQat<M extends Module>(model: M, groups: string[] | string[][], options: FuseOptions = {}): M {
  return fuse(model, groups, true, options);
}
