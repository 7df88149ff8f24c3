/**
 * PyTorch peer: spawns `/usr/bin/python3 assets/torch_peer.py` (override with
 * QTORCH_BENCH_PYTHON), hands it the specs as JSON and reads its timings back.
 */
import { spawnSync } from 'node:child_process';
import { type BenchDType, type TimingOptions, gopsOf } from '../harness.js';
import { assetPath } from '../paths.js';
import type { CaseSpec } from '../specs.js';
import type { Peer, PeerOutcome } from './types.js';

interface TorchRow {
  suite: string;
  case: string;
  engine: string;
  dtype: BenchDType;
  threads: number;
  medianMs: number;
  runs: number;
}

interface TorchReply {
  torch: string;
  engines: string[];
  results: TorchRow[];
  skipped: string[];
}

export const PYTHON = process.env.QTORCH_BENCH_PYTHON ?? '/usr/bin/python3';

/** Why torch cannot run here (null when it can): the interpreter or `import torch` fails. */
export function torchUnavailable(python = PYTHON): string | null {
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${python} not found`;
  if (r.status !== 0) return `import torch failed: ${r.stderr.trim().split('\n').pop() ?? ''}`;
  return null;
}

export const torchPeer: Peer = {
  name: 'torch',
  async run(specs: readonly CaseSpec[], threads: readonly number[], timing: TimingOptions): Promise<PeerOutcome> {
    const why = torchUnavailable();
    if (why) return { results: [], lines: [`torch: skipped (${why})`] };
    const request = JSON.stringify({ threads, timing, specs });
    const r = spawnSync(PYTHON, [assetPath('torch_peer.py')], { input: request, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 20 * 60_000 });
    if (r.status !== 0) return { results: [], lines: [`torch: peer script failed (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`] };
    const reply = JSON.parse(r.stdout) as TorchReply;
    const bySpec = new Map(specs.map((s) => [`${s.suite}\u0000${s.case}`, s]));
    const results = reply.results.map((row) => {
      const spec = bySpec.get(`${row.suite}\u0000${row.case}`)!;
      return { ...row, impl: 'torch' as const, ops: spec.ops, bytes: spec.bytes, gops: gopsOf(spec.ops, row.medianMs) };
    });
    return { results, lines: [`torch ${reply.torch} via ${PYTHON}: engines ${reply.engines.join(', ')}`, ...reply.skipped.map((s) => `torch: skipped ${s}`)] };
  },
};
