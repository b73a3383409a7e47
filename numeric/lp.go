package numeric

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// The general LPs of this package (maxOverCone, maxIneq, minResidual) are
// solved with gonum's lp.Simplex; the small cell LPs go to the dense simplex
// of simplex.go (minResidualBox). gonum's simplex wants the
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
// gonum's simplex has no iteration limit, and its fallback for a degenerate
// pivot (a step of length 0) is not Bland's rule — it takes the first
// improving column in an order that the pivots themselves permute — so it can
// cycle for ever on a degenerate LP (a basic variable at 0), and the LPs of
// this package are degenerate as a rule (right-hand sides 0, samples on a
// common hyperplane). Two measures make every solve terminate:
//
//   - Anti-cycling by perturbation (the classic method): the right-hand side
//     is moved away from 0 by tiny, distinct, deterministic amounts, b_i +
//     σ_i·ε_i (lpPerturbation), with σ_i chosen so the starting basis stays
//     feasible. The perturbations that leave some basis degenerate lie on
//     finitely many hyperplanes, which pseudo-random amounts miss; then, in
//     exact arithmetic, every pivot strictly lowers the objective and no
//     basis repeats. In float64, gonum did not enter its fallback once on
//     the LPs measured (maxPivots). The answer is judged against the
//     unperturbed b: the wrappers re-evaluate the point found on the
//     original problem, and the tolerance policy absorbs the difference
//     (see lpPerturbation).
//   - A work limit (maxPivots): the matrix handed to gonum counts its
//     element reads — every pivot reads a column of A — and stops the solve
//     (a panic that solve recovers) once the reads exceed what maxPivots
//     pivots need. Rounding could in principle still send the perturbed
//     problem round a cycle; the limit makes that an LP not solved
//     ("iteration limit"), i.e. an undetermined answer, never a hang.
//
// When gonum still stops with an error (an ill-conditioned basis), the last
// point it reached is feasible for the augmented problem: the wrappers
// re-evaluate it and report whether the answer is proven (exact = true) or
// only a feasible point (exact = false), and callers decide accordingly.
// When the work limit stops it, there is no point (exact = false).

// maxPivots bounds the pivots of one solve of an r×n standard-form LP:
// 10·(r+n). Measured on ~195,000 LPs of this package (40,000 random
// cross-check instances, the catalogue, planted instances with up to 100
// samples): with the perturbation the simplex needed at most 0.63·(r+n)
// pivots (66 at most on one LP) and never entered gonum's degenerate
// fallback (without it, 55% of the LPs entered the fallback and two
// cycled), so the limit only stops a solve that cycles.
func maxPivots(r, n int) int { return 10 * (r + n) }

// errLPLimit is the panic value of a solve stopped by maxPivots.
var errLPLimit = errors.New("numeric: LP iteration limit reached")

// countingMatrix is the constraint matrix handed to gonum. It is not a
// *mat.Dense (nor a RawMatrixer), so gonum reads it element by element
// through At, which counts the reads and panics with errLPLimit past limit.
type countingMatrix struct {
	a            *mat.Dense
	reads, limit int
}

func (m *countingMatrix) Dims() (r, c int) { return m.a.Dims() }

func (m *countingMatrix) T() mat.Matrix { return mat.Transpose{Matrix: m} }

func (m *countingMatrix) At(i, j int) float64 {
	m.reads++
	if m.reads > m.limit {
		panic(errLPLimit)
	}
	return m.a.At(i, j)
}

// readLimit bounds gonum's reads of an r×n matrix: its input check reads A
// at most twice, extracting the starting basis and the non-basic columns
// once more (3rn), and each pivot reads the entering column (r); the
// degenerate fallback, which the perturbation keeps gonum out of, reads more
// per pivot and so counts as several.
func readLimit(r, n int) int { return r * (3*n + maxPivots(r, n)) }

// simplex calls lp.Simplex on min cᵀx, Ax = b, x ≥ 0 from the feasible basis
// basis, with b perturbed by lpPerturbation (sign[i]·ε_i added to b_i, sign
// ±1 keeping the basis feasible); see solve.
func simplex(c []float64, A *mat.Dense, b []float64, sign []float64, basis []int) (x []float64, err error) {
	eps := lpPerturbation(len(b))
	bp := make([]float64, len(b))
	for i := range b {
		bp[i] = b[i] + sign[i]*eps[i]
	}
	return solve(c, A, bp, basis)
}

// solve calls lp.Simplex as it is, under the read limit, and turns a panic
// (errLPLimit included) into an error with x = nil. On another error x is
// the last point gonum reached, if any.
func solve(c []float64, A *mat.Dense, b []float64, basis []int) (x []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			if r == errLPLimit {
				x, err = nil, errLPLimit
				return
			}
			x, err = nil, fmt.Errorf("numeric: gonum simplex panicked: %v", r)
		}
	}()
	r, n := A.Dims()
	_, x, err = lp.Simplex(c, &countingMatrix{a: A, limit: readLimit(r, n)}, b, lpReducedCostTol, basis)
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
// from the basis of p_i (b_i ≥ 0) or q_i (b_i < 0), with b_i moved away
// from 0 by ε_i (lpPerturbation). res is the residual of z on the original
// b: never below the minimum, and above it by at most 2·Σε_i when gonum
// solved the perturbed LP (exact = true). exact is false when gonum stopped
// early; res is then the residual of the point it reached (z = 0 when the
// work limit stopped it), an upper bound on the minimum.
func minResidual(rows [][]float64, b []float64, n int) (res float64, z []float64, exact bool) {
	r := len(rows)
	z = make([]float64, n)
	if r == 0 {
		return 0, z, true
	}
	c, A, sign, basis, cols := residualLP(rows, b, n)
	x, err := simplex(c, A, b, sign, basis)
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

// residualLP builds the standard form of minResidual for r = len(rows) ≥ 1
// rows: the columns cols of rows (the nonzero ones), then p and q; the cost;
// the starting basis and the signs σ_i that keep it feasible.
func residualLP(rows [][]float64, b []float64, n int) (c []float64, A *mat.Dense, sign []float64, basis, cols []int) {
	r := len(rows)
	cols = nonzeroColumns(rows, n)
	nc := len(cols)
	A = mat.NewDense(r, nc+2*r, nil)
	c = make([]float64, nc+2*r)
	basis = make([]int, r)
	sign = make([]float64, r)
	for i, row := range rows {
		for q, col := range cols {
			A.Set(i, q, row[col])
		}
		A.Set(i, nc+i, 1)
		A.Set(i, nc+r+i, -1)
		c[nc+i], c[nc+r+i] = 1, 1
		if b[i] >= 0 {
			basis[i], sign[i] = nc+i, 1
		} else {
			basis[i], sign[i] = nc+r+i, -1
		}
	}
	return c, A, sign, basis, cols
}

// minResidualBox returns min over 0 ≤ z ≤ ub of costᵀz + ‖rows·z − b‖₁
// (cost ≥ 0, length n; ub nil means z ≥ 0 only) with a minimiser z, as
// minResidual does for cost = 0 and no upper bounds, but solved by the
// dense simplex (solveBox) instead of gonum: these are the small cell LPs
// (d or d+1 rows). The standard form is
//
//	min costᵀz + Σ(p + q)  s.t.  rows·z + p − q = b + σε,  0 ≤ z ≤ ub,  p, q ≥ 0
//
// from a crash start (crashBounds: some bounded z_j at ub_j, then the basis
// of p_i or q_i by the sign of what is left of b_i), b perturbed as in
// minResidual (lpPerturbation) away from 0 in that sign. res is the
// objective at z on the original
// b, an upper bound on the minimum; exact is false when the simplex did not
// finish (iteration limit) or its final basis failed the re-check from the
// original data (boxLP.recheck), and z is then 0. y is the dual solution
// of the perturbed LP from that re-check, nil when exact is false: in exact arithmetic |y|∞ ≤ 1, rowsᵀy ≤ cost on the
// columns without an upper bound and the value is bᵀy − Σ ub_j(rowsᵀy −
// cost)₊; it is a hint for the caller, to be checked before it is used.
func minResidualBox(rows [][]float64, b, cost, ub []float64) (res float64, z, y []float64, exact bool) {
	r, n := len(rows), len(cost)
	z = make([]float64, n)
	objective := func() float64 {
		v := dot(cost, z)
		for i, row := range rows {
			v += math.Abs(dot(row, z) - b[i])
		}
		return v
	}
	if r == 0 {
		return 0, z, nil, true
	}
	cols := nonzeroColumns(rows, n)
	nc := len(cols)
	A := make([][]float64, r)
	c := make([]float64, nc+2*r)
	u := make([]float64, nc+2*r)
	for q, col := range cols {
		c[q], u[q] = cost[col], math.Inf(1)
		if ub != nil {
			u[q] = ub[col]
		}
	}
	for i, row := range rows {
		a := make([]float64, nc+2*r)
		for q, col := range cols {
			a[q] = row[col]
		}
		a[nc+i], a[nc+r+i] = 1, -1
		c[nc+i], c[nc+r+i] = 1, 1
		u[nc+i], u[nc+r+i] = math.Inf(1), math.Inf(1)
		A[i] = a
	}
	upper, left := crashBounds(A, b, c[:nc], u[:nc])
	basis := make([]int, r)
	bp := make([]float64, r)
	eps := lpPerturbation(r)
	for i := range rows {
		if left[i] >= 0 {
			basis[i], bp[i] = nc+i, b[i]+eps[i]
		} else {
			basis[i], bp[i] = nc+r+i, b[i]-eps[i]
		}
	}
	lp, err := solveBoxLP(c, A, bp, u, basis, upper)
	if err != nil {
		return objective(), z, nil, false
	}
	x := lp.x()
	for q, col := range cols {
		z[col] = x[q]
	}
	return objective(), z, lp.y, true
}

// crashBounds chooses a start for the simplex of minResidualBox, whose
// bounded columns would otherwise leave 0 one pivot each: with the first
// len(cost) columns of A (r rows) and their costs and bounds, it puts z_j
// at ub_j when that lowers cost_j·z_j + Σ_i |left_i| to first order —
// cost_j < Σ_i sign(left_i)·A_ij, where left = b − Σ_{at bound} A_j ub_j —
// in two greedy passes over the columns, and returns those columns and
// left. Any choice is a valid start (the p_i or q_i of each row takes
// |left_i|); this one only saves pivots.
func crashBounds(A [][]float64, b, cost, ub []float64) (upper []bool, left []float64) {
	left = append([]float64(nil), b...)
	upper = make([]bool, len(A[0]))
	for pass := 0; pass < 2; pass++ {
		for j := range cost {
			if math.IsInf(ub[j], 1) {
				continue
			}
			g := 0.0
			for i, a := range A {
				if left[i] >= 0 {
					g += a[j]
				} else {
					g -= a[j]
				}
			}
			if want := cost[j] < g; want != upper[j] {
				upper[j] = want
				f := ub[j]
				if !want {
					f = -f
				}
				for i, a := range A {
					left[i] -= a[j] * f
				}
			}
		}
	}
	return upper, left
}

// maxIneq maximises c·z subject to G·z ≤ h, z ≥ 0, where h ≥ 0 (so z = 0
// is feasible) and every variable is bounded by the rows of G. It solves the
// standard form [G I][z; s] = h + ε from the slack basis (ε_i ≥ 0 from
// lpPerturbation, so z may exceed a row of G by ε_i ≤ Eps/8, which the
// re-check below accepts). exact is false when gonum stopped early or
// failed; val and z are then the best feasible point found (z = 0, val = 0
// if none).
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
	sign := make([]float64, r)
	for i, row := range G {
		for q, col := range cols {
			A.Set(i, q, row[col])
		}
		A.Set(i, nc+i, 1)
		basis[i], sign[i] = nc+i, 1
	}
	for q, col := range cols {
		cost[q] = -c[col]
	}
	x, err := simplex(cost, A, h, sign, basis)
	if x == nil {
		return 0, make([]float64, n), false
	}
	for q, col := range cols {
		z[col] = math.Max(x[q], 0)
	}
	// Re-check feasibility of the point gonum returned; the data is
	// normalised, so an absolute slack is meaningful.
	for i, row := range G {
		if normTol.Positive(dot(row, z)-h[i], 1) {
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

// maxOverCone returns max b·u over the polyhedral cone {u : a_i·u ≤ 0}
// intersected with the unit box |u|∞ ≤ 1, and a maximiser u when the value
// counts as positive (> Eps).
//
// The primal LP has its optimum at the degenerate vertex u = 0 whenever the
// cone is pointed, where gonum's simplex can spend thousands of Bland steps,
// so the value comes from its dual, solved with only d rows:
//
//	max{b·u : Au ≤ 0, |u|∞ ≤ 1} = min{‖b − Aᵀy‖₁ : y ≥ 0}   (LP duality)
//
// (minResidual). The maximiser is the dual solution of that LP, which gonum
// does not return; it is recovered from complementary slackness — u_k =
// sign(e_k) where the residual e = b − Aᵀy is nonzero, a_i·u = 0 where
// y_i > 0, the rest by minimum-norm least squares (mat.SVD) — and checked
// (cone, box, value); if the check fails, the primal is solved with
// maxIneq instead. exact is false when gonum did not prove the value.
func maxOverCone(A [][]float64, b []float64) (val float64, u []float64, exact bool) {
	d, r := len(b), len(A)
	rows := make([][]float64, d)
	for k := range rows {
		rows[k] = make([]float64, r)
		for i := range A {
			rows[k][i] = A[i][k]
		}
	}
	val, y, exact := minResidual(rows, b, r)
	tol := normTol
	if !tol.Positive(val, 1) {
		return val, nil, exact
	}
	e := make([]float64, d)
	for k := range e {
		e[k] = b[k] - dot(rows[k], y)
	}
	if u = coneWitness(A, b, y, e); u != nil {
		return val, u, exact
	}
	// Fallback: the primal, u = u⁺ − u⁻ with 0 ≤ u± ≤ 1.
	var G [][]float64
	var h []float64
	for _, a := range A {
		row := make([]float64, 2*d)
		for k := 0; k < d; k++ {
			row[k], row[d+k] = a[k], -a[k]
		}
		G, h = append(G, row), append(h, 0)
	}
	c := make([]float64, 2*d)
	for k := 0; k < d; k++ {
		c[k], c[d+k] = b[k], -b[k]
		row := make([]float64, 2*d)
		row[k] = 1
		G, h = append(G, row), append(h, 1)
		row = make([]float64, 2*d)
		row[d+k] = 1
		G, h = append(G, row), append(h, 1)
	}
	pv, z, _ := maxIneq(c, G, h)
	if !tol.Positive(pv, 1) {
		return val, nil, exact
	}
	u = make([]float64, d)
	for k := range u {
		u[k] = z[k] - z[d+k]
	}
	return val, u, exact
}

// coneWitness recovers the maximiser of b·u over {Au ≤ 0, |u|∞ ≤ 1} from
// an optimal y of the dual ℓ1 problem with residual e (see maxOverCone), or
// returns nil when the recovered point fails the check.
func coneWitness(A [][]float64, b, y, e []float64) []float64 {
	const tiny = supportTol
	d := len(b)
	u := make([]float64, d)
	var free []int
	for k := range e {
		switch {
		case e[k] > tiny:
			u[k] = 1
		case e[k] < -tiny:
			u[k] = -1
		default:
			free = append(free, k)
		}
	}
	var active []int
	for i := range A {
		if y[i] > tiny {
			active = append(active, i)
		}
	}
	if len(free) > 0 && len(active) > 0 {
		M := mat.NewDense(len(active), len(free), nil)
		rhs := mat.NewDense(len(active), 1, nil)
		for ai, i := range active {
			s := 0.0
			for k := range u {
				s -= A[i][k] * u[k]
			}
			rhs.Set(ai, 0, s)
			for fi, k := range free {
				M.Set(ai, fi, A[i][k])
			}
		}
		var svd mat.SVD
		if !svd.Factorize(M, mat.SVDThin) {
			return nil
		}
		sv := svd.Values(nil)
		rank := 0
		for _, s := range sv {
			if s > normTol.RankCut(sv[0]) {
				rank++
			}
		}
		if rank > 0 {
			var sol mat.Dense
			svd.SolveTo(&sol, rhs, rank)
			for fi, k := range free {
				u[k] = sol.At(fi, 0)
			}
		}
	}
	if m := maxAbs(u); m > 1 {
		for k := range u {
			u[k] /= m
		}
	}
	for _, a := range A {
		if dot(a, u) > tiny {
			return nil
		}
	}
	if !normTol.Positive(dot(b, u), 1) {
		return nil
	}
	return u
}
