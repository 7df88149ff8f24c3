/**
 * Shadow comparison (torch.ao.ns._numeric_suite.prepare_model_with_stubs /
 * compare_model_stub): quantized modules of chosen float types get their float originals
 * attached as shadows, fed the same (dequantized) inputs, and both outputs are logged.
 */
import { type Module, type ModuleClass, typeOf } from '@qtorch/nn';
import { type LoggerDict, getLoggerDict } from './logger_dict.js';
import { type LoggerClass, ShadowLogger } from './loggers.js';
import { Shadow } from './shadow.js';

/** Module classes given as a Set, an array or any iterable. */
export type ModuleClassList = Iterable<ModuleClass>;

/** Whether two module trees consist of the same classes in the same order. */
function isIdenticalModuleType(a: Module, b: Module): boolean {
  const ta = a.modules().map(typeOf), tb = b.modules().map(typeOf);
  return ta.length === tb.length && ta.every((t, i) => t === tb[i]);
}

/**
 * Replaces, in place, each child of `qModule` whose float counterpart (same name in
 * `floatModule`) has a class in `moduleSwapList` by a `Shadow(quantizedChild, floatChild,
 * loggerCls)`; recurses into the other children. Children whose quantized and float trees have
 * identical classes (left unquantized) are not shadowed.
 * @example
 * prepareModelWithStubs(floatModel, qModel, [Linear], ShadowLogger);
 * qModel.call(x);
 * const stats = getLoggerDict(qModel);
 */
export function prepareModelWithStubs(floatModule: Module, qModule: Module, moduleSwapList: ModuleClassList, loggerCls: LoggerClass): void {
  const swap = new Set(moduleSwapList);
  const floatChildren = new Map(floatModule.namedChildren());
  const reassign: Array<[string, Module]> = [];
  for (const [name, mod] of qModule.namedChildren()) {
    const floatMod = floatChildren.get(name);
    if (!floatMod) continue;
    const swapped = swap.has(typeOf(floatMod));
    if (!swapped) prepareModelWithStubs(floatMod, mod, swap, loggerCls);
    if (swapped && !isIdenticalModuleType(mod, floatMod)) reassign.push([name, new Shadow(mod, floatMod, loggerCls)]);
  }
  for (const [name, shadow] of reassign) qModule.registerModule(name, shadow);
}

/** Options of `compareModelStub`. */
export interface CompareModelStubOptions {
  /** Logger used inside each Shadow (default `ShadowLogger`). */
  loggerCls?: LoggerClass;
}

/**
 * Shadows the quantized modules of `qModel` whose float types are in `moduleSwapList` with
 * their float versions, runs `qModel` on `data` (the argument list of one call) and returns
 * the loggers' stats: `{ 'fc.stats': { float: [...], quantized: [...] } }`. Modifies `qModel`
 * in place, as PyTorch does (pass a `deepcopy` to keep the original).
 * @example const stats = compareModelStub(floatModel, deepcopy(qModel), [Linear], [x]);
 */
export function compareModelStub(
  floatModel: Module, qModel: Module, moduleSwapList: ModuleClassList, data: readonly unknown[], options: CompareModelStubOptions = {},
): LoggerDict {
  prepareModelWithStubs(floatModel, qModel, moduleSwapList, options.loggerCls ?? ShadowLogger);
  qModel.call(...data);
  return getLoggerDict(qModel);
}
