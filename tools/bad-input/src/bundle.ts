/**
 * Bundles a TypeScript entry (and the workspace sources it imports, resolved through
 * tsconfig.base.json's paths as vitest resolves them) into one ESM file Node runs as is: what a
 * worker thread or a child process needs, since neither goes through vitest's transform.
 * esbuild is the one tsup (a root devDependency) ships, so no extra dependency is needed.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The part of esbuild's API used here. */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function esbuild(): Esbuild {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve('tsup'))('esbuild') as Esbuild;
}

/** Bundles `entry` (a path) to `outfile` (an .mjs path) for Node. */
export async function bundleForNode(entry: string, outfile: string): Promise<void> {
  await esbuild().build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: join(root, 'tsconfig.base.json'),
    keepNames: true,
    logLevel: 'error',
    // bundled CommonJS dependencies may call require()
    banner: { js: "import { createRequire as __qtorchCreateRequire } from 'node:module'; const require = __qtorchCreateRequire(import.meta.url);" },
  });
}
