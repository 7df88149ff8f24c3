// The default module mappings against PyTorch 1.13's (golden qconfig/module_mappings.json).
// Each PyTorch class is resolved to ours by namespace; entries whose classes this port does not
// have are listed explicitly, so the list can only shrink.
import { describe, expect, it } from 'vitest';
import * as nn from '@qtorch/nn';
import * as nni from '@qtorch/nn-intrinsic';
import * as nniqat from '@qtorch/nn-intrinsic/qat';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import * as nniqd from '@qtorch/nn-intrinsic/quantized/dynamic';
import * as nnqat from '@qtorch/nn-qat';
import * as nnqatd from '@qtorch/nn-qat/dynamic';
import * as nnq from '@qtorch/nn-quantized';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import { loadGolden } from '../../../tools/testing/src/index.js';
import * as stubs from '../src/eager/stubs.js';
import {
  getDefaultDynamicQuantModuleMappings, getDefaultQatModuleMappings, getDefaultQconfigPropagationList,
  getDefaultStaticQuantModuleMappings,
} from '../src/eager/mappings.js';

const NAMESPACES: Array<[RegExp, Record<string, unknown>]> = [
  [/^torch\.ao\.quantization\.stubs$/, stubs],
  [/^torch\.nn\.modules\./, nn],
  [/^torch\.ao\.nn\.intrinsic\.modules\.fused$/, nni],
  [/^torch\.nn\.intrinsic\.qat\./, nniqat],
  [/^torch\.nn\.intrinsic\.quantized\.dynamic\./, nniqd],
  [/^torch\.nn\.intrinsic\.quantized\.modules\./, nniq],
  [/^torch\.ao\.nn\.qat\.dynamic\./, nnqatd],
  [/^torch\.ao\.nn\.qat\.modules\./, nnqat],
  [/^torch\.ao\.nn\.quantized\.dynamic\./, nnqd],
  [/^torch\.ao\.nn\.quantized\.modules/, nnq],
];

function resolve(qualified: string): unknown {
  const dot = qualified.lastIndexOf('.');
  const [mod, name] = [qualified.slice(0, dot), qualified.slice(dot + 1)];
  const ns = NAMESPACES.find(([re]) => re.test(mod));
  return ns ? ns[1][name] : undefined;
}

/** PyTorch classes with no counterpart here yet (quantizable LSTM/MHA, quantized PReLU, ConvTranspose3d...). */
function unported(pairs: Array<[string, string]>): string[] {
  return pairs.filter(([a, b]) => !resolve(a) || !resolve(b)).map(([a, b]) => `${a} -> ${b}`);
}

const golden = (name: string) => loadGolden('qconfig/module_mappings.json').cases.find((c) => c.name === name)!.expected;

describe('default module mappings (golden)', () => {
  const tables: Array<[string, () => Map<unknown, unknown>]> = [
    ['get_default_static_quant_module_mappings', getDefaultStaticQuantModuleMappings],
    ['get_default_qat_module_mappings', getDefaultQatModuleMappings],
    ['get_default_dynamic_quant_module_mappings', getDefaultDynamicQuantModuleMappings],
  ];
  for (const [name, get] of tables) {
    it(`${name}: every ported PyTorch entry is present, and nothing else`, () => {
      const pairs = golden(name).mapping as Array<[string, string]>;
      const ported = pairs.filter(([a, b]) => resolve(a) && resolve(b));
      const ours = get();
      for (const [a, b] of ported) expect(ours.get(resolve(a)), `${a} -> ${b}`).toBe(resolve(b));
      expect(ours.size).toBe(new Set(ported.map(([a]) => resolve(a))).size);
      // What is left out is reported, and stays a minority.
      expect(unported(pairs).length).toBeLessThan(pairs.length / 3);
    });
  }

  it('get_default_qconfig_propagation_list covers every ported class', () => {
    const list = golden('get_default_qconfig_propagation_list').list as string[];
    const ours = getDefaultQconfigPropagationList();
    // A class is propagated when some mapping can swap it; classes whose every target is unported are not.
    const allPairs = ['get_default_static_quant_module_mappings', 'get_default_qat_module_mappings', 'get_default_dynamic_quant_module_mappings']
      .flatMap((n) => golden(n).mapping as Array<[string, string]>);
    const swappable = (q: string) => allPairs.some(([a, b]) => a === q && resolve(b));
    for (const q of list) {
      const cls = resolve(q);
      if (cls && (swappable(q) || q.endsWith('.Sequential'))) expect(ours.has(cls as never), q).toBe(true);
    }
    expect(list.filter((q) => resolve(q) && !swappable(q) && !q.endsWith('.Sequential'))).toEqual(['torch.nn.modules.activation.PReLU']);
  });
});
