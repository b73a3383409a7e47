package verify

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
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

// DefaultSnapLadder is the τ ladder Snap tries, in order, when
// SnapOptions.Tol is zero: the default τ first, then coarser values (a
// trained point whose samples are still converging onto hyperplanes, or
// whose dying neurons are still shrinking, needs them), then finer ones (a
// sample that is near a hyperplane but not on it in the limit). Success is
// not monotone in τ, so every value is tried until one gives a stationary
// point.
var DefaultSnapLadder = []float64{1e-4, 1e-3, 1e-2, 1e-5, 1e-6}

// DefaultSnapFarRatio is the threshold of Snap's first-order test: θ̃ is
// judged not near a stationary point when its gradient, with every kink
// within the ladder's largest τ relaxed and the neurons small enough to be
// zeroed left out, exceeds this fraction of rms(y)·rms(x), the size of the
// gradient of the zero network's loss.
const DefaultSnapFarRatio = 1e-2

// DefaultSnapAttempts is added to the width m to bound the neighbouring
// patterns Snap tries (each zeroes one neuron or drops one boundary sample).
const DefaultSnapAttempts = 16

// DefaultSnapNeighbours bounds the neighbouring choices Snap re-verifies in
// its sensitivity step.
const DefaultSnapNeighbours = 64

// SnapOptions configures Snap. The zero value gives the defaults.
type SnapOptions struct {
	// Tol is the relative tolerance τ ∈ (0, 1) of docs/theory.md §6; 0 means
	// the ladder (Ladder, or DefaultSnapLadder). It is converted to a rational exactly, and every
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
	// Ladder is the list of τ tried in order when Tol is 0; nil means
	// DefaultSnapLadder.
	Ladder []float64
	// FarRatio is the threshold of the first-order test (see
	// DefaultSnapFarRatio, its value when 0); negative disables the test.
	FarRatio float64
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
	// Rule is one of "zeroed" (a neuron made the zero neuron: tiny, or a
	// neighbouring pattern), "boundary" (sample put on a neuron's
	// hyperplane), "refit" (the product p_j = a_j w_j, or b, moved by the
	// exact solve), "output-weight" (a_j replaced by a short rational),
	// "drop" (a boundary sample moved off Z_j because the pattern was not
	// stationary), "cross" (a near sample moved to the other side, or for
	// k ≥ 2 onto its hyperplane), "align"
	// (aligned neurons given one pattern) and "dead-on-boundary" or "kept"
	// (neighbouring choices of the sensitivity step).
	Rule   string
	Neuron int
	Sample int
	// Text says what moved and by how much.
	Text string
	// Size is how much moved (rounded up), when it is one number: |ã||w̃|
	// of a tiny neuron, the relative angle of a boundary sample, |a − ã|,
	// |w − w̃| or |b − b̃|; nil otherwise.
	Size *big.Float
	// Attempt marks the move of a neighbouring pattern (listed in
	// SnapResult.Attempts too).
	Attempt bool
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

// SnapTry is what one τ of the ladder gave.
type SnapTry struct {
	Tol float64
	// The final pattern's size: alive, dead and zeroed neurons, and the
	// number of boundary samples of the alive ones.
	Alive, Dead, Zeroed, Boundary int
	// Attempts is the number of neighbouring patterns tried.
	Attempts int
	// Verdict is Check's verdict on the exact point (nil when none was
	// built), Failure why there is none.
	Verdict *Verdict
	Failure *SnapFailure
	// Bits is the bit length of the exact solution's denominator.
	Bits int
	// Chosen marks the try whose point Snap reports.
	Chosen bool
}

// Outcome says in a few words what the try gave.
func (t SnapTry) Outcome() string {
	switch {
	case t.Verdict != nil && t.Verdict.Kind == NotStationary:
		return "the exact point is " + snapDescribe(t.Verdict)
	case t.Verdict != nil:
		return "stationary: " + snapDescribe(t.Verdict)
	case t.Failure != nil && len(t.Failure.Flips) > 0:
		f := t.Failure.Flips[0]
		return fmt.Sprintf("%d strict side(s) break (first: neuron %d, sample %d)", len(t.Failure.Flips), f.Neuron, f.Sample)
	case t.Failure != nil:
		return t.Failure.Reason
	}
	return "no exact point"
}

// SnapFar is the first-order test's finding that θ̃ is not near a
// stationary point.
type SnapFar struct {
	// Relaxed ≈ the norm of θ̃'s gradient with the kinks of samples within
	// Tol of a hyperplane relaxed (the part of ∇_w L in the span of those
	// samples removed) and the neurons small enough to be zeroed left out
	// (float64, from the exact residuals).
	Relaxed float64
	// Unit = rms(y)·rms(x); the test is Relaxed > Ratio·Unit.
	Unit, Ratio, Tol float64
	// OutputGradient ≤ sqrt(Σ_j |G_j|²) (rounded down): along δa = −G the
	// loss falls at rate ≥ OutputGradient² (certified, from the exact G_j).
	OutputGradient *big.Float
	// Far reports Relaxed > Ratio·Unit: θ̃ is plainly not near a
	// stationary point.
	Far bool
	// Text is the message, two lines at most.
	Text string
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
	// Tries says what each τ of the ladder gave, in the order tried; the
	// one whose point is reported has Chosen set.
	Tries []SnapTry
	// Far is set when the first-order test judged θ̃ not near a stationary
	// point; for k = 1 nothing else was then attempted, for k ≥ 2 it is
	// asked only after the big-float layer proved no box.
	Far *SnapFar
	// Candidate is the verdict of θ̃ itself (the exact values of its
	// floats), and CandidateRecheck the result of Recheck on it; set when
	// no τ gave a stationary point.
	Candidate        *Verdict
	CandidateRecheck error
	// Bits is the size of the exact solve: the bit length of the common
	// denominator of the pattern's product coordinates (0 when none).
	Bits int
	// BudgetCut, when not empty, says that the time budget ended the τ
	// ladder before every τ was tried, and where; without an exact point
	// the outcome is then undetermined (not "no stationary point").
	BudgetCut string
	// Budget, when not empty, says that the time budget
	// (SnapOptions.Check's Deadline or Timeout) ran out before snap had a
	// verdict, and in which stage: the outcome is undetermined, for that
	// reason. The other fields hold what was done before.
	Budget string
	// Algebraic is the result of the big-float layer for k ≥ 2 (snapk.go):
	// the exact stationary point θ* is algebraic, proved to exist in a box,
	// and classified from the box. Nil for k = 1.
	Algebraic *AlgebraicSnap
}

// Snap turns the float candidate cand into an exact point and certifies it
// (docs/theory.md §6, §8.1). For scalar output (k = 1), for each τ of the
// ladder in turn:
//
//  1. neuron rules from θ̃ with tolerance τ — dead neurons kept exactly,
//     tiny neurons (|ã_j||w̃_j| ≤ τ²·scale, see SnapScale) zeroed, alive
//     neurons with their near samples in Z_j;
//  2. the pattern's stationary points form a polyhedron in the product
//     coordinates p_j = a_j w_j (and b): the least squares' KKT system with
//     every strict side and every (S2) multiplier inequality. The planner
//     (snapplan.go) finds its point nearest θ̃ in float64; the exact stage
//     (snapsolve.go) solves the KKT system exactly for a basis of the
//     unknowns, the others fixed at the planned values rounded to short
//     dyadic rationals, and checks every equation and inequality exactly;
//  3. factor back: a_j is the simplest rational that rounds to the float
//     ã_j (exact.ShortRat), w_j = p_j/a_j;
//  4. Check and Recheck θ*.
//
// When the plan or the exact point breaks a strict side, or moves an alive
// neuron by more than its own size (|w_j − w̃_j| > |w̃_j|), the smallest such
// neuron is zeroed if it is small (|ã_j||w̃_j| ≤ τ·scale: a neuron growing
// away from a saddle); when an (S2) inequality fails (in the plan, exactly,
// or in Check's certificate), the boundary sample to blame is dropped from
// Z_j onto its side in θ̃; steps 2–4 are then repeated (at most MaxAttempts
// times, each recorded in Attempts and Moves). The first τ that gives a
// stationary point wins; the result says what every τ tried gave (Tries).
//
//  5. Sensitivity: the neighbouring rules are re-verified and each that
//     reaches a different verdict on a stationary point is reported as
//     fragile.
//
// Before any of this, a cheap first-order test (farFrom) stops a snap of a
// point that is plainly not near a stationary point (Far). When no τ gives a
// stationary point, θ̃ itself is checked (Candidate): its verdict is
// certified too, and is not-stationary for every float point that is not
// exactly stationary.
//
// For k ≥ 2 step 1 and the big-float layer of snapk.go run with the first
// τ; when no box is proved, the first-order test says whether θ̃ is far.
// The error is non-nil only for a malformed candidate or options; a snap
// that does not succeed is reported in SnapResult.Failure.
func Snap(cand *Point, opt SnapOptions) (_ *SnapResult, err error) {
	if cand == nil {
		return nil, errors.New("snap: nil candidate")
	}
	if err := cand.Validate(); err != nil {
		return nil, err
	}
	ladder, err := opt.ladder()
	if err != nil {
		return nil, err
	}
	opt.Check.startClock()
	sn := newSnapper(cand, ladder[0], opt)
	res := &SnapResult{Scalar: cand.K() == 1, Tol: ladder[0], Scale: snapSqrtUp(sn.scale2)}
	if st := catchStop(func() { _, err = sn.snap(res, ladder) }); st != nil {
		res.Budget = budgetReason(*st, "")
	}
	return res, err
}

// snap is Snap after the options are checked; a stage that runs out of
// the time budget unwinds it with a panic of type stopped (budget.go),
// which Snap recovers.
func (sn *snapper) snap(res *SnapResult, ladder []float64) (*SnapResult, error) {
	cand, opt := sn.cand, sn.opt
	res.Pattern, res.Moves = sn.classify()
	res.Residuals = snapResiduals(cand)
	sn.far = &snapFarState{ladder: ladder, rs: res.Residuals}
	if !res.Scalar {
		var mv []Move
		res.Algebraic, mv = sn.snapAlgebraic(res.Pattern)
		res.Moves = append(res.Moves, mv...)
		// Newton may reach a box from farther than the first-order test
		// allows, so the test runs only when no box was proved, to say
		// how far θ̃ is.
		if v := res.Algebraic.Verdict; v.Cert == nil {
			if f := sn.far.test(sn); f != nil {
				res.Far = f
				v.Reason += "; " + strings.TrimSuffix(f.Text, "; no snap attempted")
			}
		}
		return res, nil
	}
	var first *snapRun
	for k, tau := range ladder {
		if k > 0 && opt.Check.expired() {
			res.Tries = append(res.Tries, SnapTry{Tol: tau, Failure: &SnapFailure{Reason: "not tried: time budget exceeded"}})
			res.BudgetCut = "budget: time budget exceeded before τ = " + fmt.Sprint(tau) + " was tried"
			break
		}
		s := sn
		if k > 0 {
			s = newSnapper(cand, tau, opt)
			s.img, s.shortAs, s.far = sn.img, sn.shortAs, sn.far
		}
		pat, moves := s.classify()
		var run *snapRun
		if k == 0 {
			run = s.run(pat)
		} else if st := catchStop(func() { run = s.run(pat) }); st != nil {
			res.Tries = append(res.Tries, SnapTry{Tol: tau, Failure: &SnapFailure{Reason: "not finished: " + budgetReason(*st, "")}})
			res.BudgetCut = budgetReason(*st, "at τ = "+fmt.Sprint(tau))
			break
		}
		run.moves = append(moves, run.moves...)
		if f := sn.far.far; f != nil {
			// The first-order test stopped the snap before any exact work.
			s.fill(res, run)
			res.Far = f
			res.Failure = &SnapFailure{Reason: f.Text, Flips: run.out.failure.Flips}
			if fl := run.out.failure.Flips; len(fl) > 0 {
				res.Failure.Reason = snapFlipReason(fl) + ". " + f.Text
			}
			sn.checkCandidate(res)
			return res, nil
		}
		res.Tries = append(res.Tries, run.try(tau))
		if run.out.point != nil && run.out.verdict.Kind != NotStationary {
			res.Tries[len(res.Tries)-1].Chosen = true
			s.fill(res, run)
			s.sensitivity(res)
			return res, nil
		}
		if first == nil {
			first = run
			sn = s
		}
	}
	// No τ gave a stationary point: report the first τ's outcome, and θ̃'s
	// own verdict.
	sn.fill(res, first)
	if len(ladder) > 1 {
		res.Failure = &SnapFailure{Reason: snapLadderFailure(res.Tries), Flips: res.failureFlips()}
	}
	if m := sn.far.measure(sn); m != nil && res.Failure != nil && !strings.Contains(res.Failure.Reason, m.Text) {
		res.Failure.Reason += ". " + m.Text
	}
	sn.checkCandidate(res)
	sn.sensitivity(res)
	return res, nil
}

// ladder returns the τ values to try.
func (opt SnapOptions) ladder() ([]float64, error) {
	var l []float64
	switch {
	case opt.Tol != 0:
		l = []float64{opt.Tol}
	case opt.Ladder != nil:
		l = opt.Ladder
	default:
		l = DefaultSnapLadder
	}
	if len(l) == 0 {
		return nil, errors.New("snap: empty τ ladder")
	}
	for _, t := range l {
		if math.IsNaN(t) || t <= 0 || t >= 1 {
			return nil, fmt.Errorf("snap: tolerance τ = %v must lie in (0, 1)", t)
		}
	}
	return l, nil
}

// snapRun is what one τ gave: the final pattern, the neighbouring patterns
// tried, the moves, and the outcome on the final pattern.
type snapRun struct {
	pat      SnapPattern
	attempts []string
	moves    []Move
	out      *snapOutcome
}

// try summarises a run for SnapResult.Tries.
func (r *snapRun) try(tau float64) SnapTry {
	t := SnapTry{Tol: tau, Alive: len(r.pat.Alive), Dead: len(r.pat.Dead), Zeroed: len(r.pat.Zeroed),
		Attempts: len(r.attempts), Verdict: r.out.verdict, Failure: r.out.failure, Bits: r.out.bits}
	for _, j := range r.pat.Alive {
		t.Boundary += len(r.pat.Neurons[j].Z)
	}
	return t
}

// fill copies a run into the result.
func (sn *snapper) fill(res *SnapResult, run *snapRun) {
	res.Tol = sn.tol
	res.Pattern = run.pat
	res.Moves = run.moves
	res.Attempts = run.attempts
	res.Failure = run.out.failure
	res.Bits = run.out.bits
	if run.out.point != nil {
		res.Point, res.Verdict, res.RecheckErr = run.out.point, run.out.verdict, run.out.recheck
		res.Distance = snapSqrtUp(snapDistance2(sn.cand, run.out.point))
	}
	if len(res.Attempts) > 0 && (run.out.point == nil || run.out.verdict.Kind == NotStationary) {
		res.Attempts = append(res.Attempts, fmt.Sprintf("gave up after %d neighbouring pattern(s)", len(res.Attempts)))
	}
}

// run snaps one τ's pattern, trying neighbouring patterns while the rules
// of Snap's documentation apply.
func (sn *snapper) run(pat SnapPattern) *snapRun {
	r := &snapRun{}
	attempts := sn.opt.MaxAttempts
	if attempts == 0 {
		attempts = sn.cand.M() + DefaultSnapAttempts
	}
	crossed := map[[2]int]int8{}
	alignedAll := false
	next := func(np SnapPattern, mv Move) {
		mv.Attempt = true
		r.attempts = append(r.attempts, mv.Text)
		r.moves = append(r.moves, mv)
		pat = np
	}
	for {
		retry := len(r.attempts) < attempts
		sys := sn.newSnapSystem(pat)
		pl := sys.plan()
		if retry && pl.s2 != nil {
			if np, mv, ok := sn.dropSample(pat, pl.s2.neuron, pl.s2.sample, "in the float plan"); ok {
				next(np, mv)
				continue
			}
		}
		if retry && len(pl.collapsed) > 0 {
			np, mv := sn.zeroNeuron(pat, pl.collapsed[0], "the nearest stationary point of the pattern has p = a·w = 0 for it (the neuron vanishes)")
			next(np, mv)
			continue
		}
		if retry && (len(pl.flips) > 0 || len(pl.far) > 0) {
			if np, mv, ok := sn.zeroSmallest(pat, pl.flips, pl.far); ok {
				next(np, mv)
				continue
			}
		}
		if retry && len(pl.flips) > 0 {
			if np, mv, ok := sn.crossSamples(pat, pl.flips, crossed); ok {
				next(np, mv)
				continue
			}
			if np, mv, ok := sn.alignNeurons(pat, pl.flips); ok {
				next(np, mv)
				continue
			}
			if !alignedAll {
				alignedAll = true
				if np, mv, ok := sn.alignClusters(pat); ok {
					next(np, mv)
					continue
				}
			}
		}
		if pl.s2 != nil || len(pl.flips) > 0 || len(pl.far) > 0 {
			// The plan predicts failure and no neighbouring pattern
			// applies: no exact work (the prediction is stated as such).
			// A neuron moved by more than its own size counts as a
			// failure: such a point is not near θ̃.
			r.pat = pat
			r.out = &snapOutcome{failure: pl.failure()}
			sn.far.test(sn)
			return r
		}
		out := sn.exactStage(pl)
		if retry && out.s2 != nil {
			if np, mv, ok := sn.dropSample(pat, out.s2.neuron, out.s2.sample, "exactly"); ok {
				next(np, mv)
				continue
			}
		}
		if retry && out.failure != nil && len(out.failure.Flips) > 0 {
			if np, mv, ok := sn.zeroSmallest(pat, out.failure.Flips, nil); ok {
				next(np, mv)
				continue
			}
			if np, mv, ok := sn.crossSamples(pat, out.failure.Flips, crossed); ok {
				next(np, mv)
				continue
			}
		}
		if retry && out.verdict != nil && out.verdict.Kind == NotStationary {
			if np, mv, ok := sn.dropBlamed(pat, out.verdict); ok {
				next(np, mv)
				continue
			}
		}
		r.pat, r.out = pat, out
		r.moves = append(r.moves, out.moves...)
		return r
	}
}

// snapLadderFailure says in one line that no τ worked, and what the first
// (the default) gave; SnapResult.Tries has the others.
func snapLadderFailure(tries []SnapTry) string {
	var taus []string
	for _, t := range tries {
		taus = append(taus, fmt.Sprint(t.Tol))
	}
	return fmt.Sprintf("no τ of the ladder (%s) gives a stationary point; at τ = %g: %s",
		strings.Join(taus, ", "), tries[0].Tol, tries[0].Outcome())
}

// failureFlips returns the flips of the first try that has some.
func (res *SnapResult) failureFlips() []SignFlip {
	for _, t := range res.Tries {
		if t.Failure != nil && len(t.Failure.Flips) > 0 {
			return t.Failure.Flips
		}
	}
	return nil
}

// checkCandidate certifies θ̃ itself (its exact rational values): the
// verdict a float point gets when no exact stationary point near it was
// found.
func (sn *snapper) checkCandidate(res *SnapResult) {
	// θ̃ is a float point, in practice never stationary: Theorem G (the
	// comparison with the least loss of any width) would only add cost.
	opt := sn.opt.Check
	opt.SkipGlobal = true
	v, err := Check(sn.cand, opt)
	if err != nil {
		return
	}
	res.Candidate = v
	res.CandidateRecheck = Recheck(sn.cand, v)
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
	// Caches shared by the τ of a ladder: the data's integer and float
	// images and the short output weights.
	img     *snapImages
	shortAs []*big.Rat
	// far is the first-order test, run at most once per Snap.
	far *snapFarState
	// moved holds the (neuron, sample) pairs that a k ≥ 2 retry put on or
	// took off a hyperplane; no later retry moves them again.
	moved map[[2]int]bool
	// poll asks the time budget in the stages outside Check (nil: none);
	// it unwinds Snap with a panic of type stopped.
	poll *poller
}

// snapFarState runs the first-order test (farFrom) once, when first asked.
type snapFarState struct {
	ladder   []float64
	rs       *Residuals
	done     bool
	far      *SnapFar // set when judged far
	measured *SnapFar // the measured bound, far or not
}

// test returns the test's finding (nil: not judged far, or no test).
func (f *snapFarState) test(sn *snapper) *SnapFar {
	f.measure(sn)
	if f == nil {
		return nil
	}
	return f.far
}

// measure runs the test once and returns the measured bound (nil when
// the test is off).
func (f *snapFarState) measure(sn *snapper) *SnapFar {
	if f == nil {
		return nil
	}
	if !f.done {
		f.measured, f.done = sn.farFrom(f.ladder, f.rs), true
		if f.measured != nil && f.measured.Far {
			f.far = f.measured
		}
	}
	return f.measured
}

func newSnapper(cand *Point, tol float64, opt SnapOptions) *snapper {
	tau := new(big.Rat).SetFloat64(tol)
	tau2 := new(big.Rat).Mul(tau, tau)
	sy, sx := new(big.Rat), new(big.Rat)
	for i := range cand.X.Rows() {
		sx.Add(sx, cand.X.Row(i).Norm2())
		sy.Add(sy, cand.Y.Row(i).Norm2())
	}
	scale2 := big.NewRat(1, 1)
	if sx.Sign() != 0 && sy.Sign() != 0 {
		scale2 = new(big.Rat).Quo(sy, sx)
	}
	return &snapper{cand: cand, opt: opt, tol: tol, tau2: tau2, tau4: new(big.Rat).Mul(tau2, tau2), scale2: scale2, poll: newPoller(opt.Check)}
}

// SnapScale documents the unit of the tiny test: scale² = Σ_i|y_i|² / Σ_i|x_i|²
// (1 when either sum is 0), the size of a product p = a·w for which p·x is
// of the size of the targets. It returns scale² exactly.
func SnapScale(p *Point) *big.Rat { return newSnapper(p, DefaultSnapTol, SnapOptions{}).scale2 }

// near reports (w·x)² ≤ τ²|w|²|x|², exactly: by a float64 evaluation
// with a rigorous error bound when it decides (nearFloat), else in
// rationals.
func (sn *snapper) near(w, x exact.Vec) bool {
	if v, ok := nearFloat(w, x, sn.tol); ok {
		return v
	}
	z := w.Dot(x)
	lhs := new(big.Rat).Mul(z, z)
	rhs := new(big.Rat).Mul(w.Norm2(), x.Norm2())
	rhs.Mul(rhs, sn.tau2)
	return lhs.Cmp(rhs) <= 0
}

// nearFloat decides (w·x)² ≤ τ²|w|²|x|² in float64 when the rounding
// error cannot change the answer. With u = 2⁻⁵³ and γ = (d+2)u (the
// conversion of each entry to float64 and the d-term sums), the computed
// z = w·x, S = Σ|w_c x_c| and norms satisfy |z − w·x| ≤ γS and
// |N − |w|²| ≤ γ|w|² (the same for x); the test is decided when the
// interval of (w·x)² and that of τ²|w|²|x|² (widened by 4γ, covering the
// products) are disjoint. ok is false otherwise, or when an entry's
// image is outside exact.ToFloat64's range [2⁻⁵⁰⁰, 2⁵⁰⁰] (a subnormal
// conversion has no relative error bound).
func nearFloat(w, x exact.Vec, tau float64) (near, ok bool) {
	var z, s, nw, nx float64
	for c := range w {
		a, okA := exact.ToFloat64(w[c])
		b, okB := exact.ToFloat64(x[c])
		if !okA || !okB {
			return false, false // a subnormal image breaks the relative bound
		}
		z += a * b
		s += math.Abs(a * b)
		nw += a * a
		nx += b * b
	}
	rhs := tau * tau * nw * nx
	if math.IsInf(s, 0) || math.IsNaN(s) || rhs < 0x1p-1000 || rhs > 0x1p1000 {
		return false, false
	}
	g := float64(len(w)+2) * 0x1p-53 * 1.01
	zlo := math.Max(0, math.Abs(z)-g*s)
	zhi := math.Abs(z) + g*s
	switch {
	case zhi*zhi*(1+4*g) < rhs*(1-4*g):
		return true, true
	case zlo*zlo*(1-4*g) > rhs*(1+4*g):
		return false, true
	}
	return false, false
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
		for i := range p.N() {
			if x := p.X.Row(i); !x.IsZero() && nr.W.Dot(x).Sign() >= 0 {
				dead = false
				break
			}
		}
		switch {
		case dead:
			sj.Rule = RuleDead
			sj.Side = make([]int8, p.N())
			for i := range p.X.Rows() {
				x := p.X.Row(i)
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
				moves = append(moves, Move{Rule: "zeroed", Neuron: j, Sample: -1, Size: sj.Product, Text: fmt.Sprintf(
					"neuron %d is tiny (|ã||w̃| ≈ %s ≤ τ²·scale ≈ %s): set to the zero neuron w = 0, a = 0",
					j, snapFmtFloat(sj.Product), snapFmtFloat(snapTinyThreshold(sn)))})
			}
		default:
			sj.Rule = RuleAlive
			sj.Side = make([]int8, p.N())
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				if x.IsZero() {
					continue
				}
				z := nr.W.Dot(x)
				if sn.near(nr.W, x) {
					sj.Z = append(sj.Z, i)
					if z.Sign() != 0 {
						ang := snapRelAngle(nr.W, x)
						moves = append(moves, Move{Rule: "boundary", Neuron: j, Sample: i, Size: ang, Text: fmt.Sprintf(
							"sample %d put on neuron %d's hyperplane (|w̃·x|/(|w̃||x|) ≈ %s ≤ τ)", i, j, snapFmtFloat(ang))})
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
	// point is the exact point (nil when none was built), with Check's
	// verdict and the result of Recheck.
	point   *Point
	verdict *Verdict
	recheck error
	failure *SnapFailure
	moves   []Move
	// s2 is the boundary sample whose exact (S2) inequality failed.
	s2 *snapBlame
	// bits is the bit length of the exact solution's common denominator.
	bits int
}

// snapPattern runs steps 2–4 on the pattern pat, without neighbouring
// patterns (the sensitivity step).
func (sn *snapper) snapPattern(pat SnapPattern) *snapOutcome {
	return sn.exactStage(sn.newSnapSystem(pat).plan())
}

// exactStage runs the exact stage on a plan, then Check and Recheck on the
// exact point when every equation and inequality of the polyhedron holds.
func (sn *snapper) exactStage(pl *snapPlan) *snapOutcome {
	out := &snapOutcome{}
	ex := pl.solve()
	out.bits = ex.denBits
	if ex.err != nil {
		out.failure = &SnapFailure{Reason: "internal: " + ex.err.Error()}
		return out
	}
	theta := ex.theta
	out.moves = sn.refitMoves(pl.sys, theta)
	if ex.s2 != nil {
		out.s2 = ex.s2
		out.failure = &SnapFailure{Reason: fmt.Sprintf("the exact stationary point of the pattern breaks an (S2) inequality at boundary sample %d of neuron %d (its multiplier leaves [ρ₋r_i, ρ₊r_i], or κ·a_j·r_i < 0)", ex.s2.sample, ex.s2.neuron)}
		return out
	}
	if len(ex.flips) > 0 {
		out.failure = &SnapFailure{Flips: ex.flips, Reason: snapFlipReason(ex.flips)}
		return out
	}
	v, err := Check(theta, sn.opt.Check)
	if err != nil {
		out.failure = &SnapFailure{Reason: "verify: " + err.Error()}
		return out
	}
	out.point, out.verdict = theta, v
	out.recheck = Recheck(theta, v)
	return out
}

// snapFlipList names the first three broken sides (w·x after the snap).
func snapFlipList(flips []SignFlip) string {
	var parts []string
	for k, f := range flips {
		if k == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(flips)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("neuron %d, sample %d: side %s in θ̃, w·x ≈ %s after the snap",
			f.Neuron, f.Sample, snapSide(f.Side), snapFmtRat(f.Pre)))
	}
	return strings.Join(parts, "; ")
}

// snapFlipReason says which strict sides the exact point breaks, in a few
// lines: the first three, and how many more.
func snapFlipReason(flips []SignFlip) string {
	return "a strict sign did not survive the snap (" + snapFlipList(flips) + "): the float point is not near a stationary point of this pattern"
}

// refitMoves records how far the exact stage moved each alive neuron and b.
func (sn *snapper) refitMoves(s *snapSystem, theta *Point) []Move {
	p := sn.cand
	var moves []Move
	if theta.OutputBias != nil {
		if d := new(big.Rat).Sub(theta.OutputBias[0], p.OutputBias[0]); d.Sign() != 0 {
			sz := snapSqrtUp(snapSq(d))
			moves = append(moves, Move{Rule: "refit", Neuron: -1, Sample: -1, Size: sz, Text: fmt.Sprintf(
				"output bias: b = %s from the exact least squares (moved by %s)", snapFmtRat(theta.OutputBias[0]), snapFmtFloat(sz))})
		}
	}
	for _, j := range s.pat.Alive {
		nr, a := p.Neurons[j], theta.Neurons[j].A[0]
		if a.Cmp(nr.A[0]) != 0 {
			sz := snapSqrtUp(snapSq(new(big.Rat).Sub(a, nr.A[0])))
			moves = append(moves, Move{Rule: "output-weight", Neuron: j, Sample: -1, Size: sz, Text: fmt.Sprintf(
				"neuron %d: a = %s, the simplest rational that rounds to the float ã (moved by %s)",
				j, exact.Text(a), snapFmtFloat(sz))})
		}
		if d2 := snapDist2(theta.Neurons[j].W, nr.W); d2.Sign() != 0 {
			sz := snapSqrtUp(d2)
			moves = append(moves, Move{Rule: "refit", Neuron: j, Sample: -1, Size: sz, Text: fmt.Sprintf(
				"neuron %d: w = p/a with p = a·w from the exact least squares, |w − w̃| ≈ %s (|w̃| ≈ %s)",
				j, snapFmtFloat(sz), snapFmtFloat(snapSqrtUp(nr.W.Norm2())))})
		}
	}
	return moves
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

// dropBlamed builds the neighbouring pattern after a failed (S2) in
// Check's certificate: the descent direction u for neuron j moves some
// boundary samples off the hyperplane (x_i·u ≠ 0); the first of them whose
// side in θ̃ agrees with the side u moves it to (else the first of them)
// leaves Z_j for its side in θ̃ (the side u moves it to when θ̃ had it
// exactly on the hyperplane).
func (sn *snapper) dropBlamed(pat SnapPattern, v *Verdict) (SnapPattern, Move, bool) {
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
		t := int8(sn.cand.X.Row(i).Dot(u).Sign())
		if t == 0 {
			continue
		}
		s := int8(w.Dot(sn.cand.X.Row(i)).Sign())
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
	np := snapMoveOff(pat, j, pick, side)
	desc := fmt.Sprintf("(S2) fails for neuron %d along u = %v (φ_j(u) = %s < 0) at boundary sample %d: dropped it from Z_%d onto side %s, as in θ̃",
		j, snapVecShort(u), snapFmtRat(v.Cert.Descent.Derivative), pick, j, snapSide(side))
	return np, Move{Rule: "drop", Neuron: j, Sample: pick, Text: desc}, true
}

// dropSample builds the neighbouring pattern after an (S2) inequality of
// the pattern's stationary point fails at boundary sample i of neuron j's
// group (found by the planner or the exact stage): the sample leaves Z for
// its side in θ̃, for every neuron of the group.
func (sn *snapper) dropSample(pat SnapPattern, j, i int, where string) (SnapPattern, Move, bool) {
	sj := pat.Neurons[j]
	if sj.Rule != RuleAlive || !slices.Contains(sj.Z, i) {
		return pat, Move{}, false
	}
	side := int8(sn.cand.Neurons[j].W.Dot(sn.cand.X.Row(i)).Sign())
	if side == 0 {
		return pat, Move{}, false
	}
	np := pat
	var js []int
	for _, k := range pat.Alive {
		sk := pat.Neurons[k]
		if slices.Equal(sk.Side, sj.Side) && slices.Equal(sk.Z, sj.Z) {
			np = snapMoveOff(np, k, i, int8(sn.cand.Neurons[k].W.Dot(sn.cand.X.Row(i)).Sign()))
			js = append(js, k)
		}
	}
	desc := fmt.Sprintf("(S2) fails %s at boundary sample %d of neuron(s) %s (its multiplier leaves [ρ₋r_i, ρ₊r_i], or κ·a_j·r_i < 0): dropped it from Z onto its side in θ̃",
		where, i, snapInts(js))
	return np, Move{Rule: "drop", Neuron: j, Sample: i, Text: desc}, true
}

// snapMoveOff returns a copy of pat with sample i moved from Z_j to side
// (side 0 keeps it on the hyperplane only when θ̃ had it exactly there).
func snapMoveOff(pat SnapPattern, j, i int, side int8) SnapPattern {
	np := snapClonePattern(pat)
	sj := &np.Neurons[j]
	if side == 0 {
		return np
	}
	sj.Side[i] = side
	sj.Z = slices.DeleteFunc(sj.Z, func(k int) bool { return k == i })
	return np
}

// snapSmallTol is the least relative size below which a neuron that
// breaks strict sides or moves far counts as small (zeroSmallest), whatever
// τ: an over-parameterised network near a global minimum has neurons dying
// at a few per cent of the scale.
const snapSmallTol = 0.05

// smallTau2 returns max(τ, snapSmallTol)².
func (sn *snapper) smallTau2() *big.Rat {
	if sn.tol >= snapSmallTol {
		return sn.tau2
	}
	t := new(big.Rat).SetFloat64(snapSmallTol)
	return t.Mul(t, t)
}

// zeroSmallest builds the neighbouring pattern after a broken strict side
// or a far move: among the alive neurons whose signs moved or that the
// least squares moved by more than their own size (|w_j − w̃_j| > |w̃_j|),
// the one with the smallest product |ã_j||w̃_j| is zeroed, provided it is
// small: |ã_j||w̃_j| ≤ max(τ, snapSmallTol)·scale. (A neuron growing away from a saddle —
// mid-plateau, after vanishing initialisation — is small but not tiny; the
// exact point the plateau approximates has it zero, and the least squares
// that keeps it alive moves it far, often across a sample.)
func (sn *snapper) zeroSmallest(pat SnapPattern, flips []SignFlip, far []int) (SnapPattern, Move, bool) {
	limit := new(big.Rat).Mul(sn.smallTau2(), sn.scale2) // (max(τ, τ_small)·scale)²
	best := -1
	var bestP *big.Rat
	var cands []int
	for _, f := range flips {
		cands = append(cands, f.Neuron)
	}
	cands = append(cands, far...)
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
	np := snapZeroed(pat, best)
	why := fmt.Sprintf("the least squares moved neuron %d by more than its own size (|w − w̃| > |w̃|)", best)
	var moved []string
	for _, f := range flips {
		if f.Neuron == best {
			moved = append(moved, fmt.Sprint(f.Sample))
		}
	}
	if len(moved) > 3 {
		moved = append(moved[:3], fmt.Sprintf("… (%d in all)", len(moved)))
	}
	if len(moved) > 0 {
		why = fmt.Sprintf("the least squares moved the sign of neuron %d at sample(s) %s", best, strings.Join(moved, ", "))
	}
	desc := fmt.Sprintf("%s; it is small (|ã||w̃| ≈ %s ≤ max(τ, 0.05)·scale ≈ %s, the smallest such neuron): set to the zero neuron",
		why, snapFmtFloat(snapSqrtUp(bestP)), snapFmtFloat(snapSqrtUp(limit)))
	return np, Move{Rule: "zeroed", Neuron: best, Sample: -1, Text: desc}, true
}

// crossSamples builds the neighbouring pattern after the exact point (or
// the plan) of a pattern breaks strict sides only at samples near a
// neuron's hyperplane (|w̃_j·x_i| ≤ 100τ|w̃_j||x_i|): those samples change side — the exact point
// puts them across the hyperplane, where training was taking them — for
// every neuron of the group, each pair at most once (crossed records them).
// A pair that breaks again on the side it was moved to goes onto the
// hyperplane (a kink of the limit: neither strict side has a stationary
// point), when the boundary samples stay linearly independent; after that
// it is not moved again.
func (sn *snapper) crossSamples(pat SnapPattern, flips []SignFlip, crossed map[[2]int]int8) (SnapPattern, Move, bool) {
	np := pat
	var done, kinks []string
	wide := newSnapper(sn.cand, math.Min(0.5, 100*sn.tol), sn.opt)
	for _, f := range flips {
		if !wide.near(sn.cand.Neurons[f.Neuron].W, sn.cand.X.Row(f.Sample)) {
			// A broken side far from its hyperplane: crossing the near
			// ones would not explain it.
			return pat, Move{}, false
		}
	}
	for _, f := range flips {
		key := [2]int{f.Neuron, f.Sample}
		if crossed[key] == snapOnKink || np.Neurons[f.Neuron].Rule != RuleAlive || !wide.near(sn.cand.Neurons[f.Neuron].W, sn.cand.X.Row(f.Sample)) {
			continue
		}
		sj := np.Neurons[f.Neuron]
		if sj.Side[f.Sample] != f.Side {
			continue // already moved with its group
		}
		side, state := -f.Side, snapCrossed
		if crossed[key] == snapCrossed {
			if exact.Rank(sn.cand.X.Select(append(slices.Clone(sj.Z), f.Sample))) != len(sj.Z)+1 {
				continue
			}
			side, state = 0, snapOnKink
		}
		if len(done)+len(kinks) == 0 {
			np = snapClonePattern(np)
		}
		sj = np.Neurons[f.Neuron]
		for _, k := range np.Alive {
			sk := &np.Neurons[k]
			if slices.Equal(sk.Side, sj.Side) && slices.Equal(sk.Z, sj.Z) {
				sk.Side[f.Sample] = side
				if side == 0 {
					sk.Z = append(sk.Z, f.Sample)
					slices.Sort(sk.Z)
				}
				crossed[[2]int{k, f.Sample}] = state
			}
		}
		if side == 0 {
			kinks = append(kinks, fmt.Sprintf("%d of neuron %d", f.Sample, f.Neuron))
		} else {
			done = append(done, fmt.Sprintf("%d of neuron %d", f.Sample, f.Neuron))
		}
	}
	if len(done)+len(kinks) == 0 {
		return pat, Move{}, false
	}
	short := func(xs []string) string {
		if len(xs) > 3 {
			xs = append(xs[:3], fmt.Sprintf("… (%d in all)", len(xs)))
		}
		return strings.Join(xs, ", ")
	}
	var parts []string
	if len(done) > 0 {
		parts = append(parts, fmt.Sprintf("the exact point puts sample(s) %s, within 100τ of the hyperplane in θ̃, across it: moved to the other side", short(done)))
	}
	if len(kinks) > 0 {
		parts = append(parts, fmt.Sprintf("sample(s) %s break their side on both sides of the hyperplane: put on it (a kink of the limit)", short(kinks)))
	}
	return np, Move{Rule: "cross", Neuron: flips[0].Neuron, Sample: flips[0].Sample, Text: strings.Join(parts, "; ")}, true
}

// States of a (neuron, sample) pair in crossSamples.
const (
	snapCrossed int8 = 1 // moved to the other side once
	snapOnKink  int8 = 2 // then put on the hyperplane
)

// snapAlignCos is the cosine above which two alive neurons with output
// weights of one sign count as aligned (an angle of about 11°).
const snapAlignCos = 0.98

// alignNeurons builds the neighbouring pattern after broken strict sides
// in which neurons that training is aligning get one pattern: for a neuron
// j whose sides break and an alive neuron k with the same sign of a and
// cos(w̃_j, w̃_k) ≥ snapAlignCos but a different pattern, the smaller of the
// two (by |ã||w̃|) takes the larger one's sides and boundary samples, so the
// two share one product in the least squares. (Gradient descent from small
// initialisation drives the neurons that will represent one feature
// towards one direction; the exact point it approaches has them parallel.)
func (sn *snapper) alignNeurons(pat SnapPattern, flips []SignFlip) (SnapPattern, Move, bool) {
	p := sn.cand
	prod := func(j int) *big.Rat { return new(big.Rat).Mul(p.Neurons[j].A.Norm2(), p.Neurons[j].W.Norm2()) }
	wf := func(j int) []float64 {
		out := make([]float64, p.D())
		for c := range out {
			out[c], _ = p.Neurons[j].W[c].Float64()
		}
		return out
	}
	for _, f := range flips {
		j := f.Neuron
		if pat.Neurons[j].Rule != RuleAlive {
			continue
		}
		for _, k := range pat.Alive {
			if k == j || p.Neurons[k].A[0].Sign() != p.Neurons[j].A[0].Sign() {
				continue
			}
			sj, sk := pat.Neurons[j], pat.Neurons[k]
			if slices.Equal(sj.Side, sk.Side) && slices.Equal(sj.Z, sk.Z) {
				continue
			}
			// A heuristic choice of the pattern to try, in float64: the
			// exact stage and Check decide what the pattern gives.
			wj, wk := wf(j), wf(k)
			if fdot(wj, wk) < snapAlignCos*fnorm(wj)*fnorm(wk) {
				continue
			}
			small, large := j, k
			if prod(j).Cmp(prod(k)) > 0 {
				small, large = k, j
			}
			np := snapClonePattern(pat)
			np.Neurons[small].Side = append([]int8(nil), np.Neurons[large].Side...)
			np.Neurons[small].Z = append([]int(nil), np.Neurons[large].Z...)
			desc := fmt.Sprintf("neurons %d and %d are aligned (cos(w̃_%d, w̃_%d) ≥ %g, a of one sign) and the pattern breaks strict sides: neuron %d takes the pattern of neuron %d",
				j, k, j, k, snapAlignCos, small, large)
			return np, Move{Rule: "align", Neuron: small, Sample: -1, Text: desc}, true
		}
	}
	return pat, Move{}, false
}

// alignClusters builds the neighbouring pattern in which every cluster of
// aligned alive neurons (same sign of a, connected by cos(w̃_j, w̃_k) ≥
// snapAlignCos) takes the pattern of its largest member (by |ã||w̃|); it is
// tried once per τ, after the pairwise rule, when strict sides still break.
func (sn *snapper) alignClusters(pat SnapPattern) (SnapPattern, Move, bool) {
	p := sn.cand
	wf := make(map[int][]float64)
	for _, j := range pat.Alive {
		out := make([]float64, p.D())
		for c := range out {
			out[c], _ = p.Neurons[j].W[c].Float64()
		}
		wf[j] = out
	}
	prod := func(j int) float64 {
		a, _ := p.Neurons[j].A[0].Float64()
		return math.Abs(a) * fnorm(wf[j])
	}
	// Union-find over the alive neurons.
	parent := map[int]int{}
	var find func(int) int
	find = func(j int) int {
		if parent[j] != j {
			parent[j] = find(parent[j])
		}
		return parent[j]
	}
	for _, j := range pat.Alive {
		parent[j] = j
	}
	for x, j := range pat.Alive {
		for _, k := range pat.Alive[x+1:] {
			if p.Neurons[j].A[0].Sign() != p.Neurons[k].A[0].Sign() {
				continue
			}
			if fdot(wf[j], wf[k]) >= snapAlignCos*fnorm(wf[j])*fnorm(wf[k]) {
				parent[find(j)] = find(k)
			}
		}
	}
	lead := map[int]int{}
	for _, j := range pat.Alive {
		r := find(j)
		if l, ok := lead[r]; !ok || prod(j) > prod(l) {
			lead[r] = j
		}
	}
	np := snapClonePattern(pat)
	var moved []string
	for _, j := range pat.Alive {
		l := lead[find(j)]
		if l == j || (slices.Equal(pat.Neurons[j].Side, pat.Neurons[l].Side) && slices.Equal(pat.Neurons[j].Z, pat.Neurons[l].Z)) {
			continue
		}
		np.Neurons[j].Side = append([]int8(nil), pat.Neurons[l].Side...)
		np.Neurons[j].Z = append([]int(nil), pat.Neurons[l].Z...)
		moved = append(moved, fmt.Sprintf("%d→%d", j, l))
	}
	if len(moved) == 0 {
		return pat, Move{}, false
	}
	desc := fmt.Sprintf("strict sides break: every cluster of aligned neurons (cos ≥ %g, a of one sign) takes the pattern of its largest member (%s)", snapAlignCos, strings.Join(moved, ", "))
	return np, Move{Rule: "align", Neuron: -1, Sample: -1, Text: desc}, true
}

// snapZeroed returns a copy of pat with alive neuron j made the zero
// neuron.
func snapZeroed(pat SnapPattern, j int) SnapPattern {
	np := snapClonePattern(pat)
	sj := &np.Neurons[j]
	sj.Rule = RuleZeroed
	sj.Side, sj.Z = nil, nil
	np.Alive = slices.DeleteFunc(np.Alive, func(k int) bool { return k == j })
	np.Zeroed = append(np.Zeroed, j)
	slices.Sort(np.Zeroed)
	return np
}

// zeroNeuron builds the neighbouring pattern with alive neuron j zeroed,
// for the reason given.
func (sn *snapper) zeroNeuron(pat SnapPattern, j int, why string) (SnapPattern, Move) {
	return snapZeroed(pat, j), Move{Rule: "zeroed", Neuron: j, Sample: -1, Text: fmt.Sprintf("neuron %d: %s; set to the zero neuron", j, why)}
}

// snapVecShort formats a vector with each entry ≈ 4 significant digits.
func snapVecShort(v exact.Vec) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = snapFmtRat(x)
	}
	return "(" + strings.Join(parts, ", ") + ")"
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

// snapShortRat returns the rational Snap uses for a float output weight ã:
// the simplest rational that rounds to the same float (exact.ShortRat; 1/10
// for the float nearest 1/10); a number that is no float is kept.
func snapShortRat(a *big.Rat) *big.Rat { return exact.ShortRat(a) }

// snapDistance2 returns |θ − θ̃|² over all weights.
func snapDistance2(a, b *Point) *big.Rat {
	s := new(big.Rat)
	for j := range a.Neurons {
		s.Add(s, snapDist2(a.Neurons[j].W, b.Neurons[j].W))
		s.Add(s, snapDist2(a.Neurons[j].A, b.Neurons[j].A))
	}
	if a.HasOutputBias() && b.HasOutputBias() {
		s.Add(s, snapDist2(a.OutputBias, b.OutputBias))
	}
	return s
}

func snapSq(r *big.Rat) *big.Rat { return new(big.Rat).Mul(r, r) }

// snapDot returns a·b exactly (len(a) = len(b)), over the common
// denominators L_a of a's entries and L_b of b's: Σ_c (L_a a_c)(L_b b_c) /
// (L_a L_b), one reduction to lowest terms instead of one per term.
func snapDot(a, b exact.Vec) *big.Rat {
	La, Lb := exact.CommonDenominator(a), exact.CommonDenominator(b)
	var sum, t, u, q big.Int
	for c := range a {
		if a[c].Sign() == 0 || b[c].Sign() == 0 {
			continue
		}
		t.Mul(a[c].Num(), q.Quo(La, a[c].Denom()))
		u.Mul(b[c].Num(), q.Quo(Lb, b[c].Denom()))
		sum.Add(&sum, t.Mul(&t, &u))
	}
	return new(big.Rat).SetFrac(&sum, q.Mul(La, Lb))
}

// snapDist2 returns |a − b|² exactly (len(a) = len(b)), computed over the
// common denominator L of all the entries: Σ_c (L·a_c − L·b_c)² / L², one
// reduction to lowest terms instead of one per entry and per sum (a
// snapped w has denominators of thousands of bits, and Vec.Norm2 of
// a.Sub(b) spent seconds in their gcds).
func snapDist2(a, b exact.Vec) *big.Rat {
	L := exact.CommonDenominator(append(append(make(exact.Vec, 0, len(a)+len(b)), a...), b...))
	var sum, t, u, q big.Int
	scaled := func(x *big.Rat, z *big.Int) {
		q.Quo(L, x.Denom())
		z.Mul(x.Num(), &q)
	}
	for c := range a {
		scaled(a[c], &t)
		scaled(b[c], &u)
		t.Sub(&t, &u)
		sum.Add(&sum, u.Mul(&t, &t))
	}
	return new(big.Rat).SetFrac(&sum, q.Mul(L, L))
}

// snapPrec is the precision of the big.Float numbers Snap reports.
const snapPrec = 64

// snapSqrtUp returns a big.Float s ≥ √r (r ≥ 0) within a few ulps at
// precision snapPrec.
func snapSqrtUp(r *big.Rat) *big.Float { return snapSqrt(r, big.ToPositiveInf) }

// snapSqrt returns √r (r ≥ 0) at precision snapPrec, rounded in the
// direction of mode (big.ToPositiveInf: s ≥ √r; big.ToNegativeInf: s ≤ √r)
// within a few ulps: the rounded square root, moved by an ulp at a time
// until s² compares with r as the direction requires, exactly.
func snapSqrt(r *big.Rat, mode big.RoundingMode) *big.Float {
	f := new(big.Float).SetPrec(snapPrec).SetMode(mode)
	if r.Sign() <= 0 {
		return f.SetInt64(0)
	}
	dir := 1 // s² − r must have this sign (or be 0)
	if mode == big.ToNegativeInf {
		dir = -1
	}
	f.SetRat(r)
	f.Sqrt(f)
	for {
		q, _ := f.Rat(nil)
		if q.Mul(q, q).Cmp(r)*dir >= 0 {
			return f
		}
		ulp := new(big.Float).SetMantExp(new(big.Float).SetInt64(int64(dir)), f.MantExp(nil)-snapPrec)
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
