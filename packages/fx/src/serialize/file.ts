/** Node file helpers over the byte-level save / load (the only fx module touching `node:fs`). */
import { readFileSync, writeFileSync } from 'node:fs';
import type { GraphModule } from '../graph_module.js';
import { loadGraphModule, saveGraphModule } from './save_load.js';

/** Writes `gm` to `path` (see `saveGraphModule`). */
export function saveGraphModuleFile(path: string, gm: GraphModule): void {
  writeFileSync(path, saveGraphModule(gm));
}

/** Reads a GraphModule from `path` (see `loadGraphModule`). */
export function loadGraphModuleFile(path: string): GraphModule {
  const b = readFileSync(path);
  return loadGraphModule(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}
