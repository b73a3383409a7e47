package verify

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
)

// tiny returns 2^-e.
func tiny(e int) *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(e)))
}

// TestRecheckerAgainstDefinitions compares the residue-based zero tests of
// Recheck with big.Rat evaluations of the definitions on random and planted
// stationary points, and on near misses (a remainder of 2^-e with e up to
// 600, far below float64 resolution).
func TestRecheckerAgainstDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for trial := 0; trial < 150; trial++ {
		var p *Point
		switch trial % 3 {
		case 0:
			p = randomPoint(rng)
		case 1:
			p = floatPoint(rng, 1+rng.IntN(10), 1+rng.IntN(4), 1+rng.IntN(4), 1+rng.IntN(2))
		default:
			var err error
			p, _, err = Generate(GenConfig{Kind: []GenKind{GenLocalMin, GenZeroInput}[rng.IntN(2)], N: 3 + rng.IntN(12), D: 2 + rng.IntN(3), M: 1 + rng.IntN(3), K: 1 + rng.IntN(2),
				Act: testActivations[rng.IntN(3)], Boundary: rng.IntN(2), Dyadic: rng.IntN(2) == 0, Seed: rng.Uint64()})
			if err != nil {
				t.Fatal(err)
			}
			if trial%2 == 0 {
				// A near miss: one target moves by 2^-e.
				p.Y[0][0].Add(p.Y[0][0], tiny(1+rng.IntN(600)))
			}
		}
		rc, err := newRechecker(p)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		r := slowResiduals(p)
		for i := range r {
			if !r[i].Equal(rc.r[i]) {
				t.Fatalf("trial %d: residuals", trial)
			}
		}
		st := newState(p)
		for j := range p.Neurons {
			if got, want := rc.s1Holds(j), st.G(j).IsZero(); got != want {
				t.Fatalf("trial %d: s1Holds(%d) = %v, G = %v", trial, j, got, st.G(j))
			}
			e1 := st.E1Matrix(j)
			if got, want := rc.e1Vanishes(j), e1.IsZero(); got != want {
				t.Fatalf("trial %d: e1Vanishes(%d) = %v, E1 = %v", trial, j, got, e1)
			}
			v := st.boundary(j).v
			w := v.Neg()
			if !rc.vEquals(j, w) {
				t.Fatalf("trial %d: vEquals(%d, −v) false", trial, j)
			}
			c := rng.IntN(len(w))
			w[c].Add(w[c], tiny(rng.IntN(700)))
			if rc.vEquals(j, w) {
				t.Fatalf("trial %d: vEquals(%d) true for a perturbed vector", trial, j)
			}
			u := randVec(rng, p.D(), 3)
			if rng.IntN(2) == 0 && p.N() > 0 {
				u = p.X[rng.IntN(p.N())].Clone()
			}
			q := st.Q(j, u)
			if !rc.responseEquals(j, u, q) {
				t.Fatalf("trial %d: responseEquals(%d, %v, Q) false", trial, j, u)
			}
			q2 := q.Clone()
			q2[0].Add(q2[0], tiny(rng.IntN(700)))
			if rc.responseEquals(j, u, q2) {
				t.Fatalf("trial %d: responseEquals true for a perturbed value", trial)
			}
		}
		// A wrong residual must be caught.
		if p.N() > 0 {
			rc2 := *rc
			rc2.r = make([]exact.Vec, len(rc.r))
			for i := range rc.r {
				rc2.r[i] = rc.r[i].Clone()
			}
			i := rng.IntN(p.N())
			rc2.r[i][0].Add(rc2.r[i][0], tiny(rng.IntN(500)))
			rc2.images = nil
			rc2.dR = ratDen(flatten(rc2.r))
			rc2.mbR = magBits(rc2.r...)
			rc2.ensurePrimes(60)
			if rc2.verifyResiduals(60) == nil {
				t.Fatalf("trial %d: a wrong residual passed", trial)
			}
		}
	}
}
