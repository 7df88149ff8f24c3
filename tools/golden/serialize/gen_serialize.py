"""Generates the torch.save checkpoint fixtures for qtorch's checkpoint loader (loadTorchFile).

Run with Debian's PyTorch 1.13 (see ../README.md):

    /usr/bin/python3 gen_serialize.py            # writes *.pt and expected.json next to this file

Each .pt file is `torch.save` output (the zip format). expected.json describes, per file, the
value `torch.load` returns, encoded as:

    tensor   {"tensor": <golden tensor spec (../README.md)>, "stride": [...], "storage_offset": n,
              "requires_grad": bool, "storage": "<key>"}   (storage key: equal keys share storage)
    dict     {"dict": [[key, value], ...]}      (keys as strings, in insertion order)
    list     {"list": [...]}
    tuple    {"tuple": [...]}                   (torch.Size too)
    dtype    {"dtype": "float32"}
    int > 2**53 in magnitude: {"int": "<decimal>"}; other ints, floats, str, bool, None: JSON natives
    (a device is its string, e.g. "cpu"; a qscheme its name)

or {"error": "<substring of the qtorch error message>"} for files qtorch must refuse.
Running it twice writes identical files (fixed seed, single thread), except legacy.pt: the legacy
format embeds object ids.
"""
import collections
import io
import json
import os
import sys
import zipfile

import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from golden_io import DTYPE_NAMES, QDTYPE_NAMES, QSCHEME_NAMES, fnum, tensor_json  # noqa: E402  (the JSON encoding)


def inum(v):
    v = int(v)
    return v if abs(v) <= 2**53 else {"int": str(v)}


def tensor_spec(t):
    """The golden spec of a tensor's logical values (row-major; float16 keeps its dtype name)."""
    return tensor_json(t, keep_half_dtype=True, int_value=inum)


def encode(v, storages):
    """expected.json encoding of a torch.load result (see the module docstring)."""
    if isinstance(v, torch.Tensor):
        ptr = v.storage().data_ptr()
        key = storages.setdefault(ptr, str(len(storages)))
        return {"tensor": tensor_spec(v), "stride": list(v.stride()), "storage_offset": v.storage_offset(),
                "requires_grad": bool(v.requires_grad), "storage": key}
    if isinstance(v, dict):
        return {"dict": [[str(k), encode(x, storages)] for k, x in v.items()]}
    if isinstance(v, tuple):  # torch.Size is a tuple
        return {"tuple": [encode(x, storages) for x in v]}
    if isinstance(v, list):
        return {"list": [encode(x, storages) for x in v]}
    if isinstance(v, torch.dtype):
        return {"dtype": DTYPE_NAMES.get(v) or QDTYPE_NAMES[v]}
    if isinstance(v, torch.device):
        return str(v)
    if isinstance(v, torch.qscheme):
        return QSCHEME_NAMES[v]
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return inum(v)
    if isinstance(v, float):
        return fnum(v)
    raise TypeError(f"cannot encode {type(v)}")


def save_bytes(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


class Net(nn.Module):
    """A small Conv + BN + Linear model (the float state dict fixture)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3)
        self.bn = nn.BatchNorm2d(3)
        self.fc = nn.Linear(12, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.bn(self.conv(x)), 1))


def state_dict_fixture():
    m = Net()
    m.train()
    for _ in range(2):  # running stats and num_batches_tracked move away from their defaults
        m(torch.randn(2, 2, 4, 4))
    return m.state_dict()


def dtypes_fixture():
    return {
        "float32": torch.tensor([[1.5, -2.25, 3.0e-8], [float("inf"), float("-inf"), -0.0]]),
        "float64": torch.tensor([1.0 / 3.0, -1e300, 5e-324], dtype=torch.float64),
        "float16": torch.tensor([0.5, -65504.0, 6.1035156e-05, 5.9604645e-08, float("nan")], dtype=torch.float16),
        "int64": torch.tensor([0, -1, 2**40, -(2**40), 2**62, -(2**63)], dtype=torch.int64),
        "int32": torch.tensor([2**31 - 1, -(2**31), 7], dtype=torch.int32),
        "int16": torch.tensor([32767, -32768, -5], dtype=torch.int16),
        "int8": torch.tensor([127, -128, 0], dtype=torch.int8),
        "uint8": torch.tensor([[0, 255], [128, 1]], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
    }


def noncontiguous_fixture():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    return {
        "transposed": base.t(),                     # stride (1, 6)
        "sliced": base[1:3, 2:5],                   # storage offset 8, stride (6, 1)
        "stepped": base[::2, ::3],                  # stride (12, 3)
        "expanded": torch.tensor([1.0, 2.0]).unsqueeze(0).expand(3, 2),  # stride (0, 1)
        "base": base,                               # shares storage with the first three
    }


def quantized_fixture():
    x = torch.randn(3, 4)
    w = torch.randn(4, 3, 2)
    emb = torch.randn(3, 5)
    return {
        "q_quint8": torch.quantize_per_tensor(x, 0.05, 130, torch.quint8),
        "q_qint8": torch.quantize_per_tensor(x, 0.02, -3, torch.qint8),
        "q_qint32": torch.quantize_per_tensor(x, 0.001, 17, torch.qint32),
        "pc_axis0": torch.quantize_per_channel(
            w, torch.tensor([0.01, 0.02, 0.015, 0.03], dtype=torch.float64), torch.tensor([0, -2, 5, 1]), 0, torch.qint8),
        "pc_axis1": torch.quantize_per_channel(
            w, torch.tensor([0.02, 0.04, 0.01], dtype=torch.float64), torch.tensor([128, 120, 135]), 1, torch.quint8),
        "pc_float_qparams": torch.quantize_per_channel(
            emb, torch.tensor([0.01, 0.02, 0.03], dtype=torch.float64), torch.tensor([0.5, -1.25, 2.0]), 0, torch.quint8),
        "q_transposed": torch.quantize_per_tensor(x, 0.05, 128, torch.quint8).t(),
    }


def quantized_linear_fixture():
    torch.backends.quantized.engine = "qnnpack"
    m = torch.ao.nn.quantized.Linear(3, 2)
    w = torch.quantize_per_tensor(torch.randn(2, 3), 0.03, 0, torch.qint8)
    m.set_weight_bias(w, torch.tensor([0.25, -0.5]))
    m.scale, m.zero_point = 0.125, 7
    return m.state_dict()


def nested_fixture():
    return {
        "model": collections.OrderedDict([("layer.weight", torch.ones(2, 2)), ("layer.bias", torch.zeros(2))]),
        "optimizer": {"state": {0: {"step": 3, "momentum_buffer": torch.full((2,), 0.5)}},
                      "param_groups": [{"lr": 0.01, "params": [0, 1], "nesterov": False}]},
        "epoch": 7,
        "big": 2**70,
        "neg": -123456789,
        "loss": 0.125,
        "name": "héllo ✓",
        "none": None,
        "flags": (True, False),
        "size": torch.Size([3, 4]),
        "dtype": torch.float16,
        "device": torch.device("cpu"),
        "param": nn.Parameter(torch.tensor([1.0, -1.0])),
        "frozen_param": nn.Parameter(torch.tensor([3.0]), requires_grad=False),
        "grad_tensor": torch.tensor([2.0], requires_grad=True),
        "deep": {"a": {"b": {"c": [1, [2, [3, {"d": torch.tensor([4], dtype=torch.int32)}]]]}}},
    }


def main():
    files = {}
    storages_by_file = {}

    def add(name, obj, **kw):
        data = save_bytes(obj, **kw)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        loaded = torch.load(io.BytesIO(data))
        storages = {}
        files[name] = encode(loaded, storages)
        storages_by_file[name] = storages

    def add_error(name, obj, message, **kw):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(save_bytes(obj, **kw))
        files[name] = {"error": message}

    add("state_dict.pt", state_dict_fixture())
    add("dtypes.pt", dtypes_fixture())
    add("noncontiguous.pt", noncontiguous_fixture())
    add("quantized.pt", quantized_fixture())
    add("quantized_linear.pt", quantized_linear_fixture())
    add("nested.pt", nested_fixture())
    add("protocol4.pt", {"w": torch.tensor([[1.0, 2.0]]), "t": (1, "x")}, pickle_protocol=4)
    add("tensor.pt", torch.tensor([1, 2, 3], dtype=torch.int16))
    add_error("module.pt", nn.Linear(2, 2), "torch.nn.modules.linear.Linear")
    add_error("legacy.pt", {"w": torch.ones(2)}, "legacy", _use_new_zipfile_serialization=False)

    # a torch.save archive with zip64 records (as written for > 4 GB files), made by rewriting
    # state_dict.pt with Python's zipfile into the same STORED layout plus zip64 end records
    out = io.BytesIO()
    with zipfile.ZipFile(os.path.join(HERE, "state_dict.pt")) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as dst:
        for info in src.infolist():
            with dst.open(zipfile.ZipInfo(info.filename), "w", force_zip64=True) as w:
                w.write(src.read(info.filename))
    # zipfile only writes the zip64 end records when needed; patch the end record so readers must use them
    data = bytearray(out.getvalue())
    eocd = data.rfind(b"PK\x05\x06")
    count = int.from_bytes(data[eocd + 10:eocd + 12], "little")
    cd_size = int.from_bytes(data[eocd + 12:eocd + 16], "little")
    cd_off = int.from_bytes(data[eocd + 16:eocd + 20], "little")
    z64 = (b"PK\x06\x06" + (44).to_bytes(8, "little") + (45).to_bytes(2, "little") + (45).to_bytes(2, "little")
           + (0).to_bytes(4, "little") + (0).to_bytes(4, "little") + count.to_bytes(8, "little")
           + count.to_bytes(8, "little") + cd_size.to_bytes(8, "little") + cd_off.to_bytes(8, "little"))
    locator = b"PK\x06\x07" + (0).to_bytes(4, "little") + eocd.to_bytes(8, "little") + (1).to_bytes(4, "little")
    end = bytearray(data[eocd:eocd + 22])
    end[8:10] = b"\xff\xff"
    end[10:12] = b"\xff\xff"
    end[12:16] = b"\xff\xff\xff\xff"
    end[16:20] = b"\xff\xff\xff\xff"
    data = data[:eocd] + z64 + locator + end
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as check:  # Python reads it as zip64
        assert check.testzip() is None
    loaded = torch.load(io.BytesIO(bytes(data)))
    with open(os.path.join(HERE, "zip64.pt"), "wb") as f:
        f.write(data)
    files["zip64.pt"] = encode(loaded, {})

    head = {"torch_version": torch.__version__, "generator": "gen_serialize.py", "seed": 0}
    with open(os.path.join(HERE, "expected.json"), "w") as f:  # one file per line, so a diff is readable
        f.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "files": {\n')
        f.write(",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in files.items()))
        f.write("\n}}\n")


if __name__ == "__main__":
    main()
