// The fence parser against hand-written Markdown (CommonMark's fence rules).
import { describe, expect, it } from 'vitest';
import { expectsWarning, extractBlocks, isRunnable } from '../src/extract.js';

describe('extractBlocks', () => {
  it('finds ts/typescript blocks with their line, flags and code, skipping other languages', () => {
    const md = [
      '# Title', //                         1
      '```sh', //                           2
      'npm install', //                     3
      '```', //                             4
      '```ts', //                           5
      "const a = 1;", //                    6
      '```', //                             7
      '~~~typescript no-run', //            8
      'x.y();', //                          9
      '```', //                            10 (not a closer: wrong character)
      '~~~', //                            11
      '  ```ts warns', //                  12 (indented fence, inside a list)
      '  const b = 2;', //                 13
      '    const c = 3;', //               14
      '  ```', //                          15
      '```', //                            16 (a block with no info string)
      'plain', //                          17
      '```', //                            18
    ].join('\n');
    const blocks = extractBlocks(md, 'X.md');
    expect(blocks).toEqual([
      { file: 'X.md', line: 5, flags: [], code: 'const a = 1;\n' },
      { file: 'X.md', line: 8, flags: ['no-run'], code: 'x.y();\n```\n' },
      { file: 'X.md', line: 12, flags: ['warns'], code: 'const b = 2;\n  const c = 3;\n' },
    ]);
    expect(blocks.map(isRunnable)).toEqual([true, false, true]);
    expect(blocks.map(expectsWarning)).toEqual([false, false, true]);
  });

  it('closes only on a fence at least as long as the opener', () => {
    const blocks = extractBlocks(['````ts', '```', 'const s = 1;', '````'].join('\n'), 'Y.md');
    expect(blocks[0]!.code).toBe('```\nconst s = 1;\n');
  });

  it('rejects an unclosed fence instead of silently dropping the rest of the file', () => {
    expect(() => extractBlocks('text\n```ts\nconst a = 1;\n', 'Z.md')).toThrow('Z.md:2: unclosed code fence ```');
  });
});
