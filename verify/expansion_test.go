package verify

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestExpansionMatchesLoss checks (★) of docs/theory.md §2: inside the safe radius,
// L(θ+σΔ) − L(θ) equals the exact quartic of the expansion, against a direct
// evaluation of L at random rational perturbations.
func TestExpansionMatchesLoss(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	checked := 0
	for trial := 0; trial < 300; trial++ {
		p := randomPoint(rng)
		s := newState(p)
		delta := randomDirection(rng, p)
		poly := s.Expansion(delta)
		sigma := big.NewRat(1, 1)
		if r := s.SafeRadius(delta); r != nil && r.Cmp(sigma) <= 0 {
			sigma = new(big.Rat).Mul(r, big.NewRat(int64(1+rng.IntN(9)), 10))
		}
		want := new(big.Rat).Sub(Loss(p.Add(delta.Scale(sigma))), Loss(p))
		if got := poly.Eval(sigma); got.Cmp(want) != 0 {
			t.Fatalf("trial %d: (★) gives %s, direct evaluation %s (σ = %s)", trial, got.RatString(), want.RatString(), sigma.RatString())
		}
		// Its linear coefficient is the directional derivative of Theorem S.
		if fo := s.FirstOrder(delta); fo.Cmp(poly[1]) != 0 {
			t.Fatalf("trial %d: L'(θ;Δ) = %s but (★) linear coefficient %s", trial, fo.RatString(), poly[1].RatString())
		}
		checked++
	}
	if checked < 300 {
		t.Fatalf("only %d instances checked", checked)
	}
}

// TestExpansionFailsOutsideSafeRadius shows the test above can fail: past
// the safe radius a sign flips and (★) no longer matches L.
func TestExpansionFailsOutsideSafeRadius(t *testing.T) {
	p := &Point{
		Act:     ReLU(),
		X:       exactRatMatOf([]exactVec{vec(1)}),
		Y:       exactRatMatOf([]exactVec{vec(0)}),
		Neurons: []Neuron{{W: vec(1), A: vec(1)}},
	}
	s := newState(p)
	delta := Direction{{W: vec(-3), A: vec(0)}} // w: 1 → −2 flips the sign
	got := s.Expansion(delta).Eval(big.NewRat(1, 1))
	want := new(big.Rat).Sub(Loss(p.Add(delta)), Loss(p))
	if got.Cmp(want) == 0 {
		t.Fatalf("(★) unexpectedly exact outside the safe radius")
	}
}
