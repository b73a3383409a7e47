package verify

import (
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/relucert/relucert/exact"
)

// This file is snap's planner: on one pattern it finds, in float64, the
// stationary point of the pattern nearest θ̃ — the least squares' fitted
// values and multipliers, then the point of the optimal set nearest θ̃ in
// the weights — and predicts whether the exact point will keep every
// strict side and satisfy the (S2) inequalities. A prediction of failure
// selects a neighbouring pattern (snap.go) without any exact work; a
// prediction of success hands snapsolve.go the exact structure it solves:
//
//   - a basis B of the columns of [M̄; C̄], chosen modulo a prime (so it is a
//     basis over Q up to a verified exception), preferring the columns a
//     pivoted float QR ranks first (well conditioned);
//   - values for the other, free, coordinates F: the planned ones, rounded
//     to short dyadic rationals. With P_F fixed the least squares over P_B
//     attains the same optimum (the columns B span those of F), so the
//     exact solve is one nonsingular KKT system and its solution is a
//     stationary point of the pattern iff the inequalities hold — which
//     snapsolve.go checks exactly.

// snapPlan is the planner's proposal for one pattern.
type snapPlan struct {
	sys   *snapSystem
	basis []int // B (ascending)
	free  []int // F (ascending)
	crows []int // the boundary rows kept (independent); all when tUnique
	// tUnique reports that the boundary rows are independent, so the
	// multipliers t are unique and their inequalities decide (S2) on
	// the pattern.
	tUnique bool
	P       []float64 // planned coordinates (natural units)
	r       []float64 // planned residuals
	t       []float64 // planned multipliers, one per boundary row
	p       [][]float64
	// QP reports that the nearest point of the optimal set broke strict
	// sides and the plan is the nearest point that keeps them (keepSides).
	QP bool
	// parallel marks the groups whose product is split in proportion to
	// a_j² (every member parallel to P_g), because the nearest split
	// breaks a member's side and the proportional one does not.
	parallel []bool
	// Problems the plan predicts (float64 values; exact ones are computed
	// by snapsolve.go when the plan goes ahead).
	s2    *snapBlame
	flips []SignFlip
	far   []int
	// collapsed lists the alive neurons whose planned product vanishes
	// (|p_j| ≤ 10⁻³|ã_j w̃_j|): the pattern's nearest stationary point has
	// no such neuron, and zeroing it is the neighbouring pattern to try.
	collapsed []int
	dist      float64
}

// failure says why the plan predicts no stationary point on its pattern.
func (pl *snapPlan) failure() *SnapFailure {
	if len(pl.flips) > 0 {
		return &SnapFailure{Flips: pl.flips, Reason: "the float plan: " + snapFlipReason(pl.flips)}
	}
	if pl.s2 != nil {
		return &SnapFailure{Reason: fmt.Sprintf("the float plan: the pattern's stationary point breaks an (S2) inequality at boundary sample %d of neuron %d (its multiplier leaves [ρ₋r_i, ρ₊r_i], or κ·a_j·r_i < 0)", pl.s2.sample, pl.s2.neuron)}
	}
	if len(pl.far) > 0 {
		return &SnapFailure{Reason: fmt.Sprintf("the float plan: the pattern's nearest stationary point moves neuron %d by more than its own size (|w − w̃| > |w̃|): it is not near θ̃", pl.far[0])}
	}
	return nil
}

// snapBlame is the boundary sample whose (S2) inequality fails the most.
type snapBlame struct {
	neuron, sample int
}

// plan runs the planner on a system.
func (s *snapSystem) plan() *snapPlan {
	pl := &snapPlan{sys: s}
	poll := func() { s.sn.poll.now(stagePlan) }
	poll()
	Af := s.floatRows()
	n := s.n
	// Metric and target in group coordinates.
	gam := make([]float64, s.N)
	phat := make([]float64, s.N)
	for g, gr := range s.groups {
		for _, j := range gr.neurons {
			a, _ := s.a[j].Float64()
			for c := 0; c < s.d; c++ {
				gam[g*s.d+c] += a * a
				w, _ := s.sn.cand.Neurons[j].W[c].Float64()
				phat[g*s.d+c] += a * w
			}
		}
	}
	if s.bias {
		gam[s.N-1] = 1
		phat[s.N-1], _ = s.sn.cand.OutputBias[0].Float64()
	}
	// Column order: pivoted QR of the float system.
	order := factorQRPoll(Af, true, poll).perm
	Abar := s.intRows()
	pl.basis = exact.IndependentColumns(Abar, order)
	slices.Sort(pl.basis)
	inB := make([]bool, s.N)
	for _, c := range pl.basis {
		inB[c] = true
	}
	for c := 0; c < s.N; c++ {
		if !inB[c] {
			pl.free = append(pl.free, c)
		}
	}
	// Independent boundary rows (over B's columns).
	poll()
	pl.crows = s.independentCRows(Abar, pl.basis)
	poll()
	pl.tUnique = len(pl.crows) == len(s.zrows)
	r := len(pl.basis)
	zk := len(pl.crows)
	MB := newFmat(n, r)
	CB := newFmat(zk, r)
	for k, c := range pl.basis {
		for i := 0; i < n; i++ {
			MB.set(i, k, Af.at(i, c))
		}
		for q, row := range pl.crows {
			CB.set(q, k, Af.at(n+row, c))
		}
	}
	// Fit: least squares of y over {M_B P_B : C_B P_B = 0}.
	var Q2 fmat
	var cqr *fqr
	if zk > 0 {
		CBt := newFmat(r, zk)
		for q := 0; q < zk; q++ {
			for k := 0; k < r; k++ {
				CBt.set(k, q, CB.at(q, k))
			}
		}
		cqr = factorQRPoll(CBt, false, poll)
		Q2 = cqr.nullBasis(zk)
	} else {
		Q2 = newFmat(r, r)
		for k := 0; k < r; k++ {
			Q2.set(k, k, 1)
		}
	}
	G := newFmat(n, Q2.c)
	for i := 0; i < n; i++ {
		for k := 0; k < Q2.c; k++ {
			sum := 0.0
			for l := 0; l < r; l++ {
				sum += MB.at(i, l) * Q2.at(l, k)
			}
			G.set(i, k, sum)
		}
	}
	u := factorQRPoll(G, true, poll).lstsq(s.yf, Q2.c)
	PB0 := Q2.mulVec(u)
	f := MB.mulVec(PB0)
	pl.r = make([]float64, n)
	for i := range f {
		pl.r[i] = f[i] - s.yf[i]
	}
	// Multipliers: C_Bᵀ t = −M_Bᵀ r.
	pl.t = make([]float64, len(s.zrows))
	if zk > 0 {
		rhs := MB.tMulVec(pl.r)
		for k := range rhs {
			rhs[k] = -rhs[k]
		}
		tk := cqr.lstsq(rhs, zk)
		for q, row := range pl.crows {
			pl.t[row] = tk[q]
		}
	}
	// Nearest point: P_B = P_B0 + T·P_F with A_B T = −A_F.
	rows := append(append([]int{}, seq(n)...), func() []int {
		out := make([]int, zk)
		for q, row := range pl.crows {
			out[q] = n + row
		}
		return out
	}()...)
	AB := newFmat(len(rows), r)
	for q, i := range rows {
		for k, c := range pl.basis {
			AB.set(q, k, Af.at(i, c))
		}
	}
	P := make([]float64, s.N)
	for k, c := range pl.basis {
		P[c] = PB0[k]
	}
	if nf := len(pl.free); nf > 0 {
		abqr := factorQRPoll(AB, false, poll)
		T := newFmat(r, nf)
		col := make([]float64, len(rows))
		for k, c := range pl.free {
			poll()
			for q, i := range rows {
				col[q] = -Af.at(i, c)
			}
			x := abqr.lstsq(col, r)
			for l := 0; l < r; l++ {
				T.set(l, k, x[l])
			}
		}
		L := newFmat(nf+r, nf)
		rhs := make([]float64, nf+r)
		for k, c := range pl.free {
			sg := 1 / math.Sqrt(gam[c])
			L.set(k, k, sg)
			rhs[k] = phat[c] * sg
		}
		for l, c := range pl.basis {
			sg := 1 / math.Sqrt(gam[c])
			for k := 0; k < nf; k++ {
				L.set(nf+l, k, T.at(l, k)*sg)
			}
			rhs[nf+l] = (phat[c] - PB0[l]) * sg
		}
		lqr := factorQRPoll(L, false, poll)
		PF := lqr.lstsq(rhs, nf)
		setP := func(PF []float64) {
			for k, c := range pl.free {
				P[c] = PF[k]
			}
			TP := T.mulVec(PF)
			for l, c := range pl.basis {
				P[c] = PB0[l] + TP[l]
			}
		}
		setP(PF)
		pl.P = P
		pl.distribute()
		pl.predict()
		if len(pl.flips) > 0 {
			// The nearest point of the optimal set breaks strict sides: find
			// the nearest one that keeps them all, with a margin (a convex
			// QP over P_F).
			if PF2, ok := pl.keepSides(lqr, rhs, T, PB0); ok {
				setP(PF2)
				pl.QP = true
			}
		}
	}
	pl.P = P
	pl.distribute()
	pl.predict()
	return pl
}

// keepSides solves min |L·P_F − rhs|² subject to every strict side of every
// alive neuron with a margin, sign(a_j)·side_ij·(p_j·x_i) ≥ 10⁻⁶|p̂_j||x_i|,
// where P_B = P_B0 + T·P_F and p_j is the split of its group's product.
// With L = QR (R upper triangular, nf × nf) and u = R·P_F this is the
// projection of u₀ = (Qᵀrhs)₁…nf onto a polyhedron (projectQP).
func (pl *snapPlan) keepSides(lqr *fqr, rhs []float64, T fmat, PB0 []float64) ([]float64, bool) {
	s := pl.sys
	nf := len(pl.free)
	for k := 0; k < nf; k++ {
		if math.Abs(lqr.r(k, k)) == 0 {
			return nil, false
		}
	}
	cand := s.sn.cand
	sc := &sideConstraints{pl: pl, lqr: lqr, T: T, PB0: PB0, P: make([]float64, s.N), PF: make([]float64, nf)}
	for g, gr := range s.groups {
		// p_j = off_j + f_j·P_g (the split), per neuron.
		gam := 0.0
		for _, j := range gr.neurons {
			a, _ := s.a[j].Float64()
			gam += a * a
		}
		Pg := pl.P[g*s.d : (g+1)*s.d]
		for _, j := range gr.neurons {
			a, _ := s.a[j].Float64()
			f := a * a / gam
			off := make([]float64, s.d)
			for c := range off {
				off[c] = pl.p[j][c] - f*Pg[c]
			}
			pn := 0.0
			for c := 0; c < s.d; c++ {
				w, _ := cand.Neurons[j].W[c].Float64()
				pn += a * w * a * w
			}
			pn = math.Sqrt(pn)
			sa := float64(s.a[j].Sign())
			for i, x := range s.xf {
				sd := gr.side[i]
				if sd == 0 {
					continue
				}
				xn := fnorm(x)
				sc.cons = append(sc.cons, sideConstraint{g: g, x: x, off: off, f: f, sg: sa * float64(sd), margin: 1e-6 * pn * xn, scale: pn*xn + 1e-300})
			}
		}
	}
	b := append([]float64(nil), rhs...)
	lqr.qt(b)
	u0 := b[:nf]
	// The QP's objective is |u − u0|² + ρ0² with ρ0² = |rhs|² − |u0|², and
	// it is at least Σ_j |w_j − w̃_j|² + (b − b̃)² summed over the alive
	// neurons, for every split of the groups' products (Cauchy–Schwarz:
	// |P_g − P̂_g|² ≤ Σ_{j∈g} a_j² · Σ_{j∈g} |w_j − w̃_j|²). Past
	// Σ_j |w̃_j|² + b̃² some neuron (or b) moves further than its own size:
	// the answer would not be near θ̃, and the projection stops there.
	far2 := 0.0
	for _, gr := range s.groups {
		for _, j := range gr.neurons {
			for c := 0; c < s.d; c++ {
				w, _ := cand.Neurons[j].W[c].Float64()
				far2 += w * w
			}
		}
	}
	if s.bias {
		bt, _ := cand.OutputBias[0].Float64()
		far2 += bt * bt
	}
	far2 -= fdot(rhs, rhs) - fdot(u0, u0)
	if far2 <= 0 {
		return nil, false
	}
	poll := func() { s.sn.poll.now(stageKeepSides) }
	u, ok := projectQP(u0, len(sc.cons), sc, 20*(nf+len(sc.cons)), far2, poll)
	if !ok {
		return nil, false
	}
	return sc.pf(u), true
}

// sideConstraints are keepSides' constraints in the coordinates u = R·P_F
// of its QP: sg·(p_j·x_i) ≥ margin for every strict side, p_j the split of
// its group's product (affine in P_F: P_B = P_B0 + T·P_F). Their rows
// (R⁻ᵀ times the row in P_F, O(nf²) each) are formed only for the
// constraints the QP adds; the slacks of all of them come from P itself.
type sideConstraints struct {
	pl    *snapPlan
	lqr   *fqr
	T     fmat
	PB0   []float64
	cons  []sideConstraint
	P, PF []float64 // scratch
}

// sideConstraint is sg·x·(off + f·P_g) ≥ margin.
type sideConstraint struct {
	g                    int
	x, off               []float64
	f, sg, margin, scale float64
}

// pf returns P_F = R⁻¹u (back substitution; L was not pivoted).
func (sc *sideConstraints) pf(u []float64) []float64 {
	nf := len(u)
	PF := make([]float64, nf)
	for k := nf - 1; k >= 0; k-- {
		v := u[k]
		for l := k + 1; l < nf; l++ {
			v -= sc.lqr.r(k, l) * PF[l]
		}
		PF[k] = v / sc.lqr.r(k, k)
	}
	return PF
}

// value returns sg·x·(off + f·P_g) for the products P.
func (c *sideConstraint) value(P []float64) float64 {
	d := len(c.x)
	Pg := P[c.g*d : (c.g+1)*d]
	v := 0.0
	for k, xc := range c.x {
		v += xc * (c.off[k] + c.f*Pg[k])
	}
	return c.sg * v
}

func (sc *sideConstraints) slacks(u, v []float64) bool {
	pl := sc.pl
	PF := sc.pf(u)
	for k, c := range pl.free {
		sc.P[c] = PF[k]
	}
	TP := sc.T.mulVec(PF)
	for l, c := range pl.basis {
		sc.P[c] = sc.PB0[l] + TP[l]
	}
	for k := range sc.cons {
		c := &sc.cons[k]
		v[k] = (c.value(sc.P) - c.margin) / c.scale
	}
	return true
}

func (sc *sideConstraints) constraint(k int) ([]float64, float64) {
	pl := sc.pl
	c := &sc.cons[k]
	d := len(c.x)
	nf := len(pl.free)
	// The row in P_F: sg·f·Σ_c x_c·∂P_{g,c}/∂P_F (group g's coordinates
	// are g·d … g·d + d − 1; b's, the last, is in no group); and the value
	// at P_F = 0.
	gr := make([]float64, nf)
	for k, col := range pl.free {
		if col/d == c.g {
			gr[k] += c.sg * c.f * c.x[col%d]
		}
	}
	for l, col := range pl.basis {
		if col/d != c.g {
			continue
		}
		w := c.sg * c.f * c.x[col%d]
		for k, t := range sc.T.a[l*sc.T.c : (l+1)*sc.T.c] {
			gr[k] += w * t
		}
	}
	for k := range sc.P {
		sc.P[k] = 0
	}
	for l, col := range pl.basis {
		sc.P[col] = sc.PB0[l]
	}
	h := c.margin - c.value(sc.P)
	// In u = R·P_F: solve Rᵀ y = gr (forward substitution).
	y := make([]float64, nf)
	for col := 0; col < nf; col++ {
		v := gr[col]
		for l := 0; l < col; l++ {
			v -= sc.lqr.r(l, col) * y[l]
		}
		y[col] = v / sc.lqr.r(col, col)
	}
	return y, h
}

func (sc *sideConstraints) tol() float64 { return 1e-12 }

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// independentCRows returns the boundary rows whose restrictions to the
// basis columns are independent (modulo a prime), in order.
func (s *snapSystem) independentCRows(Abar [][]big.Int, basis []int) []int {
	z := len(s.zrows)
	if z == 0 {
		return nil
	}
	T := make([][]big.Int, len(basis)) // (C̄_B)ᵀ: rows = basis columns
	for k, c := range basis {
		T[k] = make([]big.Int, z)
		for q := 0; q < z; q++ {
			T[k][q].Set(&Abar[s.n+q][c])
		}
	}
	return exact.IndependentColumns(T, seq(z))
}

// distribute splits each group's planned product among its neurons,
// nearest θ̃ in the weights: p_j = q_j + (a_j²/Σ_g a_l²)(P_g − Σ_g q_l)
// with q_j = a_j w̃_j projected onto the group's constraint space.
func (pl *snapPlan) distribute() {
	s := pl.sys
	cand := s.sn.cand
	pl.p = make([][]float64, cand.M())
	pl.parallel = make([]bool, len(s.groups))
	for g, gr := range s.groups {
		Pg := pl.P[g*s.d : (g+1)*s.d]
		if len(gr.neurons) == 1 {
			pl.p[gr.neurons[0]] = append([]float64(nil), Pg...)
			continue
		}
		var zq *fqr
		if len(gr.z) > 0 {
			Zt := newFmat(s.d, len(gr.z))
			for k, i := range gr.z {
				for c := 0; c < s.d; c++ {
					Zt.set(c, k, s.xf[i][c])
				}
			}
			zq = factorQR(Zt, true)
		}
		sum := make([]float64, s.d)
		gam := 0.0
		qs := make([][]float64, len(gr.neurons))
		for k, j := range gr.neurons {
			a, _ := s.a[j].Float64()
			q := make([]float64, s.d)
			for c := range q {
				w, _ := cand.Neurons[j].W[c].Float64()
				q[c] = a * w
			}
			if zq != nil {
				// Remove the component in span{x_i : i ∈ Z}.
				v := append([]float64(nil), q...)
				zq.qt(v)
				rk := zq.rank(1e-12)
				for c := 0; c < rk; c++ {
					v[c] = 0
				}
				zq.qmul(v)
				q = v
			}
			qs[k] = q
			gam += a * a
			for c := range sum {
				sum[c] += q[c]
			}
		}
		split := make([][]float64, len(gr.neurons))
		for k, j := range gr.neurons {
			a, _ := s.a[j].Float64()
			out := make([]float64, s.d)
			for c := range out {
				out[c] = qs[k][c] + a*a/gam*(Pg[c]-sum[c])
			}
			split[k] = out
		}
		// When the nearest split breaks a member's side but the group's
		// product keeps them all (its members' a have one sign), split in
		// proportion instead (p_j = (a_j²/Σ a_l²)·P_g: every member has the
		// group's sides). Neurons that training is aligning end this way.
		pl.parallel[g] = pl.oneSign(gr) && !pl.sidesKept(gr, split) && pl.sidesKept(gr, nil)
		for k, j := range gr.neurons {
			if pl.parallel[g] {
				a, _ := s.a[j].Float64()
				out := make([]float64, s.d)
				for c := range out {
					out[c] = a * a / gam * Pg[c]
				}
				split[k] = out
			}
			pl.p[j] = split[k]
		}
	}
}

// oneSign reports whether the group's output weights have one sign.
func (pl *snapPlan) oneSign(gr snapGroup) bool {
	for _, j := range gr.neurons {
		if pl.sys.a[j].Sign() != pl.sys.a[gr.neurons[0]].Sign() {
			return false
		}
	}
	return true
}

// sidesKept reports whether the split ps (one product per neuron of the
// group; nil: the group's product for every neuron) keeps every strict side
// of the group, with a relative margin of 10⁻⁹.
func (pl *snapPlan) sidesKept(gr snapGroup, ps [][]float64) bool {
	s := pl.sys
	g := s.group[gr.neurons[0]]
	for k, j := range gr.neurons {
		pj := pl.P[g*s.d : (g+1)*s.d]
		if ps != nil {
			pj = ps[k]
		}
		sa := float64(s.a[j].Sign())
		for i, x := range s.xf {
			if sd := gr.side[i]; sd != 0 && sa*float64(sd)*fdot(pj, x) <= 1e-9*fnorm(pj)*fnorm(x) {
				return false
			}
		}
	}
	return true
}

// predict fills the plan's predicted problems: (S2) inequalities, strict
// sides, neurons moved further than their own size, and the distance.
func (pl *snapPlan) predict() {
	pl.s2, pl.flips, pl.far, pl.collapsed = nil, nil, nil, nil
	s := pl.sys
	cand := s.sn.cand
	kappa := s.spf - s.snf
	rscale := 0.0 // the size of y, r and t: float noise is relative to it
	for _, v := range s.yf {
		rscale = math.Max(rscale, math.Abs(v))
	}
	for _, v := range pl.r {
		rscale = math.Max(rscale, math.Abs(v))
	}
	for _, v := range pl.t {
		rscale = math.Max(rscale, math.Abs(v))
	}
	tol := 1e-9 * (rscale + 1e-300)
	worst := tol
	for k, zr := range s.zrows {
		if !pl.tUnique {
			break
		}
		g, i := zr[0], zr[1]
		ri, t := pl.r[i], pl.t[k]
		lo, hi := math.Min(s.snf*ri, s.spf*ri), math.Max(s.snf*ri, s.spf*ri)
		v := math.Max(lo-t, t-hi)
		for _, j := range s.groups[g].neurons {
			sa := float64(s.a[j].Sign())
			v = math.Max(v, -kappa*sa*ri)
		}
		if v > worst {
			worst = v
			pl.s2 = &snapBlame{neuron: s.groups[g].neurons[0], sample: i}
		}
	}
	d2 := 0.0
	for g, gr := range s.groups {
		for _, j := range gr.neurons {
			a, _ := s.a[j].Float64()
			pj := pl.p[j]
			wn, dn := 0.0, 0.0
			w := make([]float64, s.d)
			for c := range w {
				w[c] = pj[c] / a
				wt, _ := cand.Neurons[j].W[c].Float64()
				dn += (w[c] - wt) * (w[c] - wt)
				wn += wt * wt
			}
			at, _ := cand.Neurons[j].A[0].Float64()
			d2 += dn + (a-at)*(a-at)
			if dn > wn {
				pl.far = append(pl.far, j)
			}
			pn := fnorm(pj)
			if pn <= 1e-3*math.Abs(at)*math.Sqrt(wn) {
				pl.collapsed = append(pl.collapsed, j)
			}
			for i, x := range s.xf {
				sd := gr.side[i]
				if sd == 0 {
					continue
				}
				v := fdot(pj, x) * float64(s.a[j].Sign()) * float64(sd)
				if v < -1e-9*pn*fnorm(x) {
					pl.flips = append(pl.flips, SignFlip{Neuron: j, Sample: i, Side: sd, Pre: new(big.Rat).SetFloat64(v / a * float64(s.a[j].Sign()) * float64(sd))})
				}
			}
		}
		_ = g
	}
	if s.bias {
		bt, _ := cand.OutputBias[0].Float64()
		d2 += (pl.P[s.N-1] - bt) * (pl.P[s.N-1] - bt)
	}
	pl.dist = math.Sqrt(d2)
}
