/** Command-line options of `pnpm bench`. */
import { parseArgs } from 'node:util';
import { DEFAULT_TIMING, QUICK_TIMING, type TimingOptions } from './harness.js';
import type { Peer } from './peers/types.js';
import { onnxruntimePeer } from './peers/onnxruntime.js';
import { torchPeer } from './peers/torch.js';
import { SUITES } from './suites/index.js';
import type { Suite } from './suites/types.js';

export const PEERS: readonly Peer[] = [torchPeer, onnxruntimePeer];

export const USAGE = `usage: pnpm bench [-- options]
  --suite a,b      suites to run (default all): ${SUITES.map((s) => s.name).join(', ')}
  --threads 1,2    thread counts (default 1,2): peers, peaks and our native kernels; our TypeScript paths run on 1
  --peers a,b      peers to run: torch, onnxruntime, or none (default all present)
  --case TEXT      only the cases whose label contains TEXT (e.g. '4096' or 'LSTM')
  --quick          tiny shapes and few samples (seconds; smoke runs)
  --json FILE      also write machine, peaks and every result as JSON
  --list           list the suites and exit`;

export interface CliOptions {
  suites: Suite[];
  threads: number[];
  peers: Peer[];
  /** Only cases whose label contains this text (null: every case). */
  caseFilter: string | null;
  quick: boolean;
  timing: TimingOptions;
  json: string | null;
  list: boolean;
  help: boolean;
}

/** A usage error (exit code 2). */
export class CliError extends Error {}

function names<T extends { name: string }>(what: string, value: string | undefined, known: readonly T[]): T[] {
  if (value === undefined) return [...known];
  const wanted = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (what === 'peer' && wanted.length === 1 && wanted[0] === 'none') return [];
  const unknown = wanted.filter((w) => !known.some((k) => k.name === w));
  if (unknown.length) throw new CliError(`bench: unknown ${what}(s) ${unknown.join(', ')}; known: ${known.map((k) => k.name).join(', ')}`);
  return known.filter((k) => wanted.includes(k.name));
}

export function parseCli(argv: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      // `pnpm bench -- --json f` hands the script a leading '--'
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      options: {
        suite: { type: 'string' },
        threads: { type: 'string' },
        peers: { type: 'string' },
        case: { type: 'string' },
        json: { type: 'string' },
        quick: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new CliError(`bench: ${(err as Error).message}`);
  }
  const threads = (values.threads ?? '1,2').split(',').map((t) => Number(t.trim()));
  if (threads.some((t) => !Number.isInteger(t) || t < 1)) throw new CliError(`bench: --threads expects positive integers like 1,2, got '${values.threads}'`);
  return {
    suites: names('suite', values.suite, SUITES),
    threads: [...new Set(threads)],
    peers: names('peer', values.peers, PEERS),
    caseFilter: values.case ?? null,
    quick: values.quick,
    timing: values.quick ? QUICK_TIMING : DEFAULT_TIMING,
    json: values.json ?? null,
    list: values.list,
    help: values.help,
  };
}
