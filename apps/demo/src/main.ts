/**
 * The qtorch demo: quantize a real model three ways (dynamic, static eager / FX, QAT) under
 * both engines and print accuracy, file size and latency.
 *
 * `node apps/demo/dist/main.js [--quick] [--engine fbgemm|qnnpack|both] [--epochs N] [--fashion]`
 * (`--help` lists every flag).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { USAGE, UsageError, parseArgs } from './cli.js';

/** Parses `argv`, runs the demo, returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // dist/main.js and src/main.ts both sit one level under the package: out/ is its sibling.
  const defaultOut = fileURLToPath(new URL('../out', import.meta.url));
  let options;
  try {
    options = parseArgs(argv, defaultOut);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`demo: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if ('help' in options) {
    console.log(USAGE);
    return 0;
  }
  // Loaded only now, so --help and usage errors answer without loading the model stack and kernels.
  const { runDemo } = await import('./run.js');
  const result = await runDemo(options, { log: (l) => console.log(l), sink: process.stderr });
  const name = (r: { variant: string; engine: string }) => `${r.variant}/${r.engine}`;
  const failed = result.rows.filter((r) => r.missing?.status === 'failed');
  const differ = result.rows.filter((r) => r.reloadIdentical === false);
  if (failed.length) console.error(`demo: failed: ${failed.map(name).join(', ')}`);
  if (differ.length) console.error(`demo: reloaded outputs differ for ${differ.map(name).join(', ')}`);
  return failed.length || differ.length ? 1 : 0;
}

/** Whether this file is the script node was started with (not imported by a test). */
function isEntryPoint(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
