/**
 * Parameter names of a JavaScript function, read from its source (JavaScript has no
 * `inspect.signature`): they name the graph's placeholders and key `concreteArgs`.
 */
import { TraceError } from './errors.js';
import type { AnyFn } from './node.js';

/** One parameter: its name (or `arg<i>` when destructured) and whether it has a default. */
export interface ParamInfo {
  name: string;
  hasDefault: boolean;
}

const OPEN = '([{';
const CLOSE = ')]}';

/** Index of the `)` matching the `(` at `start`, skipping strings and comments. */
function matchParen(src: string, start: number): number {
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
    } else if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
      if (i < 0) return -1;
    } else if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i) + 1;
      if (i <= 0) return -1;
    } else if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c) && --depth === 0) return i;
  }
  return -1;
}

/** Splits at commas outside brackets. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0, from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(s.slice(from));
  return parts.map((p) => p.replace(/\/\*[\s\S]*?\*\//g, '').trim()).filter((p) => p !== '');
}

/**
 * The parameters of `fn`. Rest parameters cannot become placeholders (their count is unknown)
 * and are a TraceError; functions whose source cannot be read fall back to `arg0..` by length.
 */
export function parameterNames(fn: AnyFn): ParamInfo[] {
  const src = Function.prototype.toString.call(fn);
  const arrow = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (arrow) return [{ name: arrow[1]!, hasDefault: false }];
  const open = src.indexOf('(');
  const close = open < 0 ? -1 : matchParen(src, open);
  if (close < 0 || src.includes('[native code]')) {
    return Array.from({ length: fn.length }, (_, i) => ({ name: `arg${i}`, hasDefault: false }));
  }
  return splitTopLevel(src.slice(open + 1, close)).map((p, i) => {
    if (p.startsWith('...')) {
      throw new TraceError(`symbolicTrace(): rest parameter '${p}' of ${fn.name || 'the traced function'} cannot be traced; declare each input as its own parameter`);
    }
    const eq = p.indexOf('=');
    const head = (eq < 0 ? p : p.slice(0, eq)).trim();
    const name = /^[A-Za-z_$][\w$]*$/.test(head) ? head : `arg${i}`;
    return { name, hasDefault: eq >= 0 };
  });
}
