import { describe, expect, it } from 'vitest';
import { FULL_PRESET, QUICK_PRESET, UsageError, parseArgs } from '../src/cli.js';

describe('parseArgs', () => {
  it('defaults: both engines, the full preset, no fashion', () => {
    expect(parseArgs([], '/o')).toEqual({
      quick: false, engines: ['fbgemm', 'qnnpack'], epochs: FULL_PRESET.epochs, fashion: false, seed: 0, outDir: '/o', retrain: false, trainOnly: false,
    });
  });
  it('reads every flag, with separate or inline values', () => {
    expect(parseArgs(['--quick', '--engine', 'qnnpack', '--epochs=3', '--fashion', '--seed', '5', '--out', 'x', '--retrain', '--train-only'], '/o')).toEqual({
      quick: true, engines: ['qnnpack'], epochs: 3, fashion: true, seed: 5, outDir: 'x', retrain: true, trainOnly: true,
    });
    expect((parseArgs(['--quick'], '/o') as { epochs: number }).epochs).toBe(QUICK_PRESET.epochs);
    expect((parseArgs(['--engine=both'], '/o') as { engines: string[] }).engines).toEqual(['fbgemm', 'qnnpack']);
    expect(parseArgs(['--help'], '/o')).toEqual({ help: true });
  });
  it('rejects bad values and unknown flags with a UsageError naming them', () => {
    expect(() => parseArgs(['--engine', 'onednn'], '/o')).toThrow(UsageError);
    expect(() => parseArgs(['--engine', 'onednn'], '/o')).toThrow(/fbgemm, qnnpack or both, got 'onednn'/);
    expect(() => parseArgs(['--epochs', '0'], '/o')).toThrow(/--epochs expects a positive integer, got '0'/);
    expect(() => parseArgs(['--epochs'], '/o')).toThrow(/got nothing/);
    expect(() => parseArgs(['--fast'], '/o')).toThrow(/unknown argument '--fast'/);
  });
});
