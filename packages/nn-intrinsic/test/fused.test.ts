import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, Conv1d, Conv2d, Conv3d, LeakyReLU, Linear, Module, ReLU, Sequential, Tanh,
} from '@qtorch/nn';
import { QTorchTypeError, add, manualSeed, randn } from '@qtorch/qtensor';
import * as nni from '../src/index.js';
import { maxAbsDiff } from '../../nn-qat/test/reference.js';

describe('float fused modules', () => {
  it('are Sequentials running their modules in order', () => {
    manualSeed(1);
    const conv = new Conv2d(3, 4, 3);
    const bn = new BatchNorm2d(4).eval();
    const fused = new nni.ConvBnReLU2d(conv, bn, new ReLU());
    expect(fused).toBeInstanceOf(Sequential);
    expect(fused).toBeInstanceOf(nni._FusedModule);
    expect(nni.isFusedModule(fused)).toBe(true);
    expect(nni.isFusedModule(conv)).toBe(false);
    const x = randn([2, 3, 5, 5]);
    const want = bn.call(conv.call(x)).relu();
    expect(maxAbsDiff(fused.call(x).values(), want.values())).toBe(0);
  });

  it('check the exact classes of their modules, as PyTorch does', () => {
    const good: Array<[string, () => Module]> = [
      ['ConvReLU1d', () => new nni.ConvReLU1d(new Conv1d(1, 1, 1), new ReLU())],
      ['ConvReLU2d', () => new nni.ConvReLU2d(new Conv2d(1, 1, 1), new ReLU())],
      ['ConvReLU3d', () => new nni.ConvReLU3d(new Conv3d(1, 1, 1), new ReLU())],
      ['LinearReLU', () => new nni.LinearReLU(new Linear(1, 1), new ReLU())],
      ['ConvBn1d', () => new nni.ConvBn1d(new Conv1d(1, 1, 1), new BatchNorm1d(1))],
      ['ConvBn2d', () => new nni.ConvBn2d(new Conv2d(1, 1, 1), new BatchNorm2d(1))],
      ['ConvBn3d', () => new nni.ConvBn3d(new Conv3d(1, 1, 1), new BatchNorm3d(1))],
      ['ConvBnReLU1d', () => new nni.ConvBnReLU1d(new Conv1d(1, 1, 1), new BatchNorm1d(1), new ReLU())],
      ['ConvBnReLU3d', () => new nni.ConvBnReLU3d(new Conv3d(1, 1, 1), new BatchNorm3d(1), new ReLU())],
      ['BNReLU2d', () => new nni.BNReLU2d(new BatchNorm2d(1), new ReLU())],
      ['BNReLU3d', () => new nni.BNReLU3d(new BatchNorm3d(1), new ReLU())],
      ['LinearBn1d', () => new nni.LinearBn1d(new Linear(1, 1), new BatchNorm1d(1))],
      ['LinearLeakyReLU', () => new nni.LinearLeakyReLU(new Linear(1, 1), new LeakyReLU())],
      ['LinearTanh', () => new nni.LinearTanh(new Linear(1, 1), new Tanh())],
    ];
    for (const [name, make] of good) expect(make().constructor.name).toBe(name);
    // wrong spatial rank, wrong order, and a subclass of the expected class are all refused
    expect(() => new nni.ConvReLU2d(new Conv1d(1, 1, 1) as never, new ReLU())).toThrow(QTorchTypeError);
    expect(() => new nni.ConvBn2d(new BatchNorm2d(1) as never, new Conv2d(1, 1, 1) as never)).toThrow(/Incorrect types for input modules/);
    class MyConv extends Conv2d {}
    expect(() => new nni.ConvReLU2d(new MyConv(1, 1, 1), new ReLU())).toThrow(/expected \(Conv2d, ReLU\), got \(MyConv, ReLU\)/);
  });

  it('have PyTorch reprs and state-dict keys', () => {
    const fused = new nni.ConvBnReLU2d(new Conv2d(3, 4, 3), new BatchNorm2d(4), new ReLU());
    expect(fused.toString()).toBe([
      'ConvBnReLU2d(',
      '  (0): Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1))',
      '  (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
      '  (2): ReLU()',
      ')',
    ].join('\n'));
    expect(Object.keys(fused.stateDict())).toEqual([
      '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked',
    ]);
  });

  it('ConvAdd2d / ConvAddReLU2d add a second input to the conv output', () => {
    manualSeed(2);
    const conv = new Conv2d(2, 3, 3, { padding: 1 });
    const x1 = randn([1, 2, 4, 4]);
    const x2 = randn([1, 3, 4, 4]);
    const sum = conv.call(x1).add(x2);
    expect(maxAbsDiff(new nni.ConvAdd2d(conv, add).call(x1, x2).values(), sum.values())).toBe(0);
    const fusedRelu = new nni.ConvAddReLU2d(conv, add, new ReLU());
    expect(maxAbsDiff(fusedRelu.call(x1, x2).values(), sum.relu().values())).toBe(0);
    expect(Object.keys(fusedRelu.stateDict())).toEqual(['0.weight', '0.bias']);
    expect(() => new nni.ConvAdd2d(conv, add).call(x1)).toThrow(/expected two inputs/);
  });
});
