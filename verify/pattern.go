package verify

import (
	"math/big"
	"sync"

	"github.com/relucert/relucert/exact"
)

// Pattern is the activation pattern of a point: for neuron j and sample i,
// Pre[j][i] = w_j·x_i and Sign(j, i) its sign, so sample i is in P_j (+1),
// N_j (−1) or Z_j (0). Zero samples (x_i = 0) lie in every Z_j and are
// flagged in ZeroX; they take part in no G_j, Q_j or φ_j.
type Pattern struct {
	Pre   [][]*big.Rat
	ZeroX []bool
	sg    *signSet
}

// Sign returns the sign of w_j·x_i.
func (pt *Pattern) Sign(j, i int) int { return int(pt.sg.sign(j, i)) }

// Signs returns the signs of w_j·x_i for every sample i (a fresh slice).
func (pt *Pattern) Signs(j int) []int8 { return pt.sg.row(j) }

// PatternOf computes the activation pattern of p. The signs come from the
// filtered evaluation of the engine (exact: a float64 sign is used only when
// its rigorous error bound decides it) and the values w_j·x_i from exact
// integer inner products.
func PatternOf(p *Point) *Pattern {
	return newSignEngine(p).pattern(true)
}

// pattern returns the pattern of the engine's point, with every row of Pre
// filled when full is set and nil rows (filled on demand by state.preRow)
// otherwise.
func (e *engine) pattern(full bool) *Pattern {
	pt := &Pattern{Pre: make([][]*big.Rat, e.m), ZeroX: e.zeroX, sg: e.sg}
	if full {
		for j := range pt.Pre {
			pt.Pre[j] = e.preRow(j)
		}
	}
	return pt
}

// Boundary returns Z_j without the zero samples: the nonzero samples on the
// hyperplane orthogonal to w_j.
func (pt *Pattern) Boundary(j int) []int { return pt.sg.boundary(j) }

// Kind classifies neuron j of p (docs/theory.md §1), the first kind that applies.
func (pt *Pattern) Kind(p *Point, j int) NeuronKind {
	nr := p.Neurons[j]
	wz, az := nr.W.IsZero(), nr.A.IsZero()
	switch {
	case wz && az:
		return ZeroNeuron
	case az:
		return ZeroOutput
	case wz:
		return ZeroInput
	}
	hasBoundary := pt.sg.bnd[j].count > 0
	if p.Act.Neg.Sign() == 0 && !hasBoundary && !pt.sg.anyPos(j) {
		return Dead
	}
	if hasBoundary {
		return NonDifferentiable
	}
	return Alive
}

// state is what every test of the theory needs at θ: the point, its
// pattern, residuals and n as a rational, and the exact evaluation engine
// behind them.
type state struct {
	p   *Point
	pt  *Pattern
	n   *big.Rat
	rho Activation
	ev  *engine

	preMu sync.Mutex

	// zeros is the point 0 ∈ Q^d of every (S2) proof without boundary
	// samples (s2NoBoundary), one vector for all of them.
	zerosOnce sync.Once
	zeros     exact.Vec

	// pl unwinds Check when its time budget runs out (nil: never), and
	// decided says what Check had decided then.
	pl      *poller
	decided string
	partial *Verdict
}

// newState returns the state of p with the full pattern (every w_j·x_i as
// a rational in pt.Pre).
func newState(p *Point) *state { return makeState(p, true) }

// newCheckState returns the state of p with pt.Pre filled on demand: code
// that reads pt.Pre[j] directly must call preRow(j) first.
func newCheckState(p *Point) *state { return makeState(p, false) }

// newCheckStateStop is newCheckState polling pl (see budget.go).
func newCheckStateStop(p *Point, pl *poller) *state {
	s := makeStateStop(p, false, pl)
	s.pl = pl
	return s
}

func makeState(p *Point, full bool) *state { return makeStateStop(p, full, nil) }

func makeStateStop(p *Point, full bool, pl *poller) *state {
	e := newEngineStop(p, nil, pl)
	return &state{p: p, pt: e.pattern(full), n: big.NewRat(int64(p.N()), 1), rho: p.Act, ev: e}
}

// res returns the residual r_i = f(x_i) − y_i.
func (s *state) res(i int) exact.Vec { return s.ev.residual(i) }

// preRow returns the exact values w_j·x_i for every sample, filling
// pt.Pre[j] on first use.
func (s *state) preRow(j int) []*big.Rat {
	s.preMu.Lock()
	defer s.preMu.Unlock()
	if s.pt.Pre[j] == nil {
		s.pt.Pre[j] = s.ev.preRow(j)
	}
	return s.pt.Pre[j]
}

// preAll fills every row of pt.Pre.
func (s *state) preAll() {
	for j := range s.pt.Pre {
		s.preRow(j)
	}
}
