import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { QUICK_TIMING, timeInterleaved } from '../src/harness.js';
import { buildPeakBinary, measurePeaks, peakOf } from '../src/peak/peak.js';
import { PeakProbe, withInterleavedPeaks } from '../src/peak/probe.js';
import { onnxCases } from '../src/peers/onnx_models.js';
import { graphInput, graphOutput, initializer, model, node } from '../src/peers/onnx_proto.js';
import { loadOrt, onnxruntimePeer } from '../src/peers/onnxruntime.js';
import { torchPeer, torchSession, torchUnavailable } from '../src/peers/torch.js';
import { JsonLineWorker } from '../src/peers/worker.js';
import { runBench } from '../src/run.js';
import { SUITES } from '../src/suites/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('onnx protobuf writer', () => {
  it('encodes a NodeProto byte for byte', () => {
    // field 1 (node), 22 bytes: input "x" (0a 01 78), output "y" (12 01 79), op_type "Relu" (22 04 52656c75),
    // attribute (2a, 8 bytes: name "a" (0a 01 61), i = 3 (18 03), type INT = 2 (field 20: a0 01, 02))
    const n = node('Relu', ['x'], ['y'], { a: 3 });
    expect(hex(n)).toBe('0a' + '16' + '0a0178' + '120179' + '220452656c75' + '2a08' + '0a0161' + '1803' + 'a00102');
  });

  it('encodes multi-byte varints, raw tensor data and float attributes', () => {
    // TensorProto: dims 300 (08 ac02), data_type int8 (10 03), name "w" (42 01 77), raw_data 2 bytes (4a 02 ff01)
    expect(hex(initializer('w', 'int8', [300], Int8Array.of(-1, 1)))).toBe('2a0c' + '08ac02' + '1003' + '420177' + '4a02ff01');
    // AttributeProto (NodeProto field 5, 15 bytes): name "alpha" (0a 05 ...), f = 1.5 (15 0000c03f), type FLOAT (a0 01 01)
    expect(hex(node('LeakyRelu', [], [], { alpha: { float: 1.5 } }))).toContain('2a0f' + '0a05616c706861' + '150000c03f' + 'a00101');
    expect(() => initializer('w', 'int8', [-1], new Int8Array(0))).toThrow(RangeError);
  });
});

// onnxruntime-node is an optional dependency: where it cannot load, the peer must say so and time
// nothing; where it loads (CI on linux-x64 installs it), the models must run and compute.
const ortOrReason = await loadOrt();

describe('onnxruntime peer', () => {
  it('says why when onnxruntime-node cannot load, and opens where it is installed', async () => {
    const session = await onnxruntimePeer.open();
    if (typeof ortOrReason === 'string') {
      expect(session).toMatch(/^onnxruntime-node cannot load/);
    } else {
      if (typeof session === 'string') throw new Error(session);
      expect(session.lines[0]).toMatch(/^onnxruntime-node /);
      expect(await session.close()).toEqual([]);
      expect(typeof ortOrReason.InferenceSession.create).toBe('function');
    }
  });

  it('a hand-written QLinearMatMul model computes the quantized product', async () => {
    const ort = ortOrReason;
    if (typeof ort === 'string') return; // covered by the test above
    const x = Uint8Array.of(130, 120, 200, 0, 255, 128); // 2 x 3
    const w = Int8Array.of(5, -7, 100, 3, -128, 127); // 3 x 2
    const bytes = model([
      node('QLinearMatMul', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], ['y']),
      initializer('xs', 'float', [], Float32Array.of(0.05)), initializer('xz', 'uint8', [], Uint8Array.of(128)),
      initializer('ws', 'float', [], Float32Array.of(0.03)), initializer('wz', 'int8', [], Int8Array.of(0)),
      initializer('ys', 'float', [], Float32Array.of(0.25)), initializer('yz', 'uint8', [], Uint8Array.of(100)),
      initializer('w', 'int8', [3, 2], w), graphInput('x', 'uint8', [2, 3]), graphOutput('y', 'uint8', [2, 2]),
    ]);
    const session = await ort.InferenceSession.create(bytes, {});
    const out = (await session.run({ x: new ort.Tensor('uint8', x, [2, 3]) })) as Record<string, { data: Uint8Array; dims: number[] }>;
    // naive float64 reference: y = clamp(round(sum (x - 128) w * 0.05 * 0.03 / 0.25) + 100, 0, 255)
    const want: number[] = [];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        let acc = 0;
        for (let k = 0; k < 3; k++) acc += (x[i * 3 + k]! - 128) * w[k * 2 + j]!;
        want.push(Math.min(255, Math.max(0, Math.round((acc * 0.05 * 0.03) / 0.25) + 100)));
      }
    }
    const got = [...out.y!.data];
    got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1));
    // by hand: row 0 = (2, -8, 72) . (5, 100, -128) = -10006 -> -60.04 -> 40; (2, -8, 72) . (-7, 3, 127) = 9106 -> 54.64 -> 155
    //          row 1 = (-128, 127, 0) . (5, 100, -128) = 12060 -> 72.36 -> 172; . (-7, 3, 127) = 1277 -> 7.66 -> 108
    expect(want).toEqual([40, 155, 172, 108]);
  });

  it('every quick case of every suite builds a model onnxruntime accepts, timed in our groups per thread count', async () => {
    if (typeof ortOrReason === 'string') return; // covered by the first test
    const specs = SUITES.flatMap((s) => s.specs({ quick: true }));
    const withModels = specs.filter((s) => onnxCases(s).length > 0);
    expect(withModels.map((s) => s.kind).sort()).toEqual(['conv', 'conv', 'dequantize', 'linear', 'linear', 'linear_dynamic', 'lstm_dynamic', 'matmul', 'matmul', 'quantize']);
    const suites = SUITES.filter((s) => s.name !== 'models');
    const out = await runBench({ suites, threads: [1, 2], peers: [onnxruntimePeer], quick: true, timing: { ...QUICK_TIMING, budgetMs: 0, minRuns: 1 }, peaks: false });
    expect(out.notes.filter((l) => l.includes('skipped'))).toEqual([]);
    const ort = out.results.filter((r) => r.impl === 'onnxruntime');
    expect(ort).toHaveLength(withModels.reduce((n, s) => n + onnxCases(s).length, 0) * 2);
    for (const r of ort) {
      expect([1, 2]).toContain(r.threads);
      expect(r.runs).toBeGreaterThan(0);
      // each peer row was timed in the group of our rows of the same case
      expect(out.results.some((o) => o.impl.startsWith('qtorch') && o.suite === r.suite && o.case === r.case)).toBe(true);
    }
    expect(out.notes.filter((l) => l.startsWith('onnxruntime: no model for'))).toEqual([expect.stringMatching(/: copy$/)]);
  });
});

describe('onnxruntime DynamicQuantizeLSTM model', () => {
  it('runs the stacked com.microsoft LSTM: output (L, 1, N, H), hidden states strictly inside (-1, 1), not constant', async () => {
    const ort = ortOrReason;
    if (typeof ort === 'string') return; // covered by the peer test above
    const spec = SUITES.flatMap((s) => s.specs({ quick: true })).find((s) => s.kind === 'lstm_dynamic');
    if (spec?.kind !== 'lstm_dynamic') throw new Error('the dynamic suite has no LSTM case');
    const [c] = onnxCases(spec);
    expect(c!.label).toBe('DynamicQuantizeLSTM');
    const session = await ort.InferenceSession.create(c!.model, {});
    const f = c!.feeds.x!;
    const out = (await session.run({ x: new ort.Tensor('float32', f.data, f.dims) })) as Record<string, { data: Float32Array; dims: number[] }>;
    const y = Object.values(out)[0]!;
    expect(y.dims).toEqual([spec.seq, 1, spec.batch, spec.hidden]);
    // h = o * tanh(c): |h| < 1; random weights and inputs give distinct values
    for (const v of y.data) expect(Math.abs(v)).toBeLessThan(1);
    expect(new Set(y.data).size).toBeGreaterThan(y.data.length / 2);
  });
});

const STAND_IN = fileURLToPath(new URL('./fixtures/stand_in_peer.mjs', import.meta.url));
const standIn = (timeoutMs?: number) => new JsonLineWorker('stand-in', process.execPath, [STAND_IN], timeoutMs);

describe('JSON-lines worker', () => {
  it('answers requests in order, raises a reply\'s error naming the request, and closes', async () => {
    const w = standIn();
    expect(await w.request({ op: 'hello' })).toEqual({ torch: 'stand-in 0.0', engines: ['qnnpack', 'onednn'] });
    await expect(w.request({ op: 'time', id: 7, reps: 1 })).rejects.toThrow(/^stand-in: 'time' failed: KeyError: 7$/);
    await expect(w.request({ op: 'garbage' })).rejects.toThrow(/'garbage' got a reply that is not JSON: not json/);
    expect(await w.request({ op: 'stats' })).toEqual({ live: [], reps: [] }); // still serving
    await w.close();
    await expect(w.request({ op: 'hello' })).rejects.toThrow(/stand-in: worker exited \(code 0\)/);
  });

  it('a worker that dies mid-request rejects it with the exit and the last stderr line', async () => {
    const w = standIn();
    await expect(w.request({ op: 'exit' })).rejects.toThrow('stand-in: worker exited (code 3): stand-in: told to exit');
    await expect(w.request({ op: 'hello' })).rejects.toThrow(/worker exited \(code 3\)/);
  });

  it('a command that cannot start rejects every request', async () => {
    const w = new JsonLineWorker('nowhere', '/nonexistent/python3', []);
    await expect(w.request({ op: 'hello' })).rejects.toThrow(/nowhere: worker could not start \(spawn \/nonexistent\/python3 ENOENT\)/);
    await w.close();
  });

  it('a request without a reply in time kills the worker', async () => {
    const w = new JsonLineWorker('sleeper', process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], 200);
    await expect(w.request({ op: 'hello' })).rejects.toThrow("sleeper: no reply to 'hello' within 0.2 s; worker killed");
    await w.close();
  });
});

describe('torch session over the worker protocol', () => {
  it('prepares a case per thread count, times reps in the worker, drops on release, reports skips', async () => {
    const w = standIn();
    const session = await torchSession(w, '/stand-in/python');
    expect(session.lines).toEqual(['torch stand-in 0.0 via /stand-in/python: engines qnnpack, onednn']);
    const spec = SUITES.find((s) => s.name === 'linear')!.specs({ quick: true })[0]!;
    const p = await session.cases(spec, 2);
    expect(p.cases.map((c) => [c.impl, c.engine, c.dtype, c.threads, c.case])).toEqual([
      ['torch', 'qnnpack', 'int8', 2, spec.case], ['torch', 'onednn', 'int8', 2, spec.case]]);
    // the harness uses the worker's own timing (1 and 2 ms), not the pipe's round trip
    const timing = { warmup: 1, minRuns: 3, maxRuns: 3, budgetMs: 0, slowMs: 1e9, slowRuns: 1, verySlowMs: 1e9, minSampleMs: 1.5 };
    const results = await timeInterleaved(p.cases, timing);
    expect(results.map((r) => r.medianMs)).toEqual([1, 2]);
    expect(results.map((r) => r.ops)).toEqual([spec.ops, spec.ops]);
    // warm-up 1 rep each, then bursts of the cases' own 20 ms on 2 threads: 20 reps of the 1 ms variant, 10 of the 2 ms one
    expect((await w.request<{ reps: number[] }>({ op: 'stats' })).reps).toEqual([1, 1, 20, 10, 20, 10, 20, 10]);
    await p.release();
    expect((await w.request<{ live: number[] }>({ op: 'stats' })).live).toEqual([]);
    // on 1 thread the run's minSampleMs (1.5) applies: 2 reps and 1
    const one = await session.cases(spec, 1);
    expect(one.cases.map((c) => c.minSampleMs)).toEqual([undefined, undefined]);
    await timeInterleaved(one.cases, timing);
    expect((await w.request<{ reps: number[] }>({ op: 'stats' })).reps.slice(8)).toEqual([1, 1, 2, 1, 2, 1, 2, 1]);
    await one.release();
    expect((await w.request<{ live: number[] }>({ op: 'stats' })).live).toEqual([]);
    const copy = SUITES.find((s) => s.name === 'quantize')!.specs({ quick: true }).find((s) => s.kind === 'copy')!;
    const none = await session.cases(copy, 1);
    expect(none.cases).toEqual([]);
    expect(none.lines).toEqual([`torch: skipped ${copy.suite} ${copy.case}: no torch peer for kind copy`]);
    expect(await session.close()).toEqual([]);
  });

  it('the real peer opens where torch imports, and says why where it does not', async () => {
    const why = torchUnavailable();
    const session = await torchPeer.open();
    if (why !== null) {
      expect(session).toBe(why);
      return;
    }
    if (typeof session === 'string') throw new Error(session);
    expect(session.lines[0]).toMatch(/^torch \S+ via .*: engines .*qnnpack/);
    const spec = SUITES.find((s) => s.name === 'linear')!.specs({ quick: true })[0]!;
    const p = await session.cases(spec, 1);
    expect(p.cases.map((c) => c.engine)).toContain('qnnpack');
    expect(p.cases.map((c) => c.dtype)).toContain('fp32');
    for (const c of p.cases) expect(await c.timed!(3)).toBeGreaterThan(0);
    await p.release();
    await session.close();
  }, 60_000);
});

describe('torch peer and peak microbenchmark', () => {
  it('torch is reported unavailable with a reason when the interpreter is missing', () => {
    expect(torchUnavailable('/nonexistent/python3')).toMatch(/not found/);
  });

  it('the peak build reports a missing compiler instead of throwing', () => {
    expect(buildPeakBinary('/nonexistent/g++')).toEqual({ reason: expect.stringMatching(/no C\+\+ compiler/) });
  });

  it('measures int8 and fp32 peaks with g++ (x86-64 with AVX2)', () => {
    const report = measurePeaks([1], { quick: true });
    expect(report.reason).toBeNull();
    expect(report.features.avx2).toBe(true);
    expect(peakOf(report, 'int8', 1)).toBeGreaterThan(1);
    expect(peakOf(report, 'fp32', 1)).toBeGreaterThan(1);
    for (const r of report.rows) expect(r.runs).toBeGreaterThan(1);
  });

  it('times the fastest peak kernel per dtype among a group (peak --serve)', async () => {
    const report = measurePeaks([1], { quick: true });
    const probe = PeakProbe.open(report);
    expect(probe).not.toBeNull();
    try {
      const meta = { suite: 'linear', case: '(8,8,8)', impl: 'qtorch-native', engine: 'fbgemm', threads: 2, ops: 1024 } as const;
      const group = [{ ...meta, dtype: 'int8' as const, run: () => 0 }, { ...meta, dtype: 'fp32' as const, run: () => 0 }, { ...meta, dtype: 'fp32' as const, ops: 0, run: () => 0 }];
      const cases = probe!.casesFor(group);
      expect(cases.map((c) => [c.dtype, c.threads, c.impl])).toEqual([['int8', 2, 'peak-probe'], ['fp32', 2, 'peak-probe']]);
      for (const c of cases) {
        const best = report.rows.filter((r) => r.dtype === c.dtype).sort((a, b) => b.gops - a.gops)[0]!;
        expect(c.engine).toBe(best.name);
        // a call is ~1 ms of the kernel at its 1-thread peak, on each thread
        expect(c.ops / (2 * best.gops * 1e6)).toBeCloseTo(1, 2);
        const ms = await c.timed!(3);  // the worker did 3 calls' operations (checked against its reply)
        // no faster than the hardware: under 1.5x the measured 1-thread peak per thread (a loaded machine may be much slower)
        expect(ms).toBeGreaterThan(0);
        expect(c.ops / (ms * 1e6)).toBeLessThan(2 * 1.5 * best.gops);
      }
      expect(probe!.casesFor([{ ...meta, dtype: 'int8', ops: 0, run: () => 0 }])).toEqual([]);
    } finally {
      await probe!.close();
    }
  }, 60_000);

  it('the probe reports a request it cannot run as an error', async () => {
    const report = measurePeaks([1], { quick: true });
    const probe = PeakProbe.open({ ...report, rows: report.rows.map((r) => ({ ...r, name: 'no-such-kernel' })) })!;
    try {
      const [c] = probe.casesFor([{ suite: 's', case: 'c', impl: 'qtorch-native', engine: 'e', dtype: 'int8', threads: 1, ops: 1, run: () => 0 }]);
      await expect(c!.timed!(1)).rejects.toThrow(/peak --serve: expected an available kernel.*no-such-kernel/);
    } finally {
      await probe.close();
    }
  }, 60_000);

  it('a group\'s probe rows become peakGops of its rows of the same dtype and thread count', () => {
    const base = { suite: 'linear', case: 'c', engine: 'fbgemm', threads: 1, ops: 1, medianMs: 1, runs: 5 };
    const rows = withInterleavedPeaks([
      { ...base, impl: 'qtorch-native', dtype: 'int8', gops: 100 },
      { ...base, impl: 'onnxruntime', dtype: 'int8', gops: 90 },
      { ...base, impl: 'qtorch-native', dtype: 'fp32', gops: 50 },
      { ...base, impl: 'peak-probe', engine: 'vpmaddubsw-ymm', dtype: 'int8', gops: 190 },
    ]);
    expect(rows.map((r) => [r.impl, r.dtype, r.peakGops])).toEqual([
      ['qtorch-native', 'int8', 190], ['onnxruntime', 'int8', 190], ['qtorch-native', 'fp32', undefined],
    ]);
  });
});
