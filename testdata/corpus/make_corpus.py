#!/usr/bin/python3
"""Generate relucert's corpus of trained points (issue 10, item 4).

Run from anywhere with Debian's python3 (torch 1.13, scikit-learn 1.2):

    /usr/bin/python3 testdata/corpus/make_corpus.py            # everything
    /usr/bin/python3 testdata/corpus/make_corpus.py --only fig3 # runs whose name contains "fig3"

It trains one-hidden-layer networks with full-batch gradient descent
(torch.optim.SGD without momentum on the whole data set, PyTorch's mse_loss)
from small initialisation — every parameter, biases included, drawn N(0,1)·β
with β = m^μ (the paper's parameterisation) — in float64 and in float32, and
saves the data and the weights at each loss plateau and at the end, plus a few
points that are far from stationary and two scikit-learn MLPRegressor fits.

Outputs (all written into this directory; tests read them and never need
PyTorch):

    data/RUN.npz        arrays X (n × d, no bias column) and Y (n × k, or a
                        vector of length n for some k = 1 sets), in the dtype
                        the network was trained on
    data/RUN.json       the same data as a relucert case file with no neurons
                        (numbers written as exact fractions of the binary
                        values), with the run's activation and input bias
    weights/POINT.pt    torch.save(model.state_dict()), names as the module
                        has them (fc1/fc2, hidden/out, net.0/net.2, 0/2)
    weights/POINT.npz   the same tensors under the names fc1.weight,
                        fc1.bias, fc2.weight, fc2.bias (what relucert's .npz
                        reader knew before .pt files); sklearn fits are saved
                        only as .npz with scikit-learn's own names and layout
                        (coefs_0: d × m, intercepts_0, coefs_1: m × k,
                        intercepts_1)
    index.json          one entry per point; see README.md in this directory

Everything is deterministic: fixed seeds, one thread, zip members with a
fixed date. Re-running the script reproduces the files byte for byte on the
same torch/numpy/sklearn versions.
"""

import argparse
import io
import json
import math
import os
import sys
import zipfile
from fractions import Fraction

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)

# ---------------------------------------------------------------- modules


class Abs(nn.Module):
    """The absolute value activation (ρ₊ = 1, ρ₋ = −1)."""

    def forward(self, x):
        return torch.abs(x)


def activation(name):
    """The torch module and the relucert spelling of an activation."""
    if name == "relu":
        return nn.ReLU(), "relu"
    if name == "leaky":
        # A dyadic slope, so the float slope is exactly the rational one.
        return nn.LeakyReLU(0.125), "leaky:1/8"
    if name == "abs":
        return Abs(), "abs"
    raise ValueError(name)


class FC(nn.Module):
    """Names fc1.weight, fc1.bias, fc2.weight, fc2.bias."""

    def __init__(self, d, m, k, act, in_bias, out_bias):
        super().__init__()
        self.fc1 = nn.Linear(d, m, bias=in_bias)
        self.act = act
        self.fc2 = nn.Linear(m, k, bias=out_bias)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class HiddenOut(nn.Module):
    """Names hidden.weight, hidden.bias, out.weight, out.bias."""

    def __init__(self, d, m, k, act, in_bias, out_bias):
        super().__init__()
        self.hidden = nn.Linear(d, m, bias=in_bias)
        self.act = act
        self.out = nn.Linear(m, k, bias=out_bias)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)))


class NetSeq(nn.Module):
    """Names net.0.weight, net.0.bias, net.2.weight, net.2.bias."""

    def __init__(self, d, m, k, act, in_bias, out_bias):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d, m, bias=in_bias), act, nn.Linear(m, k, bias=out_bias))

    def forward(self, x):
        return self.net(x)


def Seq(d, m, k, act, in_bias, out_bias):
    """nn.Sequential: names 0.weight, 0.bias, 2.weight, 2.bias."""
    return nn.Sequential(nn.Linear(d, m, bias=in_bias), act, nn.Linear(m, k, bias=out_bias))


STYLES = {"fc": FC, "hidden": HiddenOut, "netseq": NetSeq, "seq": Seq}


def layers(model):
    """The two nn.Linear layers of a model and their state-dict prefixes."""
    lin = [(name, mod) for name, mod in model.named_modules() if isinstance(mod, nn.Linear)]
    assert len(lin) == 2
    return lin


def tensor_names(model):
    """{first, first_bias, second, second_bias}: state-dict names or None."""
    (n1, l1), (n2, l2) = layers(model)
    return {
        "first": n1 + ".weight",
        "first_bias": n1 + ".bias" if l1.bias is not None else None,
        "second": n2 + ".weight",
        "second_bias": n2 + ".bias" if l2.bias is not None else None,
    }


# ---------------------------------------------------------------- data


def teacher_student(seed, n, d, k, mstar, noise, in_bias=True):
    """Gaussian inputs, targets from a ReLU teacher of width mstar scaled to
    unit root-mean-square output, plus noise·N(0,1)."""
    rs = np.random.RandomState(seed)
    X = rs.randn(n, d)
    Xb = np.hstack([X, np.ones((n, 1))]) if in_bias else X
    W = rs.randn(mstar, Xb.shape[1])
    A = rs.randn(k, mstar)
    Y = np.maximum(Xb @ W.T, 0) @ A.T
    Y = Y / np.sqrt((Y * Y).mean()) + noise * rs.randn(n, k)
    return X, Y


def standardise(a):
    return (a - a.mean(axis=0)) / a.std(axis=0)


def diabetes(seed, n):
    from sklearn.datasets import load_diabetes

    ds = load_diabetes()
    idx = np.sort(np.random.RandomState(seed).choice(len(ds.target), n, replace=False))
    X = standardise(ds.data)[idx]
    y = standardise(ds.target.reshape(-1, 1))[idx]
    return X, y


def linnerud():
    from sklearn.datasets import load_linnerud

    ds = load_linnerud()
    return standardise(ds.data.astype(np.float64)), standardise(ds.target.astype(np.float64))


def fig3():
    """docs/theory.md §7: the data of the paper's Figure 3 (the bias is the model's)."""
    X = np.array([[-1.0], [-0.6], [-0.1], [0.3], [0.7]])
    Y = np.array([[0.28], [-0.1], [0.03], [0.23], [-0.22]])
    return X, Y


# ---------------------------------------------------------------- files


def savez(path, arrays):
    """np.savez with a fixed member date, so the bytes are reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, a in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(a), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue())


def exact(x):
    """The exact rational value of a binary float, as relucert writes it."""
    f = Fraction(float(x))
    return str(f.numerator) if f.denominator == 1 else "%d/%d" % (f.numerator, f.denominator)


# Runs whose data are also written as CSV (numpy.savetxt) and as a pair of
# .npy files, for relucert's --data readers.
TEXT_RUNS = {"ts1-relu-64", "diabetes-relu-32", "fig3-relu-64"}


def write_data(run, X, Y, act, in_bias, source):
    """data/RUN.npz and data/RUN.json (and for TEXT_RUNS RUN.csv, RUN.X.npy, RUN.Y.npy)."""
    savez(os.path.join(HERE, "data", run + ".npz"), {"X": X, "Y": Y})
    if run in TEXT_RUNS:
        # float64: 17 significant digits round-trip; float32: 9 do.
        digits = 17 if X.dtype == np.float64 else 9
        Y2 = Y.reshape(len(Y), -1)
        names = ["x%d" % (j + 1) for j in range(X.shape[1])] + ["y%d" % (j + 1) for j in range(Y2.shape[1])]
        np.savetxt(os.path.join(HERE, "data", run + ".csv"), np.hstack([X, Y2]), fmt="%%.%dg" % digits,
                   delimiter=",", header=",".join(names), comments="")
        np.save(os.path.join(HERE, "data", run + ".X.npy"), X)
        np.save(os.path.join(HERE, "data", run + ".Y.npy"), Y)
    Y2 = Y.reshape(len(Y), -1)
    case = {
        "name": run,
        "source": source + " (the exact binary values of data/%s.npz; no neurons: weights come from a file)" % run,
        "activation": act,
        "bias": bool(in_bias),
        "inputs": [[exact(v) for v in row] for row in X],
        "targets": [[exact(v) for v in row] for row in Y2],
        "neurons": [],
    }
    with open(os.path.join(HERE, "data", run + ".json"), "w") as f:
        json.dump(case, f, indent=None, separators=(", ", ": "))
        f.write("\n")


def canonical_npz(path, model):
    """The weights as .npz under fc1.*/fc2.* names."""
    names = tensor_names(model)
    sd = model.state_dict()
    arrays = {"fc1.weight": sd[names["first"]].numpy(), "fc2.weight": sd[names["second"]].numpy()}
    if names["first_bias"]:
        arrays["fc1.bias"] = sd[names["first_bias"]].numpy()
    if names["second_bias"]:
        arrays["fc2.bias"] = sd[names["second_bias"]].numpy()
    savez(path, arrays)


# ---------------------------------------------------------------- measures


def measures(model, X, Y):
    """Float loss (two scalings) and autograd gradient norms, in the model's dtype.

    loss_mse = PyTorch mse_loss = (1/(n·k)) Σ_i |r_i|², the training loss;
    loss_half = L = (1/2n) Σ_i |r_i|² (docs/theory.md §1) = (k/2)·loss_mse.
    grad_norm_* = the Euclidean norm of the gradient of that loss with respect
    to all parameters (biases included), as autograd computes it.
    """
    n = X.shape[0]
    out = {}
    for key, fn in (("mse", lambda r: (r * r).mean()), ("half", lambda r: (r * r).sum() / (2 * n))):
        model.zero_grad()
        r = model(X) - Y
        loss = fn(r)
        loss.backward()
        g = torch.sqrt(sum((p.grad * p.grad).sum() for p in model.parameters()))
        out["loss_" + key] = float(loss.item())
        out["grad_norm_" + key] = float(g.item())
    model.zero_grad()
    return out


def small_init(model, seed, beta):
    """Every parameter N(0,1)·β, drawn in float64 then cast (same draws for both dtypes)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_((torch.randn(p.shape, generator=g, dtype=torch.float64) * beta).to(p.dtype))


# ---------------------------------------------------------------- runs


INDEX = []


def entry(run, point, model, X, Y, spec, kind, step, plateau=None, meas=None):
    names = tensor_names(model)
    n, d = X.shape
    k = Y.reshape(n, -1).shape[1]
    e = {
        "name": point,
        "run": run,
        "dataset": spec["dataset"],
        "data": "data/%s.npz" % run,
        "data_case": "data/%s.json" % run,
        "y_shape": list(Y.shape),
        "weights": "weights/%s.pt" % point,
        "weights_npz": "weights/%s.npz" % point,
        "names": names,
        "activation": spec["act_name"],
        "input_bias": names["first_bias"] is not None,
        "output_bias": names["second_bias"] is not None,
        "dtype": spec["dtype"],
        "n": n,
        "d": d,
        "m": spec["m"],
        "k": k,
        "kind": kind,
        "step": step,
        "plateau": plateau,
    }
    e.update(meas)
    e["training"] = spec["training"]
    INDEX.append(e)


def plateaus(losses, window, eps, maxcount=6):
    """Plateaus: maximal step ranges [s, e] on which |ln L_t − ln L_{t−window}| < eps,
    ranges less than a window apart merged, ranges shorter than two windows
    dropped; at most maxcount (the longest), in step order."""
    lg = np.log(np.maximum(losses, 1e-300))
    flat = np.abs(lg[window:] - lg[:-window]) < eps
    segs, start = [], None
    for t, f in enumerate(flat):
        if f and start is None:
            start = t
        if not f and start is not None:
            segs.append([start, t - 1 + window])
            start = None
    if start is not None:
        segs.append([start, len(losses) - 1])
    merged = []
    for s in segs:
        if merged and s[0] - merged[-1][1] <= window:
            merged[-1][1] = s[1]
        else:
            merged.append(s)
    merged = [s for s in merged if s[1] - s[0] >= 2 * window]
    merged = sorted(sorted(merged, key=lambda s: s[0] - s[1])[:maxcount])
    return [tuple(s) for s in merged]


def train_run(run, dataset, X, Y, *, act, m, mu, lr, steps, seed, dtype, style, in_bias=True, out_bias=False,
              window=None, eps=1e-3, every=None, transient=False, source=""):
    """Full-batch GD from small initialisation; save plateaus and the end."""
    torch.manual_seed(seed)
    np_dtype = {"float64": np.float64, "float32": np.float32}[dtype]
    tdtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
    Xd, Yd = X.astype(np_dtype), Y.astype(np_dtype)
    n, d = Xd.shape
    k = Yd.reshape(n, -1).shape[1]
    mod, act_name = activation(act)
    model = STYLES[style](d, m, k, mod, in_bias, out_bias).to(tdtype)
    beta = float(m) ** mu
    small_init(model, seed, beta)
    write_data(run, Xd, Yd, act_name, in_bias, source)
    Xt = torch.from_numpy(Xd)
    Yt = torch.from_numpy(Yd.reshape(n, k))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    every = every or max(1, steps // 1000)
    window = window or max(10, steps // 200)
    losses = np.empty(steps + 1)
    snaps = {}
    for t in range(steps + 1):
        opt.zero_grad()
        loss = F.mse_loss(model(Xt), Yt)
        losses[t] = loss.item()
        if t % every == 0 or t == steps:
            snaps[t] = {kk: v.detach().clone() for kk, v in model.state_dict().items()}
        if t == steps:
            break
        loss.backward()
        opt.step()
    spec = {
        "dataset": dataset,
        "act_name": act_name,
        "dtype": dtype,
        "m": m,
        "training": {
            "method": "full-batch gradient descent (torch.optim.SGD, no momentum) on F.mse_loss",
            "lr": lr,
            "steps": steps,
            "mu": mu,
            "beta": beta,
            "init": "every parameter N(0,1)·β, β = m^μ (drawn in float64, cast to the dtype)",
            "seed": seed,
            "plateau_rule": "|ln L_t − ln L_{t−%d}| < %g" % (window, eps),
        },
    }
    probe = STYLES[style](d, m, k, activation(act)[0], in_bias, out_bias).to(tdtype)

    def measure_at(t):
        probe.load_state_dict(snaps[t])
        return measures(probe, Xt, Yt)

    def save(point, t, kind, plateau=None):
        probe.load_state_dict(snaps[t])
        torch.save(probe.state_dict(), os.path.join(HERE, "weights", point + ".pt"))
        canonical_npz(os.path.join(HERE, "weights", point + ".npz"), probe)
        entry(run, point, probe, Xd, Yd, spec, kind, t, plateau, measures(probe, Xt, Yt))

    segs = plateaus(losses, window, eps)
    in_plateau = np.zeros(steps + 1, bool)
    for i, (s, e) in enumerate(segs):
        in_plateau[s : e + 1] = True
        if e == steps:
            continue  # the end point stands for the last plateau
        cands = [t for t in snaps if s <= t <= e]
        if not cands:
            continue
        best = min(cands, key=lambda t: measure_at(t)["grad_norm_mse"])
        save("%s-p%d" % (run, i + 1), best, "plateau", i + 1)
    last = len(segs) if segs and segs[-1][1] == steps else None
    save("%s-end" % run, steps, "end", last)
    if transient:
        cands = [t for t in snaps if not in_plateau[t]]
        if cands:
            # the point between plateaus whose gradient norm is nearest 0.5
            best = min(cands, key=lambda t: abs(math.log(measure_at(t)["grad_norm_mse"] / 0.5)))
            save("%s-transient" % run, best, "transient")
    print("%-22s %d steps, plateaus %s, final mse %.3g, grad %.3g" % (
        run, steps, segs, losses[-1], measure_at(steps)["grad_norm_mse"]), file=sys.stderr)


def default_init_point(run, dataset, X, Y, *, act, m, seed, style, in_bias=True, out_bias=False, source=""):
    """PyTorch's default initialisation, untrained: far from stationary."""
    torch.manual_seed(seed)
    mod, act_name = activation(act)
    n, d = X.shape
    k = Y.reshape(n, -1).shape[1]
    model = STYLES[style](d, m, k, mod, in_bias, out_bias).double()
    write_data(run, X, Y, act_name, in_bias, source)
    point = run
    torch.save(model.state_dict(), os.path.join(HERE, "weights", point + ".pt"))
    canonical_npz(os.path.join(HERE, "weights", point + ".npz"), model)
    spec = {
        "dataset": dataset,
        "act_name": act_name,
        "dtype": "float64",
        "m": m,
        "training": {"method": "none: PyTorch's default nn.Linear initialisation (Kaiming uniform)", "seed": seed},
    }
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y.reshape(n, k))
    entry(run, point, model, X, Y, spec, "init", 0, None, measures(model, Xt, Yt))


def sklearn_fit(run, dataset, X, Y, *, m, seed, source=""):
    """MLPRegressor (always an output bias), alpha = 0, L-BFGS (full batch)."""
    from sklearn.neural_network import MLPRegressor

    n, d = X.shape
    y = Y.ravel() if Y.shape[1] == 1 else Y
    est = MLPRegressor(hidden_layer_sizes=(m,), activation="relu", solver="lbfgs", alpha=0.0,
                       max_iter=5000, max_fun=50000, tol=0.0, random_state=seed)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    write_data(run, X, y, "relu", True, source)
    point = run + "-end"
    savez(os.path.join(HERE, "weights", point + ".npz"), {
        "coefs_0": est.coefs_[0], "intercepts_0": est.intercepts_[0],
        "coefs_1": est.coefs_[1], "intercepts_1": est.intercepts_[1],
    })
    k = est.coefs_[1].shape[1]
    # The same network in torch, for autograd's gradient.
    model = FC(d, m, k, nn.ReLU(), True, True).double()
    with torch.no_grad():
        model.fc1.weight.copy_(torch.from_numpy(est.coefs_[0].T))
        model.fc1.bias.copy_(torch.from_numpy(est.intercepts_[0]))
        model.fc2.weight.copy_(torch.from_numpy(est.coefs_[1].T))
        model.fc2.bias.copy_(torch.from_numpy(est.intercepts_[1]))
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y.reshape(n, k))
    meas = measures(model, Xt, Yt)
    e = {
        "name": point,
        "run": run,
        "dataset": dataset,
        "data": "data/%s.npz" % run,
        "data_case": "data/%s.json" % run,
        "y_shape": list(np.shape(y)),
        "weights": None,
        "weights_npz": "weights/%s.npz" % point,
        "names": {"first": "coefs_0", "first_bias": "intercepts_0", "second": "coefs_1", "second_bias": "intercepts_1"},
        "layout": "scikit-learn: coefs_0 is d × m and coefs_1 is m × k (the transposes of nn.Linear's weights)",
        "activation": "relu",
        "input_bias": True,
        "output_bias": True,
        "dtype": "float64",
        "n": n,
        "d": d,
        "m": m,
        "k": k,
        "kind": "end",
        "step": int(est.n_iter_),
        "plateau": None,
    }
    e.update(meas)
    e["sklearn_loss"] = float(est.loss_)
    e["training"] = {
        "method": "sklearn.neural_network.MLPRegressor(hidden_layer_sizes=(%d,), activation='relu', solver='lbfgs', "
                  "alpha=0, max_iter=5000, max_fun=50000, tol=0, random_state=%d); sklearn_loss = its loss_ "
                  "(squared_error/2, = loss_half when k = 1); step = n_iter_" % (m, seed),
        "seed": seed,
    }
    INDEX.append(e)
    print("%-28s sklearn, %d iterations, loss_half %.3g" % (run, est.n_iter_, meas["loss_half"]), file=sys.stderr)


def runs():
    """Every run of the corpus: (name, thunk)."""
    out = []

    def add(name, fn):
        out.append((name, fn))

    # k = 1 teacher–student, ReLU: n = 50, d = 5 (+ bias), m = 10; noiseless
    # targets of a width-4 teacher (the student can fit them: near a global
    # minimum at the end, loss ~1e-7).
    Xts, Yts = teacher_student(1, 50, 5, 1, 4, 0.0)
    src_ts = "teacher–student: x ~ N(0, I_5), y = ReLU teacher of width 4 (with bias), numpy seed 1"
    for dt in ("float64", "float32"):
        add("ts1-relu-" + dt[-2:], lambda dt=dt: train_run(
            "ts1-relu-" + dt[-2:], "teacher-student", Xts, Yts, act="relu", m=10, mu=-2, lr=0.05, steps=40000,
            seed=11, dtype=dt, style="fc", transient=True, source=src_ts))
    # The same with an output bias (nn.Linear's default), names hidden/out.
    add("ts1-relu-ob-64", lambda: train_run(
        "ts1-relu-ob-64", "teacher-student", Xts, Yts, act="relu", m=10, mu=-2, lr=0.05, steps=40000, seed=12,
        dtype="float64", style="hidden", out_bias=True, source=src_ts))
    # Saddle to saddle: the same data from a much smaller initialisation
    # (β = 10⁻⁶) and a smaller step: after the origin, a long plateau at a
    # differentiable saddle (gradient ~1e-6) before the next escape.
    for dt in ("float64", "float32"):
        add("ts1-s2s-" + dt[-2:], lambda dt=dt: train_run(
            "ts1-s2s-" + dt[-2:], "teacher-student", Xts, Yts, act="relu", m=10, mu=-6, lr=0.01, steps=80000,
            seed=11, dtype=dt, style="fc", every=100, window=400, source=src_ts))
    add("ts1-relu-init", lambda: default_init_point(
        "ts1-relu-init", "teacher-student", Xts, Yts, act="relu", m=10, seed=13, style="fc", source=src_ts))
    # A student narrower than its teacher (3 < 6): a non-global point where
    # GD keeps crossing a kink (the autograd gradient does not vanish).
    Xnr, Ynr = teacher_student(6, 50, 5, 1, 6, 0.0)
    src_nr = "teacher–student: x ~ N(0, I_5), y = ReLU teacher of width 6 (with bias), numpy seed 6"
    add("ts1-narrow-64", lambda: train_run(
        "ts1-narrow-64", "teacher-student", Xnr, Ynr, act="relu", m=3, mu=-2, lr=0.05, steps=40000, seed=81,
        dtype="float64", style="fc", source=src_nr))
    # Leaky ReLU: n = 40, m = 6.
    Xlk, Ylk = teacher_student(2, 40, 5, 1, 3, 0.0)
    src_lk = "teacher–student: x ~ N(0, I_5), y = ReLU teacher of width 3 (with bias), numpy seed 2"
    for dt in ("float64", "float32"):
        add("ts1-leaky-" + dt[-2:], lambda dt=dt: train_run(
            "ts1-leaky-" + dt[-2:], "teacher-student", Xlk, Ylk, act="leaky", m=6, mu=-2, lr=0.05, steps=40000,
            seed=21, dtype=dt, style="seq", source=src_lk))
    # Over-parameterised student near a global minimum: noiseless teacher of
    # width 2, student of width 12, no input bias.
    Xov, Yov = teacher_student(3, 30, 4, 1, 2, 0.0, in_bias=False)
    src_ov = "teacher–student: x ~ N(0, I_4), y = ReLU teacher of width 2 without bias, no noise, numpy seed 3"
    for dt in ("float64", "float32"):
        add("ts1-over-" + dt[-2:], lambda dt=dt: train_run(
            "ts1-over-" + dt[-2:], "teacher-student", Xov, Yov, act="relu", m=12, mu=-1.5, lr=0.05, steps=60000,
            seed=31, dtype=dt, style="netseq", in_bias=False, source=src_ov))
    # k = 2 teacher.
    Xt2, Yt2 = teacher_student(4, 50, 4, 2, 3, 0.05)
    src_t2 = "teacher–student, 2 outputs: x ~ N(0, I_4), y = ReLU teacher of width 3 (with bias) + 0.05·N(0,1), numpy seed 4"
    for dt in ("float64", "float32"):
        add("ts2-relu-" + dt[-2:], lambda dt=dt: train_run(
            "ts2-relu-" + dt[-2:], "teacher-student-k2", Xt2, Yt2, act="relu", m=8, mu=-2, lr=0.05, steps=40000,
            seed=41, dtype=dt, style="fc", transient=True, source=src_t2))
    # k = 2, over-parameterised: a noiseless teacher of width 2, a student of
    # width 4 (near a global minimum, gradient ~1e-6).
    Xo2, Yo2 = teacher_student(7, 50, 4, 2, 2, 0.0)
    src_o2 = "teacher–student, 2 outputs: x ~ N(0, I_4), y = ReLU teacher of width 2 (with bias), numpy seed 7"
    for dt in ("float64", "float32"):
        add("ts2-over-" + dt[-2:], lambda dt=dt: train_run(
            "ts2-over-" + dt[-2:], "teacher-student-k2", Xo2, Yo2, act="relu", m=4, mu=-2, lr=0.05, steps=60000,
            seed=91, dtype=dt, style="fc", source=src_o2))
    # scikit-learn's diabetes, n = 100 subset, standardised, m = 20.
    Xdb, Ydb = diabetes(5, 100)
    src_db = "sklearn.datasets.load_diabetes, 100 samples (numpy seed 5), features and target standardised"
    for dt in ("float64", "float32"):
        add("diabetes-relu-" + dt[-2:], lambda dt=dt: train_run(
            "diabetes-relu-" + dt[-2:], "diabetes", Xdb, Ydb.ravel(), act="relu", m=20, mu=-2, lr=0.005,
            steps=60000, seed=51, dtype=dt, style="fc", transient=True, source=src_db))
    add("diabetes-relu-ob-32", lambda: train_run(
        "diabetes-relu-ob-32", "diabetes", Xdb, Ydb.ravel(), act="relu", m=20, mu=-2, lr=0.005, steps=60000,
        seed=52, dtype="float32", style="seq", out_bias=True, source=src_db))
    add("diabetes-sklearn", lambda: sklearn_fit("diabetes-sklearn", "diabetes", Xdb, Ydb, m=20, seed=0, source=src_db))
    # linnerud, k = 3, standardised.
    Xln, Yln = linnerud()
    src_ln = "sklearn.datasets.load_linnerud (n = 20, 3 features, 3 targets), standardised"
    for dt in ("float64", "float32"):
        add("linnerud-relu-" + dt[-2:], lambda dt=dt: train_run(
            "linnerud-relu-" + dt[-2:], "linnerud", Xln, Yln, act="relu", m=10, mu=-2, lr=0.02, steps=40000,
            seed=61, dtype=dt, style="hidden", source=src_ln))
    add("linnerud-sklearn", lambda: sklearn_fit("linnerud-sklearn", "linnerud", Xln, Yln, m=10, seed=0, source=src_ln))
    # The 1-D toy of docs/theory.md §7 (Figure 3): width 50, μ = −3, η = 1e-3, 6·10⁵ steps.
    Xf, Yf = fig3()
    src_f = "docs/theory.md §7: the data of Figure 3 of Wu, Simsek & Ged (x with a bias)"
    for act in ("relu", "leaky", "abs"):
        for dt in ("float64", "float32"):
            name = "fig3-%s-%s" % (act, dt[-2:])
            add(name, lambda name=name, act=act, dt=dt: train_run(
                name, "fig3", Xf, Yf, act=act, m=50, mu=-3, lr=1e-3, steps=600000, seed=71, dtype=dt,
                style="fc", every=500, window=3000, source=src_f))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="", help="only runs whose name contains this (index.json is then merged)")
    args = ap.parse_args()
    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "weights"), exist_ok=True)
    chosen = [(n, fn) for n, fn in runs() if args.only in n]
    for _, fn in chosen:
        fn()
    path = os.path.join(HERE, "index.json")
    old = []
    if args.only and os.path.exists(path):
        with open(path) as f:
            done = {n for n, _ in chosen}
            old = [e for e in json.load(f)["points"] if e["run"] not in done]
    order = {n: i for i, (n, _) in enumerate(runs())}
    points = sorted(old + INDEX, key=lambda e: (order.get(e["run"], 1 << 30), e["step"], e["name"]))
    index = {
        "format": 1,
        "generator": "testdata/corpus/make_corpus.py",
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "sklearn": __import__("sklearn").__version__},
        "losses": {
            "loss_mse": "PyTorch mse_loss = (1/(n·k)) Σ_i |f(x_i) − y_i|², the training loss",
            "loss_half": "L = (1/2n) Σ_i |f(x_i) − y_i|² (docs/theory.md §1) = (k/2)·loss_mse",
            "grad_norm_mse": "Euclidean norm of autograd's gradient of loss_mse over all parameters, in the training dtype",
            "grad_norm_half": "the same for loss_half",
        },
        "points": points,
    }
    with open(path, "w") as f:
        json.dump(index, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
