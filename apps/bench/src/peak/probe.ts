/**
 * The peak kernels timed between a case's samples. The peak table is measured once, at the start
 * of a run, as the best of 21 repetitions; this machine's clock drifts by ~20% over minutes, so a
 * case's median measured later says little against it. Each comparison group instead gets one
 * extra variant per dtype: the fastest peak kernel of that dtype (peak.cc --serve, a child
 * process), sampled round-robin with the group's own variants, and "% peak" divides by its median.
 */
import type { BenchCase, BenchDType, BenchResult, CaseMeta } from '../harness.js';
import { JsonLineWorker } from '../peers/worker.js';
import { type PeakReport, type PeakRow, buildPeakBinary, fastestRow } from './peak.js';

/** How long one probe call runs (ms, at the kernel's measured 1-thread speed): as long as a short case's sample. */
const CALL_MS = 1;

export class PeakProbe {
  private constructor(private readonly worker: JsonLineWorker, private readonly kernels: ReadonlyMap<BenchDType, PeakRow>) {}

  /** A probe of `report`'s fastest kernel per dtype, or null when the report has none or the binary cannot be built. */
  static open(report: PeakReport): PeakProbe | null {
    const kernels = fastestKernels(report);
    const built = buildPeakBinary();
    if (kernels.size === 0 || 'reason' in built) return null;
    return new PeakProbe(new JsonLineWorker('peak probe', built.path, ['--serve']), kernels);
  }

  /** One probe case per dtype of `group`'s rows that count operations (none for a dtype without a peak kernel). */
  casesFor(group: readonly BenchCase[]): BenchCase[] {
    const dtypes = new Set(group.filter((c) => c.ops > 0).map((c) => c.dtype));
    const first = group[0];
    if (!first) return [];
    return [...dtypes].flatMap((dtype) => {
      const k = this.kernels.get(dtype);
      return k ? [this.probeCase(first, dtype, k)] : [];
    });
  }

  /** The probe of kernel `k` (a `dtype` peak row) on `at`'s case and thread count. */
  private probeCase(at: CaseMeta, dtype: BenchDType, k: PeakRow): BenchCase {
    const threads = at.threads, perBlock = k.opsPerBlock!;
    const blocks = Math.max(1000, Math.round((k.gops * 1e6 * CALL_MS) / perBlock));
    const run = async (reps: number): Promise<number> => {
      const r = await this.worker.request<{ wallSeconds: number; ops: number }>({ op: 'run', kernel: k.name, threads, blocks: blocks * reps });
      const expected = perBlock * blocks * reps * threads;
      if (r.ops !== expected) throw new Error(`peak probe: '${k.name}' on ${threads} thread(s) did ${r.ops} operations, expected ${expected}`);
      return (r.wallSeconds * 1e3) / reps;
    };
    return {
      suite: at.suite, case: at.case, impl: 'peak-probe', engine: k.name, dtype, threads, ops: perBlock * blocks * threads,
      run: () => run(1), timed: run,
    };
  }

  /** Ends the child process. */
  close(): Promise<void> {
    return this.worker.close();
  }
}

/** Per dtype, the 1-thread peak row with the highest throughput, when it says its operations per block (what --serve runs). */
function fastestKernels(report: PeakReport): Map<BenchDType, PeakRow> {
  const best = new Map<BenchDType, PeakRow>();
  for (const dtype of ['int8', 'fp32'] as const) {
    const r = fastestRow(report, dtype, 1);
    if (r?.opsPerBlock) best.set(dtype, r);
  }
  return best;
}

/**
 * A group's results without its probe rows, each row given `peakGops`: the probe's throughput of
 * the row's dtype in the same group.
 */
export function withInterleavedPeaks(results: readonly BenchResult[]): BenchResult[] {
  const probes = results.filter((r) => r.impl === 'peak-probe');
  return results
    .filter((r) => r.impl !== 'peak-probe')
    .map((r) => {
      const p = probes.find((q) => q.dtype === r.dtype && q.threads === r.threads);
      return p ? { ...r, peakGops: p.gops } : r;
    });
}
