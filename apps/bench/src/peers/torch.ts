/**
 * PyTorch peer: a worker process, `/usr/bin/python3 assets/torch_peer.py` (override with
 * QTORCH_BENCH_PYTHON), that prepares each case's torch calls and times `reps` of them on
 * request (its protocol is in the script's docstring), so its samples interleave with ours.
 */
import { spawnSync } from 'node:child_process';
import type { BenchDType } from '../harness.js';
import { assetPath } from '../paths.js';
import { type Peer, type PeerSession, peerCase } from './types.js';
import { JsonLineWorker } from './worker.js';

export const PYTHON = process.env.QTORCH_BENCH_PYTHON ?? '/usr/bin/python3';

/** Why torch cannot run here (null when it can): the interpreter or `import torch` fails. */
export function torchUnavailable(python = PYTHON): string | null {
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${python} not found`;
  if (r.status !== 0) return `import torch failed: ${r.stderr.trim().split('\n').pop() ?? ''}`;
  return null;
}

interface Prepared {
  variants: Array<{ id: number; engine: string; dtype: BenchDType }>;
  skipped: string[];
}

/** A session over a started worker speaking torch_peer.py's protocol (exported for tests with a stand-in worker). */
export async function torchSession(worker: JsonLineWorker, python = PYTHON): Promise<PeerSession> {
  const hello = await worker.request<{ torch: string; engines: string[] }>({ op: 'hello' });
  return {
    lines: [`torch ${hello.torch} via ${python}: engines ${hello.engines.join(', ')}`],
    async cases(spec, threads) {
      const p = await worker.request<Prepared>({ op: 'prepare', spec, threads });
      const cases = p.variants.map((v) => {
        // on several threads the worker also waits (untimed) for its pools to stop spinning
        const timed = async (reps: number) => (await worker.request<{ ms: number }>({ op: 'time', id: v.id, reps })).ms;
        return peerCase(spec, threads, { impl: 'torch', engine: v.engine, dtype: v.dtype, run: () => timed(1), timed });
      });
      return { cases, lines: p.skipped.map((s) => `torch: skipped ${s}`), release: async () => void (await worker.request({ op: 'drop', ids: p.variants.map((v) => v.id) })) };
    },
    async close() {
      await worker.close();
      return [];
    },
  };
}

export const torchPeer: Peer = {
  name: 'torch',
  async open() {
    const why = torchUnavailable();
    if (why) return why;
    const worker = new JsonLineWorker('torch peer', PYTHON, [assetPath('torch_peer.py')]);
    try {
      return await torchSession(worker);
    } catch (err) {
      await worker.close();
      return (err as Error).message;
    }
  },
};
