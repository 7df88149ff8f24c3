import { getKernel, kernelSource, registerKernel, unregisterKernel } from '@qtorch/qtensor';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAddons } from '../src/addons.js';
import { variantsOf, withVariant } from '../src/variants.js';

// A probe op registered only for this test: its native kernel exists for fbgemm alone.
const OP = 'bench_test::probe';
const impl = (tag: string) => () => tag;
registerKernel({ op: OP, engine: 'fbgemm', source: 'reference', impl: impl('ref-fbgemm') });
registerKernel({ op: OP, engine: 'fbgemm', source: 'native', impl: impl('native-fbgemm') });
registerKernel({ op: OP, engine: 'qnnpack', source: 'reference', impl: impl('ref-qnnpack') });
afterAll(() => {
  unregisterKernel(OP, 'fbgemm', 'reference');
  unregisterKernel(OP, 'fbgemm', 'native');
  unregisterKernel(OP, 'qnnpack', 'reference');
});

describe('variants', () => {
  it('lists native only where a native kernel is registered, reference everywhere', () => {
    expect(variantsOf(OP)).toEqual([
      { impl: 'qtorch-native', engine: 'fbgemm' },
      { impl: 'qtorch-reference', engine: 'fbgemm' },
      { impl: 'qtorch-reference', engine: 'qnnpack' },
    ]);
    expect(variantsOf('bench_test::unregistered')).toEqual([]);
  });

  it('withVariant routes the registry to that engine and source, and restores it', () => {
    const call = () => (getKernel(OP) as () => string)();
    expect(withVariant({ impl: 'qtorch-native', engine: 'fbgemm' }, call)).toBe('native-fbgemm');
    expect(withVariant({ impl: 'qtorch-reference', engine: 'fbgemm' }, call)).toBe('ref-fbgemm');
    expect(withVariant({ impl: 'qtorch-reference', engine: 'qnnpack' }, call)).toBe('ref-qnnpack');
    expect(withVariant({ impl: 'qtorch-reference', engine: 'fbgemm' }, () => kernelSource(OP, 'fbgemm'))).toBe('reference');
    expect(kernelSource(OP, 'fbgemm')).toBe('native'); // native switched back on afterwards
  });

  it('every quantized op the suites time has a variant per engine', async () => {
    await loadAddons();
    for (const op of ['quantized::linear', 'quantized::conv2d', 'quantized::linear_dynamic']) {
      const v = variantsOf(op);
      expect(v.filter((x) => x.impl === 'qtorch-reference').map((x) => x.engine)).toEqual(['fbgemm', 'qnnpack']);
    }
  });

  it('loadAddons reports each addon package without throwing', async () => {
    const status = await loadAddons();
    expect(status.map((s) => s.pkg)).toEqual(['@qtorch/kernels-fbgemm', '@qtorch/kernels-qnnpack']);
    for (const s of status) expect(s.line).toContain(s.pkg);
  });
});
