package numeric

import (
	"math"
	"testing"
)

func TestPhiAndQuickWitness(t *testing.T) {
	// n·φ/S = v·u + Σ_{Z⁺} max(0, plus·u) + Σ_{Z⁻} min(0, minus·u).
	s := s2Data{d: 2, v: []float64{0, 0.5},
		plus:  [][]float64{{0, 1}},
		minus: [][]float64{{-1, 0}}}
	for _, tc := range []struct {
		u    []float64
		want float64
	}{
		{[]float64{1, 0}, -1},    // 0 + 0 + min(0, −1)
		{[]float64{-1, 0}, 0},    // 0 + 0 + min(0, 1)
		{[]float64{0, 1}, 1.5},   // 0.5 + 1 + 0
		{[]float64{0, -1}, -0.5}, // −0.5 + 0 + 0
		{[]float64{1, 1}, 0.5},   // 0.5 + 1 − 1
	} {
		if got := s.phi(tc.u); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("phi(%v) = %v, want %v", tc.u, got, tc.want)
		}
	}
	if _, found := s.quickWitness(); !found {
		t.Errorf("no witness found, but φ(1, 0) < 0")
	}
	// A convex φ: v = 0, one Z⁺ term: φ ≥ 0 everywhere, no witness.
	convex := s2Data{d: 2, v: []float64{0, 0}, plus: [][]float64{{1, 1}}}
	if u, found := convex.quickWitness(); found {
		t.Errorf("witness %v for a nonnegative φ", u)
	}
	// φ(u) = −10⁻¹² u₁ (tiny against the normalised scale 1): within Eps,
	// not a descent.
	tiny := s2Data{d: 1, v: []float64{-1e-12}}
	if u, found := tiny.quickWitness(); found {
		t.Errorf("witness %v below the tolerance", u)
	}
}

func TestCellBoundAndMethodChoice(t *testing.T) {
	for _, tc := range []struct {
		q, d int
		want float64
	}{
		{0, 3, 1}, {1, 3, 2}, {3, 2, 6}, {4, 3, 14}, {5, 3, 22}, {3, 3, 8}, {13, 3, 158},
	} {
		if got := cellBound(tc.q, tc.d); got != tc.want {
			t.Errorf("cellBound(%d, %d) = %v, want %v", tc.q, tc.d, got, tc.want)
		}
	}
	for _, tc := range []struct {
		q, d int
		want bool
	}{
		{4, 2, true}, {5, 2, false}, {6, 3, true}, {7, 3, false}, {12, 20, true}, {13, 20, false},
	} {
		if got := useSubsets(tc.q, tc.d); got != tc.want {
			t.Errorf("useSubsets(%d, %d) = %v, want %v", tc.q, tc.d, got, tc.want)
		}
	}
}
