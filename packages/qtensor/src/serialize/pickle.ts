/**
 * A restricted unpickler: the opcodes of pickle protocol 2 that `torch.save` emits (plus the
 * few protocol 3/4 framing opcodes, so protocol 4 checkpoints load too). It never imports or
 * calls anything by itself: GLOBAL asks a caller-supplied resolver, which returns an
 * allow-listed value or throws, and REDUCE only calls `PickleCallable`s the resolver handed out.
 *
 * Python values map to JS as: None -> null, bool -> boolean, int -> number (bigint beyond
 * 2^53), float -> number, str -> string, list -> array, tuple -> frozen array, dict -> plain
 * object (keys converted to strings). The loop is iterative; after STOP the result is checked
 * to be acyclic and at most `MAX_DEPTH` containers deep, so consumers may walk it recursively.
 */
import { describe, ensure, fail } from './errors.js';

/** Something REDUCE / NEWOBJ may call: only what the GLOBAL resolver returned. */
export class PickleCallable {
  constructor(
    /** `module.name`, for error messages. */
    readonly qualname: string,
    /** Builds the value from the (already validated to be a tuple) arguments. */
    readonly call: (args: readonly unknown[]) => unknown,
  ) {}
}

/** What the caller supplies: allow-listed globals and persistent ids. */
export interface UnpickleHooks {
  /** The value of GLOBAL `module name`; must throw for anything not allowed. */
  findGlobal(module: string, name: string): unknown;
  /** The value of a persistent id (BINPERSID). */
  persistentLoad(pid: unknown): unknown;
  /** Called on every non-container value of the result; throws for values that must not escape. */
  checkLeaf?(value: unknown): void;
}

/** Nesting cap for the result (a state dict is a few levels deep). */
export const MAX_DEPTH = 1000;
/** Cap on open MARKs at once. */
const MAX_MARKS = 1000;
/** Longest integer accepted by LONG4, in bytes (LONG1 cannot exceed 255). */
const MAX_LONG_BYTES = 256;

const dicts = new WeakSet<object>();

/** A new empty Python dict (a plain object the unpickler recognises as a dict). */
export function makeDict(): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  dicts.add(d);
  return d;
}

/** Whether `v` is a dict made by the unpickler. */
export function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && dicts.has(v);
}

/** Whether `v` is a tuple (a frozen array). */
export function isTuple(v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

function isList(v: unknown): v is unknown[] {
  return Array.isArray(v) && !Object.isFrozen(v);
}


const OP = 'unpickle';

/** Python dict keys become strings; only scalar keys are accepted. */
function dictKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint') return String(k);
  if (typeof k === 'boolean') return k ? 'True' : 'False';
  if (k === null) return 'None';
  return fail(OP, `unsupported dict key ${describe(k)} (only str / int / bool / None keys are supported)`);
}

/**
 * Sets `d[key] = value` for a Python dict key (converted to a string), as an own property
 * even for keys like `__proto__`.
 */
export function dictSet(d: Record<string, unknown>, key: unknown, value: unknown): void {
  Object.defineProperty(d, dictKey(key), { value, enumerable: true, writable: true, configurable: true });
}

/** Sets items `kv[0]=kv[1], kv[2]=kv[3], ...` on the dict `d`. */
function setItems(d: unknown, kv: readonly unknown[]): void {
  ensure(isDict(d), OP, () => `SETITEM(S) on a non-dict ${describe(d)}`);
  ensure(kv.length % 2 === 0, OP, 'SETITEMS with an odd number of stack items');
  for (let i = 0; i < kv.length; i += 2) dictSet(d, kv[i], kv[i + 1]);
}

function tuple(items: unknown[]): readonly unknown[] {
  return Object.freeze(items);
}

/** Little-endian two's complement integer of `bytes`, as a number when exact, else a bigint. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return toNumberIfSafe(v);
}

function toNumberIfSafe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Bounds-checked cursor over the pickle bytes. */
class Reader {
  pos = 0;
  private readonly view: DataView;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly ascii = new TextDecoder('latin1');

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  take(n: number): Uint8Array {
    ensure(n >= 0 && this.pos + n <= this.bytes.length, OP,
      () => `truncated pickle: need ${n} bytes at offset ${this.pos}, only ${this.bytes.length - this.pos} left`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(): number { return this.take(1)[0]!; }
  u16(): number { const at = this.pos; this.take(2); return this.view.getUint16(at, true); }
  u32(): number { const at = this.pos; this.take(4); return this.view.getUint32(at, true); }
  i32(): number { const at = this.pos; this.take(4); return this.view.getInt32(at, true); }
  f64be(): number { const at = this.pos; this.take(8); return this.view.getFloat64(at, false); }
  u64(): number {
    const at = this.pos;
    this.take(8);
    const v = this.view.getBigUint64(at, true);
    ensure(v <= BigInt(this.bytes.length), OP, () => `length ${v} at offset ${at} exceeds the pickle size`);
    return Number(v);
  }

  str(n: number): string {
    const at = this.pos;
    const b = this.take(n);
    try {
      return this.utf8.decode(b);
    } catch {
      return fail(OP, `invalid UTF-8 in a string at offset ${at}`);
    }
  }

  /** A text line (without the newline), as protocol 0 opcodes and GLOBAL use. */
  line(): string {
    const nl = this.bytes.indexOf(0x0a, this.pos);
    ensure(nl >= 0, OP, () => `truncated pickle: unterminated line at offset ${this.pos}`);
    const s = this.ascii.decode(this.bytes.subarray(this.pos, nl));
    this.pos = nl + 1;
    return s;
  }
}

/** Protocol 0 spellings of non-finite floats. */
const SPECIAL_FLOATS = new Map([['nan', NaN], ['inf', Infinity], ['-inf', -Infinity]]);

/** Names of supported opcodes, for messages about the others. */
const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Runs the restricted unpickler over `bytes` and returns the unpickled value. */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks): unknown {
  const r = new Reader(bytes);
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const pop = (): unknown => {
    ensure(stack.length > 0, OP, () => `stack underflow at offset ${r.pos - 1}`);
    return stack.pop();
  };
  const top = (): unknown => {
    ensure(stack.length > 0, OP, () => `stack underflow at offset ${r.pos - 1}`);
    return stack[stack.length - 1];
  };
  /** Pops everything above the last MARK (and the mark). */
  const popMark = (): unknown[] => {
    const prev = marks.pop();
    ensure(prev, OP, () => `no MARK on the stack at offset ${r.pos - 1}`);
    const items = stack;
    stack = prev;
    return items;
  };
  const memoGet = (i: number): unknown => {
    ensure(memo.has(i), OP, () => `memo key ${i} was never stored`);
    return memo.get(i);
  };
  const textInt = (s: string, what: string): number | bigint => {
    const t = s.endsWith('L') ? s.slice(0, -1) : s;
    ensure(/^[+-]?\d{1,300}$/.test(t), OP, () => `bad ${what} literal ${describe(s)}`);
    return toNumberIfSafe(BigInt(t));
  };
  const memoIndex = (v: number | bigint): number => {
    ensure(typeof v === 'number' && v >= 0, OP, () => `bad memo key ${describe(v)}`);
    return v;
  };
  const call = (fn: unknown, args: unknown, opname: string): unknown => {
    ensure(fn instanceof PickleCallable, OP, () => `${opname} of a non-callable ${describe(fn)}`);
    ensure(isTuple(args), OP, () => `${opname} of ${fn.qualname} with non-tuple arguments ${describe(args)}`);
    return fn.call(args);
  };
  const globalRef = (module: string, name: string): unknown => hooks.findGlobal(module, name);

  for (;;) {
    const at = r.pos;
    const code = r.u8();
    switch (code) {
      case 0x80: { // PROTO
        const v = r.u8();
        ensure(v >= 2 && v <= 4, OP, `pickle protocol ${v} is not supported (expected 2, as torch.save writes; 3 and 4 also load)`);
        break;
      }
      case 0x95: r.u64(); break; // FRAME: a length hint only
      case 0x2e: { // STOP
        const v = pop();
        checkShape(v, hooks.checkLeaf ?? (() => {}));
        return v;
      }
      case 0x28: // MARK
        ensure(marks.length < MAX_MARKS, OP, `more than ${MAX_MARKS} nested MARKs`);
        marks.push(stack);
        stack = [];
        break;
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(r.i32()); break; // BININT
      case 0x4b: stack.push(r.u8()); break; // BININT1
      case 0x4d: stack.push(r.u16()); break; // BININT2
      case 0x8a: stack.push(decodeLong(r.take(r.u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = r.i32();
        ensure(n >= 0 && n <= MAX_LONG_BYTES, OP, () => `LONG4 of ${n} bytes at offset ${at} (at most ${MAX_LONG_BYTES} supported)`);
        stack.push(decodeLong(r.take(n)));
        break;
      }
      case 0x49: { // INT (protocol 0; "01" / "00" are True / False)
        const s = r.line();
        stack.push(s === '01' ? true : s === '00' ? false : textInt(s, 'INT'));
        break;
      }
      case 0x4c: stack.push(textInt(r.line(), 'LONG')); break; // LONG
      case 0x47: stack.push(r.f64be()); break; // BINFLOAT
      case 0x46: { // FLOAT
        const s = r.line();
        const v = SPECIAL_FLOATS.get(s) ?? (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : undefined);
        ensure(v !== undefined, OP, () => `bad FLOAT literal ${describe(s)}`);
        stack.push(v);
        break;
      }
      case 0x58: stack.push(r.str(r.u32())); break; // BINUNICODE
      case 0x8c: stack.push(r.str(r.u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(r.str(r.u64())); break; // BINUNICODE8
      case 0x55: stack.push(r.str(r.u8())); break; // SHORT_BINSTRING (Python 2 str, read as UTF-8)
      case 0x54: { // BINSTRING
        const n = r.i32();
        ensure(n >= 0, OP, `negative BINSTRING length at offset ${at}`);
        stack.push(r.str(n));
        break;
      }
      case 0x7d: stack.push(makeDict()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(tuple([])); break; // EMPTY_TUPLE
      case 0x74: { const items = popMark(); stack.push(tuple(items)); break; } // TUPLE (pop first: popMark swaps `stack`)
      case 0x85: stack.push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push(tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push(tuple([a, b, c])); break; } // TUPLE3
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
      case 0x64: { const d = makeDict(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x61: { // APPEND
        const v = pop(), list = top();
        ensure(isList(list), OP, () => `APPEND to a non-list ${describe(list)} at offset ${at}`);
        list.push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark(), list = top();
        ensure(isList(list), OP, () => `APPENDS to a non-list ${describe(list)} at offset ${at}`);
        for (const v of items) list.push(v);
        break;
      }
      case 0x73: { const v = pop(), k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x71: memo.set(r.u8(), top()); break; // BINPUT
      case 0x72: memo.set(r.u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(memoIndex(textInt(r.line(), 'PUT')), top()); break; // PUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(r.u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(r.u32())); break; // LONG_BINGET
      case 0x67: stack.push(memoGet(memoIndex(textInt(r.line(), 'GET')))); break; // GET
      case 0x63: { const module = r.line(); stack.push(globalRef(module, r.line())); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(), module = pop();
        ensure(typeof module === 'string' && typeof name === 'string', OP, `STACK_GLOBAL with non-string names at offset ${at}`);
        stack.push(globalRef(module, name));
        break;
      }
      case 0x52: { const args = pop(), fn = pop(); stack.push(call(fn, args, 'REDUCE')); break; } // REDUCE
      case 0x81: { const args = pop(), cls = pop(); stack.push(call(cls, args, 'NEWOBJ')); break; } // NEWOBJ
      case 0x62: { // BUILD
        const state = pop(), obj = top();
        // OrderedDict state dicts carry `_metadata` as an attribute (not an item): not kept
        ensure(isDict(obj) && (isDict(state) || state === null), OP,
          () => `BUILD (setting object state) on ${describe(obj)} is not supported`);
        break;
      }
      case 0x51: stack.push(hooks.persistentLoad(pop())); break; // BINPERSID
      default: {
        const name = OPCODE_NAMES[code];
        fail(OP, `unsupported pickle opcode ${name ?? `0x${code.toString(16).padStart(2, '0')}`} at offset ${at}`);
      }
    }
  }
}

/**
 * Checks that the unpickled value is acyclic and at most MAX_DEPTH containers deep, in time
 * linear in its size (shared sub-objects are measured once).
 */
function checkShape(root: unknown, checkLeaf: (v: unknown) => void): void {
  const height = new Map<object, number>(); // finished nodes
  const onPath = new Set<object>();
  const children = (v: object): unknown[] => (Array.isArray(v) ? v : Object.values(v));
  const isContainer = (v: unknown): v is object => Array.isArray(v) || isDict(v);
  if (!isContainer(root)) { checkLeaf(root); return; }
  // explicit DFS stack of [node, its children, next child index]
  const work: Array<[object, unknown[], number]> = [[root, children(root), 0]];
  onPath.add(root);
  while (work.length > 0) {
    const frame = work[work.length - 1]!;
    const [node, kids] = frame;
    if (frame[2] < kids.length) {
      const kid = kids[frame[2]++];
      if (!isContainer(kid)) { checkLeaf(kid); continue; }
      if (height.has(kid)) continue;
      ensure(!onPath.has(kid), OP, 'the pickled object contains a reference cycle');
      ensure(work.length < MAX_DEPTH, OP, `the pickled object is nested more than ${MAX_DEPTH} levels deep`);
      onPath.add(kid);
      work.push([kid, children(kid), 0]);
      continue;
    }
    let h = 0;
    for (const k of kids) if (isContainer(k)) h = Math.max(h, height.get(k)! + 1);
    ensure(h < MAX_DEPTH, OP, `the pickled object is nested more than ${MAX_DEPTH} levels deep`);
    height.set(node, h);
    onPath.delete(node);
    work.pop();
  }
}
