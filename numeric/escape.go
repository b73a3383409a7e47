package numeric

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// qZero decides Q_j ≡ 0 by (E1) and (E2) of DESIGN §4 (the escape test for
// a_j = 0): the k×d matrix
//
//	Σ_P ρ₊ r_i x_iᵀ + Σ_N ρ₋ r_i x_iᵀ + ((ρ₊+ρ₋)/2) Σ_Z r_i x_iᵀ
//
// is zero (each column by Tolerance.ZeroQ), and, when κ ≠ 0, for every line
// ℓ through 0 holding boundary samples Σ_{i on ℓ} |t_i| r_i = 0
// (Tolerance.ZeroResidualSum with terms Σ|t_i|). It names the failing test.
func (pr *Problem) qZero(j int) (zero bool, failed string) {
	t := pr.Tol
	d, k := pr.D(), pr.K()
	mid := (pr.Pos + pr.Neg) / 2
	col := make([]float64, k)
	for c := 0; c < d; c++ {
		for o := range col {
			col[o] = 0
		}
		for i, x := range pr.X {
			if pr.xZero[i] || x[c] == 0 {
				continue
			}
			sl := mid
			if s := pr.side[j][i]; s != 0 {
				sl = pr.slope(s)
			}
			for o := range col {
				col[o] += sl * pr.res[i][o] * x[c]
			}
		}
		if !t.ZeroQ(col) {
			return false, "E1"
		}
	}
	if t.ZeroSlope(pr.Pos - pr.Neg) {
		return true, ""
	}
	used := make([]bool, pr.N())
	for i0, x0 := range pr.X {
		if used[i0] || pr.xZero[i0] || pr.side[j][i0] != 0 {
			continue
		}
		e := make([]float64, d)
		for c := range e {
			e[c] = x0[c] / pr.xNorm[i0]
		}
		sum := make([]float64, k)
		terms := 0.0
		for i := i0; i < pr.N(); i++ {
			x := pr.X[i]
			if used[i] || pr.xZero[i] || pr.side[j][i] != 0 || !t.SameLine(x, e) {
				continue
			}
			used[i] = true
			ti := math.Abs(dot(x, e))
			terms += ti
			for o := range sum {
				sum[o] += ti * pr.res[i][o]
			}
		}
		if !t.ZeroResidualSum(sum, terms) {
			return false, "E2"
		}
	}
	return true, ""
}

// witness is a point u of the critical face of a cell of the Z_j
// arrangement (φ_j(u) = 0) with q = Q_j(u) ≠ 0; cell indexes the cell.
type witness struct {
	cell int
	u, q []float64
}

// cellMap returns the k×d matrix M_σ of the linear map Q_j on the closed
// cell with signs σ over the boundary samples bnd (σ[l] for sample bnd[l]).
func (pr *Problem) cellMap(j int, bnd []int, signs []int8) [][]float64 {
	side := append([]int8(nil), pr.side[j]...)
	for l, i := range bnd {
		side[i] = signs[l]
	}
	M := make([][]float64, pr.K())
	for o := range M {
		M[o] = make([]float64, pr.D())
	}
	for i, x := range pr.X {
		if pr.xZero[i] {
			continue
		}
		sl := pr.slope(side[i])
		for o := range M {
			for c := range x {
				M[o][c] += sl * pr.res[i][o] * x[c]
			}
		}
	}
	return M
}

func mulVec(M [][]float64, u []float64) []float64 {
	y := make([]float64, len(M))
	for o, row := range M {
		y[o] = dot(row, u)
	}
	return y
}

// faceEscape decides escape for a neuron with a_j ≠ 0 (k ≥ 2; DESIGN §4): on
// every cell C_σ of the Z_j arrangement, with g = a_jᵀM_σ the gradient of
// n·φ_j there, the face is F = C_σ when g counts as zero
// (Tolerance.ZeroPhiGradient) and F = C_σ ∩ {g·u = 0} otherwise; for each
// component of Q_j = M_σ u and each sign one LP maximises it over F ∩ unit
// box, normalised by QScale (maxOverCone). A value > Eps means escape; the
// maximisers found are returned as witnesses for the indefinite tests.
func (pr *Problem) faceEscape(j int) (escape bool, ws []witness, cells []cell, bnd []int, decided bool) {
	t := pr.Tol
	d := pr.D()
	var normals [][]float64
	for i := range pr.X {
		if !pr.xZero[i] && pr.side[j][i] == 0 {
			bnd = append(bnd, i)
			e := make([]float64, d)
			for c := range e {
				e[c] = pr.X[i][c] / pr.xNorm[i]
			}
			normals = append(normals, e)
		}
	}
	cells, decided = pr.cellsOf(normals)
	qs := t.QScale()
	if qs == 0 {
		return false, nil, cells, bnd, decided
	}
	a1 := norm1(pr.A[j])
	for ci, c := range cells {
		M := pr.cellMap(j, bnd, c.signs)
		g := make([]float64, d)
		for o, row := range M {
			for k := range g {
				g[k] += pr.A[j][o] * row[k]
			}
		}
		// The face F: closed-cell rows −σ_i x̂_i·u ≤ 0 and, when g is not
		// zero, ±ĝ·u ≤ 0.
		var A [][]float64
		for l, e := range normals {
			row := make([]float64, d)
			for k := range e {
				row[k] = -float64(c.signs[l]) * e[k]
			}
			A = append(A, row)
		}
		if !t.ZeroPhiGradient(g, a1) {
			gn := norm2(g)
			up, down := make([]float64, d), make([]float64, d)
			for k := range g {
				up[k], down[k] = g[k]/gn, -g[k]/gn
			}
			A = append(A, up, down)
		}
		for _, row := range M {
			for _, sgn := range [2]float64{1, -1} {
				obj := make([]float64, d)
				for k := range obj {
					obj[k] = sgn * row[k] / qs
				}
				val, u, exact := maxOverCone(A, obj)
				switch {
				case normTol.Positive(val, 1) && exact:
					escape = true
					if u != nil {
						ws = append(ws, witness{cell: ci, u: u, q: mulVec(M, u)})
					}
				case normTol.Positive(val, 1) && u != nil:
					// gonum did not prove the optimum but found a point.
					escape = true
					ws = append(ws, witness{cell: ci, u: u, q: mulVec(M, u)})
				case !exact:
					decided = false
				}
			}
		}
	}
	return escape, ws, cells, bnd, decided || escape
}

// cellsOf enumerates the cells of the arrangement of the given unit normals.
func (pr *Problem) cellsOf(normals [][]float64) ([]cell, bool) {
	return arrangement(normals, pr.D())
}

// psi returns the vector (ρ'(w_j·x_i; u·x_i))_i for u in the closed cell
// with signs σ over the boundary samples bnd.
func (pr *Problem) psi(j int, bnd []int, signs []int8, u []float64) []float64 {
	side := append([]int8(nil), pr.side[j]...)
	for l, i := range bnd {
		side[i] = signs[l]
	}
	p := make([]float64, pr.N())
	for i, x := range pr.X {
		if !pr.xZero[i] {
			p[i] = pr.slope(side[i]) * dot(x, u)
		}
	}
	return p
}

// indefinite runs the two tests of DESIGN §4 ("beyond the paper") in float64
// on the witnesses of an escape neuron j with a_j ≠ 0, and reports whether
// one of them shows a descent (the point is a saddle) and which.
//
// Test 1: H(u) = |Q_j(u)|² − |a_j|²·Σρ(w_j·x_i)²·Σρ'(w_j·x_i; u·x_i)² > 0 on
// a witness, or at the maximiser of H on the segment between two witnesses of
// the same cell, with the margin Eps·(|Q_j(u)|² + |a_j|²·Σ·Σ).
// Test 2: the minimum over all output weights b of
// c₂(b) = (1/n) b_j·Q_j(u) + (1/2n) Σ_i |Σ_l b_l ρ(w_l·x_i) + a_j ρ'(w_j·x_i; u·x_i)|²
// is below −Eps times the size of its terms (or −∞), by least squares on
// the SVD of Φ = (ρ(w_l·x_i))_{il}.
//
// The search is over the LP witnesses only: it is not exhaustive, and a false
// answer means "not shown".
func (pr *Problem) indefinite(j int, ws []witness, cells []cell, bnd []int) (saddle bool, how string) {
	a := pr.A[j]
	aa := dot(a, a)
	s0 := 0.0
	for i := range pr.X {
		h := pr.rho(pr.pre[j][i])
		s0 += h * h
	}
	K := aa * s0
	H := func(q, p []float64) (float64, float64) {
		qq, pp := dot(q, q), dot(p, p)
		return qq - K*pp, qq + K*pp
	}
	t := pr.Tol
	psis := make([][]float64, len(ws))
	for w, wt := range ws {
		psis[w] = pr.psi(j, bnd, cells[wt.cell].signs, wt.u)
		if h, s := H(wt.q, psis[w]); t.Positive(h, s) {
			return true, "float indefinite test at an LP witness"
		}
	}
	for w1 := range ws {
		for w2 := w1 + 1; w2 < len(ws); w2++ {
			if ws[w1].cell != ws[w2].cell {
				continue
			}
			q1, q2, p1, p2 := ws[w1].q, ws[w2].q, psis[w1], psis[w2]
			dq, dp := sub(q2, q1), sub(p2, p1)
			alpha := dot(dq, dq) - K*dot(dp, dp)
			beta := 2 * (dot(q1, dq) - K*dot(p1, dp))
			if alpha >= 0 || beta <= 0 {
				continue
			}
			s := -beta / (2 * alpha)
			if s <= 0 || s >= 1 {
				continue
			}
			q, p := lerp(q1, q2, s), lerp(p1, p2, s)
			if h, sc := H(q, p); t.Positive(h, sc) {
				return true, "float indefinite test on a segment between LP witnesses"
			}
		}
	}
	for w, wt := range ws {
		if pr.secondOrder(j, wt.q, psis[w]) {
			return true, "float second-order test over all output weights"
		}
	}
	return false, ""
}

func sub(a, b []float64) []float64 {
	c := make([]float64, len(a))
	for i := range a {
		c[i] = a[i] - b[i]
	}
	return c
}

func lerp(a, b []float64, s float64) []float64 {
	c := make([]float64, len(a))
	for i := range a {
		c[i] = (1-s)*a[i] + s*b[i]
	}
	return c
}

// secondOrder is test 2 of DESIGN §4 for the critical direction with
// q = Q_j(u) and ψ_i = ρ'(w_j·x_i; u·x_i): it minimises c₂(b) separately for
// each output coordinate o, f_o(β) = (1/n)(q_o β_j + ½|Φβ + a_jo ψ|²), with
// β* = −(ΦᵀΦ)⁺(a_jo Φᵀψ + q_o e_j) from the thin SVD of Φ (singular values
// ≤ Tolerance.RankCut count as zero). If e_j has a component in the null
// space of Φ and q_o ≠ 0, f_o is unbounded below.
func (pr *Problem) secondOrder(j int, q, psi []float64) bool {
	n, m := pr.N(), pr.M()
	t := pr.Tol
	phi := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for l := 0; l < m; l++ {
			phi.Set(i, l, pr.rho(pr.pre[l][i]))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(phi, mat.SVDThin) {
		return false
	}
	sv := svd.Values(nil)
	var U, V mat.Dense
	svd.UTo(&U)
	svd.VTo(&V)
	cut := 0.0
	if len(sv) > 0 {
		cut = t.RankCut(sv[0])
	}
	rank := 0
	for _, s := range sv {
		if s > cut {
			rank++
		}
	}
	// Null-space component of e_j: |e_j|² − Σ_{r<rank} V_jr².
	proj := 0.0
	for r := 0; r < rank; r++ {
		proj += V.At(j, r) * V.At(j, r)
	}
	nullPart := 1 - proj
	if normTol.Positive(nullPart, 1) && !t.ZeroQ(q) {
		return true
	}
	total, size := 0.0, 0.0
	for o := range q {
		// β = −a_o V Σ⁻¹ Uᵀψ − q_o V Σ⁻² Vᵀe_j.
		beta := make([]float64, m)
		for r := 0; r < rank; r++ {
			ut := 0.0
			for i := 0; i < n; i++ {
				ut += U.At(i, r) * psi[i]
			}
			coef := -pr.A[j][o]*ut/sv[r] - q[o]*V.At(j, r)/(sv[r]*sv[r])
			for l := 0; l < m; l++ {
				beta[l] += coef * V.At(l, r)
			}
		}
		lin := q[o] * beta[j]
		quad := 0.0
		for i := 0; i < n; i++ {
			e := pr.A[j][o] * psi[i]
			for l := 0; l < m; l++ {
				e += phi.At(i, l) * beta[l]
			}
			quad += e * e
		}
		total += (lin + quad/2) / float64(n)
		size += (math.Abs(lin) + quad/2) / float64(n)
	}
	return t.Positive(-total, size)
}
