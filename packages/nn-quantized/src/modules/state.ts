/**
 * State-dict plumbing shared by the quantized modules, whose state is not only parameters and
 * buffers: `scale` / `zero_point` attributes and packed weights are written and read by hand,
 * as PyTorch's `_save_to_state_dict` / `_load_from_state_dict` overrides do.
 */
import { type LoadContext, type Module, type StateDict } from '@qtorch/nn';
import type { Tensor } from '@qtorch/qtensor';
import { loadQparams, saveQparams } from './utils.js';

/** A module with output qparams (`scale`, `zeroPoint`). */
export interface HasOutputQparams {
  scale: number;
  zeroPoint: number;
}

/** `sd` without `prefix + name` for each of `names` (so the base loader does not call them unexpected). */
export function withoutKeys(sd: StateDict, prefix: string, names: readonly string[]): StateDict {
  const out: StateDict = { ...sd };
  for (const n of names) delete out[prefix + n];
  return out;
}

/** Saves `scale` / `zero_point` after the module's own state. */
export function saveOutputQparams(m: HasOutputQparams, dest: StateDict, prefix: string): void {
  saveQparams(dest, prefix, m.scale, m.zeroPoint);
}

/** Loads `scale` / `zero_point` into `m`; returns the state dict without them. */
export function loadOutputQparams(m: HasOutputQparams, sd: StateDict, prefix: string, ctx: LoadContext): StateDict {
  const qp = loadQparams(sd, prefix, ctx);
  if (qp) [m.scale, m.zeroPoint] = qp;
  return withoutKeys(sd, prefix, ['scale', 'zero_point']);
}

/** Reads a required tensor entry (recording a missing key). */
export function requireTensor(sd: StateDict, key: string, ctx: LoadContext): Tensor | undefined {
  const t = sd[key];
  if (t === undefined) ctx.missingKeys.push(key);
  return t;
}

/** Reports unexpected keys directly under `prefix` other than `own` (children excepted). */
export function reportUnexpected(m: Module, sd: StateDict, prefix: string, ctx: LoadContext, own: readonly string[]): void {
  m._unexpectedKeysUnder(sd, prefix, ctx, new Set(own));
}
