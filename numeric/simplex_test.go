package numeric

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

func TestSolveBoxHandWorked(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		name    string
		c       []float64
		A       [][]float64
		b, u    []float64
		basis   []int
		want    float64 // optimal value, worked out by hand
		wantX   []float64
		wantErr error
	}{
		// max x₁ + x₂ s.t. x₁ + 2x₂ ≤ 4, 3x₁ + x₂ ≤ 6: the two rows meet at
		// (8/5, 6/5), value 14/5.
		{name: "optimal from slacks", c: []float64{-1, -1, 0, 0}, A: [][]float64{{1, 2, 1, 0}, {3, 1, 0, 1}}, b: []float64{4, 6},
			basis: []int{2, 3}, want: -14.0 / 5, wantX: []float64{8.0 / 5, 6.0 / 5, 0, 0}},
		{name: "optimal by phase I", c: []float64{-1, -1, 0, 0}, A: [][]float64{{1, 2, 1, 0}, {3, 1, 0, 1}}, b: []float64{4, 6},
			want: -14.0 / 5, wantX: []float64{8.0 / 5, 6.0 / 5, 0, 0}},
		// Equality rows only: x₁ + x₂ + x₃ = 2, x₁ − x₂ = 0, min x₃ − x₁:
		// x₃ = 0, x₁ = x₂ = 1, value −1.
		{name: "equalities", c: []float64{-1, 0, 1}, A: [][]float64{{1, 1, 1}, {1, -1, 0}}, b: []float64{2, 0},
			want: -1, wantX: []float64{1, 1, 0}},
		// Upper bounds: max x₁ + x₂ with x₁ + x₂ + s = 3, x₁ ≤ 1, x₂ ≤ 3/2:
		// both at their bounds, value 5/2; with x₂ ≤ 5 the row binds (3).
		{name: "bounds bind", c: []float64{-1, -1, 0}, A: [][]float64{{1, 1, 1}}, b: []float64{3}, u: []float64{1, 1.5, inf},
			basis: []int{2}, want: -2.5, wantX: []float64{1, 1.5, 0.5}},
		{name: "row binds", c: []float64{-1, -1, 0}, A: [][]float64{{1, 1, 1}}, b: []float64{3}, u: []float64{1, 5, inf},
			basis: []int{2}, want: -3},
		// min −x₁ + x₂/2 s.t. x₁ ≤ x₂ (x₁ − x₂ + s = 0), x₁ ≤ 2, x₂ ≤ 4:
		// x₂ = x₁ = 2, value −1; the basic x₁ leaves at its upper bound.
		{name: "leave at upper bound", c: []float64{-1, 0.5, 0}, A: [][]float64{{1, -1, 1}}, b: []float64{0}, u: []float64{2, 4, inf},
			basis: []int{2}, want: -1, wantX: []float64{2, 2, 0}},
		// x₁ + x₂ = −1 has no solution with x ≥ 0.
		{name: "infeasible", c: []float64{1, 1}, A: [][]float64{{1, 1}}, b: []float64{-1}, wantErr: errLPInfeasible},
		// x₁ + x₂ = 3 and x₁ ≤ 1, x₂ ≤ 1: infeasible through the bounds.
		{name: "infeasible by bounds", c: []float64{0, 0}, A: [][]float64{{1, 1}}, b: []float64{3}, u: []float64{1, 1}, wantErr: errLPInfeasible},
		// min −x₁ with x₁ − x₂ = 1: the ray x₁ = 1 + t, x₂ = t.
		{name: "unbounded", c: []float64{-1, 0}, A: [][]float64{{1, -1}}, b: []float64{1}, wantErr: errLPUnbounded},
		{name: "unbounded from basis", c: []float64{-1, 0, 0}, A: [][]float64{{1, -1, 1}}, b: []float64{1}, basis: []int{2}, wantErr: errLPUnbounded},
		// The same ray cut by the bound x₂ ≤ 4 (x₂ entering reaches its
		// own bound first: a bound flip, no pivot): x₁ = 5, value −5.
		{name: "ray cut by bound", c: []float64{-1, 0, 0}, A: [][]float64{{1, -1, 1}}, b: []float64{1}, u: []float64{inf, 4, inf}, basis: []int{2}, want: -5},
		// Beale's example (1955), on which Dantzig's rule with the
		// lowest-index tie-break cycles through six degenerate bases:
		// min −(3/4)x₄ + 20x₅ − (1/2)x₆ + 6x₇ from the slack basis; the
		// optimum x₁ = 3/4, x₄ = x₆ = 1 has value −5/4.
		{name: "Beale cycling", c: []float64{0, 0, 0, -0.75, 20, -0.5, 6},
			A: [][]float64{
				{1, 0, 0, 0.25, -8, -1, 9},
				{0, 1, 0, 0.5, -12, -0.5, 3},
				{0, 0, 1, 0, 0, 1, 0},
			},
			b: []float64{0, 0, 1}, basis: []int{0, 1, 2}, want: -1.25, wantX: []float64{0.75, 0, 0, 1, 0, 1, 0}},
		// Kuhn's example (Balinski–Tucker), which cycles under Dantzig's
		// rule too: min −2x₄ − 3x₅ + x₆ + 12x₇ from the slacks. The
		// value −2 at x = (2, 0, 0, 2, 0, 2, 0) (rows: 2 − 4 + 2 = 0,
		// 2/3 − 2/3 = 0, 4 − 2 = 2) is optimal: y = (0, 0, −1) is dual
		// feasible (c − Aᵀy = c + third row = (0, 0, 1, 0, 0, 0, 0) ≥ 0) with bᵀy = −2.
		{name: "Kuhn cycling", c: []float64{0, 0, 0, -2, -3, 1, 12},
			A: [][]float64{
				{1, 0, 0, -2, -9, 1, 9},
				{0, 1, 0, 1.0 / 3, 1, -1.0 / 3, -2},
				{0, 0, 1, 2, 3, -1, -12},
			},
			b: []float64{0, 0, 2}, basis: []int{0, 1, 2}, want: -2},
		// Degenerate vertex with redundant rows: x₁ + x₂ = 0 twice forces
		// x = 0 through dependent rows (phase I leaves an artificial basic
		// at 0); min x₃ − x₁ with x₃ = 1: value 1.
		{name: "dependent rows", c: []float64{-1, 0, 1}, A: [][]float64{{1, 1, 0}, {2, 2, 0}, {0, 0, 1}}, b: []float64{0, 0, 1},
			want: 1, wantX: []float64{0, 0, 1}},
	} {
		for _, bland := range []int{boxBlandAfter, 0} {
			t.Run(fmt.Sprintf("%s/bland after %d", tc.name, bland), func(t *testing.T) {
				defer func(old int) { boxBlandAfter = old }(boxBlandAfter)
				boxBlandAfter = bland
				x, err := solveBox(tc.c, tc.A, tc.b, tc.u, tc.basis)
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err %v, want %v", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if v := dot(tc.c, x); math.Abs(v-tc.want) > 1e-12 {
					t.Errorf("value %v at %v, want %v", v, x, tc.want)
				}
				checkBoxFeasible(t, tc.A, tc.b, tc.u, x)
				for j := range tc.wantX {
					if math.Abs(x[j]-tc.wantX[j]) > 1e-12 {
						t.Errorf("x = %v, want %v", x, tc.wantX)
						break
					}
				}
			})
		}
	}
}

// checkBoxFeasible reports a point outside Ax = b, 0 ≤ x ≤ u.
func checkBoxFeasible(t *testing.T, A [][]float64, b, u, x []float64) {
	t.Helper()
	for i, a := range A {
		if math.Abs(dot(a, x)-b[i]) > 1e-9 {
			t.Errorf("row %d: %v ≠ %v at x = %v", i, dot(a, x), b[i], x)
		}
	}
	for j, v := range x {
		if v < 0 || (u != nil && v > u[j]) {
			t.Errorf("x[%d] = %v outside [0, %v]", j, v, u)
		}
	}
}

// TestSolveBoxAgainstGonum compares solveBox with gonum's lp.Simplex on
// random feasible and bounded LPs: b = A·x₀ with x₀ ≥ 0, and c = Aᵀy + s
// with s > 0 (a dual feasible point, so the minimum is finite). Upper
// bounds go to gonum as rows x_j + s_j = u_j. Half of the instances are
// degenerate: x₀ has zeros and some columns repeat.
func TestSolveBoxAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 15))
	compared := 0
	for trial := 0; trial < 300; trial++ {
		r := 1 + rng.IntN(5)
		n := r + 1 + rng.IntN(8)
		degenerate := trial%2 == 1
		A := make([][]float64, r)
		for i := range A {
			A[i] = make([]float64, n)
			for j := range A[i] {
				A[i][j] = math.Round(rng.NormFloat64()*4) / 4
			}
		}
		if degenerate && n > 2 {
			for i := range A {
				A[i][n-1] = A[i][0]
			}
		}
		x0 := make([]float64, n)
		for j := range x0 {
			if !degenerate || rng.IntN(2) == 0 {
				x0[j] = rng.Float64()
			}
		}
		b := make([]float64, r)
		for i := range b {
			b[i] = dot(A[i], x0)
		}
		y := make([]float64, r)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		c := make([]float64, n)
		for j := range c {
			for i := range A {
				c[j] += A[i][j] * y[i]
			}
			c[j] += 0.1 + rng.Float64()
		}
		var u []float64
		if trial%3 == 0 {
			u = make([]float64, n)
			for j := range u {
				u[j] = math.Inf(1)
				if rng.IntN(2) == 0 {
					u[j] = x0[j] + rng.Float64()
				}
			}
		}
		x, err := solveBox(c, A, b, u, nil)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		checkBoxFeasible(t, A, b, u, x)
		want, ok := gonumValue(c, A, b, u)
		if !ok {
			continue // gonum refused (singular data): nothing to compare
		}
		compared++
		if got := dot(c, x); math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
			t.Errorf("trial %d (r=%d n=%d): value %v, gonum %v", trial, r, n, got, want)
		}
	}
	if compared < 200 {
		t.Errorf("only %d of 300 instances compared with gonum", compared)
	}
}

// gonumValue solves the same LP with gonum's lp.Simplex, upper bounds as
// extra rows with slacks; ok is false when gonum fails or refuses the data
// (it panics on some shapes).
func gonumValue(c []float64, A [][]float64, b, u []float64) (v float64, ok bool) {
	defer func() {
		if recover() != nil {
			v, ok = 0, false
		}
	}()
	r, n := len(A), len(c)
	var bounded []int
	for j := range u {
		if !math.IsInf(u[j], 1) {
			bounded = append(bounded, j)
		}
	}
	rows, cols := r+len(bounded), n+len(bounded)
	G := mat.NewDense(rows, cols, nil)
	h := make([]float64, rows)
	cc := make([]float64, cols)
	copy(cc, c)
	for i, a := range A {
		for j, v := range a {
			G.Set(i, j, v)
		}
		h[i] = b[i]
	}
	for k, j := range bounded {
		G.Set(r+k, j, 1)
		G.Set(r+k, n+k, 1)
		h[r+k] = u[j]
	}
	v, _, err := lp.Simplex(cc, G, h, 1e-12, nil)
	return v, err == nil
}

// TestMinResidualBoxAgainstGonum compares the dense cell-LP wrapper with
// minResidual (gonum) on random ℓ1 problems without bounds or costs, and
// checks the bounded form against the same LP with the bounds as rows.
func TestMinResidualBoxAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 15))
	for trial := 0; trial < 200; trial++ {
		r, n := 1+rng.IntN(6), 1+rng.IntN(12)
		rows := make([][]float64, r)
		for i := range rows {
			rows[i] = make([]float64, n)
			for j := range rows[i] {
				if rng.IntN(4) > 0 {
					rows[i][j] = rng.NormFloat64()
				}
			}
		}
		b := make([]float64, r)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		want, _, ok := minResidual(rows, b, n)
		got, z, _, exact := minResidualBox(rows, b, make([]float64, n), nil)
		if !ok || !exact || math.Abs(got-want) > 1e-9 {
			t.Errorf("trial %d: residual %v (exact %v), gonum %v (%v)", trial, got, exact, want, ok)
		}
		// The returned z is feasible (z ≥ 0) and has the residual reported.
		res := 0.0
		for i, row := range rows {
			res += math.Abs(dot(row, z) - b[i])
		}
		for j, v := range z {
			if v < 0 {
				t.Errorf("trial %d: z[%d] = %v < 0", trial, j, v)
			}
		}
		if math.Abs(res-got) > 1e-9 {
			t.Errorf("trial %d: Σ|rows·z − b| = %v, reported residual %v", trial, res, got)
		}
		// Bounds z ≤ 1/2 as soft rows z_j = 1/2 − s_j with a slack: the
		// residual of row "z_j + s_j = 1/2" is 0 exactly when z_j ≤ 1/2,
		// but the ℓ1 objective also lets it be violated at unit cost —
		// the same as cost 1 on an excess e_j = (z_j − 1/2)₊, which is how
		// s2Data.lp writes λ ≤ 1.
		ub := make([]float64, 2*n)
		cost := make([]float64, 2*n)
		brows := make([][]float64, r)
		for i := range rows {
			brows[i] = append(append([]float64(nil), rows[i]...), rows[i]...)
		}
		for j := 0; j < n; j++ {
			ub[j], ub[n+j], cost[n+j] = 0.5, math.Inf(1), 1
		}
		soft := make([][]float64, r+n)
		sb := make([]float64, r+n)
		for i := range rows {
			soft[i] = append(append([]float64(nil), rows[i]...), make([]float64, n)...)
			sb[i] = b[i]
		}
		for j := 0; j < n; j++ {
			soft[r+j] = make([]float64, 2*n)
			soft[r+j][j], soft[r+j][n+j] = 1, 1
			sb[r+j] = 0.5
		}
		want, _, ok = minResidual(soft, sb, 2*n)
		got, z, _, exact = minResidualBox(brows, b, cost, ub)
		if !ok || !exact || math.Abs(got-want) > 1e-9 {
			t.Errorf("trial %d, bounded: residual %v (exact %v), soft rows by gonum %v (%v)", trial, got, exact, want, ok)
		}
		for j, v := range z {
			if v < 0 || v > ub[j] {
				t.Errorf("trial %d: z[%d] = %v outside [0, %v]", trial, j, v, ub[j])
			}
		}
	}
}

// TestBoxRecheck: the re-check from the original data passes at the
// optimum with the dual solution worked out by hand, and fails on a basis
// that is feasible but not optimal.
func TestBoxRecheck(t *testing.T) {
	// max x₁ + x₂ s.t. x₁ + 2x₂ ≤ 4, 3x₁ + x₂ ≤ 6: at the optimal basis
	// {x₁, x₂}, Bᵀy = c_B is y₁ + 3y₂ = −1, 2y₁ + y₂ = −1, so y = (−2/5,
	// −1/5), and bᵀy = −14/5 is the optimal value.
	c := []float64{-1, -1, 0, 0}
	A := [][]float64{{1, 2, 1, 0}, {3, 1, 0, 1}}
	b := []float64{4, 6}
	lp, err := solveBoxLP(c, A, b, nil, []int{2, 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{-0.4, -0.2}; math.Abs(lp.y[0]-want[0]) > 1e-15 || math.Abs(lp.y[1]-want[1]) > 1e-15 {
		t.Errorf("dual %v, want %v", lp.y, want)
	}
	// The slack basis is feasible (x = 0) but not optimal: reduced costs
	// −1 on x₁ and x₂.
	slack := newBoxLP(c, A, b, []float64{math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)}, 0)
	if err := slack.start([]int{2, 3}, nil); err != nil {
		t.Fatal(err)
	}
	if err := slack.recheck(b); !errors.Is(err, errLPRecheck) {
		t.Errorf("recheck of the slack basis: %v, want %v", err, errLPRecheck)
	}
	// A tableau whose basic values drifted is recomputed from the data.
	lp.beta[0] += 1e-3
	if err := lp.recheck(b); err != nil || math.Abs(lp.x()[0]-1.6) > 1e-15 {
		t.Errorf("recheck after drift: %v, x = %v", err, lp.x())
	}
}

// TestLUSolve checks the small LU solver on systems solved by hand:
// B = [[0, 2, 1], [1, 1, 0], [2, 0, 1]] (a zero first pivot: row exchanges
// needed); x = (2, 1, 1) gives Bx = (3, 3, 5), and y = (1, 1, 2) gives
// Bᵀy = (0+1+4, 2+1+0, 1+0+2) = (5, 3, 3).
func TestLUSolve(t *testing.T) {
	B := []float64{0, 2, 1, 1, 1, 0, 2, 0, 1}
	perm, ok := luFactor(B, 3)
	if !ok {
		t.Fatal("singular")
	}
	x := luSolve(B, perm, []float64{3, 3, 5})
	y := luSolveT(B, perm, []float64{5, 3, 3})
	for i, want := range []float64{2, 1, 1} {
		if math.Abs(x[i]-want) > 1e-15 {
			t.Errorf("x = %v, want (2, 1, 1)", x)
		}
	}
	for i, want := range []float64{1, 1, 2} {
		if math.Abs(y[i]-want) > 1e-15 {
			t.Errorf("y = %v, want (1, 1, 2)", y)
		}
	}
	if _, ok := luFactor([]float64{1, 2, 2, 4}, 2); ok {
		t.Error("singular matrix factored")
	}
}
