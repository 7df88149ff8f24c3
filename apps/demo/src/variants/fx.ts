/**
 * Post-training static quantization in FX graph mode: `prepareFx` traces the unchanged float
 * model, inserts observers and fuses by pattern; calibrate; `convertFx`. The FX toolchain is
 * loaded with a guarded dynamic import, so the demo runs (row "not available") in a build
 * that does not have it yet, and lights up as soon as `@qtorch/quantization/fx` exports
 * `prepareFx` / `convertFx`.
 */
import type { Engine } from '@qtorch/qtensor';
import { type Module, deepcopy } from '@qtorch/nn';
import * as quantization from '@qtorch/quantization';
import type { DemoCnn } from '../models.js';
import { calibrate, calibrateSkeleton } from './calibrate.js';
import { type Variant, type VariantContext, VariantUnavailable } from './types.js';

/** The part of PyTorch's FX quantization API the demo uses (camelCase names). */
interface FxApi {
  prepareFx(model: Module, qconfigMapping: unknown, options: { exampleInputs: unknown[] }): Module;
  convertFx(model: Module): Module;
  /** `get_default_qconfig_mapping(backend)` (in `quantization` or in `quantization/fx`). */
  getDefaultQconfigMapping(backend: string): unknown;
}

const FX_MODULE = '@qtorch/quantization/fx';

/** Loads the FX API, or throws VariantUnavailable saying what is missing. */
export async function loadFxApi(): Promise<FxApi> {
  let fx: Record<string, unknown>;
  try {
    // A literal specifier, so bundlers and the test runner's aliases can resolve it.
    fx = (await import('@qtorch/quantization/fx')) as Record<string, unknown>;
  } catch (e) {
    throw new VariantUnavailable(`${FX_MODULE} cannot be loaded (${(e as Error).message})`);
  }
  const main = quantization as unknown as Record<string, unknown>;
  const api = {
    prepareFx: fx.prepareFx,
    convertFx: fx.convertFx,
    getDefaultQconfigMapping: fx.getDefaultQconfigMapping ?? main.getDefaultQconfigMapping,
  };
  const missing = Object.entries(api).filter(([, f]) => typeof f !== 'function').map(([name]) => name);
  if (missing.length) throw new VariantUnavailable(`${FX_MODULE} has no ${missing.join(', ')} yet`);
  return api as FxApi;
}

async function fxQuantized(float: DemoCnn, ctx: VariantContext, engine: Engine, observe: (m: Module) => void): Promise<Module> {
  const fx = await loadFxApi();
  const example = [ctx.data.calib.images.narrow(0, 0, 1)];
  const prepared = fx.prepareFx(deepcopy(float).eval(), fx.getDefaultQconfigMapping(engine), { exampleInputs: example });
  observe(prepared);
  return fx.convertFx(prepared);
}

export const fxStaticVariant: Variant = {
  name: 'fx static',
  model: 'cnn',
  build: (ctx, engine) => fxQuantized(ctx.cnn, ctx, engine, (m) => calibrate(m, ctx, `calibrate fx/${engine}`)),
  skeleton: (ctx, engine) => fxQuantized(ctx.freshCnn(), ctx, engine, (m) => calibrateSkeleton(m, ctx.data.calib)),
};
