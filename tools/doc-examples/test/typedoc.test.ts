// The API reference (`pnpm docs`) builds from the sources: TypeDoc converts every package
// export and validates it (links, exports) without writing the site, so CI exercises it.
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { Application, LogLevel, Logger, ReflectionKind } from 'typedoc';
import { packageEntryPoints } from '../typedoc.config.mjs';

/** Keeps TypeDoc's warnings and errors instead of printing them. */
class CollectingLogger extends Logger {
  messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(`${LogLevel[level]}: ${message}`);
  }
}

it('TypeDoc converts and validates every public entry point with no warnings', async () => {
  const app = await Application.bootstrapWithPlugins({
    options: join(import.meta.dirname, '..', 'typedoc.config.mjs'),
    emit: 'none',
    // No git remote in a scratch checkout; links to sources are irrelevant to validation.
    disableSources: true,
    logLevel: 'Warn',
  });
  const logger = new CollectingLogger();
  app.logger = logger;
  const project = await app.convert();
  expect(project, logger.messages.join('\n')).toBeDefined();
  app.validate(project!);
  expect(logger.messages).toEqual([]);
  // One module per import specifier, named as users import it.
  const modules = project!.getChildrenByKind(ReflectionKind.Module).map((m) => m.name).sort();
  expect(modules).toEqual(packageEntryPoints().map(([spec]) => spec).sort());
}, 120_000);
