// Golden area C: every observer case of PyTorch 1.13 (tools/golden/observers), fed through the
// observer modules; min/max and MinMax-type scales exact, histogram scale rel 1e-5 / zp +-1.
import { describe, expect, it } from 'vitest';
import { type GoldenCase, expectTensorClose, goldenValues, loadGolden, tensorFromGolden } from '@qtorch/testing';
import { type Tensor, dtypeFromName } from '@qtorch/qtensor';
import {
  HistogramObserver, MinMaxObserver, MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver, NoopObserver,
  type ObserverBase, PerChannelMinMaxObserver, PlaceholderObserver, RecordingObserver,
  defaultFixedQparamsRange0To1Observer, defaultFixedQparamsRangeNeg1To1Observer, FixedQParamsObserver,
} from '../src/index.js';

const CLASSES: Record<string, new (opts?: any) => ObserverBase> = {
  MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver, MovingAveragePerChannelMinMaxObserver, HistogramObserver,
};

/** Python keyword arguments -> constructor options. */
function options(args: Record<string, any>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const map: Record<string, string> = {
    reduce_range: 'reduceRange', quant_min: 'quantMin', quant_max: 'quantMax', ch_axis: 'chAxis',
    averaging_constant: 'averagingConstant', bins: 'bins', qscheme: 'qscheme', compute_dtype: 'computeDtype',
  };
  for (const [k, v] of Object.entries(args)) {
    if (k === 'engine') continue;
    if (k === 'dtype' || k === 'compute_dtype') o[map[k] ?? k] = dtypeFromName(v);
    else o[map[k] ?? k] = v;
  }
  return o;
}

function expectExact(actual: Tensor, spec: any, label: string): void {
  expect(actual.dtype.name, label).toBe(spec.dtype);
  expectTensorClose(actual, spec, { exact: true, label });
}

function runCase(c: GoldenCase, histogram: boolean): void {
  const Cls = CLASSES[c.op]!;
  if (c.expected.error) {
    expect(() => new Cls(options(c.args)), c.name).toThrow(/Cannot reduce range for symmetric quantization for quint8/);
    return;
  }
  const obs = new Cls(options(c.args)) as ObserverBase & { minVal: Tensor; maxVal: Tensor; histogram?: Tensor };
  c.inputs.xs.forEach((spec: any, i: number) => {
    const x = tensorFromGolden(spec);
    expect(obs.forward(x), 'forward returns its input').toBe(x);
    const st = c.expected.steps[i];
    const label = `${c.name} step ${i}`;
    expectTensorClose(obs.minVal, st.min_val, { exact: true, label: `${label} min_val` });
    expectTensorClose(obs.maxVal, st.max_val, { exact: true, label: `${label} max_val` });
    const [scale, zp] = obs.calculateQparams();
    if (histogram) {
      expectTensorClose(scale, st.scale, { rtol: 1e-5, atol: 0, label: `${label} scale` });
      expectTensorClose(zp, st.zero_point, { atol: 1, rtol: 0, label: `${label} zero_point` });
      if (st.histogram) expectTensorClose(obs.histogram!, st.histogram, { rtol: 1e-5, atol: 1e-6, label: `${label} histogram` });
    } else {
      expectExact(scale, st.scale, `${label} scale`);
      expectExact(zp, st.zero_point, `${label} zero_point`);
    }
  });
}

for (const file of ['minmax', 'moving_average', 'per_channel', 'histogram']) {
  describe(`observers/${file}.json`, () => {
    for (const c of loadGolden(`observers/${file}.json`).cases) {
      it(c.name, () => runCase(c, file === 'histogram'));
    }
  });
}

describe('observers/placeholder.json', () => {
  const cases = loadGolden('observers/placeholder.json').cases;
  const FACTORIES: Record<string, () => FixedQParamsObserver> = {
    default_fixed_qparams_range_0to1_observer: defaultFixedQparamsRange0To1Observer,
    default_fixed_qparams_range_neg1to1_observer: defaultFixedQparamsRangeNeg1To1Observer,
  };
  for (const c of cases) {
    it(c.name, () => {
      if (c.op === 'RecordingObserver') {
        const obs = new RecordingObserver(options(c.args));
        for (const spec of c.inputs.xs) obs.forward(tensorFromGolden(spec));
        expect(obs.getTensorValue().length).toBe(c.expected.tensor_val.length);
        obs.getTensorValue().forEach((t, i) => expectTensorClose(t, c.expected.tensor_val[i], { exact: true }));
        expect(() => obs.calculateQparams()).toThrow(/RecordingObserver/);
        return;
      }
      if (c.op === 'FixedQParamsObserver') {
        const obs = FACTORIES[c.args.factory]!();
        const x = tensorFromGolden(c.inputs.x);
        expect(obs.forward(x)).toBe(x);
        const [s, zp] = obs.calculateQparams();
        expectExact(s, c.expected.scale, 'scale');
        expectExact(zp, c.expected.zero_point, 'zero_point');
        expect([obs.dtype.name, obs.quantMin, obs.quantMax, obs.qscheme]).toEqual([c.expected.dtype, c.expected.quant_min, c.expected.quant_max, c.expected.qscheme]);
        return;
      }
      const obs = c.op === 'NoopObserver' ? new NoopObserver(options(c.args)) : new PlaceholderObserver(options(c.args));
      const x = tensorFromGolden(c.inputs.x);
      expect(obs.forward(x) === x).toBe(c.expected.y_equals_x);
      expect(obs.dtype.name).toBe(c.expected.dtype);
      expect(() => obs.calculateQparams()).toThrow(c.expected.calculate_qparams_error);
    });
  }
});

describe('observer edge behaviour', () => {
  it('returns scale 1 / zero point 0 before any data', () => {
    for (const obs of [new MinMaxObserver(), new PerChannelMinMaxObserver(), new HistogramObserver({ bins: 16 })]) {
      const [s, zp] = obs.calculateQparams();
      expect(Array.from(s.values())).toEqual([1]);
      expect(Array.from(zp.values())).toEqual([0]);
    }
  });

  it('ignores empty tensors', () => {
    const obs = new MinMaxObserver();
    obs.forward(tensorFromGolden({ shape: [0], dtype: 'float32', data: [] }));
    expect(obs.minVal.item()).toBe(Infinity);
  });

  it('withArgs builds a new instance per call and chains', () => {
    const f = MinMaxObserver.withArgs({ quantMin: 0, quantMax: 127 }).withArgs({ reduceRange: true });
    const a = f(), b = f();
    expect(a).not.toBe(b);
    expect([a.quantMin, a.quantMax, a.reduceRange]).toEqual([0, 63, true]);
    let n = 0;
    const g = MinMaxObserver.withCallableArgs({ quantMax: () => 100 + n++ }).withArgs({ quantMin: 0 });
    expect([g().quantMax, g().quantMax]).toEqual([100, 101]);
  });

  it('histogram values match a float64 re-count of the first input', () => {
    const x = goldenValues({ shape: [8], dtype: 'float32', data: [-0.9, -0.5, 0, 0.25, 0.5, 0.75, 0.99, 1] });
    const obs = new HistogramObserver({ bins: 4 });
    obs.forward(tensorFromGolden({ shape: [8], dtype: 'float32', data: Array.from(x) }));
    // int(min) = 0 and int(max) = 1 in PyTorch 1.13: values below 0 are not counted
    expect(Array.from(obs.histogram.values())).toEqual([1, 1, 1, 3]);
  });
});
