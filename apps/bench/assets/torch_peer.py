"""PyTorch peer of the qtorch bench: times the bench's cases with torch's quantized ops.

Reads {"threads": [...], "timing": {...}, "specs": [...]} (apps/bench/src/specs.ts) as JSON on
stdin and prints {"torch": version, "engines": [...], "results": [...], "skipped": [...]} as JSON
on stdout. Int8 cases run once per quantized engine (qnnpack, onednn/fbgemm/x86 when built in),
their float twins once (engine "-"), each under torch.set_num_threads(T) for every T.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

OUT_SCALE, OUT_ZP = 0.5, 128
ENGINES = [e for e in ("qnnpack", "onednn", "fbgemm", "x86") if e in torch.backends.quantized.supported_engines]


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def time_call(fn, t):
    """Warm-up, then samples until minRuns and the budget are reached (slow calls: slowRuns)."""
    want = t["minRuns"]
    for _ in range(t["warmup"]):
        t0 = time.perf_counter()
        fn()
        if (time.perf_counter() - t0) * 1e3 > t["slowMs"]:  # one warm-up call is enough for a slow case
            want = min(t["minRuns"], t["slowRuns"])
            break
    samples, start = [], time.perf_counter()
    while len(samples) < want or (want == t["minRuns"] and len(samples) < t["maxRuns"] and (time.perf_counter() - start) * 1e3 < t["budgetMs"]):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return median(samples), len(samples)


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


def matmul_cases(s):
    a, b = torch.randn(s["n"], s["n"]), torch.randn(s["n"], s["n"])
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
}


def main():
    req = json.load(sys.stdin)
    torch.manual_seed(0)
    results, skipped = [], []
    with torch.inference_mode():
        for threads in req["threads"]:
            torch.set_num_threads(threads)
            for s in req["specs"]:
                gen = CASES.get(s["kind"])
                if gen is None:
                    skipped.append(f"{s['suite']} {s['case']}: no torch peer for kind {s['kind']}")
                    continue
                for engine, dtype, make in gen(s):
                    try:
                        fn = make()
                        ms, runs = time_call(fn, req["timing"])
                    except Exception as err:  # an engine without this op: report and go on
                        skipped.append(f"{s['suite']} {s['case']} {engine} {dtype}: {str(err).splitlines()[0]}")
                        continue
                    results.append({"suite": s["suite"], "case": s["case"], "engine": engine, "dtype": dtype,
                                    "threads": threads, "medianMs": ms, "runs": runs})
    json.dump({"torch": torch.__version__, "engines": ENGINES, "results": results, "skipped": skipped}, sys.stdout)


if __name__ == "__main__":
    main()
