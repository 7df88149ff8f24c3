import { describe, expect, it } from 'vitest';
import { median, medianLatencyMs } from '../src/measure.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(() => median([])).toThrow(/at least one value/);
  });
});

describe('medianLatencyMs', () => {
  it('warms up once, then times runs until the budget is spent (at least minRuns)', () => {
    // Each call advances the fake clock by the next duration; the first call is the warm-up.
    const durations = [100, 7, 5, 9, 6, 8, 50];
    let t = 0, calls = 0;
    const fn = () => { t += durations[calls++]!; };
    const ms = medianLatencyMs(fn, { minRuns: 3, maxRuns: 10, budgetMs: 20, now: () => t });
    // Timed: 7, 5, 9 (spent 21 >= 20 after 3 runs) -> median 7; the 100 ms warm-up is ignored.
    expect(calls).toBe(4);
    expect(ms).toBe(7);
  });
  it('stops at maxRuns', () => {
    let t = 0, calls = 0;
    const ms = medianLatencyMs(() => { t += 1; calls++; }, { minRuns: 1, maxRuns: 4, budgetMs: 1e9, now: () => t });
    expect(calls).toBe(5);
    expect(ms).toBe(1);
  });
});
