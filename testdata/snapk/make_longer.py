"""Continue a k ≥ 2 run of testdata/corpus for longer, so that it ends near
a stationary point, and save the weights for relucert snap's k ≥ 2 tests
(verify/snapk_corpus_test.go).

The corpus point ts2-relu-64-end (40 000 steps) is 0.78 away from the
stationary point of its pattern; 400 000 more steps bring it within 0.005.
(The same was tried on linnerud-relu-64: 400 000 more steps leave it on a
slow descent, loss_mse 0.0585, gradient norm 0.029: not near a stationary
point either.)

    /usr/bin/python3 testdata/snapk/make_longer.py

Reads testdata/corpus/data/RUN.npz (X, Y) and the corpus end point
testdata/corpus/weights/RUN-end.pt, runs more full-batch gradient descent
(torch.optim.SGD, no momentum, on F.mse_loss, float64, one thread) with the
corpus run's learning rate, and writes testdata/snapk/RUN-longer.npz with
the names fc1.weight, fc1.bias, fc2.weight (the layout of the corpus .npz),
and prints the final loss and gradient norm (recorded in index.json here).
Deterministic: no randomness after the corpus point.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")

RUNS = [
    # run, first-layer name, second-layer name, lr, extra steps
    ("ts2-relu-64", "fc1", "fc2", 0.05, 400000),
]


def main():
    index = []
    for run, first, second, lr, steps in RUNS:
        data = np.load(os.path.join(CORPUS, "data", run + ".npz"))
        X = torch.tensor(data["X"], dtype=torch.float64)
        Y = torch.tensor(data["Y"], dtype=torch.float64).reshape(X.shape[0], -1)
        sd = torch.load(os.path.join(CORPUS, "weights", run + "-end.pt"))
        W1 = sd[first + ".weight"].clone().requires_grad_(True)
        b1 = sd[first + ".bias"].clone().requires_grad_(True)
        W2 = sd[second + ".weight"].clone().requires_grad_(True)
        params = [W1, b1, W2]
        opt = torch.optim.SGD(params, lr=lr)

        def loss_fn():
            return F.mse_loss(torch.relu(X @ W1.T + b1) @ W2.T, Y)

        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn()
            loss.backward()
            opt.step()
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        g = float(torch.sqrt(sum((p.grad * p.grad).sum() for p in params)))
        out = os.path.join(HERE, run + "-longer.npz")
        np.savez(out, **{"fc1.weight": W1.detach().numpy(), "fc1.bias": b1.detach().numpy(),
                         "fc2.weight": W2.detach().numpy()})
        entry = {"name": run + "-longer", "data_case": "../corpus/data/" + run + ".json",
                 "weights_npz": run + "-longer.npz", "extra_steps": steps, "lr": lr,
                 "loss_mse": float(loss.item()), "grad_norm_mse": g}
        print(json.dumps(entry))
        index.append(entry)
    with open(os.path.join(HERE, "index.json"), "w") as f:
        json.dump({"generator": "testdata/snapk/make_longer.py", "torch": torch.__version__, "points": index}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
