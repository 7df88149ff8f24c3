/**
 * PyTorch's `_Formatter` (torch/_tensor_str.py): one instance looks at every value that will
 * be printed and picks the mode (integer-valued floats as `1.`, fixed `0.1000`, or scientific
 * `1.0000e-05`) and the common width all elements are right-aligned to.
 */
import { formatExp, formatFixed } from './py_float.js';
import type { PrintOptions } from './options.js';

/** What kind of values a tensor holds, for printing. */
export type ValueKind = 'float' | 'int' | 'bool';

export class Formatter {
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;

  constructor(values: ArrayLike<number>, private readonly kind: ValueKind, private readonly opts: PrintOptions) {
    if (kind !== 'float') {
      for (let i = 0; i < values.length; i++) this.widen(this.plain(values[i]!).length);
      return;
    }
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== 0 && Number.isFinite(v)) finite.push(v);
    }
    // PyTorch returns before applying sciMode when there is nothing to measure
    if (finite.length === 0) return;
    let minAbs = Infinity, maxAbs = 0;
    for (const v of finite) {
      const a = Math.abs(v);
      if (a < minAbs) minAbs = a;
      if (a > maxAbs) maxAbs = a;
      if (v !== Math.ceil(v)) this.intMode = false;
    }
    const p = opts.precision;
    const wide = maxAbs / minAbs > 1000 || maxAbs > 1e8;
    if (wide || (!this.intMode && minAbs < 1e-4)) {
      this.sciMode = true;
      for (const v of finite) this.widen(formatExp(v, p).length);
    } else if (this.intMode) {
      // the trailing '.' of integer-valued floats counts too
      for (const v of finite) this.widen(formatFixed(v, 0).length + 1);
    } else {
      for (const v of finite) this.widen(formatFixed(v, p).length);
    }
    if (opts.sciMode !== undefined) this.sciMode = opts.sciMode;
  }

  private widen(len: number): void {
    if (len > this.maxWidth) this.maxWidth = len;
  }

  private plain(v: number): string {
    return this.kind === 'bool' ? (v ? 'True' : 'False') : String(v);
  }

  /** Width every formatted element is padded to. */
  width(): number {
    return this.maxWidth;
  }

  /** One element, right-aligned to `width()`. */
  format(v: number): string {
    let s: string;
    if (this.kind !== 'float') s = this.plain(v);
    else if (this.sciMode) s = formatExp(v, this.opts.precision);
    else if (this.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = formatFixed(v, this.opts.precision);
    return s.padStart(this.maxWidth, ' ');
  }
}
