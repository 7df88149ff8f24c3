import { describe, expect, it } from 'vitest';
import { Conv2d, Linear, Module } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { type Tensor, manualSeed, randn } from '@qtorch/qtensor';
import { expectTensorClose } from '@qtorch/testing';
import { loadGraphModule, saveGraphModule, symbolicTrace, torch } from '../src/index.js';

class Net extends Module {
  conv = new Conv2d(3, 4, 3, { padding: 1 });
  fc = new Linear(4 * 8 * 8, 10);
  forward(x: Tensor): Tensor {
    const y = F.relu(this.conv.call(x)).add(x.mean(1, { keepdim: true }));
    return this.fc.call(torch.flatten(y, 1));
  }
}

describe('README example', () => {
  it('traces, prints the documented code, and round-trips through a file', () => {
    manualSeed(15);
    const model = new Net().eval();
    const gm = symbolicTrace(model);
    expect(gm.code).toBe(
      [
        'forward(x) {',
        '  const conv = this.conv.call(x);',
        '  const relu = F.relu(conv);',
        '  const mean = x.mean(1, {keepdim: true});',
        '  const add = relu.add(mean);',
        '  const flatten = torch.flatten(add, 1);',
        '  const fc = this.fc.call(flatten);',
        '  return fc;',
        '}',
      ].join('\n'),
    );
    const x = randn([2, 3, 8, 8]);
    const eager = model.call(x);
    expectTensorClose(gm.call(x), eager, { exact: true });
    expectTensorClose(loadGraphModule(saveGraphModule(gm)).call(x), eager, { exact: true });
  });
});
