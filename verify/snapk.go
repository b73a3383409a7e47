package verify

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
)

// This file is snap for vector output, k ≥ 2 (docs/theory.md §8.2):
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
//     second-order test of docs/theory.md §4 (over all alive neurons' critical
//     directions, output weights and the output bias) otherwise. What the
//     box cannot decide (it would need an exact zero) makes the verdict
//     undetermined with the reason;
//  5. the certificate is re-checked by recheck.RecheckBox.
//
// The system, its interval evaluation, the Krawczyk test and every fact are
// package recheck's (arithmetic only, shared with the re-check); this file
// and krawczyk.go, boxsecond.go hold the search: Newton, the box's radius,
// the preconditioner and the witnesses.

// The box layer's types are package recheck's.
type (
	// BoxVerdict is recheck.BoxVerdict: the verdict on θ* from the box.
	BoxVerdict = recheck.BoxVerdict
	// BoxCertificate is recheck.BoxCertificate.
	BoxCertificate = recheck.BoxCertificate
	// BoxNeuron is recheck.BoxNeuron: one neuron of the box pattern.
	BoxNeuron = recheck.BoxNeuron
)

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
	// Attempts lists the neighbouring patterns tried (k ≥ 2 retries), and
	// Pattern the pattern of the result when it differs from step 1's.
	Attempts []string
	Pattern  *SnapPattern

	moves []Move
}

// snapAlgebraic runs the big-float layer on the pattern pat of step 1.
// When the pattern's exact stationary point is not found with its pattern
// — Newton does not converge, or the box has a strict side on the other
// side — the sample that crossed and was nearest its hyperplane in θ̃ (within
// 100τ) is put on it (a kink of the limit); when a multiplier lies outside [0, 1] its
// sample leaves the hyperplane for the side it wants (as §6 does for
// k = 1). Each retry is recorded; at most SnapOptions.MaxAttempts (default
// m + DefaultSnapAttempts) retries, and none after the time budget of
// SnapOptions.Check (Deadline or Timeout) has passed.
func (sn *snapper) snapAlgebraic(pat SnapPattern) (*AlgebraicSnap, []Move) {
	limit := sn.opt.MaxAttempts
	if limit == 0 {
		limit = sn.cand.M() + DefaultSnapAttempts
	}
	var moves []Move
	var attempts []string
	deadline := sn.opt.Check.Deadline // Snap started the clock
	base := pat
	for {
		out, next, mv := sn.algebraicAttempt(base, pat)
		out.Attempts = attempts
		if next != nil && !deadline.IsZero() && time.Now().After(deadline) {
			out.Attempts = append(out.Attempts, fmt.Sprintf("time budget: stopped after %d retries", len(attempts)))
			next = nil
		}
		if next == nil || len(attempts) >= limit {
			if next != nil && limit > 0 {
				out.Attempts = append(out.Attempts, fmt.Sprintf("gave up after %d retries", len(attempts)))
			}
			if len(attempts) > 0 {
				p := pat
				out.Pattern = &p
			}
			return out, append(moves, out.moves...)
		}
		attempts = append(attempts, mv.Text)
		moves = append(moves, mv)
		pat = *next
	}
}

// algebraicAttempt runs the big-float layer on one pattern (base is step 1's
// pattern). next, when not nil, is the neighbouring pattern to try instead
// (mv says why).
func (sn *snapper) algebraicAttempt(base, pat SnapPattern) (out *AlgebraicSnap, next *SnapPattern, mv Move) {
	p := sn.cand
	out = &AlgebraicSnap{Prec: bigPrec}
	undetermined := func(format string, args ...any) {
		out.Verdict = &BoxVerdict{Kind: Undetermined, Reason: fmt.Sprintf(format, args...)}
	}
	nb, start, err := algebraicPattern(p, pat, sn.poll.exactStop())
	if errors.Is(err, exact.ErrBudget) {
		panic(stopped{stageNullspace})
	}
	if err != nil {
		undetermined("%v", err)
		return out, nil, mv
	}
	s, err := recheck.NewBoxSystem(p, nb, bigPrec)
	if err != nil {
		undetermined("the big-float layer cannot use this pattern: %v", err)
		return out, nil, mv
	}
	out.Unknowns = s.Unknowns()
	nt, err := refine(p, nb, s, boxStart(s, p, nb, start, sn.pollAt(stageNewton)), sn.pollAt(stageNewton))
	out.NewtonSteps, out.Residual = nt.steps, nt.residual
	if err != nil {
		undetermined("θ̃ is not near an isolated stationary point of its pattern: %v", err)
		next, mv = sn.zeroSmallAlgebraic(base, pat)
		if next == nil {
			next, mv = sn.crossed(pat, s.EvalBox(s.Thin(nt.z)))
		}
		if next == nil {
			next, mv = sn.releaseBoundary(pat)
		}
		return out, next, mv
	}
	proof, err := krawczyk(s, nt.z, sn.pollAt(stageKrawczyk))
	if err != nil {
		undetermined("no box proved: %v", err)
		return out, nil, mv
	}
	cert := &BoxCertificate{Pattern: nb, Prec: bigPrec, Center: proof.center, Radius: proof.radius, Precond: proof.precond}
	out.Radius = maxAbs(proof.radius)
	e := s.EvalBox(s.Box(proof.center, proof.radius))
	out.Center = boxCenterPoint(s, p, nb, proof.center)
	out.Distance = boxDistance(e, p, nb)
	out.Verdict = boxDecide(s, e, p, nb, cert)
	if out.Verdict.Cert != nil {
		out.RecheckErr = recheck.RecheckBox(p, out.Verdict)
	}
	out.moves = []Move{{Rule: "refine", Neuron: -1, Sample: -1, Text: fmt.Sprintf(
		"the alive neurons refined by %d Newton steps on the pattern's %d stationarity equations in big-float (gauge: per group of g neurons with one pattern, g output weights each fixed to short decimals of the floats); θ* is the exact zero in a box of radius ≤ %s, |θ* − θ̃| ≤ %s",
		out.NewtonSteps, s.Unknowns(), snapFmtFloat(out.Radius), snapFmtFloat(out.Distance))}}
	switch v := out.Verdict; {
	case v.Cert == nil && !v.Stationary:
		next, mv = sn.crossed(pat, e)
	case v.Kind == NotStationary && v.Cert.Descent != nil:
		next, mv = sn.dropMultiplier(pat, nb, v.Cert.Descent)
	}
	return out, next, mv
}

// crossed returns the neighbouring pattern when some strict side of pat has
// the other sign at the evaluation point or box e: among the samples that
// crossed and were within 100τ of their neuron's hyperplane in θ̃
// (|w̃·x|/(|w̃||x|) ≤ 100τ), the nearest goes onto it (when its boundary
// samples stay linearly independent). Samples farther away are not kinks
// of the point θ̃ approximates: no retry.
func (sn *snapper) crossed(pat SnapPattern, e *recheck.BoxEval) (*SnapPattern, Move) {
	p := sn.cand
	if p.Act.Kappa().Sign() == 0 {
		return nil, Move{}
	}
	bj, bi := -1, -1
	var best *big.Float
	near := new(big.Float).SetFloat64(min(100*sn.tol, 0.5))
	for j, sj := range pat.Neurons {
		if sj.Rule != RuleAlive {
			continue
		}
		for i, sd := range sj.Side {
			if sd == 0 || e.Pre(j, i).Sign() != -int(sd) || sn.moved[[2]int{j, i}] {
				continue
			}
			if exact.Rank(p.X.Select(append(append([]int(nil), sj.Z...), i))) != len(sj.Z)+1 {
				continue
			}
			ang := snapRelAngle(p.Neurons[j].W, p.X.Row(i))
			if ang.Cmp(near) > 0 {
				continue // far from the hyperplane in θ̃: not a kink of θ̃'s limit
			}
			if best == nil || ang.Cmp(best) < 0 {
				bj, bi, best = j, i, ang
			}
		}
	}
	if bj < 0 {
		return nil, Move{}
	}
	sn.markMoved(bj, bi)
	np := snapClonePattern(pat)
	sj := &np.Neurons[bj]
	sj.Side[bi] = 0
	sj.Z = append(sj.Z, bi)
	slices.Sort(sj.Z)
	return &np, Move{Rule: "cross", Neuron: bj, Sample: bi, Text: fmt.Sprintf(
		"k ≥ 2 retry: sample %d put on neuron %d's hyperplane (the pattern's stationary point has it on the other side; |w̃·x|/(|w̃||x|) ≈ %s in θ̃, the nearest of the samples that crossed)",
		bi, bj, snapFmtFloat(best))}
}

// zeroSmallAlgebraic returns the neighbouring pattern after Newton found no
// stationary point of pat: the alive neuron with the smallest product
// |ã_j||w̃_j| is zeroed, provided it is small (|ã_j||w̃_j| ≤ max(τ,
// snapSmallTol)·scale) — as for k = 1, a neuron that training is letting die
// (over-parameterised students near a global minimum) is zero at the point
// θ̃ approximates, and keeping it alive leaves the pattern's stationary
// points a continuum or none. The new pattern is step 1's (base) with the
// neurons zeroed so far: samples that earlier retries put on hyperplanes,
// to make room for the dying neuron, go back to θ̃'s sides.
func (sn *snapper) zeroSmallAlgebraic(base, pat SnapPattern) (*SnapPattern, Move) {
	_, mv, ok := sn.zeroSmallest(pat, nil, pat.Alive)
	if !ok {
		return nil, Move{}
	}
	np := snapClonePattern(base)
	sn.moved = nil // every sample is back at step 1's side: it may move again
	for j, sj := range pat.Neurons {
		if (sj.Rule == RuleZeroed || j == mv.Neuron) && np.Neurons[j].Rule == RuleAlive {
			np = snapZeroed(np, j)
		}
	}
	nr := sn.cand.Neurons[mv.Neuron]
	limit := new(big.Rat).Mul(sn.smallTau2(), sn.scale2)
	mv.Text = fmt.Sprintf("k ≥ 2 retry: Newton found no stationary point of the pattern; neuron %d is small (|ã||w̃| ≈ %s ≤ max(τ, 0.05)·scale ≈ %s, the smallest alive neuron): set to the zero neuron, the other neurons back to step 1's pattern",
		mv.Neuron, snapFmtFloat(snapSqrtUp(new(big.Rat).Mul(nr.A.Norm2(), nr.W.Norm2()))), snapFmtFloat(snapSqrtUp(limit)))
	return &np, mv
}

// releaseBoundary returns the neighbouring pattern after Newton found no
// stationary point of pat and neither a small neuron nor a crossed sample
// is to blame: the boundary sample of an alive neuron farthest from its
// hyperplane in θ̃ (largest |w̃·x|/(|w̃||x|), nonzero) leaves it for its side
// in θ̃ — the pattern with one kink fewer.
func (sn *snapper) releaseBoundary(pat SnapPattern) (*SnapPattern, Move) {
	p := sn.cand
	bj, bi := -1, -1
	var best *big.Float
	for _, j := range pat.Alive {
		for _, i := range pat.Neurons[j].Z {
			if p.Neurons[j].W.Dot(p.X.Row(i)).Sign() == 0 || sn.moved[[2]int{j, i}] {
				continue
			}
			if ang := snapRelAngle(p.Neurons[j].W, p.X.Row(i)); best == nil || ang.Cmp(best) > 0 {
				bj, bi, best = j, i, ang
			}
		}
	}
	if bj < 0 {
		return nil, Move{}
	}
	side := int8(p.Neurons[bj].W.Dot(p.X.Row(bi)).Sign())
	sn.markMoved(bj, bi)
	np := snapMoveOff(pat, bj, bi, side)
	return &np, Move{Rule: "drop", Neuron: bj, Sample: bi, Text: fmt.Sprintf(
		"k ≥ 2 retry: Newton found no stationary point of the pattern: sample %d leaves neuron %d's hyperplane for its side in θ̃, %s (|w̃·x|/(|w̃||x|) ≈ %s, the boundary sample farthest from its hyperplane)",
		bi, bj, snapSide(side), snapFmtFloat(best))}
}

// markMoved records that a k ≥ 2 retry moved sample i of neuron j on or
// off its hyperplane.
func (sn *snapper) markMoved(j, i int) {
	if sn.moved == nil {
		sn.moved = map[[2]int]bool{}
	}
	sn.moved[[2]int{j, i}] = true
}

// dropMultiplier returns the neighbouring pattern after a multiplier was
// proved outside [0, 1]: the descent witness u moves boundary sample i of
// neuron j to the side x_i·u points to.
func (sn *snapper) dropMultiplier(pat SnapPattern, nb []BoxNeuron, d *recheck.BoxWitness) (*SnapPattern, Move) {
	p := sn.cand
	j := d.Neuron
	for _, i := range nb[j].Z {
		t := p.X.Row(i).Dot(d.U).Sign()
		if t == 0 {
			continue
		}
		np := snapClonePattern(pat)
		sj := &np.Neurons[j]
		sj.Side[i] = int8(t)
		sj.Z = slices.DeleteFunc(sj.Z, func(c int) bool { return c == i })
		return &np, Move{Rule: "drop", Neuron: j, Sample: i, Text: fmt.Sprintf(
			"k ≥ 2 retry: (S2) fails for neuron %d at the pattern's stationary point (its multiplier at sample %d lies outside [0, 1]): sample %d moved off the hyperplane to side %s",
			j, i, i, snapSide(int8(t)))}
	}
	return nil, Move{}
}

// algebraicPattern turns the pattern of step 1 into the box pattern and
// the weights Newton's method starts from (indexed by neuron; nil for the
// fixed neurons). It fails (with the reason) when the pattern's stationary
// points cannot be isolated by a gauge: more alive neurons share one
// pattern than there are outputs.
//
// The gauge (see recheck.BoxNeuron): the g alive neurons with one pattern
// (sides and Z) fix the g outputs R chosen by complete pivoting on their
// float output weights Ã (k×g), at Ā_R = the shortest decimals of Ã_R. The
// start is the same network with that gauge: W' = Ā_R⁻¹ Ã_R W̃ and
// A' = Ã Ã_R⁻¹ Ā_R (so A'W' = ÃW̃ and A'_R = Ā_R), in exact rationals; for
// g = 1 that is (w̃_j/c, c·ã_j) with c = ā/ã at the largest |ã_jl|. Perp
// is a basis of S_j^⊥ with the start's values
// Perp·w'_j as short decimals (Perp scaled to largest entry ±1: the
// primitive integer vectors of float data have entries of 50 digits, which
// would make the equations badly scaled); likewise BiasDir (see biasDirection). With
// ρ₊ = ρ₋ (linear) there are no
// boundary samples and every nonzero sample has side +1: all alive neurons
// form one group.
func algebraicPattern(p *Point, pat SnapPattern, stop exact.Stop) ([]BoxNeuron, []Neuron, error) {
	linear := p.Act.Kappa().Sign() == 0
	k := p.K()
	nb := make([]BoxNeuron, p.M())
	groups := map[string][]int{}
	var keys []string
	for j, sj := range pat.Neurons {
		nr := p.Neurons[j]
		switch sj.Rule {
		case RuleDead:
			nb[j] = BoxNeuron{Rule: recheck.BoxDead, W: nr.W.Clone(), A: nr.A.Clone()}
		case RuleAlive:
			bn := BoxNeuron{Rule: recheck.BoxAlive, Side: append([]int8(nil), sj.Side...), Z: append([]int(nil), sj.Z...)}
			if linear {
				bn.Z = nil
				for i := range p.X.Rows() {
					x := p.X.Row(i)
					bn.Side[i] = 0
					if !x.IsZero() {
						bn.Side[i] = 1
					}
				}
			}
			nb[j] = bn
			key := fmt.Sprint(bn.Side, bn.Z)
			if groups[key] == nil {
				keys = append(keys, key)
			}
			groups[key] = append(groups[key], j)
		default: // zeroed (the sensitivity-only rules are not made by step 1)
			nb[j] = BoxNeuron{Rule: recheck.BoxZero, W: exact.NewVec(p.D()), A: exact.NewVec(k)}
		}
	}
	start := make([]Neuron, p.M())
	for _, key := range keys {
		g := groups[key]
		if len(g) > k {
			return nil, nil, fmt.Errorf("the %d alive neurons %s share one activation pattern but there are only k = %d outputs: their weights are not determined (the stationary points are not isolated)", len(g), snapInts(g), k)
		}
		// Ã (k×g) and the rows R by complete pivoting on its float values.
		At := exact.NewMat(k, len(g))
		for c, j := range g {
			for l := 0; l < k; l++ {
				At[l][c].Set(p.Neurons[j].A[l])
			}
		}
		R := gaugeRows(At)
		AR, ARbar := exact.NewMat(len(g), len(g)), exact.NewMat(len(g), len(g))
		for r, l := range R {
			for c := range g {
				AR[r][c].Set(At[l][c])
				ARbar[r][c] = snapShortRat(At[l][c])
			}
		}
		ARinv, ok1 := ratInverse(AR)
		ARbarInv, ok2 := ratInverse(ARbar)
		if !ok1 || !ok2 {
			return nil, nil, fmt.Errorf("the output weights of the alive neurons %s (one activation pattern) are linearly dependent: the stationary points are not isolated", snapInts(g))
		}
		// W' = Ā_R⁻¹ Ã_R W̃ and A' = Ã Ã_R⁻¹ Ā_R.
		M := ratMul(ARbarInv, AR)
		T := ratMul(ARinv, ARbar)
		for c, j := range g {
			w := exact.NewVec(p.D())
			for e, je := range g {
				w.AddScaled(M[c][e], p.Neurons[je].W)
			}
			a := exact.NewVec(k)
			for e, je := range g {
				a.AddScaled(T[e][c], p.Neurons[je].A)
			}
			start[j] = Neuron{W: w, A: a}
			bn := &nb[j]
			for r, l := range R {
				bn.Gauge = append(bn.Gauge, l)
				bn.GaugeValue = append(bn.GaugeValue, ARbar[r][c])
			}
			var rows exact.Mat
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				if bn.Side[i] != 0 && p.Act.Slope(int(bn.Side[i])).Sign() != 0 {
					rows = append(rows, x)
				}
			}
			rows = append(rows, p.X.Select(bn.Z)...)
			perp, err := exact.NullspaceStop(rows, p.D(), stop)
			if err != nil {
				return nil, nil, err
			}
			for _, v := range perp {
				v = unitMax(v)
				bn.Perp = append(bn.Perp, v)
				bn.PerpValue = append(bn.PerpValue, snapShortRat(boxFloatRat(v.Dot(w))))
			}
			if v := biasDirection(p, *bn); v != nil {
				bn.BiasDir, bn.BiasValue = v, snapShortRat(boxFloatRat(v.Dot(w)))
			}
		}
	}
	return nb, start, nil
}

// biasDirection returns, for a network with an output bias, a direction v
// with s_i (x_i·v) = 1 for every sample i (s_i the slope of the alive
// neuron's side), when one exists and the neuron has no boundary sample and
// no sample is zero: the output bias then absorbs moves of w_j along v
// (recheck.BoxNeuron.BiasDir). Typically v is the bias coordinate of a
// neuron active on every sample.
func biasDirection(p *Point, bn BoxNeuron) exact.Vec {
	if !p.HasOutputBias() || len(bn.Z) > 0 {
		return nil
	}
	M := make(exact.Mat, p.N())
	ones := exact.NewVec(p.N())
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		if bn.Side[i] == 0 {
			return nil
		}
		M[i] = x.Scale(p.Act.Slope(int(bn.Side[i])))
		ones[i].SetInt64(1)
	}
	v, ok := exact.SolveLinear(M, ones, p.D())
	if !ok {
		return nil
	}
	return v
}

// gaugeRows returns the rows chosen by Gaussian elimination with complete
// pivoting on the k×g matrix A (by absolute value; ties to the lowest
// index), ascending.
func gaugeRows(A exact.Mat) []int {
	M := A.Clone()
	g := len(M[0])
	usedR, usedC := make([]bool, len(M)), make([]bool, g)
	var rows []int
	for t := 0; t < g; t++ {
		br, bc := -1, -1
		var best *big.Rat
		for r := range M {
			for c := 0; c < g; c++ {
				if usedR[r] || usedC[c] {
					continue
				}
				if a := new(big.Rat).Abs(M[r][c]); best == nil || a.Cmp(best) > 0 {
					br, bc, best = r, c, a
				}
			}
		}
		usedR[br], usedC[bc] = true, true
		rows = append(rows, br)
		if M[br][bc].Sign() == 0 {
			continue
		}
		for r := range M {
			if usedR[r] {
				continue
			}
			f := new(big.Rat).Quo(M[r][bc], M[br][bc])
			M[r].AddScaled(new(big.Rat).Neg(f), M[br])
		}
	}
	slices.Sort(rows)
	return rows
}

// ratInverse returns the inverse of the square rational matrix A.
func ratInverse(A exact.Mat) (exact.Mat, bool) {
	n := len(A)
	inv := exact.NewMat(n, n)
	for c := 0; c < n; c++ {
		e := exact.NewVec(n)
		e[c].SetInt64(1)
		if exact.Rank(A) != n {
			return nil, false
		}
		x, ok := exact.SolveLinear(A, e, n)
		if !ok {
			return nil, false
		}
		for r := range x {
			inv[r][c] = x[r]
		}
	}
	return inv, true
}

// ratMul returns the product of rational matrices.
func ratMul(A, B exact.Mat) exact.Mat {
	C := exact.NewMat(len(A), len(B[0]))
	for r := range A {
		for c := range B[0] {
			for e := range B {
				C[r][c].Add(C[r][c], new(big.Rat).Mul(A[r][e], B[e][c]))
			}
		}
	}
	return C
}

// boxFloatRat returns the rational value of the float64 nearest r.
func boxFloatRat(r *big.Rat) *big.Rat {
	f, _ := r.Float64()
	return new(big.Rat).SetFloat64(f)
}

// boxStart returns the start of Newton's method: the gauged weights of
// algebraicPattern, the multipliers ν_j minimising |F2_j| there
// ((X_Z X_Zᵀ) ν_j = −X_Z·F2_j(ν = 0)), and b = b̃.
func boxStart(s *recheck.BoxSystem, p *Point, nb []BoxNeuron, start []Neuron, poll func()) []*big.Float {
	prec := s.Prec()
	f := func(r *big.Rat) *big.Float { return new(big.Float).SetPrec(prec).SetRat(r) }
	z := make([]*big.Float, s.Unknowns())
	for i := range z {
		z[i] = new(big.Float).SetPrec(prec)
	}
	for _, j := range s.Alive() {
		for r, w := range start[j].W {
			z[s.Index('w', j, r)] = f(w)
		}
		for l, a := range start[j].A {
			if i := s.Index('a', j, l); i >= 0 {
				z[i] = f(a)
			}
		}
	}
	if s.HasBias() {
		for l := 0; l < p.K(); l++ {
			z[s.Index('b', -1, l)] = f(p.OutputBias[l])
		}
	}
	F, _ := s.Eval(s.Thin(z), false)
	for _, j := range s.Alive() {
		zs := nb[j].Z
		if len(zs) == 0 {
			continue
		}
		G := make([][]*big.Float, len(zs))
		rhs := make([]*big.Float, len(zs))
		for c, ic := range zs {
			G[c] = make([]*big.Float, len(zs))
			for e, ie := range zs {
				G[c][e] = f(p.X.Row(ic).Dot(p.X.Row(ie)))
			}
			// F2_j occupies the rows of w_j.
			t := new(big.Float).SetPrec(prec)
			for r := 0; r < p.D(); r++ {
				t.Sub(t, new(big.Float).SetPrec(prec).Mul(f(p.X.At(ic, r)), F[s.Index('w', j, r)].Mid()))
			}
			rhs[c] = t
		}
		if x, err := bigSolve(G, rhs, prec, poll); err == nil { // the rows are independent
			for c := range zs {
				z[s.Index('n', j, c)] = x[c]
			}
		}
	}
	return z
}

// boxCenterPoint returns the point with the box center's weights (exact
// dyadic rationals) for the alive neurons and the fixed neurons exactly.
func boxCenterPoint(s *recheck.BoxSystem, p *Point, nb []BoxNeuron, center []*big.Float) *Point {
	q := &Point{Act: p.Act, X: p.X, Y: p.Y, Neurons: make([]Neuron, p.M())}
	rat := func(f *big.Float) *big.Rat { r, _ := f.Rat(nil); return r }
	for j, bn := range nb {
		if bn.Rule != recheck.BoxAlive {
			q.Neurons[j] = Neuron{W: bn.W.Clone(), A: bn.A.Clone()}
		}
	}
	for _, j := range s.Alive() {
		w := exact.NewVec(p.D())
		for r := range w {
			w[r] = rat(center[s.Index('w', j, r)])
		}
		a := exact.NewVec(p.K())
		for l := range a {
			if i := s.Index('a', j, l); i >= 0 {
				a[l] = rat(center[i])
			} else {
				a[l].Set(nb[j].GaugeValue[slices.Index(nb[j].Gauge, l)])
			}
		}
		q.Neurons[j] = Neuron{W: w, A: a}
	}
	if s.HasBias() {
		q.OutputBias = exact.NewVec(p.K())
		for l := range q.OutputBias {
			q.OutputBias[l] = rat(center[s.Index('b', -1, l)])
		}
	}
	return q
}

// boxDistance returns an upper bound of |θ − θ̃| over θ in the box (all
// weights and the output bias; ν is not a weight).
func boxDistance(e *recheck.BoxEval, p *Point, nb []BoxNeuron) *big.Float {
	prec := uint(bigPrec)
	sum := exact.NewInterval(prec)
	t := exact.NewInterval(prec)
	add := func(xs []*exact.Interval, ys exact.Vec) {
		for r, x := range xs {
			t.Sub(x, exact.IntervalOfRat(ys[r], prec))
			sum.Add(sum, t.Sqr(t))
		}
	}
	for j, nr := range p.Neurons {
		add(e.W(j), nr.W)
		add(e.A(j), nr.A)
	}
	if b := e.Bias(); b != nil {
		add(b, p.OutputBias)
	}
	hi, _ := sum.Hi.Rat(nil)
	return snapSqrtUp(hi)
}

// boxSearch is what the witness searches of the box layer read: the
// system, its evaluation over the box, the candidate (for its data) and the
// box pattern.
type boxSearch struct {
	s  *recheck.BoxSystem
	e  *recheck.BoxEval
	p  *Point
	nb []BoxNeuron
}

// boxDecide makes the verdict of θ* from the box (see the file comment)
// and fills the certificate's witnesses.
func boxDecide(s *recheck.BoxSystem, e *recheck.BoxEval, p *Point, nb []BoxNeuron, cert *BoxCertificate) *BoxVerdict {
	bs := &boxSearch{s: s, e: e, p: p, nb: nb}
	v := &BoxVerdict{Kind: Undetermined, Loss: e.Loss(), Cert: cert, Escape: []int{}, Undecided: []int{}}
	if err := e.SidesHold(); err != nil {
		// The zero in the box is not a point with this pattern: no claim.
		v.Reason = "the box does not prove the pattern of θ̃: " + err.Error()
		v.Cert, v.Loss = nil, nil
		return v
	}
	var atBound []string
	for _, j := range s.Alive() {
		for c, i := range nb[j].Z {
			A, B := e.Multipliers(j, c)
			if A.Sign() > 0 && B.Sign() > 0 {
				continue
			}
			if A.Sign() < 0 || B.Sign() < 0 {
				if u := bs.descentWitness(j, c, A.Sign() < 0); u != nil {
					cert.Descent = &recheck.BoxWitness{Neuron: j, U: u}
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
	for j, bn := range nb {
		if e.NoEscape(j) {
			continue
		}
		var u exact.Vec
		switch bn.Rule {
		case recheck.BoxZero:
			u = bs.zeroWitness(j)
		case recheck.BoxAlive:
			u = bs.aliveWitness(j)
		}
		if u != nil {
			v.Escape = append(v.Escape, j)
			cert.Escapes = append(cert.Escapes, recheck.BoxWitness{Neuron: j, U: u})
		} else {
			v.Undecided = append(v.Undecided, j)
		}
	}
	for _, w := range cert.Escapes {
		if nb[w.Neuron].Rule == recheck.BoxZero {
			cert.Path = &recheck.BoxPath{Rule: recheck.PathTheoremE, Neuron: w.Neuron, U: w.U}
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
	path, why := bs.secondOrderPath()
	if path != nil {
		cert.Path = path
		v.Kind = Saddle
		v.Reason = "second-order test (docs/theory.md §8.2) on the box: along critical directions of the alive neurons with their output weights" +
			map[bool]string{true: " and the output bias", false: ""}[s.HasBias()] + ", c₂ + |c₃| + c₄ < 0"
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
func (bs *boxSearch) descentWitness(j, c int, negA bool) exact.Vec {
	p := bs.p
	z := bs.nb[j].Z
	XZ := p.X.Select(z)
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
	if bs.e.PhiN(j, u).Sign() >= 0 {
		return nil
	}
	return u
}

// bestWitness returns the candidate u with the largest |Q_j(u)|²/|u|² (at
// the box's midpoints) if |Q_j(u)|² > 0 is proved on B, else nil.
func (bs *boxSearch) bestWitness(j int, cands []exact.Vec) exact.Vec {
	var best exact.Vec
	var bestV *big.Float
	var bestQ *exact.Interval
	for _, u := range cands {
		q2 := bs.e.Norm2(bs.e.Response(j, u))
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
func (bs *boxSearch) zeroWitness(j int) exact.Vec {
	p := bs.p
	var cands []exact.Vec
	for c := 0; c < p.D(); c++ {
		u := exact.NewVec(p.D())
		u[c].SetInt64(1)
		cands = append(cands, u, u.Neg())
	}
	for i := range p.N() {
		if x := p.X.Row(i); !x.IsZero() {
			cands = append(cands, x, x.Neg())
		}
	}
	return bs.bestWitness(j, cands)
}

// aliveWitness looks for an escape witness of alive neuron j among the
// basis vectors of V_j (Q_j is linear on V_j, so Q_j ≢ 0 there iff it is
// nonzero on a basis vector).
func (bs *boxSearch) aliveWitness(j int) exact.Vec {
	return bs.bestWitness(j, criticalBasis(bs.p, bs.nb[j].Z))
}

// criticalBasis returns a basis of V = {u : x_i·u = 0, i ∈ Z} (scaled to
// largest entry ±1; the unit vectors when Z is empty).
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
	for _, u := range exact.Nullspace(p.X.Select(z), d) {
		out = append(out, unitMax(u))
	}
	return out
}

// unitMax returns v scaled (exactly) so that its largest entry in absolute
// value is 1 (v itself when v = 0).
func unitMax(v exact.Vec) exact.Vec {
	m := new(big.Rat)
	for _, x := range v {
		if a := new(big.Rat).Abs(x); a.Cmp(m) > 0 {
			m = a
		}
	}
	if m.Sign() == 0 {
		return v
	}
	return v.Scale(m.Inv(m))
}
