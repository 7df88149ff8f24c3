import { describe, expect, it } from 'vitest';
import { ProgressBar, etaMs, formatDuration, renderProgress } from '../src/progress.js';

describe('renderProgress', () => {
  it('shows bar, percent, steps, loss and a linear ETA', () => {
    // 5 of 20 steps in 2 s: 0.4 s per step, 15 steps left -> 6 s.
    const line = renderProgress({ label: 'train cnn', done: 5, total: 20, elapsedMs: 2000, loss: 0.123456 }, 8);
    expect(line).toBe('train cnn [##......]  25% 5/20 loss 0.1235 ETA 6.0s');
  });
  it('shows the elapsed time once done, and no loss when there is none', () => {
    expect(renderProgress({ label: 'calibrate', done: 4, total: 4, elapsedMs: 75_000 }, 4)).toBe('calibrate [####] 100% 4/4 in 1m15s');
  });
  it('has no ETA before the first step', () => {
    expect(Number.isNaN(etaMs({ done: 0, total: 3, elapsedMs: 10 }))).toBe(true);
    expect(renderProgress({ label: 'x', done: 0, total: 3, elapsedMs: 10 }, 3)).toBe('x [...]   0% 0/3 ETA ?');
  });
  it('formats durations', () => {
    expect([formatDuration(400), formatDuration(12_400), formatDuration(61_000)]).toEqual(['0.4s', '12s', '1m01s']);
  });
});

describe('ProgressBar', () => {
  const fakeClock = () => {
    let t = 0;
    return { now: () => t, advance: (ms: number) => { t += ms; } };
  };

  it('prints only the final line when not on a TTY', () => {
    const out: string[] = [];
    const clock = fakeClock();
    const bar = new ProgressBar('train', 3, { write: (s) => out.push(s), isTTY: false }, clock.now);
    for (const loss of [1, 0.5, 0.25]) { clock.advance(1000); bar.tick({ loss }); }
    bar.finish();
    expect(out).toEqual(['train [########################] 100% 3/3 loss 0.2500 in 3.0s\n']);
  });

  it('redraws in place on a TTY, at most every 100 ms, and ends the line', () => {
    const out: string[] = [];
    const clock = fakeClock();
    const bar = new ProgressBar('cal', 4, { write: (s) => out.push(s), isTTY: true, columns: 200 }, clock.now);
    clock.advance(150); bar.tick();   // drawn
    clock.advance(10); bar.tick();    // too soon: skipped
    clock.advance(150); bar.tick();   // drawn
    bar.finish();
    expect(out.length).toBe(3);
    expect(out[0]!.startsWith('\rcal [######..................]  25% 1/4 ETA')).toBe(true);
    expect(out[1]).toContain(' 3/4 ');
    expect(out[2]!.endsWith('\x1b[K\n')).toBe(true);
  });

  it('cuts lines to the terminal width', () => {
    const out: string[] = [];
    const bar = new ProgressBar('a-long-label', 1, { write: (s) => out.push(s), isTTY: true, columns: 20 }, () => 0);
    bar.finish();
    expect(out[0]).toBe('\ra-long-label [#####\x1b[K\n');
  });
});
