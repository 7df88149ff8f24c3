import { describe, expect, it } from 'vitest';
import { type ResultRow, baselineOf, escapeHtml, formatTable, missingNotes, rowCells, tableHtml } from '../src/table.js';

const row = (over: Partial<ResultRow>): ResultRow => ({
  variant: 'float', model: 'cnn', engine: '-', accuracy: 0.9, sizeBytes: 1000, batchMs: 40, batchSize: 32, imageMs: 2, ...over,
});

const rows: ResultRow[] = [
  row({ reloadIdentical: true }),
  row({ model: 'mlp', sizeBytes: 400, batchMs: 10, imageMs: 0.5 }),
  row({ variant: 'eager static', engine: 'fbgemm', accuracy: 0.8975, sizeBytes: 260, batchMs: 8, imageMs: 0.25, reloadIdentical: true }),
  row({ variant: 'dynamic', model: 'mlp', engine: 'qnnpack', sizeBytes: 100, batchMs: 4, imageMs: 0.1, reloadIdentical: false }),
  row({ variant: 'fx static', engine: 'fbgemm', accuracy: NaN, sizeBytes: NaN, batchMs: NaN, imageMs: NaN, missing: { status: 'not available', reason: 'no prepareFx yet' } }),
  row({ variant: 'qat', engine: 'qnnpack', accuracy: NaN, sizeBytes: NaN, batchMs: NaN, imageMs: NaN, missing: { status: 'failed', reason: 'boom' } }),
];

describe('rowCells', () => {
  it('compares each variant with the float model it was made from', () => {
    expect(baselineOf(rows[3]!, rows)).toBe(rows[1]);
    // eager static: 40 / 8 = 5x faster, 260 / 1000 = 26% of the size.
    expect(rowCells(rows[2]!, rows)).toEqual(['eager static', 'cnn', 'fbgemm', '89.75%', '260', '26.0%', '8.00', '0.250', '5.00x', 'identical']);
    // dynamic mlp: 10 / 4 = 2.5x, 100 / 400 = 25%.
    expect(rowCells(rows[3]!, rows)).toEqual(['dynamic', 'mlp', 'qnnpack', '90.00%', '100', '25.0%', '4.00', '0.100', '2.50x', 'DIFFERS']);
    expect(rowCells(rows[1]!, rows).slice(5)).toEqual(['100.0%', '10.00', '0.500', '1.00x', '-']);
  });
  it('marks unavailable and failed variants and says why under the table', () => {
    expect(rowCells(rows[4]!, rows).slice(3, 5)).toEqual(['not available', '']);
    expect(rowCells(rows[5]!, rows)[3]).toBe('FAILED');
    expect(missingNotes(rows)).toEqual(['fx static (fbgemm): not available: no prepareFx yet', 'qat (qnnpack): failed: boom']);
  });
});

describe('formatTable', () => {
  it('aligns every column (header, rule, rows)', () => {
    const lines = formatTable(rows).split('\n');
    expect(lines.length).toBe(2 + rows.length);
    expect(lines[0]!.startsWith('variant       model  engine ')).toBe(true);
    expect(lines[1]!.split('  ')[0]).toBe('-'.repeat('eager static'.length));
    // Numbers are right-aligned: the speedup column ends at the same offset on every measured row.
    const speedupEnd = (l: string, s: string) => l.indexOf(s) + s.length;
    expect(speedupEnd(lines[4]!, '5.00x')).toBe(speedupEnd(lines[5]!, '2.50x'));
  });
});

describe('tableHtml', () => {
  it('renders a header and one escaped row per result', () => {
    const html = tableHtml([row({ variant: '<x> & "y"' })]);
    expect(html).toContain('<th>variant</th>');
    expect(html).toContain('<td>&lt;x&gt; &amp; &quot;y&quot;</td>');
    expect(html.match(/<tr>/g)!.length).toBe(2);
    expect(escapeHtml('a<b')).toBe('a&lt;b');
  });
});
