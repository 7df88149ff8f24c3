/**
 * Lowering of a reference quantized graph to the native quantized modules and ops
 * (torch.ao.quantization.fx._lower_to_native_backend, PyTorch 1.13):
 * - dequantize -> reference module -> quantize: a quantized module (nnq.Linear, nniq.ConvReLU2d, ...);
 * - quantize_per_tensor_dynamic -> dequantize -> reference Linear: a dynamic Linear;
 * - dequantize -> F.linear / F.conv* (-> relu) -> quantize: `quantized.linear(Relu)` / `quantized.conv(Relu)` with packed weights;
 * - dequantize -> add / mul / matmul (-> relu) -> quantize: `quantized.add(Relu)`, ...;
 * - dequantize -> op -> quantize for ops that run on quantized tensors (pooling, relu, shape
 *   ops, cat, fixed-qparams ops): the op on the quantized tensor; default ops (hardswish, elu,
 *   norms) to quantized modules / ops with the output qparams.
 * What is not lowered stays in its reference form; leftover quantize -> dequantize pairs go.
 */
import * as nn from '@qtorch/nn';
import { type Module, type ModuleClass, typeOf } from '@qtorch/nn';
import * as nni from '@qtorch/nn-intrinsic';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import * as nniqd from '@qtorch/nn-intrinsic/quantized/dynamic';
import * as nnq from '@qtorch/nn-quantized';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import { type Argument, type GraphModule, Node } from '@qtorch/fx';
import { Tensor, convPrepack, float16, qint8, traceableFunction } from '@qtorch/qtensor';
import type { QConfigAny } from '../qconfig/qconfig_mapping.js';
import { type ModuleMap, moduleMap, opKeyOf } from './match.js';
import * as nnqr from './reference_modules.js';
import { ConvPackedParamsModule } from './registration.js';
import type { ObservedGraphModuleState } from './state.js';
import { attrOf, isDequantizeNode, newAttrName } from './utils.js';

type QuantizedClass = ModuleClass & { fromReference(ref: Module, scale: number, zeroPoint: number): Module };

const STATIC_LOWER_MODULE_MAP = new Map<ModuleClass, unknown>([
  [nnqr.Linear, nnq.Linear], [nnqr.Conv1d, nnq.Conv1d], [nnqr.Conv2d, nnq.Conv2d], [nnqr.Conv3d, nnq.Conv3d],
]);
const STATIC_LOWER_FUSED_MODULE_MAP = new Map<ModuleClass, [ModuleClass, unknown]>([
  [nni.LinearReLU, [nnqr.Linear, nniq.LinearReLU]],
  [nni.ConvReLU1d, [nnqr.Conv1d, nniq.ConvReLU1d]], [nni.ConvReLU2d, [nnqr.Conv2d, nniq.ConvReLU2d]], [nni.ConvReLU3d, [nnqr.Conv3d, nniq.ConvReLU3d]],
]);
const DYNAMIC_LOWER_MODULE_MAP = new Map<ModuleClass, typeof nnqd.Linear>([[nnqr.Linear, nnqd.Linear]]);
const DYNAMIC_LOWER_FUSED_MODULE_MAP = new Map<ModuleClass, [ModuleClass, typeof nnqd.Linear]>([[nni.LinearReLU, [nnqr.Linear, nniqd.LinearReLU]]]);
/** Modules with output qparams swapped in place (PyTorch's `SPECIAL_PATTERN_LOWER_MODULE_MAP`). */
const SPECIAL_PATTERN_LOWER_MODULE_MAP = new Map<ModuleClass, unknown>([
  [nn.BatchNorm2d, nnq.BatchNorm2d], [nn.BatchNorm3d, nnq.BatchNorm3d], [nn.ELU, nnq.ELU], [nn.LeakyReLU, nnq.LeakyReLU],
  [nn.Hardswish, nnq.Hardswish], [nn.InstanceNorm1d, nnq.InstanceNorm1d], [nn.InstanceNorm2d, nnq.InstanceNorm2d],
  [nn.InstanceNorm3d, nnq.InstanceNorm3d], [nn.LayerNorm, nnq.LayerNorm], [nn.Dropout, nnq.Dropout], [nn.Softmax, nnq.Softmax],
  [nni.BNReLU2d, nniq.BNReLU2d], [nni.BNReLU3d, nniq.BNReLU3d],
]);
/** Functional ops -> [quantized op, quantized op with relu]. */
const STATIC_LOWER_FUNCTIONAL_MAP = new Map<string, [string, string]>([
  ['F.linear', ['quantized.linear', 'quantized.linearRelu']],
  ['F.conv1d', ['quantized.conv', 'quantized.convRelu']], ['F.conv2d', ['quantized.conv', 'quantized.convRelu']], ['F.conv3d', ['quantized.conv', 'quantized.convRelu']],
]);
/** Binary ops (`x.add(y)` is JavaScript's spelling of Python's `x + y`). */
const QBIN_OP_MAPPING = new Map<string, [string, string | null]>([
  ['torch.add', ['quantized.add', 'quantized.addRelu']], ['add', ['quantized.add', 'quantized.addRelu']],
  ['torch.mul', ['quantized.mul', 'quantized.mulRelu']], ['mul', ['quantized.mul', 'quantized.mulRelu']],
  ['torch.matmul', ['quantized.matmul', null]],
]);
/** Default functional ops -> their quantized op taking the output qparams. */
const DEFAULT_FUNCTIONAL_QOPS = new Map<string, string>([['F.elu', 'quantized.elu'], ['F.hardswish', 'quantized.hardswish'], ['F.leakyRelu', 'quantized.leakyRelu']]);

/**
 * Ops run directly on the quantized tensor (copy / shape / fixed-qparams / cat nodes of
 * PyTorch 1.13). Left out until qtensor accepts quantized tensors there: torch.sigmoid,
 * torch.tanh, torch.mean, torch.clamp and the sigmoid / tanh / hardsigmoid / relu / clamp methods.
 */
const QUANTIZED_PASS_THROUGH = new Set<unknown>([
  'F.adaptiveAvgPool1d', 'F.adaptiveAvgPool2d', 'F.adaptiveAvgPool3d', 'F.hardtanh', 'F.hardtanh_', 'F.interpolate', 'F.maxPool1d', 'F.maxPool2d',
  'F.maxPool3d', 'F.relu', 'F.relu6', 'F.avgPool1d', 'F.avgPool2d', 'F.avgPool3d', 'torch.flatten', 'torch.transpose', 'torch.squeeze',
  'torch.stack', 'torch.unsqueeze', 'torch.cat', 'F.hardsigmoid', 'F.sigmoid', 'F.tanh',
  'mean', 'flatten', 'contiguous', 'detach', 'detach_', 'permute', 'repeat', 'repeat_interleave', 'reshape', 'resize_', 'size', 'squeeze',
  'squeeze_', 'transpose', 'unsqueeze', 'unsqueeze_', 'view',
  nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d, nn.Hardtanh, nn.MaxPool1d,
  nn.MaxPool2d, nn.MaxPool3d, nn.ReLU, nn.ReLU6, nn.Identity, nn.Hardsigmoid, nn.Sigmoid, nn.Tanh,
]);

const isDequantize = isDequantizeNode;
const isQuantize = (n: Argument): n is Node => n instanceof Node && n.op === 'call_function' && n.target === 'torch.quantizePerTensor';
const isQuantizeDynamic = (n: Argument): n is Node => n instanceof Node && n.op === 'call_function' && n.target === 'quantized.quantizePerTensorDynamic';
const isRelu = (n: Node, modules: ModuleMap) => (n.op === 'call_function' && (n.target === 'F.relu' || n.target === 'torch.relu'))
  || (n.op === 'call_module' && opKeyOf(n, modules) === nn.ReLU);

interface Lowering {
  gm: GraphModule;
  modules: ModuleMap;
  qconfigs: ReadonlyMap<string, QConfigAny>;
  state: ObservedGraphModuleState;
}

/** A get_attr node's value as a number (0-d scale / zero point tensors). */
const numberAttr = (l: Lowering, n: Argument): number => (attrOf(l.gm, (n as Node).target as string) as Tensor).item();

/** What `evalConstant` returns for values that depend on the graph's inputs. */
const NOT_CONSTANT = Symbol('not constant');

/** Evaluates a node computed from attributes only (a quantized weight), else NOT_CONSTANT. */
function evalConstant(n: Argument, gm: GraphModule): unknown {
  if (!(n instanceof Node)) return Array.isArray(n) ? n.map((x: Argument) => evalConstant(x, gm)) : n;
  if (n.op === 'get_attr') return attrOf(gm, n.target as string);
  if (n.op !== 'call_function' && n.op !== 'call_method') return NOT_CONSTANT;
  const args = n.args.map((a) => evalConstant(a, gm));
  const kwargs = Object.fromEntries(Object.entries(n.kwargs).map(([k, v]) => [k, evalConstant(v, gm)]));
  if ([...args, ...Object.values(kwargs)].some((a) => a === NOT_CONSTANT || (Array.isArray(a) && a.includes(NOT_CONSTANT)))) return NOT_CONSTANT;
  const withKw = Object.keys(kwargs).length ? [...args, kwargs] : args;
  if (n.op === 'call_method') return (args[0] as Record<string, (...a: unknown[]) => unknown>)[n.target as string]!(...withKw.slice(1));
  const fn = typeof n.target === 'string' ? traceableFunction(n.target) : n.target;
  return fn ? fn(...withKw) : NOT_CONSTANT;
}

const shouldSkip = (n: Node, l: Lowering) => l.qconfigs.has(n.name) && l.qconfigs.get(n.name) === null;

/**
 * Matches quantize(relu?(ref(dequantize(...)))) ending at `q` (PyTorch's `_match_static_pattern`).
 * `accept(ref)` says whether the reference node is one to lower; `dqIndices` which args must be
 * dequantize nodes when they are nodes (at least one must).
 */
function matchStatic(q: Node, l: Lowering, accept: (ref: Node) => boolean, dqIndices: number[], allowRelu: boolean): { ref: Node; relu: Node | null } | null {
  if (!isQuantize(q)) return null;
  let ref = q.args[0];
  let relu: Node | null = null;
  if (!(ref instanceof Node)) return null;
  if (allowRelu && isRelu(ref, l.modules)) {
    relu = ref;
    ref = ref.args[0];
    if (!(ref instanceof Node)) return null;
  }
  if (shouldSkip(ref, l) || !accept(ref)) return null;
  let matched = false;
  for (const i of dqIndices) {
    const a = ref.args[i];
    if (isDequantize(a)) matched = true;
    else if (a instanceof Node) return null;
  }
  return matched ? { ref, relu } : null;
}

/** Replaces `q`'s uses by `replacement` and erases it. */
function dropQuantize(q: Node, replacement: Node, l: Lowering): void {
  q.replaceAllUsesWith(replacement);
  l.gm.graph.eraseNode(q);
}

function setModule(l: Lowering, target: string, m: Module): void {
  l.gm.setSubmodule(target, m);
  l.modules.set(target, m);
}

/**
 * Modules called from more than one node: swapping one for a quantized module would change
 * every call, so they stay reference modules (correct for each call).
 */
function sharedModuleTargets(l: Lowering): Set<string> {
  const counts = new Map<string, number>();
  for (const n of l.gm.graph.nodes) if (n.op === 'call_module') counts.set(n.target as string, (counts.get(n.target as string) ?? 0) + 1);
  return new Set([...counts].filter(([, c]) => c > 1).map(([t]) => t));
}

/** dequantize -> reference (fused) module -> quantize  =>  quantized module. */
function lowerStaticWeightedRefModule(l: Lowering): void {
  const shared = sharedModuleTargets(l);
  for (const q of l.gm.graph.nodes) {
    const accept = (ref: Node) => ref.op === 'call_module' && !shared.has(ref.target as string)
      && (STATIC_LOWER_MODULE_MAP.has(typeOf(l.modules.get(ref.target as string)!)) || STATIC_LOWER_FUSED_MODULE_MAP.has(typeOf(l.modules.get(ref.target as string)!)));
    const m = matchStatic(q, l, accept, [0], false);
    if (!m) continue;
    const refModule = l.modules.get(m.ref.target as string)!;
    const fused = STATIC_LOWER_FUSED_MODULE_MAP.get(typeOf(refModule));
    if (fused && typeOf((refModule as nni._FusedModule).at(0) as Module) !== fused[0]) continue;
    const qCls = (fused ? fused[1] : STATIC_LOWER_MODULE_MAP.get(typeOf(refModule))) as QuantizedClass;
    // fused: the quantized class is built from the inner reference module (the relu is in its kernel)
    const src = fused ? (refModule as nni._FusedModule).at(0) as Module : refModule;
    setModule(l, m.ref.target as string, qCls.fromReference(src, numberAttr(l, q.args[1]), numberAttr(l, q.args[2])));
    const dq = m.ref.args[0] as Node;
    m.ref.replaceInputWith(dq, dq.args[0]!);
    dropQuantize(q, m.ref, l);
  }
}

/** quantize_per_tensor_dynamic -> dequantize -> reference Linear  =>  dynamic Linear. */
function lowerDynamicWeightedRefModule(l: Lowering): void {
  const shared = sharedModuleTargets(l);
  for (const n of l.gm.graph.nodes) {
    if (n.op !== 'call_module' || shared.has(n.target as string)) continue;
    const ref = l.modules.get(n.target as string)!;
    const fused = DYNAMIC_LOWER_FUSED_MODULE_MAP.get(typeOf(ref));
    if (!DYNAMIC_LOWER_MODULE_MAP.has(typeOf(ref)) && !fused) continue;
    const dq = n.args[0];
    if (!isDequantize(dq) || !isQuantizeDynamic(dq.args[0])) continue;
    if (fused && typeOf((ref as nni._FusedModule).at(0) as Module) !== fused[0]) continue;
    const linear = (fused ? (ref as nni._FusedModule).at(0) : ref) as nnqr.Linear;
    const cls = fused ? fused[1] : DYNAMIC_LOWER_MODULE_MAP.get(typeOf(ref))!;
    const q = new cls(linear.inFeatures, linear.outFeatures, { dtype: linear.weightDtype, bias: linear.bias !== null });
    // float16 packing rounds the float weight itself
    q.setWeightBias(linear.weightDtype === float16 ? linear.weight.detach() : linear.getQuantizedWeight(), linear.bias ? linear.bias.detach() : null);
    setModule(l, n.target as string, q);
    n.replaceInputWith(dq, (dq.args[0] as Node).args[0]!);
  }
}

/** Reference Embedding  =>  quantized Embedding (weight-only quantization). */
function lowerWeightOnlyWeightedRefModule(l: Lowering): void {
  for (const n of l.gm.graph.nodes) {
    if (n.op !== 'call_module') continue;
    const ref = l.modules.get(n.target as string)!;
    if (typeOf(ref) !== nnqr.Embedding) continue;
    const e = ref as nnqr.Embedding;
    const table = e.getQuantizedWeight();
    setModule(l, n.target as string, new nnq.Embedding(e.numEmbeddings, e.embeddingDim, { _weight: table, dtype: table.dtype }));
  }
}

/** A module holding packed weights, as `<scope>_packed_weight_<i>`, read by a get_attr node before `before`. */
function packedWeightNode(l: Lowering, holder: Module, scopeOf: Node, before: Node): Node {
  const path = l.state.nodeNameToScope.get(scopeOf.name)?.[0] ?? '';
  const name = newAttrName(l.gm, `${path}_packed_weight_`);
  l.gm.registerModule(name, holder);
  l.modules.set(name, holder);
  return l.gm.graph.insertingBefore(before, () => l.gm.graph.getAttr(name));
}

/** Packs a functional op's weight and bias (evaluated from attributes), or null when they are not constant. */
function packWeights(func: Node, weight: Node, l: Lowering): Module | null {
  const w = evalConstant(weight, l.gm);
  const biasArg = func.target === 'F.linear' ? func.args[2] : func.kwargs.bias;
  const bias = biasArg === undefined || biasArg === null ? null : evalConstant(biasArg, l.gm);
  if (!(w instanceof Tensor) || !(bias === null || bias instanceof Tensor)) return null;
  if (func.target === 'F.linear') {
    // qint8 weights pack for the int8 kernels; a float weight packs for float16 dynamic linear
    if (w.isQuantized && w.dtype !== qint8) return null;
    const holder = new nnq.LinearPackedParams(w.isQuantized ? qint8 : float16);
    holder.setWeightBias(w, bias);
    return holder;
  }
  const k = func.kwargs as Record<string, unknown>;
  if (typeof k.padding === 'string') return null;
  const asArr = (v: unknown, dflt: number) => (v === undefined ? dflt : v) as number | number[];
  return new ConvPackedParamsModule(convPrepack(w, bias, { stride: asArr(k.stride, 1), padding: asArr(k.padding, 0), dilation: asArr(k.dilation, 1), groups: (k.groups as number) ?? 1 }));
}

/** dequantize -> F.linear / F.conv* (-> relu) -> quantize  =>  quantized.linear / quantized.conv (+ relu). */
function lowerStaticWeightedRefFunctional(l: Lowering): void {
  const graph = l.gm.graph;
  for (const q of graph.nodes) {
    const accept = (ref: Node) => ref.op === 'call_function' && STATIC_LOWER_FUNCTIONAL_MAP.has(ref.target as string);
    const m = matchStatic(q, l, accept, [0, 1], true);
    if (!m) continue;
    const [xDq, wDq] = m.ref.args as [Node, Node];
    if (!isDequantize(xDq) || !isDequantize(wDq)) continue;
    const qWeight = wDq.args[0] as Node;
    if (!(qWeight instanceof Node) || qWeight.op !== 'call_function' || !['torch.quantizePerTensor', 'torch.quantizePerChannel'].includes(qWeight.target as string)) continue;
    const holder = packWeights(m.ref, qWeight, l);
    if (!holder) continue;
    const packed = packedWeightNode(l, holder, m.ref, q);
    const [op, reluOp] = STATIC_LOWER_FUNCTIONAL_MAP.get(m.ref.target as string)!;
    const lowered = graph.insertingBefore(q, () => graph.callFunction(m.relu ? reluOp : op, [xDq.args[0]!, packed, q.args[1]!, q.args[2]!]));
    dropQuantize(q, lowered, l);
    if (m.relu) graph.eraseNode(m.relu);
    graph.eraseNode(m.ref);
  }
}

/** quantize_per_tensor_dynamic -> dequantize -> F.linear (-> relu)  =>  quantized.linearDynamic (relu). */
function lowerDynamicWeightedRefFunctional(l: Lowering): void {
  const graph = l.gm.graph;
  for (const n of [...graph.nodes].reverse()) {
    let func = n;
    let relu: Node | null = null;
    if (isRelu(n, l.modules) && n.args[0] instanceof Node) {
      relu = n;
      func = n.args[0];
    }
    if (func.op !== 'call_function' || func.target !== 'F.linear' || shouldSkip(func, l)) continue;
    const [xDq, wDq] = func.args;
    if (!isDequantize(xDq) || !isDequantize(wDq) || !isQuantizeDynamic(xDq.args[0])) continue;
    const dyn = xDq.args[0] as Node;
    const qWeight = wDq.args[0] as Node;
    const isFp16 = dyn.args[1] === float16;
    // int8: the weight was quantized; float16: `weight.to(float16)`, packed from the float weight
    const weightSrc = isFp16 ? (qWeight.op === 'call_method' && qWeight.target === 'to' ? (qWeight.args[0] as Node) : null) : qWeight;
    if (!weightSrc) continue;
    const holder = packWeights(func, weightSrc, l);
    if (!holder) continue;
    const packed = packedWeightNode(l, holder, func, func);
    const options = isFp16 ? {} : { reduceRange: dyn.args[2] as boolean };
    const lowered = graph.insertingBefore(func, () => graph.callFunction(relu ? 'quantized.linearReluDynamic' : 'quantized.linearDynamic', [dyn.args[0]!, packed, options]));
    (relu ?? func).replaceAllUsesWith(lowered);
    if (relu) graph.eraseNode(relu);
    graph.eraseNode(func);
  }
}

/** dequantize -> add / mul / matmul (-> relu) -> quantize  =>  quantized.add / ... (scalar: the scalar op). */
function lowerQuantizedBinaryOp(l: Lowering): void {
  const graph = l.gm.graph;
  for (const q of graph.nodes) {
    const accept = (ref: Node) => (ref.op === 'call_function' || ref.op === 'call_method') && QBIN_OP_MAPPING.has(ref.target as string);
    const m = matchStatic(q, l, accept, [0, 1], true);
    if (!m) continue;
    const [op, reluOp] = QBIN_OP_MAPPING.get(m.ref.target as string)!;
    if (m.relu && !reluOp) continue;
    const args = m.ref.args.slice(0, 2).map((a) => (isDequantize(a) ? a.args[0]! : a));
    const dqCount = m.ref.args.slice(0, 2).filter(isDequantize).length;
    if (dqCount === 2) args.push(q.args[1]!, q.args[2]!);
    const lowered = graph.insertingBefore(q, () => graph.callFunction(m.relu ? reluOp! : op, args));
    dropQuantize(q, lowered, l);
    if (m.relu) graph.eraseNode(m.relu);
    graph.eraseNode(m.ref);
  }
}

/** dequantize -> op -> quantize for ops running on quantized tensors, default ops and modules with output qparams. */
function specialPatternReplacement(l: Lowering): void {
  const graph = l.gm.graph;
  for (const q of graph.nodes) {
    if (!isQuantize(q) || !(q.args[0] instanceof Node)) continue;
    const ref = q.args[0];
    // the op as called: F.sigmoid runs on quantized tensors, its alias torch.sigmoid does not
    const key = ref.op === 'call_module' ? opKeyOf(ref, l.modules) : ref.target;
    const moduleCls = ref.op === 'call_module' ? SPECIAL_PATTERN_LOWER_MODULE_MAP.get(key as ModuleClass) : undefined;
    const qop = ref.op === 'call_function' ? DEFAULT_FUNCTIONAL_QOPS.get(key as string) : undefined;
    if (!QUANTIZED_PASS_THROUGH.has(key) && !moduleCls && !qop) continue;
    const first = ref.args.length > 0 ? ref.args[0] : Object.values(ref.kwargs)[0];
    const dqs = Array.isArray(first) ? (first as Argument[]) : [first];
    if (dqs.length === 0 || !dqs.every(isDequantize)) continue;
    if (moduleCls) {
      const refModule = l.modules.get(ref.target as string)!;
      const src = refModule instanceof nni._FusedModule ? refModule.at(0) as Module : refModule;
      setModule(l, ref.target as string, (moduleCls as QuantizedClass).fromReference(src, numberAttr(l, q.args[1]), numberAttr(l, q.args[2])));
    }
    for (const dq of dqs as Node[]) ref.replaceInputWith(dq, dq.args[0]!);
    if (qop) {
      const extra = Object.keys(ref.kwargs).length ? [ref.kwargs as Argument] : [];
      const lowered = graph.insertingBefore(q, () => graph.callFunction(qop, [ref.args[0]!, q.args[1]!, q.args[2]!, ...extra]));
      dropQuantize(q, lowered, l);
      graph.eraseNode(ref);
    } else {
      dropQuantize(q, ref, l);
    }
  }
}

/** One dequantize per use, so each pattern sees its own (PyTorch's `duplicate_dequantize_node`). */
function duplicateNodes(l: Lowering, is: (n: Node) => boolean): void {
  const graph = l.gm.graph;
  for (const n of graph.nodes) {
    if (!is(n) || n.users.size <= 1) continue;
    for (const user of [...n.users]) {
      const copy = graph.insertingBefore(n, () => graph.createNode(n.op, n.target, n.args, n.kwargs));
      user.replaceInputWith(n, copy);
    }
    graph.eraseNode(n);
  }
}

/** quantize -> dequantize with nothing lowered in between: the value stays float. */
function removeQuantDequantPairs(l: Lowering): void {
  const graph = l.gm.graph;
  for (const q of graph.nodes) {
    if (q.op !== 'call_function' || (q.target !== 'torch.quantizePerTensor' && q.target !== 'torch.quantizePerChannel')) continue;
    const users = [...q.users];
    if (users.length !== 1 || !isDequantize(users[0]!)) continue;
    users[0]!.replaceAllUsesWith(q.args[0] as Node);
    graph.eraseNode(users[0]!);
    graph.eraseNode(q);
  }
  graph.eliminateDeadCode();
}

/** Several dequantize nodes of one value become one (PyTorch's `remove_extra_dequantize`). */
function removeExtraDequantize(l: Lowering): void {
  const graph = l.gm.graph;
  for (const n of graph.nodes) {
    const dqs = [...n.users].filter(isDequantize);
    if (dqs.length <= 1) continue;
    const unique = graph.insertingAfter(n, () => graph.callMethod('dequantize', [n]));
    for (const dq of dqs) {
      dq.replaceAllUsesWith(unique);
      graph.eraseNode(dq);
    }
  }
}

/** Lowers `gm` (a converted reference model) in place. */
export function lowerToNativeBackend(gm: GraphModule, state: ObservedGraphModuleState): void {
  const l: Lowering = { gm, modules: moduleMap(gm), qconfigs: state.nodeNameToQconfig, state };
  duplicateNodes(l, isDequantize);
  duplicateNodes(l, isQuantizeDynamic);
  lowerStaticWeightedRefModule(l);
  lowerDynamicWeightedRefModule(l);
  lowerWeightOnlyWeightedRefModule(l);
  lowerStaticWeightedRefFunctional(l);
  lowerDynamicWeightedRefFunctional(l);
  lowerQuantizedBinaryOp(l);
  specialPatternReplacement(l);
  gm.graph.eliminateDeadCode();
  removeQuantDequantPairs(l);
  removeExtraDequantize(l);
  gm.graph.eliminateDeadCode();
}
