/**
 * The eager workflow (prepare / convert / quantizeDynamic / fuseModules / prepareQat) and the
 * loaders (safetensors, torch.save checkpoints, saved GraphModules, state dicts) given the wrong
 * things: non-modules, options in the wrong form, truncated and mutated files. Loaders must
 * throw `QTorchSerializationError` (or a type error for a non-byte argument), never crash,
 * hang or return a half-read model. Deeper hostile-file coverage lives in qtensor's
 * serialize-*.test.ts and fx's serialize tests; these cases cover the entry points.
 */
import assert from 'node:assert/strict';
import {
  QTorchSerializationError, QTorchTypeError, QTorchValueError, loadSafetensors, loadTorchFile, quantizePerTensor, quint8, randn, saveSafetensors, tensor,
} from '@qtorch/qtensor';
import * as nn from '@qtorch/nn';
import { loadGraphModule, saveGraphModule, symbolicTrace } from '@qtorch/fx';
import * as Q from '@qtorch/quantization';
import { type BadInputCase, type ErrorClass, group } from '../case.js';

const g = group('workflows and loaders');

const model = (): nn.Module => new nn.Sequential(new Q.QuantStub(), new nn.Linear(4, 3), new nn.ReLU(), new Q.DeQuantStub());

function workflowCases(): BadInputCase[] {
  const entries: ReadonlyArray<[string, (m: unknown, o?: unknown) => unknown]> = [
    ['prepare', (m, o) => Q.prepare(m as nn.Module, o as never)],
    ['prepareQat', (m, o) => Q.prepareQat(m as nn.Module, o as never)],
    ['convert', (m, o) => Q.convert(m as nn.Module, o as never)],
    ['quantizeDynamic', (m, o) => Q.quantizeDynamic(m as nn.Module, undefined, o as never)],
    ['fuseModules', (m, o) => Q.fuseModules(m as nn.Module, ['1', '2'], o as never)],
  ];
  const out: BadInputCase[] = [];
  for (const [name, run] of entries) {
    for (const [label, m] of [['null', null], ['a number', 5], ['a plain object', { forward: () => 0 }]] as const) {
      out.push(g.throws(`${name}(${label})`, () => run(m), QTorchTypeError, name));
    }
    out.push(g.throws(`${name}(model, true) (inplace given positionally)`, () => run(model(), true), QTorchTypeError, name));
  }
  out.push(
    g.throws('quantizeDynamic(model, 5) (qconfigSpec)', () => Q.quantizeDynamic(model(), 5 as never), QTorchTypeError, 'quantizeDynamic'),
    g.throws("fuseModules(model, 'conv')", () => Q.fuseModules(model(), 'conv' as never), QTorchTypeError, 'fuseModules'),
    g.throws("fuseModules(model, [['nope', 'relu']]) (no such submodule)", () => Q.fuseModules(model(), [['nope', '2']]), QTorchValueError, 'nope'),
    g.throws('prepareQat on a model in eval mode', () => Q.prepareQat(model().eval()), QTorchValueError, 'prepareQat'),
    g.throws('prepare with strict on a model without qconfig', () => Q.prepare(model(), { strict: true }), QTorchValueError, 'prepare'),
    g.returns('convert of an uncalibrated model -> PyTorch\'s default qparams (scale 1, zero point 0), with a warning', () => {
      const m = model();
      (m as unknown as { qconfig: unknown }).qconfig = Q.getDefaultQconfig('qnnpack');
      const warn = process.emitWarning;
      process.emitWarning = () => {};
      try {
        return Q.convert(Q.prepare(m));
      } finally {
        process.emitWarning = warn;
      }
    }, (q) => {
      const quant = q.getSubmodule('0') as unknown as { scale: { values(): ArrayLike<number> }; zero_point: { values(): ArrayLike<number> } };
      assert.deepEqual(Array.from(quant.scale.values()), [1]);
      assert.deepEqual(Array.from(quant.zero_point.values()), [0]);
    }),
    g.throws('Module.loadStateDict(null)', () => new nn.Linear(3, 4).loadStateDict(null as never), QTorchTypeError, 'loadStateDict'),
    g.throws('Module.loadStateDict(sd, true) (strict given positionally)', () => new nn.Linear(3, 4).loadStateDict(new nn.Linear(3, 4).stateDict(), true as never),
      QTorchTypeError, 'loadStateDict'),
  );
  return out;
}

/** Cut points through a file: header length, header, data, and one byte short. */
const cutsOf = (n: number): number[] => [...new Set([0, 1, 7, 8, 9, 16, Math.floor(n / 3), Math.floor(n / 2), n - 1])].filter((c) => c < n);

function loaderCases(): BadInputCase[] {
  const out: BadInputCase[] = [];
  const st = saveSafetensors({ w: randn([3, 4]), q: quantizePerTensor(randn([2, 2]), 0.1, 10, quint8) }, { metadata: { format: 'pt' } });
  const gm = saveGraphModule(symbolicTrace(new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU())));
  const loaders: ReadonlyArray<[string, (b: Uint8Array) => unknown, Uint8Array]> = [
    ['loadSafetensors', loadSafetensors, st], ['loadGraphModule', loadGraphModule, gm],
  ];
  for (const [name, load, bytes] of loaders) {
    for (const cut of cutsOf(bytes.length)) {
      out.push(g.throws(`${name}: file truncated to ${cut} of ${bytes.length} bytes`, () => load(bytes.slice(0, cut)), QTorchSerializationError, /\w/));
    }
    out.push(g.throws(`${name}: header length past the end of the file`, () => {
      const b = bytes.slice();
      new DataView(b.buffer).setBigUint64(0, BigInt(b.length), true);
      return load(b);
    }, QTorchSerializationError, /\w/));
    out.push(g.throws(`${name}: header length 2^53 (no huge allocation)`, () => {
      const b = bytes.slice();
      new DataView(b.buffer).setBigUint64(0, 2n ** 53n, true);
      return load(b);
    }, QTorchSerializationError, /\w/));
    out.push(g.throws(`${name}: header bytes replaced by garbage`, () => {
      const b = bytes.slice();
      for (let i = 8; i < Math.min(b.length, 40); i++) b[i] = 0xff;
      return load(b);
    }, QTorchSerializationError, /\w/));
    for (const [label, v, cls] of [['null', null, QTorchSerializationError], ['a string', 'abc', QTorchSerializationError], ['an Array', [1, 2, 3], QTorchSerializationError]] as const) {
      out.push(g.throws(`${name}(${label})`, () => load(v as never), cls as ErrorClass, /\w/));
    }
  }
  out.push(
    g.throws('loadTorchFile: 3 random bytes', () => loadTorchFile(new Uint8Array([1, 2, 3])), QTorchSerializationError, 'loadTorchFile'),
    g.throws('loadTorchFile: a safetensors file', () => loadTorchFile(st), QTorchSerializationError, 'loadTorchFile'),
    g.throws('loadTorchFile(null)', () => loadTorchFile(null as never), QTorchSerializationError, 'loadTorchFile'),
    g.throws('loadGraphModule: a safetensors file without a graph', () => loadGraphModule(saveSafetensors({ w: tensor([1]) })), QTorchSerializationError, /graph|GraphModule|metadata/i),
    g.throws('saveSafetensors({ w: [1, 2] }) (not a tensor)', () => saveSafetensors({ w: [1, 2] } as never), QTorchTypeError, 'saveSafetensors'),
    g.throws('saveSafetensors(null)', () => saveSafetensors(null as never), QTorchTypeError, 'saveSafetensors'),
  );
  return out;
}

/** Every workflow and loader case. */
export function workflowAndLoaderCases(): BadInputCase[] {
  return [...workflowCases(), ...loaderCases()];
}
