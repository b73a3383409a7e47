package verify

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestPruneBasis checks the modular prune (a column basis modulo a prime,
// Dixon on a square subsystem, every equation checked) against what the
// prune must give, worked out independently: Fα = F a exactly, the columns
// with α_j ≠ 0 are linearly independent over Q (exact.Rank by elimination
// over Q), and α is elimination over Q's answer (pruneRational: the pivot
// columns, the same first-independent columns), including the case built
// so that the prime misleads the basis.
func TestPruneBasis(t *testing.T) {
	p := int64(exact.Primes31(1)[0])
	r := func(a, b int64) *big.Rat { return big.NewRat(a, b) }
	nrs := func(as ...*big.Rat) []Neuron {
		out := make([]Neuron, len(as))
		for j, a := range as {
			out[j] = Neuron{A: exact.Vec{a}}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(3, 5))
	// Random 8×12 features of rank 5: columns 5… are rational
	// combinations of columns 0…4, with rational entries.
	randF := func() exact.Mat {
		F := exact.NewMat(8, 12)
		for i := range F {
			for j := 0; j < 5; j++ {
				F[i][j].SetFrac64(rng.Int64N(2001)-1000, rng.Int64N(97)+1)
			}
		}
		for j := 5; j < 12; j++ {
			c := make([]*big.Rat, 5)
			for l := range c {
				c[l] = big.NewRat(rng.Int64N(21)-10, rng.Int64N(7)+1)
			}
			for i := range F {
				for l := range c {
					F[i][j].Add(F[i][j], new(big.Rat).Mul(c[l], F[i][l]))
				}
			}
		}
		return F
	}
	randA := func(W int) []Neuron {
		out := make([]*big.Rat, W)
		for j := range out {
			out[j] = big.NewRat(rng.Int64N(201)-100, rng.Int64N(13)+1)
		}
		return nrs(out...)
	}
	tests := []struct {
		name    string
		F       exact.Mat
		nrs     []Neuron
		modular bool // pruneBasis itself succeeds
		support []int
	}{
		{"duplicate column", exact.Mat{{r(1, 2), r(1, 2), r(3, 1)}, {r(-1, 3), r(-1, 3), r(1, 1)}},
			nrs(r(1, 1), r(2, 1), r(0, 1)), true, []int{0}},
		{"zero features", exact.Mat{{r(0, 1), r(0, 1)}, {r(0, 1), r(0, 1)}}, nrs(r(1, 1), r(-1, 1)), true, nil},
		// Columns (1, 0) and (1, p) are independent over Q, equal modulo
		// p: the modular basis is {0}, the check fails, and elimination
		// over Q keeps column 1 alone.
		{"prime divides the minor", exact.Mat{{r(1, 1), r(1, 1)}, {r(0, 1), new(big.Rat).SetInt64(p)}},
			nrs(r(0, 1), r(1, 1)), false, []int{1}},
		{"random rank 5 (1)", randF(), randA(12), true, []int{0, 1, 2, 3, 4}},
		{"random rank 5 (2)", randF(), randA(12), true, []int{0, 1, 2, 3, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			as, ok := pruneBasis(tc.F, tc.nrs, 1)
			if ok != tc.modular {
				t.Fatalf("pruneBasis ok = %v, want %v", ok, tc.modular)
			}
			if !ok {
				as = pruneRational(tc.F, tc.nrs, 1)
			}
			var support []int
			for j, a := range as {
				if !a.IsZero() {
					support = append(support, j)
				}
			}
			if len(support) != len(tc.support) {
				t.Fatalf("support %v, want %v", support, tc.support)
			}
			for c := range support {
				if support[c] != tc.support[c] {
					t.Fatalf("support %v, want %v", support, tc.support)
				}
			}
			// Fα = F a.
			for i, row := range tc.F {
				lhs, rhs := new(big.Rat), new(big.Rat)
				for j, v := range row {
					lhs.Add(lhs, new(big.Rat).Mul(v, as[j][0]))
					rhs.Add(rhs, new(big.Rat).Mul(v, tc.nrs[j].A[0]))
				}
				if lhs.Cmp(rhs) != 0 {
					t.Fatalf("row %d: Fα = %s, F a = %s", i, lhs.RatString(), rhs.RatString())
				}
			}
			// The kept columns are independent over Q.
			sub := exact.NewMat(len(tc.F), len(support))
			for i := range tc.F {
				for c, j := range support {
					sub[i][c].Set(tc.F[i][j])
				}
			}
			if len(support) > 0 && exact.Rank(sub) != len(support) {
				t.Fatalf("kept columns %v have rank %d", support, exact.Rank(sub))
			}
			if ok {
				want := pruneRational(tc.F, tc.nrs, 1)
				for j := range as {
					if as[j][0].Cmp(want[j][0]) != 0 {
						t.Fatalf("α_%d = %s, elimination over Q gives %s", j, as[j][0].RatString(), want[j][0].RatString())
					}
				}
			}
		})
	}
}
