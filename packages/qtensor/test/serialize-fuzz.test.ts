// Seeded fuzzing of both readers: mutated valid files must load or throw QTorchSerializationError,
// never another error, a crash or a hang.
import { describe, expect, it } from 'vitest';
import {
  QTorchSerializationError, Tensor, float64, fromValues, int64, loadSafetensors, loadTorchFile, quantizePerChannel,
  quantizePerTensor, qint8, quint8, saveSafetensors, tensor,
} from '../src/index.js';
import { ZipArchive } from '../src/serialize/zip.js';
import { fixtureBytes, seededRandom, writeZip } from './serialize-helpers.js';

type Rng = () => number;
const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x20, 0x22, 0x2c, 0x30, 0x39, 0x5b, 0x5d, 0x7b, 0x7d];

/** One random mutation of `src` (a new array). */
function mutate(src: Uint8Array, rng: Rng, focus?: [number, number]): Uint8Array {
  const pick = (n: number) => Math.floor(rng() * n);
  const [lo, hi] = focus ?? [0, src.length];
  const at = () => lo + pick(Math.max(1, hi - lo));
  const out = src.slice();
  switch (pick(7)) {
    case 0: // flip a few bits
      for (let i = 0, n = 1 + pick(4); i < n; i++) out[at()] ^= 1 << pick(8);
      return out;
    case 1: // interesting byte values
      for (let i = 0, n = 1 + pick(3); i < n; i++) out[at()] = INTERESTING[pick(INTERESTING.length)]!;
      return out;
    case 2: { // a 32-bit boundary value
      const p = at(), v = [0, 0xffffffff, 0x7fffffff, 0x80000000, 1, 0xfffffffe][pick(6)]!;
      for (let i = 0; i < 4 && p + i < out.length; i++) out[p + i] = (v >>> (8 * i)) & 0xff;
      return out;
    }
    case 3: // truncate
      return src.slice(0, at());
    case 4: { // delete a chunk
      const p = at(), n = 1 + pick(16);
      return Uint8Array.from([...src.subarray(0, p), ...src.subarray(p + n)]);
    }
    case 5: { // duplicate a chunk in place
      const p = at(), n = 1 + pick(16);
      return Uint8Array.from([...src.subarray(0, p + n), ...src.subarray(p, p + n), ...src.subarray(p + n)]);
    }
    default: { // random bytes
      for (let i = 0, n = 1 + pick(8); i < n; i++) out[at()] = pick(256);
      return out;
    }
  }
}

/** Runs `load`; any error other than QTorchSerializationError fails the test with the input's seed. */
function survive(load: () => unknown, label: string): 'ok' | 'rejected' {
  try {
    load();
    return 'ok';
  } catch (e) {
    if (e instanceof QTorchSerializationError) return 'rejected';
    throw new Error(`${label}: unexpected ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
}

function sampleSafetensors(): Uint8Array {
  const x = tensor([[-1, -0.25, 0, 0.3], [0.7, 1.1, 2.5, -3]]);
  return saveSafetensors({
    w: x,
    d: fromValues([1 / 3, 2], [2], float64),
    i: fromValues([3, -4, 2 ** 40], [3], int64),
    q: quantizePerTensor(x, 0.05, 130, quint8),
    pc: quantizePerChannel(x, [0.02, 0.03], [0, -2], 0, qint8),
  }, { metadata: { format: 'pt' } });
}

describe('fuzz (seeded)', () => {
  it('safetensors: 800 mutated files, half of them mutated inside the JSON header', () => {
    const valid = sampleSafetensors();
    const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));
    const rng = seededRandom(1);
    const counts = { ok: 0, rejected: 0 };
    for (let i = 0; i < 800; i++) {
      const bytes = mutate(valid, rng, i % 2 ? [8, headerEnd] : undefined);
      const r = survive(() => {
        const { tensors } = loadSafetensors(bytes);
        for (const t of Object.values(tensors)) expect(t.data.length).toBe(t.numel()); // each tensor owns exactly its data
      }, `safetensors #${i}`);
      counts[r]++;
    }
    expect(counts.rejected).toBeGreaterThan(100);
    expect(counts.ok).toBeGreaterThan(10); // mutations of tensor bytes still load
  });

  it('torch checkpoints: 500 mutated archives (zip layer)', () => {
    const files = ['state_dict.pt', 'quantized.pt', 'nested.pt', 'zip64.pt'].map(fixtureBytes);
    const rng = seededRandom(2);
    let rejected = 0;
    for (let i = 0; i < 500; i++) {
      const src = files[i % files.length]!;
      if (survive(() => loadTorchFile(mutate(src, rng)), `archive #${i}`) === 'rejected') rejected++;
    }
    expect(rejected).toBeGreaterThan(100);
  });

  it('torch checkpoints: 800 mutated pickles and storage records re-zipped with valid CRCs', () => {
    const sources = ['state_dict.pt', 'quantized.pt', 'nested.pt', 'noncontiguous.pt', 'protocol4.pt', 'quantized_linear.pt'].map((name) => {
      const zip = new ZipArchive(fixtureBytes(name), 'fuzz');
      return zip.names.map((n): [string, Uint8Array] => [n, zip.read(n).slice()]);
    });
    const rng = seededRandom(3);
    const counts = { ok: 0, rejected: 0 };
    for (let i = 0; i < 800; i++) {
      const entries = sources[i % sources.length]!.map(([n, b]): [string, Uint8Array] => [n, b]);
      // mostly the pickle (index 0); sometimes a storage record
      const k = rng() < 0.8 ? 0 : 1 + Math.floor(rng() * (entries.length - 1));
      entries[k] = [entries[k]![0], mutate(entries[k]![1], rng)];
      const r = survive(() => {
        const v = loadTorchFile(writeZip(entries));
        if (v instanceof Tensor) expect(v.numel()).toBeGreaterThanOrEqual(0);
      }, `pickle #${i}`);
      counts[r]++;
    }
    expect(counts.rejected).toBeGreaterThan(100);
    expect(counts.ok).toBeGreaterThan(10);
  });
});
