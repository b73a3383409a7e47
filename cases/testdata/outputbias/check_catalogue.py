#!/usr/bin/python3
"""Independent exact check of the output-bias catalogue cases.

Run: /usr/bin/python3 cases/testdata/outputbias/check_catalogue.py
(from the repository root). It shares no code with relucert: it reads the
case files with Python's json and fractions, evaluates the network
f(x) = sum_j a_j rho(w_j.x) + b and the loss L = (1/2n) sum |f(x_i) - y_i|^2
from the definition, and checks the facts each case's "source" states:
the loss, (S0) sum_i r_i = 0, (S1) G_j = 0, the escape witnesses Q_j(u),
and the loss along the hand-built paths (decrease at every tau tried, and
the closed-form polynomials of the sources). Local minima rest on the hand
arguments in the sources; the script checks their premises (dead neurons,
Eckart-Young's singular values). It prints one line per case and exits 1
on the first fact that fails.
"""
import json
import os
import sys
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))
CAT = os.path.join(HERE, "..", "..", "catalogue")


def num(s):
    return F(s)  # "p/q" and decimals are exact in fractions


def load(name):
    d = json.load(open(os.path.join(CAT, name + ".json")))
    act = d["activation"]
    pos, neg = {"relu": (F(1), F(0)), "linear": (F(1), F(1))}[act]
    X = [[num(v) for v in row] + ([F(1)] if d.get("bias") else []) for row in d["inputs"]]
    Y = [[num(v) for v in row] for row in d["targets"]]
    W = [[num(v) for v in n["w"]] for n in d["neurons"]]
    A = [[num(v) for v in n["a"]] for n in d["neurons"]]
    B = [num(v) for v in d["output_bias"]] if "output_bias" in d else None
    return dict(pos=pos, neg=neg, X=X, Y=Y, W=W, A=A, B=B, expect=d["expect"])


def rho(c, z):
    return (c["pos"] if z >= 0 else c["neg"]) * z


def dot(u, v):
    return sum(a * b for a, b in zip(u, v))


def residuals(c, W=None, A=None, B=None):
    W = c["W"] if W is None else W
    A = c["A"] if A is None else A
    B = c["B"] if B is None else B
    k = len(c["Y"][0])
    out = []
    for x, y in zip(c["X"], c["Y"]):
        f = list(B) if B is not None else [F(0)] * k
        for w, a in zip(W, A):
            h = rho(c, dot(w, x))
            f = [fl + al * h for fl, al in zip(f, a)]
        out.append([fl - yl for fl, yl in zip(f, y)])
    return out


def loss(c, **kw):
    r = residuals(c, **kw)
    return sum(dot(ri, ri) for ri in r) / (2 * len(r))


def vsum(vs):
    return [sum(col) for col in zip(*vs)]


def G(c, j):
    n = len(c["X"])
    r = residuals(c)
    return [sum(ri[l] * rho(c, dot(c["W"][j], x)) for ri, x in zip(r, c["X"])) / n for l in range(len(r[0]))]


def Q(c, j, u):
    """Q_j(u) = sum_i r_i rho'(w_j.x_i; x_i.u)."""
    r = residuals(c)
    k = len(r[0])
    q = [F(0)] * k
    for ri, x in zip(r, c["X"]):
        z, t = dot(c["W"][j], x), dot(x, u)
        d = rho(c, t) if z == 0 else (c["pos"] if z > 0 else c["neg"]) * t
        q = [ql + rl * d for ql, rl in zip(q, ri)]
    return q


def check(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)


TAUS = [F(1, 2 ** e) for e in range(0, 12)]


def decreases_along(c, point_at, L0, what):
    for tau in TAUS:
        check(loss(c, **point_at(tau)) < L0, "%s: no decrease at tau = %s" % (what, tau))


def main():
    # bias-dead-s0-not-stationary / bias-dead-constant-local-min
    c = load("bias-dead-s0-not-stationary")
    check(loss(c) == F(5, 2), "dead b=0: L = 5/2")
    gb = [s / 2 for s in vsum(residuals(c))]
    check(gb == [-2], "dead b=0: dL/db = -2")
    check(all(dot(c["W"][0], x) < 0 for x in c["X"]), "dead: neuron dead")
    check(G(c, 0) == [0], "dead: G = 0")
    for tau in TAUS:
        check(loss(c, B=[2 * tau]) - loss(c) == 2 * tau ** 2 - 4 * tau, "dead b=0: L(2tau) - L = 2tau^2 - 4tau")
    check(loss(c, B=None) == F(5, 2), "dead: no output bias, same L")
    print("bias-dead-s0-not-stationary: L = 5/2, dL/db = -2, L(b = 2tau) - L = 2tau^2 - 4tau: ok")
    c = load("bias-dead-constant-local-min")
    check(loss(c) == F(1, 2) and vsum(residuals(c)) == [0] and G(c, 0) == [0], "dead b=2: L, S0, S1")
    for cst in [F(2) + F(1, 10 ** e) for e in range(1, 6)] + [F(2) - F(1, 10 ** e) for e in range(1, 6)]:
        check(((cst - 1) ** 2 + (cst - 3) ** 2) / 4 > F(1, 2), "dead b=2: constant fits are worse")
    print("bias-dead-constant-local-min: L = 1/2, sum r = 0, G = 0, neuron dead: ok")

    # bias-global-min
    c = load("bias-global-min")
    check(all(ri == [0] for ri in residuals(c)), "global: r = 0")
    check(residuals(c, B=[F(0)]) == [[-1], [-1]], "global: without b, r = (-1, -1)")
    print("bias-global-min: r = 0: ok")

    # bias-fig3-origin-saddle
    c = load("bias-fig3-origin-saddle")
    r = residuals(c)
    check([ri[0] for ri in r] == [F(-59, 250), F(18, 125), F(7, 500), F(-93, 500), F(33, 125)], "fig3 origin: r")
    check(vsum(r) == [0], "fig3 origin: S0")
    L0 = loss(c)
    check(L0 == F(4523, 250000), "fig3 origin: L = 4523/250000")
    u = [F(1), F(0)]
    for j in (0, 1):
        check(G(c, j) == [0], "fig3 origin: G_j = 0")
        check(Q(c, j, u) == [F(129, 1000)], "fig3 origin: Q(1,0) = 129/1000")
    q = F(129, 1000)
    for t, s in [(F(1), F(1)), (F(1, 3), F(2))]:
        def at(tau, t=t, s=s):
            W = [[tau * t * ui for ui in u], c["W"][1]]
            A = [[-tau * s * q], c["A"][1]]
            return dict(W=W, A=A)
        for tau in TAUS:
            st = tau * tau * t * s
            check(loss(c, **at(tau)) - L0 == q * q / 10 * (-2 * st + F(58, 100) * st * st), "fig3 origin: path polynomial")
        decreases_along(c, at, L0, "fig3 origin path")
    print("bias-fig3-origin-saddle: L = 4523/250000, sum r = 0, Q(1,0) = 129/1000, path polynomial (q^2/10)(-2st + 0.58 s^2t^2): ok")

    # bias-fig3-final-local-min
    c = load("bias-fig3-final-local-min")
    r = residuals(c)
    check(vsum(r) == [0], "fig3 final: S0")
    check(loss(c) == F(16139, 1157500), "fig3 final: L")
    check(G(c, 0) == [0] and G(c, 1) == [0], "fig3 final: S1")
    # the network is the least-squares affine fit: residuals orthogonal to 1 and x
    check(sum(ri[0] * x[0] for ri, x in zip(r, c["X"])) == 0, "fig3 final: sum r x = 0")
    print("bias-fig3-final-local-min: L = 16139/1157500, sum r = sum r x = 0, G = 0: ok")

    # bias-k2-completes-escape-saddle
    c = load("bias-k2-completes-escape-saddle")
    check(residuals(c) == [[0, -1], [0, 1]], "k2 saddle: r")
    check(loss(c) == F(1, 2) and vsum(residuals(c)) == [0, 0] and G(c, 0) == [0, 0], "k2 saddle: L, S0, S1")
    check(all(dot(c["A"][0], ri) == 0 for ri in residuals(c)), "k2 saddle: S2 (a.r_i = 0)")
    check(Q(c, 0, [F(-1), F(1)]) == [0, 2], "k2 saddle: Q(-1,1) = (0,2)")
    # Y^T Y = [[8,0],[0,2]]: sigma_2^2 = 2, the Eckart-Young bound L >= 2/4
    Y = c["Y"]
    YtY = [[sum(Y[i][a] * Y[i][b] for i in range(2)) for b in range(2)] for a in range(2)]
    check(YtY == [[8, 0], [0, 2]], "k2 saddle: Y^T Y")

    def path(tau, t, s, move_b):
        W = [[1 + tau * t, 1 - tau * t]]
        A = [[F(2), tau * s]]
        B = [F(0), -tau * s if move_b else F(0)]
        return dict(W=W, A=A, B=B)
    for t, s in [(F(1, 8), F(1)), (F(1, 10), F(1, 2))]:
        for tau in TAUS:
            tt, ss = tau * t, tau * s
            check(loss(c, **path(tau, t, s, True)) - F(1, 2) == 2 * tt ** 2 - tt * ss + tt ** 2 * ss ** 2 / 2, "k2 saddle: with db")
            check(loss(c, **path(tau, t, s, False)) - F(1, 2) == 2 * tt ** 2 - tt * ss + ss ** 2 / 2 + tt ** 2 * ss ** 2 / 2, "k2 saddle: b fixed")
            check(loss(c, **path(tau, t, s, False)) > F(1, 2), "k2 saddle: b fixed does not descend")
        decreases_along(c, lambda tau, t=t, s=s: path(tau, t, s, True), F(1, 2), "k2 saddle path with db")
    print("bias-k2-completes-escape-saddle: r, S0-S2, Q(-1,1) = (0,2), Y^T Y = diag(8,2); along (t,s,db=-s): 2t^2 - ts + t^2s^2/2 < 0, with b fixed > 0: ok")

    # bias-k2-centred-undetermined
    c = load("bias-k2-centred-undetermined")
    r = residuals(c)
    check(r == [[0, -1], [0, 1], [0, 1], [0, -1]], "k2 centred: r")
    check(loss(c) == F(1, 2) and vsum(r) == [0, 0] and G(c, 0) == [0, 0], "k2 centred: L, S0, S1")
    check(all(dot(c["A"][0], ri) == 0 for ri in r), "k2 centred: S2")
    check(Q(c, 0, [F(-1), F(1)]) == [0, 4], "k2 centred: Q(-1,1) = (0,4)")
    check(vsum(c["Y"]) == [0, 0], "k2 centred: sum y = 0")
    # the loss splits: for random rank-one M and b, 8L = 4|b|^2 + 2|M - Y0|^2
    import random
    rnd = random.Random(5)
    Y0 = [c["Y"][0], c["Y"][1]]
    for _ in range(200):
        w = [F(rnd.randint(-9, 9), rnd.randint(1, 5)) for _ in range(2)]
        a = [F(rnd.randint(-9, 9), rnd.randint(1, 5)) for _ in range(2)]
        b = [F(rnd.randint(-9, 9), rnd.randint(1, 5)) for _ in range(2)]
        M = [[w[i] * a[l] for l in range(2)] for i in range(2)]
        d2 = sum((M[i][l] - Y0[i][l]) ** 2 for i in range(2) for l in range(2))
        check(8 * loss(c, W=[w], A=[a], B=b) == 4 * dot(b, b) + 2 * d2, "k2 centred: the loss splits")
        check(loss(c, W=[w], A=[a], B=b) >= F(1, 2), "k2 centred: L >= 1/2")
    print("bias-k2-centred-undetermined: r, S0-S2, Q(-1,1) = (0,4), 8L = 4|b|^2 + 2|M - Y0|^2 and L >= 1/2 on 200 random points: ok")


main()
