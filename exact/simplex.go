package exact

import (
	"errors"
	"fmt"
	"math/big"
)

// ErrBudget is returned when an exact computation stops because a work
// budget (pivots, cells) ran out before it decided.
var ErrBudget = errors.New("budget exhausted")

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
// of simplex pivots (ErrBudget when exceeded); 0 means no bound.
type LP struct {
	A         Mat
	B         Vec
	C         Vec
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
	X      Vec
	Y      Vec
	Value  *big.Rat
	Farkas Vec
	Ray    Vec
	Pivots int
}

// checkShape validates the LP and returns its numbers of rows and columns.
// With no rows, the number of columns is len(C) (0 when C is nil).
func (lp LP) checkShape() (m, n int, err error) {
	m = len(lp.A)
	if len(lp.B) != m {
		return 0, 0, fmt.Errorf("exact: LP has %d rows in A but %d entries in B", m, len(lp.B))
	}
	switch {
	case m > 0:
		n = len(lp.A[0])
	case lp.C != nil:
		n = len(lp.C)
	}
	for i, row := range lp.A {
		if len(row) != n {
			return 0, 0, fmt.Errorf("exact: LP row %d has %d entries, want %d", i, len(row), n)
		}
		if !noNil(row) {
			return 0, 0, fmt.Errorf("exact: LP row %d has a nil entry", i)
		}
	}
	if !noNil(lp.B) {
		return 0, 0, errors.New("exact: LP right-hand side B has a nil entry")
	}
	if lp.C != nil {
		if len(lp.C) != n {
			return 0, 0, fmt.Errorf("exact: LP objective has %d entries, want %d", len(lp.C), n)
		}
		if !noNil(lp.C) {
			return 0, 0, errors.New("exact: LP objective C has a nil entry")
		}
	}
	return m, n, nil
}

// noNil reports whether no entry of v is nil.
func noNil(v Vec) bool {
	for _, x := range v {
		if x == nil {
			return false
		}
	}
	return true
}

// tableau is the dense simplex tableau of the phase-I problem
//
//	minimise Σ a subject to A' x + a = B', x ≥ 0, a ≥ 0,
//
// where A' x = B' is A x = B with rows flipped so that B' ≥ 0. Columns
// 0..n−1 are x, columns n..n+m−1 are the artificials a, column n+m is the
// right-hand side. Row m is the objective row: reduced costs, and minus the
// objective value in the right-hand-side column. The artificial columns are
// kept to the end: they hold B⁻¹, from which the duals are read.
type tableau struct {
	m, n   int
	t      Mat   // (m+1) × (n+m+1)
	basis  []int // basis[i] = column basic in row i
	flip   []bool
	pivots int
	max    int // pivot budget, 0 = none

	f, u, v big.Rat // temporaries
	nz      []int
}

func newTableau(lp LP, m, n int) *tableau {
	tb := &tableau{m: m, n: n, max: lp.MaxPivots}
	w := n + m + 1
	tb.t = NewMat(m+1, w)
	tb.basis = make([]int, m)
	tb.flip = make([]bool, m)
	tb.nz = make([]int, 0, w)
	obj := tb.t[m]
	for i := 0; i < m; i++ {
		row := tb.t[i]
		tb.flip[i] = lp.B[i].Sign() < 0
		for j, a := range lp.A[i] {
			if a.Sign() == 0 {
				continue
			}
			if tb.flip[i] {
				row[j].Neg(a)
			} else {
				row[j].Set(a)
			}
			obj[j].Sub(obj[j], row[j])
		}
		row[n+i].SetInt64(1)
		row[w-1].Abs(lp.B[i])
		obj[w-1].Sub(obj[w-1], row[w-1])
		tb.basis[i] = n + i
	}
	return tb
}

// pivot makes column e basic in row r.
func (tb *tableau) pivot(r, e int) error {
	if tb.max > 0 && tb.pivots >= tb.max {
		return ErrBudget
	}
	tb.pivots++
	row := tb.t[r]
	w := len(row)
	if row[e].Cmp(ratOne) != 0 {
		tb.f.Inv(row[e])
		for j := 0; j < w; j++ {
			if row[j].Sign() != 0 {
				row[j].Mul(row[j], &tb.f)
			}
		}
	}
	tb.nz = tb.nz[:0]
	for j := 0; j < w; j++ {
		if row[j].Sign() != 0 {
			tb.nz = append(tb.nz, j)
		}
	}
	for i, ri := range tb.t {
		if i == r || ri[e].Sign() == 0 {
			continue
		}
		tb.f.Set(ri[e])
		for _, j := range tb.nz {
			tb.u.Mul(&tb.f, row[j])
			ri[j].Sub(ri[j], &tb.u)
		}
	}
	tb.basis[r] = e
	return nil
}

// leaving returns the row leaving the basis when column e enters: the
// minimum ratio rhs_i / t_ie over t_ie > 0, ties broken by the smallest basic
// column (Bland's rule). It returns −1 when column e has no positive entry.
func (tb *tableau) leaving(e int) int {
	rhs := tb.n + tb.m
	best := -1
	for i := 0; i < tb.m; i++ {
		a := tb.t[i][e]
		if a.Sign() <= 0 {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		// Compare rhs_i/a with rhs_best/b as rhs_i·b vs rhs_best·a (a, b > 0).
		b := tb.t[best][e]
		tb.u.Mul(tb.t[i][rhs], b)
		tb.v.Mul(tb.t[best][rhs], a)
		c := tb.u.Cmp(&tb.v)
		if c < 0 || (c == 0 && tb.basis[i] < tb.basis[best]) {
			best = i
		}
	}
	return best
}

// run iterates the simplex method, letting only columns j < limit enter. It
// returns the entering column of an unbounded direction, or −1 at optimality.
//
// The entering column is Dantzig's (most negative reduced cost, smallest
// index on ties) when its pivot is nondegenerate, and Bland's (smallest index
// with negative reduced cost) otherwise; the leaving row is always the
// minimum ratio with Bland's tie-break. This cannot cycle: the objective
// strictly decreases on every nondegenerate pivot, so a cycle would consist
// of degenerate pivots only, all chosen by Bland's rule, which never cycles.
func (tb *tableau) run(limit int) (int, error) {
	obj := tb.t[tb.m]
	rhs := tb.n + tb.m
	for {
		e, bland := -1, -1
		for j := 0; j < limit; j++ {
			if obj[j].Sign() >= 0 {
				continue
			}
			if bland < 0 {
				bland, e = j, j
			} else if obj[j].Cmp(obj[e]) < 0 {
				e = j
			}
		}
		if e < 0 {
			return -1, nil
		}
		r := tb.leaving(e)
		if r < 0 {
			return e, nil
		}
		if e != bland && tb.t[r][rhs].Sign() == 0 {
			e = bland
			if r = tb.leaving(e); r < 0 {
				return e, nil
			}
		}
		if err := tb.pivot(r, e); err != nil {
			return -1, err
		}
	}
}

// primal returns the current basic solution in the original variables x.
func (tb *tableau) primal() Vec {
	x := NewVec(tb.n)
	rhs := tb.n + tb.m
	for i, b := range tb.basis {
		if b < tb.n {
			x[b].Set(tb.t[i][rhs])
		}
	}
	return x
}

// duals returns y for the original (unflipped) rows, given the costs of the
// artificial columns in the current objective row: the reduced cost of
// artificial i is cost − y'_i, where y' is the dual of the flipped rows.
func (tb *tableau) duals(artCost int64) Vec {
	y := NewVec(tb.m)
	obj := tb.t[tb.m]
	for i := range y {
		y[i].SetInt64(artCost)
		y[i].Sub(y[i], obj[tb.n+i])
		if tb.flip[i] {
			y[i].Neg(y[i])
		}
	}
	return y
}

// setCost sets the objective row for the costs c on x (artificials cost 0):
// reduced costs c_j − c_B B⁻¹ A'_j and −c_B B⁻¹ B' in the right-hand side.
func (tb *tableau) setCost(c Vec) {
	n := tb.n
	obj := tb.t[tb.m]
	for j := range obj {
		if j < n {
			obj[j].Set(c[j])
		} else {
			obj[j].SetInt64(0)
		}
	}
	for i, b := range tb.basis {
		if b >= n || c[b].Sign() == 0 {
			continue
		}
		cb := c[b]
		for j, v := range tb.t[i] {
			if v.Sign() != 0 {
				tb.u.Mul(cb, v)
				obj[j].Sub(obj[j], &tb.u)
			}
		}
	}
}

// Solve solves the linear program exactly with the two-phase primal simplex
// method (Dantzig's entering rule, with Bland's rule on degenerate pivots so
// that it cannot cycle), and returns the status with its
// certificate as documented on LPResult.
//
// Phase I minimises the sum of artificial variables from the all-artificial
// basis (rows with B_i < 0 are negated first). A positive phase-I optimum
// makes the LP infeasible and its dual, negated, is the Farkas certificate.
// Artificials left in the basis at zero are pivoted out on any nonzero
// original column; those that cannot be (redundant rows) stay, harmlessly, at
// zero. Phase II then minimises C·x when C is not nil.
//
// Solve returns an error, and no result, when the shapes of A, B and C do
// not agree or an entry is nil, and ErrBudget (with the pivot count) when
// MaxPivots > 0 pivots did not suffice. With no rows, x = 0 is feasible and
// the number of variables is len(C).
func (lp LP) Solve() (LPResult, error) {
	m, n, err := lp.checkShape()
	if err != nil {
		return LPResult{}, err
	}
	tb := newTableau(lp, m, n)
	rhs := n + m

	// Phase I: every column (x and artificial) may enter.
	if _, err := tb.run(n + m); err != nil {
		return LPResult{Status: Optimal, Pivots: tb.pivots}, err
	}
	if tb.t[m][rhs].Sign() != 0 {
		// Optimum Σa = −obj_rhs > 0. Phase-I duals y' (flipped rows) satisfy
		// A'ᵀy' ≤ 0 and B'·y' > 0, so −y' is a Farkas certificate.
		y := tb.duals(1)
		for _, v := range y {
			v.Neg(v)
		}
		return LPResult{Status: Infeasible, Farkas: y, Pivots: tb.pivots}, nil
	}
	// Drive artificials out of the basis where a row has a nonzero x entry.
	for i := 0; i < m; i++ {
		if tb.basis[i] < n {
			continue
		}
		for j := 0; j < n; j++ {
			if tb.t[i][j].Sign() != 0 {
				if err := tb.pivot(i, j); err != nil {
					return LPResult{Status: Optimal, Pivots: tb.pivots}, err
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
		return LPResult{Status: Optimal, Pivots: tb.pivots}, err
	}
	x := tb.primal()
	if e >= 0 {
		ray := NewVec(n)
		ray[e].SetInt64(1)
		for i, b := range tb.basis {
			if b < n {
				ray[b].Neg(tb.t[i][e])
			}
		}
		return LPResult{Status: Unbounded, X: x, Ray: ray, Pivots: tb.pivots}, nil
	}
	return LPResult{
		Status: Optimal,
		X:      x,
		Y:      tb.duals(0),
		Value:  lp.C.Dot(x),
		Pivots: tb.pivots,
	}, nil
}

// CheckFeasible reports whether x is a feasible point of the LP, x ≥ 0 and
// A x = B, by substitution. It is false on any shape mismatch.
func (lp LP) CheckFeasible(x Vec) bool {
	_, n, err := lp.checkShape()
	if err != nil || len(x) != n || !noNil(x) {
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
func (lp LP) CheckFarkas(y Vec) bool {
	m, n, err := lp.checkShape()
	if err != nil || len(y) != m || !noNil(y) {
		return false
	}
	if lp.B.Dot(y).Sign() >= 0 {
		return false
	}
	var s, t big.Rat
	for j := 0; j < n; j++ {
		s.SetInt64(0)
		for i := 0; i < m; i++ {
			if y[i].Sign() != 0 && lp.A[i][j].Sign() != 0 {
				t.Mul(y[i], lp.A[i][j])
				s.Add(&s, &t)
			}
		}
		if s.Sign() < 0 {
			return false
		}
	}
	return true
}

// CheckDual reports whether y ∈ Q^m is dual feasible, Aᵀ y ≤ C, with dual
// value B·y = value. By weak duality, C·x ≥ B·y for every feasible x, so a
// feasible x with C·x = value is then optimal. It is false when C is nil or
// on any shape mismatch.
func (lp LP) CheckDual(y Vec, value *big.Rat) bool {
	m, n, err := lp.checkShape()
	if err != nil || lp.C == nil || len(y) != m || !noNil(y) || value == nil {
		return false
	}
	if lp.B.Dot(y).Cmp(value) != 0 {
		return false
	}
	var s, t big.Rat
	for j := 0; j < n; j++ {
		s.SetInt64(0)
		for i := 0; i < m; i++ {
			if y[i].Sign() != 0 && lp.A[i][j].Sign() != 0 {
				t.Mul(y[i], lp.A[i][j])
				s.Add(&s, &t)
			}
		}
		if s.Cmp(lp.C[j]) > 0 {
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
		if lp.C == nil || !lp.CheckFeasible(res.X) || len(res.Ray) != len(lp.C) || !noNil(res.Ray) {
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
