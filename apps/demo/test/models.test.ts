import { describe, expect, it } from 'vitest';
import { noGrad, randn } from '@qtorch/qtensor';
import { BatchNorm2d, Conv2d, Linear, ReLU } from '@qtorch/nn';
import { CNN_FUSION_GROUPS, DemoCnn, DemoMlp } from '../src/models.js';

describe('DemoCnn', () => {
  it('maps [N, 1, 28, 28] images to [N, 10] logits', () => {
    const m = new DemoCnn({ channels: 4, hidden: 16 }).eval();
    expect(noGrad(() => m.call(randn([3, 1, 28, 28]))).shape).toEqual([3, 10]);
    // fc1 sees 2 * channels maps of 7 x 7 after two 2x2 poolings.
    expect(m.fc1.inFeatures).toBe(2 * 4 * 7 * 7);
  });
  it('names fusion groups that exist, as conv-bn(-relu) and linear-relu in order', () => {
    const m = new DemoCnn();
    for (const group of CNN_FUSION_GROUPS) {
      const mods = group.map((name) => m.getSubmodule(name));
      expect(mods[0] instanceof Conv2d || mods[0] instanceof Linear, group.join()).toBe(true);
      if (mods[0] instanceof Conv2d) expect(mods[1]).toBeInstanceOf(BatchNorm2d);
      if (mods.length === 3 || mods[0] instanceof Linear) expect(mods.at(-1)).toBeInstanceOf(ReLU);
    }
  });
  it('adds the skip connection: with conv2 and bn2 giving zero, the block is relu(x)', () => {
    const m = new DemoCnn({ channels: 2, hidden: 4 }).eval();
    noGrad(() => {
      m.block.bn2.weight!.data.fill(0);
      m.block.bn2.bias!.data.fill(0);
    });
    const x = randn([1, 2, 14, 14]);
    const y = noGrad(() => m.block.call(x)).toArray();
    expect(y).toEqual(x.toArray().map((v) => Math.max(0, v)));
  });
});

describe('DemoMlp', () => {
  it('flattens images and maps them to 10 logits', () => {
    expect(noGrad(() => new DemoMlp(8).call(randn([2, 1, 28, 28]))).shape).toEqual([2, 10]);
  });
});
