/** Where the bench's non-TypeScript assets live, from src/ (vitest) and from the bundled dist/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The @qtorch/bench package root: the nearest ancestor directory whose package.json names it. */
export function benchRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === '@qtorch/bench') return dir;
    if (dirname(dir) === dir) throw new Error(`bench: cannot find the @qtorch/bench package root above ${from}`);
  }
}

/** Absolute path of a file in apps/bench/assets/. */
export const assetPath = (name: string): string => join(benchRoot(), 'assets', name);
