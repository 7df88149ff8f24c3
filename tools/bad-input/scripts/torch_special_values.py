"""PyTorch 1.13's answers for the bad-input suite: special float values (NaN, +/-Inf, -0) and
empty tensors through quantize / fake-quantize / observers / dynamic quantization.

Run with the PyTorch 1.13 interpreter; writes ../fixtures/special_values.json. Floats that JSON
cannot hold are strings: "nan", "inf", "-inf", "-0". An op that raises is recorded as
{"error": <message>} so the suite can assert that qtorch raises too.

    /usr/bin/python3 tools/bad-input/scripts/torch_special_values.py
"""
import json
import math
import os
import warnings

import torch
from torch.ao.quantization import (
    HistogramObserver, MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver,
)

warnings.simplefilter('ignore')
torch.backends.quantized.engine = 'qnnpack'
assert torch.__version__.startswith('1.13'), torch.__version__

SPECIAL = [float('nan'), float('inf'), float('-inf'), -0.0, 0.0, 1.5, -2.25, 1e30, -1e30]


def enc(v):
    v = float(v)
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if v == 0 and math.copysign(1, v) < 0:
        return '-0'
    return v


def encs(t):
    return [enc(v) for v in t.reshape(-1).tolist()]


def attempt(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 -- recorded, the suite expects qtorch to raise too
        return {'error': str(e).splitlines()[0][:200]}


out = {'input': [enc(v) for v in SPECIAL]}
x = torch.tensor(SPECIAL)

out['quantize_per_tensor'] = {}
for name, dt, zp in [('quint8', torch.quint8, 10), ('qint8', torch.qint8, 10), ('qint32', torch.qint32, 10)]:
    out['quantize_per_tensor'][name] = {
        'scale': 0.1, 'zero_point': zp, 'int_repr': torch.quantize_per_tensor(x, 0.1, zp, dt).int_repr().tolist(),
    }

xc = torch.tensor(SPECIAL[:8]).reshape(2, 4)
out['quantize_per_channel'] = {}
for name, dt in [('quint8', torch.quint8), ('qint8', torch.qint8)]:
    q = torch.quantize_per_channel(xc, torch.tensor([0.1, 0.25], dtype=torch.float64), torch.tensor([3, 5]), 0, dt)
    out['quantize_per_channel'][name] = {'scales': [0.1, 0.25], 'zero_points': [3, 5], 'axis': 0, 'int_repr': q.int_repr().tolist()}

out['fake_quantize_per_tensor_affine'] = {
    'scale': 0.1, 'zero_point': 10, 'quant_min': 0, 'quant_max': 255,
    'output': encs(torch.fake_quantize_per_tensor_affine(x, 0.1, 10, 0, 255)),
}
out['fake_quantize_per_channel_affine'] = {
    'scales': [0.1, 0.25], 'zero_points': [3, 5], 'axis': 0, 'quant_min': -128, 'quant_max': 127,
    'output': encs(torch.fake_quantize_per_channel_affine(xc, torch.tensor([0.1, 0.25]), torch.tensor([3, 5], dtype=torch.int32), 0, -128, 127)),
}


def observe(make, values, shape=None):
    def run():
        o = make()
        t = torch.tensor(values, dtype=torch.float32)
        if shape is not None:
            t = t.reshape(shape)
        o(t)
        s, z = o.calculate_qparams()
        return {'scale': encs(s), 'zero_point': [int(v) for v in z.reshape(-1).tolist()]}
    return attempt(run)


OBS = {
    'MinMaxObserver': (lambda: MinMaxObserver(), None),
    'MinMaxObserver_qint8_symmetric': (lambda: MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric), None),
    'MovingAverageMinMaxObserver': (lambda: MovingAverageMinMaxObserver(), None),
    'HistogramObserver': (lambda: HistogramObserver(), None),
    'PerChannelMinMaxObserver': (lambda: PerChannelMinMaxObserver(ch_axis=0), 'row'),
}
OBS_INPUTS = {
    'nan': [float('nan'), 1.0, 2.0], 'inf': [float('inf'), 1.0, 2.0], '-inf': [float('-inf'), 1.0, 2.0],
    'neg_zero': [-0.0, -0.0], 'neg_zero_and_values': [-0.0, 0.5, -1.5], 'empty': [],
}
out['observers'] = {}
for oname, (make, shape) in OBS.items():
    out['observers'][oname] = {}
    for iname, vals in OBS_INPUTS.items():
        shp = None if shape is None else ((1, len(vals)) if vals else (0, 3))
        out['observers'][oname][iname] = observe(make, vals, shp)
out['observer_inputs'] = {k: [enc(v) for v in vs] for k, vs in OBS_INPUTS.items()}


def dyn(values):
    def run():
        q = torch.quantize_per_tensor_dynamic(torch.tensor(values, dtype=torch.float32), torch.quint8, False)
        return {'scale': enc(q.q_scale()), 'zero_point': q.q_zero_point(), 'int_repr': q.int_repr().tolist()}
    return attempt(run)


out['quantize_per_tensor_dynamic'] = {k: dyn(v) for k, v in {
    'nan': [float('nan'), 1.0], 'inf': [float('inf'), 1.0], '-inf': [float('-inf'), 1.0], 'neg_zero': [-0.0, -0.0],
}.items()}

# empty tensors and 0-size dims
out['empty'] = {
    'quantize_per_tensor_0x3': list(torch.quantize_per_tensor(torch.zeros(0, 3), 0.1, 10, torch.quint8).shape),
    'dequantize_0x3': list(torch.quantize_per_tensor(torch.zeros(0, 3), 0.1, 10, torch.quint8).dequantize().shape),
    'quantized_add_0x3': list(torch.ops.quantized.add(
        torch.quantize_per_tensor(torch.zeros(0, 3), 0.1, 10, torch.quint8),
        torch.quantize_per_tensor(torch.zeros(0, 3), 0.1, 10, torch.quint8), 0.2, 3).shape),
    'qlinear_batch0': list(torch.ao.nn.quantized.Linear(4, 3)(
        torch.quantize_per_tensor(torch.zeros(0, 4), 0.1, 10, torch.quint8)).shape),
    'qconv2d_batch0': list(torch.ao.nn.quantized.Conv2d(2, 3, 3)(
        torch.quantize_per_tensor(torch.zeros(0, 2, 4, 4), 0.1, 10, torch.quint8)).shape),
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'special_values.json')
with open(path, 'w') as f:
    json.dump({'torch_version': torch.__version__, **out}, f, indent=1)
    f.write('\n')
print('wrote', os.path.normpath(path))
