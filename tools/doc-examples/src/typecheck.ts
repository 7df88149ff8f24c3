/**
 * Type-checking the examples against the packages' sources, with the repository's compiler
 * settings (tsconfig.base.json: strict, `@qtorch/*` paths to the sources). Running a block
 * only proves it does not throw; an options object with a misspelled key would run fine and
 * silently be ignored, so the blocks are also compiled.
 */
import ts from 'typescript';
import { join } from 'node:path';
import { repoRoot } from './docs.js';
import type { BlockFile } from './workspace.js';

/** One compiler error, located in the Markdown file. */
export interface BlockDiagnostic {
  /** `README.md:42` (the line inside the Markdown file). */
  where: string;
  message: string;
}

/** The compiler options of tsconfig.base.json, resolved against the repository root. */
export function repoCompilerOptions(): ts.CompilerOptions {
  const configPath = join(repoRoot, 'tsconfig.base.json');
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, repoRoot, { noEmit: true }, configPath);
  return parsed.options;
}

/**
 * Compiles the block files in one program and returns the errors inside them (errors the
 * packages' own sources may have are their packages' type-checks' business). Only the block
 * files are checked, so this costs far less than a full type-check of the sources.
 */
export function typecheckBlockFiles(files: BlockFile[]): BlockDiagnostic[] {
  const program = ts.createProgram(files.map((f) => f.path), repoCompilerOptions());
  const byPath = new Map(files.map((f) => [ts.sys.resolvePath(f.path), f]));
  const out: BlockDiagnostic[] = [];
  for (const sf of program.getSourceFiles()) {
    const file = byPath.get(ts.sys.resolvePath(sf.fileName));
    if (!file) continue;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      out.push({
        where: `${file.block.file}:${file.block.line + 1 + line}`,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      });
    }
  }
  return out;
}
