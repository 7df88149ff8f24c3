// Memory (issue #15): repeated inference of a small quantized model and create/destroy cycles of
// packed weights (qtensor's and the native fbgemm addon's, whose handles are freed by finalizers)
// must not grow the process's memory without bound. RSS is read after a forced GC, after a warmup
// as long as the measured run: the allocator keeps freed native blocks for reuse, so RSS climbs
// during the first round of native packing (~65 MiB here) and then stays flat; a leak keeps
// climbing. The bounds are loose (tens of MiB where a leak of these sizes would add hundreds).
// QTORCH_MEMORY_SCALE multiplies the iteration counts (tools/scripts/memory-check.sh uses 10).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { linearPrepack, manualSeed, qint8, quantizePerTensor, quint8, randn } from '@qtorch/qtensor';
import * as nnq from '@qtorch/nn-quantized';
import { backendInfo, packWeights } from '@qtorch/kernels-fbgemm';
import { buildQuantizedMlp, forward } from '../src/model.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const SCALE = Number(process.env.QTORCH_MEMORY_SCALE ?? 1);
const MiB = 1024 * 1024;

/** RSS after collecting garbage (twice: finalizers run between the passes). */
async function settledRss(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().rss;
}

/** RSS growth over `iterations` calls of `step`, measured after `warmup` calls. */
async function growth(step: (i: number) => void, warmup: number, iterations: number): Promise<number> {
  for (let i = 0; i < warmup; i++) {
    step(i);
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  const before = await settledRss();
  for (let i = 0; i < iterations; i++) {
    step(i);
    // a server yields between requests; N-API finalizers (which free native handles) run then
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    if (i % 1000 === 999) gc(); // keep the young generation from inflating RSS between samples
  }
  const after = await settledRss();
  console.log(`memory: ${iterations} iterations, RSS ${(before / MiB).toFixed(1)} -> ${(after / MiB).toFixed(1)} MiB`);
  return after - before;
}

describe('bounded memory', () => {
  it('the native fbgemm addon is loaded (so its kernels and handles are what is measured)', () => {
    expect(backendInfo().native, `native addon not loaded: ${backendInfo().reason}`).toBe(true);
  });

  it('10,000 forwards of a small quantized model', async () => {
    const model = buildQuantizedMlp(16, 32);
    manualSeed(1);
    const x = randn([4, 16]);
    const grown = await growth(() => forward(model, x), 1000, 10_000 * SCALE);
    expect(grown).toBeLessThan(32 * MiB);
  });

  it('1,000 create/use/drop cycles of quantized Linear modules (packed weights, native handles)', async () => {
    manualSeed(2);
    const w = quantizePerTensor(randn([64, 64]), 0.02, 0, qint8);
    const x = quantizePerTensor(randn([2, 64]), 0.05, 128, quint8);
    const grown = await growth(() => {
      const lin = new nnq.Linear(64, 64);
      lin.setWeightBias(w, null);
      lin.call(x); // packs into a native handle on first use
    }, 1000, 1000 * SCALE);
    expect(grown).toBeLessThan(32 * MiB);
  });

  it('1,000 pack/drop cycles of native packed weights and of qtensor prepacked weights', async () => {
    const raw = new Int8Array(256 * 256).map((_, i) => (i * 37) % 255 - 127);
    const w = quantizePerTensor(randn([128, 128]), 0.02, 0, qint8);
    const grown = await growth(() => {
      const p = packWeights(raw, 256, 256);
      if (p.n !== 256) throw new Error('bad pack');
      linearPrepack(w, null);
    }, 1000, 1000 * SCALE);
    expect(grown).toBeLessThan(32 * MiB);
  });
});
