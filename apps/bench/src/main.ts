/**
 * `pnpm bench [-- --suite linear,conv --threads 1,2 --peers torch --quick --json FILE]`: times
 * every suite, ours (native and reference per engine, and the float path) beside PyTorch and
 * onnxruntime, and prints a table per suite. See cli.ts for the options.
 */
import { cpus, loadavg } from 'node:os';
import { CliError, USAGE, parseCli } from './cli.js';
import { formatTables, writeJson } from './report.js';
import { runBench } from './run.js';
import { SUITES } from './suites/index.js';

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.list) {
    for (const s of SUITES) console.log(`${s.name.padEnd(10)} ${s.description}`);
    return 0;
  }
  const t0 = Date.now();
  const out = await runBench({ ...opts, log: (line) => console.error(`[bench] ${line}`) });
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`# qtorch bench: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}, load average ${load}${opts.quick ? ', --quick' : ''}`);
  for (const line of out.notes) console.log(`- ${line}`);
  console.log('(ratios are of median times: int8/fp32 < 1 means int8 is faster than the same implementation\'s float path;');
  console.log(' ours/peer > 1 means the peer is faster than our best variant of the same case, dtype and engine family)\n');
  console.log(formatTables(out.results, out.peaks, opts.suites.map((s) => s.name)));
  console.log(`\n(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  if (opts.json) writeJson(opts.json, out.results, out.peaks, out.notes);
  return 0;
}

process.exitCode = await main();
