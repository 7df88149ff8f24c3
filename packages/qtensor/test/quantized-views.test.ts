// Views, copies, equal and per-channel refusals on quantized tensors against PyTorch 1.13
// (golden qtensor/views.json).
import { describe, expect, it } from 'vitest';
import {
  type IndexItem, type Tensor, cat, chunk, qEqual, qIndexSelect, qRepeat, quantizePerTensor, qint8, quint8, slice, stack, tensor,
} from '../src/index.js';
import { type GoldenCase, expectQTensorEqual, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';

/** Parses the fixtures' Python index strings, e.g. '[1:, ::2, 1]'. */
function parseIndex(s: string): IndexItem[] {
  return s.slice(1, -1).split(',').map((part) => {
    const p = part.trim();
    if (!p.includes(':')) return Number(p);
    const [a, b, c] = p.split(':').map((v) => (v === '' || v === undefined ? null : Number(v)));
    return slice(a, b, c ?? 1);
  });
}

function run(c: GoldenCase, x: Tensor): Tensor | Tensor[] {
  const a = c.args;
  switch (c.op) {
    case 'Tensor.transpose': return x.transpose(a.dim0, a.dim1);
    case 'Tensor.permute': return x.permute(a.dims);
    case 'Tensor.view': return x.view(a.shape);
    case 'Tensor.reshape': return x.reshape(a.shape);
    case 'Tensor.flatten': return x.flatten(a.start_dim);
    case 'Tensor.select': return x.select(a.dim, a.index);
    case 'Tensor.__getitem__': return x.index(parseIndex(a.index));
    case 'Tensor.narrow': return x.narrow(a.dim, a.start, a.length);
    case 'Tensor.unsqueeze': return x.unsqueeze(a.dim);
    case 'Tensor.squeeze': return x.index(parseIndex(a.pre)).squeeze(a.dim);
    case 'torch.index_select': return qIndexSelect(x, a.dim, a.index);
    case 'Tensor.repeat': return qRepeat(x, a.repeats);
    case 'Tensor.transpose+contiguous': return x.transpose(a.dim0, a.dim1).contiguous();
    case 'Tensor.clone': return x.clone();
    case 'torch.chunk': return chunk(x, a.chunks, a.dim);
    case 'torch.stack': return stack([x, x], a.dim);
    default: throw new Error(`unexpected op ${c.op}`);
  }
}

describe('quantized views golden', () => {
  for (const c of loadGolden('qtensor/views.json').cases) {
    it(c.name, () => {
      if (c.op === 'torch.equal') {
        expect(qEqual(tensorFromGolden(c.inputs.a), tensorFromGolden(c.inputs.b))).toBe(c.expected.result);
        return;
      }
      const x = tensorFromGolden(c.inputs.x);
      if (c.args.quirk) {
        // PyTorch keeps a per-channel axis that no longer exists (metadata it calls inconsistent);
        // we refuse a view that merges or drops the channel axis instead.
        expect(() => run(c, x)).toThrow(/channel axis/);
        return;
      }
      if (c.expected.error) {
        expect(() => run(c, x)).toThrow();
        return;
      }
      const out = run(c, x);
      if (Array.isArray(out)) {
        expect(out.length).toBe(c.expected.ys.length);
        out.forEach((t, i) => expectQTensorEqual(t, c.expected.ys[i], { label: `${c.name}[${i}]` }));
      } else {
        expectQTensorEqual(out, c.expected.y, { label: c.name });
      }
    });
  }
});

describe('quantized cat', () => {
  it('requantizes every input with the first input qparams', () => {
    const a = quantizePerTensor(tensor([0.1, 0.2]), 0.1, 0, quint8);
    const b = quantizePerTensor(tensor([0.25, 1]), 0.05, 10, quint8);
    const y = cat([a, b]);
    expect(y.quantizer).toEqual(a.quantizer);
    // b dequantizes to [0.25, 1]; at scale 0.1 that is [2.5, 10] (f32(1 / f32(0.1)) is exactly 10),
    // and the tie 2.5 rounds to even
    expect(Array.from(y.values())).toEqual([1, 2, 2, 10]);
  });
  it('refuses mixed dtypes and float inputs', () => {
    const a = quantizePerTensor(tensor([0.1]), 0.1, 0, quint8);
    expect(() => cat([a, quantizePerTensor(tensor([0.1]), 0.1, 0, qint8)])).toThrow(/qint8|dtypes/);
    expect(() => cat([a, tensor([1])])).toThrow();
  });
});
