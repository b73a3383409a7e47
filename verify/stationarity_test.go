package verify

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestCellMethodMatchesSubsets compares the two exact procedures of docs/theory.md §3
// for (S2) on random small instances with planted boundary samples, and
// checks every failure's direction has φ_j(u) < 0.
func TestCellMethodMatchesSubsets(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	var holds, fails, concave int
	for trial := 0; trial < 400; trial++ {
		p := randomPoint(rng)
		// Make residuals small relative to the weights' effect so both
		// outcomes occur: nothing to do, the targets are random.
		s := newState(p)
		for j := range p.Neurons {
			cell, err := s.TheoremS2(j, Options{})
			if err != nil {
				t.Fatalf("trial %d neuron %d: %v", trial, j, err)
			}
			sub, err := s.S2BySubsets(j)
			if err != nil {
				t.Fatalf("trial %d neuron %d: %v", trial, j, err)
			}
			if cell.holds != sub {
				t.Fatalf("trial %d neuron %d: cell method %v, subset method %v", trial, j, cell.holds, sub)
			}
			if len(s.boundary(j).zMinus) > 0 {
				concave++
			}
			if cell.holds {
				holds++
			} else {
				fails++
				if s.Phi(j, cell.u).Sign() >= 0 {
					t.Fatalf("trial %d neuron %d: failure direction has φ ≥ 0", trial, j)
				}
			}
		}
	}
	if holds < 20 || fails < 20 || concave < 20 {
		t.Fatalf("weak sample: %d hold, %d fail, %d with Z⁻ ≠ ∅", holds, fails, concave)
	}
}

// TestS2ConcaveKink is a hand-worked case of docs/theory.md §3: ReLU, d = 1 with
// x_1 = 1 on the hyperplane of w = 0 (a zero-input neuron, a = 1) and
// residual r_1 = −1: nφ(u) = −(u)₊, negative at u = 1, though the
// one-sided gradients (0 and −1) are not both positive: (S2) fails. With
// r_1 = +1, nφ(u) = (u)₊ ≥ 0 and (S2) holds.
func TestS2ConcaveKink(t *testing.T) {
	for _, tt := range []struct {
		y    int64
		want bool
	}{{1, false}, {-1, true}} {
		// f = a·ρ(w x) = 0, so r = −y.
		p := &Point{Act: ReLU(), X: exactRatMatOf([]exactVec{vec(1)}), Y: exactRatMatOf([]exactVec{vec(tt.y)}), Neurons: []Neuron{{W: vec(0), A: vec(1)}}}
		res, err := newState(p).TheoremS2(0, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.holds != tt.want {
			t.Errorf("y = %d: S2 = %v, want %v", tt.y, res.holds, tt.want)
		}
		if !tt.want && res.u[0].Cmp(big.NewRat(0, 1)) <= 0 {
			t.Errorf("y = %d: descent direction %v, want u > 0", tt.y, res.u)
		}
	}
}
