package verify

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/exact/arrangement"
	"github.com/relucert/relucert/exact/lp"
)

// E1Matrix returns the k×d matrix of condition (E1) for neuron j:
// Σ_{P_j} ρ₊ r_i x_iᵀ + Σ_{N_j} ρ₋ r_i x_iᵀ + ((ρ₊+ρ₋)/2) Σ_{Z_j} r_i x_iᵀ,
// the odd part (Q_j(u) − Q_j(−u))/2 of the response map.
func (s *state) E1Matrix(j int) exact.Mat {
	e := s.ev
	two := big.NewInt(2)
	return e.combo(j, nil, new(big.Int).Mul(e.sp, two), new(big.Int).Mul(e.sn, two), new(big.Int).Add(e.sp, e.sn), new(big.Int).Mul(e.ds, two))
}

// line is a line through the origin holding boundary samples x_i = t_i·e.
type line struct {
	xs      *exact.RatMat // the samples; the first on ℓ is samples[0]
	e       exact.Vec     // e_ℓ = x/x_c, computed by rep on first use
	samples []int
	t       []*big.Rat
}

// rep returns the representative e_ℓ = x/x_c of the line (c the first
// nonzero coordinate of its samples).
func (l *line) rep() exact.Vec {
	if l.e == nil {
		l.e, _ = l.xs.Row(l.samples[0]).OnLine()
	}
	return l.e
}

// lines groups the boundary samples of neuron j by the line through the
// origin that holds them, in order of first appearance.
func (s *state) lines(j int) []*line {
	lk := s.ev.lineKey()
	return groupLines(s.p.X, s.pt.Boundary(j), &lk)
}

// groupLines groups the nonzero samples xs[i], i ∈ idx, by the line through
// the origin that holds them, in order of first appearance (lineGroups,
// with lk nil meaning the keys exact.Vec.AppendLineKey, or the engine's
// faster lineKey). t_i = x_i[c] (c the first nonzero coordinate, the same on a
// line), and the representative e_ℓ = x/x_c only when asked for
// (line.rep).
func groupLines(xs *exact.RatMat, idx []int, lk *lineKey) []*line {
	if lk == nil {
		k := exactLineKey(func(buf []byte, i int) []byte { return xs.Row(i).AppendLineKey(buf) }, nil)
		lk = &k
	}
	return linesOf(xs, lineGroups(idx, xs.Cols(), *lk))
}

// linesOf returns the lines whose samples are the groups.
func linesOf(xs *exact.RatMat, groups [][]int) []*line {
	ls := make([]*line, len(groups))
	d := xs.Cols()
	for l, g := range groups {
		ln := &line{xs: xs, samples: g, t: make([]*big.Rat, 0, len(g))}
		for _, i := range g {
			for c := range d {
				if !xs.IsZeroAt(i, c) {
					ln.t = append(ln.t, xs.At(i, c))
					break
				}
			}
		}
		ls[l] = ln
	}
	return ls
}

// E2Sum returns Σ_{i on ℓ} |t_i| r_i, the even part's coefficient of |e_ℓ·u|
// for line ℓ (up to the factor κ/2).
func (s *state) E2Sum(l *line) exact.Vec { return lineSum(l, s.res) }

// lineSum returns Σ_{i on ℓ} |t_i| r_i for the rows r(i).
func lineSum(l *line, r func(i int) exact.Vec) exact.Vec {
	sum := exact.NewVec(len(r(l.samples[0])))
	for c, i := range l.samples {
		sum.AddScaled(new(big.Rat).Abs(l.t[c]), r(i))
	}
	return sum
}

// qVanishes reports whether Q_j ≡ 0: (E1) and, when κ ≠ 0, (E2) hold
// (docs/theory.md §4). Then φ_j = a_j·Q_j/n ≡ 0, so (S2) holds and j does
// not escape, with no cell of its arrangements to visit; the certificate
// says so (QZero) and Recheck re-derives (E1) and (E2).
func (s *state) qVanishes(j int) bool {
	// (E1): the integer numerators of E1Matrix(j) vanish.
	e := s.ev
	two := big.NewInt(2)
	if !e.comboIsZero(j, new(big.Int).Mul(e.sp, two), new(big.Int).Mul(e.sn, two), new(big.Int).Add(e.sp, e.sn)) {
		return false
	}
	if s.rho.Kappa().Sign() == 0 {
		return true
	}
	// (E2): every line's Σ |t_i| r_i vanishes, in integers
	// (engine.linesVanish: Σ |X̄_ic| r̄_i, scaled by D_X·d_r > 0).
	return e.linesVanish(lineGroups(s.pt.Boundary(j), s.p.D(), e.lineKey()))
}

// QZeroWitness decides whether the response map Q_j vanishes identically
// (docs/theory.md §4, "Deciding Q_j ≡ 0 exactly"): Q_j ≡ 0 iff (E1) the odd-part
// matrix is zero and (E2), when κ ≠ 0, every line's Σ |t_i| r_i is zero. It
// returns nil when Q_j ≡ 0, and otherwise an exact witness u with Q_j(u) ≠ 0.
func (s *state) QZeroWitness(j int) (exact.Vec, error) {
	w, err := zeroWitness(s.p.D(), s.E1Matrix(j), func(u exact.Vec) exact.Vec { return s.Q(j, u) },
		s.rho.Kappa(), s.p.X, s.pt.Boundary(j), s.lines(j), s.E2Sum)
	if err != nil {
		return nil, fmt.Errorf("neuron %d: %w", j, err)
	}
	return w, nil
}

// zeroWitness decides Q ≡ 0 for a response map Q with odd part e1 (k×d, the
// E1 matrix) whose boundary samples xs[i], i ∈ idx, lie on the lines ls
// with E2 sums e2 (used when κ ≠ 0), and returns nil or an exact u with
// Q(u) ≠ 0: ±e_c for a nonzero column c of e1 (Q(e_c) − Q(−e_c) = 2·e1·e_c),
// else u₀ or u₀ ± εe_ℓ for a line ℓ with a nonzero sum (the second
// difference across ℓ is κε|e_ℓ|²·e2(ℓ)).
func zeroWitness(d int, e1 exact.Mat, q func(exact.Vec) exact.Vec, kappa *big.Rat, xs *exact.RatMat, idx []int, ls []*line, e2 func(*line) exact.Vec) (exact.Vec, error) {
	for c := 0; c < d; c++ {
		nonzero := false
		for l := range e1 {
			if e1[l][c].Sign() != 0 {
				nonzero = true
				break
			}
		}
		if !nonzero {
			continue
		}
		u := exact.NewVec(d)
		u[c].SetInt64(1)
		if !q(u).IsZero() {
			return u, nil
		}
		u[c].SetInt64(-1)
		if !q(u).IsZero() {
			return u, nil
		}
		return nil, fmt.Errorf("internal error: E1 column %d nonzero but Q(±e_c) = 0", c)
	}
	if kappa.Sign() == 0 {
		return nil, nil
	}
	for _, l := range ls {
		if e2(l).IsZero() {
			continue
		}
		u0 := offLine(d, l, ls)
		eps := lineEpsilon(xs, idx, l, u0)
		cands := []exact.Vec{u0.Clone().AddScaled(eps, l.rep()), u0.Clone().AddScaled(new(big.Rat).Neg(eps), l.rep()), u0}
		for _, u := range cands {
			if !q(u).IsZero() {
				return u, nil
			}
		}
		return nil, fmt.Errorf("internal error: E2 fails on line %v but no witness", l.rep())
	}
	return nil, nil
}

// offLine returns a rational u₀ ∈ Q^d with e_ℓ·u₀ = 0 and e_m·u₀ ≠ 0 for
// every other line m of ls (so x_i·u₀ ≠ 0 for every sample off ℓ): a
// combination Σ_k c^k b_k of a basis of e_ℓ^⊥ with the first integer c ≥ 1
// that avoids the finitely many bad values.
func offLine(d int, l *line, ls []*line) exact.Vec {
	basis := exact.Nullspace(exact.Mat{l.rep()}, d)
	for c := int64(1); ; c++ {
		u := exact.NewVec(d)
		pow := big.NewRat(1, 1)
		for _, b := range basis {
			u.AddScaled(pow, b)
			pow = new(big.Rat).Mul(pow, big.NewRat(c, 1))
		}
		ok := true
		for _, m := range ls {
			if m == l {
				continue
			}
			if m.rep().Dot(u).Sign() == 0 {
				ok = false
				break
			}
		}
		if ok {
			return u
		}
	}
}

// lineEpsilon returns a rational ε > 0 such that no sign of x_i·u₀ (the
// samples xs[i], i ∈ idx, off ℓ) flips on u₀ ± εe_ℓ: half the least
// |x_i·u₀|/|x_i·e_ℓ|, and at most 1.
func lineEpsilon(xs *exact.RatMat, idx []int, l *line, u0 exact.Vec) *big.Rat {
	eps := big.NewRat(1, 1)
	for _, i := range idx {
		x := xs.Row(i)
		a, b := x.Dot(u0), x.Dot(l.rep())
		if a.Sign() == 0 || b.Sign() == 0 {
			continue
		}
		q := new(big.Rat).Quo(a, b)
		q.Abs(q)
		q.Quo(q, big.NewRat(2, 1))
		if q.Cmp(eps) < 0 {
			eps = q
		}
	}
	return eps
}

// faceWitnesses decides escape for a neuron with a_j ≠ 0 (needed only for
// k ≥ 2) by the cell/face method of docs/theory.md §4: on each closed cell C of the
// Z_j arrangement, φ_j and Q_j are linear, {φ_j = 0} ∩ C is a face F, and the
// neuron escapes there iff Q_j does not vanish on F. For each output l and
// sign, an exact LP either writes ∓(row l of Q_j) into the dual cone F* —
// a proof that ±(Q_j u)_l ≤ 0 on F — or its Farkas alternative gives a
// witness u ∈ F with (Q_j u)_l ≠ 0 (φ_j(u) = 0, Q_j(u) ≠ 0). The faces on
// which Q_j does not vanish are returned with their witnesses; when there is
// none, the proof that Q_j vanishes on every critical face is returned.
func (s *state) faceWitnesses(j int, opt Options) ([]face, *NoEscapeProof, error) {
	if !opt.Cells && s.qVanishes(j) {
		return nil, &NoEscapeProof{Neuron: j, QZero: true}, nil
	}
	d, k := s.p.D(), s.p.K()
	z := s.pt.Boundary(j)
	e := s.ev
	// Q_C = ρ₊S⁺_j + ρ₋S⁻_j (the samples off the hyperplane, from the
	// engine's exact sums) plus the boundary samples with the slope of the
	// cell's side.
	base := e.combo(j, nil, e.sp, e.sn, nil, e.ds)
	// Every row q_l of every Q_C, every g and every halfspace normal lies
	// in S = span({x_i : i ∈ Z_j} ∪ rows of base), so the face LPs and the
	// arrangement can be taken in the pivot coordinates R of S (see
	// boundaryTerms.restrict for why this is exact): a Farkas vector of the
	// rows R, padded with zeros, is one of all d rows, and a cell's
	// interior point padded with zeros is one in Q^d.
	span := make([]exact.Vec, 0, len(z)+k)
	for _, i := range z {
		span = append(span, s.p.X.Row(i))
	}
	span = append(span, base...)
	rows, _ := exact.SpanCoordinates(span, d, nil)
	dim := len(rows)
	if dim == d {
		rows = nil // nothing to restrict
	} else if rows == nil {
		rows = []int{} // S = 0
	}
	pick := func(u exact.Vec) exact.Vec {
		if rows == nil {
			return u
		}
		out := make(exact.Vec, len(rows))
		for r, c := range rows {
			out[r] = u[c]
		}
		return out
	}
	lift := func(u exact.Vec) exact.Vec {
		if rows == nil {
			return u
		}
		out := exact.NewVec(d)
		for r, c := range rows {
			out[c] = u[r]
		}
		return out
	}
	xs := make([]exact.Vec, len(z))
	for c, i := range z {
		xs[c] = pick(s.p.X.Row(i))
	}
	var cells []arrangement.Cell
	var cover *arrangement.Cover
	if dim == 0 {
		// S = 0: no boundary sample and base = 0, one cell, Q_C = 0.
		cells = []arrangement.Cell{{Signs: []int8{}, Point: exact.NewVec(0)}}
	} else {
		var err error
		cells, cover, err = arrangement.CellsCovered(xs, dim, opt.MaxCells, opt.expired)
		if err != nil {
			return nil, nil, fmt.Errorf("neuron %d: cells of %d boundary hyperplanes: %w", j, len(z), opt.budgetErr(err))
		}
	}
	baseR := make(exact.Mat, k)
	for l := range baseR {
		baseR[l] = pick(base[l])
	}
	var out []face
	none := &NoEscapeProof{Neuron: j, Cover: liftCover(certCover(cover), lift)}
	for _, cell := range cells {
		if opt.expired() {
			return nil, nil, fmt.Errorf("neuron %d: %w", j, errDeadline)
		}
		qc, g := s.cellMap(j, z, cell.Signs, baseR, xs)
		var halfspaces []exact.Vec
		for cc := range z {
			h := xs[cc]
			if cell.Signs[cc] < 0 {
				h = h.Neg()
			}
			halfspaces = append(halfspaces, h)
		}
		// Q_C vanishes on F = {u : h·u ≥ 0, g·u = 0} iff, for every row q_l
		// and sign s, −s·q_l lies in F* = cone(h) + span(g): an LP in
		// α ≥ 0, β = β⁺ − β⁻. Its Farkas alternative is a u ∈ F with
		// s·q_l·u > 0, a witness of escape.
		nz := len(halfspaces)
		proof := FaceProof{Point: lift(cell.Point)}
		var ws []exact.Vec
		if dim == 0 {
			// Every q_l = 0: α = 0, β = 0 for each row and sign.
			for l := 0; l < 2*k; l++ {
				proof.Alpha = append(proof.Alpha, exact.NewVec(nz))
				proof.Beta = append(proof.Beta, new(big.Rat))
			}
			none.Cells = append(none.Cells, proof)
			continue
		}
		A := exact.NewMat(dim, nz+2)
		for r := 0; r < dim; r++ {
			for c, h := range halfspaces {
				A[r][c].Set(h[r])
			}
			A[r][nz].Set(g[r])
			A[r][nz+1].Neg(g[r])
		}
		for l := 0; l < k; l++ {
			for _, sg := range []int64{1, -1} {
				prog := lp.LP{A: A, B: qc[l].Scale(big.NewRat(-sg, 1)), MaxPivots: opt.MaxPivots}
				sol, err := prog.Solve()
				if err != nil {
					return nil, nil, fmt.Errorf("neuron %d: face LP: %w", j, err)
				}
				if sol.Status == lp.Optimal {
					proof.Alpha = append(proof.Alpha, sol.X[:nz])
					proof.Beta = append(proof.Beta, new(big.Rat).Sub(sol.X[nz], sol.X[nz+1]))
					continue
				}
				u := lift(primitive(sol.Farkas))
				if s.Phi(j, u).Sign() != 0 || s.Q(j, u).IsZero() {
					return nil, nil, fmt.Errorf("neuron %d: internal error: face witness %v fails φ_j = 0, Q_j ≠ 0", j, u)
				}
				dup := false
				for _, w := range ws {
					if w.Equal(u) {
						dup = true
					}
				}
				if !dup {
					ws = append(ws, u)
				}
			}
		}
		if len(ws) > 0 {
			// The k ≥ 2 tests work in Q^d: the face in all coordinates.
			full := make([]exact.Vec, len(z))
			for c, i := range z {
				full[c] = s.p.X.Row(i)
			}
			_, gd := s.cellMap(j, z, cell.Signs, base, full)
			var hd []exact.Vec
			for cc, i := range z {
				h := s.p.X.Row(i)
				if cell.Signs[cc] < 0 {
					h = h.Neg()
				}
				hd = append(hd, h)
			}
			out = append(out, face{halfspaces: hd, g: gd, witnesses: ws})
		} else {
			none.Cells = append(none.Cells, proof)
		}
	}
	if len(out) > 0 {
		return out, nil, nil
	}
	return nil, none, nil
}

// cellMap returns the rows q_l of the linear map Q_C of neuron j on the
// closed cell with the given signs on its boundary samples z, and
// g = Q_Cᵀ a_j (nφ_j(u) = g·u on the cell): base (the k rows of
// ρ₊S⁺_j + ρ₋S⁻_j) plus ρ(sign)·r_i x_iᵀ for each boundary sample, with
// xs[c] the vector of z[c] in the coordinates of base.
func (s *state) cellMap(j int, z []int, signs []int8, base exact.Mat, xs []exact.Vec) (exact.Mat, exact.Vec) {
	k := len(base)
	qc := base.Clone()
	var t big.Rat
	for cc, i := range z {
		c := s.rho.Slope(int(signs[cc]))
		for l := 0; l < k; l++ {
			t.Mul(c, s.res(i)[l])
			qc[l].AddScaled(&t, xs[cc])
		}
	}
	g := exact.NewVec(len(qc[0]))
	for l := 0; l < k; l++ {
		g.AddScaled(s.p.Neurons[j].A[l], qc[l])
	}
	return qc, g
}

// face is F = {u : h·u ≥ 0 for h in halfspaces, g·u = 0}, the critical face
// of one closed cell of a neuron's Z_j arrangement, with the LP witnesses
// found on it.
type face struct {
	halfspaces []exact.Vec
	g          exact.Vec
	witnesses  []exact.Vec
}
