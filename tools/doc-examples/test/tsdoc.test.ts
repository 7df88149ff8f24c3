// Every public symbol has TSDoc: each top-level export of each entry point, and the public
// members (constructors, methods, properties, accessors) of exported classes and interfaces.
// TypeDoc's own `notDocumented` validation stays silent with this configuration, so this test
// walks the converted project itself. Not checked: inherited members (documented on the base),
// protected and private members, `@internal` ones (excluded from the project), overrides
// whose base is documented (TypeDoc copies the base's comment onto them), and implicit
// (undeclared, parameterless) constructors.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import {
  type DeclarationReflection,
  type ProjectReflection,
  type Reflection,
  ReflectionKind,
} from 'typedoc';
import { convertProject } from './typedoc-project.js';

const root = relative(process.cwd(), `${import.meta.dirname}/../../..`) || '.';

const TOP_LEVEL =
  ReflectionKind.Class |
  ReflectionKind.Function |
  ReflectionKind.Variable |
  ReflectionKind.Interface |
  ReflectionKind.TypeAlias |
  ReflectionKind.Enum;
const MEMBER = ReflectionKind.Constructor | ReflectionKind.Method | ReflectionKind.Property | ReflectionKind.Accessor;

/**
 * A comment on the declaration itself or on any of its (call, get, set) signatures. A signature
 * whose comment is only `@param` tags counts when every parameter is described (TypeDoc moves
 * the tags onto the parameters: a constructor documented parameter by parameter).
 */
function documented(r: DeclarationReflection): boolean {
  if (r.hasComment()) return true;
  const signatures = [...(r.signatures ?? []), r.getSignature, r.setSignature];
  return signatures.some((s) => {
    if (!s) return false;
    if (s.hasComment()) return true;
    const params = s.parameters ?? [];
    return params.length > 0 && params.every((p) => p.hasComment());
  });
}

/** A class's default constructor: no declaration in the source, no parameters. */
function implicitConstructor(project: ProjectReflection, m: DeclarationReflection): boolean {
  if (!m.kindOf(ReflectionKind.Constructor)) return false;
  const noParams = (m.signatures ?? []).every((s) => (s.parameters ?? []).length === 0);
  return noParams && !Number.isFinite(project.getSymbolIdFromReflection(m)?.pos ?? NaN);
}

const lineStarts = new Map<string, number[]>();
/** `path:line` of a reflection's declaration, relative to the repository, for the report. */
function location(project: ProjectReflection, r: Reflection): string {
  const id = project.getSymbolIdFromReflection(r);
  if (!id?.fileName || !Number.isFinite(id.pos)) return '?';
  let starts = lineStarts.get(id.fileName);
  if (!starts) {
    starts = [0];
    const text = readFileSync(id.fileName, 'utf8');
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
    lineStarts.set(id.fileName, starts);
  }
  // The symbol's position precedes its leading trivia; the line is that of the first token after it.
  let line = 0;
  while (line < starts.length && starts[line]! <= id.pos) line++;
  return `${relative(root, id.fileName)}:${line}`;
}

interface Walk {
  /** `module: name` of every symbol checked. */
  checked: Set<string>;
  /** One line per undocumented symbol: `module: Kind name (file:line)`. */
  missing: string[];
}

function walk(project: ProjectReflection): Walk {
  const checked = new Set<string>();
  const missing: string[] = [];
  const check = (module: string, r: DeclarationReflection, name: string): void => {
    checked.add(`${module}: ${name}`);
    if (!documented(r)) missing.push(`${module}: ${ReflectionKind[r.kind]} ${name} (${location(project, r)})`);
  };
  for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
    for (const r of module.children ?? []) {
      if (!r.kindOf(TOP_LEVEL)) continue;
      check(module.name, r, r.name);
      if (!r.kindOf(ReflectionKind.Class | ReflectionKind.Interface)) continue;
      for (const m of r.children ?? []) {
        if (!m.kindOf(MEMBER) || m.inheritedFrom || m.flags.isProtected || m.flags.isPrivate) continue;
        if (implicitConstructor(project, m)) continue; // nothing to document but the class
        check(module.name, m, `${r.name}.${m.name}`);
      }
    }
  }
  return { checked, missing };
}

let result: Walk;
beforeAll(async () => {
  const { project, messages } = await convertProject();
  if (!project) throw new Error(`TypeDoc conversion failed:\n${messages.join('\n')}`);
  result = walk(project);
}, 120_000);

it('walks top-level exports and class and interface members of every entry point', () => {
  // A walk that silently checked nothing would pass; these must be among the symbols checked.
  for (const name of [
    '@qtorch/qtensor: Tensor',
    '@qtorch/qtensor: Tensor.constructor',
    '@qtorch/qtensor: Tensor.dequantize',
    '@qtorch/nn: Module.forward',
    '@qtorch/nn/functional: relu',
    '@qtorch/quantization: QConfigMapping.setGlobal',
  ]) {
    expect(result.checked, name).toContain(name);
  }
});

it('every public symbol has a TSDoc comment', () => {
  const { missing } = result;
  expect(missing.length, `${missing.length} public symbols have no TSDoc:\n${missing.join('\n')}\n`).toBe(0);
});
