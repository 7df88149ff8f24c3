/**
 * NaN, +/-Inf and -0 in the floats given to quantize ops, fake quantization, observers and
 * dynamic quantization. Where PyTorch 1.13 returns a defined result, qtorch must return the
 * same (fixtures/special_values.json); where PyTorch raises, qtorch raises; where PyTorch
 * silently computes a garbage scale (scale=inf from an observed +/-Inf), qtorch raises a clear
 * error instead.
 */
import assert from 'node:assert/strict';
import {
  QTorchValueError, type Tensor, fakeQuantizePerChannelAffine, fakeQuantizePerTensorAffine, float64, int32, qint32, qint8,
  quantizePerChannel, quantizePerTensor, quantizePerTensorDynamic, quint8, tensor,
} from '@qtorch/qtensor';
import * as Q from '@qtorch/quantization';
import { Linear as DynamicLinear } from '@qtorch/nn-quantized/dynamic';
import { type BadInputCase, group } from '../case.js';
import { decodeFloat, decodeFloats, isTorchError, specialValues } from '../fixtures.js';
import { assertSameFloats } from './util.js';

const g = group('special floats');
const DTYPES = { quint8, qint8, qint32 } as const;

/** The observers the fixture has answers for, built as in the fixture script. */
const OBSERVERS: Record<string, { make: () => Q.ObserverBase; perChannel: boolean }> = {
  MinMaxObserver: { make: () => new Q.MinMaxObserver(), perChannel: false },
  MinMaxObserver_qint8_symmetric: { make: () => new Q.MinMaxObserver({ dtype: qint8, qscheme: 'per_tensor_symmetric' }), perChannel: false },
  MovingAverageMinMaxObserver: { make: () => new Q.MovingAverageMinMaxObserver(), perChannel: false },
  HistogramObserver: { make: () => new Q.HistogramObserver(), perChannel: false },
  PerChannelMinMaxObserver: { make: () => new Q.PerChannelMinMaxObserver({ chAxis: 0 }), perChannel: true },
};

/** Observers and fake quantizers without a fixture entry: non-finite input must raise. */
const MORE_OBSERVERS: Record<string, () => { call(x: Tensor): unknown; calculateQparams(): [Tensor, Tensor] }> = {
  MovingAveragePerChannelMinMaxObserver: () => new Q.MovingAveragePerChannelMinMaxObserver({ chAxis: 0 }),
  PercentileObserver: () => new Q.PercentileObserver(),
  EntropyObserver: () => new Q.EntropyObserver(),
  FakeQuantize: () => new Q.FakeQuantize(),
  FusedMovingAvgObsFakeQuantize: () => new Q.FusedMovingAvgObsFakeQuantize(),
  LearnableFakeQuantize: () => new Q.LearnableFakeQuantize(),
};

function observed(make: () => { call(x: Tensor): unknown; calculateQparams(): [Tensor, Tensor] }, values: number[], perChannel: boolean): [Tensor, Tensor] {
  const o = make();
  const x = tensor(values);
  o.call(perChannel ? x.reshape(values.length ? [1, values.length] : [0, 3]) : x);
  return o.calculateQparams();
}

function quantizeCases(): BadInputCase[] {
  const f = specialValues();
  const input = decodeFloats(f.input);
  const out: BadInputCase[] = [];
  for (const [name, want] of Object.entries(f.quantize_per_tensor)) {
    const dtype = DTYPES[name as keyof typeof DTYPES];
    out.push(g.returns(`quantizePerTensor(${name}): NaN/±Inf/-0/1e30 give PyTorch's integers`,
      () => quantizePerTensor(tensor(input), want.scale, want.zero_point, dtype).intRepr().toArray(),
      (got) => assert.deepEqual(got, want.int_repr)));
  }
  const x2 = tensor(input.slice(0, 8)).reshape([2, 4]);
  for (const [name, want] of Object.entries(f.quantize_per_channel)) {
    const dtype = DTYPES[name as keyof typeof DTYPES];
    out.push(g.returns(`quantizePerChannel(${name}): NaN/±Inf/-0 give PyTorch's integers`,
      () => quantizePerChannel(x2, tensor(want.scales, { dtype: float64 }), tensor(want.zero_points, { dtype: int32 }), want.axis, dtype).intRepr().toArray(),
      (got) => assert.deepEqual(got, want.int_repr.flat())));
  }
  const fq = f.fake_quantize_per_tensor_affine;
  out.push(g.returns('fakeQuantizePerTensorAffine: NaN/±Inf/-0 give PyTorch\'s values',
    () => fakeQuantizePerTensorAffine(tensor(input), fq.scale, fq.zero_point, fq.quant_min, fq.quant_max).values(),
    (got) => assertSameFloats(got, decodeFloats(fq.output))));
  const fqc = f.fake_quantize_per_channel_affine;
  out.push(g.returns('fakeQuantizePerChannelAffine: NaN/±Inf/-0 give PyTorch\'s values',
    () => fakeQuantizePerChannelAffine(x2, tensor(fqc.scales), tensor(fqc.zero_points, { dtype: int32 }), fqc.axis, fqc.quant_min, fqc.quant_max).values(),
    (got) => assertSameFloats(got, decodeFloats(fqc.output))));
  out.push(g.returns('dequantize of a tensor quantized from NaN/±Inf is finite',
    () => quantizePerTensor(tensor(input), 0.1, 10, quint8).dequantize().values(),
    (got) => assert.ok(Array.from(got).every(Number.isFinite), `non-finite values: ${Array.from(got)}`)));
  return out;
}

function observerCases(): BadInputCase[] {
  const f = specialValues();
  const out: BadInputCase[] = [];
  for (const [oname, { make, perChannel }] of Object.entries(OBSERVERS)) {
    for (const [iname, want] of Object.entries(f.observers[oname]!)) {
      const values = decodeFloats(f.observer_inputs[iname]!);
      const run = (): [Tensor, Tensor] => observed(make, values, perChannel);
      if (isTorchError(want)) {
        out.push(g.throws(`${oname}: ${iname} input -> error, as PyTorch ('${want.error.slice(0, 40)}')`, run, QTorchValueError, /calculate_qparams|forward/));
      } else if (want.scale.some((s) => !Number.isFinite(decodeFloat(s)))) {
        // PyTorch returns scale=inf here: a garbage scale qtorch refuses
        out.push(g.throws(`${oname}: ${iname} input -> clear error (PyTorch: silent scale=inf)`, run, QTorchValueError, 'calculate_qparams'));
      } else {
        out.push(g.returns(`${oname}: ${iname} input -> PyTorch's qparams`, run, ([s, zp]) => {
          assert.deepEqual(Array.from(s.values()), decodeFloats(want.scale));
          assert.deepEqual(Array.from(zp.values()), want.zero_point);
        }));
      }
    }
  }
  for (const [oname, make] of Object.entries(MORE_OBSERVERS)) {
    const perChannel = oname.includes('PerChannel');
    for (const [iname, v] of [['NaN', NaN], ['+Inf', Infinity], ['-Inf', -Infinity]] as const) {
      out.push(g.throws(`${oname}: ${iname} input -> clear error`, () => observed(make, [v, 1, 2], perChannel), QTorchValueError,
        /calculate_qparams|forward|ChooseQuantizationParams/));
    }
    out.push(g.returns(`${oname}: -0 input -> finite scale`, () => observed(make, [-0, -0], perChannel), ([s]) => {
      assert.ok(Array.from(s.values()).every((v) => Number.isFinite(v) && v > 0), `scale ${Array.from(s.values())}`);
    }));
  }
  return out;
}

function dynamicCases(): BadInputCase[] {
  const out: BadInputCase[] = [];
  const inputs: Record<string, number[]> = { nan: [NaN, 1], inf: [Infinity, 1], '-inf': [-Infinity, 1], neg_zero: [-0, -0] };
  for (const [name, want] of Object.entries(specialValues().quantize_per_tensor_dynamic)) {
    const run = (): Tensor => quantizePerTensorDynamic(tensor(inputs[name]!), quint8);
    if (isTorchError(want) || !Number.isFinite(decodeFloat(want.scale))) {
      out.push(g.throws(`quantizePerTensorDynamic: ${name} -> clear error (PyTorch: ${isTorchError(want) ? 'error' : 'scale=inf'})`, run,
        QTorchValueError, 'ChooseQuantizationParams'));
    } else {
      out.push(g.returns(`quantizePerTensorDynamic: ${name} -> PyTorch's qparams`, run, (q) => {
        assert.equal(q.qScale(), decodeFloat(want.scale));
        assert.equal(q.qZeroPoint(), want.zero_point);
        assert.deepEqual(q.intRepr().toArray(), want.int_repr);
      }));
    }
  }
  for (const [name, v] of [['NaN', NaN], ['+Inf', Infinity], ['-Inf', -Infinity]] as const) {
    out.push(g.throws(`dynamic Linear forward: ${name} input -> clear error`, () => new DynamicLinear(2, 2).call(tensor([[v, 1]])),
      QTorchValueError, 'ChooseQuantizationParams'));
  }
  return out;
}

/** Every special-float case. */
export function specialFloatCases(): BadInputCase[] {
  return [...quantizeCases(), ...observerCases(), ...dynamicCases()];
}
