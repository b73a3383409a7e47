package verify

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/relucert/relucert/exact"
)

// This file is docs/theory.md §6 "From a float candidate to an exact point (snap)":
// a float candidate θ̃ (its numbers are the exact rational values of
// float64s) is turned into an exact rational point θ* near it, which is then
// certified by Check and Recheck. Every rule that moves a number is recorded
// in SnapResult.Moves; sensitivity.go re-verifies the neighbouring choices
// (step 5) and computes the float point's certified stationarity residuals.

// DefaultSnapTol is the relative tolerance τ of Snap when SnapOptions.Tol is
// zero. A sample goes to Z_j when the angle between x_i and the hyperplane
// of w̃_j is at most about τ (|w̃_j·x_i| ≤ τ|w̃_j||x_i|); a neuron is tiny when
// |ã_j||w̃_j| ≤ τ²·scale, i.e. when both of its weights are about τ times
// the size the data asks of a neuron (see SnapScale).
const DefaultSnapTol = 1e-4

// DefaultSnapAttempts is added to the width m to bound the neighbouring
// patterns Snap tries (each zeroes one neuron or drops one boundary sample).
const DefaultSnapAttempts = 16

// DefaultSnapNeighbours bounds the neighbouring choices Snap re-verifies in
// its sensitivity step.
const DefaultSnapNeighbours = 64

// SnapOptions configures Snap. The zero value gives the defaults.
type SnapOptions struct {
	// Tol is the relative tolerance τ ∈ (0, 1) of docs/theory.md §6; 0 means
	// DefaultSnapTol. It is converted to a rational exactly, and every
	// decision that uses it is an exact comparison of squares (norms are
	// irrational): (w̃·x)² ≤ τ²|w̃|²|x|² and |ã|²|w̃|² ≤ τ⁴·scale².
	Tol float64
	// Check bounds the work of each Check call.
	Check Options
	// MaxAttempts bounds the neighbouring patterns tried when the snapped
	// pattern fails: a small neuron zeroed after a sign flip or a far move,
	// or a boundary sample dropped after (S2) fails (docs/theory.md §6); 0 means
	// m + DefaultSnapAttempts, a negative value tries none.
	MaxAttempts int
	// MaxNeighbours bounds the neighbouring choices re-verified in the
	// sensitivity step; 0 means DefaultSnapNeighbours, a negative value
	// skips the step.
	MaxNeighbours int
}

// NeuronRule is what step 1 of snap decided for a neuron.
type NeuronRule int

const (
	// RuleAlive: the neuron takes part in the exact least squares of step 2
	// and is factored back in step 3.
	RuleAlive NeuronRule = iota
	// RuleDead: ρ₋ = 0 and w̃_j·x_i < 0 for every nonzero sample; kept
	// exactly as given (it stays strictly dead).
	RuleDead
	// RuleZeroed: a tiny neuron (not dead, |ã_j||w̃_j| ≤ τ²·scale) made the
	// exact zero neuron w_j = 0, a_j = 0.
	RuleZeroed
	// RuleDeadOnBoundary (sensitivity only): a dead neuron whose near
	// samples are put on its hyperplane — w_j is the nearest point to w̃_j
	// with w_j·x_i = 0 for those samples — with a_j = 0 when the neuron is
	// tiny and a_j = ã_j otherwise.
	RuleDeadOnBoundary
	// RuleKept (sensitivity only): a tiny neuron with a zero weight kept
	// exactly as given instead of zeroed.
	RuleKept
)

var ruleNames = [...]string{"alive", "dead", "zeroed", "dead-on-boundary", "kept"}

// String names the rule.
func (r NeuronRule) String() string {
	if r < 0 || int(r) >= len(ruleNames) {
		return "unknown"
	}
	return ruleNames[r]
}

// SnapNeuron is the pattern step 1 chose for one neuron.
type SnapNeuron struct {
	Rule NeuronRule
	// Side[i] is the side of sample i the snapped w_j must keep: +1 (P_j),
	// −1 (N_j), or 0 (Z_j, or x_i = 0). Nil for zeroed neurons.
	Side []int8
	// Z lists the nonzero samples put on the hyperplane (Side 0), for alive
	// and dead-on-boundary neurons.
	Z []int
	// Near lists, for a dead neuron, the samples within τ of its hyperplane
	// ((w̃·x_i)² ≤ τ²|w̃|²|x_i|²): the candidates of the sensitivity step.
	Near []int
	// Tiny reports |ã_j||w̃_j| ≤ τ²·scale (also for dead neurons, where it
	// decides a_j in the dead-on-boundary neighbour).
	Tiny bool
	// Product is |ã_j||w̃_j| (rounded, for reports).
	Product *big.Float
}

// SnapPattern is the activation pattern Snap imposed.
type SnapPattern struct {
	Neurons []SnapNeuron
	// Alive, Dead and Zeroed list the neurons by rule, ascending.
	Alive, Dead, Zeroed []int
}

// Move records one rule that moved a number (or, for Rule "drop", changed
// the pattern). Neuron and Sample are −1 when they do not apply.
type Move struct {
	// Rule is one of "zeroed" (tiny neuron → zero neuron), "boundary"
	// (sample put on a neuron's hyperplane), "refit" (the product
	// p_j = a_j w_j moved by the exact least squares), "output-weight"
	// (a_j replaced by a short rational), "drop" (a boundary sample moved
	// off Z_j because the pattern was not stationary) and "dead-on-boundary"
	// or "kept" (neighbouring choices of the sensitivity step).
	Rule   string
	Neuron int
	Sample int
	// Text says what moved and by how much.
	Text string
}

// SignFlip is a strict sign of w_j·x_i that did not survive step 3: θ̃ had
// sample i on side Side of neuron j, the exact point has Pre = w_j·x_i.
type SignFlip struct {
	Neuron, Sample int
	Side           int8
	Pre            *big.Rat
}

// SnapFailure says why no exact point was certified.
type SnapFailure struct {
	// Reason is a sentence for reports.
	Reason string
	// Flips lists the signs that moved (step 3), if that was the reason.
	Flips []SignFlip
}

// Neighbour is one neighbouring choice of the sensitivity step (docs/theory.md §6
// step 5) and what it gives.
type Neighbour struct {
	// Choice describes the alternative rule ("dead neuron 7 put on the
	// hyperplane of samples [4] with a_7 = 0 (tiny)").
	Choice string
	// Neuron is the neuron whose rule changed (−1 for a group choice).
	Neuron int
	// Verdict is the verdict of the neighbouring exact point, nil when it
	// could not be snapped (then Failure says why).
	Verdict *Verdict
	Failure *SnapFailure
	// Point is the neighbouring exact point (nil when snapping failed).
	Point *Point
	// Changes reports that Verdict is the verdict of a stationary point
	// (not not-stationary) and its kind differs from the main verdict's:
	// the main verdict is fragile under this choice.
	Changes bool
}

// SnapResult is what Snap found. For k = 1 (Scalar) Point is the exact
// point θ* unless Failure says why there is none; for k ≥ 2 there is no
// exact snap, and Residuals carries the float point's certified
// stationarity residuals.
type SnapResult struct {
	// Scalar reports k = 1; the exact snap is scalar-only.
	Scalar bool
	// Tol is τ as used.
	Tol float64
	// Scale is the unit of the tiny test, sqrt(Σ|y_i|²/Σ|x_i|²) (rounded;
	// the test itself uses its square exactly).
	Scale *big.Float
	// Pattern is the pattern imposed (after any neighbouring-pattern
	// attempts).
	Pattern SnapPattern
	// Moves lists every rule that moved a number, in order.
	Moves []Move
	// Attempts describes the neighbouring patterns tried because a snapped
	// pattern was not stationary, in order; empty when the first pattern
	// worked.
	Attempts []string
	// Point is the exact point θ* (nil on failure and for k ≥ 2).
	Point *Point
	// Verdict is Check's verdict on Point, and RecheckErr the result of
	// Recheck on it (nil: the certificate was validated).
	Verdict    *Verdict
	RecheckErr error
	// Distance is |θ* − θ̃| (Euclidean over all weights; rounded up).
	Distance *big.Float
	// Failure is non-nil when no exact point was certified (k = 1), or
	// says that the exact snap is scalar-only (k ≥ 2).
	Failure *SnapFailure
	// Neighbours are the neighbouring choices re-verified (step 5), and
	// Fragile one line per choice that changes the verdict.
	Neighbours []Neighbour
	Fragile    []string
	// NeighboursCapped reports that MaxNeighbours cut the list short.
	NeighboursCapped bool
	// Residuals are the certified stationarity residuals of θ̃ itself (for
	// every k).
	Residuals *Residuals
	// Algebraic is the result of the big-float layer for k ≥ 2 (snapk.go):
	// the exact stationary point θ* is algebraic, proved to exist in a box,
	// and classified from the box. Nil for k = 1.
	Algebraic *AlgebraicSnap
}

// Snap turns the float candidate cand into an exact point and certifies it
// (docs/theory.md §6):
//
//  1. neuron rules from θ̃ with tolerance τ — dead neurons kept exactly,
//     tiny neurons (|ã_j||w̃_j| ≤ τ²·scale, see SnapScale) zeroed, alive
//     neurons with their near samples in Z_j;
//  2. scalar output: the exact least squares in product coordinates
//     p_j = a_j w_j on that pattern, f(x_i) = Σ_j s_ij p_j·x_i, with
//     p_j·x_i = 0 for i ∈ Z_j; among the optimal p it takes the one nearest
//     θ̃ in the weights (with a_j fixed: Σ_j |p_j − a_j w̃_j|²/a_j²);
//  3. factor back a_j = the shortest decimal of the float ã_j,
//     w_j = p_j/a_j, and check that every strict sign survived;
//  4. Check and Recheck θ*.
//
// When step 3 fails, or the least squares moves an alive neuron by more than
// its own size (|w_j − w̃_j| > |w̃_j|), the smallest such neuron is zeroed if
// it is small (|ã_j||w̃_j| ≤ τ·scale: a neuron growing away from a saddle);
// when (S2) fails for a neuron, the boundary sample to blame is dropped from
// Z_j onto its side in θ̃; steps 2–4 are then repeated (at most MaxAttempts
// times, each recorded in Attempts and Moves). Otherwise the failure is
// reported and no point is returned.
//
//  5. Sensitivity: the neighbouring rules are re-verified and each that
//     reaches a different verdict on a stationary point is reported as
//     fragile.
//
// For k ≥ 2 only step 1 and the certified residuals of θ̃ are computed.
// The error is non-nil only for a malformed candidate or options; a snap
// that does not succeed is reported in SnapResult.Failure.
func Snap(cand *Point, opt SnapOptions) (*SnapResult, error) {
	if cand == nil {
		return nil, errors.New("snap: nil candidate")
	}
	if err := cand.Validate(); err != nil {
		return nil, err
	}
	tol := opt.Tol
	if tol == 0 {
		tol = DefaultSnapTol
	}
	if math.IsNaN(tol) || tol <= 0 || tol >= 1 {
		return nil, fmt.Errorf("snap: tolerance τ = %v must lie in (0, 1)", opt.Tol)
	}
	sn := newSnapper(cand, tol, opt)
	res := &SnapResult{Scalar: cand.K() == 1, Tol: tol, Scale: snapSqrtUp(sn.scale2)}
	res.Pattern, res.Moves = sn.classify()
	res.Residuals = snapResiduals(cand)
	if !res.Scalar {
		var mv []Move
		res.Algebraic, mv = sn.snapAlgebraic(res.Pattern)
		res.Moves = append(res.Moves, mv...)
		return res, nil
	}

	pat := res.Pattern
	attempts := opt.MaxAttempts
	if attempts == 0 {
		attempts = cand.M() + DefaultSnapAttempts
	}
	var out *snapOutcome
	for {
		out = sn.build(pat)
		retry := len(res.Attempts) < attempts
		if retry && (out.failure != nil || len(out.far) > 0) {
			if next, mv, ok := sn.zeroSmallest(pat, out); ok {
				res.Attempts = append(res.Attempts, mv.Text)
				res.Moves = append(res.Moves, mv)
				pat = next
				continue
			}
		}
		sn.verify(out)
		if retry && out.verdict != nil && out.verdict.Kind == NotStationary {
			if next, mv, ok := sn.dropBlamed(pat, out); ok {
				res.Attempts = append(res.Attempts, mv.Text)
				res.Moves = append(res.Moves, mv)
				pat = next
				continue
			}
		}
		break
	}
	res.Pattern = pat
	res.Moves = append(res.Moves, out.moves...)
	res.Failure = out.failure
	if out.point != nil {
		res.Point, res.Verdict, res.RecheckErr = out.point, out.verdict, out.recheck
		res.Distance = snapSqrtUp(snapDistance2(cand, out.point))
	}
	if len(res.Attempts) > 0 && (out.point == nil || out.verdict.Kind == NotStationary) {
		res.Attempts = append(res.Attempts, fmt.Sprintf("gave up after %d neighbouring pattern(s)", len(res.Attempts)))
	}
	sn.sensitivity(res)
	return res, nil
}

// snapper holds what every step needs: the candidate, τ and the exact
// constants derived from it.
type snapper struct {
	cand   *Point
	opt    SnapOptions
	tol    float64
	tau2   *big.Rat // τ²
	tau4   *big.Rat // τ⁴
	scale2 *big.Rat // Σ|y|² / Σ|x|²
}

func newSnapper(cand *Point, tol float64, opt SnapOptions) *snapper {
	tau := new(big.Rat).SetFloat64(tol)
	tau2 := new(big.Rat).Mul(tau, tau)
	sy, sx := new(big.Rat), new(big.Rat)
	for i := range cand.X {
		sx.Add(sx, cand.X[i].Norm2())
		sy.Add(sy, cand.Y[i].Norm2())
	}
	scale2 := big.NewRat(1, 1)
	if sx.Sign() != 0 && sy.Sign() != 0 {
		scale2 = new(big.Rat).Quo(sy, sx)
	}
	return &snapper{cand: cand, opt: opt, tol: tol, tau2: tau2, tau4: new(big.Rat).Mul(tau2, tau2), scale2: scale2}
}

// SnapScale documents the unit of the tiny test: scale² = Σ_i|y_i|² / Σ_i|x_i|²
// (1 when either sum is 0), the size of a product p = a·w for which p·x is
// of the size of the targets. It returns scale² exactly.
func SnapScale(p *Point) *big.Rat { return newSnapper(p, DefaultSnapTol, SnapOptions{}).scale2 }

// near reports (w·x)² ≤ τ²|w|²|x|², exactly.
func (sn *snapper) near(w, x exact.Vec) bool {
	z := w.Dot(x)
	lhs := new(big.Rat).Mul(z, z)
	rhs := new(big.Rat).Mul(w.Norm2(), x.Norm2())
	rhs.Mul(rhs, sn.tau2)
	return lhs.Cmp(rhs) <= 0
}

// tiny reports |a|²|w|² ≤ τ⁴·scale², exactly.
func (sn *snapper) tiny(nr Neuron) bool {
	lhs := new(big.Rat).Mul(nr.A.Norm2(), nr.W.Norm2())
	return lhs.Cmp(new(big.Rat).Mul(sn.tau4, sn.scale2)) <= 0
}

// classify is step 1.
func (sn *snapper) classify() (SnapPattern, []Move) {
	p := sn.cand
	var pat SnapPattern
	var moves []Move
	for j, nr := range p.Neurons {
		sj := SnapNeuron{Tiny: sn.tiny(nr), Product: snapSqrtUp(new(big.Rat).Mul(nr.A.Norm2(), nr.W.Norm2()))}
		dead := p.Act.Neg.Sign() == 0 && !nr.W.IsZero()
		for _, x := range p.X {
			if !x.IsZero() && nr.W.Dot(x).Sign() >= 0 {
				dead = false
				break
			}
		}
		switch {
		case dead:
			sj.Rule = RuleDead
			sj.Side = make([]int8, p.N())
			for i, x := range p.X {
				if x.IsZero() {
					continue
				}
				sj.Side[i] = -1
				if sn.near(nr.W, x) {
					sj.Near = append(sj.Near, i)
				}
			}
			pat.Dead = append(pat.Dead, j)
		case sj.Tiny:
			sj.Rule = RuleZeroed
			pat.Zeroed = append(pat.Zeroed, j)
			if !nr.W.IsZero() || !nr.A.IsZero() {
				moves = append(moves, Move{Rule: "zeroed", Neuron: j, Sample: -1, Text: fmt.Sprintf(
					"neuron %d is tiny (|ã||w̃| ≈ %s ≤ τ²·scale ≈ %s): set to the zero neuron w = 0, a = 0",
					j, snapFmtFloat(sj.Product), snapFmtFloat(snapTinyThreshold(sn)))})
			}
		default:
			sj.Rule = RuleAlive
			sj.Side = make([]int8, p.N())
			for i, x := range p.X {
				if x.IsZero() {
					continue
				}
				z := nr.W.Dot(x)
				if sn.near(nr.W, x) {
					sj.Z = append(sj.Z, i)
					if z.Sign() != 0 {
						moves = append(moves, Move{Rule: "boundary", Neuron: j, Sample: i, Text: fmt.Sprintf(
							"sample %d put on neuron %d's hyperplane (|w̃·x|/(|w̃||x|) ≈ %s ≤ τ)", i, j, snapFmtFloat(snapRelAngle(nr.W, x)))})
					}
					continue
				}
				sj.Side[i] = int8(z.Sign())
			}
			pat.Alive = append(pat.Alive, j)
		}
		pat.Neurons = append(pat.Neurons, sj)
	}
	return pat, moves
}

// snapTinyThreshold returns τ²·scale, rounded up.
func snapTinyThreshold(sn *snapper) *big.Float {
	return snapSqrtUp(new(big.Rat).Mul(sn.tau4, sn.scale2))
}

// snapRelAngle returns |w·x|/(|w||x|), rounded up.
func snapRelAngle(w, x exact.Vec) *big.Float {
	z := w.Dot(x)
	r := new(big.Rat).Mul(z, z)
	r.Quo(r, new(big.Rat).Mul(w.Norm2(), x.Norm2()))
	return snapSqrtUp(r)
}

// snapOutcome is the result of steps 2–4 on one pattern.
type snapOutcome struct {
	// far lists the alive neurons the least squares moved by more than
	// their own size (|w_j − w̃_j| > |w̃_j|).
	far []int
	// theta is the exact point of steps 2–3; point is set to it once
	// Check has run.
	theta   *Point
	point   *Point
	verdict *Verdict
	recheck error
	failure *SnapFailure
	moves   []Move
}

// snapPattern runs steps 2–4 on the pattern pat.
func (sn *snapper) snapPattern(pat SnapPattern) *snapOutcome {
	out := sn.build(pat)
	sn.verify(out)
	return out
}

// build runs steps 2 and 3 on the pattern pat: the exact point (in
// out.theta) and its sign check (out.failure).
func (sn *snapper) build(pat SnapPattern) *snapOutcome {
	out := &snapOutcome{}
	p := sn.cand
	theta := &Point{Act: p.Act, X: p.X, Y: p.Y, Neurons: make([]Neuron, p.M())}
	var alive []int
	for j, sj := range pat.Neurons {
		nr := p.Neurons[j]
		switch sj.Rule {
		case RuleDead, RuleKept:
			theta.Neurons[j] = nr.Clone()
		case RuleZeroed:
			theta.Neurons[j] = Neuron{W: exact.NewVec(p.D()), A: exact.NewVec(p.K())}
		case RuleDeadOnBoundary:
			w := snapProject(snapRows(p.X, sj.Z), exact.NewVec(len(sj.Z)), nr.W)
			a := nr.A.Clone()
			if sj.Tiny {
				a = exact.NewVec(p.K())
			}
			theta.Neurons[j] = Neuron{W: w, A: a}
		case RuleAlive:
			alive = append(alive, j)
		}
	}
	if len(alive) > 0 || p.HasOutputBias() {
		as := make([]*big.Rat, len(alive))
		for b, j := range alive {
			as[b] = snapShortRat(p.Neurons[j].A[0])
		}
		prods, bias := sn.leastSquares(pat, alive, as)
		if bias != nil {
			theta.OutputBias = exact.Vec{bias}
			if d := new(big.Rat).Sub(bias, p.OutputBias[0]); d.Sign() != 0 {
				out.moves = append(out.moves, Move{Rule: "refit", Neuron: -1, Sample: -1, Text: fmt.Sprintf(
					"output bias: b = %s from the exact least squares (moved by %s)", snapFmtRat(bias), snapFmtFloat(snapSqrtUp(snapSq(d))))})
			}
		}
		for b, j := range alive {
			nr, a := p.Neurons[j], as[b]
			if a.Cmp(nr.A[0]) != 0 {
				out.moves = append(out.moves, Move{Rule: "output-weight", Neuron: j, Sample: -1, Text: fmt.Sprintf(
					"neuron %d: a = %s, the shortest decimal of the float ã (moved by %s)",
					j, a.RatString(), snapFmtFloat(snapSqrtUp(snapSq(new(big.Rat).Sub(a, nr.A[0])))))})
			}
			w := prods[b].Scale(new(big.Rat).Inv(a))
			if d := w.Sub(nr.W); !d.IsZero() {
				d2, w2 := d.Norm2(), nr.W.Norm2()
				out.moves = append(out.moves, Move{Rule: "refit", Neuron: j, Sample: -1, Text: fmt.Sprintf(
					"neuron %d: w = p/a with p = a·w from the exact least squares, |w − w̃| ≈ %s (|w̃| ≈ %s)",
					j, snapFmtFloat(snapSqrtUp(d2)), snapFmtFloat(snapSqrtUp(w2)))})
				if d2.Cmp(w2) > 0 {
					out.far = append(out.far, j)
				}
			}
			theta.Neurons[j] = Neuron{W: w, A: exact.Vec{a}}
		}
	}
	// Step 3: strict signs.
	var flips []SignFlip
	for j, sj := range pat.Neurons {
		if sj.Rule != RuleAlive && sj.Rule != RuleDeadOnBoundary {
			continue
		}
		for i, x := range p.X {
			if sj.Side[i] == 0 {
				continue
			}
			z := theta.Neurons[j].W.Dot(x)
			if z.Sign() != int(sj.Side[i]) {
				flips = append(flips, SignFlip{Neuron: j, Sample: i, Side: sj.Side[i], Pre: z})
			}
		}
	}
	if len(flips) > 0 {
		var parts []string
		for _, f := range flips {
			parts = append(parts, fmt.Sprintf("neuron %d, sample %d: side %s in θ̃, w·x = %s ≈ %s after the snap",
				f.Neuron, f.Sample, snapSide(f.Side), f.Pre.RatString(), snapFmtRat(f.Pre)))
		}
		out.failure = &SnapFailure{Flips: flips, Reason: "a strict sign did not survive the snap (" +
			strings.Join(parts, "; ") + "): the float point is not near a stationary point of this pattern"}
		return out
	}
	out.theta = theta
	return out
}

// verify is step 4: Check and Recheck of the point build made, unless the
// sign check failed.
func (sn *snapper) verify(out *snapOutcome) {
	if out.failure != nil || out.theta == nil {
		return
	}
	v, err := Check(out.theta, sn.opt.Check)
	if err != nil {
		out.failure = &SnapFailure{Reason: "verify: " + err.Error()}
		return
	}
	out.point, out.verdict = out.theta, v
	out.recheck = Recheck(out.theta, v)
}

// leastSquares is step 2: the exact equality-constrained least squares in
// product coordinates for the alive neurons, given their output weights as
// (one per alive neuron, nonzero). Among the optimal products it returns
// those nearest the candidate in the weights themselves: with a_j fixed,
// w_j = p_j/a_j, so it minimises Σ_j |w_j − w̃_j|² = Σ_j |p_j − a_j w̃_j|²/a_j²
// over the optimal set (an exact weighted projection).
//
// With an output bias, b is one more free unknown: a block with M_b the
// column of ones, no boundary constraint, P_b = 1 and weight 1 in the metric
// (|b − b̃|² joins the distance), so the optimum satisfies its normal
// equation Σ_i r_i = 0, (S0). It is returned as bias (nil without one).
//
// The optimal fitted values f* are unique; neurons with the same pattern
// (sides and Z_j) have the same block M_g of the design matrix, so f*
// comes from a least squares over the distinct patterns only. The optimal
// set is {p : p_j·x_i = 0 for i ∈ Z_j, Σ_j M_j p_j = f*}; since the metric
// is a scalar a_j⁻² on each block, the nearest point is: q_j = P_j p̂_j
// (P_j the orthogonal projector onto {x_i : i ∈ Z_j}^⊥), then
// p_j = q_j + a_j² P_j M_jᵀ μ with (Σ_j a_j² M_j P_j M_jᵀ) μ = f* − Σ_j M_j q_j,
// an n × n system.
func (sn *snapper) leastSquares(pat SnapPattern, alive []int, as []*big.Rat) (prods []exact.Vec, bias *big.Rat) {
	p := sn.cand
	d, n := p.D(), p.N()
	// Group the alive neurons by pattern.
	type group struct {
		M  exact.Mat // n × d: row i = s_i x_i (0 on Z and for x_i = 0)
		Z  exact.Mat // the boundary samples
		P  exact.Mat // d × d projector onto Z^⊥
		a2 *big.Rat  // Σ a_j² over the group
		v  exact.Vec
	}
	var groups []*group
	index := map[string]*group{}
	of := make([]*group, len(alive))
	for b, j := range alive {
		sj := pat.Neurons[j]
		key := fmt.Sprint(sj.Side, sj.Z)
		g := index[key]
		if g == nil {
			g = &group{M: exact.NewMat(n, d), Z: snapRows(p.X, sj.Z), a2: new(big.Rat)}
			for i, x := range p.X {
				if sj.Side[i] == 0 {
					continue
				}
				s := p.Act.Slope(int(sj.Side[i]))
				for c := 0; c < d; c++ {
					g.M[i][c].Mul(s, x[c])
				}
			}
			g.P = exact.NewMat(d, d)
			for c := 0; c < d; c++ {
				e := exact.NewVec(d)
				e[c].SetInt64(1)
				col := snapProject(g.Z, exact.NewVec(len(g.Z)), e)
				for r := 0; r < d; r++ {
					g.P[r][c] = col[r]
				}
			}
			index[key] = g
			groups = append(groups, g)
		}
		g.a2.Add(g.a2, new(big.Rat).Mul(as[b], as[b]))
		of[b] = g
	}
	// f*: KKT over the groups, [MᵀM Cᵀ; C 0] [p; λ] = [Mᵀy; 0].
	cols := len(groups) * d
	withBias := p.HasOutputBias()
	if withBias {
		cols++ // the last column, of ones, is b's
	}
	M := exact.NewMat(n, cols)
	if withBias {
		for i := 0; i < n; i++ {
			M[i][cols-1].SetInt64(1)
		}
	}
	var C exact.Mat
	for b, g := range groups {
		for i := 0; i < n; i++ {
			for c := 0; c < d; c++ {
				M[i][b*d+c].Set(g.M[i][c])
			}
		}
		for _, z := range g.Z {
			row := exact.NewVec(cols)
			for c := 0; c < d; c++ {
				row[b*d+c].Set(z[c])
			}
			C = append(C, row)
		}
	}
	y := make(exact.Vec, n)
	for i := range y {
		y[i] = p.Y[i][0]
	}
	sol, err := exact.ConstrainedLeastSquares(M, y, C, cols)
	if err != nil {
		panic("snap: " + err.Error())
	}
	fstar := M.MulVec(sol[:cols])
	// The nearest optimal point.
	q := make([]exact.Vec, len(alive))
	rest := fstar.Clone()
	var bt *big.Rat // b̃
	if withBias {
		bt = p.OutputBias[0]
		for i := range rest {
			rest[i] = new(big.Rat).Sub(rest[i], bt)
		}
	}
	for b, j := range alive {
		phat := p.Neurons[j].W.Scale(as[b])
		q[b] = of[b].P.MulVec(phat)
		rest = rest.Sub(of[b].M.MulVec(q[b]))
	}
	S := exact.NewMat(n, n)
	for _, g := range groups {
		MP := make(exact.Mat, n) // rows of M_g P_g
		for i := range MP {
			MP[i] = g.P.T().MulVec(g.M[i])
		}
		for r := 0; r < n; r++ {
			for c := 0; c < n; c++ {
				v := MP[r].Dot(g.M[c])
				if v.Sign() != 0 {
					S[r][c].Add(S[r][c], v.Mul(v, g.a2))
				}
			}
		}
	}
	if withBias {
		// M_b P_b M_bᵀ = 1·1ᵀ with weight 1.
		for r := 0; r < n; r++ {
			for c := 0; c < n; c++ {
				S[r][c].Add(S[r][c], one)
			}
		}
	}
	mu, ok := exact.SolveLinear(S, rest, n)
	if !ok {
		panic("snap: the nearest-point system is inconsistent")
	}
	if withBias {
		// b = b̃ + M_bᵀμ = b̃ + Σ_i μ_i.
		bias = new(big.Rat).Set(bt)
		for _, x := range mu {
			bias.Add(bias, x)
		}
	}
	for _, g := range groups {
		g.v = g.P.MulVec(g.M.T().MulVec(mu))
	}
	prods = make([]exact.Vec, len(alive))
	for b := range alive {
		prods[b] = q[b].Add(of[b].v.Scale(new(big.Rat).Mul(as[b], as[b])))
	}
	return prods, bias
}

// snapProject returns the point of {q : A q = b} nearest p (the set must
// be non-empty): q = p − Aᵀμ with (AAᵀ)μ = Ap − b.
func snapProject(A exact.Mat, b, p exact.Vec) exact.Vec {
	if len(A) == 0 {
		return p.Clone()
	}
	g := exact.NewMat(len(A), len(A))
	for r := range A {
		for s := r; s < len(A); s++ {
			v := A[r].Dot(A[s])
			g[r][s].Set(v)
			g[s][r].Set(v)
		}
	}
	mu, ok := exact.SolveLinear(g, A.MulVec(p).Sub(b), len(A))
	if !ok {
		panic("snap: projection onto an empty affine set")
	}
	q := p.Clone()
	for r := range A {
		q.AddScaled(new(big.Rat).Neg(mu[r]), A[r])
	}
	return q
}

// snapRows returns the samples idx as the rows of a matrix.
func snapRows(X []exact.Vec, idx []int) exact.Mat {
	m := make(exact.Mat, len(idx))
	for r, i := range idx {
		m[r] = X[i]
	}
	return m
}

// dropBlamed builds the neighbouring pattern after a failed (S2): the
// certificate's descent direction u for neuron j moves some boundary
// samples off the hyperplane (x_i·u ≠ 0); the first of them whose side in
// θ̃ agrees with the side u moves it to (else the first of them) leaves Z_j
// for its side in θ̃ (the side u moves it to when θ̃ had it exactly on the
// hyperplane).
func (sn *snapper) dropBlamed(pat SnapPattern, out *snapOutcome) (SnapPattern, Move, bool) {
	v := out.verdict
	if v == nil || v.Cert == nil || v.Cert.Descent == nil || v.Cert.Descent.Condition != "S2" {
		return pat, Move{}, false
	}
	j := v.Cert.Descent.Neuron
	if pat.Neurons[j].Rule != RuleAlive || len(pat.Neurons[j].Z) == 0 {
		return pat, Move{}, false
	}
	u := v.Cert.Descent.Delta[j].W
	w := sn.cand.Neurons[j].W
	pick, side := -1, int8(0)
	for _, i := range pat.Neurons[j].Z {
		t := int8(sn.cand.X[i].Dot(u).Sign())
		if t == 0 {
			continue
		}
		s := int8(w.Dot(sn.cand.X[i]).Sign())
		if s == 0 {
			s = t
		}
		if s == t {
			pick, side = i, s
			break
		}
		if pick < 0 {
			pick, side = i, s
		}
	}
	if pick < 0 {
		return pat, Move{}, false
	}
	np := snapClonePattern(pat)
	sj := &np.Neurons[j]
	sj.Side[pick] = side
	var z []int
	for _, i := range sj.Z {
		if i != pick {
			z = append(z, i)
		}
	}
	sj.Z = z
	desc := fmt.Sprintf("(S2) fails for neuron %d along u = %v (φ_j(u) = %s < 0) at boundary sample %d: dropped it from Z_%d onto side %s, as in θ̃",
		j, u, snapFmtRat(v.Cert.Descent.Derivative), pick, j, snapSide(side))
	return np, Move{Rule: "drop", Neuron: j, Sample: pick, Text: desc}, true
}

// zeroSmallest builds the neighbouring pattern after a failed sign check or
// a far move: among the alive neurons whose signs moved or that the least
// squares moved by more than their own size (|w_j − w̃_j| > |w̃_j|), the one
// with the smallest product |ã_j||w̃_j| is zeroed, provided it is small:
// |ã_j||w̃_j| ≤ τ·scale. (A neuron growing away from a saddle — mid-plateau,
// after vanishing initialisation — is small but not tiny; the exact point
// the plateau approximates has it zero, and the least squares that keeps it
// alive moves it far, often across a sample.)
func (sn *snapper) zeroSmallest(pat SnapPattern, out *snapOutcome) (SnapPattern, Move, bool) {
	limit := new(big.Rat).Mul(sn.tau2, sn.scale2) // (τ·scale)²
	best := -1
	var bestP *big.Rat
	var cands []int
	if out.failure != nil {
		for _, f := range out.failure.Flips {
			cands = append(cands, f.Neuron)
		}
	}
	cands = append(cands, out.far...)
	for _, j := range cands {
		if pat.Neurons[j].Rule != RuleAlive {
			continue
		}
		nr := sn.cand.Neurons[j]
		p2 := new(big.Rat).Mul(nr.A.Norm2(), nr.W.Norm2())
		if p2.Cmp(limit) > 0 {
			continue
		}
		if best < 0 || p2.Cmp(bestP) < 0 {
			best, bestP = j, p2
		}
	}
	if best < 0 {
		return pat, Move{}, false
	}
	np := snapClonePattern(pat)
	sj := &np.Neurons[best]
	sj.Rule = RuleZeroed
	sj.Side, sj.Z = nil, nil
	np.Alive = slices.DeleteFunc(np.Alive, func(j int) bool { return j == best })
	np.Zeroed = append(np.Zeroed, best)
	slices.Sort(np.Zeroed)
	why := fmt.Sprintf("the least squares moved neuron %d by more than its own size (|w − w̃| > |w̃|)", best)
	var moved []string
	if out.failure != nil {
		for _, f := range out.failure.Flips {
			if f.Neuron == best {
				moved = append(moved, fmt.Sprint(f.Sample))
			}
		}
	}
	if len(moved) > 0 {
		why = fmt.Sprintf("the least squares moved the sign of neuron %d at sample(s) %s", best, strings.Join(moved, ", "))
	}
	desc := fmt.Sprintf("%s; it is small (|ã||w̃| ≈ %s ≤ τ·scale ≈ %s, the smallest such neuron): set to the zero neuron",
		why, snapFmtFloat(snapSqrtUp(bestP)), snapFmtFloat(snapSqrtUp(limit)))
	return np, Move{Rule: "zeroed", Neuron: best, Sample: -1, Text: desc}, true
}

// snapClonePattern deep-copies a pattern.
func snapClonePattern(pat SnapPattern) SnapPattern {
	np := SnapPattern{
		Alive:  append([]int(nil), pat.Alive...),
		Dead:   append([]int(nil), pat.Dead...),
		Zeroed: append([]int(nil), pat.Zeroed...),
	}
	for _, sj := range pat.Neurons {
		c := sj
		c.Side = append([]int8(nil), sj.Side...)
		c.Z = append([]int(nil), sj.Z...)
		c.Near = append([]int(nil), sj.Near...)
		np.Neurons = append(np.Neurons, c)
	}
	return np
}

// snapShortRat returns the rational Snap uses for a float output weight ã: when
// ã is exactly a float64, the exact value of the shortest decimal that
// rounds to that float64 (strconv's 'g', −1 format: 0.1 for the float
// nearest 1/10); otherwise ã itself.
func snapShortRat(a *big.Rat) *big.Rat {
	f, exactly := a.Float64()
	if !exactly || math.IsInf(f, 0) || f == 0 {
		return new(big.Rat).Set(a)
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		return new(big.Rat).Set(a)
	}
	return r
}

// snapDistance2 returns |θ − θ̃|² over all weights.
func snapDistance2(a, b *Point) *big.Rat {
	s := new(big.Rat)
	for j := range a.Neurons {
		s.Add(s, a.Neurons[j].W.Sub(b.Neurons[j].W).Norm2())
		s.Add(s, a.Neurons[j].A.Sub(b.Neurons[j].A).Norm2())
	}
	if a.HasOutputBias() && b.HasOutputBias() {
		s.Add(s, a.OutputBias.Sub(b.OutputBias).Norm2())
	}
	return s
}

func snapSq(r *big.Rat) *big.Rat { return new(big.Rat).Mul(r, r) }

// snapPrec is the precision of the big.Float numbers Snap reports.
const snapPrec = 64

// snapSqrtUp returns a big.Float s ≥ √r (r ≥ 0) within a few ulps at
// precision snapPrec: the rounded square root, raised until s² ≥ r holds
// exactly.
func snapSqrtUp(r *big.Rat) *big.Float {
	f := new(big.Float).SetPrec(snapPrec).SetMode(big.ToPositiveInf)
	if r.Sign() <= 0 {
		return f.SetInt64(0)
	}
	f.SetRat(r)
	f.Sqrt(f)
	for {
		q, _ := f.Rat(nil)
		if q.Mul(q, q).Cmp(r) >= 0 {
			return f
		}
		ulp := new(big.Float).SetMantExp(big.NewFloat(1), f.MantExp(nil)-snapPrec)
		f.Add(f, ulp)
	}
}

// snapFmtFloat formats a big.Float with 4 significant digits.
func snapFmtFloat(f *big.Float) string {
	if f == nil {
		return "?"
	}
	return f.Text('g', 4)
}

// snapFmtRat formats a rational approximately with 4 significant digits.
func snapFmtRat(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	return new(big.Float).SetPrec(snapPrec).SetRat(r).Text('g', 4)
}

func snapSide(s int8) string {
	switch {
	case s > 0:
		return "+ (P)"
	case s < 0:
		return "− (N)"
	}
	return "0 (Z)"
}
