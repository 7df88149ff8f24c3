/** Channel index of each row-major element of a per-channel quantized tensor. */
import { shapeNumel } from '../shape.js';

/** Calls `fn(i, c)` for every row-major element index `i` with its channel `c` along `axis`. */
export function forEachChannel(shape: readonly number[], axis: number, fn: (i: number, c: number) => void): void {
  const channels = shape[axis]!;
  const inner = shapeNumel(shape.slice(axis + 1));
  const outer = shapeNumel(shape.slice(0, axis));
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      for (let e = 0; e < inner; e++) fn(i++, c);
    }
  }
}
