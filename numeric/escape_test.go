package numeric

import (
	"math"
	"testing"
)

// TestConeNegative checks the float64 coneNegative on the forms F(u) = uᵀGu
// over the orthant whose answers are known (as verify's test): positive
// semidefinite, entrywise nonnegative and Horn's matrix (copositive) have no
// negative point; an off-diagonal −2 between unit diagonals and Horn's
// matrix minus I do. q = u keeps Q_j nonzero away from 0.
func TestConeNegative(t *testing.T) {
	tol := Tolerance{Eps: Eps, X: 1, W: 1, A: 1, Rho: 1, R: 1, XSum: 1}
	horn := [][]float64{{1, -1, 1, 1, -1}, {-1, 1, -1, 1, 1}, {1, -1, 1, -1, 1}, {1, 1, -1, 1, -1}, {-1, 1, 1, -1, 1}}
	hornI := make([][]float64, 5)
	for a := range horn {
		hornI[a] = append([]float64(nil), horn[a]...)
		hornI[a][a]--
	}
	for _, tt := range []struct {
		name string
		G    [][]float64
		neg  bool
	}{
		{"psd", [][]float64{{1, -1}, {-1, 1}}, false},
		{"interior-negative", [][]float64{{1, -2}, {-2, 1}}, true},
		{"nonnegative", [][]float64{{0, 3, 1}, {3, 0, 2}, {1, 2, 0}}, false},
		{"horn", horn, false},
		{"horn-minus-I", hornI, true},
	} {
		r := len(tt.G)
		F := func(c critical) (float64, float64) {
			v, s := 0.0, 0.0
			for a := range c.u {
				for b := range c.u {
					v += c.u[a] * tt.G[a][b] * c.u[b]
					s += math.Abs(c.u[a] * tt.G[a][b] * c.u[b])
				}
			}
			return v, s
		}
		gens := make([]critical, r)
		for a := range gens {
			u := make([]float64, r)
			u[a] = 1
			gens[a] = critical{u: u, q: u, psi: make([]float64, 1)}
		}
		at := func(u []float64) critical { return critical{u: u, q: u, psi: make([]float64, 1)} }
		c, found, done := coneNegative(tol, gens, at, F)
		if !done || found != tt.neg {
			t.Errorf("%s: found %v (done %v), want %v", tt.name, found, done, tt.neg)
		}
		if found {
			if v, _ := F(c); !(v < 0) {
				t.Errorf("%s: F(%v) = %g", tt.name, c.u, v)
			}
		}
	}
}
