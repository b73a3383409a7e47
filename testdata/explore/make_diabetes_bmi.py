"""Writes testdata/explore/diabetes-bmi.json, the real data set of the README's
atlas example (issue 14): scikit-learn's diabetes data, body-mass index against
disease progression one year later.

How it is made (run with Debian's python3, which has numpy and scikit-learn):

    /usr/bin/python3 testdata/explore/make_diabetes_bmi.py

1. sklearn.datasets.load_diabetes(): 442 samples, 10 features, the target.
2. Features and target standardised over all 442 samples ((a - mean) / std),
   then the 100 samples numpy.random.RandomState(5).choice(442, 100,
   replace=False), sorted -- exactly testdata/corpus/make_corpus.py's
   diabetes(5, 100), the data of testdata/corpus/data/diabetes-relu-64.json.
3. Of those: the first N samples (N = 20) and feature 2, 'bmi' (the feature of
   scikit-learn's 'Linear Regression Example').
4. Every number written as the exact rational value of its float64 ("p/q").

The script also checks that the numbers equal the corpus's exact case file
testdata/corpus/data/diabetes-relu-64.json (column 2 of its inputs, its
targets), so the two data sets cannot drift apart.
"""

import json
import os
import sys
from fractions import Fraction

import numpy as np
from sklearn.datasets import load_diabetes

N = 20
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus", "data", "diabetes-relu-64.json")


def standardise(a):
    return (a - a.mean(axis=0)) / a.std(axis=0)


def exact(v):
    f = Fraction(float(v))
    return str(f.numerator) if f.denominator == 1 else "%d/%d" % (f.numerator, f.denominator)


def main():
    ds = load_diabetes()
    idx = np.sort(np.random.RandomState(5).choice(len(ds.target), 100, replace=False))
    X = standardise(ds.data)[idx]
    y = standardise(ds.target.reshape(-1, 1))[idx]
    x, y = X[:N, 2], y[:N, 0]

    corpus = json.load(open(CORPUS))
    for i in range(N):
        if Fraction(corpus["inputs"][i][2]) != Fraction(float(x[i])):
            sys.exit("input %d differs from %s" % (i, CORPUS))
        if Fraction(corpus["targets"][i][0]) != Fraction(float(y[i])):
            sys.exit("target %d differs from %s" % (i, CORPUS))

    case = {
        "name": "diabetes-bmi",
        "source": "scikit-learn's diabetes data set: body-mass index (feature 2, 'bmi') against "
        "disease progression one year later (the regression of scikit-learn's 'Linear Regression "
        "Example'); both standardised over the 442 samples, the first %d of the 100 samples of "
        "testdata/corpus/data/diabetes-relu-64.json (numpy seed 5), each number the exact value of "
        "its float64; made by testdata/explore/make_diabetes_bmi.py; no neurons: relucert "
        "explore/train initialise their own" % N,
        "activation": "relu",
        "bias": True,
        "inputs": [[exact(v)] for v in x],
        "targets": [[exact(v)] for v in y],
    }
    out = os.path.join(HERE, "diabetes-bmi.json")
    with open(out, "w") as f:
        f.write("{")
        f.write(", ".join("%s: %s" % (json.dumps(k), json.dumps(case[k])) for k in ("name", "source", "activation", "bias")))
        for k in ("inputs", "targets"):
            f.write(', %s: [\n  ' % json.dumps(k))
            f.write(",\n  ".join(json.dumps(r) for r in case[k]))
            f.write("]")
        f.write("}\n")


if __name__ == "__main__":
    main()
