#!/usr/bin/env python3
"""Golden fixtures for quantized transposed convolution (`quantized::conv_transpose1d/2d`).

Run with Debian's PyTorch 1.13 (`/usr/bin/python3`, see ../README.md):

    python3 gen_conv_transpose.py [--out DIR] [--seed N]

Writes `conv_transpose.json` next to this script (format: ../README.md, one case per line). It
reuses gen.py's encoders and random helpers, so the data looks like ops/conv2d.json's.

Every case has a bias and several output channels (the bias and the multiplier are per output
channel). Cases that both engines accept run under both (`@qnnpack` / `@onednn`). Some run
under qnnpack only, because PyTorch 1.13's onednn raises for them:
- per-channel weights ("Per Channel Quantization is currently disabled for transposed conv"); qnnpack
  takes them along axis 1 (the output channels of a `[Cin, Cout/groups, *k]` weight), groups = 1
  only (with groups > 1 it reads past the scales);
- a non-zero `output_padding` ("ONEDNN only supports zero output_padding");
- a non-zero weight zero point (onednn weights must be symmetric).
qnnpack's `conv_transpose3d` returns garbage shapes in this build, so there are no 3-d cases.

Cases that run under onednn take reduce-range activations (quint8 0..127, what x86 observers
give): with full-range activations onednn's int8 deconvolution saturates its 16-bit pair sums
(u8 * s8 + u8 * s8 > 32767) and a few outputs land tens of steps off the float result.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import gen  # noqa: E402  (gen.py: encoders, seeding, per-engine runner)

# name, spatial dims, geometry, per-channel weight, weight zero point, engines
CONFIGS = [
    ("ct2d_s2_p1_pt", 2, dict(k=3, stride=2, padding=1, output_padding=0, dilation=1, groups=1, cout=6), False, 0, "both"),
    ("ct2d_s1_p1_groups2_pt", 2, dict(k=3, stride=1, padding=1, output_padding=0, dilation=1, groups=2, cout=6), False, 0, "both"),
    ("ct2d_k2_s2_batch2_pt", 2, dict(k=2, stride=2, padding=0, output_padding=0, dilation=1, groups=1, cout=5, batch=2), False, 0, "both"),
    ("ct2d_rect_dil2_pt", 2, dict(k=(2, 3), stride=(1, 2), padding=(0, 1), output_padding=0, dilation=2, groups=1, cout=4), False, 0, "both"),
    ("ct1d_s2_p1_pt", 1, dict(k=3, stride=2, padding=1, output_padding=0, dilation=1, groups=1, cout=6), False, 0, "both"),
    ("ct2d_s2_p1_pc", 2, dict(k=3, stride=2, padding=1, output_padding=0, dilation=1, groups=1, cout=6), True, 0, "qnnpack"),
    ("ct2d_s2_outpad1_pt", 2, dict(k=3, stride=2, padding=1, output_padding=1, dilation=1, groups=1, cout=6), False, 0, "qnnpack"),
    ("ct1d_s1_pc", 1, dict(k=3, stride=1, padding=0, output_padding=0, dilation=1, groups=1, cout=5), True, 0, "qnnpack"),
    ("ct2d_s2_wzp3_pt", 2, dict(k=3, stride=2, padding=1, output_padding=0, dilation=1, groups=1, cout=6), False, 3, "qnnpack"),
]


def spatial_list(v, d):
    return list(v) if isinstance(v, tuple) else [v] * d


def make_case(rng, d, c, pc, wzp, reduce_range):
    n, cin, cout, groups = c.get("batch", 1), 4, c["cout"], c["groups"]
    k = spatial_list(c["k"], d)
    shape = [n, cin] + [rng.randint(3, 5) for _ in range(d)]
    if reduce_range:
        # like gen.rand_q over 0..127 (a few values saturate)
        scale, zp = gen.rscale(rng, 0.02, 0.1), rng.randint(50, 75)
        x = torch.quantize_per_tensor((torch.randn(shape) * 127 * 0.35 + (63.5 - zp)) * scale, scale, zp, torch.quint8)
        x = torch._make_per_tensor_quantized_tensor(x.int_repr().clamp(max=127), scale, zp)
    else:
        x = gen.rand_q(shape, gen.rscale(rng, 0.01, 0.05), rng.randint(100, 150))
    w = torch.randn([cin, cout // groups] + k) * (1.5 / math.sqrt(cin // groups * math.prod(k)))
    wq = gen._qweight(w, pc, rng, axis=1)
    if wzp:
        wq = torch.quantize_per_tensor(w, wq.q_scale(), wzp, torch.qint8)
    b = torch.randn(cout) * 0.3
    geo = {key: spatial_list(c[key], d) for key in ("stride", "padding", "output_padding", "dilation")}
    convf = F.conv_transpose1d if d == 1 else F.conv_transpose2d
    yf = convf(x.dequantize(), wq.dequantize(), b, geo["stride"], geo["padding"], geo["output_padding"], groups, geo["dilation"])
    os_, ozp = gen._out_qparams(yf, rng=rng)
    args = dict(geo, groups=groups, out_scale=os_, out_zero_point=ozp, per_channel=pc, reduce_range=reduce_range)
    inputs = {"x": gen.Q(x), "w_float": gen.T(w), "w": gen.Q(wq), "b": gen.T(b)}

    def run():
        prepack = getattr(torch.ops.quantized, "conv_transpose%dd_prepack" % d)
        packed = prepack(wq, b, geo["stride"], geo["padding"], geo["output_padding"], geo["dilation"], groups)
        return {"y": gen.Q(getattr(torch.ops.quantized, "conv_transpose%dd" % d)(x, packed, os_, ozp))}
    return args, inputs, run


def generate(seed):
    ctx = gen.Ctx(seed)
    rng = ctx.start("ops/conv_transpose")
    cases = []
    for name, d, c, pc, wzp, engines in CONFIGS:
        args, inputs, run = make_case(rng, d, c, pc, wzp, engines == "both")
        op = "quantized::conv_transpose%dd" % d
        if engines == "both":
            gen.per_engine(cases, name, op, args, inputs, run)
        else:
            with gen.engine(engines):
                cases.append(gen.case("%s@%s" % (name, engines), op, dict(args, engine=engines), inputs, run()))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    cases = generate(a.seed)
    assert not any("error" in c["expected"] for c in cases), [c["name"] for c in cases if "error" in c["expected"]]
    head = '{"torch_version":%s,"generator":"ops/gen_conv_transpose.py","seed":%d,"cases":[\n' % (
        json.dumps(torch.__version__), a.seed)
    body = ",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases)
    path = os.path.join(a.out, "conv_transpose.json")
    with open(path, "w") as f:
        f.write(head + body + "\n]}\n")
    print("%s: %d cases" % (path, len(cases)))


if __name__ == "__main__":
    main()
