// Non-blocking inference (issue #15): qtensor's InferencePool runs a saved quantized model in
// worker threads. The event loop keeps turning while a long forward runs (a timer fires; the
// same forward run inline lets no timer fire at all), concurrent requests give exactly the
// results of sequential ones and of the model run in this thread, model errors keep their
// class, and a worker that dies fails only its own request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferencePool, QTorchError, QTorchShapeError, QTorchTypeError, type Tensor, manualSeed, randn, saveFile, zeros } from '@qtorch/qtensor';
import { bundleForNode } from '../src/bundle.js';
import { type ModelWorkerData, buildQuantizedMlp, forward } from '../src/model.js';

const WIDTH = 192;
const HIDDEN = 384;
const dir = mkdtempSync(join(tmpdir(), 'qtorch-async-'));
const script = join(dir, 'model_worker.mjs');
const modelPath = join(dir, 'model.safetensors');
const model = buildQuantizedMlp(WIDTH, HIDDEN);

beforeAll(async () => {
  saveFile(modelPath, model.stateDict());
  await bundleForNode(fileURLToPath(new URL('../src/workers/model_worker.ts', import.meta.url)), script);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const workerData = (extra: Partial<ModelWorkerData> = {}): ModelWorkerData => ({ path: modelPath, width: WIDTH, hidden: HIDDEN, ...extra });

function inputs(n: number, rows: number): Tensor[] {
  manualSeed(7);
  return Array.from({ length: n }, () => randn([rows, WIDTH]));
}

/** Counts setInterval ticks while `work` runs. */
async function ticksDuring<T>(work: () => Promise<T> | T): Promise<{ ticks: number; result: T }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    const result = await work();
    return { ticks, result };
  } finally {
    clearInterval(timer);
  }
}

describe('InferencePool', () => {
  it('keeps the event loop running during a long forward (an inline forward blocks it)', async () => {
    const pool = await InferencePool.create(script, { workerData: workerData() });
    try {
      const [big] = inputs(1, 1024);
      const inline = await ticksDuring(() => forward(model, big!));
      // a synchronous forward cannot let a timer fire: this is what the pool avoids
      expect(inline.ticks).toBe(0);
      const pooled = await ticksDuring(() => pool.run(big!));
      expect(pooled.ticks).toBeGreaterThanOrEqual(3);
      expect((pooled.result as Tensor).toArray()).toEqual(inline.result.toArray());
    } finally {
      await pool.close();
    }
  });

  it('concurrent requests give the results of sequential ones and of the in-thread model', async () => {
    const pool = await InferencePool.create(new URL(`file://${script}`), { size: 2, workerData: workerData() });
    try {
      const xs = inputs(6, 16);
      const concurrent = await Promise.all(xs.map((x) => pool.run(x)));
      const sequential: Array<Tensor | Tensor[]> = [];
      for (const x of xs) sequential.push(await pool.run([x]));
      for (let i = 0; i < xs.length; i++) {
        const local = forward(model, xs[i]!).toArray();
        expect((concurrent[i] as Tensor).toArray()).toEqual(local);
        expect((sequential[i] as Tensor).toArray()).toEqual(local);
      }
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it("a model error rejects with the model's error class; the pool keeps serving", async () => {
    const pool = await InferencePool.create(script, { workerData: workerData() });
    try {
      const err = await pool.run(randn([2, WIDTH + 1])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QTorchShapeError);
      expect((err as Error).message).toMatch(/linear/);
      const [x] = inputs(1, 3);
      expect(((await pool.run(x!)) as Tensor).toArray()).toEqual(forward(model, x!).toArray());
    } finally {
      await pool.close();
    }
  });

  it('a worker that dies fails its request with a clear error and is replaced', async () => {
    const pool = await InferencePool.create(script, { workerData: workerData({ exitOnEmpty: true }) });
    try {
      const err = await pool.run(zeros([0, WIDTH])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QTorchError);
      expect((err as Error).message).toMatch(/worker exited with code 3/);
      const [x] = inputs(1, 2);
      expect(((await pool.run(x!)) as Tensor).toArray()).toEqual(forward(model, x!).toArray());
    } finally {
      await pool.close();
    }
  });

  it('rejects bad arguments, a failing setup and use after close', async () => {
    await expect(InferencePool.create(script, { size: 0, workerData: workerData() })).rejects.toThrow(/size must be a positive integer/);
    await expect(InferencePool.create(script, 2 as never)).rejects.toThrow(QTorchTypeError);
    // the setup cannot read the model file: create() rejects with the worker's error
    await expect(InferencePool.create(script, { workerData: workerData({ path: join(dir, 'missing.safetensors') }) })).rejects.toThrow(/missing\.safetensors/);
    const pool = await InferencePool.create(script, { workerData: workerData() });
    await expect(pool.run([1, 2] as never)).rejects.toThrow(QTorchTypeError);
    const slow = pool.run(inputs(1, 512)[0]!).catch((e: unknown) => e);
    await pool.close();
    expect(await slow).toBeInstanceOf(QTorchError);
    expect(((await slow) as Error).message).toMatch(/closed/);
    await expect(pool.run(zeros([1, WIDTH]))).rejects.toThrow(/closed/);
  });
});
