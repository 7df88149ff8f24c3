/** Node file helpers over the byte-level save / load (the only fx module touching `node:fs`). */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@qtorch/qtensor';
import type { GraphModule } from '../graph_module.js';
import { loadGraphModule, saveGraphModule } from './save_load.js';

/** Writes `gm` to `path` (see `saveGraphModule`), atomically: a failed save leaves the old file intact. */
export function saveGraphModuleFile(path: string, gm: GraphModule): void {
  writeFileAtomic(path, saveGraphModule(gm));
}

/** Reads a GraphModule from `path` (see `loadGraphModule`). */
export function loadGraphModuleFile(path: string): GraphModule {
  const b = readFileSync(path);
  return loadGraphModule(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}
