"""PyTorch peer of the qtorch bench: a worker process that times the bench's cases with torch's ops.

apps/bench/src/peers/torch.ts starts it and talks JSON lines over stdin/stdout, one request and
one reply at a time, so torch's samples interleave with qtorch's and onnxruntime's in one group:
  {"op": "hello"}                          -> {"torch": version, "engines": [...]}
  {"op": "prepare", "spec": {...}, "threads": T}
                                           -> {"variants": [{"id", "engine", "dtype"}], "skipped": [...]}
  {"op": "time", "id": n, "reps": r}       -> {"ms": mean ms per call of r back-to-back calls}
                                              (on several threads the reply waits, untimed, until
                                              torch's pools stop spinning: see quiesce)
  {"op": "drop", "ids": [...]}             -> {}
Int8 cases give one variant per quantized engine (qnnpack, onednn/fbgemm/x86 when built in),
their float twins one (engine "-"); a variant runs under torch.set_num_threads(T) of its prepare.
A request that fails gets {"error": message}. End of input ends the worker.
"""
import copy
import json
import resource
import sys
import time

import torch
import torch.nn.functional as F

OUT_SCALE, OUT_ZP = 0.5, 128
ENGINES = [e for e in ("qnnpack", "onednn", "fbgemm", "x86") if e in torch.backends.quantized.supported_engines]


def q_act(shape):
    return torch.quantize_per_tensor(torch.randn(*shape), 0.05, 128, torch.quint8)


def q_weight(shape):
    return torch.quantize_per_tensor(torch.randn(*shape), 0.03, 0, torch.qint8)


def linear_cases(s, dynamic):
    x, w, b = torch.randn(s["m"], s["k"]), q_weight((s["n"], s["k"])), torch.randn(s["n"])
    xq = torch.quantize_per_tensor(x, 0.05, 128, torch.quint8)
    if "int8" in s["dtypes"]:
        for e in ENGINES:
            def make(e=e):
                torch.backends.quantized.engine = e
                packed = torch.ops.quantized.linear_prepack(w, b)
                if dynamic:
                    rr = e != "qnnpack"  # onednn/fbgemm quantize activations to 0..127; qnnpack ignores it
                    return lambda: torch.ops.quantized.linear_dynamic(x, packed, rr)
                return lambda: torch.ops.quantized.linear(xq, packed, OUT_SCALE, OUT_ZP)
            yield e, "int8", make
    if "fp32" in s["dtypes"]:
        wf = w.dequantize()
        yield "-", "fp32", lambda: (lambda: F.linear(x, wf, b))


def conv_cases(s):
    x = q_act((s["n"], s["c"], s["h"], s["w"]))
    w = q_weight((s["cout"], s["c"] // s["groups"], s["kernel"], s["kernel"]))
    b = torch.randn(s["cout"])
    st, p, g = [s["stride"]] * 2, [s["padding"]] * 2, s["groups"]
    if "int8" in s["dtypes"]:
        for e in ENGINES:
            def make(e=e):
                torch.backends.quantized.engine = e
                packed = torch.ops.quantized.conv2d_prepack(w, b, st, p, [1, 1], g)
                return lambda: torch.ops.quantized.conv2d(x, packed, OUT_SCALE, OUT_ZP)
            yield e, "int8", make
    if "fp32" in s["dtypes"]:
        xf, wf = x.dequantize(), w.dequantize()
        yield "-", "fp32", lambda: (lambda: F.conv2d(xf, wf, b, st, p, 1, g))


def lstm_cases(s):
    lstm = torch.nn.LSTM(s["input"], s["hidden"], s["layers"])
    x = torch.randn(s["seq"], s["batch"], s["input"])
    if "int8" in s["dtypes"]:
        for e in ENGINES:
            def make(e=e):
                torch.backends.quantized.engine = e
                qlstm = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(lstm), {torch.nn.LSTM}, dtype=torch.qint8)[0]
                return lambda: qlstm(x)
            yield e, "int8", make
    if "fp32" in s["dtypes"]:
        yield "-", "fp32", lambda: (lambda: lstm(x))


def elementwise_cases(s):
    x = torch.randn(s["numel"])
    if s["kind"] == "quantize":
        yield "-", "int8", lambda: (lambda: torch.quantize_per_tensor(x, 0.05, 128, torch.quint8))
    elif s["kind"] == "dequantize":
        q = torch.quantize_per_tensor(x, 0.05, 128, torch.quint8)
        yield "-", "int8", lambda: (lambda: q.dequantize())
    elif s["kind"] == "copy":
        dst = torch.empty_like(x)
        yield "-", "fp32", lambda: (lambda: dst.copy_(x))


class ConvRelu(torch.nn.Module):
    def __init__(self, cin, cout, k, stride, groups=1):
        super().__init__()
        self.conv = torch.nn.Conv2d(cin, cout, k, stride=stride, padding=(k - 1) // 2, groups=groups)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv(x))


class Basic(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = ConvRelu(cin, cout, 3, stride)
        self.b = torch.nn.Conv2d(cout, cout, 3, padding=1)
        self.proj = torch.nn.Conv2d(cin, cout, 1, stride=stride) if stride != 1 or cin != cout else None
        self.add = torch.nn.quantized.FloatFunctional()

    def forward(self, x):
        return self.add.add_relu(self.b(self.a(x)), self.proj(x) if self.proj is not None else x)


class InvertedResidual(torch.nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        self.expand = ConvRelu(cin, hidden, 1, 1) if t != 1 else None
        self.dw = ConvRelu(hidden, hidden, 3, stride, hidden)
        self.project = torch.nn.Conv2d(hidden, cout, 1)
        self.add = torch.nn.quantized.FloatFunctional() if stride == 1 and cin == cout else None

    def forward(self, x):
        y = self.project(self.dw(self.expand(x) if self.expand is not None else x))
        return self.add.add(y, x) if self.add is not None else y


class ArchModel(torch.nn.Module):
    """apps/bench/src/models/build.ts's ArchModel, from the same architecture data."""

    def __init__(self, arch):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.stem = ConvRelu(3, arch["stem"], 3, 2)
        self.pool = torch.nn.MaxPool2d(3, stride=2, padding=1) if arch["maxpool"] else None
        c, blocks = arch["stem"], []
        for b in arch["blocks"]:
            blocks.append(Basic(c, b["cout"], b["stride"]) if b["type"] == "basic" else InvertedResidual(c, b["cout"], b["stride"], b["expand"]))
            c = b["cout"]
        self.blocks = torch.nn.Sequential(*blocks)
        self.head = ConvRelu(c, arch["head"], 1, 1) if arch["head"] else None
        self.gap = torch.nn.AdaptiveAvgPool2d(1)
        self.flatten = torch.nn.Flatten()
        self.fc = torch.nn.Linear(arch["head"] or c, arch["classes"])
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        y = self.stem(self.quant(x))
        if self.pool is not None:
            y = self.pool(y)
        y = self.blocks(y)
        if self.head is not None:
            y = self.head(y)
        return self.dequant(self.fc(self.flatten(self.gap(y))))


def quantized_model(float_model, engine, calibration):
    """Eager post-training quantization for `engine`: fuse conv + ReLU, observe, convert."""
    torch.backends.quantized.engine = engine
    m = copy.deepcopy(float_model).eval()
    groups = [[f"{n}.conv", f"{n}.relu"] for n, mod in m.named_modules() if isinstance(mod, ConvRelu)]
    torch.ao.quantization.fuse_modules(m, groups, inplace=True)
    m.qconfig = torch.ao.quantization.get_default_qconfig(engine)
    torch.ao.quantization.prepare(m, inplace=True)
    for x in calibration:
        m(x)
    torch.ao.quantization.convert(m, inplace=True)
    return m


def model_cases(s):
    fm = ArchModel(s["arch"]).eval()
    x = torch.randn(1, 3, s["size"], s["size"])
    calibration = [x, torch.randn(1, 3, s["size"], s["size"])]
    if "int8" in s["dtypes"]:
        for e in ENGINES:
            def make(e=e):
                qm = quantized_model(fm, e, calibration)
                return lambda: qm(x)
            yield e, "int8", make
    if "fp32" in s["dtypes"]:
        yield "-", "fp32", lambda: (lambda: fm(x))


def matmul_cases(s):
    m, k = s.get("m", s["n"]), s.get("k", s["n"])
    a, b = torch.randn(m, k), torch.randn(k, s["n"])
    yield "-", "fp32", lambda: (lambda: torch.mm(a, b))


CASES = {
    "linear": lambda s: linear_cases(s, False),
    "linear_dynamic": lambda s: linear_cases(s, True),
    "conv": conv_cases,
    "lstm_dynamic": lstm_cases,
    "quantize": elementwise_cases,
    "dequantize": elementwise_cases,
    "copy": elementwise_cases,
    "matmul": matmul_cases,
    "model": model_cases,
}


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def quiesce(window=0.005, limit=0.5):
    """Waits (untimed) until this process's threads stop using the CPU: torch's OpenMP and qnnpack
    pools spin for 10-30 ms after a call here, which would steal a core from the next variant."""
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        c0 = cpu_seconds()
        time.sleep(window)
        if cpu_seconds() - c0 < window / 10:
            return


class Worker:
    def __init__(self):
        self.variants = {}  # id -> (threads, quantized engine or None, fn)
        self.next_id = 0

    def hello(self, req):
        return {"torch": torch.__version__, "engines": ENGINES}

    def prepare(self, req):
        s, threads = req["spec"], req["threads"]
        gen = CASES.get(s["kind"])
        if gen is None:
            return {"variants": [], "skipped": [f"{s['suite']} {s['case']}: no torch peer for kind {s['kind']}"]}
        torch.set_num_threads(threads)
        variants, skipped = [], []
        for engine, dtype, make in gen(s):
            try:
                fn = make()
            except Exception as err:  # an engine without this op: report and go on
                skipped.append(f"{s['suite']} {s['case']} {engine} {dtype}: {str(err).splitlines()[0]}")
                continue
            self.variants[self.next_id] = (threads, engine if engine in ENGINES else None, fn)
            variants.append({"id": self.next_id, "engine": engine, "dtype": dtype})
            self.next_id += 1
        return {"variants": variants, "skipped": skipped}

    def time(self, req):
        threads, engine, fn = self.variants[req["id"]]
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        if engine is not None and torch.backends.quantized.engine != engine:  # as when it was prepared
            torch.backends.quantized.engine = engine
        reps = max(1, int(req["reps"]))
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        ms = (time.perf_counter() - t0) * 1e3 / reps
        if threads > 1:
            quiesce()
        return {"ms": ms}

    def drop(self, req):
        for i in req["ids"]:
            self.variants.pop(i, None)
        return {}


def main():
    torch.manual_seed(0)
    worker = Worker()
    ops = {"hello": worker.hello, "prepare": worker.prepare, "time": worker.time, "drop": worker.drop}
    with torch.inference_mode():
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                reply = ops[req["op"]](req)
            except Exception as err:  # a bad request or a failing call: say so, keep serving
                reply = {"error": f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"}
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
