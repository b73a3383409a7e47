package recheck

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// This file holds the certificate of a k ≥ 2 verdict made by the big-float
// layer (docs/theory.md §8.2) and its re-check. The point θ* is algebraic, not
// rational: the certificate proves that θ* exists, is unique in a box B
// and has the stated properties, by interval evaluation over B only.
// RecheckBox re-runs that evaluation by substitution — the Krawczyk test
// with the stored box and preconditioner, then every claimed fact — and
// never Newton's method or a witness search. It uses only interval
// arithmetic (exact.Interval), exact rationals and the system of
// boxsystem.go and boxeval.go.

// BoxCertificate proves facts about the unique exact zero θ* of the
// stationarity system of a pattern (boxsystem.go) in a box.
type BoxCertificate struct {
	// Pattern fixes every neuron: alive (unknowns, sides, boundary
	// samples, gauge), dead or zero (exact weights).
	Pattern []BoxNeuron `json:"pattern"`
	// Prec is the precision (bits) of the interval evaluation.
	Prec uint `json:"prec"`
	// Center and Radius define the box B: unknown c lies in
	// [Center_c − Radius_c, Center_c + Radius_c] (rounded outward at
	// Prec). The unknowns are ordered per alive neuron (ascending): w_j
	// (d), a_j without its gauge output (k − 1), ν_j (|Z_j|); then the
	// output bias b (k) when the point has one.
	Center []*big.Float `json:"center"`
	Radius []*big.Float `json:"radius"`
	// Precond is the matrix C of the Krawczyk test.
	Precond [][]*big.Float `json:"precond"`
	// Descent (not-stationary): φ_j(U) < 0 at θ*.
	Descent *BoxWitness `json:"descent"`
	// Escapes lists one witness per escape neuron: Q_j(U) ≠ 0 at θ* with
	// φ_j(U) = 0 (U ∈ V_j = {u : x_i·u = 0, i ∈ Z_j} for an alive neuron;
	// any U for a zero neuron).
	Escapes []BoxWitness `json:"escapes"`
	// Path (saddle) is the decreasing path.
	Path *BoxPath `json:"path"`
}

// BoxWitness is a direction U for neuron Neuron.
type BoxWitness struct {
	Neuron int       `json:"neuron"`
	U      exact.Vec `json:"u"`
}

// BoxPathRule says which theorem a BoxPath uses.
type BoxPathRule int

const (
	// PathTheoremE: Neuron is a zero neuron with q = Q_j(U) ≠ 0 at θ*; the
	// path δw_j = τU, δa_j = −τ q/S, S = Σ_i ρ(U·x_i)², everything else
	// fixed, has L(θ* + Δ(τ)) − L(θ*) = (τ²|q|²/nS)(τ²/2 − 1) < 0 for
	// τ ∈ (0, 1] (Theorem E with t = 1, s·t = 1/S).
	PathTheoremE BoxPathRule = iota
	// PathSecondOrder: the segment θ* + τ(Delta, DeltaBias), τ ∈ (0, 1],
	// with δw_l ∈ V_l for every alive l, inside the safe radius, and
	// c₂ + |c₃| + c₄ < 0 (BoxEval.SecondOrder), so
	// L(θ* + τΔ) − L(θ*) = τ²(c₂ + τc₃ + τ²c₄) < 0.
	PathSecondOrder
)

// BoxPath certifies that θ* is not a local minimum.
type BoxPath struct {
	Rule BoxPathRule `json:"rule"`
	// Neuron and U (PathTheoremE).
	Neuron int       `json:"neuron"`
	U      exact.Vec `json:"u"`
	// Delta and DeltaBias (PathSecondOrder; DeltaBias nil without an output
	// bias).
	Delta     network.Direction `json:"delta"`
	DeltaBias exact.Vec         `json:"delta_bias"`
}

// BoxVerdict is the classification of θ* made from the box.
type BoxVerdict struct {
	Kind VerdictKind `json:"verdict"`
	// Reason names the deciding theorem, or says what the box did not
	// decide.
	Reason string `json:"reason"`
	// Stationary reports that Theorem S was proved for θ*.
	Stationary bool `json:"stationary"`
	// Escape lists the neurons proved to escape; Undecided those whose
	// escape the box could not decide (it needs an exact zero). Both
	// empty unless Stationary.
	Escape    []int `json:"escape_neurons"`
	Undecided []int `json:"undecided"`
	// Loss encloses L(θ*).
	Loss *exact.Interval `json:"loss"`
	Cert *BoxCertificate `json:"certificate"`
}

// RecheckBox validates the box verdict v for the data of p (its neurons
// are not read: θ* is defined by the certificate) by substitution:
//  1. the pattern is well formed and newBoxSystem accepts it (boundary
//     samples linearly independent, dead neurons exactly dead);
//  2. Krawczyk's test K(B) ⊂ int B with the stored box and preconditioner,
//     so the system has exactly one zero θ* in B;
//  3. every strict side of the pattern holds on B (when ρ₊ ≠ ρ₋), so θ*
//     has the pattern;
//  4. the enclosure of L(θ*) is the stored one;
//  5. by verdict: not-stationary — φ_j(U) < 0; stationary verdicts — every
//     multiplier A_i, B_i > 0 on B (Theorem S), every listed escape
//     witness has |Q_j(U)|² > 0 on B, and every other neuron is dead, an
//     alive neuron whose critical set meets S_j in a line (NoEscape), or
//     listed as undecided; saddle — the
//     path decreases; local-min — nothing undecided, no escape, and
//     L(θ*) > 0 (L = 0 would make it global);
//  6. that the verdict claims exactly what the certificate proves
//     (docs/theory.md §11.4): the loss enclosure is the re-evaluated one,
//     a descent witness only for not-stationary, a path only for a saddle,
//     stationary false only when some multiplier is not proved inside
//     (0, 1), undecided only for a neuron not proved to stay, undetermined
//     only when Theorems M and E do not decide.
func RecheckBox(p *network.Point, v *BoxVerdict) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if v == nil || v.Cert == nil {
		return errors.New("no box certificate")
	}
	c := v.Cert
	if c.Prec < 64 || c.Prec > 1<<16 {
		return fmt.Errorf("precision %d out of range", c.Prec)
	}
	s, err := NewBoxSystem(p, c.Pattern, c.Prec)
	if err != nil {
		return err
	}
	if len(c.Center) != s.nvar || len(c.Radius) != s.nvar || len(c.Precond) != s.nvar {
		return fmt.Errorf("box: %d/%d/%d entries for %d unknowns", len(c.Center), len(c.Radius), len(c.Precond), s.nvar)
	}
	for i := range c.Center {
		if c.Center[i] == nil || c.Radius[i] == nil || c.Radius[i].Sign() < 0 || c.Center[i].IsInf() || c.Radius[i].IsInf() {
			return fmt.Errorf("box: entry %d: missing, infinite or negative radius", i)
		}
		if len(c.Precond[i]) != s.nvar {
			return fmt.Errorf("precond: row %d has %d entries, want %d", i, len(c.Precond[i]), s.nvar)
		}
		for j, x := range c.Precond[i] {
			if x == nil || x.IsInf() {
				return fmt.Errorf("precond[%d][%d]: missing or infinite", i, j)
			}
		}
	}
	if ok, _ := s.KrawczykMargin(c.Center, c.Radius, c.Precond); !ok {
		return errors.New("Krawczyk: K(B) is not inside B: the box does not prove a unique zero")
	}
	e := s.EvalBox(s.Box(c.Center, c.Radius))
	if err := e.SidesHold(); err != nil {
		return err
	}
	if l := e.Loss(); v.Loss == nil || l.Lo.Cmp(&v.Loss.Lo) != 0 || l.Hi.Cmp(&v.Loss.Hi) != 0 {
		return fmt.Errorf("loss: the stored enclosure %v is not the re-evaluated %v", v.Loss, l)
	}
	// A certificate claims exactly what it proves (docs/theory.md §11.4):
	// no descent witness but for not-stationary, no path but for a saddle.
	if v.Kind != NotStationary && c.Descent != nil {
		return fmt.Errorf("%v with a descent witness: the point is not stationary", v.Kind)
	}
	if v.Kind != Saddle && c.Path != nil {
		return fmt.Errorf("%v with a decreasing path: the point is a saddle", v.Kind)
	}
	if v.Kind == NotStationary {
		if v.Stationary || len(v.Escape) > 0 || len(v.Undecided) > 0 {
			return errors.New("not-stationary: claims stationarity or escape")
		}
		if c.Descent == nil {
			return errors.New("not-stationary: no descent witness")
		}
		if err := e.checkWitness(*c.Descent); err != nil {
			return err
		}
		if e.PhiN(c.Descent.Neuron, c.Descent.U).Sign() >= 0 {
			return fmt.Errorf("not-stationary: φ_%d(u) is not negative on B", c.Descent.Neuron)
		}
		return nil
	}
	if !v.Stationary {
		if v.Kind != Undetermined || len(v.Escape) > 0 || len(v.Undecided) > 0 || len(c.Escapes) > 0 {
			return fmt.Errorf("%v without a proof of stationarity", v.Kind)
		}
		if e.Stationary() == nil {
			return errors.New("stationary false, but every multiplier is proved inside (0, 1) on B: θ* is stationary")
		}
		return nil
	}
	if err := e.Stationary(); err != nil {
		return err
	}
	if err := e.checkEscapes(v.Escape, v.Undecided, c.Escapes); err != nil {
		return err
	}
	switch v.Kind {
	case Saddle:
		if c.Path == nil {
			return errors.New("saddle: no path")
		}
		return e.CheckPath(c.Path)
	case LocalMin:
		if len(v.Escape) > 0 || len(v.Undecided) > 0 {
			return errors.New("local-min with escape or undecided neurons")
		}
		if e.Loss().Sign() <= 0 {
			return errors.New("local-min: L(θ*) > 0 is not proved (it may be a global minimum)")
		}
		return nil
	case Undetermined:
		// Open only when an escape neuron has a_j ≠ 0 (no Theorem E) or
		// one is undecided, or L(θ*) > 0 is not proved.
		for _, w := range c.Escapes {
			if c.Pattern[w.Neuron].Rule == BoxZero {
				return fmt.Errorf("undetermined, but zero neuron %d escapes: a saddle by Theorem E", w.Neuron)
			}
		}
		if len(v.Escape) == 0 && len(v.Undecided) == 0 && e.Loss().Sign() > 0 {
			return errors.New("undetermined, but θ* is stationary with no escape neuron and L(θ*) > 0: a local minimum by Theorem M")
		}
		return nil
	}
	return fmt.Errorf("verdict %v is not made by the box layer", v.Kind)
}

// Box returns the box Ball(center_c, radius_c).
func (s *BoxSystem) Box(center, radius []*big.Float) []*exact.Interval {
	X := make([]*exact.Interval, len(center))
	for i := range X {
		X[i] = s.newIv().Ball(center[i], radius[i])
	}
	return X
}

// SidesHold checks that every strict side of every alive neuron holds on
// the box (for ρ₊ ≠ ρ₋; a linear activation has no sides).
func (e *BoxEval) SidesHold() error {
	if e.s.p.Act.Kappa().Sign() == 0 {
		return nil
	}
	for b, j := range e.s.alive {
		for i, sd := range e.s.nb[j].Side {
			if sd != 0 && e.pre[b][i].Sign() != int(sd) {
				return fmt.Errorf("neurons[%d]: the side %+d of sample %d is not proved on B (w·x ∈ %v)", j, sd, i, e.pre[b][i])
			}
		}
	}
	return nil
}

// Stationary checks Theorem S on B: (S1), (S0) and the equality part of
// (S2) are equations of the system; what remains is A_i > 0 and B_i > 0 for
// every boundary sample of every alive neuron (dead and zero neurons have
// φ_j ≡ 0 and G_j = 0).
func (e *BoxEval) Stationary() error {
	for _, j := range e.s.alive {
		for c, i := range e.s.nb[j].Z {
			A, B := e.Multipliers(j, c)
			if A.Sign() <= 0 || B.Sign() <= 0 {
				return fmt.Errorf("neurons[%d]: the multiplier of boundary sample %d is not proved inside (0, 1) on B (λκc ∈ %v, (1−λ)κc ∈ %v)", j, i, A, B)
			}
		}
	}
	return nil
}

// checkWitness checks a witness's shape.
func (e *BoxEval) checkWitness(w BoxWitness) error {
	if w.Neuron < 0 || w.Neuron >= len(e.s.nb) || len(w.U) != e.s.d {
		return fmt.Errorf("witness for neuron %d: bad neuron or length", w.Neuron)
	}
	return nil
}

// Critical reports whether u ∈ V_j for alive neuron j.
func (e *BoxEval) Critical(j int, u exact.Vec) bool {
	for _, i := range e.s.nb[j].Z {
		if e.s.p.X.Row(i).Dot(u).Sign() != 0 {
			return false
		}
	}
	return true
}

// NoEscape reports whether neuron j provably does not escape at a
// stationary θ* with every multiplier inside (0, 1): a dead neuron
// (Q_j ≡ 0), or an alive one whose critical set V_j = {u : x_i·u = 0,
// i ∈ Z_j} meets S_j in a line (dim S_j − |Z_j| = 1) and with a sample that
// sees w_j strictly (so the component of w_j in S_j is nonzero). Q_j(u)
// depends only on u's component in S_j, and V_j ∩ S_j is spanned by that
// component of w_j, where Q_j(w_j) = n·G_j = 0.
func (e *BoxEval) NoEscape(j int) bool {
	s := e.s
	switch s.nb[j].Rule {
	case BoxDead:
		return true
	case BoxAlive:
		b := e.aliv[j]
		dim := 0
		for _, pv := range s.pivot[b] {
			if pv {
				dim++
			}
		}
		if dim-len(s.nb[j].Z) != 1 {
			return false
		}
		for i, sl := range s.slope[b] {
			if sl.Sign() != 0 && e.pre[b][i].Sign() != 0 {
				return true
			}
		}
	}
	return false
}

// checkEscapes checks the escape claims: each listed neuron has a witness
// with φ_j(U) = 0 at θ* (U ∈ V_j for alive neurons, anything for zero
// neurons) and |Q_j(U)|² > 0 on B; every neuron neither listed nor
// undecided provably does not escape.
func (e *BoxEval) checkEscapes(escape, undecided []int, ws []BoxWitness) error {
	m := len(e.s.nb)
	status := make([]int, m) // 1 escape, 2 undecided
	for _, j := range escape {
		if j < 0 || j >= m || status[j] != 0 {
			return fmt.Errorf("escape list: neuron %d out of range or repeated", j)
		}
		status[j] = 1
	}
	for _, j := range undecided {
		if j < 0 || j >= m || status[j] != 0 {
			return fmt.Errorf("undecided list: neuron %d out of range or repeated", j)
		}
		status[j] = 2
	}
	seen := make([]bool, m)
	for _, w := range ws {
		if err := e.checkWitness(w); err != nil {
			return err
		}
		j := w.Neuron
		if status[j] != 1 || seen[j] {
			return fmt.Errorf("escape witness for neuron %d, which is not listed once as escaping", j)
		}
		seen[j] = true
		if err := e.Escapes(j, w.U); err != nil {
			return err
		}
	}
	for j := range status {
		switch {
		case status[j] == 1 && !seen[j]:
			return fmt.Errorf("neurons[%d]: listed as escaping without a witness", j)
		case status[j] == 0 && !e.NoEscape(j):
			return fmt.Errorf("neurons[%d]: neither an escape witness nor a proof that it does not escape", j)
		case status[j] == 2 && e.NoEscape(j):
			return fmt.Errorf("neurons[%d]: listed as undecided, but it provably does not escape", j)
		}
	}
	return nil
}

// Escapes checks that U is an escape witness of neuron j on B.
func (e *BoxEval) Escapes(j int, u exact.Vec) error {
	switch e.s.nb[j].Rule {
	case BoxDead:
		return fmt.Errorf("neurons[%d]: a dead neuron does not escape", j)
	case BoxAlive:
		if !e.Critical(j, u) {
			return fmt.Errorf("neurons[%d]: escape witness off V_j (x_i·u ≠ 0 for a boundary sample)", j)
		}
	}
	if e.Norm2(e.Response(j, u)).Sign() <= 0 {
		return fmt.Errorf("neurons[%d]: |Q_j(u)|² > 0 is not proved on B", j)
	}
	return nil
}

// CheckPath checks a decreasing path from θ*.
func (e *BoxEval) CheckPath(path *BoxPath) error {
	s := e.s
	switch path.Rule {
	case PathTheoremE:
		if path.Delta != nil || path.DeltaBias != nil {
			return errors.New("Theorem E path with a second-order segment")
		}
		w := BoxWitness{Neuron: path.Neuron, U: path.U}
		if err := e.checkWitness(w); err != nil {
			return err
		}
		if s.nb[w.Neuron].Rule != BoxZero {
			return fmt.Errorf("Theorem E path on neuron %d, which is not a zero neuron", w.Neuron)
		}
		return e.Escapes(w.Neuron, w.U)
	case PathSecondOrder:
		if path.Neuron != 0 || path.U != nil {
			return errors.New("second-order path with a Theorem E neuron or direction")
		}
		if len(path.Delta) != len(s.nb) || (path.DeltaBias != nil) != s.bias || (s.bias && len(path.DeltaBias) != s.k) {
			return errors.New("second-order path: wrong shape")
		}
		for j, dj := range path.Delta {
			if len(dj.W) != s.d || len(dj.A) != s.k {
				return fmt.Errorf("second-order path: neurons[%d]: wrong shape", j)
			}
			if s.nb[j].Rule != BoxAlive {
				if !dj.W.IsZero() || !dj.A.IsZero() {
					return fmt.Errorf("second-order path moves neuron %d, which is not alive", j)
				}
				continue
			}
			if !e.Critical(j, dj.W) {
				return fmt.Errorf("second-order path: δw_%d is not in V_%d", j, j)
			}
			b := e.aliv[j]
			for i := range s.p.X.Rows() {
				x := s.p.X.Row(i)
				if s.nb[j].Side[i] == 0 {
					continue
				}
				t := s.ivRat(new(big.Rat).Abs(x.Dot(dj.W)))
				if t.Sub(t, s.newIv().SetFloat(e.pre[b][i].Mig())).Sign() >= 0 {
					return fmt.Errorf("second-order path: |δw_%d·x_%d| < |w_%d·x_%d| (safe radius) is not proved on B", j, i, j, i)
				}
			}
		}
		c2, c3, c4 := e.SecondOrder(path.Delta, path.DeltaBias)
		sum := s.newIv().Add(c2, s.newIv().SetFloat(c3.Mag()))
		sum.Add(sum, c4)
		if sum.Sign() >= 0 {
			return fmt.Errorf("second-order path: c₂ + |c₃| + c₄ < 0 is not proved on B (c₂ ∈ %v, c₃ ∈ %v, c₄ ∈ %v)", c2, c3, c4)
		}
		return nil
	}
	return fmt.Errorf("unknown path rule %d", path.Rule)
}
