import { expect, it } from 'vitest';
import { runDemo } from '../src/main.js';

it('demo runs and computes the gradient of a sliced view', () => {
  const lines: string[] = [];
  expect(runDemo((l) => lines.push(l))).toBe(2);
  expect(lines.join('\n')).toContain('[[0,1],[1,0]]');
});
