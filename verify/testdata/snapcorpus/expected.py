"""Expected exact values for verify/snapcorpus_test.go, computed from the
corpus data files alone with Python's fractions (independently of relucert):

  * the loss of the zero network on the Figure 3 data, (1/2n) sum y_i^2;
  * the loss of the least-squares affine fit y ~ alpha x + beta, which the
    final plateau of the Figure 3 runs computes (docs/theory.md section 7).

Every number is the exact rational value of the binary float the network
trained on.  Run: /usr/bin/python3 verify/testdata/snapcorpus/expected.py
"""
from fractions import Fraction
import numpy as np

for run in ["fig3-relu-64", "fig3-relu-32", "fig3-abs-64", "fig3-abs-32"]:
    z = np.load("testdata/corpus/data/%s.npz" % run)
    xs = [Fraction(float(v)) for v in z["X"].reshape(-1)]
    ys = [Fraction(float(v)) for v in z["Y"].reshape(-1)]
    n = len(xs)
    zero = sum(y * y for y in ys) / (2 * n)
    sx, sy = sum(xs), sum(ys)
    sxx = sum(x * x for x in xs)
    sxy = sum(x * y for x, y in zip(xs, ys))
    alpha = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    beta = (sy - alpha * sx) / n
    fit = sum((alpha * x + beta - y) ** 2 for x, y in zip(xs, ys)) / (2 * n)
    print(run, "zero", zero, "affine", fit)
