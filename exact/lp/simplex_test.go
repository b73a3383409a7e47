package lp

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
)

// bruteVertices returns every basic feasible solution of {x ≥ 0 : A x = b}
// with n columns, by enumerating all column subsets S with A_S of full
// column rank and solving A_S x_S = b exactly.
func bruteVertices(a exact.Mat, b exact.Vec, n int) []exact.Vec {
	var out []exact.Vec
	for mask := 0; mask < 1<<n; mask++ {
		var cols []int
		for j := 0; j < n; j++ {
			if mask&(1<<j) != 0 {
				cols = append(cols, j)
			}
		}
		sub := make(exact.Mat, len(a))
		for i := range a {
			sub[i] = make(exact.Vec, len(cols))
			for k, j := range cols {
				sub[i][k] = a[i][j]
			}
		}
		if len(a) > 0 && exact.Rank(sub) != len(cols) {
			continue
		}
		if len(a) == 0 && len(cols) > 0 {
			continue
		}
		xs, ok := exact.SolveLinear(sub, b, len(cols))
		if !ok {
			continue
		}
		neg := false
		for _, v := range xs {
			if v.Sign() < 0 {
				neg = true
			}
		}
		if neg {
			continue
		}
		x := exact.NewVec(n)
		for k, j := range cols {
			x[j].Set(xs[k])
		}
		out = append(out, x)
	}
	return out
}

// brute decides the LP by vertex enumeration: feasible iff a basic feasible
// solution exists; unbounded iff feasible and some extreme ray (a vertex of
// {r ≥ 0 : A r = 0, 1·r = 1}) has C·r < 0; otherwise the optimum is the best
// vertex value.
func brute(lp LP, n int) (LPStatus, *big.Rat) {
	verts := bruteVertices(lp.A, lp.B, n)
	if len(verts) == 0 {
		return Infeasible, nil
	}
	if lp.C == nil {
		return Optimal, nil
	}
	ra := make(exact.Mat, len(lp.A)+1)
	for i := range lp.A {
		ra[i] = lp.A[i]
	}
	ones := make(exact.Vec, n)
	for j := range ones {
		ones[j] = big.NewRat(1, 1)
	}
	ra[len(lp.A)] = ones
	rb := exact.NewVec(len(lp.A) + 1)
	rb[len(lp.A)].SetInt64(1)
	for _, r := range bruteVertices(ra, rb, n) {
		if lp.C.Dot(r).Sign() < 0 {
			return Unbounded, nil
		}
	}
	var best *big.Rat
	for _, x := range verts {
		v := lp.C.Dot(x)
		if best == nil || v.Cmp(best) < 0 {
			best = v
		}
	}
	return Optimal, best
}

func TestLPRandomAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	counts := map[LPStatus]int{}
	for it := 0; it < 1500; it++ {
		m, n := rng.IntN(5), rng.IntN(7)
		a := randMat(rng, m, n, 2+rng.IntN(5))
		var b exact.Vec
		switch rng.IntN(3) {
		case 0: // arbitrary right-hand side
			b = randVec(rng, m, 3)
		default: // feasible by construction, often degenerate
			x0 := randVec(rng, n, 4)
			for _, v := range x0 {
				v.Abs(v)
			}
			b = a.MulVec(x0)
		}
		if m >= 2 && rng.IntN(3) == 0 { // redundant row
			c1, c2 := randRat(rng, 0), randRat(rng, 0)
			a[m-1] = a[0].Scale(c1).Add(a[1].Scale(c2))
			b[m-1] = new(big.Rat).Add(new(big.Rat).Mul(c1, b[0]), new(big.Rat).Mul(c2, b[1]))
		}
		var c exact.Vec
		if rng.IntN(5) != 0 {
			c = randVec(rng, n, 2)
		}
		lp := LP{A: a, B: b, C: c}
		if m == 0 && c == nil {
			n = 0
		}
		res, err := lp.Solve()
		if err != nil {
			t.Fatalf("it %d: %v", it, err)
		}
		counts[res.Status]++
		st, val := brute(lp, n)
		if res.Status != st {
			t.Fatalf("it %d: status %v, brute force %v\nA=%v\nB=%v\nC=%v", it, res.Status, st, a, b, c)
		}
		if st == Optimal && c != nil && res.Value.Cmp(val) != 0 {
			t.Fatalf("it %d: value %v, brute force %v\nA=%v\nB=%v\nC=%v", it, res.Value.RatString(), val.RatString(), a, b, c)
		}
		if !lp.Check(res) {
			t.Fatalf("it %d: certificate fails: %+v\nA=%v\nB=%v\nC=%v", it, res, a, b, c)
		}
		// Independent re-check of each certificate, spelled out.
		switch res.Status {
		case Infeasible:
			aty := a.T().MulVec(res.Farkas)
			for j, v := range aty {
				if v.Sign() < 0 {
					t.Fatalf("it %d: (Aᵀy)_%d < 0", it, j)
				}
			}
			if b.Dot(res.Farkas).Sign() >= 0 {
				t.Fatalf("it %d: B·y ≥ 0", it)
			}
		case Optimal:
			if !a.MulVec(res.X).Equal(b) {
				t.Fatalf("it %d: A x ≠ b", it)
			}
			if c != nil {
				if b.Dot(res.Y).Cmp(res.Value) != 0 || c.Dot(res.X).Cmp(res.Value) != 0 {
					t.Fatalf("it %d: B·Y, C·X, Value disagree", it)
				}
				if m > 0 {
					for j, v := range a.T().MulVec(res.Y) {
						if v.Cmp(c[j]) > 0 {
							t.Fatalf("it %d: (AᵀY)_%d > C_%d", it, j, j)
						}
					}
				}
			}
		}
	}
	for _, s := range []LPStatus{Optimal, Infeasible, Unbounded} {
		if counts[s] < 50 {
			t.Errorf("only %d random LPs were %v; the test is too weak", counts[s], s)
		}
	}
}

// Beale's example cycles under the textbook largest-coefficient rule:
//
//	min −3/4 x4 + 20 x5 − 1/2 x6 + 6 x7
//	x1 + 1/4 x4 − 8 x5 − x6 + 9 x7 = 0
//	x2 + 1/2 x4 − 12 x5 − 1/2 x6 + 3 x7 = 0
//	x3 + x6 = 1
//
// The optimum −5/4 is at x4 = x6 = 1, x1 = 3/4.
func TestLPBeale(t *testing.T) {
	lp := LP{
		A: exact.Mat{
			{big.NewRat(1, 1), big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(1, 4), big.NewRat(-8, 1), big.NewRat(-1, 1), big.NewRat(9, 1)},
			{big.NewRat(0, 1), big.NewRat(1, 1), big.NewRat(0, 1), big.NewRat(1, 2), big.NewRat(-12, 1), big.NewRat(-1, 2), big.NewRat(3, 1)},
			{big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(1, 1), big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(1, 1), big.NewRat(0, 1)},
		},
		B:         exact.VecOf(0, 0, 1),
		C:         exact.Vec{big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(-3, 4), big.NewRat(20, 1), big.NewRat(-1, 2), big.NewRat(6, 1)},
		MaxPivots: 1000,
	}
	res, err := lp.Solve()
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Optimal || res.Value.Cmp(big.NewRat(-5, 4)) != 0 {
		t.Fatalf("got %v %v, want optimal −5/4", res.Status, res.Value)
	}
	if !lp.Check(res) {
		t.Fatalf("certificate fails")
	}
}

// Kuhn's cycling example (degenerate at the origin):
//
//	min −2x1 − 3x2 + x3 + 12x4
//	−2x1 − 9x2 + x3 + 9x4 + x5 = 0
//	1/3 x1 + x2 − 1/3 x3 − 2x4 + x6 = 0
//	2x1 + 3x2 − x3 − 12x4 + x7 = 2
//
// x = (2, 0, 2, 0, 2, 0, 0) is feasible with value −2 (substitute), so the
// optimum is at most −2; the exact value is compared with brute force.
func TestLPKuhn(t *testing.T) {
	lp := LP{
		A: exact.Mat{
			{big.NewRat(-2, 1), big.NewRat(-9, 1), big.NewRat(1, 1), big.NewRat(9, 1), big.NewRat(1, 1), big.NewRat(0, 1), big.NewRat(0, 1)},
			{big.NewRat(1, 3), big.NewRat(1, 1), big.NewRat(-1, 3), big.NewRat(-2, 1), big.NewRat(0, 1), big.NewRat(1, 1), big.NewRat(0, 1)},
			{big.NewRat(2, 1), big.NewRat(3, 1), big.NewRat(-1, 1), big.NewRat(-12, 1), big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(1, 1)},
		},
		B:         exact.VecOf(0, 0, 2),
		C:         exact.VecOf(-2, -3, 1, 12, 0, 0, 0),
		MaxPivots: 1000,
	}
	res, err := lp.Solve()
	if err != nil {
		t.Fatal(err)
	}
	st, val := brute(lp, 7)
	if res.Status != st || (st == Optimal && res.Value.Cmp(val) != 0) {
		t.Fatalf("got %v %v, brute force %v %v", res.Status, res.Value, st, val)
	}
	if !lp.CheckFeasible(exact.VecOf(2, 0, 2, 0, 2, 0, 0)) || res.Value.Cmp(big.NewRat(-2, 1)) > 0 {
		t.Fatalf("value %v above the feasible −2", res.Value)
	}
	if !lp.Check(res) {
		t.Fatalf("certificate fails")
	}
}

func TestLPEdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		lp     LP
		status LPStatus
		value  *big.Rat // nil: not checked
	}{
		{"no rows no cost", LP{}, Optimal, nil},
		{"no rows nonneg cost", LP{C: exact.VecOf(1, 0, 2)}, Optimal, big.NewRat(0, 1)},
		{"no rows negative cost", LP{C: exact.VecOf(1, -1)}, Unbounded, nil},
		{"no columns zero rhs", LP{A: exact.Mat{{}, {}}, B: exact.VecOf(0, 0)}, Optimal, nil},
		{"no columns nonzero rhs", LP{A: exact.Mat{{}, {}}, B: exact.VecOf(0, -3)}, Infeasible, nil},
		{"zero row zero rhs", LP{A: matOf([]int64{0, 0}, []int64{1, 1}), B: exact.VecOf(0, 2), C: exact.VecOf(1, 2)}, Optimal, big.NewRat(2, 1)},
		{"zero row nonzero rhs", LP{A: matOf([]int64{0, 0}, []int64{1, 1}), B: exact.VecOf(1, 2)}, Infeasible, nil},
		{"negative rhs", LP{A: matOf([]int64{-1, -1}), B: exact.VecOf(-3), C: exact.VecOf(2, 1)}, Optimal, big.NewRat(3, 1)},
		{"x = -1", LP{A: matOf([]int64{1}), B: exact.VecOf(-1)}, Infeasible, nil},
		{"duplicate rows", LP{A: matOf([]int64{1, 2}, []int64{1, 2}, []int64{2, 4}), B: exact.VecOf(4, 4, 8), C: exact.VecOf(-1, -1)}, Optimal, big.NewRat(-4, 1)},
		{"contradictory rows", LP{A: matOf([]int64{1, 2}, []int64{1, 2}), B: exact.VecOf(4, 5)}, Infeasible, nil},
		{"unbounded ray", LP{A: matOf([]int64{1, -1}), B: exact.VecOf(1), C: exact.VecOf(0, -1)}, Unbounded, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.lp.Solve()
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Fatalf("status %v, want %v", res.Status, tc.status)
			}
			if tc.value != nil && res.Value.Cmp(tc.value) != 0 {
				t.Fatalf("value %v, want %v", res.Value.RatString(), tc.value.RatString())
			}
			if !tc.lp.Check(res) {
				t.Fatalf("certificate fails: %+v", res)
			}
		})
	}
}

func TestLPShapeErrors(t *testing.T) {
	bad := []LP{
		{A: matOf([]int64{1, 2}), B: exact.VecOf(1, 2)},
		{A: matOf([]int64{1, 2}, []int64{1}), B: exact.VecOf(1, 2)},
		{A: matOf([]int64{1, 2}), B: exact.VecOf(1), C: exact.VecOf(1)},
		{A: exact.Mat{{nil, big.NewRat(1, 1)}}, B: exact.VecOf(1)},
		{A: matOf([]int64{1, 2}), B: exact.Vec{nil}},
		{A: matOf([]int64{1, 2}), B: exact.VecOf(1), C: exact.Vec{nil, nil}},
	}
	for i, lp := range bad {
		if _, err := lp.Solve(); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}

func TestLPBudget(t *testing.T) {
	lp := LP{A: matOf([]int64{1, 1, 1}, []int64{1, -1, 2}), B: exact.VecOf(3, 1), C: exact.VecOf(1, 2, -1), MaxPivots: 1}
	if _, err := lp.Solve(); !errors.Is(err, exact.ErrBudget) {
		t.Fatalf("err = %v, want exact.ErrBudget", err)
	}
	lp.MaxPivots = 0
	res, err := lp.Solve()
	if err != nil || res.Pivots < 2 {
		t.Fatalf("unbounded budget: %v, %d pivots", err, res.Pivots)
	}
}

func TestLPCheckRejects(t *testing.T) {
	lp := LP{A: matOf([]int64{1, 1}), B: exact.VecOf(1), C: exact.VecOf(1, 2)}
	if lp.CheckFeasible(exact.VecOf(2, -1)) {
		t.Errorf("negative x accepted")
	}
	if lp.CheckFeasible(exact.VecOf(1, 1)) {
		t.Errorf("A x ≠ b accepted")
	}
	if !lp.CheckFeasible(exact.VecOf(1, 0)) {
		t.Errorf("feasible x rejected")
	}
	if lp.CheckFarkas(exact.VecOf(-1)) { // Aᵀy = (−1,−1) < 0
		t.Errorf("bad Farkas accepted")
	}
	if lp.CheckFarkas(exact.VecOf(1)) { // B·y = 1 ≥ 0
		t.Errorf("bad Farkas accepted")
	}
	inf := LP{A: matOf([]int64{1, 1}), B: exact.VecOf(-1)}
	if !inf.CheckFarkas(exact.VecOf(1)) {
		t.Errorf("good Farkas rejected")
	}
	if lp.CheckDual(exact.VecOf(2), big.NewRat(2, 1)) { // Aᵀy = (2,2) > C_1 = 1
		t.Errorf("infeasible dual accepted")
	}
	if !lp.CheckDual(exact.VecOf(1), big.NewRat(1, 1)) {
		t.Errorf("optimal dual rejected")
	}
}

func TestProgramKnown(t *testing.T) {
	free2 := func(cons ...Constraint) Program { return Program{N: 2, Cons: cons} }
	con := func(a, b int64, s Sense, rhs int64) Constraint {
		return Constraint{A: exact.VecOf(a, b), Sense: s, B: big.NewRat(rhs, 1)}
	}
	tests := []struct {
		name   string
		p      Program
		status LPStatus
		x      exact.Vec
		value  *big.Rat
	}{
		{
			// min x + y over x ≥ −1, y ≥ −2 (free variables): (−1, −2), −3.
			"free min", func() Program {
				p := free2(con(1, 0, GE, -1), con(0, 1, GE, -2))
				p.C = exact.VecOf(1, 1)
				return p
			}(), Optimal, exact.VecOf(-1, -2), big.NewRat(-3, 1),
		},
		{
			// max x − y with x ≤ 3, y ≥ −1, x + y = 1: x = 3, y = −2 violates y ≥ −1,
			// so x + y = 1, y = −1 → x = 2; value 3.
			"max with equality", func() Program {
				p := free2(con(1, 0, LE, 3), con(0, 1, GE, -1), con(1, 1, EQ, 1))
				p.C = exact.VecOf(1, -1)
				p.Maximize = true
				return p
			}(), Optimal, exact.VecOf(2, -1), big.NewRat(3, 1),
		},
		{
			"infeasible", free2(con(1, 1, LE, 1), con(1, 1, GE, 2)), Infeasible, nil, nil,
		},
		{
			// min x with x ≥ y, free: unbounded below.
			"unbounded free", func() Program {
				p := free2(con(1, -1, GE, 0))
				p.C = exact.VecOf(1, 0)
				return p
			}(), Unbounded, nil, nil,
		},
		{
			// Same with both variables nonnegative: optimum 0.
			"bounded nonneg", func() Program {
				p := free2(con(1, -1, GE, 0))
				p.C = exact.VecOf(1, 0)
				p.Nonneg = []bool{true, true}
				return p
			}(), Optimal, nil, big.NewRat(0, 1),
		},
		{
			// x free, y ≥ 0, x + y ≤ −5: feasible (x = −5).
			"mixed signs", Program{N: 2, Nonneg: []bool{false, true}, Cons: []Constraint{con(1, 1, LE, -5)}}, Optimal, nil, nil,
		},
		{"no constraints", Program{N: 3}, Optimal, exact.VecOf(0, 0, 0), nil},
		{"no constraints max", Program{N: 1, C: exact.VecOf(1), Maximize: true}, Unbounded, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, x, val, err := tc.p.Solve()
			if err != nil {
				t.Fatal(err)
			}
			if st != tc.status {
				t.Fatalf("status %v, want %v", st, tc.status)
			}
			if tc.x != nil && !x.Equal(tc.x) {
				t.Errorf("x = %v, want %v", x, tc.x)
			}
			if tc.value != nil && (val == nil || val.Cmp(tc.value) != 0) {
				t.Errorf("value = %v, want %v", val, tc.value)
			}
			if st != Infeasible && !programFeasible(tc.p, x) {
				t.Errorf("x = %v infeasible", x)
			}
		})
	}
}

func programFeasible(p Program, x exact.Vec) bool {
	if len(x) != p.N {
		return false
	}
	for i := range x {
		if p.Nonneg != nil && p.Nonneg[i] && x[i].Sign() < 0 {
			return false
		}
	}
	for _, c := range p.Cons {
		s := c.A.Dot(x).Cmp(c.B)
		if (c.Sense == LE && s > 0) || (c.Sense == GE && s < 0) || (c.Sense == EQ && s != 0) {
			return false
		}
	}
	return true
}

// TestProgramRandomBoxed checks Program.Solve against vertex enumeration of a
// random polytope in Q^N (N ≤ 3) boxed by −3 ≤ x_i ≤ 3: every vertex is the
// solution of N linearly independent active constraints.
func TestProgramRandomBoxed(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	feasible := 0
	for it := 0; it < 300; it++ {
		n := rng.IntN(3) + 1
		p := Program{N: n, C: randVec(rng, n, 2), Maximize: rng.IntN(2) == 0}
		for k := rng.IntN(4); k > 0; k-- {
			p.Cons = append(p.Cons, Constraint{A: randVec(rng, n, 3), Sense: Sense(rng.IntN(3) - 1), B: randRat(rng, 3)})
		}
		for i := 0; i < n; i++ {
			e := exact.NewVec(n)
			e[i].SetInt64(1)
			p.Cons = append(p.Cons, Constraint{A: e, Sense: LE, B: big.NewRat(3, 1)}, Constraint{A: e, Sense: GE, B: big.NewRat(-3, 1)})
		}
		if rng.IntN(3) == 0 {
			p.Nonneg = make([]bool, n)
			for i := range p.Nonneg {
				p.Nonneg[i] = rng.IntN(2) == 0
			}
		}
		// Vertex enumeration over all N-subsets of constraints (and sign bounds).
		all := append([]Constraint(nil), p.Cons...)
		for i := 0; i < n; i++ {
			if p.Nonneg != nil && p.Nonneg[i] {
				e := exact.NewVec(n)
				e[i].SetInt64(1)
				all = append(all, Constraint{A: e, Sense: GE, B: new(big.Rat)})
			}
		}
		var best *big.Rat
		var choose func(start int, picked []int)
		choose = func(start int, picked []int) {
			if len(picked) == n {
				m := make(exact.Mat, n)
				b := make(exact.Vec, n)
				for k, i := range picked {
					m[k], b[k] = all[i].A, all[i].B
				}
				if exact.Rank(m) < n {
					return
				}
				x, _ := exact.SolveLinear(m, b, n)
				if !programFeasible(Program{N: n, Nonneg: p.Nonneg, Cons: all}, x) {
					return
				}
				v := p.C.Dot(x)
				if best == nil || (p.Maximize && v.Cmp(best) > 0) || (!p.Maximize && v.Cmp(best) < 0) {
					best = v
				}
				return
			}
			for i := start; i < len(all); i++ {
				choose(i+1, append(picked, i))
			}
		}
		choose(0, nil)
		st, x, val, err := p.Solve()
		if err != nil {
			t.Fatal(err)
		}
		if best == nil {
			if st != Infeasible {
				t.Fatalf("it %d: status %v, brute force infeasible", it, st)
			}
			continue
		}
		feasible++
		if st != Optimal || val.Cmp(best) != 0 || !programFeasible(p, x) || p.C.Dot(x).Cmp(val) != 0 {
			t.Fatalf("it %d: %v %v %v, brute force optimum %v", it, st, x, val, best.RatString())
		}
	}
	if feasible < 100 {
		t.Errorf("only %d feasible programs", feasible)
	}
}

func TestProgramErrors(t *testing.T) {
	bad := []Program{
		{N: 2, Nonneg: []bool{true}},
		{N: 2, C: exact.VecOf(1)},
		{N: 2, Cons: []Constraint{{A: exact.VecOf(1), Sense: LE, B: big.NewRat(1, 1)}}},
		{N: 1, Cons: []Constraint{{A: exact.VecOf(1), Sense: 7, B: big.NewRat(1, 1)}}},
		{N: 1, Cons: []Constraint{{A: exact.VecOf(1), Sense: EQ}}},
		{N: -1},
	}
	for i, p := range bad {
		if _, _, _, err := p.Solve(); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}

// TestRunBealeFromSlackBasis starts phase II of Beale's example at the
// degenerate slack basis {x1, x2, x3}, where Dantzig's rule alone cycles
// (the textbook cycle of six pivots), and checks that run reaches the optimum
// −5/4 within a small pivot budget.
func TestRunBealeFromSlackBasis(t *testing.T) {
	lp := LP{
		A: exact.Mat{
			{big.NewRat(1, 1), big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(1, 4), big.NewRat(-8, 1), big.NewRat(-1, 1), big.NewRat(9, 1)},
			{big.NewRat(0, 1), big.NewRat(1, 1), big.NewRat(0, 1), big.NewRat(1, 2), big.NewRat(-12, 1), big.NewRat(-1, 2), big.NewRat(3, 1)},
			{big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(1, 1), big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(1, 1), big.NewRat(0, 1)},
		},
		B: exact.VecOf(0, 0, 1),
		C: exact.Vec{big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(0, 1), big.NewRat(-3, 4), big.NewRat(20, 1), big.NewRat(-1, 2), big.NewRat(6, 1)},
	}
	tb := newTableau(lp, 3, 7)
	for i := 0; i < 3; i++ {
		if err := tb.pivot(i, i); err != nil {
			t.Fatal(err)
		}
	}
	tb.setCost(lp.C)
	tb.max = 100
	e, err := tb.run(7)
	if err != nil || e != -1 {
		t.Fatalf("run: entering %d, %v after %d pivots", e, err, tb.pivots)
	}
	v := new(big.Rat).SetFrac(&tb.t[3][10], &tb.den)
	v.Quo(v, tb.cost).Neg(v)
	if v.Cmp(big.NewRat(-5, 4)) != 0 {
		t.Fatalf("value %v, want -5/4", v.RatString())
	}
	if x := tb.primal(); !lp.CheckFeasible(x) || lp.C.Dot(x).Cmp(big.NewRat(-5, 4)) != 0 {
		t.Fatalf("x = %v", x)
	}
}
