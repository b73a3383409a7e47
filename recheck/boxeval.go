package recheck

import (
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// This file evaluates, over a box B of the unknowns of boxsystem.go, the
// quantities the verdict of the unique zero θ* ∈ B is decided from. Each
// is an expression that equals the quantity of docs/theory.md §1–4 at θ* (where
// w_j·x_i = 0 for i ∈ Z_j and the sides of the pattern hold), evaluated in
// interval arithmetic over all of B, so its interval contains the value at
// θ*. Arithmetic only: the re-check of box certificates uses it too.

// BoxEval holds the box and the per-sample quantities over it.
type BoxEval struct {
	s    *BoxSystem
	box  []*exact.Interval
	v    boxUnknowns
	pre  [][]*exact.Interval // pre[b][i] = w_b·x_i, alive b
	r    [][]*exact.Interval // r_i = f(x_i) − y_i on the pattern
	aliv map[int]int         // neuron → alive index
}

// EvalBox evaluates the per-sample quantities over the box.
func (s *BoxSystem) EvalBox(box []*exact.Interval) *BoxEval {
	e := &BoxEval{s: s, box: box, v: s.unpack(box), aliv: map[int]int{}}
	p := s.p
	n, d, k := p.N(), s.d, s.k
	xs := make([][]*exact.Interval, n)
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		xs[i] = make([]*exact.Interval, d)
		for r := range x {
			xs[i][r] = s.ivRat(x[r])
		}
	}
	for b, j := range s.alive {
		e.aliv[j] = b
		row := make([]*exact.Interval, n)
		for i := range p.X.Rows() {
			row[i] = s.newIv()
			for r := 0; r < d; r++ {
				row[i].AddMul(e.v.w[b][r], xs[i][r])
			}
		}
		e.pre = append(e.pre, row)
	}
	e.r = make([][]*exact.Interval, n)
	for i := range p.X.Rows() {
		ri := make([]*exact.Interval, k)
		for l := 0; l < k; l++ {
			t := new(big.Rat).Sub(s.fixed[i][l], p.Y.At(i, l))
			ri[l] = s.ivRat(t)
			if s.bias {
				ri[l].Add(ri[l], e.v.b[l])
			}
		}
		for b := range s.alive {
			sl := s.slope[b][i]
			if sl.Sign() == 0 {
				continue
			}
			z := s.newIv().Mul(s.ivRat(sl), e.pre[b][i])
			for l := 0; l < k; l++ {
				ri[l].AddMul(z, e.v.a[b][l])
			}
		}
		e.r[i] = ri
	}
	return e
}

// side returns the side of sample i for neuron j in θ*: the pattern's side
// for an alive neuron, −1 for a dead one, 0 for a zero neuron (every
// sample is on the hyperplane of w = 0) and for x_i = 0.
func (e *BoxEval) side(j, i int) int8 {
	if e.s.p.X.Row(i).IsZero() {
		return 0
	}
	switch e.s.nb[j].Rule {
	case BoxAlive:
		return e.s.nb[j].Side[i]
	case BoxDead:
		return -1
	}
	return 0
}

// W returns w_j over the box (alive neurons) or exactly (fixed neurons).
func (e *BoxEval) W(j int) []*exact.Interval {
	if b, ok := e.aliv[j]; ok {
		return e.v.w[b]
	}
	w := make([]*exact.Interval, e.s.d)
	for r := range w {
		w[r] = e.s.ivRat(e.s.nb[j].W[r])
	}
	return w
}

// Pre returns w_j·x_i over the box for alive neuron j.
func (e *BoxEval) Pre(j, i int) *exact.Interval { return e.pre[e.aliv[j]][i] }

// Bias returns the output bias over the box (nil without one).
func (e *BoxEval) Bias() []*exact.Interval { return e.v.b }

// SafeStep returns a lower bound of the largest τ with
// |τ δw_l·x_i| < |w_l·x_i| on B for every alive neuron l and sample i off
// Z_l (docs/theory.md §2's safe radius for τΔ), or nil when Δ moves no strict side
// (or ρ₊ = ρ₋: there is no kink): every τ is safe. It is 0 when a strict
// side is not bounded away from 0 on B.
func (e *BoxEval) SafeStep(delta network.Direction) *big.Float {
	s := e.s
	if s.p.Act.Kappa().Sign() == 0 {
		return nil
	}
	var best *big.Float
	for b, j := range s.alive {
		for i := range s.p.X.Rows() {
			x := s.p.X.Row(i)
			if s.nb[j].Side[i] == 0 {
				continue
			}
			t := x.Dot(delta[j].W)
			if t.Sign() == 0 {
				continue
			}
			q := s.newIv().Quo(s.newIv().SetFloat(e.pre[b][i].Mig()), s.ivRat(t.Abs(t)))
			if best == nil || q.Lo.Cmp(best) < 0 {
				best = new(big.Float).Set(&q.Lo)
			}
		}
	}
	return best
}

// A returns a_j over the box (alive neurons) or exactly (fixed neurons).
func (e *BoxEval) A(j int) []*exact.Interval {
	if b, ok := e.aliv[j]; ok {
		return e.v.a[b]
	}
	a := make([]*exact.Interval, e.s.k)
	for l := range a {
		a[l] = e.s.ivRat(e.s.nb[j].A[l])
	}
	return a
}

// Response returns Q_j(u) = Σ_i r_i ρ'(w_j·x_i; x_i·u) at θ*, with the
// sides of θ* (ρ'(z; t) = ρ(t) on the hyperplane).
func (e *BoxEval) Response(j int, u exact.Vec) []*exact.Interval {
	s := e.s
	q := s.ivVec(s.k)
	for i := range s.p.X.Rows() {
		x := s.p.X.Row(i)
		t := x.Dot(u)
		if t.Sign() == 0 {
			continue
		}
		var c *big.Rat
		if sd := e.side(j, i); sd != 0 {
			c = new(big.Rat).Mul(s.p.Act.Slope(int(sd)), t)
		} else {
			c = s.p.Act.Apply(t)
		}
		if c.Sign() == 0 {
			continue
		}
		ci := s.ivRat(c)
		for l := range q {
			q[l].AddMul(ci, e.r[i][l])
		}
	}
	return q
}

// PhiN returns n·φ_j(u) = a_j·Q_j(u) at θ*.
func (e *BoxEval) PhiN(j int, u exact.Vec) *exact.Interval {
	q := e.Response(j, u)
	a := e.A(j)
	out := e.s.newIv()
	for l := range q {
		out.AddMul(a[l], q[l])
	}
	return out
}

// Norm2 returns |v|² over the box.
func (e *BoxEval) Norm2(v []*exact.Interval) *exact.Interval {
	out := e.s.newIv()
	t := e.s.newIv()
	for _, x := range v {
		out.Add(out, t.Sqr(x))
	}
	return out
}

// Multipliers returns, for alive neuron j and its c-th boundary sample i,
// A = ν_i − ρ₋c_i = λ_i κ c_i and B = ρ₊c_i − ν_i = (1 − λ_i) κ c_i with
// c_i = a_j·r_i (docs/theory.md §3 with ν_i = (ρ₋ + λ_i κ) c_i). With F2_j = 0,
// n·φ_j(u) = Σ_{i∈Z_j} [A_i (−x_i·u)₊ + B_i (x_i·u)₊], so (S2) holds when
// every A_i, B_i ≥ 0, and the critical directions {φ_j = 0} are exactly
// V_j = {u : x_i·u = 0, i ∈ Z_j} when every A_i, B_i > 0.
func (e *BoxEval) Multipliers(j, c int) (A, B *exact.Interval) {
	s := e.s
	b := e.aliv[j]
	i := s.nb[j].Z[c]
	ci := s.newIv()
	for l := 0; l < s.k; l++ {
		ci.AddMul(e.v.a[b][l], e.r[i][l])
	}
	nu := e.v.nu[b][c]
	A = s.newIv().Mul(s.ivRat(s.p.Act.Neg), ci)
	A.Sub(nu, A)
	B = s.newIv().Mul(s.ivRat(s.p.Act.Pos), ci)
	B.Sub(B, nu)
	return A, B
}

// Loss returns L(θ*) = (1/2n) Σ_i |r_i|².
func (e *BoxEval) Loss() *exact.Interval {
	out := e.s.newIv()
	for _, ri := range e.r {
		out.Add(out, e.Norm2(ri))
	}
	return out.Quo(out, e.s.newIv().SetInt64(int64(2*e.s.p.N())))
}

// SecondOrder returns the coefficients of the loss change along the
// segment θ* + τΔ, τ ∈ [0, 1] (docs/theory.md §4 test 2, over all alive neurons and
// the output bias):
//
//	L(θ* + τΔ) − L(θ*) = τ² c₂ + τ³ c₃ + τ⁴ c₄,
//	c₂ = Σ_l δa_l·Q_l(δw_l)/n + Σ_i |A_i|²/2n,  c₃ = Σ_i A_i·B_i/n,  c₄ = Σ_i |B_i|²/2n,
//	A_i = Σ_l (δa_l z_li + a_l s_li (x_i·δw_l)) + δb,  B_i = Σ_l δa_l s_li (x_i·δw_l).
//
// It holds when Δ moves only alive neurons (and b), δw_l·x_i = 0 for
// i ∈ Z_l, and Δ is inside the safe radius (|δw_l·x_i| < |w_l·x_i| off
// Z_l), at a stationary θ*: then f is a polynomial along the segment, and
// the first-order part Σ_i r_i·A_i/n = Σ_l [δa_l·G_l + φ_l(δw_l)] + δb·Σ_i r_i/n
// vanishes (G_l = 0 and Σ_i r_i = 0 are equations of the system; φ_l = 0 on
// V_l). db is nil without an output bias.
func (e *BoxEval) SecondOrder(delta network.Direction, db exact.Vec) (c2, c3, c4 *exact.Interval) {
	s := e.s
	p := s.p
	k := s.k
	c2, c3, c4 = s.newIv(), s.newIv(), s.newIv()
	t := s.newIv()
	for _, j := range s.alive {
		q := e.Response(j, delta[j].W)
		for l := 0; l < k; l++ {
			c2.AddMul(s.ivRat(delta[j].A[l]), q[l])
		}
	}
	c2.Add(c2, c2)
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		A := s.ivVec(k)
		B := s.ivVec(k)
		for l := 0; l < k; l++ {
			if db != nil {
				A[l].SetRat(db[l])
			}
		}
		for b, j := range s.alive {
			sl := s.slope[b][i]
			if sl.Sign() == 0 {
				continue
			}
			dw, da := delta[j].W, delta[j].A
			zi := t.Mul(s.ivRat(sl), e.pre[b][i])
			sx := s.ivRat(new(big.Rat).Mul(sl, x.Dot(dw)))
			for l := 0; l < k; l++ {
				dal := s.ivRat(da[l])
				A[l].AddMul(dal, zi)
				A[l].AddMul(e.v.a[b][l], sx)
				B[l].AddMul(dal, sx)
			}
		}
		for l := 0; l < k; l++ {
			c2.Add(c2, t.Sqr(A[l]))
			c3.AddMul(A[l], B[l])
			c4.Add(c4, t.Sqr(B[l]))
		}
	}
	n := s.newIv().SetInt64(int64(p.N()))
	n2 := s.newIv().SetInt64(int64(2 * p.N()))
	c2.Quo(c2, n2)
	c3.Quo(c3, n)
	c4.Quo(c4, n2)
	return c2, c3, c4
}
