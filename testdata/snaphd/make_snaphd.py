"""Train a small over-parameterised ReLU network to near interpolation with
L-BFGS, for relucert snap's regression test of high-dimensional trained
points (verify/snaphd_test.go).

It has the character of the n = 400, d = 200, m = 8 points on which snap
did not finish (Session 5): more weights than samples (m·d = 480 > n =
120), a teacher relu(X·v/c), L-BFGS stopped after 300 iterations near
interpolation (loss ~5e-10, gradient norm ~1e-6) with samples still
converging onto hyperplanes. Snap's float planner there meets strict sides
that no point of the pattern's optimal set keeps near θ̃; before the fix
its side-keeping QP ran for minutes (relucert snap --budget time=30s was
abandoned by the watchdog), now it gives up at once and snap finds an
exactly interpolating point (L = 0) two neighbouring patterns on.

    /usr/bin/python3 testdata/snaphd/make_snaphd.py

Writes testdata/snaphd/NAME.npz (X, Y) and NAME.pt (a torch.save state dict
of nn.Sequential(Linear(d, m, bias=False), ReLU(), Linear(m, 1,
bias=False))), and index.json with the versions, the final loss and the
gradient norm. Deterministic on the same versions (fixed seed, one thread).
"""
import json
import os
import sys

import numpy as np
import torch

torch.set_num_threads(1)
here = os.path.dirname(os.path.abspath(__file__))

RUNS = [
    # name, seed, n, d, m, teacher scale, L-BFGS iterations
    ("hd-relu-60", 3, 120, 60, 8, 8.0, 300),
]


def train(name, seed, n, d, m, scale, iters):
    torch.manual_seed(seed)
    X = torch.randn(n, d, dtype=torch.float64)
    Y = torch.relu(X @ torch.randn(d, 1, dtype=torch.float64) / scale)
    net = torch.nn.Sequential(torch.nn.Linear(d, m, bias=False), torch.nn.ReLU(),
                              torch.nn.Linear(m, 1, bias=False)).double()
    opt = torch.optim.LBFGS(net.parameters(), max_iter=iters, tolerance_grad=1e-13,
                            tolerance_change=0, history_size=50)

    def closure():
        opt.zero_grad()
        loss = ((net(X) - Y) ** 2).sum() / (2 * n)
        loss.backward()
        return loss

    opt.step(closure)
    loss = closure()
    g = torch.cat([p.grad.flatten() for p in net.parameters()]).norm()
    np.savez(os.path.join(here, name + ".npz"), X=X.numpy(), Y=Y.numpy())
    torch.save(net.state_dict(), os.path.join(here, name + ".pt"))
    return {"name": name, "seed": seed, "n": n, "d": d, "m": m, "teacher_scale": scale, "lbfgs_iterations": iters,
            "loss": loss.item(), "grad_norm": g.item()}


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    out = {"generator": "testdata/snaphd/make_snaphd.py", "python": sys.version.split()[0],
           "torch": torch.__version__, "numpy": np.__version__, "points": []}
    for run in RUNS:
        if only in run[0]:
            out["points"].append(train(*run))
            print(out["points"][-1])
    with open(os.path.join(here, "index.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
