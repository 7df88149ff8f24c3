/**
 * Running one example: import its module from its own directory, with console output and
 * process warnings captured (a docs example that warns is a docs bug: it would print the
 * warning for every reader who copies it).
 */
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { BlockFile } from './workspace.js';

/** What a block printed while it ran. */
export interface BlockOutput {
  /** console.log / info / debug / warn / error lines, in order. */
  console: string[];
  /** Messages of `process.emitWarning` calls. */
  warnings: string[];
}

type ConsoleMethod = 'log' | 'info' | 'debug' | 'warn' | 'error';
const CONSOLE_METHODS: ConsoleMethod[] = ['log', 'info', 'debug', 'warn', 'error'];

/**
 * Imports the block's module with `cwd` as the working directory; resolves with what it
 * printed, rejects with the block's error (its message prefixed with the README location and
 * followed by the captured output, which is usually what explains the failure).
 *
 * `load` performs the import; pass `(url) => import(url)` from the test so the file goes
 * through vitest's resolver (its `@qtorch/*` aliases to the packages' sources).
 */
export async function runBlockFile(file: BlockFile, load: (url: string) => Promise<unknown>): Promise<BlockOutput> {
  const out: BlockOutput = { console: [], warnings: [] };
  const savedConsole = CONSOLE_METHODS.map((m) => [m, console[m]] as const);
  const savedEmitWarning = process.emitWarning;
  const savedCwd = process.cwd();
  for (const m of CONSOLE_METHODS) console[m] = (...args: unknown[]) => void out.console.push(format(...args));
  process.emitWarning = ((w: string | Error) => void out.warnings.push(typeof w === 'string' ? w : w.message)) as typeof process.emitWarning;
  process.chdir(file.cwd);
  try {
    await load(pathToFileURL(file.path).href);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    err.message = `${file.block.file}:${file.block.line}: example failed: ${err.message}${transcript(out)}`;
    throw err;
  } finally {
    process.chdir(savedCwd);
    process.emitWarning = savedEmitWarning;
    for (const [m, fn] of savedConsole) console[m] = fn;
  }
  return out;
}

/** The captured output as an indented transcript for error messages ('' when empty). */
export function transcript(out: BlockOutput): string {
  const lines = [...out.console, ...out.warnings.map((w) => `(warning) ${w}`)];
  return lines.length ? `\n  output before the failure:\n    ${lines.join('\n    ')}` : '';
}
