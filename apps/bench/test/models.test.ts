import { randn, withEngine } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import { ARCHS, archOps } from '../src/models/arch.js';
import { floatModel, quantizedModel } from '../src/models/build.js';

describe('models', () => {
  it('counts the multiply-adds of the architectures by hand', () => {
    // ResNet-like on 16x16: stem 3->16 s2 (8x8): 16*64*27; maxpool -> 4x4; basic 16->16: 2 x 16*16*16*9;
    // basic 16->32 s2 (2x2): 32*4*16*9 + 32*4*32*9 + proj 32*4*16; basic 32->64 s2 (1x1): 64*32*9 + 64*64*9 + proj 64*32; fc 64*10
    const macs = 16 * 64 * 27 + 2 * 16 * 16 * 16 * 9 + (32 * 4 * 16 * 9 + 32 * 4 * 32 * 9 + 32 * 4 * 16) + (64 * 32 * 9 + 64 * 64 * 9 + 64 * 32) + 64 * 10;
    expect(archOps(ARCHS.resnet, 16)).toBe(2 * macs);
  });

  for (const name of ['resnet', 'mobilenetv2'] as const) {
    it(`${name}: the int8 model (per engine) tracks the float model it was quantized from`, () => {
      const arch = ARCHS[name];
      const float = floatModel(arch);
      const x = randn([1, 3, 16, 16]);
      const want = Array.from(float.call(x).values());
      for (const engine of ['fbgemm', 'qnnpack'] as const) {
        const q = quantizedModel(float, engine, [x, randn([1, 3, 16, 16])]);
        const got = Array.from(withEngine(engine, () => q.call(x)).values());
        expect(got).toHaveLength(arch.classes);
        const scale = Math.max(...want.map(Math.abs));
        const err = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)));
        expect(err).toBeLessThan(0.25 * scale); // 8-bit activations through ~10 layers
      }
    });
  }
});
