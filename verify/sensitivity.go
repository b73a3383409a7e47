package verify

import (
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/relucert/relucert/exact"
)

// This file holds step 5 of snap (docs/theory.md §6: re-verify under the
// neighbouring choices) and the certified stationarity residuals of a float
// point (the substitute for an exact snap when k ≥ 2).

// NeuronResidual is the stationarity residual of one neuron of a point,
// computed exactly from its rational values.
type NeuronResidual struct {
	// G is the output-weight gradient G_j, exact; GNorm ≥ |G_j|.
	G     exact.Vec
	GNorm *big.Float
	// S2 is R_j ≥ 0 with φ_j(u) ≥ −R_j·|u| for every u ∈ R^d:
	// R_j = (1/n)(|v| + Σ_{i∈Z⁻} |κc_i||x_i|) with v and c_i = a_j·r_i as in
	// docs/theory.md §3 (rounded up). When Z_j = ∅ it is |∇_{w_j} L|.
	S2 *big.Float
	// Boundary is the exact Z_j (nonzero samples with w_j·x_i = 0).
	Boundary []int
}

// Residuals certifies how far a point is from stationary: for every
// direction Δ, L'(θ; Δ) ≥ −Bound·|Δ| (Cauchy–Schwarz on
// L'(θ; Δ) = δb·ḡ + Σ_j δa_j·G_j + φ_j(δw_j) ≥ −|ḡ||δb| − Σ_j |G_j||δa_j| + R_j|δw_j|,
// the δb term only with an output bias, ḡ = (1/n)Σ_i r_i).
// Every bound is an upper bound of the exact quantity, computed from the
// exact rational values and rounded up.
type Residuals struct {
	// Loss is L(θ), exact.
	Loss    *big.Rat
	Neurons []NeuronResidual
	// BiasGradient is ḡ = ∂L/∂b, exact, and BiasNorm ≥ |ḡ|; both nil
	// without an output bias.
	BiasGradient exact.Vec
	BiasNorm     *big.Float
	// Bound ≥ sqrt(|ḡ|² + Σ_j |G_j|² + R_j²).
	Bound *big.Float
}

// StationarityResiduals returns the certified stationarity residuals of p
// (any k). It is what snap reports for k ≥ 2, where there is no exact snap.
func StationarityResiduals(p *Point) (*Residuals, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return snapResiduals(p), nil
}

// snapResiduals computes the residuals of a valid point.
func snapResiduals(p *Point) *Residuals {
	s := newState(p)
	res := &Residuals{Loss: Loss(p)}
	total := new(big.Rat)
	nf := snapUpFloat().SetInt64(int64(p.N()))
	for j := range p.Neurons {
		g := s.G(j)
		nr := NeuronResidual{G: g, GNorm: snapSqrtUp(g.Norm2()), Boundary: s.pt.Boundary(j)}
		bt := s.boundary(j)
		r := snapUpFloat().Set(snapSqrtUp(bt.v.Norm2()))
		for _, i := range bt.zMinus {
			t := snapUpFloat().SetRat(new(big.Rat).Abs(bt.kc[i]))
			t.Mul(t, snapSqrtUp(p.X.Row(i).Norm2()))
			r.Add(r, t)
		}
		r.Quo(r, nf)
		nr.S2 = r
		res.Neurons = append(res.Neurons, nr)
		r2 := snapUpFloat().Mul(r, r)
		rr, _ := r2.Rat(nil)
		total.Add(total, g.Norm2())
		total.Add(total, rr)
	}
	if p.HasOutputBias() {
		res.BiasGradient = s.BiasGradient()
		res.BiasNorm = snapSqrtUp(res.BiasGradient.Norm2())
		total.Add(total, res.BiasGradient.Norm2())
	}
	res.Bound = snapSqrtUp(total)
	return res
}

// snapUpFloat returns a zero big.Float of precision snapPrec rounding towards
// +∞ (sums and products of non-negative numbers round up).
func snapUpFloat() *big.Float { return new(big.Float).SetPrec(snapPrec).SetMode(big.ToPositiveInf) }

// snapChoice is one alternative pattern of the sensitivity step.
type snapChoice struct {
	desc   string
	neuron int
	pat    SnapPattern
}

// sensitivity is step 5: it re-verifies the neighbouring choices of the
// final pattern and records as fragile those that reach a different
// verdict on a stationary point (saddle, local-min, global-min,
// undetermined). A neighbouring choice whose exact point is not stationary,
// or that cannot be snapped, is listed in Neighbours but is not an
// alternative: the float candidate is not near a stationary point of that
// pattern.
//   - a dead neuron with samples within τ of its hyperplane: those samples
//     put on it (a_j = 0 when the neuron is tiny);
//   - a zeroed (tiny) neuron kept instead: alive with its θ̃ pattern when
//     both its weights are nonzero, else kept exactly as given;
//   - all tiny dead neurons zeroed at once (the vanishing-initialisation
//     limit, docs/theory.md §6 "Why the rules matter").
func (sn *snapper) sensitivity(res *SnapResult) {
	limit := sn.opt.MaxNeighbours
	if limit == 0 {
		limit = DefaultSnapNeighbours
	}
	if limit < 0 || !res.Scalar {
		return
	}
	p := sn.cand
	base := res.Pattern
	var choices []snapChoice
	for _, j := range base.Dead {
		sj := base.Neurons[j]
		if len(sj.Near) == 0 {
			continue
		}
		np := snapClonePattern(base)
		nj := &np.Neurons[j]
		nj.Rule = RuleDeadOnBoundary
		nj.Z = append([]int(nil), sj.Near...)
		for _, i := range sj.Near {
			nj.Side[i] = 0
		}
		aNote := fmt.Sprintf("a_%d = ã_%d kept", j, j)
		if sj.Tiny {
			aNote = fmt.Sprintf("a_%d = 0: the neuron is tiny", j)
		}
		choices = append(choices, snapChoice{neuron: j, pat: np,
			desc: fmt.Sprintf("dead neuron %d put on the hyperplane of its near sample(s) %s (%s)", j, snapInts(sj.Near), aNote)})
	}
	for _, j := range base.Zeroed {
		nr := p.Neurons[j]
		if nr.W.IsZero() && nr.A.IsZero() {
			continue
		}
		np := snapClonePattern(base)
		nj := &np.Neurons[j]
		if nr.W.IsZero() || nr.A.IsZero() {
			nj.Rule = RuleKept
			nj.Side = nil
			choices = append(choices, snapChoice{neuron: j, pat: np,
				desc: fmt.Sprintf("tiny neuron %d kept exactly as given instead of zeroed", j)})
			continue
		}
		nj.Rule = RuleAlive
		nj.Side = make([]int8, p.N())
		nj.Z = nil
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			if x.IsZero() {
				continue
			}
			if sn.near(nr.W, x) {
				nj.Z = append(nj.Z, i)
				continue
			}
			nj.Side[i] = int8(nr.W.Dot(x).Sign())
		}
		np.Zeroed = slices.DeleteFunc(np.Zeroed, func(k int) bool { return k == j })
		np.Alive = append(np.Alive, j)
		slices.Sort(np.Alive)
		choices = append(choices, snapChoice{neuron: j, pat: np,
			desc: fmt.Sprintf("tiny neuron %d kept alive (in the least squares with its θ̃ pattern) instead of zeroed", j)})
	}
	var tinyDead []int
	for _, j := range base.Dead {
		if base.Neurons[j].Tiny {
			tinyDead = append(tinyDead, j)
		}
	}
	if len(tinyDead) > 0 {
		np := snapClonePattern(base)
		for _, j := range tinyDead {
			np.Neurons[j].Rule = RuleZeroed
		}
		choices = append(choices, snapChoice{neuron: -1, pat: np,
			desc: fmt.Sprintf("the tiny dead neuron(s) %s zeroed (the vanishing-initialisation limit)", snapInts(tinyDead))})
	}
	if len(choices) > limit {
		choices = choices[:limit]
		res.NeighboursCapped = true
	}
	var stop *stopped
	for _, c := range choices {
		var out *snapOutcome
		if stop == nil {
			stop = catchStop(func() { out = sn.snapPattern(c.pat) })
		}
		if stop != nil {
			res.Neighbours = append(res.Neighbours, Neighbour{Choice: c.desc, Neuron: c.neuron,
				Failure: &SnapFailure{Reason: "not re-verified: " + budgetReason(*stop, "")}})
			continue
		}
		nb := Neighbour{Choice: c.desc, Neuron: c.neuron, Verdict: out.verdict, Failure: out.failure, Point: out.point}
		if out.verdict != nil && out.verdict.Kind != NotStationary && res.Verdict != nil && out.verdict.Kind != res.Verdict.Kind {
			nb.Changes = true
			res.Fragile = append(res.Fragile, fmt.Sprintf("fragile: %s gives %s instead of %s", c.desc,
				snapDescribe(out.verdict), snapDescribe(res.Verdict)))
		}
		res.Neighbours = append(res.Neighbours, nb)
	}
}

// snapDescribe formats a verdict as "saddle (escape neurons [3])".
func snapDescribe(v *Verdict) string {
	if v == nil {
		return "no verdict"
	}
	if v.Kind == NotStationary {
		if v.Cert != nil && v.Cert.Descent != nil {
			return fmt.Sprintf("not-stationary ((%s) fails for neuron %d)", v.Cert.Descent.Condition, v.Cert.Descent.Neuron)
		}
		return "not-stationary"
	}
	return fmt.Sprintf("%s (escape neurons %s)", v.Kind, snapInts(v.Escape))
}

// snapInts formats ints as "[1, 2, 3]".
func snapInts(xs []int) string {
	s := "["
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(x)
	}
	return s + "]"
}

// farFrom is Snap's first-order test: its finding says whether θ̃ is
// plainly not near a stationary point (Far), and the measured bound either
// way (nil only when the test is off). The gradient of θ̃
// is relaxed as far as any τ of the ladder could explain: for each neuron
// that is neither small enough to be zeroed (|ã||w̃| ≤ τ·scale) nor dead,
// the component of ∇_{w_j}L in the span of the samples within τ of its
// hyperplane is removed (a kink there would absorb it, with multipliers in
// [0, 1] — the relaxation allows any); ∂L/∂a_j = G_j and ∂L/∂b stay. The
// test costs O(n·m·d·k) float operations on the exact residuals; for k ≥ 2
// a_j·r_i takes the place of a_j r_i and |y_i|², |a_j| those of y_i², |a_j|.
func (sn *snapper) farFrom(ladder []float64, rs *Residuals) *SnapFar {
	ratio := sn.opt.FarRatio
	if ratio == 0 {
		ratio = DefaultSnapFarRatio
	}
	if ratio < 0 {
		return nil
	}
	tau := slices.Max(ladder)
	p := sn.cand
	n, d := p.N(), p.D()
	xf := make([][]float64, n)
	var sx, sy float64
	for i := range xf {
		xf[i] = make([]float64, d)
		for c := range xf[i] {
			xf[i][c], _ = p.X.At(i, c).Float64()
			sx += xf[i][c] * xf[i][c]
		}
		for _, yo := range p.Y.Row(i) {
			y, _ := yo.Float64()
			sy += y * y
		}
	}
	unit := math.Sqrt(sx/float64(n)) * math.Sqrt(sy/float64(n))
	res := ResidualsOf(p)
	r := make([][]float64, n)
	for i := range r {
		r[i] = make([]float64, p.K())
		for o := range r[i] {
			r[i][o], _ = res[i][o].Float64()
		}
	}
	spf, _ := p.Act.Pos.Float64()
	snf, _ := p.Act.Neg.Float64()
	scale, _ := sn.scale2.Float64()
	scale = math.Sqrt(scale)
	total := 0.0
	gOut := new(big.Rat)
	for j, nr := range p.Neurons {
		gOut.Add(gOut, rs.Neurons[j].G.Norm2())
		g, _ := rs.Neurons[j].GNorm.Float64()
		a := make([]float64, p.K())
		for o := range a {
			a[o], _ = nr.A[o].Float64()
		}
		w := make([]float64, d)
		for c := range w {
			w[c], _ = nr.W[c].Float64()
		}
		if fnorm(a)*fnorm(w) <= tau*scale {
			continue
		}
		total += g * g
		gw := make([]float64, d)
		var near []int
		wn := fnorm(w)
		for i, x := range xf {
			z := fdot(w, x)
			sl := snf // ρ₋ also for z = 0, as in v (docs/theory.md §3)
			if z > 0 {
				sl = spf
			}
			ar := fdot(a, r[i])
			for c := range gw {
				gw[c] += ar * sl * x[c] / float64(n)
			}
			if math.Abs(z) <= tau*wn*fnorm(x) {
				near = append(near, i)
			}
		}
		if len(near) > 0 {
			Zt := newFmat(d, len(near))
			for k, i := range near {
				for c := 0; c < d; c++ {
					Zt.set(c, k, xf[i][c])
				}
			}
			q := factorQR(Zt, true)
			q.qt(gw)
			for c := 0; c < q.rank(1e-12); c++ {
				gw[c] = 0
			}
		}
		total += fdot(gw, gw)
	}
	if rs.BiasNorm != nil {
		b, _ := rs.BiasNorm.Float64()
		total += b * b
	}
	relaxed := math.Sqrt(total)
	og := snapSqrt(gOut, big.ToNegativeInf)
	f := &SnapFar{Relaxed: relaxed, Unit: unit, Ratio: ratio, Tol: tau, OutputGradient: og}
	if !(relaxed > ratio*unit) {
		f.Text = fmt.Sprintf("θ̃'s gradient, with every kink within τ = %g relaxed and the neurons small enough to be zeroed left out, has norm ≈ %.3g = %.2g·rms(y)·rms(x) (certified: along δa = −G the loss falls at rate ≥ %s²)",
			tau, relaxed, relaxed/unit, snapFmtFloat(og))
		return f
	}
	f.Far = true
	f.Text = fmt.Sprintf("θ̃ is not near a stationary point (bound: its gradient, with every kink within τ = %g relaxed and the neurons small enough to be zeroed left out, has norm ≈ %.3g > %g·rms(y)·rms(x) ≈ %.3g; certified: along δa = −G the loss falls at rate ≥ %s²); no snap attempted",
		tau, relaxed, ratio, ratio*unit, snapFmtFloat(og))
	return f
}
