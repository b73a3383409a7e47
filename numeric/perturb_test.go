package numeric

import (
	"math"
	"testing"

	"github.com/relucert/relucert/verify"
)

func TestPerturb(t *testing.T) {
	cases := checkCases(t)
	byName := map[string]*verify.Point{}
	for _, tc := range cases {
		byName[tc.name] = tc.p
	}
	min := byName["leaky differentiable local min"]
	notStat := byName["leaky failed S1 and S2"]

	// Reproducible: the same seed gives the same result, another seed a
	// different one.
	a := Perturb(notStat, 200, 1e-3, 42)
	b := Perturb(notStat, 200, 1e-3, 42)
	c := Perturb(notStat, 200, 1e-3, 43)
	if a != b {
		t.Errorf("same seed, different results: %+v vs %+v", a, b)
	}
	if a == c {
		t.Errorf("seeds 42 and 43 gave identical results %+v", a)
	}

	// Clearly non-stationary (∂L/∂a = G = 1/3): a first-order change of
	// either sign, so about half the trials decrease the loss.
	if a.Trials != 200 || a.Decreases < 50 || a.Decreases > 150 || !(a.MinChange < 0) {
		t.Errorf("non-stationary point: %+v, want about 100 of 200 decreases", a)
	}
	if math.Abs(a.Loss-1.0/6) > 1e-15 {
		t.Errorf("loss %v, want 1/6", a.Loss)
	}

	// Strict local minimum in the product t = a·w (L = (1/6)Σ(tρ(x_i) − y_i)²,
	// minimal at t = 1): no perturbation decreases L.
	m := Perturb(min, 500, 1e-3, 1)
	if m.Trials != 500 || m.Decreases != 0 || !(m.MinChange >= 0) {
		t.Errorf("local minimum: %+v, want no decrease", m)
	}

	// Degenerate calls.
	if r := Perturb(nil, 10, 1, 1); r.Trials != 0 || !math.IsNaN(r.MinChange) || !math.IsNaN(r.Loss) {
		t.Errorf("nil point: %+v", r)
	}
	if r := Perturb(min, 0, 1, 1); r.Trials != 0 || !math.IsNaN(r.MinChange) || math.Abs(r.Loss-5.0/6) > 1e-15 {
		t.Errorf("n = 0: %+v", r)
	}
}
