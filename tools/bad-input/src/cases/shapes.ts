/**
 * Empty tensors and 0-size dims (a documented result: the same shape PyTorch 1.13 gives, see
 * fixtures), shapes whose element count overflows what a typed array (and int32 indexing) can
 * hold (a clear error before any allocation), and mismatched shapes, dtypes and engines.
 */
import assert from 'node:assert/strict';
import {
  QTorchError, QTorchShapeError, QTorchTypeError, QTorchValueError, type Tensor, add, backends, dequantize, emptyAffineQuantized, expand, float32,
  float64, int32, linearPrepack, loadSafetensors, ones, qint8, quantizePerTensor, quantizePerTensorDynamic, quantizedAdd, quint8, randn,
  saveSafetensors, tensor, zeros,
} from '@qtorch/qtensor';
import * as nn from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import * as nnq from '@qtorch/nn-quantized';
import { Linear as DynamicLinear } from '@qtorch/nn-quantized/dynamic';
import { type BadInputCase, group } from '../case.js';
import { specialValues } from '../fixtures.js';

const g = group('shapes and dtypes');
const q = (x: Tensor, dtype = quint8): Tensor => quantizePerTensor(x, 0.1, dtype === quint8 ? 10 : 0, dtype);

function emptyCases(): BadInputCase[] {
  const want = specialValues().empty;
  const shapeIs = (expected: readonly number[]) => (t: Tensor): void => assert.deepEqual(t.shape, expected);
  return [
    g.returns('quantizePerTensor of a [0, 3] tensor -> [0, 3] (PyTorch)', () => q(zeros([0, 3])), shapeIs(want.quantize_per_tensor_0x3!)),
    g.returns('dequantize of a [0, 3] quantized tensor -> [0, 3] (PyTorch)', () => dequantize(q(zeros([0, 3]))), shapeIs(want.dequantize_0x3!)),
    g.returns('quantizedAdd of [0, 3] tensors -> [0, 3] (PyTorch)', () => quantizedAdd(q(zeros([0, 3])), q(zeros([0, 3])), 0.2, 3), shapeIs(want.quantized_add_0x3!)),
    g.returns('nnq.Linear forward of a batch of 0 -> [0, 3] (PyTorch)', () => new nnq.Linear(4, 3).call(q(zeros([0, 4]))), shapeIs(want.qlinear_batch0!)),
    g.returns('nnq.Conv2d forward of a batch of 0 -> [0, 3, 2, 2] (PyTorch)', () => new nnq.Conv2d(2, 3, 3).call(q(zeros([0, 2, 4, 4]))),
      shapeIs(want.qconv2d_batch0!)),
    g.returns('quantizePerTensor of a [0, 2^40] tensor (0 elements, huge dim) -> empty, no allocation', () => q(zeros([0, 2 ** 40])), shapeIs([0, 2 ** 40])),
    g.returns('F.linear with 0 in-features -> zeros (the empty sum), as PyTorch', () => F.linear(ones([2, 0]), ones([3, 0])).toArray(),
      (v) => assert.deepEqual(v, [0, 0, 0, 0, 0, 0])),
    g.returns('nn.Linear(0, 3) forward -> its bias (zeros), as PyTorch', () => new nn.Linear(0, 3).call(ones([2, 0])).toArray(),
      (v) => assert.deepEqual(v, [0, 0, 0, 0, 0, 0])),
    g.returns('dynamic Linear(0, 3) forward of [2, 0] -> [2, 3] of its bias', () => new DynamicLinear(0, 3).call(ones([2, 0])).shape,
      (s) => assert.deepEqual(s, [2, 3])),
    g.returns('safetensors round trip of an empty quantized tensor keeps shape and qparams', () => loadSafetensors(saveSafetensors({ a: q(zeros([0, 3])) })).tensors.a!,
      (t) => {
        assert.deepEqual(t.shape, [0, 3]);
        assert.equal(t.qScale(), 0.1);
        assert.equal(t.qZeroPoint(), 10);
      }),
    g.throws('quantizePerTensorDynamic of an empty tensor -> error (no min/max)', () => quantizePerTensorDynamic(zeros([0, 3]), quint8), QTorchValueError, 'quantize_per_tensor_dynamic'),
    g.throws('max() of an empty tensor without dim -> error, as PyTorch', () => zeros([0]).max(), QTorchValueError, 'max'),
    g.throws('nnq.Conv2d on an input smaller than the kernel -> error', () => new nnq.Conv2d(2, 3, 3).call(q(zeros([1, 2, 2, 2]))), QTorchShapeError, 'conv2d'),
  ];
}

function overflowCases(): BadInputCase[] {
  const big = [70000, 70000]; // 4.9e9 elements: past int32 and past the 2^32 typed-array limit
  return [
    g.throws('zeros([70000, 70000])', () => zeros(big), QTorchValueError, 'zeros'),
    g.throws('zeros([2^31, 2^31])', () => zeros([2 ** 31, 2 ** 31]), QTorchValueError, 'zeros'),
    g.throws('zeros([2^53, 2]) (numel not exactly representable)', () => zeros([2 ** 53, 2]), QTorchValueError, 'zeros'),
    g.throws('randn([1e5, 1e5])', () => randn([1e5, 1e5]), QTorchValueError, 'randn'),
    g.throws('emptyAffineQuantized([70000, 70000])', () => emptyAffineQuantized(big, { scale: 0.1, zeroPoint: 0, dtype: quint8 }), QTorchValueError, '_empty_affine_quantized'),
    g.throws('expand to [70000, 70000] (a view that cannot be materialized)', () => expand(tensor([1]), big), QTorchValueError, 'expand'),
    g.throws('broadcasting [70000, 1] + [1, 70000]', () => add(zeros([70000, 1]), zeros([1, 70000])), QTorchValueError, 'add'),
    g.throws('reshape of 2 elements to [2^20, 2^20]', () => tensor([1, 2]).reshape([2 ** 20, 2 ** 20]), QTorchShapeError, 'reshape'),
    g.throws('nn.Linear(70000, 70000)', () => new nn.Linear(70000, 70000), QTorchValueError, 'elements'),
    g.throws('nnq.Linear(70000, 70000)', () => new nnq.Linear(70000, 70000), QTorchValueError, 'elements'),
    g.throws('nn.Embedding(2^31, 8)', () => new nn.Embedding(2 ** 31, 8), QTorchValueError, 'elements'),
    g.throws('zeros([-1])', () => zeros([-1]), QTorchValueError, 'zeros'),
    g.throws('zeros([1.5])', () => zeros([1.5]), QTorchValueError, 'zeros'),
    g.throws('zeros([NaN])', () => zeros([NaN]), QTorchValueError, 'zeros'),
  ];
}

function mismatchCases(): BadInputCase[] {
  const qa = (): Tensor => q(randn([2, 4]));
  return [
    g.throws('quantizedAdd: shapes [2, 4] and [3, 4]', () => quantizedAdd(qa(), q(randn([3, 4])), 0.1, 0), QTorchShapeError, 'quantized::add'),
    g.throws('quantizedAdd: quint8 + qint8', () => quantizedAdd(qa(), q(randn([2, 4]), qint8), 0.1, 0), QTorchTypeError, 'quantized::add'),
    g.throws('quantizedAdd: a float operand', () => quantizedAdd(qa(), randn([2, 4]), 0.1, 0), QTorchTypeError, 'quantized::add'),
    g.throws('add: quantized operands into the float op', () => add(qa(), qa()), QTorchTypeError, 'add'),
    g.throws('F.linear: a quantized input into the float op', () => F.linear(qa(), randn([3, 4])), QTorchTypeError, 'linear'),
    g.throws('F.linear: in-features 5 vs weight 4', () => F.linear(randn([2, 5]), randn([3, 4])), QTorchShapeError, 'linear'),
    g.throws('nnq.Linear: a float input', () => new nnq.Linear(4, 3).call(randn([2, 4])), QTorchTypeError, 'QuantizedLinear'),
    g.throws('nnq.Linear: in-features 5 vs 4', () => new nnq.Linear(4, 3).call(q(randn([2, 5]))), QTorchShapeError, 'linear'),
    g.throws('nnq.Conv2d: 3 input channels vs 2', () => new nnq.Conv2d(2, 3, 3).call(q(zeros([1, 3, 4, 4]))), QTorchShapeError, 'conv2d'),
    g.throws('nnq.Conv2d: a 3-d input', () => new nnq.Conv2d(2, 3, 3).call(q(zeros([2, 4, 4]))), QTorchValueError, 'QuantizedConv2d'),
    g.throws('linearPrepack: a quint8 weight (qint8 expected)', () => linearPrepack(q(randn([3, 4]))), QTorchTypeError, 'linear_prepack'),
    g.throws('linearPrepack: a float weight', () => linearPrepack(randn([3, 4])), QTorchTypeError, 'linear_prepack'),
    g.throws('linearPrepack: a 3-d weight', () => linearPrepack(q(randn([3, 4, 1]), qint8)), QTorchShapeError, 'linear_prepack'),
    g.throws('quantizePerTensor: an int32 tensor', () => quantizePerTensor(tensor([1, 2], { dtype: int32 }), 0.1, 0, quint8), QTorchTypeError, 'quantize_per_tensor'),
    g.throws('quantizePerTensor: an already quantized tensor', () => quantizePerTensor(qa(), 0.1, 0, quint8), QTorchTypeError, 'quantize_per_tensor'),
    g.returns('quantizePerTensor: a float64 tensor quantizes as its float32 values (PyTorch refuses float64)', () => q(tensor([0.25, -1.05], { dtype: float64 })).intRepr().toArray(),
      (v) => assert.deepEqual(v, [12, 0])),
    g.throws('nn.Linear.loadStateDict: weight [2, 2] for [4, 3]', () => new nn.Linear(3, 4).loadStateDict({ weight: zeros([2, 2]), bias: zeros([4]) }),
      QTorchValueError, 'size mismatch'),
    g.throws('nnq.Linear.loadStateDict: a float Linear state dict', () => new nnq.Linear(3, 4).loadStateDict(new nn.Linear(3, 4).stateDict()),
      QTorchValueError, 'QuantizedLinear'),
    g.throws('nnq.Linear.loadStateDict: a float weight (the layer is qint8; PyTorch takes the dtype from the checkpoint)', () => {
      const m = new nnq.Linear(3, 4);
      m.loadStateDict({ ...m.stateDict(), '_packed_params.weight': randn([4, 3]) });
    }, QTorchValueError, 'linear_prepack(): expected a qint8 quantized weight'),
  ];
}

function engineCases(): BadInputCase[] {
  const withEngine = <T>(engine: 'fbgemm' | 'qnnpack', fn: () => T): T => {
    const prev = backends.quantized.engine;
    backends.quantized.engine = engine;
    try {
      return fn();
    } finally {
      backends.quantized.engine = prev;
    }
  };
  const model = (): { lin: nnq.Linear; x: Tensor } => withEngine('fbgemm', () => {
    const lin = new nnq.Linear(4, 3);
    lin.setWeightBias(quantizePerTensor(tensor([[1, -2, 3, 0.5], [0, 1, -1, 2], [2, 2, -3, 1]]), 0.05, 0, qint8), tensor([0.1, -0.2, 0.3]));
    lin.scale = 0.1;
    lin.zeroPoint = 128;
    return { lin, x: quantizePerTensor(tensor([[0.5, -1, 2, 0.25], [1, 1, -0.5, 0]]), 0.02, 100, quint8) };
  });
  return [
    g.throws("backends.quantized.engine = 'foo'", () => { (backends.quantized as { engine: string }).engine = 'foo'; }, QTorchValueError, 'engine'),
    g.throws('backends.quantized.engine = null', () => { (backends.quantized as { engine: unknown }).engine = null; }, QTorchValueError, 'engine'),
    g.throws("linearPrepack(w, null, 'foo')", () => linearPrepack(q(randn([3, 4]), qint8), null, 'foo' as never), QTorchError, /linear_prepack|engine/),
    g.returns('nnq.Linear packed under fbgemm, run under qnnpack -> the fbgemm result (runs on the packing engine)', () => {
      const { lin, x } = model();
      const onFbgemm = withEngine('fbgemm', () => lin.call(x).intRepr().toArray());
      const onQnnpack = withEngine('qnnpack', () => lin.call(x).intRepr().toArray());
      return { onFbgemm, onQnnpack, float: lin.call(x).dequantize().toArray() };
    }, ({ onFbgemm, onQnnpack, float }) => {
      assert.deepEqual(onQnnpack, onFbgemm);
      // and it is the right answer: within one output step of a float64 reference
      const w = [[1, -2, 3, 0.5], [0, 1, -1, 2], [2, 2, -3, 1]], b = [0.1, -0.2, 0.3];
      const xs = [[0.5, -1, 2, 0.25], [1, 1, -0.5, 0]];
      const ref = xs.flatMap((row) => w.map((wr, j) => wr.reduce((s, wv, k) => s + wv * row[k]!, b[j]!)));
      ref.forEach((r, i) => assert.ok(Math.abs(float[i]! - r) <= 0.1 + 1e-6, `element ${i}: ${float[i]} vs ${r}`));
    }),
  ];
}

/** Every shape / dtype / engine case. */
export function shapeCases(): BadInputCase[] {
  return [...emptyCases(), ...overflowCases(), ...mismatchCases(), ...engineCases()];
}
