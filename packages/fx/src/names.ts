/**
 * Identifier rules shared by the graph, the code generator and the loader: which names can
 * become JavaScript variables, and which attribute names a graph may never touch.
 */
import { QTorchValueError } from '@qtorch/qtensor';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const JS_RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if implements import in instanceof interface let new null package private protected public return static ' +
    'super switch this throw true try typeof var void while with yield await async of arguments eval undefined NaN Infinity')
    .split(' '),
);

/**
 * Names the generated code keeps for itself (namespaces of the op vocabulary, the scope
 * object); node names never take them.
 */
export const CODEGEN_RESERVED = new Set(['F', 'torch', 'fx', 'dtypes', 'operator', 'nnq', '__fns', 'self']);

/**
 * Property names a graph may not read or call: they lead from data to the Function
 * constructor or to prototype internals. Checked whenever a node is created or edited, so a
 * graph loaded from a file cannot reach them.
 */
const FORBIDDEN_ATTRS = new Set(['constructor', 'prototype', 'caller', 'callee', 'arguments']);

/** True when `s` is a valid JavaScript identifier (ASCII). */
export function isIdentifier(s: string): boolean {
  return IDENT.test(s);
}

/** True for JavaScript keywords and the global names generated code must not shadow. */
export function isReservedWord(s: string): boolean {
  return JS_RESERVED.has(s);
}

/** True when `name` may be read or called on a value by a graph (see FORBIDDEN_ATTRS). */
export function isSafeAttr(name: string): boolean {
  return name.length > 0 && !FORBIDDEN_ATTRS.has(name) && !name.startsWith('__');
}

/** Throws unless `name` is a safe attribute name (`what` says where it came from). */
export function checkSafeAttr(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !isSafeAttr(name)) {
    throw new QTorchValueError(`${what}: attribute name ${JSON.stringify(name)} is not allowed in a graph`);
  }
}

/** Throws unless `target` is a dotted path of safe attribute names (`'layer1.0.conv'`). */
export function checkQualifiedName(target: unknown, what: string): asserts target is string {
  if (typeof target !== 'string' || target === '') {
    throw new QTorchValueError(`${what}: expected a dotted attribute path, got ${JSON.stringify(target)}`);
  }
  for (const part of target.split('.')) {
    if (!(isIdentifier(part) || /^\d+$/.test(part)) || !isSafeAttr(part)) {
      throw new QTorchValueError(`${what}: '${target}' is not a valid attribute path (bad part '${part}')`);
    }
  }
}

/** `.name` when `name` is an identifier, else `["name"]`: a property access in generated code. */
export function accessor(name: string): string {
  return isIdentifier(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** A name turned into an identifier-ish base: `'layer1.0.conv'` -> `'layer1_0_conv'`. */
export function sanitize(candidate: string): string {
  let s = candidate.replace(/[^A-Za-z0-9_$]/g, '_');
  if (s === '' || /^[0-9]/.test(s)) s = `_${s}`;
  return s;
}

/**
 * Hands out unique identifiers (torch.fx's `_Namespace`): `add`, `add_1`, `add_2`, ...;
 * reserved words and code generator names get a suffix too.
 */
export class Namespace {
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();

  /** A fresh identifier based on `candidate`. */
  create(candidate: string): string {
    const first = sanitize(candidate);
    if (!this.taken(first)) {
      this.used.add(first);
      return first;
    }
    const m = /^(.*)_(\d+)$/.exec(first);
    const base = m && m[1] ? m[1] : first;
    let n = this.counters.get(base) ?? 0;
    let name: string;
    do {
      n += 1;
      name = `${base}_${n}`;
    } while (this.taken(name));
    this.counters.set(base, n);
    this.used.add(name);
    return name;
  }

  private taken(name: string): boolean {
    return this.used.has(name) || JS_RESERVED.has(name) || CODEGEN_RESERVED.has(name);
  }

  /** Gives `name` back (the node was erased). */
  release(name: string): void {
    this.used.delete(name);
  }

  /** True when `name` is taken. */
  has(name: string): boolean {
    return this.used.has(name);
  }
}
