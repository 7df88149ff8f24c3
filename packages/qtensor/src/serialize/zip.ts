/**
 * A minimal, defensive reader of zip archives as `torch.save` writes them: STORED (not
 * compressed) entries, optional zip64 records, one disk. Every offset and length is checked
 * against the buffer, and each entry's CRC-32 is verified when it is read.
 */
import { describe, ensure, fail } from './errors.js';

/** One entry of the central directory. */
export interface ZipEntry {
  readonly name: string;
  /** Offset of the entry's local header. */
  readonly localOffset: number;
  readonly size: number;
  readonly crc32: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** Entry-count cap: a state dict of a large model has a few thousand storages. */
const MAX_ENTRIES = 1_000_000;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as in zip). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A read-only zip archive over a byte buffer (entries are subarrays, not copies). */
export class ZipArchive {
  private readonly view: DataView;
  private readonly byName = new Map<string, ZipEntry>();

  constructor(private readonly bytes: Uint8Array, private readonly op: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readCentralDirectory();
  }

  /** Entry names in central-directory order. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** Whether an entry exists. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The bytes of an entry (a view into the archive; copy before keeping). */
  read(name: string): Uint8Array {
    const e = this.byName.get(name);
    ensure(e, this.op, () => `the archive has no entry ${describe(name)}`);
    const { op } = this;
    this.need(e.localOffset, LOCAL_SIZE, `local header of ${describe(name)}`);
    ensure(this.u32(e.localOffset) === SIG_LOCAL, op, () => `bad local header signature for entry ${describe(name)}`);
    const start = e.localOffset + LOCAL_SIZE + this.u16(e.localOffset + 26) + this.u16(e.localOffset + 28);
    this.need(start, e.size, `data of entry ${describe(name)}`);
    const data = this.bytes.subarray(start, start + e.size);
    ensure(crc32(data) === e.crc32, op, () => `CRC-32 mismatch in entry ${describe(name)} (corrupt file)`);
    return data;
  }

  private u16(at: number): number {
    return this.view.getUint16(at, true);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  private u64(at: number, what: string): number {
    const v = this.view.getBigUint64(at, true);
    ensure(v <= BigInt(Number.MAX_SAFE_INTEGER), this.op, () => `zip64 ${what} ${v} is too large`);
    return Number(v);
  }

  /** Checks that [at, at + len) lies inside the buffer. */
  private need(at: number, len: number, what: string): void {
    ensure(at >= 0 && len >= 0 && at + len <= this.bytes.length, this.op,
      () => `${what} (bytes ${at}..${at + len}) lies outside the ${this.bytes.length}-byte file (truncated?)`);
  }

  private findEocd(): number {
    const n = this.bytes.length;
    ensure(n >= EOCD_SIZE, this.op, `a ${n}-byte file is too small to be a zip archive`);
    const stop = Math.max(0, n - EOCD_SIZE - 0xffff);
    for (let at = n - EOCD_SIZE; at >= stop; at--) {
      if (this.u32(at) === SIG_EOCD && at + EOCD_SIZE + this.u16(at + 20) === n) return at;
    }
    return fail(this.op, 'no zip end-of-central-directory record (not a zip archive, or truncated)');
  }

  private readCentralDirectory(): void {
    const { op } = this;
    const eocd = this.findEocd();
    ensure(this.u16(eocd + 4) === 0 && this.u16(eocd + 6) === 0, op, 'multi-disk zip archives are not supported');
    let count = this.u16(eocd + 10);
    let cdSize = this.u32(eocd + 12);
    let cdOffset = this.u32(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      this.need(loc, 20, 'zip64 end-of-central-directory locator');
      ensure(this.u32(loc) === SIG_ZIP64_LOCATOR, op, 'missing zip64 end-of-central-directory locator');
      const rec = this.u64(loc + 8, 'record offset');
      this.need(rec, 56, 'zip64 end-of-central-directory record');
      ensure(this.u32(rec) === SIG_ZIP64_EOCD, op, 'bad zip64 end-of-central-directory signature');
      count = this.u64(rec + 32, 'entry count');
      cdSize = this.u64(rec + 40, 'central directory size');
      cdOffset = this.u64(rec + 48, 'central directory offset');
    }
    this.need(cdOffset, cdSize, 'central directory');
    ensure(count <= MAX_ENTRIES && count * CENTRAL_SIZE <= cdSize, op,
      () => `central directory of ${cdSize} bytes cannot hold ${count} entries`);
    const end = cdOffset + cdSize;
    const utf8 = new TextDecoder('utf-8');
    let at = cdOffset;
    for (let i = 0; i < count; i++) {
      ensure(at + CENTRAL_SIZE <= end, op, `central directory entry ${i} is truncated`);
      ensure(this.u32(at) === SIG_CENTRAL, op, `bad central directory signature at entry ${i}`);
      const flags = this.u16(at + 8), method = this.u16(at + 10);
      const nameLen = this.u16(at + 28), extraLen = this.u16(at + 30), commentLen = this.u16(at + 32);
      ensure(at + CENTRAL_SIZE + nameLen + extraLen + commentLen <= end, op, `central directory entry ${i} is truncated`);
      const name = utf8.decode(this.bytes.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLen));
      ensure((flags & 1) === 0, op, () => `entry ${describe(name)} is encrypted`);
      ensure(method === 0, op,
        () => `entry ${describe(name)} uses compression method ${method}${method === 8 ? ' (deflate)' : ''}; only STORED entries (as torch.save writes) are supported`);
      let size = this.u32(at + 24), compSize = this.u32(at + 20), localOffset = this.u32(at + 42);
      const crc = this.u32(at + 16);
      const extra = this.readZip64Extra(at + CENTRAL_SIZE + nameLen, extraLen, { size, compSize, localOffset }, name);
      ({ size, compSize, localOffset } = extra);
      ensure(size === compSize, op, () => `STORED entry ${describe(name)} has size ${size} but compressed size ${compSize}`);
      ensure(!this.byName.has(name), op, () => `duplicate entry ${describe(name)}`);
      this.need(localOffset, LOCAL_SIZE + size, `entry ${describe(name)}`);
      this.byName.set(name, { name, localOffset, size, crc32: crc });
      at += CENTRAL_SIZE + nameLen + extraLen + commentLen;
    }
  }

  /** Applies the zip64 extended-information extra field (id 1) to the 0xffffffff fields. */
  private readZip64Extra(
    at: number, len: number, f: { size: number; compSize: number; localOffset: number }, name: string,
  ): { size: number; compSize: number; localOffset: number } {
    const out = { ...f };
    const end = at + len;
    while (at + 4 <= end) {
      const id = this.u16(at), sz = this.u16(at + 2);
      ensure(at + 4 + sz <= end, this.op, () => `extra field of entry ${describe(name)} is truncated`);
      if (id === 1) {
        let p = at + 4;
        const take = (what: string): number => {
          ensure(p + 8 <= at + 4 + sz, this.op, () => `zip64 extra field of entry ${describe(name)} is too short`);
          const v = this.u64(p, what);
          p += 8;
          return v;
        };
        if (f.size === 0xffffffff) out.size = take('size');
        if (f.compSize === 0xffffffff) out.compSize = take('compressed size');
        if (f.localOffset === 0xffffffff) out.localOffset = take('local header offset');
      }
      at += 4 + sz;
    }
    return out;
  }
}
