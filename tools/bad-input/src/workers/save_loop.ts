/**
 * Child-process entry for the crash test of atomic saving: saves a large safetensors file to
 * `argv[2]` over and over (every element = `argv[4]`) until it is killed. Bundled by the test.
 */
import { full, saveFile } from '@qtorch/qtensor';

const [path, n, value] = process.argv.slice(2);
const w = full([Number(n)], Number(value));
for (;;) saveFile(path!, { w });
