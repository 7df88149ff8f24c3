// The API reference (`pnpm docs`) builds from the sources: TypeDoc converts every package
// export and validates it (links, exports) without writing the site, so CI exercises it.
import { expect, it } from 'vitest';
import { ReflectionKind } from 'typedoc';
import { packageEntryPoints } from '../typedoc.config.mjs';
import { convertProject } from './typedoc-project.js';

it('TypeDoc converts and validates every public entry point with no warnings', async () => {
  const { app, project, messages } = await convertProject();
  expect(project, messages.join('\n')).toBeDefined();
  app.validate(project!);
  expect(messages).toEqual([]);
  // One module per import specifier, named as users import it.
  const modules = project!.getChildrenByKind(ReflectionKind.Module).map((m) => m.name).sort();
  expect(modules).toEqual(packageEntryPoints().map(([spec]) => spec).sort());
}, 120_000);
