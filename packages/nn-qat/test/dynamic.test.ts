import { describe, expect, it } from 'vitest';
import { Linear as FloatLinear } from '@qtorch/nn';
import { manualSeed, randn } from '@qtorch/qtensor';
import { defaultDynamicQatQconfig, defaultQatQconfig } from '@qtorch/quantization';
import { Linear as QatLinear } from '../src/index.js';
import { Linear } from '../src/dynamic/index.js';
import { fakeQuantWeight, linearRef, maxAbsDiff } from './reference.js';

describe('qat dynamic Linear', () => {
  it('needs a memoryless activation observer (averaging constant 1)', () => {
    expect(() => new Linear(3, 2, { qconfig: defaultQatQconfig })).toThrow(/Dynamic QAT requires a memoryless observer/);
    const m = new Linear(3, 2, { qconfig: defaultDynamicQatQconfig });
    expect(m).toBeInstanceOf(QatLinear);
  });

  it('runs like the QAT Linear: x fq(W)^T + b', () => {
    manualSeed(50);
    const m = new Linear(6, 4, { qconfig: defaultDynamicQatQconfig });
    const x = randn([3, 6]);
    const ref = linearRef(x, fakeQuantWeight(m.weight, false).values, m.bias!.values(), 4);
    expect(maxAbsDiff(m.call(x).values(), ref)).toBeLessThan(1e-5);
  });

  it('fromFloat builds the dynamic class from a float Linear', () => {
    const float = Object.assign(new FloatLinear(3, 2), { qconfig: defaultDynamicQatQconfig });
    const m = Linear.fromFloat(float);
    expect(m.constructor).toBe(Linear);
    expect(m.weight).toBe(float.weight);
    expect(() => Linear.fromFloat(Object.assign(new FloatLinear(3, 2), { qconfig: defaultQatQconfig }))).toThrow(/memoryless/);
  });
});
