// PercentileObserver / EntropyObserver on synthetic data with outliers: the chosen range must
// exclude the outliers and the qparams must be valid.
import { describe, expect, it } from 'vitest';
import { fromValues } from '@qtorch/qtensor';
import { EntropyObserver, MinMaxObserver, PercentileObserver, entropyThresholdBin } from '../src/index.js';

/** Deterministic pseudo-normal data (sum of 4 LCG uniforms) plus two huge outliers. */
function dataWithOutliers(n: number): Float32Array {
  let s = 12345;
  const u = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (u() + u() + u() + u() - 2) * 1.7;
  v[0] = 100;
  v[1] = -80;
  return v;
}

describe('calibration observers', () => {
  const x = fromValues(dataWithOutliers(20000), [200, 100]);
  for (const make of [() => new PercentileObserver({ percentile: 99.9 }), () => new EntropyObserver()]) {
    it(`${make().constructor.name} clips the outliers`, () => {
      const obs = make();
      obs.forward(x);
      const [s, zp] = obs.calculateQparams();
      const scale = s.item(), z = zp.item();
      expect(Number.isInteger(z) && z >= 0 && z <= 255).toBe(true);
      const lo = (0 - z) * scale, hi = (255 - z) * scale;
      // covers the bulk (|x| < 3.4 by construction) but not the outliers 100 / -80
      expect(hi).toBeGreaterThan(1.5);
      expect(hi).toBeLessThan(20);
      expect(lo).toBeLessThan(-1.5);
      expect(lo).toBeGreaterThan(-20);
      const mm = new MinMaxObserver();
      mm.forward(x);
      expect(scale).toBeLessThan(mm.calculateQparams()[0].item() / 4);
    });
  }

  it('entropy threshold keeps the whole range of a flat histogram', () => {
    expect(entropyThresholdBin(new Array(512).fill(10), 128)).toBe(512);
  });

  it('rejects a percentile outside (50, 100]', () => {
    expect(() => new PercentileObserver({ percentile: 20 })).toThrow(/percentile/);
  });
});
