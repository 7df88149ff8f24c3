/**
 * Code-block extraction from Markdown: every fenced block whose info string starts with
 * `ts` / `typescript`, with its flags (`no-run`, `warns`) and the line it starts on, so a failure
 * points at the README line to fix.
 */

/** A fenced TypeScript block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, as given to `extractBlocks`. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Words of the info string after the language (`['no-run']`, `['warns']`). */
  flags: string[];
  /** The block's source, without the fences and the fence's indentation. */
  code: string;
}

/** Info-string flag of a block that is shown but intentionally not run (keep these rare). */
export const NO_RUN = 'no-run';
/** Info-string flag of a block whose point is a warning (it must emit one; others must not). */
export const WARNS = 'warns';

const TS_LANGS = new Set(['ts', 'typescript']);
const OPEN = /^( {0,3})(`{3,}|~{3,})\s*([^`]*)$/;

/** True when the block is run (and type-checked) by the doc-examples tests. */
export function isRunnable(block: CodeBlock): boolean {
  return !block.flags.includes(NO_RUN);
}

/** True when the block is expected to emit a process warning (flag `warns`). */
export function expectsWarning(block: CodeBlock): boolean {
  return block.flags.includes(WARNS);
}

/**
 * The TypeScript blocks of a Markdown document, in order. Fences follow CommonMark: three or
 * more backticks or tildes, indented at most three spaces, closed by a fence of the same
 * character at least as long. Blocks in other languages are skipped. An unclosed fence is
 * an error, since the rest of the file would silently vanish from the checks.
 */
export function extractBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j]!)) body.push(stripIndent(lines[j]!, indent.length)), j++;
    if (j === lines.length) throw new Error(`${file}:${i + 1}: unclosed code fence ${fence}`);
    const [lang = '', ...flags] = info.trim().split(/\s+/);
    if (TS_LANGS.has(lang.toLowerCase())) blocks.push({ file, line: i + 1, flags, code: body.join('\n') + '\n' });
    i = j;
  }
  return blocks;
}

/** Removes up to `n` leading spaces (the fence's own indentation, as CommonMark does). */
function stripIndent(line: string, n: number): string {
  let k = 0;
  while (k < n && line[k] === ' ') k++;
  return line.slice(k);
}
