package lp

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// LPStatus is the outcome of a linear program.
type LPStatus int

const (
	// Optimal: a feasible x attains the minimum (or, with C nil, x is feasible).
	Optimal LPStatus = iota
	// Infeasible: no x ≥ 0 with A x = b; Farkas holds the certificate.
	Infeasible
	// Unbounded: c·x is unbounded below on the feasible set; Ray holds the certificate.
	Unbounded
)

func (s LPStatus) String() string {
	switch s {
	case Optimal:
		return "optimal"
	case Infeasible:
		return "infeasible"
	case Unbounded:
		return "unbounded"
	}
	return "unknown"
}

// LP is a linear program in standard form:
//
//	minimise C·x subject to A x = B, x ≥ 0.
//
// C may be nil, asking only for feasibility. MaxPivots > 0 bounds the number
// of simplex pivots (exact.ErrBudget when exceeded); 0 means no bound.
type LP struct {
	A         exact.Mat
	B         exact.Vec
	C         exact.Vec
	MaxPivots int
}

// LPResult is the exact answer to an LP with its certificate.
//
//   - Optimal: X ≥ 0 with A X = B; Y is a dual solution with Aᵀ Y ≤ C and
//     B·Y = C·X = Value (Y and Value are set only when C is not nil).
//   - Infeasible: Farkas y with Aᵀ y ≥ 0 and B·y < 0 (so no x ≥ 0 solves A x = B).
//   - Unbounded: X feasible and Ray ≥ 0 with A Ray = 0 and C·Ray < 0.
type LPResult struct {
	Status LPStatus
	X      exact.Vec
	Y      exact.Vec
	Value  *big.Rat
	Farkas exact.Vec
	Ray    exact.Vec
	Pivots int
}

// checkShape validates the LP and returns its numbers of rows and columns.
// With no rows, the number of columns is len(C) (0 when C is nil).
func (lp LP) checkShape() (m, n int, err error) {
	m = len(lp.A)
	if len(lp.B) != m {
		return 0, 0, fmt.Errorf("lp: LP has %d rows in A but %d entries in B", m, len(lp.B))
	}
	switch {
	case m > 0:
		n = len(lp.A[0])
	case lp.C != nil:
		n = len(lp.C)
	}
	for i, row := range lp.A {
		if len(row) != n {
			return 0, 0, fmt.Errorf("lp: LP row %d has %d entries, want %d", i, len(row), n)
		}
		if !row.Defined() {
			return 0, 0, fmt.Errorf("lp: LP row %d has a nil entry", i)
		}
	}
	if !lp.B.Defined() {
		return 0, 0, errors.New("lp: LP right-hand side B has a nil entry")
	}
	if lp.C != nil {
		if len(lp.C) != n {
			return 0, 0, fmt.Errorf("lp: LP objective has %d entries, want %d", len(lp.C), n)
		}
		if !lp.C.Defined() {
			return 0, 0, errors.New("lp: LP objective C has a nil entry")
		}
	}
	return m, n, nil
}

// Solve solves the linear program exactly with the two-phase primal simplex
// method (Dantzig's entering rule, with Bland's rule on degenerate pivots so
// that it cannot cycle), and returns the status with its certificate as
// documented on LPResult.
//
// Phase I minimises the sum of artificial variables from the all-artificial
// basis (rows with B_i < 0 are negated first). A positive phase-I optimum
// makes the LP infeasible and its dual, negated, is the Farkas certificate.
// Artificials left in the basis at zero are pivoted out on any nonzero
// original column; those that cannot be (redundant rows) stay, harmlessly, at
// zero. Phase II then minimises C·x when C is not nil. The tableau is kept
// fraction-free (see tableau.go), so certificates Farkas and Ray come out as
// positive multiples of the textbook ones.
//
// Solve returns an error, and no result, when the shapes of A, B and C do
// not agree or an entry is nil, and exact.ErrBudget (with the pivot count) when
// MaxPivots > 0 pivots did not suffice. With no rows, x = 0 is feasible and
// the number of variables is len(C).
func (lp LP) Solve() (LPResult, error) {
	m, n, err := lp.checkShape()
	if err != nil {
		return LPResult{}, err
	}
	if lp.C == nil && lp.B.IsZero() {
		// A x = 0 has the solution x = 0, the simplex's own answer (phase
		// I starts at zero and every pivot is degenerate).
		return LPResult{Status: Optimal, X: exact.NewVec(n)}, nil
	}
	tb := newTableau(lp, m, n)

	// Phase I: every column (x and artificial) may enter.
	if _, err := tb.run(n + m); err != nil {
		return LPResult{Pivots: tb.pivots}, err
	}
	if tb.t[m][n+m].Sign() != 0 {
		return LPResult{Status: Infeasible, Farkas: tb.farkas(), Pivots: tb.pivots}, nil
	}
	// Drive artificials out of the basis where a row has a nonzero x entry.
	for i := 0; i < m; i++ {
		if tb.basis[i] < n {
			continue
		}
		for j := 0; j < n; j++ {
			if tb.t[i][j].Sign() != 0 {
				if err := tb.pivot(i, j); err != nil {
					return LPResult{Pivots: tb.pivots}, err
				}
				break
			}
		}
	}
	if lp.C == nil {
		return LPResult{Status: Optimal, X: tb.primal(), Pivots: tb.pivots}, nil
	}

	tb.setCost(lp.C)
	e, err := tb.run(n)
	if err != nil {
		return LPResult{Pivots: tb.pivots}, err
	}
	x := tb.primal()
	if e >= 0 {
		return LPResult{Status: Unbounded, X: x, Ray: tb.ray(e), Pivots: tb.pivots}, nil
	}
	return LPResult{
		Status: Optimal,
		X:      x,
		Y:      tb.duals(),
		Value:  lp.C.Dot(x),
		Pivots: tb.pivots,
	}, nil
}

// CheckFeasible reports whether x is a feasible point of the LP, x ≥ 0 and
// A x = B, by substitution. It is false on any shape mismatch.
func (lp LP) CheckFeasible(x exact.Vec) bool {
	_, n, err := lp.checkShape()
	if err != nil || len(x) != n || !x.Defined() {
		return false
	}
	for _, v := range x {
		if v.Sign() < 0 {
			return false
		}
	}
	for i, row := range lp.A {
		if row.Dot(x).Cmp(lp.B[i]) != 0 {
			return false
		}
	}
	return true
}

// CheckFarkas reports whether y ∈ Q^m is a Farkas certificate of
// infeasibility, Aᵀ y ≥ 0 and B·y < 0, by substitution: then for every
// x ≥ 0, (A x)·y = x·(Aᵀ y) ≥ 0 > B·y, so A x ≠ B. It is false on any shape
// mismatch.
func (lp LP) CheckFarkas(y exact.Vec) bool {
	m, n, err := lp.checkShape()
	if err != nil || len(y) != m || !y.Defined() {
		return false
	}
	if lp.B.Dot(y).Sign() >= 0 {
		return false
	}
	var s big.Rat
	for j := 0; j < n; j++ {
		if lp.columnDot(j, y, &s).Sign() < 0 {
			return false
		}
	}
	return true
}

// columnDot sets s to (Aᵀy)_j = Σ_i y_i A_ij for the m×n matrix A of lp and
// returns it.
func (lp LP) columnDot(j int, y exact.Vec, s *big.Rat) *big.Rat {
	var t big.Rat
	s.SetInt64(0)
	for i := range y {
		if y[i].Sign() != 0 && lp.A[i][j].Sign() != 0 {
			t.Mul(y[i], lp.A[i][j])
			s.Add(s, &t)
		}
	}
	return s
}

// CheckDual reports whether y ∈ Q^m is dual feasible, Aᵀ y ≤ C, with dual
// value B·y = value. By weak duality, C·x ≥ B·y for every feasible x, so a
// feasible x with C·x = value is then optimal. It is false when C is nil or
// on any shape mismatch.
func (lp LP) CheckDual(y exact.Vec, value *big.Rat) bool {
	m, n, err := lp.checkShape()
	if err != nil || lp.C == nil || len(y) != m || !y.Defined() || value == nil {
		return false
	}
	if lp.B.Dot(y).Cmp(value) != 0 {
		return false
	}
	var s big.Rat
	for j := 0; j < n; j++ {
		if lp.columnDot(j, y, &s).Cmp(lp.C[j]) > 0 {
			return false
		}
	}
	return true
}

// Check re-verifies the certificate in res by substitution, as documented on
// LPResult: an Optimal X is feasible (and with C not nil, Y is dual feasible
// with B·Y = C·X = Value); an Infeasible Farkas passes CheckFarkas; an
// Unbounded X is feasible and Ray ≥ 0 has A Ray = 0 and C·Ray < 0.
func (lp LP) Check(res LPResult) bool {
	switch res.Status {
	case Optimal:
		if !lp.CheckFeasible(res.X) {
			return false
		}
		if lp.C == nil {
			return true
		}
		return res.Value != nil && lp.C.Dot(res.X).Cmp(res.Value) == 0 &&
			lp.CheckDual(res.Y, res.Value)
	case Infeasible:
		return lp.CheckFarkas(res.Farkas)
	case Unbounded:
		if lp.C == nil || !lp.CheckFeasible(res.X) || len(res.Ray) != len(lp.C) || !res.Ray.Defined() {
			return false
		}
		for _, v := range res.Ray {
			if v.Sign() < 0 {
				return false
			}
		}
		for _, row := range lp.A {
			if row.Dot(res.Ray).Sign() != 0 {
				return false
			}
		}
		return lp.C.Dot(res.Ray).Sign() < 0
	}
	return false
}
