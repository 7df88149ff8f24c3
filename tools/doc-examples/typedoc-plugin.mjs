// Names each documented module after its import specifier: TypeDoc would show the source
// path (`nn-quantized/src/dynamic`); a reader imports `@qtorch/nn-quantized/dynamic`.
// Also documents exports destructured from a typed object (`export const { qlinear, sgemm } =
// api`, the kernel packages' API): TypeDoc ignores comments there, so each such variable gets
// the comment of the property it comes from (`KernelsApi.qlinear`).
import ts from 'typescript';
import { Converter, ReflectionKind } from 'typedoc';
import { packageEntryPoints } from './typedoc.config.mjs';

/** @param {import('typedoc').Application} app */
export function load(app) {
  const bySource = new Map(packageEntryPoints().map(([spec, file]) => [file.split('\\').join('/'), spec]));
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (reflection.kindOf(ReflectionKind.Variable)) return commentFromDestructuredProperty(context, reflection);
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    // From the module's symbol, not `reflection.sources` (empty with `disableSources`).
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    const spec = file && bySource.get(file.split('\\').join('/'));
    if (spec) reflection.name = spec;
  });
}

/**
 * `export const { a } = obj`: gives the variable `a` the doc comment of `obj`'s property `a`.
 * @param {import('typedoc').Context} context
 * @param {import('typedoc').DeclarationReflection} reflection
 */
function commentFromDestructuredProperty(context, reflection) {
  if (reflection.comment) return;
  const declaration = context.getSymbolFromReflection(reflection)?.declarations?.[0];
  if (!declaration || !ts.isBindingElement(declaration) || !ts.isObjectBindingPattern(declaration.parent)) return;
  const variable = declaration.parent.parent;
  if (!ts.isVariableDeclaration(variable) || !variable.initializer) return;
  const name = (declaration.propertyName ?? declaration.name).getText();
  const property = context.checker.getTypeAtLocation(variable.initializer).getProperty(name);
  const source = property?.declarations?.[0];
  if (!property || !source) return;
  const comment = ts.isMethodSignature(source) || ts.isMethodDeclaration(source)
    ? context.getSignatureComment(source)
    : context.getComment(property, ReflectionKind.Property);
  if (comment) reflection.comment = comment;
}
