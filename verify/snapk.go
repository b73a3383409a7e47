package verify

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/relucert/relucert/exact"
)

// This file is snap for vector output, k ≥ 2 (DESIGN §12, second bullet):
// the big-float layer. With k ≥ 2 the stationary points of a fixed pattern
// are algebraic, not rational (an alive neuron's a_j w_jᵀ is a rank-one
// matrix: a singular-vector problem), so there is no exact rational snap.
// Instead:
//
//  1. the pattern is read off θ̃ by step 1 of snap (classify: dead, zeroed,
//     alive with its boundary samples);
//  2. the pattern's stationarity equations with one gauge per neuron
//     (boxsystem.go) are solved by Newton's method in big.Float, starting
//     from θ̃;
//  3. Krawczyk's test in outward-rounded interval arithmetic proves that
//     exactly one exact zero θ* lies in a small box B around the refined
//     point (krawczyk.go);
//  4. the verdict of θ* is decided from facts that hold on all of B
//     (boxfacts.go): strict sides bounded away from 0, (S2) multipliers
//     strictly inside their bounds, escape witnesses whose |Q_j(u)|² is
//     bounded away from 0, and decreasing paths whose loss change is
//     negative for every point of B — Theorem E for zero neurons, the
//     second-order test of DESIGN §4 (over all alive neurons' critical
//     directions, output weights and the output bias) otherwise. What the
//     box cannot decide (it would need an exact zero) makes the verdict
//     undetermined with the reason;
//  5. the certificate is re-checked by RecheckBox (boxcert.go).

// AlgebraicSnap is what the big-float layer made of a k ≥ 2 candidate.
type AlgebraicSnap struct {
	// Verdict is the verdict on θ* with its certificate. When no box was
	// proved, Kind is Undetermined, Reason says why and Cert is nil.
	Verdict *BoxVerdict
	// RecheckErr is RecheckBox's result (nil: validated; always nil when
	// there is no certificate).
	RecheckErr error
	// Unknowns is the size of the system, NewtonSteps the Newton steps
	// taken, and Residual max |F| at θ̃ (after the gauge), for reports.
	Unknowns, NewtonSteps int
	Residual              *big.Float
	// Prec is the working precision in bits.
	Prec uint
	// Radius is the largest radius of the box (nil without a box).
	Radius *big.Float
	// Center is the box's center as a point (exact dyadic rationals; it
	// approximates θ* within Radius), nil without a box.
	Center *Point
	// Distance ≥ |θ* − θ̃| over all weights (and the output bias).
	Distance *big.Float
}

// snapAlgebraic runs the big-float layer on the pattern pat of step 1.
func (sn *snapper) snapAlgebraic(pat SnapPattern) (*AlgebraicSnap, []Move) {
	p := sn.cand
	out := &AlgebraicSnap{Prec: bigPrec}
	undetermined := func(format string, args ...any) (*AlgebraicSnap, []Move) {
		out.Verdict = &BoxVerdict{Kind: Undetermined, Reason: fmt.Sprintf(format, args...)}
		return out, nil
	}
	nb := algebraicPattern(p, pat)
	s, err := newBoxSystem(p, nb, bigPrec)
	if err != nil {
		return undetermined("the big-float layer cannot use this pattern: %v", err)
	}
	out.Unknowns = s.nvar
	z0 := s.start()
	nt, err := s.newton(z0)
	if nt != nil {
		out.NewtonSteps, out.Residual = nt.steps, nt.residual
	}
	if err != nil {
		return undetermined("θ̃ is not near an isolated stationary point of its pattern: %v", err)
	}
	proof, err := s.krawczyk(nt.z)
	if err != nil {
		return undetermined("no box proved: %v", err)
	}
	cert := &BoxCertificate{Pattern: nb, Prec: bigPrec, Center: proof.center, Radius: proof.radius, Precond: proof.precond}
	out.Radius = maxAbs(proof.radius)
	out.Center = s.centerPoint(proof.center)
	box := s.boxOf(proof.center, proof.radius)
	out.Distance = s.distance(box)
	e := s.evalBox(box)
	out.Verdict = e.decide(cert)
	out.RecheckErr = RecheckBox(p, out.Verdict)
	mv := Move{Rule: "refine", Neuron: -1, Sample: -1, Text: fmt.Sprintf(
		"the alive neurons (one output weight each fixed to the shortest decimal of its float: the gauge) refined by %d Newton steps on the pattern's %d stationarity equations in %d-bit big-float; θ* is the exact zero in a box of radius ≤ %s, |θ* − θ̃| ≤ %s",
		out.NewtonSteps, s.nvar, bigPrec, snapFmtFloat(out.Radius), snapFmtFloat(out.Distance))}
	return out, []Move{mv}
}

// algebraicPattern turns the pattern of step 1 into the box pattern.
// Alive neuron j's gauge output l* is the first with the largest |ã_jl|,
// fixed to α_j = the shortest decimal of ã_jl*. With ρ₊ = ρ₋ (linear)
// there are no boundary samples and every nonzero sample has side +1.
func algebraicPattern(p *Point, pat SnapPattern) []BoxNeuron {
	linear := p.Act.Kappa().Sign() == 0
	nb := make([]BoxNeuron, p.M())
	for j, sj := range pat.Neurons {
		nr := p.Neurons[j]
		switch sj.Rule {
		case RuleDead:
			nb[j] = BoxNeuron{Rule: BoxDead, W: nr.W.Clone(), A: nr.A.Clone()}
		case RuleAlive:
			ls := 0
			for l := range nr.A {
				if new(big.Rat).Abs(nr.A[l]).Cmp(new(big.Rat).Abs(nr.A[ls])) > 0 {
					ls = l
				}
			}
			bn := BoxNeuron{Rule: BoxAlive, Side: append([]int8(nil), sj.Side...), Z: append([]int(nil), sj.Z...),
				Gauge: ls, GaugeValue: snapShortRat(nr.A[ls])}
			if linear {
				bn.Z = nil
				for i, x := range p.X {
					bn.Side[i] = 0
					if !x.IsZero() {
						bn.Side[i] = 1
					}
				}
			}
			nb[j] = bn
		default: // zeroed (the sensitivity-only rules are not made by step 1)
			nb[j] = BoxNeuron{Rule: BoxZero, W: exact.NewVec(p.D()), A: exact.NewVec(p.K())}
		}
	}
	return nb
}

// start returns the start of Newton's method: for alive neuron j,
// (w̃_j/c, c·ã_j) with c = α_j/ã_jl* (the same product a_j w_jᵀ, with the
// gauge output at α_j), the multipliers ν_j minimising |F2_j| there
// ((X_Z X_Zᵀ) ν_j = −X_Z·F2_j(ν = 0)), and b = b̃.
func (s *boxSystem) start() []*big.Float {
	p := s.p
	f := func(r *big.Rat) *big.Float { return new(big.Float).SetPrec(s.prec).SetRat(r) }
	z := make([]*big.Float, s.nvar)
	for i := range z {
		z[i] = new(big.Float).SetPrec(s.prec)
	}
	for b, j := range s.alive {
		nr, bn := p.Neurons[j], s.nb[j]
		c := new(big.Rat).Quo(bn.GaugeValue, nr.A[bn.Gauge])
		for r, w := range nr.W {
			z[s.wIndex(b, r)] = f(new(big.Rat).Quo(w, c))
		}
		for _, l := range s.free[b] {
			z[s.aIndex(b, l)] = f(new(big.Rat).Mul(nr.A[l], c))
		}
	}
	if s.bias {
		for l := 0; l < s.k; l++ {
			z[s.boff+l] = f(p.OutputBias[l])
		}
	}
	F, _ := s.eval(s.thin(z), false)
	for b, j := range s.alive {
		zs := s.nb[j].Z
		if len(zs) == 0 {
			continue
		}
		G := make([][]*big.Float, len(zs))
		rhs := make([]*big.Float, len(zs))
		for c, ic := range zs {
			G[c] = make([]*big.Float, len(zs))
			for e, ie := range zs {
				G[c][e] = f(p.X[ic].Dot(p.X[ie]))
			}
			t := new(big.Float).SetPrec(s.prec)
			for r := 0; r < s.d; r++ {
				t.Sub(t, new(big.Float).SetPrec(s.prec).Mul(f(p.X[ic][r]), F[s.off[b]+r].Mid()))
			}
			rhs[c] = t
		}
		if x, err := bigSolve(G, rhs, s.prec); err == nil { // the rows are independent
			for c := range zs {
				z[s.nuIndex(b, c)] = x[c]
			}
		}
	}
	return z
}

// centerPoint returns the point with the box center's weights (exact
// dyadic rationals) for the alive neurons and the fixed neurons exactly.
func (s *boxSystem) centerPoint(center []*big.Float) *Point {
	p := s.p
	q := &Point{Act: p.Act, X: p.X, Y: p.Y, Neurons: make([]Neuron, p.M())}
	rat := func(f *big.Float) *big.Rat { r, _ := f.Rat(nil); return r }
	for j, bn := range s.nb {
		if bn.Rule != BoxAlive {
			q.Neurons[j] = Neuron{W: bn.W.Clone(), A: bn.A.Clone()}
		}
	}
	for b, j := range s.alive {
		w := exact.NewVec(s.d)
		for r := range w {
			w[r] = rat(center[s.wIndex(b, r)])
		}
		a := exact.NewVec(s.k)
		for l := range a {
			if i := s.aIndex(b, l); i >= 0 {
				a[l] = rat(center[i])
			} else {
				a[l].Set(s.nb[j].GaugeValue)
			}
		}
		q.Neurons[j] = Neuron{W: w, A: a}
	}
	if s.bias {
		q.OutputBias = exact.NewVec(s.k)
		for l := range q.OutputBias {
			q.OutputBias[l] = rat(center[s.boff+l])
		}
	}
	return q
}

// distance returns an upper bound of |θ − θ̃| over θ in the box (all
// weights and the output bias; ν is not a weight).
func (s *boxSystem) distance(box []*exact.Interval) *big.Float {
	p := s.p
	v := s.unpack(box)
	sum := s.newIv()
	t := s.newIv()
	add := func(x *exact.Interval, r *big.Rat) {
		t.Sub(x, s.ivRat(r))
		sum.Add(sum, t.Sqr(t))
	}
	for j, bn := range s.nb {
		if bn.Rule == BoxAlive {
			continue
		}
		for r, w := range p.Neurons[j].W {
			add(s.ivRat(bn.W[r]), w)
		}
		for l, a := range p.Neurons[j].A {
			add(s.ivRat(bn.A[l]), a)
		}
	}
	for b, j := range s.alive {
		for r, w := range p.Neurons[j].W {
			add(v.w[b][r], w)
		}
		for l, a := range p.Neurons[j].A {
			add(v.a[b][l], a)
		}
	}
	if s.bias {
		for l, x := range p.OutputBias {
			add(v.b[l], x)
		}
	}
	hi, _ := sum.Hi.Rat(nil)
	return snapSqrtUp(hi)
}

// decide makes the verdict of θ* from the box (see the file comment) and
// fills the certificate's witnesses.
func (e *boxEval) decide(cert *BoxCertificate) *BoxVerdict {
	s := e.s
	v := &BoxVerdict{Kind: Undetermined, Loss: e.loss(), Cert: cert, Escape: []int{}, Undecided: []int{}}
	if err := e.sidesHold(); err != nil {
		v.Reason = "the box does not prove the pattern of θ̃: " + err.Error()
		return v
	}
	var atBound []string
	for _, j := range s.alive {
		for c, i := range s.nb[j].Z {
			A, B := e.multipliers(j, c)
			if A.Sign() > 0 && B.Sign() > 0 {
				continue
			}
			if A.Sign() < 0 || B.Sign() < 0 {
				if u := e.descentWitness(j, c, A.Sign() < 0); u != nil {
					cert.Descent = &BoxWitness{Neuron: j, U: u}
					v.Kind = NotStationary
					v.Reason = fmt.Sprintf("Theorem S: (S2) fails for neuron %d at θ*: the multiplier of boundary sample %d lies outside [0, 1] on B, and φ_%d(u) < 0 for u with x_%d·u = %s, x·u = 0 on the other boundary samples",
						j, i, j, i, map[bool]string{true: "−1", false: "+1"}[A.Sign() < 0])
					return v
				}
			}
			atBound = append(atBound, fmt.Sprintf("neuron %d, sample %d", j, i))
		}
	}
	if len(atBound) > 0 {
		v.Reason = "(S2) undecided: the multiplier of " + strings.Join(atBound, "; ") + " is not bounded away from 0 and 1 on B"
		return v
	}
	v.Stationary = true
	for j, bn := range s.nb {
		if e.noEscape(j) {
			continue
		}
		var u exact.Vec
		switch bn.Rule {
		case BoxZero:
			u = e.zeroWitness(j)
		case BoxAlive:
			u = e.aliveWitness(j)
		}
		if u != nil {
			v.Escape = append(v.Escape, j)
			cert.Escapes = append(cert.Escapes, BoxWitness{Neuron: j, U: u})
		} else {
			v.Undecided = append(v.Undecided, j)
		}
	}
	for _, w := range cert.Escapes {
		if s.nb[w.Neuron].Rule == BoxZero {
			cert.Path = &BoxPath{Rule: PathTheoremE, Neuron: w.Neuron, U: w.U}
			v.Kind = Saddle
			v.Reason = fmt.Sprintf("Theorem E: zero neuron %d escapes (|Q_%d(u)|² > 0 on B)", w.Neuron, w.Neuron)
			return v
		}
	}
	if len(v.Escape) == 0 && len(v.Undecided) == 0 {
		if v.Loss.Sign() > 0 {
			v.Kind = LocalMin
			v.Reason = "Theorem M: stationary and no escape neuron (every alive neuron's critical set is the line of w_j)"
			return v
		}
		v.Reason = "stationary with no escape neuron (a local minimum by Theorem M), but L(θ*) > 0 is not proved on B: it may be a global minimum"
		return v
	}
	path, why := e.secondOrderPath()
	if path != nil {
		cert.Path = path
		v.Kind = Saddle
		v.Reason = "second-order test of DESIGN §4 on B: along critical directions of the alive neurons with their output weights" +
			map[bool]string{true: " and the output bias", false: ""}[s.bias] + ", c₂ + |c₃| + c₄ < 0"
		return v
	}
	var parts []string
	if len(v.Escape) > 0 {
		parts = append(parts, fmt.Sprintf("neuron(s) %s escape with a_j ≠ 0 and %s", snapInts(v.Escape), why))
	}
	if len(v.Undecided) > 0 {
		parts = append(parts, fmt.Sprintf("whether neuron(s) %s escape needs an exact zero (Q_j ≡ 0 on the critical set), which the box cannot prove", snapInts(v.Undecided)))
	}
	v.Reason = strings.Join(parts, "; ")
	return v
}

// descentWitness returns u with x_i·u = −1 (negA) or +1 for the c-th
// boundary sample i of alive neuron j and x·u = 0 on its other boundary
// samples (the least-norm solution, exact), if φ_j(u) < 0 is proved on B.
func (e *boxEval) descentWitness(j, c int, negA bool) exact.Vec {
	p := e.s.p
	z := e.s.nb[j].Z
	XZ := rowsOf(p.X, z)
	G := exact.NewMat(len(z), len(z))
	for a := range z {
		for b := range z {
			G[a][b] = XZ[a].Dot(XZ[b])
		}
	}
	rhs := exact.NewVec(len(z))
	rhs[c].SetInt64(1)
	if negA {
		rhs[c].SetInt64(-1)
	}
	mu, ok := exact.SolveLinear(G, rhs, len(z))
	if !ok {
		return nil
	}
	u := exact.NewVec(p.D())
	for a := range z {
		u.AddScaled(mu[a], XZ[a])
	}
	if e.phiN(j, u).Sign() >= 0 {
		return nil
	}
	return u
}

// bestWitness returns the candidate u with the largest |Q_j(u)|²/|u|² (at
// the box's midpoints) if |Q_j(u)|² > 0 is proved on B, else nil.
func (e *boxEval) bestWitness(j int, cands []exact.Vec) exact.Vec {
	var best exact.Vec
	var bestV *big.Float
	var bestQ *exact.Interval
	for _, u := range cands {
		q2 := e.norm2(e.response(j, u))
		val := new(big.Float).Quo(q2.Mid(), new(big.Float).SetRat(u.Norm2()))
		if best == nil || val.Cmp(bestV) > 0 {
			best, bestV, bestQ = u, val, q2
		}
	}
	if best == nil || bestQ.Sign() <= 0 {
		return nil
	}
	return best
}

// zeroWitness looks for an escape witness of zero neuron j among ±e_c and
// ±x_i (a choice made from the data only).
func (e *boxEval) zeroWitness(j int) exact.Vec {
	p := e.s.p
	var cands []exact.Vec
	for c := 0; c < p.D(); c++ {
		u := exact.NewVec(p.D())
		u[c].SetInt64(1)
		cands = append(cands, u, u.Neg())
	}
	for _, x := range p.X {
		if !x.IsZero() {
			cands = append(cands, x, x.Neg())
		}
	}
	return e.bestWitness(j, cands)
}

// aliveWitness looks for an escape witness of alive neuron j among the
// basis vectors of V_j (Q_j is linear on V_j, so Q_j ≢ 0 there iff it is
// nonzero on a basis vector).
func (e *boxEval) aliveWitness(j int) exact.Vec {
	return e.bestWitness(j, criticalBasis(e.s.p, e.s.nb[j].Z))
}

// criticalBasis returns a basis of V = {u : x_i·u = 0, i ∈ Z} (primitive
// integer vectors; the unit vectors when Z is empty).
func criticalBasis(p *Point, z []int) []exact.Vec {
	d := p.D()
	if len(z) == 0 {
		var out []exact.Vec
		for c := 0; c < d; c++ {
			u := exact.NewVec(d)
			u[c].SetInt64(1)
			out = append(out, u)
		}
		return out
	}
	var out []exact.Vec
	for _, u := range exact.Nullspace(rowsOf(p.X, z), d) {
		out = append(out, primitive(u))
	}
	return out
}
