// LearnableFakeQuantize: static estimation equals a separate observer's qparams and plain fake
// quantization with them; in learning mode scale and zero point receive gradients.
import { describe, expect, it } from 'vitest';
import { expectTensorClose } from '@qtorch/testing';
import { backward, fakeQuantizePerTensorAffine, fromValues, onesLike } from '@qtorch/qtensor';
import { LearnableFakeQuantize, MovingAverageMinMaxObserver, enableObserver, disableObserver } from '../src/index.js';

const data = Array.from({ length: 24 }, (_, i) => Math.fround(Math.sin(i * 1.3) * 3));

describe('LearnableFakeQuantize', () => {
  it('static estimate matches the observer and plain fake quantization', () => {
    const fq = new LearnableFakeQuantize({ observer: MovingAverageMinMaxObserver, quantMin: 0, quantMax: 255 });
    const x = fromValues(data, [4, 6]);
    const y = fq.forward(x);
    const ref = new MovingAverageMinMaxObserver({ quantMin: 0, quantMax: 255 });
    ref.forward(x);
    const [s, zp] = ref.calculateQparams();
    expect(fq.scale.item()).toBe(s.item());
    expect(fq.calculateQparams()[1].item()).toBe(zp.item());
    expectTensorClose(y, fakeQuantizePerTensorAffine(x, s.item(), zp.item(), 0, 255), { exact: true });
  });

  it('learns scale and zero point when learning is enabled', () => {
    const fq = new LearnableFakeQuantize({ observer: MovingAverageMinMaxObserver, quantMin: 0, quantMax: 255 });
    fq.forward(fromValues(data, [4, 6]));
    fq.enableParamLearning();
    const x = fromValues(data.map((v) => v * 2), [4, 6]).requiresGrad_();
    const y = fq.forward(x);
    backward(y, onesLike(y));
    expect(fq.scale.grad).not.toBeNull();
    expect(fq.zeroPoint.grad).not.toBeNull();
    // values beyond the old range are clamped: they push the scale up
    expect(fq.scale.grad!.item()).toBeGreaterThan(0);
  });

  it('module-tree helpers toggle the observer switch', () => {
    const fq = new LearnableFakeQuantize();
    fq.apply(disableObserver);
    fq.forward(fromValues(data, [24]));
    expect(fq.scale.item()).toBe(1);
    fq.apply(enableObserver);
    fq.forward(fromValues(data, [24]));
    expect(fq.scale.item()).not.toBe(1);
  });
});
