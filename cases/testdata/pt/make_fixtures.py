#!/usr/bin/python3
"""Write the PyTorch fixtures of package cases (torch.save files read by
cases.ReadWeights). Run with Debian's python3 (torch 1.13):

    /usr/bin/python3 cases/testdata/pt/make_fixtures.py

The expected values in cases/torch_test.go are the literals below, written
independently there (float64 literals, float32/float16/bfloat16 roundings
worked out by hand for the values chosen to be exact).
"""
import os
from collections import OrderedDict

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)


def p(name):
    return os.path.join(HERE, name)


# The Figure 3 weights of cases/internal/npzfixture: m = 3, d_in = 1, k = 1.
W1 = [[0.5], [-1.0], [1e-5]]
B1 = [-0.25, 0.7, -3.0000000000001]
W2 = [[-0.5, 0.125, 2e-5]]


class FC(nn.Module):
    def __init__(self, out_bias):
        super().__init__()
        self.fc1 = nn.Linear(1, 3)
        self.fc2 = nn.Linear(3, 1, bias=out_bias)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def set_(model, first, second, dtype, b2=None):
    (n1, l1), (n2, l2) = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    model.to(dtype)
    with torch.no_grad():
        l1.weight.copy_(torch.tensor(W1, dtype=torch.float64))
        l1.bias.copy_(torch.tensor(B1, dtype=torch.float64))
        l2.weight.copy_(torch.tensor(W2, dtype=torch.float64))
        if b2 is not None:
            l2.bias.copy_(torch.tensor(b2, dtype=torch.float64))
    return model


# Sequential in float64: 0.weight, 0.bias, 2.weight.
torch.save(set_(nn.Sequential(nn.Linear(1, 3), nn.ReLU(), nn.Linear(3, 1, bias=False)), 0, 2, torch.float64).state_dict(), p("seq-f64.pt"))
# fc1/fc2 in float32 with an output bias 0.375.
torch.save(set_(FC(True), 0, 0, torch.float32, b2=[0.375]).state_dict(), p("fc-f32.pt"))


class HiddenOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(1, 3)
        self.out = nn.Linear(3, 1, bias=False)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, 3), nn.ReLU(), nn.Linear(3, 1, bias=False))


torch.save(set_(HiddenOut(), 0, 0, torch.float64).state_dict(), p("hidden-out.pt"))
torch.save(set_(Net(), 0, 0, torch.float64).state_dict(), p("net-seq.pt"))
# DataParallel's "module." prefix.
sd = set_(FC(False), 0, 0, torch.float64).state_dict()
torch.save(OrderedDict(("module." + k, v) for k, v in sd.items()), p("module-prefix.pt"))
# Names only the shapes can order: enc (3 × 2) and dec (1 × 3), saved dec first.
enc = torch.tensor([[0.5, 1.0], [-1.0, 2.0], [1e-5, 3.0]], dtype=torch.float64)
torch.save(OrderedDict([("dec.weight", sd["fc2.weight"]), ("enc.weight", enc), ("enc.bias", sd["fc1.bias"])]), p("shapes.pt"))
# Both orders chain (d = k = 2, m = 2): a.weight 2 × 2, b.weight 2 × 2.
torch.save(OrderedDict([("a.weight", torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)),
                        ("b.weight", torch.tensor([[5.0, 6.0], [7.0, 8.0]], dtype=torch.float64))]), p("both-orders.pt"))

# float16 and bfloat16: values exact in each format. float16: 0.5, -1, 2⁻²⁴
# (the smallest subnormal), 65504 (the largest), -0.0, 0.099975586 = 1638/16384
# (the float16 nearest 0.1).
h = torch.tensor([[0.5], [-1.0], [2.0 ** -24]], dtype=torch.float16)
torch.save(OrderedDict([("fc1.weight", h), ("fc1.bias", torch.tensor([65504.0, -0.0, 0.1], dtype=torch.float16)),
                        ("fc2.weight", torch.tensor([[-0.5, 0.125, 2.0 ** -14]], dtype=torch.float16))]), p("f16.pt"))
# bfloat16: 0.1 rounds to 0.10009765625 = 205/2048; 3 → 3; 2⁻¹³³ (the smallest subnormal).
torch.save(OrderedDict([("fc1.weight", torch.tensor([[0.1], [3.0], [2.0 ** -133]], dtype=torch.bfloat16)),
                        ("fc2.weight", torch.tensor([[1.0, -2.0, 0.5]], dtype=torch.bfloat16))]), p("bf16.pt"))

# Non-contiguous and offset storages. base is 2 × 3 = [[1,2,3],[4,5,6]];
# fc1.weight = base.t() (3 × 2, strides (1, 3)); fc2.weight = big[4:7] as
# 1 × 3 (offset 4 into a storage of 10); fc1.bias = big[0:3] (same storage).
base = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float64)
big = torch.arange(10, dtype=torch.float64) / 4
torch.save(OrderedDict([("fc1.weight", base.t()), ("fc1.bias", big[0:3]), ("fc2.weight", big[4:7].view(1, 3))]), p("views.pt"))
# A transposed second layer whose storage is shared with the first.
torch.save(OrderedDict([("W1", base.t()), ("W2", base[1:2, :])]), p("shared.pt"))

# Files that must be refused.
m = set_(nn.Sequential(nn.Linear(1, 3), nn.ReLU(), nn.Linear(3, 1, bias=False)), 0, 2, torch.float64)
torch.save(m.state_dict(), p("legacy.pt"), _use_new_zipfile_serialization=False)
torch.save(m, p("whole-model.pt"))
torch.save(torch.tensor([[1.0, 2.0]], dtype=torch.float64), p("one-tensor.pt"))
torch.save(OrderedDict([("fc1.weight", torch.tensor([[1], [2], [3]])), ("fc2.weight", torch.tensor([[1.0, 2.0, 3.0]]))]), p("int.pt"))
torch.save(OrderedDict([("fc1.weight", torch.tensor([[1.0], [float("nan")], [3.0]])), ("fc2.weight", torch.tensor([[1.0, 2.0, 3.0]]))]), p("nan.pt"))
torch.jit.save(torch.jit.script(m), p("torchscript.pt"))
print("written to", HERE)
