package verify

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// This file holds the tests of docs/theory.md §4 "Beyond the paper": escape neurons
// with a_j ≠ 0, which exist only for vector output (k ≥ 2). Neither Theorem M
// nor Theorem E applies to them.

// dirTerms returns e_i = ρ'(w_j·x_i; u·x_i) for every sample.
func (s *state) dirTerms(j int, u exact.Vec) []*big.Rat {
	e := make([]*big.Rat, s.p.N())
	for i := range s.p.X.Rows() {
		x := s.p.X.Row(i)
		e[i] = s.rho.Dir(s.pt.Pre[j][i], x.Dot(u))
	}
	return e
}

// squareSums returns A = Σ_i ρ(w_j·x_i)² and B = Σ_i ρ'(w_j·x_i; u·x_i)².
func (s *state) squareSums(j int, u exact.Vec) (A, B *big.Rat) {
	A, B = new(big.Rat), new(big.Rat)
	for i, e := range s.dirTerms(j, u) {
		rz := s.rho.Apply(s.pt.Pre[j][i])
		A.Add(A, new(big.Rat).Mul(rz, rz))
		B.Add(B, new(big.Rat).Mul(e, e))
	}
	return A, B
}

// indefiniteH returns H(u) = |Q_j(u)|² − |a_j|²·Σ_i ρ(w_j·x_i)²·Σ_i ρ'(w_j·x_i; u·x_i)².
// For a critical u (φ_j(u) = 0) the family δw_j = t·u, δa_j = −s·Q_j(u) has
// an indefinite second-order form in (s, t) iff H(u) > 0.
func (s *state) indefiniteH(j int, u exact.Vec) *big.Rat {
	q := s.Q(j, u)
	A, B := s.squareSums(j, u)
	h := new(big.Rat).Mul(A, B)
	h.Mul(h, s.p.Neurons[j].A.Norm2())
	return h.Sub(q.Norm2(), h)
}

// IndefiniteTest is test 1 of docs/theory.md §4 for a critical witness u of an escape
// neuron j with a_j ≠ 0: when H(u) > 0 it returns the direction
// δw_j = u, δa_j = −s·q with s minimising the (s, t = 1) form, along which the
// loss falls at second order; nil otherwise.
func (s *state) IndefiniteTest(j int, u exact.Vec) Direction {
	if s.indefiniteH(j, u).Sign() <= 0 {
		return nil
	}
	q := s.Q(j, u)
	A, B := s.squareSums(j, u)
	var sc *big.Rat
	if A.Sign() > 0 {
		sc = new(big.Rat).Inv(A)
	} else {
		sc = new(big.Rat).Mul(s.p.Neurons[j].A.Norm2(), B)
		sc.Quo(sc, q.Norm2())
		sc.Add(sc, big.NewRat(1, 1))
	}
	d := s.p.ZeroDirection()
	d[j].W = u.Clone()
	d[j].A = q.Scale(new(big.Rat).Neg(sc))
	return d
}

// SecondOrderTest is test 2 of docs/theory.md §4: along δw_j = t·u (u critical) and
// δa_l = t·b_l for every neuron l, the loss changes by t²·c₂(b) + O(t³) with
// c₂(b) = (1/n) b_j·Q_j(u) + (1/2n) Σ_i |Σ_l b_l ρ(w_l·x_i) + a_j ρ'(w_j·x_i; u·x_i)|²,
// a convex quadratic in b. With an output bias the move δb = t·β joins the
// output weights: Σ_l b_l ρ(w_l·x_i) + β inside the square, as if Φ had a
// column of ones (docs/theory.md, "Output bias"). It minimises c₂ exactly
// (the normal equations ΦᵀΦ B = −Φᵀe a_jᵀ − E_j qᵀ, one linear solve per
// output; when they are inconsistent c₂ is unbounded below along a
// nullspace vector of Φ) and returns the minimising direction (δw_j = u,
// δa = b) and the bias move β (nil without an output bias); its c₂ is the
// coefficient of t² of ExpansionBias. d is nil when no minimiser was found.
func (s *state) secondOrderMin(j int, u exact.Vec) (d Direction, db exact.Vec) {
	d, db, _ = s.secondOrderMinQ(j, u)
	return d, db
}

// features returns Φ = (ρ(w_l·x_i))_{i,l}, n×m — with one more column of
// ones, n×(m+1), when the network has an output bias (its output weight is
// the move of b).
func (s *state) features() exact.Mat {
	n, m := s.p.N(), s.p.M()
	cols := m
	if s.p.HasOutputBias() {
		cols++
	}
	phi := exact.NewMat(n, cols)
	for i := 0; i < n; i++ {
		for l := 0; l < m; l++ {
			phi[i][l] = s.rho.Apply(s.pt.Pre[l][i])
		}
		if cols > m {
			phi[i][m].SetInt64(1)
		}
	}
	return phi
}

// secondOrderMinQ is secondOrderMin that also reports whether the normal
// equations were consistent, that is whether the c₂ of the direction is
// the minimum of c₂ over b — on a face a quadratic form in u. When they are
// not, c₂ is unbounded below and the direction is one along which it is
// negative.
func (s *state) secondOrderMinQ(j int, u exact.Vec) (Direction, exact.Vec, bool) {
	k := s.p.K()
	q := s.Q(j, u)
	e := s.dirTerms(j, u)
	aj := s.p.Neurons[j].A
	phi := s.features()
	m := phi.Cols() // the neurons, and the output bias
	phiT := phi.T()
	gram := exact.NewMat(m, m)
	for a := 0; a < m; a++ {
		for b := 0; b < m; b++ {
			gram[a][b] = phiT[a].Dot(phiT[b])
		}
	}
	phiTe := phiT.MulVec(exact.Vec(e))
	B := exact.NewMat(m, k)
	consistent := true
	for l := 0; l < k && consistent; l++ {
		rhs := phiTe.Scale(new(big.Rat).Neg(aj[l]))
		rhs[j].Sub(rhs[j], q[l])
		x, ok := exact.SolveLinear(gram, rhs, m)
		if !ok {
			consistent = false
			break
		}
		for a := 0; a < m; a++ {
			B[a][l] = x[a]
		}
	}
	if !consistent {
		B = exact.NewMat(m, k)
		var z exact.Vec
		for _, v := range exact.Nullspace(phi, m) {
			if v[j].Sign() != 0 {
				z = v
				break
			}
		}
		if z == nil {
			return nil, nil, false
		}
		ae := new(big.Rat)
		for _, ei := range e {
			ae.Add(ae, new(big.Rat).Mul(ei, ei))
		}
		tau := ae.Mul(ae, aj.Norm2())
		tau.Quo(tau, q.Norm2())
		tau.Add(tau, big.NewRat(1, 1))
		tau.Quo(tau, z[j])
		tau.Neg(tau)
		for a := 0; a < m; a++ {
			B[a] = q.Scale(new(big.Rat).Mul(tau, z[a]))
		}
	}
	d := s.p.ZeroDirection()
	d[j].W = u.Clone()
	for a := 0; a < s.p.M(); a++ {
		d[a].A = B[a]
	}
	var db exact.Vec
	if m > s.p.M() {
		db = B[s.p.M()]
	}
	return d, db, consistent
}

// SecondOrderTest returns the direction and bias move of secondOrderMin
// when its c₂ is negative, else nil.
func (s *state) SecondOrderTest(j int, u exact.Vec) (Direction, exact.Vec) {
	d, db := s.secondOrderMin(j, u)
	if d == nil || s.ExpansionBias(d, db)[2].Sign() >= 0 {
		return nil, nil
	}
	return d, db
}

// vectorEscape runs the two tests of docs/theory.md §4 on the critical faces on
// which neuron j's response does not vanish. The witnesses are the faces'
// generators (extreme rays and ± lineality directions, enumerated
// deterministically, so the verdict does not depend on pivoting order or on
// the order of neurons and samples; the LP witnesses are not used, as they
// depend on pivoting), the centroid of the generators of a face of dimension
// > 2, and on the segment between each pair of generators of one face the
// maximiser of H and the minimiser of min_b c₂. For faces of dimension ≤ 2
// that decides both tests. On a face of dimension > 2 with at most
// maxConeGens generators, coneNegative then decides each test exactly; on
// larger faces the search is not exhaustive and the reason says so. It
// returns a decreasing path, or nil with the reason.
//
// A face lies in one closed cell, where Q_j and ρ'(w_j·x_i; u·x_i) are
// linear in u, so H and (when the normal equations are consistent)
// min_b c₂ are quadratic forms on it: their Gram matrices over the
// generators (quadForms.grams) give the value at every witness,
// Σ x_a g_a ↦ xᵀGx, and the optima along segments. Only a witness whose value shows a
// descent is handed to IndefiniteTest or SecondOrderTest, which decide it
// again from u alone; when a face's min_b c₂ is not a quadratic form
// (inconsistent normal equations) every witness of that face goes to
// SecondOrderTest.
func (s *state) vectorEscape(j int, faces []face, opt Options) (*Path, string, error) {
	budget := func(done int) string {
		return fmt.Sprintf("budget: time budget exceeded in the k ≥ 2 tests of neuron %d after %d critical witnesses (escape with a_j ≠ 0 proved; no descent found so far)", j, done)
	}
	negH := func(u exact.Vec) *big.Rat { return new(big.Rat).Neg(s.indefiniteH(j, u)) }
	c2at := func(u exact.Vec) *big.Rat {
		if d, db, q := s.secondOrderMinQ(j, u); d != nil && q {
			return s.ExpansionBias(d, db)[2]
		}
		return nil
	}
	forms := s.newQuadForms(j)
	type faceForms struct {
		gens   []exact.Vec
		gh, gc exact.Mat // Gram matrices of −H and of min_b c₂ (nil: not a form)
	}
	var cands []witnessPoint
	var fs []faceForms
	exhaustive, allGenerated := true, true
	for fi, f := range faces {
		if opt.expired() {
			return nil, budget(len(cands)), nil
		}
		gens, dim, ok := f.generators(s.p.D())
		if !ok || dim > 2 {
			exhaustive = false
		}
		allGenerated = allGenerated && ok
		if !ok {
			gens = append(gens, f.witnesses...)
		}
		ff := faceForms{gens: gens}
		ff.gh, ff.gc = forms.grams(gens)
		fs = append(fs, ff)
		for a, u := range gens {
			if !s.Q(j, u).IsZero() {
				cands = append(cands, witnessPoint{face: fi, x: []term{{a, one}}})
			}
		}
		if len(gens) > 2 {
			// A face of dimension > 2: the centroid of its generators.
			x := make([]term, len(gens))
			for a := range gens {
				x[a] = term{a, one}
			}
			if !combine(gens, x).IsZero() {
				cands = append(cands, witnessPoint{face: fi, x: x})
			}
		}
		for a := 0; a < len(gens); a++ {
			for b := a + 1; b < len(gens); b++ {
				if x := segmentOpt(ff.gh, a, b); x != nil {
					cands = append(cands, witnessPoint{face: fi, x: x})
				}
			}
		}
	}
	for c, w := range cands {
		if opt.expired() {
			return nil, budget(c), nil
		}
		if gh := fs[w.face].gh; gh != nil && quadValue(gh, w.x).Sign() >= 0 {
			continue // H(u) ≤ 0
		}
		u := combine(fs[w.face].gens, w.x)
		if d := s.IndefiniteTest(j, u); d != nil {
			p, err := s.decreasingPath(d, nil, fmt.Sprintf("indefinite test: neuron %d, critical u = %v, H(u) = %s > 0", j, u, exact.Text(s.indefiniteH(j, u))))
			return p, "", err
		}
	}
	// Along a segment of one face, min_b c₂ is a quadratic in the segment's
	// parameter: add its minimiser.
	for fi, ff := range fs {
		for a := 0; a < len(ff.gens); a++ {
			for b := a + 1; b < len(ff.gens); b++ {
				if x := segmentOpt(ff.gc, a, b); x != nil {
					cands = append(cands, witnessPoint{face: fi, x: x})
				}
			}
		}
	}
	for c, w := range cands {
		if opt.expired() {
			return nil, budget(c), nil
		}
		if gc := fs[w.face].gc; gc != nil && quadValue(gc, w.x).Sign() >= 0 {
			continue // min_b c₂ ≥ 0
		}
		u := combine(fs[w.face].gens, w.x)
		if d, db := s.SecondOrderTest(j, u); d != nil {
			p, err := s.decreasingPath(d, db, fmt.Sprintf("second-order test: neuron %d, critical u = %v, min over %s c₂ = %s < 0", j, u, s.outputWeights(), exact.Text(s.ExpansionBias(d, db)[2])))
			return p, "", err
		}
	}
	// Last, the faces of dimension > 2: decide exactly, by the supports of
	// the quadratic forms' minima over the cone (coneNegative), whether H is
	// positive or min_b c₂ negative anywhere on them.
	complete := true
	for _, ff := range fs {
		if exact.Rank(exact.Mat(ff.gens)) <= 2 {
			continue // decided above
		}
		if opt.expired() {
			return nil, budget(len(cands)), nil
		}
		u, ok := coneNegative(ff.gens, ff.gh, negH, opt.expired)
		if u != nil {
			if d := s.IndefiniteTest(j, u); d != nil {
				p, err := s.decreasingPath(d, nil, fmt.Sprintf("indefinite test: neuron %d, critical u = %v (from the cone of a face's generators), H(u) = %s > 0", j, u, exact.Text(s.indefiniteH(j, u))))
				return p, "", err
			}
		}
		u, ok2 := coneNegative(ff.gens, ff.gc, c2at, opt.expired)
		if u != nil {
			if d, db := s.SecondOrderTest(j, u); d != nil {
				p, err := s.decreasingPath(d, db, fmt.Sprintf("second-order test: neuron %d, critical u = %v (from the cone of a face's generators), min over %s c₂ = %s < 0", j, u, s.outputWeights(), exact.Text(s.ExpansionBias(d, db)[2])))
				return p, "", err
			}
		}
		complete = complete && ok && ok2
	}
	if !complete && opt.expired() {
		return nil, budget(len(cands)), nil
	}
	scope := "every critical face has dimension ≤ 2, so the search over generators and segment optima is exhaustive: H ≤ 0 and min_b c₂ ≥ 0 on every critical face"
	switch {
	case !exhaustive && complete && allGenerated:
		scope = "H ≤ 0 and min_b c₂ ≥ 0 on every critical face (on faces of dimension > 2 by the supports of the minima over the cone of their generators)"
	case !exhaustive:
		scope = "the search over the generators of the critical faces and the segments between pairs of them is not exhaustive (a face has dimension > 2 with more than " + fmt.Sprint(maxConeGens) + " generators, or too many to enumerate)"
	}
	tail := "the two tests are sufficient for a saddle, not necessary, so the point may be a saddle or a local minimum"
	if !(exhaustive || complete && allGenerated) {
		tail = "deciding the two tests on such faces is a copositivity problem on the critical cone"
	}
	reason := fmt.Sprintf("neuron %d escapes with a_j ≠ 0 (k = %d): neither the indefinite test nor the second-order test certified a descent on %d critical witnesses; %s; %s", j, s.p.K(), len(cands), scope, tail)
	return nil, reason, nil
}

// outputWeights names what test 2 minimises over, for reasons and rules.
func (s *state) outputWeights() string {
	if s.p.HasOutputBias() {
		return "output weights and output bias"
	}
	return "output weights"
}

// one is the rational 1; it is never modified.
var one = big.NewRat(1, 1)

// term is the coefficient c of generator a in a point Σ c·g_a of a face.
type term struct {
	a int
	c *big.Rat
}

// witnessPoint is the point Σ_t t.c·g_{t.a} of the face with index face.
type witnessPoint struct {
	face int
	x    []term
}

// combine returns Σ t.c·gens[t.a].
func combine(gens []exact.Vec, x []term) exact.Vec {
	u := exact.NewVec(len(gens[0]))
	for _, t := range x {
		u = u.Add(gens[t.a].Scale(t.c))
	}
	return u
}

// quadValue returns xᵀGx for the sparse coefficients x.
func quadValue(G exact.Mat, x []term) *big.Rat {
	v, t := new(big.Rat), new(big.Rat)
	for _, p := range x {
		for _, q := range x {
			t.Mul(p.c, q.c)
			v.Add(v, t.Mul(t, G[p.a][q.a]))
		}
	}
	return v
}

// quadForms holds what the Gram matrices of H and min_b c₂ on the faces of
// neuron j share: K = |a_j|²·Σ_i ρ(w_j·x_i)², the matrix Φ = (ρ(w_l·x_i))
// (with a column of ones for an output bias, see features) and ΦᵀΦ, and
// whether e_j lies in the row space of Φ (the normal equations of the
// second-order test are then consistent for every u).
type quadForms struct {
	s      *state
	j      int
	K      *big.Rat
	phiT   exact.Mat // Φᵀ, m×n
	gram   exact.Mat // ΦᵀΦ
	consis bool
}

func (s *state) newQuadForms(j int) *quadForms {
	n := s.p.N()
	qf := &quadForms{s: s, j: j, K: new(big.Rat)}
	for i := 0; i < n; i++ {
		rz := s.rho.Apply(s.pt.Pre[j][i])
		qf.K.Add(qf.K, new(big.Rat).Mul(rz, rz))
	}
	qf.K.Mul(qf.K, s.p.Neurons[j].A.Norm2())
	qf.phiT = s.features().T()
	m := len(qf.phiT)
	qf.gram = exact.NewMat(m, m)
	for a := 0; a < m; a++ {
		for b := 0; b < m; b++ {
			qf.gram[a][b] = qf.phiT[a].Dot(qf.phiT[b])
		}
	}
	ej := exact.NewVec(m)
	ej[j].SetInt64(1)
	_, qf.consis = exact.SolveLinear(qf.gram, ej, m)
	return qf
}

// grams returns the Gram matrices over gens (points of one face) of −H and
// of min_b c₂, from the linear parts at each generator: with q_a = Q_j(g_a)
// and e_a = (ρ'(w_j·x_i; g_a·x_i))_i,
//
//	−H:       G_ab = K·e_a·e_b − q_a·q_b,
//	min_b c₂: G_ab = (1/2n) Σ_l [a_jl²·e_a·e_b − h_la·(ΦᵀΦ)⁺h_lb],
//
// with h_la = a_jl·Φᵀe_a + q_al·e_j: the minimum of
// (1/n)(q_l β_j + ½|Φβ + a_jl e|²) over β is (1/2n)(a_jl²|e|² − hᵀ(ΦᵀΦ)⁺h),
// attained when ΦᵀΦβ = −h is consistent. The second is nil when it is not
// (e_j outside the row space of Φ and some q_a ≠ 0): c₂ is then unbounded
// below, not a quadratic form.
func (qf *quadForms) grams(gens []exact.Vec) (gh, gc exact.Mat) {
	s, j := qf.s, qf.j
	r, k, m := len(gens), s.p.K(), len(qf.gram)
	aj := s.p.Neurons[j].A
	q := make([]exact.Vec, r)
	e := make([]exact.Vec, r)
	allZeroQ := true
	for a, g := range gens {
		q[a] = s.Q(j, g)
		e[a] = exact.Vec(s.dirTerms(j, g))
		allZeroQ = allZeroQ && q[a].IsZero()
	}
	gh = exact.NewMat(r, r)
	ee := exact.NewMat(r, r)
	for a := 0; a < r; a++ {
		for b := a; b < r; b++ {
			ee[a][b] = e[a].Dot(e[b])
			ee[b][a] = ee[a][b]
			v := new(big.Rat).Mul(qf.K, ee[a][b])
			v.Sub(v, q[a].Dot(q[b]))
			gh[a][b], gh[b][a] = v, v
		}
	}
	if !qf.consis && !allZeroQ {
		return gh, nil
	}
	// h[l][a] = a_jl·Φᵀe_a + q_al·e_j and z[l][a] = (ΦᵀΦ)⁺-solution of it.
	h := make([][]exact.Vec, k)
	z := make([][]exact.Vec, k)
	for l := 0; l < k; l++ {
		h[l] = make([]exact.Vec, r)
		z[l] = make([]exact.Vec, r)
		for a := 0; a < r; a++ {
			hv := qf.phiT.MulVec(e[a]).Scale(aj[l])
			hv[j].Add(hv[j], q[a][l])
			x, ok := exact.SolveLinear(qf.gram, hv, m)
			if !ok {
				return gh, nil
			}
			h[l][a], z[l][a] = hv, x
		}
	}
	twoN := new(big.Rat).Mul(big.NewRat(2, 1), s.n)
	aa := make([]*big.Rat, k)
	for l := range aa {
		aa[l] = new(big.Rat).Mul(aj[l], aj[l])
	}
	gc = exact.NewMat(r, r)
	for a := 0; a < r; a++ {
		for b := a; b < r; b++ {
			v := new(big.Rat)
			for l := 0; l < k; l++ {
				v.Add(v, new(big.Rat).Mul(aa[l], ee[a][b]))
				v.Sub(v, h[l][a].Dot(z[l][b]))
			}
			v.Quo(v, twoN)
			gc[a][b], gc[b][a] = v, v
		}
	}
	return gh, gc
}

// segmentOpt returns the coefficients of the point (1−s)·g_a + s·g_b at
// which the quadratic form with Gram matrix G is smallest on the segment,
// G_aa − 2(G_aa − G_ab)s + (G_aa − 2G_ab + G_bb)s², when that is strictly
// inside (a convex parabola with 0 < s < 1); nil otherwise or for G nil.
func segmentOpt(G exact.Mat, a, b int) []term {
	if G == nil {
		return nil
	}
	curv := new(big.Rat).Sub(G[a][a], new(big.Rat).Mul(big.NewRat(2, 1), G[a][b]))
	curv.Add(curv, G[b][b])
	if curv.Sign() <= 0 {
		return nil
	}
	s := new(big.Rat).Sub(G[a][a], G[a][b])
	s.Quo(s, curv)
	if s.Sign() <= 0 || s.Cmp(one) >= 0 {
		return nil
	}
	return []term{{a, new(big.Rat).Sub(one, s)}, {b, s}}
}

// maxConeGens bounds the generators of a face for coneNegative, which looks
// at all 2^r − 1 supports.
const maxConeGens = 12

// coneNegative decides whether a quadratic form F with Gram matrix G over
// gens (quadForms.grams; nil when F is not a quadratic form there) is
// negative somewhere on the cone C generated by gens, and returns such a
// point u, checked by evaluating F: F(u) < 0.
//
// With u = Σ_a x_a g_a, F(u) = xᵀGx, so F is negative on C iff xᵀGx < 0
// for some x ≥ 0. Then the
// minimum μ of xᵀGx over the simplex Σx = 1, x ≥ 0 is negative and attained
// at some x* with support S; by the Lagrange conditions G_SS x*_S = μ·1.
// If G_SS is singular, moving x* along a null vector z of G_SS keeps
// G_SS x_S = μ·1 and does not increase xᵀGx = μ·Σx when the direction has
// Σz ≥ 0, until a coordinate reaches 0: a point of smaller support with the
// same property. So some support S has G_SS nonsingular and
// y = G_SS⁻¹·1 < 0 (y = x*_S/μ), and u = −Σ_{a∈S} y_a g_a has
// F(u) = yᵀG_SS y = Σ_S y_a < 0. Such an S also has, in every row a ∈ S, a
// negative entry G_ab (b ∈ S), as (G_SS x*_S)_a = μ < 0 with x* > 0
// (eachRowNegative). coneNegative tries every such support, solving in
// integers (exact.SolveInt on the Gram matrix times its common
// denominator); complete is false when it could not (more than maxConeGens
// generators, no Gram matrix, or stop said so), and then a nil u proves
// nothing.
func coneNegative(gens []exact.Vec, G exact.Mat, F func(exact.Vec) *big.Rat, stop func() bool) (u exact.Vec, complete bool) {
	r := len(gens)
	if r == 0 {
		return nil, true
	}
	if r > maxConeGens || G == nil {
		return nil, false
	}
	// L·G with L > 0 the common denominator: an integer matrix whose
	// supports' solutions have the signs of G's.
	L := big.NewInt(1)
	for a := range G {
		for _, x := range G[a] {
			g := new(big.Int).GCD(nil, nil, L, x.Denom())
			L.Mul(L, new(big.Int).Quo(x.Denom(), g))
		}
	}
	Gi := make([][]big.Int, r)
	for a := range Gi {
		Gi[a] = make([]big.Int, r)
		for b, x := range G[a] {
			Gi[a][b].Mul(x.Num(), new(big.Int).Quo(L, x.Denom()))
		}
	}
	for mask := 1; mask < 1<<r; mask++ {
		if stop() {
			return nil, false
		}
		var S []int
		for a := 0; a < r; a++ {
			if mask&(1<<a) != 0 {
				S = append(S, a)
			}
		}
		if !eachRowNegative(Gi, S) {
			continue
		}
		sub := make([][]big.Int, len(S))
		ones := make([]big.Int, len(S))
		for p, a := range S {
			ones[p].SetInt64(1)
			sub[p] = make([]big.Int, len(S))
			for q, b := range S {
				sub[p][q].Set(&Gi[a][b])
			}
		}
		num, den, ok := exact.SolveInt(sub, ones)
		if !ok {
			continue // singular: a smaller support does (see above)
		}
		// y = num/den < 0 entrywise; u = Σ_a (−num_a·sign den) g_a is a
		// positive multiple of −Σ y_a g_a.
		neg := true
		for p := range num {
			if num[p].Sign()*den.Sign() >= 0 {
				neg = false
				break
			}
		}
		if !neg {
			continue
		}
		c := exact.NewVec(len(gens[0]))
		for p, a := range S {
			coef := new(big.Int).Neg(&num[p])
			if den.Sign() < 0 {
				coef.Neg(coef)
			}
			c = c.Add(gens[a].Scale(new(big.Rat).SetInt(coef)))
		}
		if c.IsZero() {
			continue
		}
		c = primitive(c) // the same ray, readable
		if v := F(c); v != nil && v.Sign() < 0 {
			return c, true
		}
	}
	return nil, true
}

// eachRowNegative reports whether every row a ∈ S of G restricted to the
// columns S has a negative entry: a necessary condition for G_SS x = μ·1
// with x > 0 and μ < 0.
func eachRowNegative(G [][]big.Int, S []int) bool {
	for _, a := range S {
		neg := false
		for _, b := range S {
			if G[a][b].Sign() < 0 {
				neg = true
				break
			}
		}
		if !neg {
			return false
		}
	}
	return true
}
