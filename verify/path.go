package verify

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// maxHalvings bounds the search for a scale at which a descent direction's
// loss polynomial is negative on the whole segment.
const maxHalvings = 256

// decreasingPath scales the direction Δ down by powers of two until the
// segment τ·tΔ, τ ∈ (0, 1], lies inside the safe radius and the exact loss
// polynomial (★) is negative on all of it. Δ must be a direction of decrease:
// the lowest nonzero coefficient of σ ↦ L(θ+σΔ) − L(θ) negative.
//
// db, when not nil, moves the output bias along with Δ (the segment is
// τ·t·(Δ, db)).
func (s *state) decreasingPath(delta Direction, db exact.Vec, rule string) (*Path, error) {
	const stage = "searching a decreasing segment"
	s.pl.now(stage)
	poly := s.ExpansionBias(delta, db)
	s.pl.now(stage)
	lead := 0
	for lead < len(poly) && poly[lead].Sign() == 0 {
		lead++
	}
	if lead == len(poly) || poly[lead].Sign() > 0 {
		return nil, fmt.Errorf("internal error: direction is not a descent direction (loss polynomial %v)", poly)
	}
	// Start from the largest power of two below min(1, safe radius / 2,
	// |c_lead| / (2 Σ_{k>lead} |c_k|)): for σ ≤ that bound the lowest term
	// dominates the rest, so the first try usually succeeds; halving is the
	// fallback.
	bound := big.NewRat(1, 1)
	if r := s.SafeRadius(delta); r != nil {
		bound = minRat(bound, new(big.Rat).Quo(r, big.NewRat(2, 1)))
	}
	rest := new(big.Rat)
	for k := lead + 1; k < len(poly); k++ {
		rest.Add(rest, new(big.Rat).Abs(poly[k]))
	}
	if rest.Sign() > 0 {
		c := new(big.Rat).Abs(poly[lead])
		bound = minRat(bound, c.Quo(c, rest.Mul(rest, big.NewRat(2, 1))))
	}
	t := powerOfTwoBelow(bound)
	s.pl.now(stage)
	for h := 0; h < maxHalvings; h++ {
		// Negative on (0, t] for the polynomial in σ is negative on (0, 1]
		// for the segment scaled by t (no rational Compose: no gcds).
		neg, err := poly.NegativeOnWithin(t, s.pl.exactStop())
		if err != nil {
			s.pl.now(stage) // the stop fired: unwind
			return nil, err
		}
		if neg {
			d := delta.Scale(t)
			s.pl.now(stage)
			if t.Cmp(big.NewRat(1, 1)) != 0 {
				rule = fmt.Sprintf("%s, scaled by %s", rule, exact.Text(t))
			}
			var b exact.Vec
			if db != nil {
				b = db.Scale(t)
			}
			return &Path{Delta: d, Bias: b, Loss0: s.ev.loss(), Loss1: s.lossAt(d, b), Rule: rule}, nil
		}
		t.Quo(t, big.NewRat(2, 1))
	}
	return nil, fmt.Errorf("internal error: no decreasing segment found after %d halvings", maxHalvings)
}

// TheoremE makes v a saddle by Theorem E's certificate of Theorem E for an escape neuron j
// with a_j = 0: given u with q = Q_j(u) ≠ 0, take t > 0 inside the safe
// radius, S(t) = Σ_i (ρ(w_j·x_i) + t ρ'(w_j·x_i; u·x_i))², and
// s = t / max(S(0), S(t)); then δw_j = t·u, δa_j = −s·q (all other neurons
// fixed) lowers L along the whole segment τ·(s, t), τ ∈ (0, 1], since there
// L(θ+Δ_τ) − L(θ) = (τ² s|q|²/2n)(s·S(τt) − 2t) ≤ −τ² s t|q|²/2n.
func (s *state) TheoremE(v *Verdict, w EscapeWitness) error {
	path, err := s.theoremEPath(w.Neuron, w.U)
	if err != nil {
		return err
	}
	v.Kind = Saddle
	v.Reason = fmt.Sprintf("Theorem E: neuron %d escapes with a_j = 0", w.Neuron)
	v.Cert.Path = path
	return nil
}

// theoremEPath builds Theorem E's segment for neuron j and witness u.
func (s *state) theoremEPath(j int, u exact.Vec) (*Path, error) {
	q := s.Q(j, u)
	if q.IsZero() {
		return nil, fmt.Errorf("neuron %d: Theorem E needs Q_j(u) ≠ 0", j)
	}
	one := big.NewRat(1, 1)
	dir := s.p.ZeroDirection()
	dir[j].W = u.Clone()
	t := big.NewRat(1, 1)
	if r := s.SafeRadius(dir); r != nil && r.Cmp(t) <= 0 {
		t.Quo(r, big.NewRat(2, 1))
	}
	S0, St := new(big.Rat), new(big.Rat)
	var e big.Rat
	for i := range s.p.X.Rows() {
		x := s.p.X.Row(i)
		s.pl.tick("building the path of Theorem E")
		z := s.pt.Pre[j][i]
		rz := s.rho.Apply(z)
		S0.Add(S0, new(big.Rat).Mul(rz, rz))
		e.Mul(t, s.rho.Dir(z, x.Dot(u)))
		e.Add(&e, rz)
		St.Add(St, new(big.Rat).Mul(&e, &e))
	}
	mx := S0
	if St.Cmp(mx) > 0 {
		mx = St
	}
	sc := new(big.Rat).Quo(t, mx)
	delta := s.p.ZeroDirection()
	delta[j].W = u.Scale(t)
	delta[j].A = q.Scale(new(big.Rat).Neg(sc))
	rule := fmt.Sprintf("Theorem E: neuron %d, u = %v, Q_j(u) = %v, t = %s, s = t/max(S(0), S(t)) = %s", j, u, q, exact.Text(t), exact.Text(sc))
	path := &Path{Delta: delta, Loss0: s.ev.loss(), Loss1: s.lossAt(delta, nil), Rule: rule}
	// The bound above is a theorem; check it on this instance all the same.
	neg, err := s.Expansion(delta).NegativeOnWithin(one, s.pl.exactStop())
	if err != nil {
		s.pl.now("checking the path of Theorem E") // the stop fired: unwind
		return nil, err
	}
	if !neg {
		return nil, fmt.Errorf("neuron %d: internal error: Theorem E segment does not decrease", j)
	}
	return path, nil
}

// lossAt returns L at θ + (Δ, db), evaluated exactly by a new engine that
// reuses the integer images of the inputs and polls the time budget.
func (s *state) lossAt(delta Direction, db exact.Vec) *big.Rat {
	return newEngineStop(s.p.Add(delta).AddBias(db), s.ev, s.pl).loss()
}

func minRat(a, b *big.Rat) *big.Rat {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// powerOfTwoBelow returns the largest 2^k ≤ r (r > 0), k ≤ 0 when r ≤ 1.
func powerOfTwoBelow(r *big.Rat) *big.Rat {
	k := r.Num().BitLen() - r.Denom().BitLen()
	t := new(big.Rat)
	for {
		if k >= 0 {
			t.SetInt(new(big.Int).Lsh(big.NewInt(1), uint(k)))
		} else {
			t.SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(-k)))
		}
		if t.Cmp(r) <= 0 {
			return t
		}
		k--
	}
}
