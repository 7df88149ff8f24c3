/**
 * Loading PyTorch checkpoints: the zip archive `torch.save` writes (`<name>/data.pkl`, a
 * pickle of the object, and `<name>/data/<key>`, one record per storage), read with the
 * restricted unpickler. The reader never executes anything from the file.
 */
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { decodeElements } from './codec.js';
import { describe, ensure, fail } from './errors.js';
import { isTuple, unpickle } from './pickle.js';
import { LoadedStorage, StorageType, checkTorchLeaf, findTorchGlobal } from './torch_globals.js';
import { ZipArchive } from './zip.js';

const OP = 'loadTorchFile';

/**
 * A value loaded from a checkpoint: tensors, nested dicts (plain objects), lists and tuples
 * (arrays; tuples are frozen), and Python scalars (ints beyond 2^53 as bigint). Dtype globals
 * load as qtorch dtypes, qschemes and devices as strings. Dict keys become strings; like any JS
 * object, a dict lists integer-like keys (`"0"`, `"1"`) first, other keys in file order.
 */
export type TorchValue =
  | null | boolean | number | bigint | string | Tensor | DType
  | TorchValue[] | readonly TorchValue[] | { [key: string]: TorchValue };

/** The archive's record prefix (`archive/` for a buffer, the file's stem for a path). */
function recordPrefix(zip: ZipArchive): string {
  const first = zip.names[0];
  ensure(first !== undefined, OP, 'the zip archive is empty');
  const slash = first.indexOf('/');
  ensure(slash > 0, OP, () => `unexpected entry ${describe(first)}: torch.save archives keep every record in one top-level folder`);
  const prefix = first.slice(0, slash + 1);
  ensure(zip.has(`${prefix}data.pkl`), OP, () => `no ${prefix}data.pkl in the archive (not a torch.save checkpoint)`);
  ensure(!zip.has(`${prefix}constants.pkl`), OP,
    'this is a TorchScript archive (torch.jit.save); save the model\'s state_dict() with torch.save instead');
  if (zip.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`));
    ensure(order === 'little', OP, () => `storages are stored ${describe(order)}-endian; only little-endian checkpoints are supported`);
  }
  return prefix;
}

/** Reads storages on demand (one copy per key, shared by every tensor that views it). */
function storageLoader(zip: ZipArchive, prefix: string): (pid: unknown) => LoadedStorage {
  const loaded = new Map<string, LoadedStorage>();
  return (pid) => {
    ensure(isTuple(pid) && pid.length === 5 && pid[0] === 'storage', OP,
      () => `unsupported persistent id ${describe(pid)} (expected ('storage', type, key, location, numel))`);
    const [, type, key, location, numel] = pid;
    ensure(type instanceof StorageType, OP, () => `persistent id names a non-storage type ${describe(type)}`);
    ensure(typeof key === 'string' && typeof location === 'string', OP, 'persistent id key and location must be strings');
    ensure(typeof numel === 'number' && Number.isSafeInteger(numel) && numel >= 0, OP, () => `bad storage size ${describe(numel)}`);
    const seen = loaded.get(key);
    if (seen) {
      ensure(seen.dtype === type.dtype && seen.numel === numel, OP,
        () => `storage '${key}' is referenced both as ${seen.dtype.torchName}[${seen.numel}] and as ${type.dtype.torchName}[${numel}]`);
      return seen;
    }
    const name = `${prefix}data/${key}`;
    ensure(zip.has(name), OP, () => `storage record ${describe(name)} is missing from the archive`);
    const data = decodeElements(zip.read(name), type.dtype, numel, OP);
    const s = new LoadedStorage(key, type.dtype, { data });
    loaded.set(key, s);
    return s;
  };
}

/**
 * Loads a PyTorch checkpoint (`torch.save` output, the zip format of PyTorch >= 1.6) from its
 * bytes, like `torch.load(f, map_location='cpu')` restricted to state-dict content.
 *
 * Supported: dicts / OrderedDicts (returned as plain objects, nested for nested dicts), lists,
 * tuples, ints, floats, strings, None, bools, tensors of every plain dtype qtorch has,
 * Parameters, quantized tensors (per-tensor affine and per-channel affine / float-qparams),
 * `torch.Size`, `torch.device`, dtypes. Anything else (other classes, TorchScript objects,
 * legacy non-zip files) throws a `QTorchSerializationError` naming it; nothing in the file is
 * ever executed. Tensors own copies of their data; tensors that shared a storage in PyTorch
 * share it here too (views keep their strides and offsets).
 *
 * @example
 * ```ts
 * const sd = loadTorchFile(readFileSync('model.pt')) as Record<string, Tensor>;
 * ```
 */
export function loadTorchFile(bytes: Uint8Array): TorchValue {
  ensure(bytes instanceof Uint8Array, OP, () => `expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] === 0x02) {
    fail(OP, 'this checkpoint uses the legacy (pre-1.6, non-zip) torch.save format; re-save it with torch.save(obj, f) from PyTorch >= 1.6');
  }
  ensure(bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b, OP, 'not a torch.save checkpoint (no zip signature)');
  const zip = new ZipArchive(bytes, OP);
  const prefix = recordPrefix(zip);
  const value = unpickle(zip.read(`${prefix}data.pkl`), {
    findGlobal: findTorchGlobal,
    persistentLoad: storageLoader(zip, prefix),
    checkLeaf: checkTorchLeaf,
  });
  return value as TorchValue;
}
