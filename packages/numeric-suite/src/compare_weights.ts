/**
 * `compareWeights` (torch.ao.ns._numeric_suite.compare_weights): pairs each weight of a
 * quantized model's state dict with the float weight it was quantized from.
 */
import { QTorchTypeError, type Tensor, isTensor } from '@qtorch/qtensor';

/** A float and a quantized tensor at matching places of two models. */
export interface WeightPair {
  /** The float model's weight. */
  float: Tensor;
  /** The quantized model's weight (a quantized tensor). */
  quantized: Tensor;
}

/** `compareWeights` result: quantized state dict key -> `{ float, quantized }`. */
export type WeightCompareDict = Record<string, WeightPair>;

/**
 * A state dict as `compareWeights` reads it: qtorch's `stateDict()` (tensors), or one in
 * PyTorch's layout, where `<linear>._packed_params._packed_params` holds `[weight, bias]`.
 */
export type StateDictLike = Record<string, Tensor | readonly unknown[] | unknown>;

/**
 * PyTorch's `_find_match`: the entry of `strList` that names the same module as `keyStr`
 * (whose last component must be `postfix`). Module paths are compared with their dots
 * removed, as PyTorch does, so `conv1.weight` matches the fused float `conv1.0.weight`.
 * @internal
 */
export function findMatch(strList: Iterable<string>, keyStr: string, postfix: string): string | undefined {
  const split = keyStr.split('.');
  if (split[split.length - 1] !== postfix) return undefined;
  const candidates = [...strList];
  const search = (matchString: string): string | undefined => {
    for (const s2 of candidates) {
      const parts = s2.split('.');
      if (matchString === parts.slice(0, -1).join('') || matchString === parts.slice(0, -2).join('')) return s2;
    }
    return undefined;
  };
  const found = search(split.slice(0, -1).join(''));
  if (found !== undefined) return found;
  // "fc.weight" and "fc._packed_params._packed_params"
  if (postfix === '_packed_params') {
    const matchString = split.slice(0, -2).join('');
    return matchString.length === 0 ? undefined : search(matchString);
  }
  return undefined;
}

const QTORCH_PACKED_WEIGHT = '._packed_params.weight';

function asTensor(v: unknown, key: string): Tensor {
  if (!isTensor(v)) throw new QTorchTypeError(`compareWeights(): state dict entry '${key}' should be a Tensor, got ${v === null ? 'null' : typeof v}`);
  return v;
}

/**
 * Pairs the weights of a float model's state dict with those of the model quantized from it.
 * Keys are the quantized state dict's (PyTorch's names: a quantized Linear's weight is
 * reported under `fc._packed_params._packed_params`, as PyTorch 1.13 stores it, although
 * qtorch's state dict names it `fc._packed_params.weight`).
 * @example
 * const wt = compareWeights(floatModel.stateDict(), qModel.stateDict());
 * for (const [key, { float, quantized }] of Object.entries(wt)) console.log(key, computeSqnr(float, quantized));
 */
export function compareWeights(floatDict: StateDictLike, quantizedDict: StateDictLike): WeightCompareDict {
  const floatKeys = Object.keys(floatDict);
  const out: WeightCompareDict = {};
  for (const key of Object.keys(quantizedDict)) {
    const value = quantizedDict[key];
    if (key.endsWith(QTORCH_PACKED_WEIGHT)) {
      // qtorch's packed Linear weight: matched and named as PyTorch's packed tuple
      const pyKey = `${key.slice(0, -'.weight'.length)}._packed_params`;
      const match = findMatch(floatKeys, pyKey, '_packed_params');
      if (match !== undefined) out[pyKey] = { float: asTensor(floatDict[match], match), quantized: asTensor(value, key) };
      continue;
    }
    const weightMatch = findMatch(floatKeys, key, 'weight');
    if (weightMatch !== undefined) {
      out[key] = { float: asTensor(floatDict[weightMatch], weightMatch), quantized: asTensor(value, key) };
      continue;
    }
    const packedMatch = findMatch(floatKeys, key, '_packed_params');
    if (packedMatch !== undefined) {
      const packed = Array.isArray(value) ? value[0] : value;
      out[key] = { float: asTensor(floatDict[packedMatch], packedMatch), quantized: asTensor(packed, key) };
    }
  }
  return out;
}
