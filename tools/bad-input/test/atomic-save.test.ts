// Atomic saving (issue #15): qtensor's saveFile and fx's saveGraphModuleFile write a temporary
// file in the same directory and rename it over the target, so a failure mid-write never leaves
// a truncated model where the old one was. The failures are injected into node:fs (a write that
// stops half way and throws, a failing fsync, a failing rename) and the old file is then read
// back byte for byte.
import * as realFs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Linear, ReLU, Sequential } from '@qtorch/nn';
import { loadGraphModuleFile, saveGraphModuleFile, symbolicTrace } from '@qtorch/fx';
import { loadFile, manualSeed, quantizePerTensor, quint8, saveFile, tensor, writeFileAtomic } from '@qtorch/qtensor';

/** Which fs call fails next (null: none). */
const fault: { op: 'writeSync' | 'fsyncSync' | 'renameSync' | null } = { op: null };
/** Bytes the faulty writeSync let through before throwing (to show the write really was cut). */
const cut = { bytes: 0 };

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const eio = (call: string): Error => Object.assign(new Error(`EIO: simulated crash in ${call}`), { code: 'EIO' });
  return {
    ...fs,
    // A write that stops half way through its buffer, then fails: what a full disk or a
    // killed process leaves behind with a plain writeFileSync.
    writeSync: (fd: number, buf: Uint8Array, off = 0, len = buf.byteLength - off, ...rest: unknown[]) => {
      if (fault.op !== 'writeSync') return (fs.writeSync as (...a: unknown[]) => number)(fd, buf, off, len, ...rest);
      const half = Math.max(1, len >> 1);
      cut.bytes = fs.writeSync(fd, buf, off, half);
      throw eio('writeSync');
    },
    fsyncSync: (fd: number) => {
      if (fault.op === 'fsyncSync') throw eio('fsyncSync');
      fs.fsyncSync(fd);
    },
    renameSync: (from: string, to: string) => {
      if (fault.op === 'renameSync') throw eio('renameSync');
      fs.renameSync(from, to);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'qtorch-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  fault.op = null;
});

/** A new empty directory for one test, so leftover temporary files are easy to see. */
function fresh(): string {
  return mkdtempSync(join(dir, 't-'));
}

const FAULTS = ['writeSync', 'fsyncSync', 'renameSync'] as const;

describe('writeFileAtomic', () => {
  it('creates and replaces files, leaving no temporary file', () => {
    const d = fresh();
    const p = join(d, 'plain.bin');
    writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    writeFileAtomic(p, new Uint8Array([9]));
    expect([...readFileSync(p)]).toEqual([9]);
    expect(readdirSync(d)).toEqual(['plain.bin']);
  });

  for (const op of FAULTS) {
    it(`keeps the old bytes when ${op} fails, and removes the temporary file`, () => {
      const d = fresh();
      const p = join(d, 'model.bin');
      const old = new Uint8Array(4096).map((_, i) => i % 251);
      writeFileSync(p, old);
      fault.op = op;
      expect(() => writeFileAtomic(p, new Uint8Array(1 << 16).fill(7))).toThrow(`simulated crash in ${op}`);
      if (op === 'writeSync') expect(cut.bytes).toBe(1 << 15);
      expect(new Uint8Array(readFileSync(p))).toEqual(old);
      expect(readdirSync(d)).toEqual(['model.bin']);
    });
  }

  it('a failed first save leaves no file at all', () => {
    const d = fresh();
    fault.op = 'writeSync';
    expect(() => writeFileAtomic(join(d, 'never.bin'), new Uint8Array(100))).toThrow(/simulated/);
    expect(readdirSync(d)).toEqual([]);
  });

  it('the fault injection is real: a plain writeFileSync-style write is left truncated', () => {
    // Control experiment: the same cut applied to a non-atomic write truncates the target.
    const p = join(fresh(), 'control.bin');
    writeFileSync(p, new Uint8Array(4096).fill(1));
    const fd = realFs.openSync(p, 'w');
    fault.op = 'writeSync';
    expect(() => realFs.writeSync(fd, new Uint8Array(1000).fill(2), 0, 1000)).toThrow(/simulated/);
    realFs.closeSync(fd);
    expect(readFileSync(p).byteLength).toBe(500);
  });
});

describe('saveFile (safetensors)', () => {
  for (const op of FAULTS) {
    it(`a save interrupted in ${op} leaves the previous model loadable and unchanged`, () => {
      const d = fresh();
      const p = join(d, 'model.safetensors');
      const w = tensor([[0.5, -1.25], [2, 3.5]]);
      const qw = quantizePerTensor(w, 0.25, 3, quint8);
      saveFile(p, { weight: w, qweight: qw });
      const before = new Uint8Array(readFileSync(p));

      fault.op = op;
      const bigger = tensor(Array.from({ length: 10_000 }, (_, i) => i / 7));
      expect(() => saveFile(p, { weight: bigger })).toThrow(/simulated/);
      fault.op = null;

      expect(new Uint8Array(readFileSync(p))).toEqual(before);
      const { tensors } = loadFile(p);
      expect(tensors.weight!.values()).toEqual(Float32Array.from([0.5, -1.25, 2, 3.5]));
      expect(tensors.qweight!.intRepr().values()).toEqual(Uint8Array.from([5, 0, 11, 17]));
      expect(readdirSync(d)).toEqual(['model.safetensors']);
    });
  }

  it('a successful save replaces the file', () => {
    const d = fresh();
    const p = join(d, 'model.safetensors');
    saveFile(p, { a: tensor([1]) });
    saveFile(p, { b: tensor([2, 3]) });
    expect(Object.keys(loadFile(p).tensors)).toEqual(['b']);
    expect(readdirSync(d)).toEqual(['model.safetensors']);
  });
});

describe('saveGraphModuleFile (fx)', () => {
  for (const op of FAULTS) {
    it(`a save interrupted in ${op} leaves the previous GraphModule loadable`, () => {
      manualSeed(3);
      const d = fresh();
      const p = join(d, 'model.qfx');
      const gm = symbolicTrace(new Sequential(new Linear(3, 2), new ReLU()));
      saveGraphModuleFile(p, gm);
      const before = new Uint8Array(readFileSync(p));

      fault.op = op;
      const other = symbolicTrace(new Sequential(new Linear(3, 4)));
      expect(() => saveGraphModuleFile(p, other)).toThrow(/simulated/);
      fault.op = null;

      expect(new Uint8Array(readFileSync(p))).toEqual(before);
      const x = tensor([[1, -2, 0.5]]);
      const loaded = loadGraphModuleFile(p);
      expect(loaded.call(x).values()).toEqual(gm.call(x).values());
      expect(readdirSync(d)).toEqual(['model.qfx']);
    });
  }
});
