/**
 * JSON encoding of the constants a graph or a module's configuration holds. Plain JSON
 * cannot hold `undefined`, NaN, ±Infinity, -0, dtypes, node references or functions (only
 * those of the op vocabulary, by name: a layer's `poolFn = F.maxPool2d`), so those become
 * one-key tagged objects; plain objects are tagged too, so no user key is ever mistaken for
 * a tag.
 */
import { DType, QTorchSerializationError, dtypeFromName, traceableFunction, traceableName } from '@qtorch/qtensor';
import { type Argument, Node, isPlainObject } from '../node.js';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Nesting limit when decoding (hostile files must not exhaust the stack). */
const MAX_DEPTH = 64;

function bad(msg: string): never {
  throw new QTorchSerializationError(`loadGraphModule(): ${msg}`);
}

/** Encodes a constant or node argument as JSON; `what` names the owner in errors. */
export function encodeValue(v: unknown, what: string): Json {
  if (v instanceof Node) return { $node: v.name };
  if (v === undefined) return { $undef: true };
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v) || !Number.isFinite(v) || Object.is(v, -0)) return { $num: Object.is(v, -0) ? '-0' : String(v) };
    return v;
  }
  if (v instanceof DType) return { $dtype: v.name };
  if (Array.isArray(v)) return v.map((x) => encodeValue(x, what));
  if (isPlainObject(v)) {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeValue(x, what);
    return { $obj: out };
  }
  if (typeof v === 'function') {
    const name = traceableName(v as (...a: unknown[]) => unknown);
    if (name !== undefined) return { $fn: name };
  }
  const kind = typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
  throw new QTorchSerializationError(`saveGraphModule(): ${what} holds a ${kind}, which cannot be saved as data`);
}

const NUMS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** Decodes `encodeValue`'s output; `resolveNode` turns `$node` names into nodes (absent: refused). */
export function decodeValue(j: unknown, resolveNode?: (name: string) => Node, depth = 0): Argument {
  if (depth > MAX_DEPTH) bad('value nested too deeply');
  if (j === null || typeof j === 'boolean' || typeof j === 'string') return j;
  if (typeof j === 'number') return j;
  if (Array.isArray(j)) return j.map((x) => decodeValue(x, resolveNode, depth + 1));
  if (!isPlainObject(j)) bad(`unexpected ${typeof j} in encoded value`);
  const keys = Object.keys(j);
  if (keys.length !== 1) bad(`malformed encoded value with keys ${JSON.stringify(keys)}`);
  const [tag] = keys as [string];
  const body = j[tag];
  switch (tag) {
    case '$undef':
      return undefined;
    case '$num':
      if (typeof body !== 'string' || !(body in NUMS)) bad(`bad number ${JSON.stringify(body)}`);
      return NUMS[body]!;
    case '$dtype':
      if (typeof body !== 'string') bad('bad dtype');
      try {
        return dtypeFromName(body);
      } catch {
        return bad(`unknown dtype ${JSON.stringify(body)}`);
      }
    case '$node':
      if (typeof body !== 'string' || !resolveNode) bad('unexpected node reference');
      return resolveNode(body);
    case '$fn': {
      const fn = typeof body === 'string' ? traceableFunction(body) : undefined;
      if (!fn) bad(`function ${JSON.stringify(body)} is not in the op vocabulary`);
      return fn as unknown as Argument;
    }
    case '$obj': {
      if (!isPlainObject(body)) bad('bad object');
      const out: Record<string, Argument> = {};
      for (const [k, x] of Object.entries(body)) {
        if (k === '__proto__') bad('object key __proto__ is not allowed');
        out[k] = decodeValue(x, resolveNode, depth + 1);
      }
      return out;
    }
    default:
      return bad(`unknown tag ${JSON.stringify(tag)}`);
  }
}
