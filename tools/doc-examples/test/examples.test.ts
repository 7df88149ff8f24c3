// Runs every runnable ```ts block of README.md, docs/ and packages/*/README.md.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { backends } from '@qtorch/qtensor';
import { docBlocks, where } from '../src/docs.js';
import { expectsWarning, isRunnable } from '../src/extract.js';
import { runBlockFile } from '../src/run.js';
import { scratchDir, writeBlockFiles } from '../src/workspace.js';

const blocks = docBlocks();
const dir = scratchDir();
const files = writeBlockFiles(blocks.filter(isRunnable), dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// The blocks share this worker's package instances (qtensor keeps its kernel registry on
// globalThis, so re-importing fresh copies would mix two Tensor classes): put back the global
// setting examples change, so one example's engine cannot leak into the next.
const defaultEngine = backends.quantized.engine;
afterEach(() => {
  backends.quantized.engine = defaultEngine;
});

describe('documentation examples', () => {
  it('are found in the root README, docs/ and the package READMEs', () => {
    const docs = new Set(files.map((f) => f.block.file.split('/')[0]));
    expect(docs).toContain('README.md');
    expect(docs).toContain('docs');
    expect(docs).toContain('packages');
    // no-run blocks are the exception (see README): at most one in ten.
    expect(blocks.length - files.length).toBeLessThanOrEqual(Math.ceil(blocks.length / 10));
  });

  for (const file of files) {
    const warns = expectsWarning(file.block);
    it(`${where(file.block)} runs without errors${warns ? ' and warns, as it shows' : ' or warnings'}`, async () => {
      const out = await runBlockFile(file, (url) => import(/* @vite-ignore */ url));
      // QTORCH_DOC_EXAMPLES_VERBOSE=1 shows what each example prints (to check its comments).
      if (process.env.QTORCH_DOC_EXAMPLES_VERBOSE === '1') process.stdout.write(`--- ${where(file.block)}\n${out.console.join('\n')}\n`);
      // A warning in an example would greet every reader who copies it, unless it is the
      // point of the example (flag `warns`), in which case it must still happen.
      if (warns) expect(out.warnings.length, `${where(file.block)} is marked 'warns' but emitted none`).toBeGreaterThan(0);
      else expect(out.warnings, `${where(file.block)} emitted warnings`).toEqual([]);
    });
  }
});
