/** The README quickstart runs end to end. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { backends } from '@qtorch/qtensor';
import { main } from '../examples/quickstart.js';

describe('examples/quickstart.ts', () => {
  it('prints the table, writes the report and names layers', () => {
    const engine = backends.quantized.engine;
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const dir = mkdtempSync(join(tmpdir(), 'qtorch-ns-example-'));
      const out = main(dir);
      expect(out.table.split('\n')[0]).toMatch(/^layer\s+op\s+kind\s+SQNR/);
      // weights of conv and fc; outputs of quant, conv, fc
      expect(out.table.split('\n')).toHaveLength(2 + 5);
      expect(existsSync(out.reportPath)).toBe(true);
      expect(readFileSync(out.reportPath, 'utf8')).toContain('<svg');
      expect(['conv', 'fc']).toContain(out.worst);
      expect(out.skip.every((l) => ['conv', 'fc'].includes(l))).toBe(true);
    } finally {
      log.mockRestore();
      backends.quantized.engine = engine;
    }
  });
});
