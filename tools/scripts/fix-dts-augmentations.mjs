#!/usr/bin/env node
// tsup bundles a package's .d.ts into one file but keeps `declare module './tensor.js' { interface
// Tensor {...} }` augmentations, whose relative module no longer exists in dist/: consumers would
// silently lose every method added that way. In the bundle, the class and the interface live in
// the same scope, so unwrapping the block makes the interface merge with the class again.
// Usage: node fix-dts-augmentations.mjs dist [more dirs or .d.ts files...]
import { readFileSync, writeFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const OPEN = /declare module ['"](?:\.\.?\/)+[\w/.-]*['"] \{\n/g;

function unwrap(text) {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(OPEN)) {
    if (m.index < last) continue;
    let depth = 1;
    let i = m.index + m[0].length;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    if (depth !== 0) throw new Error(`unbalanced braces after offset ${m.index}`);
    const body = text.slice(m.index + m[0].length, i - 1);
    out += text.slice(last, m.index) + body.replace(/^ {4}/gm, '');
    last = i;
  }
  return out + text.slice(last);
}

function* declarationFiles(path) {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) yield* declarationFiles(join(path, name));
  } else if (/\.d\.c?ts$/.test(path)) yield path;
}

for (const file of process.argv.slice(2).flatMap((p) => [...declarationFiles(p)])) {
  const before = readFileSync(file, 'utf8');
  const after = unwrap(before);
  if (after !== before) writeFileSync(file, after);
}
