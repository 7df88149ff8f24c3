/** The default candidates of the sensitivity analysis: the layers eager `prepare` would quantize. */
import { type Module, typeOf } from '@qtorch/nn';
import { DeQuantStub, QuantStub, getDefaultStaticQuantModuleMappings, isDropout, isFloatFunctional, isFusedModule } from '@qtorch/quantization';

/**
 * Paths of the modules a static quantization would swap: fused modules (as one unit),
 * FloatFunctionals, and leaf modules with a quantized counterpart; stubs and dropout excluded.
 * @example quantizableLayers(model) // ['conv1', 'conv2', 'skip_add', 'fc']
 */
export function quantizableLayers(model: Module): string[] {
  const mapping = getDefaultStaticQuantModuleMappings();
  const out: string[] = [];
  for (const [name, m] of model.namedModules()) {
    if (name === '' || out.some((p) => name.startsWith(`${p}.`))) continue;
    if (m instanceof QuantStub || m instanceof DeQuantStub || isDropout(m)) continue;
    const leaf = m.children().length === 0;
    if (isFusedModule(m) || isFloatFunctional(m) || (leaf && mapping.has(typeOf(m)))) out.push(name);
  }
  return out;
}
