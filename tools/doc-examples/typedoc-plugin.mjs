// Names each documented module after its import specifier: TypeDoc would show the source
// path (`nn-quantized/src/dynamic`); a reader imports `@qtorch/nn-quantized/dynamic`.
import { Converter, ReflectionKind } from 'typedoc';
import { packageEntryPoints } from './typedoc.config.mjs';

/** @param {import('typedoc').Application} app */
export function load(app) {
  const bySource = new Map(packageEntryPoints().map(([spec, file]) => [file.split('\\').join('/'), spec]));
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    // From the module's symbol, not `reflection.sources` (empty with `disableSources`).
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    const spec = file && bySource.get(file.split('\\').join('/'));
    if (spec) reflection.name = spec;
  });
}
