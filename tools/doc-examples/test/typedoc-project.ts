// Converts qtorch's API reference the way `pnpm docs` does (typedoc.config.mjs), without
// writing the site, for the tests that inspect it. Conversion takes most of a minute: call it
// once per test file (beforeAll).
import { join } from 'node:path';
import { Application, LogLevel, Logger, type ProjectReflection } from 'typedoc';

/** Keeps TypeDoc's warnings and errors instead of printing them. */
class CollectingLogger extends Logger {
  messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(`${LogLevel[level]}: ${message}`);
  }
}

/** The converted project (undefined if conversion failed), its application and its warnings. */
export interface ConvertedProject {
  app: Application;
  project: ProjectReflection | undefined;
  /** Warnings and errors logged so far (conversion, then whatever the caller runs next). */
  messages: string[];
}

/** Bootstraps TypeDoc with the repository's configuration and converts every entry point. */
export async function convertProject(): Promise<ConvertedProject> {
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
  return { app, project, messages: logger.messages };
}
