package numeric

import (
	"encoding/binary"
	"math"

	"gonum.org/v1/gonum/mat"
)

// qZero decides Q_j ≡ 0 by (E1) and (E2) of docs/theory.md §4 (the escape test for
// a_j = 0): the k×d matrix
//
//	Σ_P ρ₊ r_i x_iᵀ + Σ_N ρ₋ r_i x_iᵀ + ((ρ₊+ρ₋)/2) Σ_Z r_i x_iᵀ
//
// is zero (each column by Tolerance.ZeroQ), and, when κ ≠ 0, for every line
// ℓ through 0 holding boundary samples Σ_{i on ℓ} |t_i| r_i = 0
// (Tolerance.ZeroResidualSum with terms Σ|t_i|). It names the failing test.
func (pr *Problem) qZero(j int) (zero bool, failed string) { return pr.qZeroOn(pr.side[j]) }

// qZeroOn is qZero for a neuron whose sides of the samples are side (all 0
// for a zero neuron, whose Q is Σ_i r_i ρ(x_i·u)).
func (pr *Problem) qZeroOn(side []int8) (zero bool, failed string) {
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
			if s := side[i]; s != 0 {
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
	// Samples on one line are first bucketed by their direction x/x_c (c the
	// first nonzero coordinate, the same for parallel samples) rounded to a
	// grid of 2⁻³⁰; SameLine then groups each bucket. Two parallel samples
	// whose rounded directions straddle a grid line (relative distance
	// below 2⁻³⁰ from it) count as two lines: the exact path decides.
	buckets := map[string][]int{}
	var order []string
	var key []byte
	for i, x := range pr.X {
		if pr.xZero[i] || side[i] != 0 {
			continue
		}
		key = lineBucket(key[:0], x)
		if _, ok := buckets[string(key)]; !ok {
			order = append(order, string(key))
		}
		buckets[string(key)] = append(buckets[string(key)], i)
	}
	used := make([]bool, pr.N())
	for _, b := range order {
		members := buckets[b]
		for q0, i0 := range members {
			if used[i0] {
				continue
			}
			x0 := pr.X[i0]
			e := make([]float64, d)
			for c := range e {
				e[c] = x0[c] / pr.xNorm[i0]
			}
			sum := make([]float64, k)
			terms := 0.0
			for _, i := range members[q0:] {
				x := pr.X[i]
				if used[i] || !t.SameLine(x, e) {
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
	}
	return true, ""
}

// lineBucket appends to key the direction x/x_c (c the first nonzero
// coordinate) rounded to multiples of 2⁻³⁰ relative to its largest entry:
// parallel samples fall in one bucket unless rounding straddles a grid line.
func lineBucket(key []byte, x []float64) []byte {
	c := 0
	for c < len(x) && x[c] == 0 {
		c++
	}
	scale := 0.0
	for _, v := range x {
		scale = math.Max(scale, math.Abs(v/x[c]))
	}
	for _, v := range x {
		r := math.Round(v / x[c] / scale * (1 << 30))
		key = binary.LittleEndian.AppendUint64(key, uint64(int64(r)))
	}
	return key
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

// faceEscape decides escape for a neuron with a_j ≠ 0 (k ≥ 2; docs/theory.md §4): on
// every cell C_σ of the Z_j arrangement, with g = a_jᵀM_σ the gradient of
// n·φ_j there, the face is F = C_σ when g counts as zero
// (Tolerance.ZeroPhiGradient) and F = C_σ ∩ {g·u = 0} otherwise; for each
// component of Q_j = M_σ u and each sign one LP maximises it over F ∩ unit
// box, normalised by QScale (maxOverCone). A value > Eps means escape; the
// maximisers found are returned as witnesses, and the faces on which Q_j
// does not vanish (the critical faces) for the indefinite tests.
func (pr *Problem) faceEscape(j int) (escape bool, ws []witness, fs []face, cells []cell, bnd []int, decided bool) {
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
		return false, nil, nil, cells, bnd, decided
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
		f := face{cell: ci}
		for l, e := range normals {
			row := make([]float64, d)
			for k := range e {
				row[k] = -float64(c.signs[l]) * e[k]
			}
			A = append(A, row)
			f.halfspaces = append(f.halfspaces, scaled(row, -1))
		}
		if !t.ZeroPhiGradient(g, a1) {
			gn := norm2(g)
			up, down := make([]float64, d), make([]float64, d)
			for k := range g {
				up[k], down[k] = g[k]/gn, -g[k]/gn
			}
			A = append(A, up, down)
			f.g = up
		}
		critical := false
		for _, row := range M {
			for _, sgn := range [2]float64{1, -1} {
				obj := make([]float64, d)
				for k := range obj {
					obj[k] = sgn * row[k] / qs
				}
				val, u, exact := maxOverCone(A, obj)
				switch {
				case normTol.Positive(val, 1) && exact:
					escape, critical = true, true
					if u != nil {
						ws = append(ws, witness{cell: ci, u: u, q: mulVec(M, u)})
					}
				case normTol.Positive(val, 1) && u != nil:
					// gonum did not prove the optimum but found a point.
					escape, critical = true, true
					ws = append(ws, witness{cell: ci, u: u, q: mulVec(M, u)})
				case !exact:
					decided = false
				}
			}
		}
		if critical {
			fs = append(fs, f)
		}
	}
	return escape, ws, fs, cells, bnd, decided || escape
}

// cellsOf enumerates the cells of the arrangement of the given unit normals.
func (pr *Problem) cellsOf(normals [][]float64) ([]cell, bool) {
	return arrangement(normals, pr.D(), maxCells)
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

// critical is a point u of a critical face (φ_j(u) = 0) with q = Q_j(u)
// and ψ_i = ρ'(w_j·x_i; u·x_i), both linear in u on the face.
type critical struct {
	face      int
	u, q, psi []float64
}

// vectorEscape runs the two tests of docs/theory.md §4 ("beyond the paper") in
// float64 for an escape neuron j with a_j ≠ 0, on the same witnesses as
// verify's vectorEscape: the generators of the critical faces (the LP
// witnesses of a face only when its generators exceed the enumeration
// budget), the centroid of the generators of a face with more than two, and
// on the segment between two generators of one face the maximiser of H and
// the minimiser of min_b c₂ (both quadratics along it), and on faces of
// dimension > 2 the supports of the forms' minima over the cone of the
// generators (coneNegative). It reports whether a test shows a descent (the
// point is a saddle) and which; exhaustive says whether the search decided
// both tests on every critical face (dimension ≤ 2, or at most maxConeGens
// generators).
//
// Test 1: H(u) = |Q_j(u)|² − |a_j|²·Σρ(w_j·x_i)²·Σρ'(w_j·x_i; u·x_i)² > 0,
// with the margin Eps·(|Q_j(u)|² + |a_j|²·Σ·Σ).
// Test 2: the minimum over all output weights b of
// c₂(b) = (1/n) b_j·Q_j(u) + (1/2n) Σ_i |Σ_l b_l ρ(w_l·x_i) + a_j ρ'(w_j·x_i; u·x_i)|²
// is below −Eps times the size of its terms (or −∞), by least squares on
// the SVD of Φ = (ρ(w_l·x_i))_{il}.
func (pr *Problem) vectorEscape(j int, faces []face, ws []witness, cells []cell, bnd []int) (saddle bool, how string, exhaustive bool) {
	t := pr.Tol
	d := pr.D()
	a := pr.A[j]
	s0 := 0.0
	for i := range pr.X {
		h := pr.rho(pr.pre[j][i])
		s0 += h * h
	}
	K := dot(a, a) * s0
	H := func(c critical) (float64, float64) {
		qq, pp := dot(c.q, c.q), dot(c.psi, c.psi)
		return qq - K*pp, qq + K*pp
	}
	at := func(fi int, u []float64) critical {
		sg := cells[faces[fi].cell].signs
		return critical{face: fi, u: u, q: mulVec(pr.cellMap(j, bnd, sg), u), psi: pr.psi(j, bnd, sg, u)}
	}
	exhaustive = true
	allGenerated := true
	var cands []critical
	faceGens := make([][]critical, len(faces))
	for fi, f := range faces {
		gens, dim, ok := f.generators(t, d)
		if !ok || dim > 2 {
			exhaustive = false
		}
		allGenerated = allGenerated && ok
		if !ok {
			for _, w := range ws {
				if w.cell == f.cell {
					gens = append(gens, w.u)
				}
			}
		}
		for _, u := range gens {
			c := at(fi, u)
			faceGens[fi] = append(faceGens[fi], c)
			if !t.ZeroQ(c.q) {
				cands = append(cands, c)
			}
		}
		if len(gens) > 2 {
			ctr := make([]float64, d)
			for _, g := range gens {
				for k := range ctr {
					ctr[k] += g[k]
				}
			}
			if n := norm2(ctr); normTol.Positive(n, 1) {
				cands = append(cands, at(fi, scaled(ctr, 1/n)))
			}
		}
		gs := faceGens[fi]
		for x := range gs {
			for y := x + 1; y < len(gs); y++ {
				if s, ok := segmentOpt(func(c critical) float64 { h, _ := H(c); return -h }, gs[x], gs[y]); ok {
					cands = append(cands, s)
				}
			}
		}
	}
	for _, c := range cands {
		if t.ZeroQ(c.q) {
			continue
		}
		if h, sc := H(c); t.Positive(h, sc) {
			return true, "float indefinite test on a critical face", exhaustive
		}
	}
	so := pr.newSecondOrder()
	if so == nil {
		return false, "", false
	}
	c2 := func(c critical) float64 { v, _, _ := so.min(j, c.q, c.psi); return v }
	for _, gs := range faceGens {
		for x := range gs {
			for y := x + 1; y < len(gs); y++ {
				if s, ok := segmentOpt(c2, gs[x], gs[y]); ok {
					cands = append(cands, s)
				}
			}
		}
	}
	for _, c := range cands {
		if t.ZeroQ(c.q) {
			// With q = 0 both c₂ ≥ 0 and H ≤ 0: the tests cannot show a
			// descent, and a float64 value would be rounding noise.
			continue
		}
		if v, size, unbounded := so.min(j, c.q, c.psi); unbounded || t.Positive(-v, size) {
			return true, "float second-order test over all output weights", exhaustive
		}
	}
	// Faces of dimension > 2: the supports of the quadratic forms' minima
	// over the cone of the generators (coneNegative).
	negH := func(c critical) (float64, float64) { h, s := H(c); return -h, s }
	c2s := func(c critical) (float64, float64) {
		v, size, unbounded := so.min(j, c.q, c.psi)
		if unbounded {
			return math.Inf(-1), 1
		}
		return v, size
	}
	complete := allGenerated
	for _, gs := range faceGens {
		us := make([][]float64, len(gs))
		for x, g := range gs {
			us[x] = g.u
		}
		if len(gs) == 0 || rank(t, us, d) <= 2 {
			continue
		}
		atFace := func(u []float64) critical { return at(gs[0].face, u) }
		_, found, done := coneNegative(t, gs, atFace, negH)
		if found {
			return true, "float indefinite test on a critical face (cone of its generators)", true
		}
		_, found, done2 := coneNegative(t, gs, atFace, c2s)
		if found {
			return true, "float second-order test over all output weights (cone of a face's generators)", true
		}
		complete = complete && done && done2
	}
	return false, "", exhaustive || complete
}

// coneNegative is verify's coneNegative in float64: whether the quadratic
// form F (value and scale of its terms) is negative somewhere on the cone
// generated by gens (points of one face, where q and ψ are linear). It
// forms the Gram matrix G_ab = (F(g_a+g_b) − F(g_a) − F(g_b))/2 and, for
// every support S, solves G_SS y = 1; when y < 0 the point −Σ y_a g_a,
// scaled to unit length and evaluated by at, is a candidate, accepted when
// Q_j does not count as zero there and F is below −Eps times its scale. done is false when the generators exceed
// maxConeGens.
func coneNegative(t Tolerance, gens []critical, at func(u []float64) critical, F func(critical) (float64, float64)) (c critical, found, done bool) {
	r := len(gens)
	if r > maxConeGens {
		return critical{}, false, false
	}
	add := func(a, b critical, s float64) critical {
		return critical{face: a.face, u: axpy(a.u, b.u, s), q: axpy(a.q, b.q, s), psi: axpy(a.psi, b.psi, s)}
	}
	f := make([]float64, r)
	for a, g := range gens {
		f[a], _ = F(g)
	}
	G := mat.NewSymDense(r, nil)
	for a := 0; a < r; a++ {
		G.SetSym(a, a, f[a])
		for b := a + 1; b < r; b++ {
			v, _ := F(add(gens[a], gens[b], 1))
			G.SetSym(a, b, (v-f[a]-f[b])/2)
		}
	}
	for mask := 1; mask < 1<<r; mask++ {
		var S []int
		for a := 0; a < r; a++ {
			if mask&(1<<a) != 0 {
				S = append(S, a)
			}
		}
		sub := mat.NewDense(len(S), len(S), nil)
		for p, a := range S {
			for q, b := range S {
				sub.Set(p, q, G.At(a, b))
			}
		}
		ones := mat.NewVecDense(len(S), nil)
		for p := range S {
			ones.SetVec(p, 1)
		}
		var y mat.VecDense
		if err := y.SolveVec(sub, ones); err != nil {
			continue
		}
		neg := true
		for p := range S {
			if !(y.AtVec(p) < 0) {
				neg = false
				break
			}
		}
		if !neg {
			continue
		}
		u := make([]float64, len(gens[0].u))
		for p, a := range S {
			u = axpy(u, gens[a].u, -y.AtVec(p))
		}
		// Back to |u| = 1, the scale of the tolerances (a near-singular
		// G_SS gives a huge y), and q, ψ evaluated at u itself: combined
		// from the generators' they would carry the cancellation.
		un := norm2(u)
		if !normTol.Positive(un, 1) {
			continue
		}
		cand := at(scaled(u, 1/un))
		if t.ZeroQ(cand.q) {
			continue
		}
		if v, sc := F(cand); t.Positive(-v, sc) {
			return cand, true, true
		}
	}
	return critical{}, false, true
}

// axpy returns a + s·b.
func axpy(a, b []float64, s float64) []float64 {
	c := make([]float64, len(a))
	for i := range a {
		c[i] = a[i] + s*b[i]
	}
	return c
}

// segmentOpt returns the point of the segment between c1 and c2 (one face,
// where q and ψ are linear, so val is a quadratic along it) at which val is
// smallest, when that is strictly inside.
func segmentOpt(val func(critical) float64, c1, c2 critical) (critical, bool) {
	mid := func(s float64) critical {
		return critical{face: c1.face, u: lerp(c1.u, c2.u, s), q: lerp(c1.q, c2.q, s), psi: lerp(c1.psi, c2.psi, s)}
	}
	v0, vh, v1 := val(c1), val(mid(0.5)), val(c2)
	// val(s) = v0 + β·s + α·s².
	alpha := 2 * (v0 - 2*vh + v1)
	beta := v1 - v0 - alpha
	if !(alpha > 0) {
		return critical{}, false
	}
	s := -beta / (2 * alpha)
	if !(s > 0 && s < 1) {
		return critical{}, false
	}
	return mid(s), true
}

func lerp(a, b []float64, s float64) []float64 {
	c := make([]float64, len(a))
	for i := range a {
		c[i] = (1-s)*a[i] + s*b[i]
	}
	return c
}

// secondOrder holds the thin SVD of Φ = (ρ(w_l·x_i))_{il}, which does not
// depend on the neuron or the direction, for test 2 of docs/theory.md §4. With an
// output bias Φ has one more column of ones: the move of b joins the
// output weights (docs/theory.md, "Output bias").
type secondOrder struct {
	pr   *Problem
	phi  *mat.Dense
	sv   []float64
	U, V mat.Dense
	rank int
}

// newSecondOrder factorises Φ; nil when the SVD fails.
func (pr *Problem) newSecondOrder() *secondOrder {
	n, m := pr.N(), pr.M()
	cols := m
	if pr.B != nil {
		cols++
	}
	so := &secondOrder{pr: pr, phi: mat.NewDense(n, cols, nil)}
	for i := 0; i < n; i++ {
		for l := 0; l < m; l++ {
			so.phi.Set(i, l, pr.rho(pr.pre[l][i]))
		}
		if cols > m {
			so.phi.Set(i, m, 1)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(so.phi, mat.SVDThin) {
		return nil
	}
	so.sv = svd.Values(nil)
	svd.UTo(&so.U)
	svd.VTo(&so.V)
	cut := 0.0
	if len(so.sv) > 0 {
		cut = pr.Tol.RankCut(so.sv[0])
	}
	for _, s := range so.sv {
		if s > cut {
			so.rank++
		}
	}
	return so
}

// min is test 2 of docs/theory.md §4 for the critical direction with q = Q_j(u) and
// ψ_i = ρ'(w_j·x_i; u·x_i): it minimises c₂(b) separately for each output
// coordinate o, f_o(β) = (1/n)(q_o β_j + ½|Φβ + a_jo ψ|²), with
// β* = −(ΦᵀΦ)⁺(a_jo Φᵀψ + q_o e_j) from the thin SVD of Φ (singular values
// ≤ Tolerance.RankCut count as zero), and returns the minimum and the size
// of its terms. If e_j has a component in the null space of Φ and q_o ≠ 0,
// c₂ is unbounded below.
func (so *secondOrder) min(j int, q, psi []float64) (val, size float64, unbounded bool) {
	pr := so.pr
	n, m := so.phi.Dims() // m counts the output bias's column
	// Null-space component of e_j: |e_j|² − Σ_{r<rank} V_jr².
	proj := 0.0
	for r := 0; r < so.rank; r++ {
		proj += so.V.At(j, r) * so.V.At(j, r)
	}
	if normTol.Positive(1-proj, 1) && !pr.Tol.ZeroQ(q) {
		return math.Inf(-1), 0, true
	}
	for o := range q {
		// β = −a_o V Σ⁻¹ Uᵀψ − q_o V Σ⁻² Vᵀe_j.
		beta := make([]float64, m)
		for r := 0; r < so.rank; r++ {
			ut := 0.0
			for i := 0; i < n; i++ {
				ut += so.U.At(i, r) * psi[i]
			}
			coef := -pr.A[j][o]*ut/so.sv[r] - q[o]*so.V.At(j, r)/(so.sv[r]*so.sv[r])
			for l := 0; l < m; l++ {
				beta[l] += coef * so.V.At(l, r)
			}
		}
		lin := q[o] * beta[j]
		quad := 0.0
		for i := 0; i < n; i++ {
			e := pr.A[j][o] * psi[i]
			for l := 0; l < m; l++ {
				e += so.phi.At(i, l) * beta[l]
			}
			quad += e * e
		}
		val += (lin + quad/2) / float64(n)
		size += (math.Abs(lin) + quad/2) / float64(n)
	}
	return val, size, false
}
