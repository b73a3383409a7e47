package numeric

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// The LPs of this package are solved with gonum's lp.Simplex, which wants the
// standard form min cᵀx, Ax = b, x ≥ 0 with A of full row rank and without
// zero rows or columns, and whose phase I can fail on degenerate input. Both
// wrappers below therefore never ask gonum for phase I and never hand it a
// rank-deficient A:
//
//   - every row gets its own slack or artificial column, so A contains a
//     (signed) identity and has full row rank whatever the data — dependent
//     rows of the data (duplicate samples, parallel hyperplanes) are harmless;
//   - that identity is a feasible starting basis, passed as initialBasic;
//   - columns that are entirely zero are dropped (their variables are 0).
//
// When gonum still stops with an error (an ill-conditioned basis), the last
// point it reached is feasible for the augmented problem: the wrappers
// re-evaluate it and report whether the answer is proven (exact = true) or
// only a feasible point (exact = false), and callers decide accordingly.

// simplex calls lp.Simplex and turns a panic into an error.
func simplex(c []float64, A *mat.Dense, b []float64, basis []int) (x []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			x, err = nil, fmt.Errorf("numeric: gonum simplex panicked: %v", r)
		}
	}()
	_, x, err = lp.Simplex(c, A, b, lpReducedCostTol, basis)
	return x, err
}

// nonzeroColumns returns the indices of the columns of rows (r×n) that have a
// nonzero entry.
func nonzeroColumns(rows [][]float64, n int) []int {
	var cols []int
	for q := 0; q < n; q++ {
		for _, row := range rows {
			if row[q] != 0 {
				cols = append(cols, q)
				break
			}
		}
	}
	return cols
}

// minResidual returns min over z ≥ 0 of ‖rows·z − b‖₁ with a minimiser z
// (length n). It solves
//
//	min Σ(p + q)  s.t.  rows·z + p − q = b,  z, p, q ≥ 0
//
// from the basis of p_i (b_i ≥ 0) or q_i (b_i < 0). exact is false when
// gonum stopped early; res is then the residual of the point it reached (an
// upper bound on the minimum).
func minResidual(rows [][]float64, b []float64, n int) (res float64, z []float64, exact bool) {
	r := len(rows)
	z = make([]float64, n)
	if r == 0 {
		return 0, z, true
	}
	cols := nonzeroColumns(rows, n)
	nc := len(cols)
	A := mat.NewDense(r, nc+2*r, nil)
	c := make([]float64, nc+2*r)
	basis := make([]int, r)
	for i, row := range rows {
		for q, col := range cols {
			A.Set(i, q, row[col])
		}
		A.Set(i, nc+i, 1)
		A.Set(i, nc+r+i, -1)
		c[nc+i], c[nc+r+i] = 1, 1
		if b[i] >= 0 {
			basis[i] = nc + i
		} else {
			basis[i] = nc + r + i
		}
	}
	x, err := simplex(c, A, b, basis)
	exact = err == nil
	if x != nil {
		for q, col := range cols {
			z[col] = math.Max(x[q], 0)
		}
	}
	for i, row := range rows {
		res += math.Abs(dot(row, z) - b[i])
	}
	return res, z, exact
}

// maxIneq maximises c·z subject to G·z ≤ h, z ≥ 0, where h ≥ 0 (so z = 0
// is feasible) and every variable is bounded by the rows of G. It solves the
// standard form [G I][z; s] = h from the slack basis. exact is false when
// gonum stopped early or failed; val and z are then the best feasible point
// found (z = 0, val = 0 if none).
func maxIneq(c []float64, G [][]float64, h []float64) (val float64, z []float64, exact bool) {
	n, r := len(c), len(G)
	z = make([]float64, n)
	cols := nonzeroColumns(G, n)
	nc := len(cols)
	if nc == 0 || r == 0 {
		for q := range c {
			if c[q] > 0 && (r == 0 || !contains(cols, q)) {
				return math.Inf(1), z, false // unbounded: not a case of this package
			}
		}
		return 0, z, true
	}
	A := mat.NewDense(r, nc+r, nil)
	cost := make([]float64, nc+r)
	basis := make([]int, r)
	for i, row := range G {
		for q, col := range cols {
			A.Set(i, q, row[col])
		}
		A.Set(i, nc+i, 1)
		basis[i] = nc + i
	}
	for q, col := range cols {
		cost[q] = -c[col]
	}
	x, err := simplex(cost, A, h, basis)
	if x == nil {
		return 0, make([]float64, n), false
	}
	for q, col := range cols {
		z[col] = math.Max(x[q], 0)
	}
	// Re-check feasibility of the point gonum returned; the data is
	// normalised, so an absolute slack is meaningful.
	for i, row := range G {
		if dot(row, z) > h[i]+Eps {
			return 0, make([]float64, n), false
		}
	}
	return dot(c, z), z, err == nil
}

func contains(s []int, x int) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
