#!/usr/bin/python3
"""Independent computation of L*, the least loss of a one-hidden-layer
network of any width (docs/theory.md §10), by the pattern formulation of the convex
reformulation (Wang, Lacotte & Pilanci, arXiv 2006.05900):

  every sign vector s ∈ {±1}^n is tried as a cell {u : s_i x_i·u > 0 for the
  nonzero x_i}; scipy's LP finds an interior point (maximise the margin),
  which is rounded to rationals and confirmed exactly with fractions; on the
  cell ρ(Xu) = D̃ X u with D̃ = diag(ρ₊ if s_i > 0 else ρ₋), so the reachable
  outputs are S = Σ_cells col(D̃ X) (plus the constants when the case has an
  output bias), and L* = |Y − P_S Y|² / 2n (exact, in fractions, by
  Gram–Schmidt on the columns).

It shares no code with relucert: no line grouping, no E1/E2. A cell missed
by the LP would make S smaller and L* larger, never smaller; every interior
point is confirmed exactly. For small instances it also solves the
cone-constrained QP of the reformulation,

  min (1/2n)|Σ_D D̃ X (u_D − v_D) − Y|²  s.t.  (2D − I) X u_D ≥ 0, (2D − I) X v_D ≥ 0,

with scipy's SLSQP in float64, to show that the cone constraints do not
change the value (they bind nothing without a weight penalty).

Run: /usr/bin/python3 optimum.py > optimum.json (from this directory; it
reads ../../../cases/catalogue/*.json).
"""
import glob
import itertools
import json
import os
import random
from fractions import Fraction as F

import numpy as np
from scipy.optimize import linprog, minimize


def act_of(a):
    if a == "relu":
        return F(1), F(0)
    if a == "abs":
        return F(1), F(-1)
    if a == "linear":
        return F(1), F(1)
    if isinstance(a, str) and a.startswith("leaky:"):
        return F(1), F(a[6:])
    return F(a["pos"]), F(a["neg"])


def cells(X):
    """Interior points (exact) and sign vectors of the cells of the central
    arrangement of the nonzero rows of X."""
    n, d = len(X), len(X[0])
    nz = [i for i in range(n) if any(x != 0 for x in X[i])]
    out = []
    for s in itertools.product([1, -1], repeat=len(nz)):
        # maximise t subject to s_i x_i·u ≥ t, −1 ≤ u ≤ 1, t ≤ 1
        A = [[-s[k] * float(X[i][c]) for c in range(d)] + [1.0] for k, i in enumerate(nz)]
        res = linprog([0.0] * d + [-1.0], A_ub=A or None, b_ub=[0.0] * len(A) or None,
                      bounds=[(-1, 1)] * d + [(None, 1)], method="highs")
        if res.status != 0 or -res.fun <= 1e-9:
            continue
        u = [F(v).limit_denominator(10**6) for v in res.x[:d]]
        ok = all(s[k] * sum(X[i][c] * u[c] for c in range(d)) > 0 for k, i in enumerate(nz))
        if not ok:
            raise SystemExit("interior point not confirmed exactly")
        sign = [0] * n
        for k, i in enumerate(nz):
            sign[i] = s[k]
        out.append((sign, u))
    return out


def project(cols, Y):
    """Exact P_S Y for S = span(cols) (Gram–Schmidt in fractions)."""
    n, k = len(Y), len(Y[0])
    basis = []
    for c in cols:
        v = list(c)
        for b, bb in basis:
            f = sum(v[i] * b[i] for i in range(n)) / bb
            v = [v[i] - f * b[i] for i in range(n)]
        bb = sum(x * x for x in v)
        if bb != 0:
            basis.append((v, bb))
    P = [[F(0)] * k for _ in range(n)]
    for o in range(k):
        for b, bb in basis:
            f = sum(b[i] * Y[i][o] for i in range(n)) / bb
            for i in range(n):
                P[i][o] += f * b[i]
    return P, len(basis)


def optimum(X, Y, pos, neg, bias=False):
    n, d = len(X), len(X[0])
    cs = cells(X)
    cols = [[F(1)] * n] if bias else []  # an output bias adds the constants
    for sign, _ in cs:
        for c in range(d):
            cols.append([(pos if sign[i] > 0 else neg) * X[i][c] for i in range(n)])
    P, dim = project(cols, Y)
    L = sum((P[i][o] - Y[i][o]) ** 2 for i in range(n) for o in range(len(Y[0]))) / (2 * n)
    return L, dim, cs


def qp(X, Y, pos, neg, cs, bias=False):
    """The cone-constrained program in float64 (SLSQP), k = 1; with an
    output bias, b is one more free variable (the last)."""
    n, d = len(X), len(X[0])
    Xf = np.array([[float(v) for v in r] for r in X])
    y = np.array([float(r[0]) for r in Y])
    Ds, Ss = [], []
    for sign, _ in cs:
        Ds.append(np.diag([float(pos if s > 0 else neg) for s in sign]))
        Ss.append(np.diag([1.0 if s > 0 else (-1.0 if s < 0 else 0.0) for s in sign]))
    P = len(cs)

    def out(z):
        f = np.full(n, z[-1]) if bias else np.zeros(n)
        for p in range(P):
            u, v = z[2 * p * d:(2 * p + 1) * d], z[(2 * p + 1) * d:(2 * p + 2) * d]
            f += Ds[p] @ Xf @ (u - v)
        return f

    def loss(z):
        return np.sum((out(z) - y) ** 2) / (2 * n)

    cons = []
    for p in range(P):
        for part in (0, 1):
            lo = (2 * p + part) * d
            cons.append({"type": "ineq", "fun": (lambda z, lo=lo, p=p: Ss[p] @ Xf @ z[lo:lo + d])})
    best = None
    rng = np.random.default_rng(1)
    for _ in range(5):
        z0 = rng.normal(size=2 * P * d + (1 if bias else 0)) * 0.1
        r = minimize(loss, z0, constraints=cons, method="SLSQP", options={"maxiter": 2000, "ftol": 1e-15})
        if best is None or r.fun < best:
            best = r.fun
    return best


def rat(x):
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    result = {"catalogue": {}, "random": []}
    for f in sorted(glob.glob(os.path.join(here, "../../../cases/catalogue/*.json"))):
        c = json.load(open(f))
        X = [[F(v) for v in r] + ([F(1)] if c.get("bias") else []) for r in c["inputs"]]
        Y = [[F(v) for v in r] for r in c["targets"]]
        pos, neg = act_of(c["activation"])
        bias = c.get("output_bias") is not None
        L, dim, cs = optimum(X, Y, pos, neg, bias)
        entry = {"optimum": rat(L), "dim": dim, "cells": len(cs)}
        if len(Y[0]) == 1 and len(cs) * len(X[0]) <= 40:
            entry["qp_float"] = qp(X, Y, pos, neg, cs, bias)
        result["catalogue"][c["name"]] = entry
    # Random instances with samples on shared lines through 0 (both
    # orientations), so that L* > 0 is common.
    rnd = random.Random(13)
    acts = [("relu", F(1), F(0)), ("leaky:1/3", F(1), F(1, 3)), ("abs", F(1), F(-1)),
            ("linear", F(1), F(1)), ("pos 2 neg -1/2", F(2), F(-1, 2)), ("zero", F(0), F(0))]
    for t in range(24):
        d = rnd.choice([1, 2, 2, 3])
        k = rnd.choice([1, 1, 2])
        dirs = [[F(rnd.randint(-3, 3)) for _ in range(d)] for _ in range(rnd.randint(1, 3))]
        dirs = [e for e in dirs if any(e)] or [[F(1)] * d]
        n = rnd.randint(2, 7)
        X = []
        for _ in range(n):
            r = rnd.random()
            if r < 0.1:
                X.append([F(0)] * d)
            elif r < 0.7:
                tt = F(rnd.choice([-3, -2, -1, 1, 2, 3]), rnd.choice([1, 2]))
                X.append([tt * v for v in rnd.choice(dirs)])
            else:
                X.append([F(rnd.randint(-3, 3)) for _ in range(d)])
        Y = [[F(rnd.randint(-4, 4), rnd.choice([1, 2, 3])) for _ in range(k)] for _ in range(n)]
        name, pos, neg = acts[t % len(acts)]
        bias = t % 4 == 3  # every fourth instance has an output bias
        L, dim, cs = optimum(X, Y, pos, neg, bias)
        entry = {"activation": [rat(pos), rat(neg)], "x": [[rat(v) for v in r] for r in X],
                 "y": [[rat(v) for v in r] for r in Y], "output_bias": bias, "optimum": rat(L), "dim": dim}
        if k == 1 and len(cs) * d <= 40:
            entry["qp_float"] = qp(X, Y, pos, neg, cs, bias)
        result["random"].append(entry)
    json.dump(result, __import__("sys").stdout, indent=1)
    print()


main()
