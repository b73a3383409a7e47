package lp_test

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/exact/lp"
)

// Maximise 3x + 2y over x + y ≤ 4, x + 3y ≤ 6, x ≤ 3, x, y ≥ 0. The vertices
// are (0,0), (3,0), (3,1), (0,2) with values 0, 9, 11, 4; (3,1) is degenerate
// (three constraints meet there), and the maximum is 11.
func ExampleProgram_Solve() {
	p := lp.Program{
		N:      2,
		Nonneg: []bool{true, true},
		Cons: []lp.Constraint{
			{A: exact.VecOf(1, 1), Sense: lp.LE, B: big.NewRat(4, 1)},
			{A: exact.VecOf(1, 3), Sense: lp.LE, B: big.NewRat(6, 1)},
			{A: exact.VecOf(1, 0), Sense: lp.LE, B: big.NewRat(3, 1)},
		},
		C:        exact.VecOf(3, 2),
		Maximize: true,
	}
	status, x, value, err := p.Solve()
	fmt.Println(status, x, value.RatString(), err)
	// Output: optimal [3, 1] 11 <nil>
}

// x₁ + x₂ = 1 and x₁ − x₂ = 3 force x₂ = −1 < 0, so the LP is infeasible.
// y = (1, −1) is one Farkas certificate: Aᵀy = (0, 2) ≥ 0 and B·y = −2 < 0.
func ExampleLP_Solve() {
	lp := lp.LP{
		A: exact.Mat{exact.VecOf(1, 1), exact.VecOf(1, -1)},
		B: exact.VecOf(1, 3),
	}
	res, _ := lp.Solve()
	fmt.Println(res.Status, lp.CheckFarkas(res.Farkas))
	// Output: infeasible true
}
