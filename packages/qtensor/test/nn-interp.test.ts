// interpolate against hand values, an independent float64 bilinear reference, PyTorch's
// quantized interpolate fixtures (int_repr values as float input), gradcheck and errors.
import { describe, expect, it } from 'vitest';
import { QTorchShapeError, QTorchValueError, type Tensor, adaptiveAvgPool2d, float64, gradcheck, interpolate, randn, tensor } from '../src/index.js';
import { loadGolden } from '../../../tools/testing/src/index.js';
import { expectClose, gen, leaf, nonContiguous, rnd } from './nn-float-helpers.js';

/** Bilinear resize of (N, C, H, W) by the textbook formula with the source scale per dim given. */
function refBilinear(x: Tensor, outH: number, outW: number, alignCorners: boolean, scaleH: number, scaleW: number): number[] {
  const [N, C, H, W] = x.shape as number[];
  const xv = x.values();
  const src = (o: number, n: number, out: number, s: number): [number, number, number] => {
    let f = alignCorners ? (out > 1 ? (o * (n - 1)) / (out - 1) : 0) : Math.max((o + 0.5) * s - 0.5, 0);
    f = Math.min(f, n - 1);
    const i0 = Math.floor(f);
    return [i0, Math.min(i0 + 1, n - 1), f - i0];
  };
  const res: number[] = [];
  for (let p = 0; p < N! * C!; p++) for (let oh = 0; oh < outH; oh++) for (let ow = 0; ow < outW; ow++) {
    const [h0, h1, lh] = src(oh, H!, outH, scaleH), [w0, w1, lw] = src(ow, W!, outW, scaleW);
    const at = (h: number, w: number): number => xv[p * H! * W! + h * W! + w]!;
    res.push((1 - lh) * ((1 - lw) * at(h0, w0) + lw * at(h0, w1)) + lh * ((1 - lw) * at(h1, w0) + lw * at(h1, w1)));
  }
  return res;
}

describe('interpolate index formulas by hand', () => {
  const x = tensor([[[1, 2, 3]]]);
  it("nearest: floor(dst * in/out); nearest-exact: floor((dst + 0.5) * in/out)", () => {
    expectClose(interpolate(x, { size: 5 }), [1, 1, 2, 2, 3], [1, 1, 5], 0, 0);
    expectClose(interpolate(x, { size: 5, mode: 'nearest-exact' }), [1, 1, 2, 3, 3], [1, 1, 5], 0, 0);
    expectClose(interpolate(x, { scaleFactor: 2 }), [1, 1, 2, 2, 3, 3], [1, 1, 6], 0, 0);
    expectClose(interpolate(x, { size: 2 }), [1, 2], [1, 1, 2], 0, 0);
  });
  it('linear with and without align_corners', () => {
    const y = tensor([[[0, 10]]]);
    expectClose(interpolate(y, { size: 3, mode: 'linear', alignCorners: true }), [0, 5, 10], [1, 1, 3], 1e-6, 0);
    // scale 0.5: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (last index, no right neighbour)
    expectClose(interpolate(y, { size: 4, mode: 'linear' }), [0, 2.5, 7.5, 10], [1, 1, 4], 1e-6, 0);
  });
  it('scaleFactor uses 1/scaleFactor unless recomputeScaleFactor (then in/out)', () => {
    const z = rnd([1, 2, 8, 10], gen(41));
    const a = interpolate(z, { scaleFactor: 1.7, mode: 'bilinear' });
    const b = interpolate(z, { scaleFactor: 1.7, mode: 'bilinear', recomputeScaleFactor: true });
    expect(a.shape).toEqual([1, 2, 13, 17]);
    expect(b.shape).toEqual([1, 2, 13, 17]);
    expectClose(a, refBilinear(z, 13, 17, false, 1 / 1.7, 1 / 1.7), [1, 2, 13, 17], 1e-5, 1e-5);
    expectClose(b, refBilinear(z, 13, 17, false, 8 / 13, 10 / 17), [1, 2, 13, 17], 1e-5, 1e-5);
    expect(Array.from(a.values())).not.toEqual(Array.from(b.values()));
    // nearest with a non-integer factor: floor(o / 1.7) vs floor(o * 8 / 13)
    const n1 = interpolate(tensor([[[0, 1, 2, 3, 4, 5, 6, 7]]]), { scaleFactor: 1.7 });
    expect(Array.from(n1.values())).toEqual(Array.from({ length: 13 }, (_, o) => Math.floor(Math.fround(o * Math.fround(1 / 1.7)))));
  });
  it('bilinear vs reference, down and up, align_corners both ways, non-contiguous input', () => {
    const g = gen(42);
    const z = nonContiguous([2, 3, 6, 7], (s) => randn(s, { generator: g }));
    for (const [oh, ow] of [[11, 19], [4, 5]] as const) {
      for (const ac of [true, false]) {
        expectClose(interpolate(z, { size: [oh, ow], mode: 'bilinear', alignCorners: ac }), refBilinear(z, oh, ow, ac, 6 / oh, 7 / ow), [2, 3, oh, ow], 1e-5, 1e-5);
      }
    }
  });
  it('trilinear with a size-1 depth equals bilinear; area is adaptive average pooling', () => {
    const z = rnd([1, 2, 1, 4, 5], gen(43));
    const tri = interpolate(z, { size: [1, 7, 3], mode: 'trilinear' });
    const bi = interpolate(z.reshape([1, 2, 4, 5]), { size: [7, 3], mode: 'bilinear' });
    expectClose(tri, Array.from(bi.values()), [1, 2, 1, 7, 3], 1e-6, 1e-6);
    const w = rnd([1, 2, 6, 6], gen(44));
    expectClose(interpolate(w, { size: [4, 3], mode: 'area' }), Array.from(adaptiveAvgPool2d(w, [4, 3]).values()), [1, 2, 4, 3], 0, 0);
  });
});

describe('PyTorch quantized interpolate fixtures on int_repr values', () => {
  for (const c of loadGolden('ops/interpolate.json').cases) {
    it(c.name, () => {
      const q = c.inputs.x, a = c.args;
      const nearest = a.mode.startsWith('nearest');
      // nearest copies int_repr; bilinear on (q - zp) gives value / scale, requantized with the same qparams
      const shift = nearest ? 0 : q.zero_point;
      const x = tensor(q.int_repr.map((v: number) => v - shift), { dtype: float64 }).reshape(q.shape);
      const out = interpolate(x, {
        size: a.size, scaleFactor: a.scale_factor, mode: a.mode, alignCorners: a.align_corners, recomputeScaleFactor: a.recompute_scale_factor,
      });
      expect(out.shape).toEqual(c.expected.y.shape);
      const ov = out.values(), want: number[] = c.expected.y.int_repr;
      const [lo, hi] = q.dtype === 'quint8' ? [0, 255] : [-128, 127];
      let off = 0;
      for (let i = 0; i < ov.length; i++) {
        const got = nearest ? ov[i]! : Math.min(hi, Math.max(lo, Math.round(ov[i]!) + shift));
        if (nearest ? got !== want[i] : Math.abs(got - want[i]!) > 1) off++;
      }
      expect(off).toBe(0);
    });
  }
});

describe('interpolate gradients (gradcheck)', () => {
  it('nearest / nearest-exact / linear / bilinear / trilinear / area', () => {
    const g = gen(45);
    expect(gradcheck((x) => interpolate(x!, { scaleFactor: 1.7 }), [leaf([1, 2, 3, 4], g)])).toBe(true);
    expect(gradcheck((x) => interpolate(x!, { size: 3, mode: 'nearest-exact' }), [leaf([2, 1, 5], g)])).toBe(true);
    expect(gradcheck((x) => interpolate(x!, { size: 7, mode: 'linear', alignCorners: true }), [leaf([1, 2, 4], g)])).toBe(true);
    expect(gradcheck((x) => interpolate(x!.transpose(2, 3), { size: [5, 3], mode: 'bilinear' }), [leaf([1, 2, 4, 3], g)])).toBe(true);
    expect(gradcheck((x) => interpolate(x!, { scaleFactor: [1.5, 0.7, 2], mode: 'trilinear' }), [leaf([1, 1, 2, 3, 2], g)])).toBe(true);
    expect(gradcheck((x) => interpolate(x!, { size: [2, 3], mode: 'area' }), [leaf([1, 1, 5, 4], g)])).toBe(true);
  });
});

describe('interpolate errors', () => {
  const x = randn([1, 1, 4, 4]);
  it('names the op, the mode and the shapes', () => {
    expect(() => interpolate(x, { size: 2, alignCorners: true })).toThrow(/align_corners option can only be set with the interpolating modes/);
    expect(() => interpolate(x, { size: 2, mode: 'linear' })).toThrow(QTorchShapeError);
    expect(() => interpolate(x, { size: 2, mode: 'linear' })).toThrow(/interpolate\(\): Got 4D input of shape \[1, 1, 4, 4\], but linear mode needs 3D input/);
    expect(() => interpolate(x, { size: 2, scaleFactor: 2 })).toThrow(/only one of size or scale_factor/);
    expect(() => interpolate(x, {})).toThrow(/either size or scale_factor/);
    expect(() => interpolate(x, { size: 2, recomputeScaleFactor: true })).toThrow(QTorchValueError);
    expect(() => interpolate(x, { size: [2, 2, 2] })).toThrow(/same number of spatial dimensions/);
    expect(() => interpolate(x, { scaleFactor: 0.1 })).toThrow(/greater than 0/);
    expect(() => interpolate(randn([4, 4]), { size: 2 })).toThrow(/3D, 4D or 5D/);
  });
});
