/**
 * Code generation: a Graph becomes the source of a JavaScript `forward` function (readable,
 * like torch.fx's generated Python) and is compiled with `new Function`.
 *
 * The source is produced only from a Graph's nodes, never copied from outside text: names
 * are identifiers the graph's Namespace handed out, attribute paths and method names are
 * checked when nodes are created, strings are emitted with JSON.stringify, and functions are
 * passed in through the scope object, not spelled in the source.
 */
import { DType, QTorchValueError } from '@qtorch/qtensor';
import { formatConstant } from './format.js';
import type { Graph } from './graph.js';
import { accessor, isIdentifier, isReservedWord, isSafeAttr } from './names.js';
import { type AnyFn, type Argument, Node, isPlainObject } from './node.js';
import { getattr, getitem, resolveFunction } from './vocabulary.js';

/** Generated source and the values its free variables refer to. */
export interface GeneratedCode {
  /** `forward(x) { ... }`: the readable method source (what `gm.code` shows). */
  code: string;
  /** Free variable -> value (op namespaces such as `F`, `torch`, and `dtypes`). */
  scope: Record<string, unknown>;
}

type Scope = Record<string, unknown>;

/** Emits call expressions for call_function targets, collecting the scope they need. */
class ScopeBuilder {
  readonly scope: Scope = {};
  private readonly fns: Record<string, AnyFn> = {};
  private readonly fnKeys = new Map<AnyFn, string>();

  constructor(private readonly nodeNames: Set<string>) {}

  /** An expression naming the function of a call_function target. */
  functionRef(target: string | AnyFn): string {
    const fn = resolveFunction(target);
    if (typeof target === 'string') {
      const parts = target.split('.');
      const [head] = parts;
      if (parts.every(isIdentifier) && !this.nodeNames.has(head!) && !isReservedWord(head!) && head !== 'dtypes' && head !== '__fns') {
        this.addPath(parts, fn);
        return target;
      }
    }
    return `__fns${accessor(this.fnKey(fn, typeof target === 'string' ? target : fn.name))}`;
  }

  private addPath(parts: string[], fn: AnyFn): void {
    let obj = this.scope;
    for (const p of parts.slice(0, -1)) {
      if (!Object.prototype.hasOwnProperty.call(obj, p)) obj[p] = Object.create(null) as Scope;
      obj = obj[p] as Scope;
    }
    obj[parts[parts.length - 1]!] = fn;
  }

  private fnKey(fn: AnyFn, hint: string): string {
    let key = this.fnKeys.get(fn);
    if (key === undefined) {
      key = `${hint || 'fn'}_${this.fnKeys.size}`;
      this.fnKeys.set(fn, key);
      this.fns[key] = fn;
      this.scope.__fns = this.fns;
    }
    return key;
  }

  /** `dtypes.float32`, with the dtype table in scope. */
  dtypeRef(d: DType): string {
    const table = (this.scope.dtypes ??= Object.create(null)) as Record<string, DType>;
    table[d.name] = d;
    return `dtypes.${d.name}`;
  }
}

/** A JavaScript expression for an argument. */
function emitArg(a: Argument, sb: ScopeBuilder): string {
  if (a instanceof Node) return a.name;
  if (a instanceof DType) return sb.dtypeRef(a);
  if (Array.isArray(a)) return `[${a.map((v: Argument) => emitArg(v, sb)).join(', ')}]`;
  if (isPlainObject(a)) {
    // a literal `__proto__:` key would set the prototype: spell it as a computed key
    const key = (k: string) => (k === '__proto__' ? '["__proto__"]' : isIdentifier(k) ? k : JSON.stringify(k));
    const entries = Object.entries(a).map(([k, v]) => `${key(k)}: ${emitArg(v as Argument, sb)}`);
    return `{${entries.join(', ')}}`;
  }
  if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean' || a === null || a === undefined) return formatConstant(a);
  throw new QTorchValueError(`codegen: cannot emit argument of type ${typeof a}`);
}

/** Positional args followed by the kwargs object when it is not empty. */
function emitCallArgs(args: readonly Argument[], kwargs: Record<string, Argument>, sb: ScopeBuilder): string {
  const parts = args.map((a) => emitArg(a, sb));
  if (Object.keys(kwargs).length > 0) parts.push(emitArg(kwargs, sb));
  return parts.join(', ');
}

/** `this.layer1["0"].conv` for an attribute path. */
function selfPath(target: string): string {
  return `this${target.split('.').map(accessor).join('')}`;
}

/** A constant key getitem / getattr may spell directly (`x[0]`, `x.shape`). */
function isLiteralKey(key: Argument): key is number | string {
  return (typeof key === 'number' && Number.isInteger(key)) || (typeof key === 'string' && isSafeAttr(key));
}

/** The expression computing one node. */
function emitNode(n: Node, sb: ScopeBuilder): string {
  const target = n.target;
  switch (n.op) {
    case 'get_attr':
      return selfPath(target as string);
    case 'call_module':
      return `${selfPath(target as string)}.call(${emitCallArgs(n.args, n.kwargs, sb)})`;
    case 'call_method': {
      const [self, ...rest] = n.args;
      return `${emitArg(self, sb)}${accessor(target as string)}(${emitCallArgs(rest, n.kwargs, sb)})`;
    }
    case 'call_function': {
      const fn = resolveFunction(target);
      const [obj, key] = n.args;
      // readable forms for attribute and index reads with constant keys; else the guarded builtins
      if (fn === getattr && n.args.length === 2 && typeof key === 'string' && isSafeAttr(key)) return `${emitArg(obj, sb)}${accessor(key)}`;
      if (fn === getitem && n.args.length === 2 && isLiteralKey(key)) {
        return `${emitArg(obj, sb)}[${typeof key === 'number' ? String(key) : JSON.stringify(key)}]`;
      }
      return `${sb.functionRef(target)}(${emitCallArgs(n.args, n.kwargs, sb)})`;
    }
    default:
      throw new QTorchValueError(`codegen: unexpected op '${n.op}'`);
  }
}

/** Generates the `forward` method source of `graph`. */
export function generateCode(graph: Graph): GeneratedCode {
  const nodes = graph.nodes;
  const sb = new ScopeBuilder(new Set(nodes.map((n) => n.name)));
  const params: string[] = [];
  const body: string[] = [];
  let returned = false;
  for (const n of nodes) {
    if (n.op === 'placeholder') {
      params.push(n.args.length ? `${n.name} = ${emitArg(n.args[0], sb)}` : n.name);
    } else if (n.op === 'output') {
      body.push(`  return ${emitArg(n.args[0], sb)};`);
      returned = true;
    } else {
      const expr = emitNode(n, sb);
      // values nobody reads are still computed (in-place ops, assertions) but not named
      body.push(n.users.size > 0 ? `  const ${n.name} = ${expr};` : `  ${expr};`);
    }
  }
  if (!returned) body.push('  return undefined;');
  return { code: `forward(${params.join(', ')}) {\n${body.join('\n')}\n}`, scope: sb.scope };
}

/** Compiles generated code into a function to install as `forward` (called with `this` = the module). */
export function compileForward(gen: GeneratedCode): AnyFn {
  const names = Object.keys(gen.scope);
  const factory = new Function(...names, `"use strict";\nreturn function ${gen.code}`) as (...values: unknown[]) => AnyFn;
  return factory(...names.map((k) => gen.scope[k]));
}
