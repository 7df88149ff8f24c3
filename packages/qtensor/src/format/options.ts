/** Print options (PyTorch's `torch.set_printoptions`), read by the tensor formatter. */
import { QTorchValueError } from '../errors.js';
import { checkOptions } from '../args.js';

/** The formatter's settings. */
export interface PrintOptions {
  /** Digits after the decimal point (default 4). */
  precision: number;
  /** Element count above which a tensor is summarized with `...` (default 1000). */
  threshold: number;
  /** Items shown at each end of a summarized dim (default 3). */
  edgeitems: number;
  /** Characters per line before wrapping (default 80). */
  linewidth: number;
  /** Force scientific notation on (true) or off (false); `undefined` lets the formatter decide. */
  sciMode: boolean | undefined;
}

/** Arguments of `setPrintOptions`. */
export interface SetPrintOptions extends Partial<PrintOptions> {
  /** Start from a preset: `'default'`, `'short'` (precision 2, 2 edge items) or `'full'` (never summarize). */
  profile?: 'default' | 'short' | 'full';
}

const DEFAULTS: Readonly<PrintOptions> = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: undefined };
const PROFILES: Record<NonNullable<SetPrintOptions['profile']>, Omit<PrintOptions, 'sciMode'>> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
};

const current: PrintOptions = { ...DEFAULTS };

/**
 * Sets how tensors print. Options not given keep their value, except `sciMode`, which (as in
 * PyTorch) returns to automatic unless passed.
 *
 * @example
 * ```ts
 * setPrintOptions({ precision: 2 });
 * String(tensor([1.12345])); // 'tensor([1.12])'
 * setPrintOptions({ profile: 'default' });
 * ```
 */
export function setPrintOptions(opts: SetPrintOptions = {}): void {
  checkOptions(opts, 'setPrintOptions');
  const count = (name: keyof PrintOptions, v: number | undefined, allowInf = false): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0) && !(allowInf && v === Infinity)) {
      throw new QTorchValueError(`setPrintOptions(): ${name} must be a non-negative integer${allowInf ? ' or Infinity' : ''}, got ${v}`);
    }
  };
  count('precision', opts.precision);
  count('threshold', opts.threshold, true);
  count('edgeitems', opts.edgeitems);
  count('linewidth', opts.linewidth);
  if (opts.profile) Object.assign(current, PROFILES[opts.profile]);
  if (opts.precision !== undefined) current.precision = opts.precision;
  if (opts.threshold !== undefined) current.threshold = opts.threshold;
  if (opts.edgeitems !== undefined) current.edgeitems = opts.edgeitems;
  if (opts.linewidth !== undefined) current.linewidth = opts.linewidth;
  current.sciMode = opts.sciMode;
}

/** A copy of the current print options. */
export function getPrintOptions(): PrintOptions {
  return { ...current };
}
