#!/usr/bin/env python3
"""Float torch.nn fixtures for @qtorch/nn: small modules' state dicts, inputs and outputs.

Run with Debian's PyTorch 1.13 (`/usr/bin/python3`, `apt-get install python3-torch`):

    python3 gen_nn.py [--out DIR] [--seed N]

Writes `float_modules.json` and `optim.json` (same format as ../README.md: one case per line). Each case has
`args.module` (the constructor call), `inputs.state_dict` (every parameter and buffer), the
forward inputs and `expected` outputs. The TypeScript test builds the same module, loads the
state dict with loadStateDict and must reproduce `expected` within 1e-5 relative.
`optim.json` records SGD / Adam / AdamW trajectories for given gradients, StepLR and
CosineAnnealingLR learning rates, and clip_grad_norm_ results.
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from golden_io import fnum, tensor_json  # noqa: E402  (the JSON encoding)

torch.set_num_threads(1)


T = tensor_json  # a tensor as golden JSON


def out_spec(y):
    if isinstance(y, torch.Tensor):
        return T(y)
    if y is None:
        return None
    return [out_spec(v) for v in y]


CASES = []


def case(name, module_src, module, inputs, call, train=False):
    """Runs `call(module, **inputs)` and records the state dict (before the call), inputs and output."""
    module.train(train)
    sd = {k: T(v) for k, v in module.state_dict().items()}
    out = call(module, **inputs)
    rec = {
        "name": name, "op": type(module).__name__, "args": {"module": module_src, "train": train},
        "inputs": {"state_dict": sd, **{k: out_spec(v) for k, v in inputs.items()}},
        "expected": {"output": out_spec(out)},
    }
    if train:
        rec["expected"]["state_dict_after"] = {k: T(v) for k, v in module.state_dict().items()}
    CASES.append(rec)


def randomize(m):
    """Non-default buffers/affine params so eval-mode norms are really exercised."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("weight") and p.dim() == 1:
                p.uniform_(0.5, 1.5)
            elif name.endswith("bias") and p.dim() == 1:
                p.uniform_(-0.5, 0.5)
        for name, b in m.named_buffers():
            if name.endswith("running_mean"):
                b.uniform_(-0.5, 0.5)
            elif name.endswith("running_var"):
                b.uniform_(0.5, 2.0)
    return m


def gen():
    r = torch.randn
    case("linear", "Linear(5, 3)", nn.Linear(5, 3), {"x": r(4, 5)}, lambda m, x: m(x))
    case("linear_nobias_3d", "Linear(4, 2, bias=False)", nn.Linear(4, 2, bias=False), {"x": r(2, 3, 4)}, lambda m, x: m(x))
    case("conv2d", "Conv2d(3, 4, 3, stride=2, padding=1)", nn.Conv2d(3, 4, 3, stride=2, padding=1), {"x": r(2, 3, 7, 7)}, lambda m, x: m(x))
    case("conv2d_groups_reflect", "Conv2d(4, 6, 3, groups=2, dilation=2, padding='same', padding_mode='reflect')",
         nn.Conv2d(4, 6, 3, groups=2, dilation=2, padding="same", padding_mode="reflect"), {"x": r(1, 4, 6, 5)}, lambda m, x: m(x))
    case("conv_transpose2d", "ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1)",
         nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), {"x": r(1, 3, 4, 4)}, lambda m, x: m(x))
    case("bn2d_train", "BatchNorm2d(4)", randomize(nn.BatchNorm2d(4)), {"x": r(3, 4, 3, 3) * 2 + 1}, lambda m, x: m(x), train=True)
    case("bn2d_eval", "BatchNorm2d(4)", randomize(nn.BatchNorm2d(4)), {"x": r(3, 4, 3, 3)}, lambda m, x: m(x))
    case("bn1d_train_momentum_none", "BatchNorm1d(3, momentum=None)", randomize(nn.BatchNorm1d(3, momentum=None)), {"x": r(5, 3)},
         lambda m, x: m(x), train=True)
    case("layernorm", "LayerNorm([3, 4])", randomize(nn.LayerNorm([3, 4])), {"x": r(2, 3, 4)}, lambda m, x: m(x))
    case("groupnorm", "GroupNorm(2, 4)", randomize(nn.GroupNorm(2, 4)), {"x": r(2, 4, 5)}, lambda m, x: m(x))

    case("lstm_2layer_bidir_batch_first", "LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)",
         nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True),
         {"x": r(3, 5, 4), "h0": r(4, 3, 6), "c0": r(4, 3, 6)}, lambda m, x, h0, c0: m(x, (h0, c0)))
    case("lstm_proj_unbatched", "LSTM(4, 6, proj_size=3)", nn.LSTM(4, 6, proj_size=3), {"x": r(5, 4)}, lambda m, x: m(x))
    case("gru_2layer", "GRU(4, 5, num_layers=2)", nn.GRU(4, 5, num_layers=2), {"x": r(5, 3, 4), "h0": r(2, 3, 5)},
         lambda m, x, h0: m(x, h0))
    case("rnn_relu_bidir_nobias", "RNN(4, 5, nonlinearity='relu', bias=False, bidirectional=True)",
         nn.RNN(4, 5, nonlinearity="relu", bias=False, bidirectional=True), {"x": r(5, 2, 4) * 0.5}, lambda m, x: m(x))
    case("lstm_cell", "LSTMCell(4, 3)", nn.LSTMCell(4, 3), {"x": r(2, 4), "h0": r(2, 3), "c0": r(2, 3)}, lambda m, x, h0, c0: m(x, (h0, c0)))
    case("gru_cell", "GRUCell(4, 3)", nn.GRUCell(4, 3), {"x": r(2, 4), "h0": r(2, 3)}, lambda m, x, h0: m(x, h0))
    case("rnn_cell_tanh", "RNNCell(4, 3)", nn.RNNCell(4, 3), {"x": r(2, 4)}, lambda m, x: m(x))

    case("mha_self", "MultiheadAttention(8, 2)", nn.MultiheadAttention(8, 2), {"x": r(4, 2, 8)},
         lambda m, x: m(x, x, x))
    kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    case("mha_masks_bias_kv_zero_attn", "MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True)",
         nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True),
         {"q": r(3, 2, 8), "k": r(5, 2, 8), "v": r(5, 2, 8), "key_padding_mask": kpm, "attn_mask": r(3, 5)},
         lambda m, q, k, v, key_padding_mask, attn_mask: m(q, k, v, key_padding_mask=key_padding_mask, attn_mask=attn_mask,
                                                              average_attn_weights=False))
    case("mha_kdim_vdim_batch_first", "MultiheadAttention(6, 3, bias=False, kdim=4, vdim=5, batch_first=True)",
         nn.MultiheadAttention(6, 3, bias=False, kdim=4, vdim=5, batch_first=True),
         {"q": r(2, 3, 6), "k": r(2, 4, 4), "v": r(2, 4, 5), "attn_mask": torch.tensor([[False, True, False, False]] * 3)},
         lambda m, q, k, v, attn_mask: m(q, k, v, attn_mask=attn_mask))
    case("transformer_encoder_layer", "TransformerEncoderLayer(8, 2, 16, dropout=0.0)",
         nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), {"x": r(5, 2, 8)}, lambda m, x: m(x))
    case("transformer_encoder_layer_norm_first_gelu", "TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation='gelu', norm_first=True, batch_first=True)",
         nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu", norm_first=True, batch_first=True),
         {"x": r(2, 5, 8), "src_key_padding_mask": torch.tensor([[False] * 5, [False, False, False, True, True]])},
         lambda m, x, src_key_padding_mask: m(x, src_key_padding_mask=src_key_padding_mask))
    case("bilinear", "Bilinear(3, 4, 2)", nn.Bilinear(3, 4, 2), {"x1": r(5, 3), "x2": r(5, 4)}, lambda m, x1, x2: m(x1, x2))


OPTIM_CASES = []


def gen_optim():
    """A [2, 3] parameter updated 5 times with recorded gradients, per optimizer config."""
    configs = [
        ("sgd", "SGD", {"lr": 0.1}),
        ("sgd_momentum_dampening_wd", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
        ("sgd_nesterov_maximize", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "maximize": True}),
        ("adam", "Adam", {"lr": 0.01}),
        ("adam_wd_amsgrad", "Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}),
        ("adamw", "AdamW", {"lr": 0.01}),
        ("adamw_amsgrad", "AdamW", {"lr": 0.03, "weight_decay": 0.5, "amsgrad": True}),
    ]
    for name, cls, kw in configs:
        p = nn.Parameter(torch.randn(2, 3))
        p0 = T(p)
        opt = getattr(torch.optim, cls)([p], **kw)
        grads, params = [], []
        for _ in range(5):
            g = torch.randn(2, 3)
            p.grad = g.clone()
            opt.step()
            grads.append(T(g))
            params.append(T(p))
        OPTIM_CASES.append({"name": name, "op": "torch.optim." + cls, "args": {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()},
                            "inputs": {"param": p0, "grads": grads}, "expected": {"params": params}})
    # schedulers: lr after each of 12 scheduler steps
    for name, make in [("steplr", lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.5)),
                       ("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 5, eta_min=0.01))]:
        opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
        sched = make(opt)
        lrs = []
        for _ in range(12):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr()[0])
        OPTIM_CASES.append({"name": name, "op": type(sched).__name__, "args": {}, "inputs": {}, "expected": {"lrs": lrs}})
    # gradient clipping
    for name, kw in [("clip_norm_2", {"max_norm": 1.0}), ("clip_norm_inf", {"max_norm": 0.5, "norm_type": float("inf")}),
                     ("clip_norm_1_noop", {"max_norm": 100.0, "norm_type": 1.0})]:
        ps = [nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2, 2))]
        gs = [torch.randn(3), torch.randn(2, 2) * 2]
        for p, g in zip(ps, gs):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, **kw)
        OPTIM_CASES.append({"name": name, "op": "torch.nn.utils.clip_grad_norm_", "args": {k: fnum(v) for k, v in kw.items()},
                            "inputs": {"grads": [T(g) for g in gs]}, "expected": {"total_norm": fnum(total), "grads": [T(p.grad) for p in ps]}})


def write(path, cases, seed):
    with open(path, "w") as f:
        f.write('{"torch_version": %s, "generator": "nn/gen_nn.py", "seed": %d, "cases": [\n' % (json.dumps(torch.__version__), seed))
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {path}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    gen()
    gen_optim()
    os.makedirs(a.out, exist_ok=True)
    write(os.path.join(a.out, "float_modules.json"), CASES, a.seed)
    write(os.path.join(a.out, "optim.json"), OPTIM_CASES, a.seed)


if __name__ == "__main__":
    main()
