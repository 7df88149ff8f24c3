// FX numeric suite (torch.ao.ns._numeric_suite_fx) on FxNet of golden workflows/fx.json, quantized
// with prepareFx / convertFx (qnnpack): extractWeights, addLoggers / extractLoggerInfo and
// extendLoggerResultsWithComparison, checked against naive float64 references.
import { describe, expect, it } from 'vitest';
import { Conv2d, Linear, Module, ReLU, type StateDict } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { type GraphModule, torch } from '@qtorch/fx';
import { type Tensor, manualSeed, quantizePerTensor, quint8, randn, withEngine } from '@qtorch/qtensor';
import { convertFx, getDefaultQconfigMapping, prepareFx } from '@qtorch/quantization/fx';
import { type GoldenCase, type GoldenTensor, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';
import { OutputLogger, addLoggers, addShadowLoggers, computeSqnr, extendLoggerResultsWithComparison, extractLoggerInfo, extractShadowLoggerInfo, extractWeights } from '../src/fx/index.js';

import { FxNet } from '../../fx/test/models.js';

const goldenCase = (loadGolden('workflows/fx.json').cases as GoldenCase[]).find((c) => (c.args as { engine: string }).engine === 'qnnpack')!;
const inputs = goldenCase.inputs as { float_state_dict: Record<string, GoldenTensor>; calibration: GoldenTensor[]; test_input: GoldenTensor };
const testInput = tensorFromGolden(inputs.test_input);

/** The float FxNet with the golden weights and its qnnpack convertFx result. */
function build(): { float: FxNet; quantized: GraphModule } {
  return withEngine('qnnpack', () => {
    const float = new FxNet();
    float.loadStateDict(Object.fromEntries(Object.entries(inputs.float_state_dict).map(([k, v]) => [k, tensorFromGolden(v)])) as StateDict);
    float.eval();
    const calibration = inputs.calibration.map(tensorFromGolden);
    const prepared = prepareFx(float, getDefaultQconfigMapping('qnnpack'), { exampleInputs: [calibration[0]!] });
    for (const x of calibration) prepared.call(x);
    return { float, quantized: convertFx(prepared) };
  });
}

/** SQNR in dB of float64 value arrays, written out independently of the suite. */
function naiveSqnr(x: readonly number[], y: readonly number[]): number {
  let sig = 0, noise = 0;
  x.forEach((v, i) => { sig += v * v; noise += (v - y[i]!) ** 2; });
  return 10 * Math.log10(sig / noise);
}

const floatValues = (t: Tensor): number[] => (t.isQuantized ? t.dequantize() : t).toArray();

describe('extractWeights', () => {
  const { float, quantized } = build();
  const r = extractWeights('fp32', float, 'int8', quantized);

  it('matches the conv / linear layers, keyed by model B node names', () => {
    expect(Object.keys(r)).toEqual(['conv1', 'conv2', 'fc']);
    for (const layer of Object.values(r)) expect(Object.keys(layer)).toEqual(['weight']);
    const info = r.conv1!.weight!.int8![0]!;
    expect(info).toMatchObject({ type: 'weight', ref_node_name: 'conv1', prev_node_name: 'conv1', index_within_arg: 0, index_of_arg: 0, fqn: 'conv1' });
    expect(info.ref_node_target_type).toBe('ConvReLU2d');
    expect(r.conv1!.weight!.fp32![0]!.ref_node_target_type).toBe('Conv2d');
  });

  it('returns the float weights of model A and quantized weights of B within a quantization step', () => {
    for (const name of ['conv1', 'conv2', 'fc'] as const) {
      const w = r[name]!.weight!;
      const wf = w.fp32![0]!.values[0]!, wq = w.int8![0]!.values[0]!;
      const ref = tensorFromGolden(inputs.float_state_dict[`${name}.weight`]!).toArray();
      expect(wf.toArray()).toEqual(ref);
      expect(wq.isQuantized).toBe(true);
      expect(wq.shape).toEqual(wf.shape);
      // per-channel qnnpack weights: each value within half a step of its channel's scale
      const scales = wq.qscheme().startsWith('per_channel') ? wq.qPerChannelScales().toArray() : null;
      const per = ref.length / wf.shape[0]!;
      floatValues(wq).forEach((v, i) => {
        const s = scales ? scales[Math.floor(i / per)]! : wq.qScale();
        expect(Math.abs(v - ref[i]!)).toBeLessThanOrEqual(s / 2 + 1e-7);
      });
    }
  });

  it('extendLoggerResultsWithComparison adds the SQNR of each pair to model B', () => {
    extendLoggerResultsWithComparison(r, 'fp32', 'int8', computeSqnr, 'sqnr');
    for (const name of ['conv1', 'conv2', 'fc']) {
      const w = r[name]!.weight!;
      const expected = naiveSqnr(floatValues(w.fp32![0]!.values[0]!), floatValues(w.int8![0]!.values[0]!));
      expect(w.int8![0]!.sqnr).toHaveLength(1);
      expect((w.int8![0]!.sqnr as number[])[0]).toBeCloseTo(expected, 6);
      expect(w.fp32![0]!.sqnr).toBeUndefined();
    }
  });

  it('rejects a comparison with a missing model name', () => {
    expect(() => extendLoggerResultsWithComparison(r, 'fp32', 'nope', computeSqnr, 'sqnr')).toThrow(/nope/);
  });

  it('rejects models with different weighted layers', () => {
    class OneLinear extends Module {
      fc = new Linear(8, 5);
      forward(x: Tensor): Tensor { return this.fc.call(x); }
    }
    expect(() => extractWeights('a', new OneLinear(), 'b', quantized)).toThrow(/1 and 3 weighted modules/);
  });
});

describe('addLoggers / extractLoggerInfo', () => {
  const { float, quantized } = build();
  const [loggedA, loggedB] = addLoggers('fp32', float, 'int8', quantized);
  const expectedB = withEngine('qnnpack', () => quantized.call(testInput)) as Tensor;
  const outA = loggedA.call(testInput) as Tensor;
  const outB = withEngine('qnnpack', () => loggedB.call(testInput)) as Tensor;

  it('inserts loggers without changing the outputs or the original models', () => {
    expect(outA.toArray()).toEqual((float.call(testInput) as Tensor).toArray());
    expect(outB.toArray()).toEqual(expectedB.toArray());
    expect(quantized.code).not.toMatch(/ns_logger/);
    expect(loggedB.graph.nodes.filter((n) => n.op === 'call_module' && String(n.target).includes('_ns_logger_')).map((n) => n.target))
      .toEqual(['conv1_ns_logger_0', 'conv2_ns_logger_0', 'fc_ns_logger_0']);
  });

  it('logs the matched outputs, keyed by match name', () => {
    const r = extractLoggerInfo(loggedA, loggedB, 'OutputLogger');
    expect(Object.keys(r)).toEqual(['base_op_torch.nn.Conv2d_0', 'base_op_torch.nn.Conv2d_1', 'base_op_torch.nn.Linear_0']);
    const conv1 = r['base_op_torch.nn.Conv2d_0']!.node_output!;
    // the float subgraph extends over F.relu because the quantized conv1 is a fused ConvReLU2d
    expect(conv1.fp32![0]).toMatchObject({ type: 'node_output', ref_node_name: 'conv1', prev_node_name: 'relu', fqn: 'conv1' });
    expect(conv1.int8![0]).toMatchObject({ ref_node_name: 'conv1', prev_node_name: 'conv1', ref_node_target_type: 'ConvReLU2d' });
    const conv = (float.conv1.call(testInput) as Tensor).toArray();
    expect(conv1.fp32![0]!.values).toHaveLength(1);
    expect(conv1.fp32![0]!.values[0]!.toArray()).toEqual(conv.map((v) => Math.max(v, 0)));
    expect(conv1.int8![0]!.values[0]!.isQuantized).toBe(true);
    // the fc output of B, dequantized, equals the quantized model's pre-relu fc output up to the relu
    const fcB = floatValues(r['base_op_torch.nn.Linear_0']!.node_output!.int8![0]!.values[0]!);
    expect(fcB.map((v) => Math.max(v, 0))).toEqual(floatValues(expectedB));
  });

  it('rekeys on a model\'s node names and compares with SQNR', () => {
    const r = extractLoggerInfo(loggedA, loggedB, OutputLogger, 'int8');
    expect(Object.keys(r)).toEqual(['conv1', 'conv2', 'fc']);
    extendLoggerResultsWithComparison(r, 'fp32', 'int8', computeSqnr, 'sqnr');
    for (const layer of Object.values(r)) {
      const a = layer.node_output!.fp32![0]!, b = layer.node_output!.int8![0]!;
      const sqnr = (b.sqnr as number[])[0]!;
      expect(sqnr).toBeCloseTo(naiveSqnr(floatValues(a.values[0]!), floatValues(b.values[0]!)), 6);
      expect(sqnr).toBeGreaterThan(15);
    }
  });

  it('ignores loggers of another class', () => {
    expect(extractLoggerInfo(loggedA, loggedB, 'ShadowLogger')).toEqual({});
  });
});

describe('addShadowLoggers / extractShadowLoggerInfo', () => {
  const { float, quantized } = build();
  const shadowed = addShadowLoggers('fp32', float, 'int8', quantized);
  const expected = withEngine('qnnpack', () => quantized.call(testInput)) as Tensor;
  const out = withEngine('qnnpack', () => shadowed.call(testInput)) as Tensor;
  const r = extractShadowLoggerInfo(shadowed, 'OutputLogger', 'int8');

  it('keeps model B\'s output and logs both models per layer', () => {
    expect(out.toArray()).toEqual(expected.toArray());
    expect(Object.keys(r)).toEqual(['conv1', 'conv2', 'fc']);
    for (const layer of Object.values(r)) expect(Object.keys(layer.node_output!).sort()).toEqual(['fp32', 'int8']);
  });

  it('runs the float layer on model B\'s dequantized input', () => {
    // model B quantizes x once, with the scale / zero point held by get_attr nodes
    const q = quantized.graph.nodes.find((n) => n.op === 'call_function' && String(n.target).endsWith('quantizePerTensor'))!;
    const attr = (a: unknown) => (quantized as unknown as Record<string, Tensor | number>)[(a as { target: string }).target]!;
    const num = (v: Tensor | number) => (typeof v === 'number' ? v : v.item());
    const xq = quantizePerTensor(testInput, num(attr(q.args[1])), num(attr(q.args[2])), quint8).dequantize();
    const conv1 = r.conv1!.node_output!.fp32![0]!.values[0]!.toArray();
    expect(conv1).toEqual((float.conv1.call(xq) as Tensor).toArray().map((v) => Math.max(v, 0)));
    expect(r.conv2!.node_output!.fp32![0]!.values[0]!.toArray()).toEqual((float.conv2.call(xq) as Tensor).toArray());
  });

  it('gives per-layer SQNRs against the shadows', () => {
    extendLoggerResultsWithComparison(r, 'fp32', 'int8', computeSqnr, 'sqnr');
    for (const layer of Object.values(r)) {
      const a = layer.node_output!.fp32![0]!, b = layer.node_output!.int8![0]!;
      expect((b.sqnr as number[])[0]).toBeCloseTo(naiveSqnr(floatValues(a.values[0]!), floatValues(b.values[0]!)), 6);
    }
  });
});

describe('a conv -> nn.ReLU -> linear model (fbgemm)', () => {
  class ConvReluLinear extends Module {
    conv = new Conv2d(3, 4, 3);
    relu = new ReLU();
    fc = new Linear(64, 5);
    forward(x: Tensor): Tensor { return this.fc.call(this.relu.call(this.conv.call(x)).flatten(1)); }
  }
  manualSeed(0);
  const float = new ConvReluLinear().eval();
  const x = randn([2, 3, 6, 6]);
  const quantized = withEngine('fbgemm', () => {
    const prepared = prepareFx(float, getDefaultQconfigMapping('fbgemm'), { exampleInputs: [x] });
    prepared.call(x);
    return convertFx(prepared);
  });

  it('extends the float subgraph over the relu module, in loggers and shadows', () => {
    const [a, b] = addLoggers('fp32', float, 'int8', quantized);
    a.call(x);
    withEngine('fbgemm', () => b.call(x));
    const logged = extractLoggerInfo(a, b, 'OutputLogger', 'fp32');
    expect(Object.keys(logged)).toEqual(['conv', 'fc']);
    expect(logged.conv!.node_output!.fp32![0]!.prev_node_name).toBe('relu');
    expect(logged.conv!.node_output!.fp32![0]!.prev_node_target_type).toBe('ReLU');
    const conv = (float.conv.call(x) as Tensor).toArray().map((v) => Math.max(v, 0));
    expect(logged.conv!.node_output!.fp32![0]!.values[0]!.toArray()).toEqual(conv);

    const shadowed = addShadowLoggers('fp32', float, 'int8', quantized);
    expect(withEngine('fbgemm', () => shadowed.call(x) as Tensor).toArray()).toEqual(withEngine('fbgemm', () => quantized.call(x) as Tensor).toArray());
    expect(shadowed.graph.nodes.filter((n) => String(n.target).startsWith('shadow_wrapper_')).map((n) => n.target))
      .toEqual(['shadow_wrapper_0_0_0', 'shadow_wrapper_0_1_0', 'shadow_wrapper_1_0_0']);
    const r = extractShadowLoggerInfo(shadowed, OutputLogger)['base_op_torch.nn.Conv2d_0']!.node_output!;
    expect(Math.min(...r.fp32![0]!.values[0]!.toArray())).toBeGreaterThanOrEqual(0);
    expect(naiveSqnr(floatValues(r.fp32![0]!.values[0]!), floatValues(r.int8![0]!.values[0]!))).toBeGreaterThan(20);
  });
});
