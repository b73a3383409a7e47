package verify

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestS2NoBoundary checks s2NoBoundary against TheoremS2's general method
// (cells of the empty arrangement, the cell LP) on the neurons without
// boundary samples: the same decision and the same proof, value for value;
// and comboVecIsZero against the rational vector combo builds, on
// stationary points (v = 0) and on perturbed ones (v ≠ 0).
func TestS2NoBoundary(t *testing.T) {
	ratEq := cmp.Comparer(func(a, b *big.Rat) bool { return a.Cmp(b) == 0 })
	tried, shortcut := 0, 0
	for seed := uint64(1); seed <= 6; seed++ {
		for _, k := range []int{1, 3} {
			p, _, err := Generate(GenConfig{Kind: GenLocalMin, N: 40, D: 5, M: 8, K: k, Act: ReLU(), Boundary: 4, Dyadic: true, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []*Point{p, perturbA(p)} {
				s := newCheckState(q)
				e := s.ev
				for j := range q.Neurons {
					a := q.Neurons[j].A
					v := e.combo(j, a, e.sp, e.sn, e.sn, e.ds)[0]
					if got := e.comboVecIsZero(j, a, e.sp, e.sn, e.sn); got != v.IsZero() {
						t.Fatalf("seed %d k %d neuron %d: comboVecIsZero = %v, v = %v", seed, k, j, got, v)
					}
					if len(s.pt.Boundary(j)) > 0 || a.IsZero() {
						continue
					}
					tried++
					fast, ok := s.s2NoBoundary(j, Options{})
					if ok != v.IsZero() {
						t.Fatalf("seed %d k %d neuron %d: shortcut taken = %v with v = %v", seed, k, j, ok, v)
					}
					if !ok {
						continue
					}
					shortcut++
					s2Shortcut = false
					slow, err := s.TheoremS2(j, Options{})
					s2Shortcut = true
					if err != nil {
						t.Fatal(err)
					}
					if fast.holds != slow.holds || fast.u != nil || slow.u != nil {
						t.Fatalf("seed %d k %d neuron %d: holds %v vs %v", seed, k, j, fast.holds, slow.holds)
					}
					if diff := cmp.Diff(slow.proof, fast.proof, ratEq); diff != "" {
						t.Fatalf("seed %d k %d neuron %d: proofs differ (-general +shortcut):\n%s", seed, k, j, diff)
					}
				}
			}
		}
	}
	if shortcut == 0 || shortcut == tried {
		t.Fatalf("%d neurons without boundary samples, %d by the shortcut: want both outcomes", tried, shortcut)
	}
}

// perturbA returns p with a_0 changed by 1/8 in every output (so that v ≠ 0
// for some neurons).
func perturbA(p *Point) *Point {
	q := p.Clone()
	for l := range q.Neurons[0].A {
		q.Neurons[0].A[l] = new(big.Rat).Add(q.Neurons[0].A[l], big.NewRat(1, 8))
	}
	return q
}
