/**
 * PyTorch's tensor repr (torch/_tensor_str.py `_str_intern`, `_tensor_str`, `_vector_str`,
 * `_add_suffixes`), ported rule for rule: nested brackets with one-space indentation per
 * level, line wrapping at `linewidth`, summarization with `...` above `threshold` elements,
 * and the `size=` / `dtype=` / quantization / `grad_fn=` suffixes.
 */
import { bool, float32, int64 } from '../dtype.js';
import { isPerChannel } from '../quantizer.js';
import { qPerChannelScales, qPerChannelZeroPoints } from '../quantized/accessors.js';
import { dequantize } from '../quantized/quantize.js';
import { shapeNumel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Formatter, type ValueKind } from './formatter.js';
import { type PrintOptions, getPrintOptions } from './options.js';
import { pyFloatRepr } from './py_float.js';
import { assertTensor } from '../args.js';

/** A row-major block of values: the sub-tensor of `shape` starting at `start`. */
interface Block {
  readonly values: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly start: number;
}

function row(b: Block, i: number): Block {
  const inner = shapeNumel(b.shape.slice(1));
  return { values: b.values, shape: b.shape.slice(1), start: b.start + i * inner };
}

/** Indices of dim 0 that get printed: all, or the first and last `edgeitems` when summarizing. */
function shownRows(size: number, summarize: boolean, o: PrintOptions): { head: number[]; tail: number[] } {
  const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
  if (summarize && size > 2 * o.edgeitems) return { head: range(0, o.edgeitems), tail: range(size - o.edgeitems, size) };
  return { head: range(0, size), tail: [] };
}

/** The values that will be printed (PyTorch's `get_summarized_data`), which the formatter measures. */
function printedValues(b: Block, summarize: boolean, o: PrintOptions, out: number[]): void {
  if (b.shape.length === 0) {
    out.push(b.values[b.start]!);
    return;
  }
  const { head, tail } = shownRows(b.shape[0]!, summarize, o);
  for (const i of [...head, ...tail]) printedValues(row(b, i), summarize, o, out);
}

function vectorStr(b: Block, indent: number, summarize: boolean, f: Formatter, o: PrintOptions): string {
  // each element takes its width plus ', '
  const perLine = Math.max(1, Math.floor((o.linewidth - indent) / (f.width() + 2)));
  const { head, tail } = shownRows(b.shape[0]!, summarize, o);
  const fmt = (i: number): string => f.format(b.values[b.start + i]!);
  const data = tail.length ? [...head.map(fmt), ' ...', ...tail.map(fmt)] : head.map(fmt);
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
  return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
}

function blockStr(b: Block, indent: number, summarize: boolean, f: Formatter, o: PrintOptions): string {
  const dim = b.shape.length;
  if (dim === 0) return f.format(b.values[b.start]!);
  if (dim === 1) return vectorStr(b, indent, summarize, f, o);
  const { head, tail } = shownRows(b.shape[0]!, summarize, o);
  const sub = (i: number): string => blockStr(row(b, i), indent + 1, summarize, f, o);
  const slices = tail.length ? [...head.map(sub), '...', ...tail.map(sub)] : head.map(sub);
  return `[${slices.join(`,${'\n'.repeat(dim - 1)}${' '.repeat(indent + 1)}`)}]`;
}

/** The bracketed body of a repr (PyTorch's `_tensor_str`), for values in row-major order. */
export function valuesStr(values: ArrayLike<number>, shape: readonly number[], kind: ValueKind, indent: number, o: PrintOptions = getPrintOptions()): string {
  const n = shapeNumel(shape);
  if (n === 0) return '[]';
  const summarize = n > o.threshold;
  const block: Block = { values, shape, start: 0 };
  let measured: ArrayLike<number> = values;
  if (summarize) {
    const picked: number[] = [];
    printedValues(block, true, o, picked);
    measured = picked;
  }
  return blockStr(block, indent, summarize, new Formatter(measured, kind, o), o);
}

/** Appends `, suffix` items, wrapping onto a new indented line past `linewidth` (PyTorch's `_add_suffixes`). */
function addSuffixes(body: string, suffixes: readonly string[], indent: number, o: PrintOptions): string {
  const parts = [body];
  // mirrors Python's len(s) - s.rfind('\n') + 1, including its +2 when there is no newline
  let lastLineLen = body.length - body.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > o.linewidth) {
      parts.push(`,\n${' '.repeat(indent)}${suffix}`);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/** Python's `str(tuple(shape))`: `(2, 3)`, `(2,)`, `()`. */
function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function kindOf(t: Tensor): ValueKind {
  if (t.dtype === bool) return 'bool';
  return t.dtype.isFloatingPoint || t.isQuantized ? 'float' : 'int';
}

/** The grad_fn's class name as PyTorch prints it: `Add` becomes `AddBackward0`. */
function gradFnName(name: string): string {
  return /Backward\d*$/.test(name) ? name : `${name}Backward0`;
}

/**
 * The string PyTorch's `repr(tensor)` gives, e.g. `tensor([[0.1000, 2.0000]], requires_grad=True)`
 * or, for a quantized tensor, its dequantized values with `size`, `dtype`,
 * `quantization_scheme`, `scale` and `zero_point` (and `axis` per channel).
 */
export function tensorRepr(t: Tensor): string {
  assertTensor(t, 'repr');
  const o = getPrintOptions();
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  const hasDefaultDtype = t.dtype === float32 || t.dtype === int64 || t.dtype === bool;
  let body: string;
  if (t.isQuantized) {
    const q = t.quantizer!;
    suffixes.push(`size=${pyTuple(t.shape)}`, `dtype=${t.dtype.torchName}`, `quantization_scheme=torch.${q.qscheme}`);
    if (isPerChannel(q)) {
      suffixes.push(`scale=${tensorRepr(qPerChannelScales(t))}`, `zero_point=${tensorRepr(qPerChannelZeroPoints(t))}`, `axis=${q.axis}`);
    } else {
      suffixes.push(`scale=${pyFloatRepr(q.scale)}`, `zero_point=${q.zeroPoint}`);
    }
    const dq = dequantize(t);
    body = valuesStr(dq.values(), dq.shape, 'float', indent, o);
  } else if (t.numel() === 0) {
    // numpy-style: the shape is shown unless it is (0,); the dtype whenever it is not float32
    if (t.ndim !== 1) suffixes.push(`size=${pyTuple(t.shape)}`);
    if (t.dtype !== float32) suffixes.push(`dtype=${t.dtype.torchName}`);
    body = '[]';
  } else {
    if (!hasDefaultDtype) suffixes.push(`dtype=${t.dtype.torchName}`);
    body = valuesStr(t.values(), t.shape, kindOf(t), indent, o);
  }
  if (t.gradFn) suffixes.push(`grad_fn=<${gradFnName(t.gradFn.name)}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent, o);
}
