/**
 * Traced values: JS `Proxy` objects standing for the tensors (and other values) a traced
 * program computes (torch.fx.Proxy). Every operation on one records a node:
 * - `x.add(y)`, `x.flatten(1)`: a call_method node;
 * - `x.shape`, `x.dtype`: a getattr call_function node (created when the value is used);
 * - `x[0]`: a getitem call_function node.
 * What JavaScript lets a proxy notice and a graph cannot express throws a TraceError: using
 * the value as a number or string (`x > 0`, `x + 1`), iterating it, reading its data
 * (`item()`, `toArray()`), reading boolean properties (`isQuantized`), or Tensor internals.
 * Plain truthiness (`if (x)`) cannot be intercepted in JavaScript: a proxy is always truthy.
 */
import { tracedMarker } from '@qtorch/qtensor';
import { TRACE_HINT, TraceError } from './errors.js';
import { formatArg, targetName } from './format.js';
import { type Node, type Op, type Target, isPlainObject } from './node.js';

/** What proxies need from the tracer that made them. */
export interface ProxyHost {
  /** Records a node from runtime values (proxies inside are turned into their nodes) and wraps it. */
  createProxy(op: Op, target: Target, args: readonly unknown[], kwargs: Record<string, unknown>): unknown;
  /** Records a node from runtime values without wrapping it. */
  createNodeFromValues(op: Op, target: Target, args: readonly unknown[], kwargs: Record<string, unknown>): Node;
}

/** The state behind one proxy. */
export class ProxyRecord {
  private _node: Node | null;

  constructor(
    readonly host: ProxyHost,
    node: Node | null,
    /** For `x.attr` not yet used as a value: the proxy read from and the attribute name. */
    readonly attr: { base: unknown; name: string } | null = null,
  ) {
    this._node = node;
  }

  /** The node this proxy stands for (an attribute read records its getattr node now). */
  get node(): Node {
    if (this._node === null) {
      const { base, name } = this.attr!;
      this._node = this.host.createNodeFromValues('call_function', 'getattr', [base, name], {});
    }
    return this._node;
  }

  /** How the value came about, for error messages (`%relu = F.relu(%x)`). */
  describe(): string {
    if (this._node === null) return `${describeValue(this.attr!.base)}.${this.attr!.name}`;
    const n = this._node;
    if (n.op === 'placeholder') return `input '${n.name}'`;
    return `'%${n.name}' (${n.op} ${targetName(n.target)}${n.args.length ? ` of ${n.args.map(formatArg).join(', ')}` : ''})`;
  }
}

const records = new WeakMap<object, ProxyRecord>();

/** The record behind a proxy, or undefined for other values. */
export function proxyRecord(x: unknown): ProxyRecord | undefined {
  return (typeof x === 'function' || typeof x === 'object') && x !== null ? records.get(x) : undefined;
}

/** True for traced values. */
export function isProxy(x: unknown): boolean {
  return proxyRecord(x) !== undefined;
}

function describeValue(x: unknown): string {
  return proxyRecord(x)?.describe() ?? String(x);
}

/** Reading these returns data the graph cannot know. */
const DATA_READERS = new Set(['item', 'toArray', 'tolist', 'values', 'rawValues', 'data', 'toJSON', 'valueOf']);
/** Boolean properties / predicates: their value would steer `if` statements, which JS cannot trace. */
const BOOLEAN_VALUED = new Set(['isQuantized', 'isLeaf', 'requiresGrad', 'isContiguous', 'isFloatingPoint', 'equal', 'allclose']);
/** Tensor internals only untraceable library code reads. */
const INTERNALS = new Set(['storage', 'strides', 'offset', 'quantizer', 'grad', 'gradFn']);

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function notTraceable(rec: ProxyRecord, what: string): TraceError {
  return new TraceError(`symbolic tracing: ${what} on traced value ${rec.describe()}; the model is not symbolically traceable here. ${TRACE_HINT}`);
}

function internalsError(rec: ProxyRecord, key: string): TraceError {
  return new TraceError(
    `symbolic tracing: Tensor internals ('${key}') were read from traced value ${rec.describe()}: a function that is not traceable ` +
      'received a traced value. Wrap it with traceable(name, fn) from @qtorch/qtensor, or call the traceable version ' +
      `(\`torch\` from @qtorch/fx, @qtorch/nn/functional). ${TRACE_HINT}`,
  );
}

/** Splits a trailing non-empty plain object off the args: it becomes the node's kwargs. */
export function splitKwargs(args: readonly unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1];
  if (args.length > 0 && isPlainObject(last) && Object.keys(last).length > 0) return [args.slice(0, -1), last];
  return [[...args], {}];
}

/** A proxy for `rec`; its target is an arrow function so that attribute proxies can be called. */
function wrap(rec: ProxyRecord): unknown {
  const target = () => undefined;
  // Node's util.inspect formats a proxy's target, bypassing the traps: label the target too
  Object.defineProperty(target, INSPECT, { value: () => `Proxy(${rec.attr ? rec.attr.name : rec.node.name})`, configurable: true });
  const self: unknown = new Proxy(target, {
    get(_t, key) {
      if (key === tracedMarker) return true;
      if (typeof key === 'symbol') {
        if (key === Symbol.toPrimitive) {
          return (hint: string) => {
            if (hint === 'string') return `Proxy(${rec.node.name})`;
            throw notTraceable(rec, `conversion to a ${hint === 'number' ? 'number (comparison or arithmetic operator)' : 'primitive (operator such as + or ==)'}`);
          };
        }
        if (key === Symbol.iterator) {
          return () => {
            throw notTraceable(rec, 'iteration (for..of, spread or destructuring; index with [i] instead)');
          };
        }
        if (key === INSPECT) return () => `Proxy(${rec.node.name})`;
        if (key === Symbol.toStringTag) return 'Proxy';
        return undefined;
      }
      if (key === 'then') return undefined; // not a thenable: `await` must not treat proxies as promises
      if (key === 'toString') return () => `Proxy(${rec.node.name})`;
      if (DATA_READERS.has(key)) throw notTraceable(rec, `reading the data ('${key}')`);
      if (BOOLEAN_VALUED.has(key)) throw notTraceable(rec, `reading boolean-valued '${key}' (it would steer control flow)`);
      if (INTERNALS.has(key)) throw internalsError(rec, key);
      if (/^(0|[1-9]\d*)$/.test(key)) return rec.host.createProxy('call_function', 'getitem', [self, Number(key)], {});
      return wrap(new ProxyRecord(rec.host, null, { base: self, name: key }));
    },
    apply(_t, _this, args: unknown[]) {
      if (!rec.attr) throw notTraceable(rec, 'a call of the value itself');
      const [a, kw] = splitKwargs(args);
      return rec.host.createProxy('call_method', rec.attr.name, [rec.attr.base, ...a], kw);
    },
    set(_t, key) {
      throw notTraceable(rec, `assigning attribute '${String(key)}'`);
    },
    defineProperty(_t, key) {
      throw notTraceable(rec, `defining attribute '${String(key)}'`);
    },
    deleteProperty(_t, key) {
      throw notTraceable(rec, `deleting attribute '${String(key)}'`);
    },
    has(_t, key) {
      return key === tracedMarker;
    },
  });
  records.set(self as object, rec);
  return self;
}

/** A proxy standing for the value of `node`. */
export function makeProxy(host: ProxyHost, node: Node): unknown {
  return wrap(new ProxyRecord(host, node));
}
