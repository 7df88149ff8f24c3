"""The golden fixtures' JSON encoding of tensors (see README.md), shared by the generators.

gen.py imports it from this folder; the generators in subfolders (nn/gen_nn.py,
serialize/gen_serialize.py) put this folder on sys.path first.
"""
import math

import torch

DTYPE_NAMES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.int64: "int64",
    torch.int32: "int32", torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool",
}
QDTYPE_NAMES = {torch.quint8: "quint8", torch.qint8: "qint8", torch.qint32: "qint32", torch.quint4x2: "quint4x2"}
QSCHEME_NAMES = {
    torch.per_tensor_affine: "per_tensor_affine",
    torch.per_tensor_symmetric: "per_tensor_symmetric",
    torch.per_channel_affine: "per_channel_affine",
    torch.per_channel_symmetric: "per_channel_symmetric",
    torch.per_channel_affine_float_qparams: "per_channel_affine_float_qparams",
}


def fnum(v):
    """A float as JSON: exact double (so a float32 value survives), NaN/Inf as strings."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def qtensor_json(t):
    """A quantized tensor: int_repr + quantization parameters."""
    t = t.detach()
    qs = t.qscheme()
    d = {"qtensor": True, "dtype": QDTYPE_NAMES[t.dtype], "qscheme": QSCHEME_NAMES[qs],
         "shape": list(t.shape), "int_repr": [int(v) for v in t.int_repr().reshape(-1).tolist()]}
    if qs in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        d["scale"] = fnum(t.q_scale())
        d["zero_point"] = int(t.q_zero_point())
    else:
        d["scales"] = [fnum(v) for v in t.q_per_channel_scales().tolist()]
        zps = t.q_per_channel_zero_points()
        if zps.is_floating_point():
            d["zero_points"] = [fnum(v) for v in zps.tolist()]
        else:
            d["zero_points"] = [int(v) for v in zps.tolist()]
        d["axis"] = int(t.q_per_channel_axis())
    return d


def tensor_json(t, keep_half_dtype=False, int_value=int):
    """A tensor as {"shape","dtype","data"} (row-major values), a quantized one as `qtensor_json`.

    float16 / bfloat16 values are written as float32 ones, named "float32" unless
    `keep_half_dtype` (then the tensor's own dtype name). `int_value` encodes integer elements.
    """
    t = t.detach()
    if t.is_quantized:
        return qtensor_json(t)
    dtype = t.dtype
    if dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    flat = t.contiguous().reshape(-1).tolist()
    if t.is_floating_point():
        flat = [fnum(v) for v in flat]
    elif t.dtype == torch.bool:
        flat = [bool(v) for v in flat]
    else:
        flat = [int_value(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[dtype if keep_half_dtype else t.dtype], "data": flat}
