/**
 * Which Markdown files hold user documentation: the root README, everything under docs/,
 * and each package's README. Their ```ts blocks are what the doc-examples tests run.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CodeBlock, extractBlocks } from './extract.js';

/** The monorepo root (this file is tools/doc-examples/src/docs.ts). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function markdownUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...markdownUnder(full));
    else if (name.endsWith('.md')) out.push(full);
  }
  return out;
}

/** Absolute paths of the documentation files, root README first. */
export function docFiles(root = repoRoot): string[] {
  const packages = join(root, 'packages');
  const readmes = readdirSync(packages).sort()
    .map((p) => join(packages, p, 'README.md'))
    .filter((f) => existsSync(f));
  return [join(root, 'README.md'), ...markdownUnder(join(root, 'docs')), ...readmes];
}

/** Every ```ts block of the documentation, `file` relative to the repo root. */
export function docBlocks(root = repoRoot): CodeBlock[] {
  return docFiles(root).flatMap((f) => extractBlocks(readFileSync(f, 'utf8'), relative(root, f).split('\\').join('/')));
}

/** `README.md:12` style location of a block. */
export function where(block: CodeBlock): string {
  return `${block.file}:${block.line}`;
}
