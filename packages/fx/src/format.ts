/** Printing of node arguments and targets (Graph.toString, printTabular, error messages). */
import { DType } from '@qtorch/qtensor';
import { type Argument, Node, type Target, isPlainObject } from './node.js';

/** A target as printed: the qualified name, or a function's name. */
export function targetName(target: Target): string {
  return typeof target === 'function' ? target.name || '<function>' : target;
}

/** A constant as a JavaScript literal (`-0`, `NaN` and `undefined` spelled out). */
export function formatConstant(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  if (v instanceof DType) return v.torchName;
  return String(v);
}

/** An argument in torch.fx's graph notation: nodes as `%name`, arrays `[...]`, objects `{k: v}`. */
export function formatArg(a: Argument): string {
  if (a instanceof Node) return `%${a.name}`;
  if (Array.isArray(a)) return `[${a.map((v: Argument) => formatArg(v)).join(', ')}]`;
  if (isPlainObject(a)) return `{${Object.entries(a).map(([k, v]) => `${k}: ${formatArg(v as Argument)}`).join(', ')}}`;
  return formatConstant(a);
}

/** Positional args as a tuple (`(%x,)`, `(%a, 1)`), as torch.fx prints them. */
export function formatArgsTuple(args: readonly Argument[]): string {
  if (args.length === 1) return `(${formatArg(args[0])},)`;
  return `(${args.map(formatArg).join(', ')})`;
}

/** Lays out rows as a plain text table with a header rule. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
