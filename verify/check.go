package verify

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/relucert/relucert/exact"
)

// Options bounds the work of Check. A zero value means no bound.
type Options struct {
	// MaxCells bounds the number of arrangement cells enumerated per neuron.
	MaxCells int
	// MaxPivots bounds the simplex pivots of each LP.
	MaxPivots int
	// Deadline, when not zero, is the time after which the search stops
	// (checked before each cell's LPs): what is undecided then makes the
	// verdict undetermined, never a guess.
	Deadline time.Time
	// Timeout, when positive and Deadline is zero, sets the deadline to
	// Timeout after Check starts.
	Timeout time.Duration
	// SkipGlobal turns off Theorem G (the comparison with the least loss of
	// any width, global.go): the verdict is then the local one, and
	// global-min needs L = 0.
	SkipGlobal bool
	// Cells makes Check decide (S2), and escape for k ≥ 2, by the cell
	// method for every neuron, also when Q_j ≡ 0 ((E1) and (E2) hold:
	// then φ_j ≡ 0 and the certificate needs no cell). For tests and
	// benchmarks of the cell method; the verdict is the same.
	Cells bool

	// stop, when set (by tests), is asked instead of the deadline's clock
	// by the pollers of budget.go.
	stop exact.Stop
}

// startClock sets Deadline to Timeout from now when only Timeout is
// given (the start of Check, or of Snap for all its steps).
func (o *Options) startClock() {
	if o.Timeout > 0 && o.Deadline.IsZero() {
		o.Deadline = time.Now().Add(o.Timeout)
	}
}

// errDeadline is the budget error of an exceeded Options.Deadline.
var errDeadline = fmt.Errorf("time budget: %w", exact.ErrBudget)

// budgetErr names the time budget in a budget error raised after the
// deadline passed (the cell enumeration reports every budget as
// exact.ErrBudget); other errors are returned as they are.
func (opt Options) budgetErr(err error) error {
	if errors.Is(err, exact.ErrBudget) && opt.expired() {
		return errDeadline
	}
	return err
}

// expired reports whether the deadline of opt has passed.
func (opt Options) expired() bool {
	return !opt.Deadline.IsZero() && time.Now().After(opt.Deadline)
}

// Check classifies the point p exactly (docs/theory.md §3–4) and returns the verdict
// with its certificate:
//  1. Theorem S for every neuron — a failed (S1) or (S2) gives not-stationary
//     with a descent direction and a decreasing segment;
//  2. escape neurons (E1/E2 for a_j = 0; the face method for a_j ≠ 0, k ≥ 2);
//  3. Theorem M — no escape neuron: local-min (global-min when L = 0);
//  4. Theorem E — an escape neuron with a_j = 0: saddle, with its path;
//  5. otherwise the k ≥ 2 tests, and undetermined when they do not decide;
//  6. Theorem G — L(θ) against the least loss L* of any width: a local
//     minimum (or an undetermined point) with L(θ) = L* is global-min, and
//     one with L(θ) > L* is reported not global with a better network
//     (unless opt.SkipGlobal).
//
// The error is non-nil only when p is malformed or on an internal
// inconsistency; a budget that runs out gives an Undetermined verdict.
// The time budget (Options.Deadline) is asked at every stage, so Check
// returns soon after the deadline, with what was decided before it in the
// reason.
func Check(p *Point, opt Options) (v *Verdict, err error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	opt.startClock()
	var s *state
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		st, ok := r.(stopped)
		if !ok {
			panic(r)
		}
		if v == nil && s != nil {
			v = s.partial
		}
		if v == nil {
			v = &Verdict{Escape: []int{}, Neurons: make([]NeuronReport, p.M()), Cert: &Certificate{}}
		}
		decided := ""
		if s != nil {
			decided = s.decided
		}
		v.Kind, v.Reason, err = Undetermined, budgetReason(st, decided), nil
		// What was decided is in the reason; the verdict claims nothing
		// but L (when computed), so that its certificate re-checks
		// (recheck: a claim-free undetermined verdict, docs/theory.md §11.4).
		v.Stationary = false
		v.Neurons, v.BiasGradient = nil, nil
		v.Cert = &Certificate{}
		v.Escape = []int{}
	}()
	s = newCheckStateStop(p, newPoller(opt))
	v, err = s.classify(opt)
	if err != nil || v == nil || opt.SkipGlobal {
		return v, err
	}
	if err := s.TheoremG(v, opt); err != nil {
		return nil, err
	}
	return v, nil
}

// classify is Check's steps 1–5: the local verdict.
func (s *state) classify(opt Options) (*Verdict, error) {
	p := s.p
	v := &Verdict{Loss: s.ev.loss(), Escape: []int{}, Neurons: make([]NeuronReport, p.M()), Cert: &Certificate{}}
	s.partial = v // what a stop by the time budget reports
	decided, err := s.TheoremS(v, opt)
	if err != nil || !decided || !v.Stationary {
		return v, err
	}
	faces, budget, err := s.EscapeNeurons(v, opt)
	if err != nil {
		return nil, err
	}
	for _, e := range v.Cert.Escapes {
		if p.Neurons[e.Neuron].A.IsZero() {
			s.preRow(e.Neuron) // the path reads pt.Pre[j]
			return v, s.TheoremE(v, e)
		}
	}
	if len(budget) > 0 {
		v.Kind = Undetermined
		v.Reason = "budget: escape undecided: " + joinReasons(budget)
		return v, nil
	}
	if len(v.Escape) == 0 {
		s.TheoremM(v)
		return v, nil
	}
	return v, s.vectorEscapes(v, faces, opt)
}

// TheoremS decides Theorem S — θ is stationary iff (S0) Σ_i r_i = 0 when
// the network has an output bias, and every neuron has (S1) G_j = 0 and
// (S2) φ_j ≥ 0 — filling the per-neuron reports of v. When a condition
// fails, v becomes not-stationary with a descent direction and a
// decreasing segment; (S0) is tried first, then the neurons in order. decided is false when a budget left some (S2)
// undecided and nothing failed; v is then undetermined.
func (s *state) TheoremS(v *Verdict, opt Options) (decided bool, err error) {
	p := s.p
	// The neurons are independent: (S1) and (S2) are computed for all of
	// them in parallel, then read in neuron order exactly as a sequential
	// loop would (the first failure gives the descent direction).
	s.ev.prepareSums()
	type neuronS struct {
		res s2Result
		err error
	}
	ns := make([]neuronS, p.M())
	parallelDynamic(p.M(), workers(p.N()*p.M()*p.D()), func(j int) {
		nr := &v.Neurons[j]
		nr.Kind = s.pt.Kind(p, j)
		nr.Boundary = len(s.pt.Boundary(j))
		nr.G = s.G(j)
		ns[j].res, ns[j].err = s.TheoremS2(j, opt)
	})
	var budget []string
	var descent *Descent
	if p.HasOutputBias() {
		v.BiasGradient = s.BiasGradient()
		if !v.BiasGradient.IsZero() {
			descent = &Descent{Neuron: -1, Condition: "S0", Delta: p.ZeroDirection(), Bias: v.BiasGradient.Neg(),
				Derivative: new(big.Rat).Neg(v.BiasGradient.Norm2())}
		}
	}
	for j := range p.Neurons {
		nr := &v.Neurons[j]
		nr.S1 = nr.G.IsZero()
		if !nr.S1 && descent == nil {
			d := p.ZeroDirection()
			d[j].A = nr.G.Neg()
			descent = &Descent{Neuron: j, Condition: "S1", Delta: d, Derivative: new(big.Rat).Neg(nr.G.Norm2())}
		}
		res, err := ns[j].res, ns[j].err
		if err != nil {
			if errors.Is(err, exact.ErrBudget) {
				budget = append(budget, err.Error())
				continue
			}
			return false, err
		}
		nr.S2 = res.holds
		nr.Decided = true
		if res.holds {
			v.Cert.Stationarity = append(v.Cert.Stationarity, res.proof)
		} else {
			v.Cert.S2Failures = append(v.Cert.S2Failures, S2Failure{Neuron: j, U: res.u, Q: s.Q(j, res.u)})
		}
		if !res.holds && descent == nil {
			d := p.ZeroDirection()
			d[j].W = res.u
			descent = &Descent{Neuron: j, Condition: "S2", Delta: d, Derivative: s.Phi(j, res.u)}
		}
	}
	if descent != nil {
		what := fmt.Sprintf("neuron %d", descent.Neuron)
		if descent.Condition == "S0" {
			what = "the output bias"
		}
		s.decided = fmt.Sprintf("Theorem S: (%s) fails for %s, L'(θ; Δ) = %s < 0: not stationary, but no decreasing segment was certified in time", descent.Condition, what, exact.Text(descent.Derivative))
		path, err := s.decreasingPath(descent.Delta, descent.Bias, fmt.Sprintf("descent direction of %s (%s fails)", what, descent.Condition))
		if err != nil {
			return false, err
		}
		descent.Path = path
		v.Kind = NotStationary
		v.Reason = fmt.Sprintf("Theorem S: (%s) fails for %s; L'(θ; Δ) = %s < 0", descent.Condition, what, exact.Text(descent.Derivative))
		v.Cert.Descent = descent
		return true, nil
	}
	if len(budget) > 0 {
		v.Kind = Undetermined
		v.Reason = "budget: (S2) undecided: " + joinReasons(budget)
		return false, nil
	}
	v.Stationary = true
	return true, nil
}

// EscapeNeurons finds every escape neuron of the stationary point (docs/theory.md
// §4): for a_j = 0, Q_j ≢ 0 decided by E1/E2 with an exact witness; for
// a_j ≠ 0 and k = 1 none (φ_j(u) = 0 forces Q_j(u) = 0); for a_j ≠ 0 and
// k ≥ 2 the face method, whose critical faces are returned for the k ≥ 2
// tests. budget lists the neurons a budget left undecided.
func (s *state) EscapeNeurons(v *Verdict, opt Options) (faces map[int][]face, budget []string, err error) {
	p := s.p
	faces = map[int][]face{}
	// The neurons are independent: decide them in parallel, then read the
	// results in neuron order, as a sequential loop would.
	type neuronE struct {
		u    exact.Vec
		fs   []face
		none *NoEscapeProof
		err  error
	}
	res := make([]neuronE, p.M())
	parallelDynamic(p.M(), workers(p.M()*max(1, p.K()-1)<<16), func(j int) {
		r := &res[j]
		switch {
		case p.Neurons[j].A.IsZero():
			r.u, r.err = s.QZeroWitness(j)
		case p.K() > 1:
			r.fs, r.none, r.err = s.faceWitnesses(j, opt)
		}
	})
	for j, nr := range p.Neurons {
		s.pl.now("deciding the escape neurons")
		rep := &v.Neurons[j]
		r := res[j]
		u := r.u
		switch {
		case nr.A.IsZero():
			if r.err != nil {
				return nil, nil, r.err
			}
		case p.K() == 1:
			continue
		default:
			if errors.Is(r.err, exact.ErrBudget) {
				rep.Decided = false
				budget = append(budget, r.err.Error())
				continue
			}
			if r.err != nil {
				return nil, nil, r.err
			}
			if len(r.fs) > 0 {
				u = r.fs[0].witnesses[0]
				faces[j] = r.fs
			} else {
				v.Cert.NoEscape = append(v.Cert.NoEscape, *r.none)
			}
		}
		if u != nil {
			rep.Escape = true
			v.Escape = append(v.Escape, j)
			v.Cert.Escapes = append(v.Cert.Escapes, EscapeWitness{Neuron: j, U: u, Q: s.Q(j, u)})
		}
	}
	return faces, budget, nil
}

// TheoremM: a stationary point with no escape neuron is a local minimum, and
// a global one when L = 0.
func (s *state) TheoremM(v *Verdict) {
	v.Kind = LocalMin
	v.Reason = "Theorem M: stationary and no escape neuron"
	if v.Loss.Sign() == 0 {
		v.Kind = GlobalMin
		v.Reason = "stationary with L = 0"
	}
}

// vectorEscapes runs the k ≥ 2 tests on each escape neuron (all have
// a_j ≠ 0 here): the first certified descent makes v a saddle; otherwise v
// is undetermined with the reasons.
func (s *state) vectorEscapes(v *Verdict, faces map[int][]face, opt Options) error {
	var reasons []string
	s.preAll() // the k ≥ 2 tests read every row of pt.Pre
	for _, j := range v.Escape {
		path, reason, err := s.vectorEscape(j, faces[j], opt)
		if err != nil {
			return err
		}
		if path != nil {
			v.Kind = Saddle
			v.Reason = fmt.Sprintf("neuron %d escapes with a_j ≠ 0; %s", j, path.Rule)
			v.Cert.Path = path
			return nil
		}
		reasons = append(reasons, reason)
	}
	v.Kind = Undetermined
	v.Reason = joinReasons(reasons)
	return nil
}

func joinReasons(rs []string) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += "; "
		}
		s += r
	}
	return s
}
