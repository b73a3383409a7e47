package lp

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
)

// boxAsLP writes the BoxLP problem in the standard form of LP: columns
// x (n), then a slack per bounded column (x_j + t_j = 1).
func boxAsLP(lp *BoxLP, s []int8, b []*big.Int) LP {
	d, n := lp.D, len(lp.Cols)
	var nb []int
	for j := range lp.Bounded {
		if lp.Bounded[j] {
			nb = append(nb, j)
		}
	}
	A := exact.NewMat(d+len(nb), n+len(nb))
	B := exact.NewVec(d + len(nb))
	for r := 0; r < d; r++ {
		B[r].SetInt(b[r])
		for j := 0; j < n; j++ {
			A[r][j].SetInt(lp.Cols[j][r])
			if s[j] < 0 {
				A[r][j].Neg(A[r][j])
			}
		}
	}
	for q, j := range nb {
		A[d+q][j].SetInt64(1)
		A[d+q][n+q].SetInt64(1)
		B[d+q].SetInt64(1)
	}
	return LP{A: A, B: B}
}

func TestBoxLPAgainstSimplex(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	verified, total := 0, 0
	for trial := 0; trial < 400; trial++ {
		d := 1 + rng.IntN(4)
		n := rng.IntN(9)
		cols := make([][]*big.Int, n)
		bounded := make([]bool, n)
		for j := range cols {
			cols[j] = make([]*big.Int, d)
			for r := range cols[j] {
				cols[j][r] = big.NewInt(rng.Int64N(7) - 3)
				if trial%3 == 0 {
					cols[j][r].Lsh(cols[j][r], uint(rng.IntN(80)))
				}
			}
			bounded[j] = rng.IntN(2) == 0
		}
		lp := NewBoxLP(d, cols, bounded)
		for rep := 0; rep < 3; rep++ {
			s := make([]int8, n)
			for j := range s {
				s[j] = int8(2*rng.IntN(2) - 1)
			}
			b := make([]*big.Int, d)
			for r := range b {
				b[r] = big.NewInt(rng.Int64N(9) - 4)
				if trial%3 == 0 {
					b[r].Lsh(b[r], uint(rng.IntN(80)))
				}
			}
			total++
			res, ok := lp.Solve(s, b)
			std := boxAsLP(lp, s, b)
			sol, err := std.Solve()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				continue
			}
			verified++
			if res.Feasible != (sol.Status == Optimal) {
				t.Fatalf("trial %d: BoxLP feasible %v, simplex %v", trial, res.Feasible, sol.Status)
			}
			if res.Feasible {
				// Check the solution by substitution.
				for j, x := range res.X {
					if x.Sign() < 0 || (bounded[j] && x.Cmp(big.NewRat(1, 1)) > 0) {
						t.Fatalf("trial %d: x_%d = %v out of bounds", trial, j, x)
					}
				}
				for r := 0; r < d; r++ {
					sum := new(big.Rat)
					for j, x := range res.X {
						c := new(big.Rat).SetInt(cols[j][r])
						if s[j] < 0 {
							c.Neg(c)
						}
						sum.Add(sum, c.Mul(c, x))
					}
					if sum.Cmp(new(big.Rat).SetInt(b[r])) != 0 {
						t.Fatalf("trial %d: row %d: %v ≠ %v", trial, r, sum, b[r])
					}
				}
				continue
			}
			// Check the Farkas vector.
			rhs := new(big.Rat)
			for r := 0; r < d; r++ {
				rhs.Add(rhs, new(big.Rat).Mul(res.Y[r], new(big.Rat).SetInt(b[r])))
			}
			for j := range cols {
				tj := new(big.Rat)
				for r := 0; r < d; r++ {
					tj.Add(tj, new(big.Rat).Mul(res.Y[r], new(big.Rat).SetInt(cols[j][r])))
				}
				if s[j] < 0 {
					tj.Neg(tj)
				}
				if tj.Sign() > 0 {
					if !bounded[j] {
						t.Fatalf("trial %d: Farkas positive on an unbounded column", trial)
					}
					rhs.Sub(rhs, tj)
				}
			}
			if rhs.Sign() <= 0 {
				t.Fatalf("trial %d: Farkas vector does not separate", trial)
			}
		}
	}
	t.Logf("verified %d of %d", verified, total)
	if verified < total*9/10 {
		t.Errorf("only %d of %d problems verified", verified, total)
	}
}
