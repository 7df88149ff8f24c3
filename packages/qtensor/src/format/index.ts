/**
 * Tensor printing: `String(t)`, template literals and `console.log` / `util.inspect` all give
 * PyTorch's repr (see tensor_str.ts). `setPrintOptions` tunes it.
 */
import { Tensor } from '../tensor.js';
import { tensorRepr } from './tensor_str.js';

export { setPrintOptions, getPrintOptions, type PrintOptions, type SetPrintOptions } from './options.js';
export { tensorRepr } from './tensor_str.js';

/** Node's `util.inspect.custom` symbol, obtained without importing `node:util`. */
const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

Tensor.prototype.toString = function (this: Tensor): string {
  return tensorRepr(this);
};
Object.defineProperty(Tensor.prototype, inspectCustom, {
  configurable: true,
  writable: true,
  value: function (this: Tensor): string {
    return tensorRepr(this);
  },
});
