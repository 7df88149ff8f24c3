import { Generator, arange, fromValues, int64 } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import { DataLoader, TensorDataset, randperm } from '../src/data/index.js';
import { vals } from './helpers.js';

describe('TensorDataset', () => {
  it('returns the i-th rows of every tensor and checks sizes', () => {
    const x = arange(0, 12).view(6, 2), y = fromValues([0, 1, 0, 1, 1, 0], [6], int64);
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(6);
    const [xi, yi] = ds.get(2);
    expect(vals(xi!)).toEqual([4, 5]);
    expect(yi!.item()).toBe(0);
    expect(vals(ds.get(-1)[0]!)).toEqual([10, 11]);
    expect(() => ds.get(6)).toThrow(/out of range/);
    expect(() => new TensorDataset(x, fromValues([1, 2], [2]))).toThrow(/Size mismatch/);
  });
});

describe('DataLoader', () => {
  const x = arange(0, 10).view(10, 1), y = arange(100, 110);
  const ds = new TensorDataset(x, y);

  it('batches in order, with a short last batch unless dropLast', () => {
    const batches = [...new DataLoader(ds, { batchSize: 4 })];
    expect(batches.map(([bx]) => bx!.shape)).toEqual([[4, 1], [4, 1], [2, 1]]);
    expect(vals(batches[2]![1]!)).toEqual([108, 109]);
    expect(new DataLoader(ds, { batchSize: 4 }).length).toBe(3);
    const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect([...dropped].length).toBe(2);
  });

  it('shuffles reproducibly from a seeded generator, a new order every epoch, covering every sample once', () => {
    const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(42) });
    const epoch = () => [...loader].flatMap(([bx, by]) => {
      expect(vals(by!)).toEqual(vals(bx!).map((v) => v + 100)); // rows stay paired
      return vals(bx!);
    });
    const e1 = epoch(), e2 = epoch();
    expect([...e1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e2);
    const again = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(42) });
    expect([...again].flatMap(([bx]) => vals(bx!))).toEqual(e1);
  });

  it('randperm is a permutation and accepts a custom collate', () => {
    expect([...randperm(20, new Generator(1))].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const sums = [...new DataLoader(ds, { batchSize: 5, collateFn: (s) => s.reduce((a, [xi]) => a + xi!.item(), 0) })];
    expect(sums).toEqual([10, 35]);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batch_size/);
  });
});
