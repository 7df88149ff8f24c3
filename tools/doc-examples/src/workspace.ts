/**
 * Block files on disk: each example becomes a module in a scratch directory. Both the runner
 * and the type checker use the same files, so a reported line maps to the same README line.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeBlock } from './extract.js';
import { repoRoot } from './docs.js';

/** A block written out as a module. */
export interface BlockFile {
  block: CodeBlock;
  /** Absolute path of the .ts module. */
  path: string;
  /** Directory to run it in (its own, so files it writes stay there). */
  cwd: string;
}

/**
 * The module text of a block: the code unchanged (so line N of the file is line N of the
 * block), then `export {}` so a block without imports is still a module with its own scope.
 */
export function moduleSource(block: CodeBlock): string {
  return `${block.code}export {};\n`;
}

/** A fresh scratch directory for one test run. */
export function scratchDir(prefix = 'qtorch-doc-examples-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes each block to `<dir>/<n>/example.ts`. Each directory also gets `tools/golden`, a link
 * to the repository's PyTorch fixtures, so examples can read a checkpoint by its path relative
 * to the repository root (as a reader running them from a clone would).
 */
export function writeBlockFiles(blocks: CodeBlock[], dir: string): BlockFile[] {
  return blocks.map((block, n) => {
    const cwd = join(dir, String(n).padStart(3, '0'));
    mkdirSync(join(cwd, 'tools'), { recursive: true });
    // 'junction': a directory link Windows allows without admin rights (ignored elsewhere).
    symlinkSync(join(repoRoot, 'tools', 'golden'), join(cwd, 'tools', 'golden'), 'junction');
    const path = join(cwd, 'example.ts');
    writeFileSync(path, moduleSource(block));
    return { block, path, cwd };
  });
}
