package numeric

import (
	"errors"
	"math"
)

// The cell LPs of this package — the Gordan LP that decides whether a sign
// vector is a cell of an arrangement (realise) and the (S2) LP of one cell or
// subset (s2Data.lp) — have a handful of rows (d+1 and d) and at most a few
// hundred columns, and are solved by the thousand for one neuron. gonum's
// lp.Simplex refactorises its basis at every pivot, which costs ~20 ms per
// LP at d = 3 with 150 columns; the dense bounded-variable simplex below
// updates an r×n tableau in place (r·n flops per pivot), so the same LP
// takes microseconds. The general LPs (maxOverCone, maxIneq) stay on gonum.

// boxLP is the linear program
//
//	min cᵀx  s.t.  Ax = b,  0 ≤ x ≤ u
//
// (u_j may be +Inf) in a dense tableau: t = B⁻¹A (r×n, row-major), beta the
// values of the basic variables, dj the reduced costs c − c_Bᵀ B⁻¹A. A
// nonbasic variable sits at its lower bound 0 or, when atUpper, at u_j.
type boxLP struct {
	r, n    int
	t       []float64
	beta    []float64
	dj      []float64
	c, u    []float64
	basis   []int  // basis[i] = the column basic in row i
	row     []int  // row[j] = i when column j is basic in row i, else −1
	atUpper []bool // nonbasic j at u_j
	pivots  int
	// a, n0, art: the original columns (a[i][j], j < n0) and the signs of
	// the artificial columns n0+i of a phase I (nil without one), for
	// recheck; y is the dual solution recheck computes.
	a   [][]float64
	n0  int
	art []float64
	y   []float64
}

// Errors of solveBox.
var (
	errLPInfeasible = errors.New("numeric: LP infeasible")
	errLPUnbounded  = errors.New("numeric: LP unbounded")
	errLPSingular   = errors.New("numeric: LP starting basis singular")
	errLPRecheck    = errors.New("numeric: LP solution fails its re-check from the original data")
)

// Tolerances of the dense simplex. The LPs are normalised to scale 1
// (Tolerance), so absolute tolerances are meaningful; none of them decides a
// verdict by itself — callers re-evaluate the point returned on the original
// data.
const (
	// boxOptTol: a reduced cost counts as improving beyond it (gonum's
	// lpReducedCostTol).
	boxOptTol = lpReducedCostTol
	// boxPivotTol: tableau entries at most this in magnitude are not
	// pivoted on (they do not limit the ratio test).
	boxPivotTol = 1e-11
	// boxFeasTol: phase I counts the artificial variables' sum up to this
	// as zero.
	boxFeasTol = 1e-10
	// boxRecheckTol: the final basis passes its re-check (recheck) when
	// the basic values recomputed from the original data are within this
	// of their bounds and the reduced costs within this of optimality.
	boxRecheckTol = 1e-9
)

// boxBlandAfter: after this many consecutive degenerate pivots (step 0) the
// pivot rule switches from Dantzig's largest reduced cost to Bland's
// smallest index, which cannot cycle; a step of positive length switches it
// back (the objective has then strictly decreased, so no earlier basis can
// return). A variable only so that tests can run Bland's rule throughout.
var boxBlandAfter = 8

// solveBox solves min cᵀx s.t. Ax = b, 0 ≤ x ≤ u for the r×n matrix A
// (rows of length n; u nil means no upper bounds). With basis non-nil (one
// column per row, which must form a nonsingular B with B⁻¹b ≥ 0 in [0, u])
// it starts there; with basis nil it runs a phase I on r artificial columns
// first. err is errLPInfeasible, errLPUnbounded, errLPSingular or errLPLimit
// (more than maxPivots(r, n) pivots); x is nil then.
func solveBox(c []float64, A [][]float64, b, u []float64, basis []int) (x []float64, err error) {
	lp, err := solveBoxLP(c, A, b, u, basis, nil)
	if err != nil {
		return nil, err
	}
	return lp.x()[:len(c)], nil
}

// solveBoxLP is solveBox returning the final tableau (whose reduced costs
// give the dual solution). With a basis, the nonbasic columns j with
// upper[j] (upper may be nil) start at u_j instead of 0; the basic solution
// B⁻¹(b − Σ_{upper} A_j u_j) must then lie in its bounds.
func solveBoxLP(c []float64, A [][]float64, b, u []float64, basis []int, upper []bool) (*boxLP, error) {
	r, n := len(A), len(c)
	if u == nil {
		u = make([]float64, n)
		for j := range u {
			u[j] = math.Inf(1)
		}
	}
	if basis != nil {
		lp := newBoxLP(c, A, b, u, 0)
		if err := lp.start(basis, upper); err != nil {
			return nil, err
		}
		if err := lp.run(maxPivots(r, n)); err != nil {
			return nil, err
		}
		return lp, lp.recheck(b)
	}
	// Phase I: artificial column n+i is sign(b_i)·e_i, basic, cost 1.
	cost := make([]float64, n+r)
	lp := newBoxLP(cost, A, b, u, r)
	lp.n0 = n
	art := make([]int, r)
	lp.art = make([]float64, r)
	for i := range art {
		art[i] = n + i
		s := 1.0
		if b[i] < 0 {
			s = -1
		}
		lp.art[i] = s
		lp.t[i*lp.n+n+i] = s
		lp.c[n+i] = 1
		lp.u[n+i] = math.Inf(1)
	}
	if err := lp.start(art, nil); err != nil {
		return nil, err
	}
	if err := lp.run(maxPivots(r, n+r)); err != nil {
		return nil, err
	}
	infeas := 0.0
	for i, j := range lp.basis {
		if j >= n {
			infeas += lp.beta[i]
		}
	}
	if infeas > boxFeasTol*(1+norm1(b)) {
		return nil, errLPInfeasible
	}
	// Phase II: the artificials are fixed at 0 (u = 0: they never enter,
	// and one still basic stays at 0), the cost is c.
	for j := n; j < n+r; j++ {
		lp.u[j] = 0
		lp.c[j] = 0
	}
	copy(lp.c, c)
	lp.pricing()
	if err := lp.run(maxPivots(r, n+r)); err != nil {
		return nil, err
	}
	return lp, lp.recheck(b)
}

// newBoxLP copies the data into a tableau with extra zero columns.
func newBoxLP(c []float64, A [][]float64, b, u []float64, extra int) *boxLP {
	r, n := len(A), len(c)+extra
	lp := &boxLP{
		r: r, n: n,
		t:       make([]float64, r*n),
		beta:    append([]float64(nil), b...),
		dj:      make([]float64, n),
		c:       make([]float64, n),
		u:       make([]float64, n),
		basis:   make([]int, r),
		row:     make([]int, n),
		atUpper: make([]bool, n),
		a:       A,
		n0:      n,
	}
	copy(lp.c, c)
	copy(lp.u, u)
	for i, a := range A {
		copy(lp.t[i*n:], a)
	}
	return lp
}

// start makes basis the starting basis by Gauss–Jordan pivots on its
// columns, puts the nonbasic columns j with upper[j] at u_j, checks that
// the basic solution lies in its bounds (up to rounding) and prices the
// columns.
func (lp *boxLP) start(basis []int, upper []bool) error {
	for j := range lp.row {
		lp.row[j] = -1
	}
	for i, j := range basis {
		if math.Abs(lp.t[i*lp.n+j]) <= boxPivotTol {
			return errLPSingular
		}
		lp.basis[i] = j
		lp.row[j] = i
		lp.pivot(i, j, true)
	}
	for j, up := range upper {
		if !up || lp.row[j] >= 0 {
			continue
		}
		lp.atUpper[j] = true
		for i := range lp.beta {
			lp.beta[i] -= lp.t[i*lp.n+j] * lp.u[j]
		}
	}
	for i, j := range lp.basis {
		if lp.beta[i] < -boxFeasTol || lp.beta[i] > lp.u[j]+boxFeasTol {
			return errLPSingular
		}
		lp.beta[i] = math.Min(math.Max(lp.beta[i], 0), lp.u[j])
	}
	lp.pricing()
	return nil
}

// pricing recomputes the reduced costs dj = c − c_Bᵀ t.
func (lp *boxLP) pricing() {
	copy(lp.dj, lp.c)
	for i, bj := range lp.basis {
		cb := lp.c[bj]
		if cb == 0 {
			continue
		}
		ti := lp.t[i*lp.n : (i+1)*lp.n]
		for j, v := range ti {
			lp.dj[j] -= cb * v
		}
	}
	for _, bj := range lp.basis {
		lp.dj[bj] = 0
	}
}

// pivot divides row i of the tableau by its entry in column j and
// eliminates column j from the other rows and dj, and from beta when
// withBeta (the simplex steps update beta themselves).
func (lp *boxLP) pivot(i, j int, withBeta bool) {
	n := lp.n
	ti := lp.t[i*n : (i+1)*n]
	p := ti[j]
	for q := range ti {
		ti[q] /= p
	}
	ti[j] = 1
	if withBeta {
		lp.beta[i] /= p
	}
	for k := 0; k < lp.r; k++ {
		if k == i {
			continue
		}
		tk := lp.t[k*n : (k+1)*n]
		f := tk[j]
		if f == 0 {
			continue
		}
		for q, v := range ti {
			tk[q] -= f * v
		}
		tk[j] = 0
		if withBeta {
			lp.beta[k] -= f * lp.beta[i]
		}
	}
	if f := lp.dj[j]; f != 0 {
		for q, v := range ti {
			lp.dj[q] -= f * v
		}
		lp.dj[j] = 0
	}
}

// run pivots until no reduced cost improves (optimal), a ray is found
// (errLPUnbounded) or the pivots exceed limit (errLPLimit).
func (lp *boxLP) run(limit int) error {
	degenerate := 0
	for {
		bland := degenerate >= boxBlandAfter
		j, dir := lp.entering(bland)
		if j < 0 {
			return nil
		}
		if lp.pivots >= limit {
			return errLPLimit
		}
		lp.pivots++
		step, leave, toUpper := lp.ratio(j, dir, bland)
		if math.IsInf(step, 1) {
			return errLPUnbounded
		}
		if step > 0 {
			degenerate = 0
		} else {
			degenerate++
		}
		// Move x_j by dir·step; the basic variables follow.
		n := lp.n
		if step != 0 {
			for k := 0; k < lp.r; k++ {
				lp.beta[k] -= dir * step * lp.t[k*n+j]
			}
		}
		if leave < 0 { // x_j reaches its other bound
			lp.atUpper[j] = !lp.atUpper[j]
			continue
		}
		xj := step
		if lp.atUpper[j] {
			xj = lp.u[j] - step
		}
		out := lp.basis[leave]
		lp.beta[leave] = xj
		lp.atUpper[j] = false
		lp.atUpper[out] = toUpper
		lp.row[out], lp.row[j] = -1, leave
		lp.basis[leave] = j
		lp.pivot(leave, j, false)
		for k, bk := range lp.basis {
			lp.beta[k] = math.Min(math.Max(lp.beta[k], 0), lp.u[bk])
		}
	}
}

// entering returns an improving nonbasic column and the direction of its
// move (+1 up from 0, −1 down from u_j), or j = −1 when none improves:
// Dantzig's rule (largest |dj|) or, when bland, the smallest index.
func (lp *boxLP) entering(bland bool) (int, float64) {
	best, bj, bdir := boxOptTol, -1, 0.0
	for j, d := range lp.dj {
		if lp.row[j] >= 0 || lp.u[j] == 0 {
			continue
		}
		var gain, dir float64
		switch {
		case !lp.atUpper[j] && d < -boxOptTol:
			gain, dir = -d, 1
		case lp.atUpper[j] && d > boxOptTol:
			gain, dir = d, -1
		default:
			continue
		}
		if bland {
			return j, dir
		}
		if gain > best {
			best, bj, bdir = gain, j, dir
		}
	}
	return bj, bdir
}

// ratio is the ratio test for column j moving in direction dir: the step
// length, the row whose basic variable leaves (−1 when x_j reaches its own
// other bound first) and whether that variable leaves at its upper bound.
// Ties go to the larger pivot entry, or with bland to the smaller column
// index.
func (lp *boxLP) ratio(j int, dir float64, bland bool) (step float64, leave int, toUpper bool) {
	step, leave = lp.u[j], -1
	var piv float64
	n := lp.n
	for k := 0; k < lp.r; k++ {
		a := dir * lp.t[k*n+j] // x_Bk decreases at rate a
		var lim float64
		var up bool
		switch {
		case a > boxPivotTol:
			lim = math.Max(lp.beta[k], 0) / a
		case a < -boxPivotTol && !math.IsInf(lp.u[lp.basis[k]], 1):
			lim, up = math.Max(lp.u[lp.basis[k]]-lp.beta[k], 0)/-a, true
		default:
			continue
		}
		better := lim < step
		if lim == step && leave >= 0 {
			if bland {
				better = lp.basis[k] < lp.basis[leave]
			} else {
				better = math.Abs(a) > piv
			}
		}
		if better {
			step, leave, toUpper, piv = lim, k, up, math.Abs(a)
		}
	}
	return step, leave, toUpper
}

// x returns the current basic solution, every entry within its bounds.
func (lp *boxLP) x() []float64 {
	x := make([]float64, lp.n)
	for j := range x {
		if lp.atUpper[j] {
			x[j] = lp.u[j]
		}
	}
	for i, j := range lp.basis {
		x[j] = lp.beta[i]
	}
	return x
}

// column writes column j of the original constraint matrix (with the
// artificial columns of a phase I) into dst.
func (lp *boxLP) column(j int, dst []float64) {
	for i := range dst {
		dst[i] = 0
		if j < lp.n0 {
			dst[i] = lp.a[i][j]
		}
	}
	if j >= lp.n0 {
		dst[j-lp.n0] = lp.art[j-lp.n0]
	}
}

// recheck recomputes the final point from the original data instead of
// trusting the tableau, which the pivots updated in place: with B the
// basis columns of A (LU with partial pivoting), the basic values x_B =
// B⁻¹(b − Σ_{at upper} A_j u_j) must lie in their bounds and the reduced
// costs c_j − yᵀA_j, y = B⁻ᵀc_B, must show optimality, both within
// boxRecheckTol. It stores x_B in beta and the dual y; errLPRecheck when
// the check fails (rounding has drifted, or B is numerically singular).
func (lp *boxLP) recheck(b []float64) error {
	r := lp.r
	B := make([]float64, r*r)
	col := make([]float64, r)
	for k, j := range lp.basis {
		lp.column(j, col)
		for i := range col {
			B[i*r+k] = col[i]
		}
	}
	perm, ok := luFactor(B, r)
	if !ok {
		return errLPRecheck
	}
	rhs := append([]float64(nil), b...)
	for j, up := range lp.atUpper {
		if up {
			lp.column(j, col)
			for i := range rhs {
				rhs[i] -= col[i] * lp.u[j]
			}
		}
	}
	xb := luSolve(B, perm, rhs)
	for k, j := range lp.basis {
		if xb[k] < -boxRecheckTol || xb[k] > lp.u[j]+boxRecheckTol {
			return errLPRecheck
		}
		lp.beta[k] = math.Min(math.Max(xb[k], 0), lp.u[j])
	}
	cb := make([]float64, r)
	for k, j := range lp.basis {
		cb[k] = lp.c[j]
	}
	lp.y = luSolveT(B, perm, cb)
	for j := 0; j < lp.n; j++ {
		if lp.row[j] >= 0 || lp.u[j] == 0 {
			continue
		}
		lp.column(j, col)
		d := lp.c[j] - dot(lp.y, col)
		if (!lp.atUpper[j] && d < -boxRecheckTol) || (lp.atUpper[j] && d > boxRecheckTol) {
			return errLPRecheck
		}
	}
	return nil
}

// luFactor factors the r×r matrix B (row-major, in place) as PB = LU with
// partial pivoting: perm[i] is the row of B that became row i; ok is false
// when a pivot is 0 (B singular).
func luFactor(B []float64, r int) (perm []int, ok bool) {
	perm = make([]int, r)
	for i := range perm {
		perm[i] = i
	}
	for k := 0; k < r; k++ {
		p := k
		for i := k + 1; i < r; i++ {
			if math.Abs(B[i*r+k]) > math.Abs(B[p*r+k]) {
				p = i
			}
		}
		if B[p*r+k] == 0 {
			return nil, false
		}
		if p != k {
			for q := 0; q < r; q++ {
				B[k*r+q], B[p*r+q] = B[p*r+q], B[k*r+q]
			}
			perm[k], perm[p] = perm[p], perm[k]
		}
		for i := k + 1; i < r; i++ {
			f := B[i*r+k] / B[k*r+k]
			B[i*r+k] = f
			for q := k + 1; q < r; q++ {
				B[i*r+q] -= f * B[k*r+q]
			}
		}
	}
	return perm, true
}

// luSolve solves Bx = v from luFactor's PB = LU.
func luSolve(LU []float64, perm []int, v []float64) []float64 {
	r := len(perm)
	x := make([]float64, r)
	for i := range x {
		x[i] = v[perm[i]]
		for k := 0; k < i; k++ {
			x[i] -= LU[i*r+k] * x[k]
		}
	}
	for i := r - 1; i >= 0; i-- {
		for k := i + 1; k < r; k++ {
			x[i] -= LU[i*r+k] * x[k]
		}
		x[i] /= LU[i*r+i]
	}
	return x
}

// luSolveT solves Bᵀy = w from luFactor's PB = LU: Uᵀg = w, Lᵀs = g,
// y = Pᵀs.
func luSolveT(LU []float64, perm []int, w []float64) []float64 {
	r := len(perm)
	g := make([]float64, r)
	for i := range g {
		g[i] = w[i]
		for k := 0; k < i; k++ {
			g[i] -= LU[k*r+i] * g[k]
		}
		g[i] /= LU[i*r+i]
	}
	for i := r - 1; i >= 0; i-- {
		for k := i + 1; k < r; k++ {
			g[i] -= LU[k*r+i] * g[k]
		}
	}
	y := make([]float64, r)
	for i, p := range perm {
		y[p] = g[i]
	}
	return y
}
