package verify

import (
	"errors"
	"fmt"
	"math/big"

	"relucert/exact"
)

// Options bounds the work of Check. A zero value means no bound.
type Options struct {
	// MaxCells bounds the number of arrangement cells enumerated per neuron.
	MaxCells int
	// MaxPivots bounds the simplex pivots of each LP.
	MaxPivots int
}

// Check classifies the point p exactly (DESIGN §3–4) and returns the verdict
// with its certificate:
//  1. Theorem S for every neuron — a failed (S1) or (S2) gives not-stationary
//     with a descent direction and a decreasing segment;
//  2. escape neurons (E1/E2 for a_j = 0; the face method for a_j ≠ 0, k ≥ 2);
//  3. Theorem M — no escape neuron: local-min (global-min when L = 0);
//  4. Theorem E — an escape neuron with a_j = 0: saddle, with its path;
//  5. otherwise the k ≥ 2 tests, and undetermined when they do not decide.
//
// The error is non-nil only when p is malformed or on an internal
// inconsistency; a budget that runs out gives an Undetermined verdict.
func Check(p *Point, opt Options) (*Verdict, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s := newState(p)
	v := &Verdict{Loss: p.Loss(), Escape: []int{}, Neurons: make([]NeuronReport, p.M()), Cert: &Certificate{}}
	var budget []string
	var descent *Descent
	for j := range p.Neurons {
		nr := &v.Neurons[j]
		nr.Kind = s.pt.Kind(p, j)
		nr.Boundary = len(s.pt.Boundary(j))
		nr.G = s.G(j)
		nr.S1 = nr.G.IsZero()
		if !nr.S1 && descent == nil {
			d := p.ZeroDirection()
			d[j].A = nr.G.Neg()
			descent = &Descent{Neuron: j, Condition: "S1", Delta: d, Derivative: new(big.Rat).Neg(nr.G.Norm2())}
		}
		res, err := s.TheoremS2(j, opt)
		if err != nil {
			if errors.Is(err, exact.ErrBudget) {
				budget = append(budget, err.Error())
				continue
			}
			return nil, err
		}
		nr.S2 = res.holds
		nr.Decided = true
		if res.holds {
			v.Cert.Stationarity = append(v.Cert.Stationarity, res.proof)
		} else if descent == nil {
			d := p.ZeroDirection()
			d[j].W = res.u
			descent = &Descent{Neuron: j, Condition: "S2", Delta: d, Derivative: s.Phi(j, res.u)}
		}
	}
	if descent != nil {
		path, err := s.decreasingPath(descent.Delta, fmt.Sprintf("descent direction of neuron %d (%s fails)", descent.Neuron, descent.Condition))
		if err != nil {
			return nil, err
		}
		descent.Path = path
		v.Kind = NotStationary
		v.Reason = fmt.Sprintf("Theorem S: (%s) fails for neuron %d; L'(θ; Δ) = %s < 0", descent.Condition, descent.Neuron, descent.Derivative.RatString())
		v.Cert = &Certificate{Descent: descent}
		return v, nil
	}
	if len(budget) > 0 {
		v.Kind = Undetermined
		v.Reason = "budget: (S2) undecided: " + joinReasons(budget)
		return v, nil
	}
	v.Stationary = true

	// Escape neurons.
	var eTheorem = -1
	var k2 = map[int][]face{}
	for j, nr := range p.Neurons {
		rep := &v.Neurons[j]
		if nr.A.IsZero() {
			u, err := s.QZeroWitness(j)
			if err != nil {
				return nil, err
			}
			if u != nil {
				rep.Escape = true
				v.Escape = append(v.Escape, j)
				v.Cert.Escapes = append(v.Cert.Escapes, EscapeWitness{Neuron: j, U: u, Q: s.Q(j, u)})
				if eTheorem < 0 {
					eTheorem = j
				}
			}
			continue
		}
		if p.K() == 1 {
			continue // φ_j(u) = 0 forces Q_j(u) = 0 when a_j ≠ 0 is a scalar
		}
		cells, err := s.faceWitnesses(j, opt)
		if err != nil {
			if errors.Is(err, exact.ErrBudget) {
				rep.Decided = false
				budget = append(budget, err.Error())
				continue
			}
			return nil, err
		}
		if len(cells) > 0 {
			rep.Escape = true
			v.Escape = append(v.Escape, j)
			u := cells[0].witnesses[0]
			v.Cert.Escapes = append(v.Cert.Escapes, EscapeWitness{Neuron: j, U: u, Q: s.Q(j, u)})
			k2[j] = cells
		}
	}
	switch {
	case eTheorem >= 0:
		w := v.Cert.Escapes[0]
		for _, e := range v.Cert.Escapes {
			if e.Neuron == eTheorem {
				w = e
			}
		}
		path, err := s.TheoremE(eTheorem, w.U)
		if err != nil {
			return nil, err
		}
		v.Kind = Saddle
		v.Reason = fmt.Sprintf("Theorem E: neuron %d escapes with a_j = 0", eTheorem)
		v.Cert.Path = path
		return v, nil
	case len(budget) > 0:
		v.Kind = Undetermined
		v.Reason = "budget: escape undecided: " + joinReasons(budget)
		return v, nil
	case len(v.Escape) == 0:
		v.Kind = LocalMin
		v.Reason = "Theorem M: stationary and no escape neuron"
		if v.Loss.Sign() == 0 {
			v.Kind = GlobalMin
			v.Reason = "stationary with L = 0"
		}
		return v, nil
	}
	var reasons []string
	for _, j := range v.Escape {
		path, reason, err := s.vectorEscape(j, k2[j])
		if err != nil {
			return nil, err
		}
		if path != nil {
			v.Kind = Saddle
			v.Reason = fmt.Sprintf("neuron %d escapes with a_j ≠ 0; %s", j, path.Rule)
			v.Cert.Path = path
			return v, nil
		}
		reasons = append(reasons, reason)
	}
	v.Kind = Undetermined
	v.Reason = joinReasons(reasons)
	return v, nil
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
