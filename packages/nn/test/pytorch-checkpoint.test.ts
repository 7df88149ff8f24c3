// A model defined in TypeScript loads a state dict that PyTorch 1.13 wrote with torch.save
// (tools/golden/serialize/state_dict.pt: Conv2d + BatchNorm2d + Linear after two training steps).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Tensor, loadTorchFile, randn } from '@qtorch/qtensor';
import { BatchNorm2d, Conv2d, Linear, Module, type StateDict } from '../src/index.js';

class Net extends Module {
  conv = new Conv2d(2, 3, 3);
  bn = new BatchNorm2d(3);
  fc = new Linear(12, 4);
  forward(x: Tensor): Tensor {
    return this.fc.call(this.bn.call(this.conv.call(x)).flatten(1));
  }
}

const file = join(dirname(fileURLToPath(import.meta.url)), '../../../tools/golden/serialize/state_dict.pt');

describe('PyTorch checkpoint -> TypeScript model', () => {
  it('loads strictly, with every parameter and buffer equal to the file', () => {
    const sd = loadTorchFile(readFileSync(file)) as unknown as StateDict;
    const net = new Net();
    expect(net.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const ours = net.stateDict();
    expect(Object.keys(ours)).toEqual(Object.keys(sd));
    for (const [k, v] of Object.entries(sd)) {
      expect(ours[k]!.dtype, k).toBe(v.dtype);
      expect(ours[k]!.toArray(), k).toEqual(v.toArray());
    }
    expect(net.bn.num_batches_tracked!.item()).toBe(2);
    const y = net.eval().call(randn([1, 2, 4, 4]));
    expect(y.shape).toEqual([1, 4]);
  });
});
