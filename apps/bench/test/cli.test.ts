import { describe, expect, it } from 'vitest';
import { CliError, parseCli } from '../src/cli.js';
import { DEFAULT_TIMING, QUICK_TIMING } from '../src/harness.js';
import { SUITES } from '../src/suites/index.js';

describe('cli', () => {
  it('defaults: every suite, threads 1 and 2, every peer', () => {
    const o = parseCli([]);
    expect(o.suites.map((s) => s.name)).toEqual(SUITES.map((s) => s.name));
    expect(o.threads).toEqual([1, 2]);
    expect(o.peers.map((p) => p.name)).toEqual(['torch', 'onnxruntime']);
    expect(o.timing).toBe(DEFAULT_TIMING);
    expect(o.json).toBeNull();
    expect(o.caseFilter).toBeNull();
  });

  it('filters suites, threads and peers', () => {
    const o = parseCli(['--suite', 'conv,linear', '--threads', '2,1,2', '--peers', 'none', '--quick', '--json', 'out.json']);
    expect(o.suites.map((s) => s.name)).toEqual(['linear', 'conv']); // run order, not argument order
    expect(o.threads).toEqual([2, 1]);
    expect(o.peers).toEqual([]);
    expect(o.timing).toBe(QUICK_TIMING);
    expect(o.json).toBe('out.json');
    expect(parseCli(['--peers', 'onnxruntime']).peers.map((p) => p.name)).toEqual(['onnxruntime']);
    expect(parseCli(['--', '--json', 'f.json']).json).toBe('f.json'); // pnpm run's separator
    expect(parseCli(['--case', '4096']).caseFilter).toBe('4096');
  });

  it('rejects unknown suites, peers, bad thread counts and unknown flags', () => {
    expect(() => parseCli(['--suite', 'linear,nope'])).toThrow(/unknown suite\(s\) nope; known: peak, linear/);
    expect(() => parseCli(['--peers', 'tf'])).toThrow(CliError);
    expect(() => parseCli(['--threads', '0'])).toThrow(/--threads expects positive integers/);
    expect(() => parseCli(['--threads', 'x'])).toThrow(CliError);
    expect(() => parseCli(['--frobnicate'])).toThrow(CliError);
  });
});
