package recheck

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	par "github.com/relucert/relucert/internal/parallel"
	"github.com/relucert/relucert/network"
)

// Recheck validates the verdict v for the point p independently of the
// search that produced it: every claim is re-derived by substitution and
// exact evaluation of the network, its loss and the definitions of
// docs/theory.md §1–4 (§11 lists what each part of a certificate proves).
// It calls no LP, no arrangement enumeration and no search. It checks
//   - the loss L(θ), and ∂L/∂b for a network with an output bias;
//   - every neuron's report: its kind, |Z_j|, G_j and (S1) evaluated; (S2)
//     claimed to hold by its cell proof and the proof that the cells are
//     all the cells of the Z⁻ arrangement (a_j ≠ 0), claimed to fail by a
//     direction with φ_j(u) < 0; the escape flag against the verdict's list;
//   - the stationary flag: (S0), (S1) and (S2) for every neuron;
//   - not-stationary: the descent direction — the condition it names, the
//     neuron it moves, L'(θ; Δ) < 0 — and its decreasing segment;
//   - saddle, local-min, global-min and undetermined at a stationary point:
//     the escape set — a witness φ_j(u) = 0, Q_j(u) ≠ 0 for each listed
//     neuron; for each other decided neuron Q_j ≡ 0 by (E1)/(E2) when
//     a_j = 0, and its no-escape proof with the coverage of its Z_j
//     arrangement when a_j ≠ 0 and k ≥ 2;
//   - saddle: the decreasing segment; local-min: L > 0; global-min: L = 0,
//     or Theorem G's proof that L = L* (then the point need not have been
//     shown stationary, and escape neurons with a_j ≠ 0 may be listed);
//   - every verdict: Theorem G's proof when there is one (global.go);
//   - that the verdict claims exactly what the certificate proves
//     (docs/theory.md §11.4): no proof under an "undecided" label, no
//     weaker verdict than the one established (a point shown not stationary
//     is not-stationary, L = 0 or L = L* is global-min).
//
// Neurons whose report says Decided = false make no claim about (S2) (when
// S2 is false) or escape; the verdict is then undetermined.
//
// The zero tests are decided by exact integer arithmetic on the data's
// integer images (integers.go, residues.go), the coverage of arrangements
// in cover.go. p is
// never modified (its numbers may be shared with the caller's data).
func Recheck(p *network.Point, v *Verdict) error { return RecheckWithin(p, v, nil) }

// RecheckWithin is Recheck asking stop between its steps (the blocks of
// the data pass, the proofs of each neuron and cell, the loss along a
// segment): once stop says so it gives up with an error wrapping
// exact.ErrBudget, which says that the certificate was not re-checked,
// not that it is wrong. A nil stop never stops.
func RecheckWithin(p *network.Point, v *Verdict, stop exact.Stop) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(recheckStopped); !ok {
				panic(r)
			}
			err = fmt.Errorf("the re-check of the certificate did not finish: %w", exact.ErrBudget)
		}
	}()
	if err := p.Validate(); err != nil {
		return err
	}
	if v == nil || v.Cert == nil {
		return fmt.Errorf("no certificate")
	}
	rc, err := newRechecker(p, stop)
	if err != nil {
		return err
	}
	defer rc.release()
	if ClaimsNothing(v) {
		if v.Loss != nil && rc.loss.Cmp(v.Loss) != 0 {
			return fmt.Errorf("loss: certificate says %s, direct evaluation gives %s", exact.Text(v.Loss), exact.Text(rc.loss))
		}
		return nil
	}
	if v.Loss == nil || rc.loss.Cmp(v.Loss) != 0 {
		return fmt.Errorf("loss: certificate says %s, direct evaluation gives %s", exact.Text(v.Loss), exact.Text(rc.loss))
	}
	if err := rc.local(v); err != nil {
		return err
	}
	return recheckGlobal(rc, v)
}

// ClaimsNothing reports whether v is an undetermined verdict that makes no
// claim but, optionally, its loss: no neuron reports (nil), no bias
// gradient, not stationary, no escape neuron and an empty certificate —
// what Check returns when its time budget stops it before anything was
// certified (docs/theory.md §11.4). Recheck accepts it when its loss, if
// given, is L(θ).
func ClaimsNothing(v *Verdict) bool {
	c := v.Cert
	return v.Kind == Undetermined && v.Neurons == nil && v.BiasGradient == nil && !v.Stationary && len(v.Escape) == 0 &&
		c.Descent == nil && c.Stationarity == nil && c.S2Failures == nil && c.Escapes == nil && c.NoEscape == nil && c.Path == nil && c.Global == nil
}

// local validates everything in v but Theorem G's proof.
func (rc *rechecker) local(v *Verdict) error {
	ck, err := rc.index(v)
	if err != nil {
		return err
	}
	if err := rc.reports(v, ck); err != nil {
		return err
	}
	c := v.Cert
	// byG: a global minimum by Theorem G (L(θ) = L*, checked by
	// recheckGlobal), whatever the local analysis decided.
	byG := v.Kind == GlobalMin && c.Global != nil && c.Global.IsGlobal
	// The strongest verdict the certificate establishes is the one it must
	// claim (docs/theory.md §11.4): a point shown not stationary is
	// not-stationary, a point with L = 0 is a global minimum.
	if v.Kind != NotStationary {
		if fail := rc.shownNotStationary(v); fail != "" {
			return fmt.Errorf("%v, but %s: the point is not stationary, the verdict must be not-stationary", v.Kind, fail)
		}
	}
	if v.Loss.Sign() == 0 && v.Kind != GlobalMin {
		return fmt.Errorf("%v with L = 0: the point is a global minimum, the verdict must be global-min", v.Kind)
	}
	switch v.Kind {
	case NotStationary:
		if v.Stationary {
			return fmt.Errorf("not-stationary: the report says stationary")
		}
		if len(v.Escape) > 0 || len(c.Escapes) > 0 || len(c.NoEscape) > 0 || c.Path != nil {
			return fmt.Errorf("not-stationary with escape neurons or a saddle's path")
		}
		if c.Descent == nil || c.Descent.Path == nil {
			return fmt.Errorf("not-stationary: no descent direction")
		}
		return recheckDescent(rc, v, c.Descent)
	case Saddle, LocalMin, GlobalMin, Undetermined:
		if c.Descent != nil {
			return fmt.Errorf("%v with a descent direction", v.Kind)
		}
		if v.Kind != Undetermined && !v.Stationary && !byG {
			return fmt.Errorf("%v: the report says not stationary", v.Kind)
		}
		if !v.Stationary {
			// Undetermined before stationarity was decided: no escape claim.
			if len(v.Escape) > 0 || len(c.Escapes) > 0 || c.Path != nil {
				return fmt.Errorf("undetermined: escape neurons or a path at a point not shown stationary")
			}
			if !undecided(v) {
				return fmt.Errorf("%v: not stationary, yet every neuron's (S2) is decided and none fails", v.Kind)
			}
			return nil
		}
		if err := rc.escapeSet(v, ck); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown verdict %v", v.Kind)
	}
	switch v.Kind {
	case Saddle:
		if len(v.Escape) == 0 {
			return fmt.Errorf("saddle: no escape neuron")
		}
		if c.Path == nil {
			return fmt.Errorf("saddle: no decreasing path")
		}
		_, err = recheckPath(rc, c.Path)
		return err
	case GlobalMin:
		if byG {
			if c.Path != nil {
				return fmt.Errorf("global-min with a decreasing path")
			}
			return nil
		}
		fallthrough
	case LocalMin:
		if len(v.Escape) > 0 || c.Path != nil {
			return fmt.Errorf("%v with escape neurons or a decreasing path", v.Kind)
		}
		if undecided(v) {
			return fmt.Errorf("%v with neurons whose escape is undecided", v.Kind)
		}
		if v.Kind == GlobalMin && v.Loss.Sign() != 0 {
			return fmt.Errorf("global-min with L = %s ≠ 0", exact.Text(v.Loss))
		}
		if v.Kind == LocalMin && v.Loss.Sign() == 0 {
			return fmt.Errorf("local-min with L = 0: the point is a global minimum")
		}
	case Undetermined:
		if c.Path != nil {
			return fmt.Errorf("undetermined with a decreasing path (a saddle)")
		}
		// At a stationary point with every neuron decided, only an escape
		// neuron with a_j ≠ 0 (k ≥ 2) leaves the verdict open: without
		// escape neurons Theorem M decides, with one with a_j = 0 Theorem E.
		if !undecided(v) {
			open := len(v.Escape) > 0
			for _, j := range v.Escape {
				if rc.p.Neurons[j].A.IsZero() {
					open = false
				}
			}
			if !open {
				return fmt.Errorf("undetermined, but every neuron is decided and the escape neurons %v decide the verdict (Theorems M and E)", v.Escape)
			}
		}
	}
	return nil
}

// shownNotStationary names a condition of Theorem S that v's reports (each
// checked by evaluation) or certificate show failing: (S0), (S1) of a
// neuron, or (S2) of a neuron with a failure direction; "" when none.
func (rc *rechecker) shownNotStationary(v *Verdict) string {
	if rc.p.HasOutputBias() && !v.BiasGradient.IsZero() {
		return "(S0) fails (Σ_i r_i ≠ 0)"
	}
	for j, nr := range v.Neurons {
		if !nr.S1 {
			return fmt.Sprintf("(S1) fails for neuron %d", j)
		}
	}
	if len(v.Cert.S2Failures) > 0 {
		return fmt.Sprintf("(S2) fails for neuron %d", v.Cert.S2Failures[0].Neuron)
	}
	return ""
}

// undecided reports whether some neuron's report says Decided = false.
func undecided(v *Verdict) bool {
	for _, nr := range v.Neurons {
		if !nr.Decided {
			return true
		}
	}
	return false
}

// claims indexes the parts of a certificate by neuron.
type claims struct {
	s2      map[int]*StationarityProof
	fails   map[int]*S2Failure
	escapes map[int]*EscapeWitness
	noEsc   map[int]*NoEscapeProof
	listed  map[int]bool
}

// index indexes the certificate of v by neuron, rejecting a neuron out of
// range or given two proofs of one kind, and an escape list that is not
// ascending.
func (rc *rechecker) index(v *Verdict) (*claims, error) {
	c := v.Cert
	ck := &claims{s2: map[int]*StationarityProof{}, fails: map[int]*S2Failure{}, escapes: map[int]*EscapeWitness{},
		noEsc: map[int]*NoEscapeProof{}, listed: map[int]bool{}}
	add := func(what string, j int, have bool) error {
		if j < 0 || j >= rc.m {
			return fmt.Errorf("%s for neuron %d, which does not exist", what, j)
		}
		if have {
			return fmt.Errorf("two %ss for neuron %d", what, j)
		}
		return nil
	}
	for k := range c.Stationarity {
		j := c.Stationarity[k].Neuron
		if err := add("stationarity proof", j, ck.s2[j] != nil); err != nil {
			return nil, err
		}
		ck.s2[j] = &c.Stationarity[k]
	}
	for k := range c.S2Failures {
		j := c.S2Failures[k].Neuron
		if err := add("(S2) failure", j, ck.fails[j] != nil); err != nil {
			return nil, err
		}
		ck.fails[j] = &c.S2Failures[k]
	}
	for k := range c.Escapes {
		j := c.Escapes[k].Neuron
		if err := add("escape witness", j, ck.escapes[j] != nil); err != nil {
			return nil, err
		}
		ck.escapes[j] = &c.Escapes[k]
	}
	for k := range c.NoEscape {
		j := c.NoEscape[k].Neuron
		if err := add("no-escape proof", j, ck.noEsc[j] != nil); err != nil {
			return nil, err
		}
		ck.noEsc[j] = &c.NoEscape[k]
	}
	for k, j := range v.Escape {
		if j < 0 || j >= rc.m || (k > 0 && j <= v.Escape[k-1]) {
			return nil, fmt.Errorf("escape neurons %v: not ascending indices of neurons", v.Escape)
		}
		ck.listed[j] = true
	}
	return ck, nil
}

// reports checks every neuron's report of v and the bias gradient against
// direct evaluation, every (S2) proof and failure the certificate holds,
// and, when v says stationary, (S0), (S1) and (S2) for every neuron.
func (rc *rechecker) reports(v *Verdict, ck *claims) error {
	p := rc.p
	if len(v.Neurons) != rc.m {
		return fmt.Errorf("report has %d neurons, the point %d", len(v.Neurons), rc.m)
	}
	if v.Stationary {
		if err := rc.s0Holds(); err != nil {
			return err
		}
	}
	if p.HasOutputBias() {
		g := rc.resSum().Scale(big.NewRat(1, int64(rc.n)))
		if len(v.BiasGradient) != rc.k || !v.BiasGradient.Defined() || !v.BiasGradient.Equal(g) {
			return fmt.Errorf("output_bias: ∂L/∂b is %v, the report says %v", g, v.BiasGradient)
		}
	} else if v.BiasGradient != nil {
		return fmt.Errorf("a bias gradient for a network without an output bias")
	}
	rc.sums()
	s1 := make([]bool, rc.m)
	par.Dynamic(rc.m, par.Workers(rc.m*rc.k*rc.d*64), func(j int) { s1[j] = rc.s1Holds(j) })
	n := big.NewRat(int64(rc.n), 1)
	rc.poll()
	for j, nr := range p.Neurons {
		rc.poll()
		rep := v.Neurons[j]
		if kind, zs := rc.kind(j); rep.Kind != kind || rep.Boundary != zs {
			return fmt.Errorf("neurons[%d]: the report says %v with |Z_j| = %d, the point has %v with |Z_j| = %d", j, rep.Kind, rep.Boundary, kind, zs)
		}
		if len(rep.G) != rc.k || !rep.G.Defined() {
			return fmt.Errorf("neurons[%d]: G_j has the wrong shape", j)
		}
		if rep.G.IsZero() != s1[j] || (!s1[j] && !rc.responseEquals(j, nr.W, rep.G.Scale(n))) {
			return fmt.Errorf("neurons[%d]: G_j is not %v", j, rep.G)
		}
		if rep.S1 != s1[j] {
			return fmt.Errorf("neurons[%d]: the report says (S1) %v, G_j = 0 is %v", j, rep.S1, s1[j])
		}
		if rep.Escape != ck.listed[j] {
			return fmt.Errorf("neurons[%d]: the report's escape flag disagrees with the escape neurons %v", j, v.Escape)
		}
		if rep.S2 && ck.s2[j] == nil {
			return fmt.Errorf("neurons[%d]: (S2) claimed without proof", j)
		}
		if !rep.S2 && rep.Decided && ck.fails[j] == nil {
			return fmt.Errorf("neurons[%d]: (S2) claimed to fail without a direction", j)
		}
		if rep.S2 && ck.fails[j] != nil || !rep.S2 && ck.s2[j] != nil {
			return fmt.Errorf("neurons[%d]: (S2) proved and refuted", j)
		}
		if v.Stationary && (!rep.S1 || !rep.S2) {
			return fmt.Errorf("neurons[%d]: stationary, but (S1) %v and (S2) %v", j, rep.S1, rep.S2)
		}
		// Decided = false is the report of a neuron the certificate leaves
		// open: (S2) neither proved nor refuted, or, at a stationary point
		// with a_j ≠ 0 and k ≥ 2, escape neither witnessed nor refuted.
		if !rep.Decided {
			s2Open := ck.s2[j] == nil && ck.fails[j] == nil
			escOpen := v.Stationary && !nr.A.IsZero() && rc.k > 1 && ck.escapes[j] == nil && ck.noEsc[j] == nil
			if !s2Open && !escOpen {
				return fmt.Errorf("neurons[%d]: reported undecided, but the certificate decides its (S2) and escape", j)
			}
		}
	}
	for j := 0; j < rc.m; j++ {
		if pr := ck.s2[j]; pr != nil {
			if p.Neurons[j].A.IsZero() {
				// φ_j ≡ 0: nothing to prove, and the proof is empty.
				if len(pr.Cells) > 0 || len(pr.ZPlus) > 0 || len(pr.ZMinus) > 0 || pr.Cover != nil || pr.QZero {
					return fmt.Errorf("neurons[%d]: (S2) proof with Z⁺/Z⁻, cells, a cover or q_zero for a neuron with a_j = 0 (φ_j ≡ 0: it is empty)", j)
				}
				continue
			}
			if err := rc.s2Proof(j, pr); err != nil {
				return err
			}
		}
		if f := ck.fails[j]; f != nil {
			if err := rc.s2Fails(j, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// kind returns neuron j's kind (docs/theory.md §1) and |Z_j|.
func (rc *rechecker) kind(j int) (NeuronKind, int) {
	nr := rc.p.Neurons[j]
	// A zero input has sign 0 for every neuron: count over all samples,
	// then take the zero inputs out.
	zs := len(rc.bnd[j])
	allNeg := rc.nNeg[j] == rc.n-rc.nZeroX
	wz, az := nr.W.IsZero(), nr.A.IsZero()
	switch {
	case wz && az:
		return ZeroNeuron, zs
	case az:
		return ZeroOutput, zs
	case wz:
		return ZeroInput, zs
	case rc.p.Act.Neg.Sign() == 0 && allNeg:
		return Dead, zs
	case zs > 0:
		return NonDifferentiable, zs
	}
	return Alive, zs
}

// s2Fails checks a direction u with Q_j(u) = Q and a_j·Q < 0, so
// φ_j(u) < 0: (S2) fails for neuron j.
func (rc *rechecker) s2Fails(j int, f *S2Failure) error {
	if len(f.U) != rc.d || len(f.Q) != rc.k || !f.U.Defined() || !f.Q.Defined() {
		return fmt.Errorf("neurons[%d]: (S2) failure has the wrong shape", j)
	}
	if rc.p.Neurons[j].A.Dot(f.Q).Sign() >= 0 || !rc.responseEquals(j, f.U, f.Q) {
		return fmt.Errorf("neurons[%d]: (S2) failure: Q_j(u) is not %v with a_j·Q_j(u) < 0", j, f.Q)
	}
	return nil
}

// escapeSet checks the escape neurons of a stationary point: a witness for
// each listed neuron, and for each other neuron whose escape was decided
// Q_j ≡ 0 by (E1)/(E2) (a_j = 0) or its no-escape proof (a_j ≠ 0, k ≥ 2).
func (rc *rechecker) escapeSet(v *Verdict, ck *claims) error {
	p := rc.p
	for j, nr := range p.Neurons {
		rc.poll()
		w, proof := ck.escapes[j], ck.noEsc[j]
		if ck.listed[j] {
			if w == nil {
				return fmt.Errorf("neurons[%d]: listed as an escape neuron without a witness", j)
			}
			if proof != nil {
				return fmt.Errorf("neurons[%d]: escape witness and no-escape proof", j)
			}
			if err := rc.escapeWitness(j, w); err != nil {
				return err
			}
			continue
		}
		if w != nil {
			return fmt.Errorf("neurons[%d]: escape witness for a neuron not listed as escaping", j)
		}
		decided := v.Neurons[j].Decided
		switch {
		case nr.A.IsZero():
			if proof != nil {
				return fmt.Errorf("neurons[%d]: no-escape proof for a_j = 0", j)
			}
			if decided && (!rc.e1Vanishes(j) || (p.Act.Kappa().Sign() != 0 && !rc.e2Vanishes(j))) {
				return fmt.Errorf("neurons[%d]: a_j = 0 but Q_j ≢ 0 (E1/E2): it escapes", j)
			}
		case p.K() > 1:
			if proof == nil {
				if decided {
					return fmt.Errorf("neurons[%d]: a_j ≠ 0 and k = %d but no proof that it does not escape", j, p.K())
				}
				continue
			}
			if err := rc.noEscape(j, proof); err != nil {
				return err
			}
		default:
			if proof != nil {
				return fmt.Errorf("neurons[%d]: no-escape proof for k = 1", j)
			}
		}
	}
	return nil
}

// escapeWitness checks φ_j(u) = 0 and Q_j(u) = Q ≠ 0.
func (rc *rechecker) escapeWitness(j int, w *EscapeWitness) error {
	if len(w.U) != rc.d || len(w.Q) != rc.k || !w.U.Defined() || !w.Q.Defined() {
		return fmt.Errorf("escape witness for neuron %d does not fit", j)
	}
	if w.Q.IsZero() || !rc.responseEquals(j, w.U, w.Q) {
		return fmt.Errorf("neurons[%d]: escape witness: Q_j(u) is not the certificate's %v ≠ 0", j, w.Q)
	}
	if rc.p.Neurons[j].A.Dot(w.Q).Sign() != 0 {
		return fmt.Errorf("neurons[%d]: escape witness: φ_j(u) ≠ 0", j)
	}
	return nil
}

// noEscape checks a no-escape proof: Q_j ≡ 0 by (E1)/(E2), or each cell's
// face proof and that the cells are all the cells of the arrangement of the
// nonzero boundary samples of neuron j.
func (rc *rechecker) noEscape(j int, pr *NoEscapeProof) error {
	if pr.QZero {
		return rc.qZero(j, "no-escape", len(pr.Cells) > 0 || pr.Cover != nil)
	}
	var hs []exact.Vec
	for _, i := range rc.bnd[j] {
		hs = append(hs, rc.p.X.Row(i))
	}
	signs := make([][]int8, len(pr.Cells))
	for ci, fp := range pr.Cells {
		rc.poll()
		s, err := recheckFace(rc, j, fp)
		if err != nil {
			return fmt.Errorf("neurons[%d]: no-escape cell %d: %w", j, ci, err)
		}
		signs[ci] = s
	}
	if err := checkCover(hs, rc.d, signs, pr.Cover); err != nil {
		return fmt.Errorf("neurons[%d]: no-escape cells of the Z_j arrangement: %w", j, err)
	}
	return nil
}

// recheckDescent checks a descent direction: the condition it names — (S0)
// moves only the output bias, (S1) only neuron j's output weight, (S2) only
// neuron j's input weight, for the neuron it names — and that condition
// failing in the neuron's report, L'(θ; Δ) = Derivative < 0 (the linear
// coefficient of the loss along its path), and the decreasing path.
func recheckDescent(rc *rechecker, v *Verdict, d *Descent) error {
	p := rc.p
	if err := checkShape(p, d.Delta); err != nil {
		return fmt.Errorf("descent: %w", err)
	}
	for j, dj := range d.Delta {
		if !dj.W.Defined() || !dj.A.Defined() {
			return fmt.Errorf("descent: direction neuron %d has a missing entry", j)
		}
		moveW, moveA := !dj.W.IsZero(), !dj.A.IsZero()
		want := j == d.Neuron && (d.Condition == "S1" && moveA && !moveW || d.Condition == "S2" && moveW && !moveA)
		if (moveW || moveA) != want {
			return fmt.Errorf("descent: (%s) of neuron %d, but the direction moves neuron %d otherwise", d.Condition, d.Neuron, j)
		}
	}
	switch d.Condition {
	case "S0":
		if d.Neuron != -1 || d.Bias == nil || d.Bias.IsZero() {
			return fmt.Errorf("descent: (S0) must move the output bias only (neuron −1)")
		}
	case "S1", "S2":
		if d.Neuron < 0 || d.Neuron >= p.M() {
			return fmt.Errorf("descent: (%s) of neuron %d, which does not exist", d.Condition, d.Neuron)
		}
		if d.Bias != nil {
			return fmt.Errorf("descent: (%s) of neuron %d moves the output bias", d.Condition, d.Neuron)
		}
		rep := v.Neurons[d.Neuron]
		if d.Condition == "S1" && rep.S1 || d.Condition == "S2" && rep.S2 {
			return fmt.Errorf("descent: (%s) fails for neuron %d, but its report says it holds", d.Condition, d.Neuron)
		}
	default:
		return fmt.Errorf("descent: unknown condition %q", d.Condition)
	}
	if d.Derivative == nil || d.Derivative.Sign() >= 0 {
		return fmt.Errorf("descent: derivative %v is not negative", d.Derivative)
	}
	if err := checkBiasShape(p, d.Bias); err != nil {
		return fmt.Errorf("descent: %w", err)
	}
	poly, err := recheckPath(rc, d.Path)
	if err != nil {
		return err
	}
	// (Path.Delta, Path.Bias) must be t·(Delta, Bias) for one t > 0; its
	// loss polynomial's linear coefficient is then t·L'(θ; (Delta, Bias)).
	var t *big.Rat
	pairs := [][2]exact.Vec{{d.Bias, d.Path.Bias}}
	if d.Bias == nil || d.Path.Bias == nil {
		if d.Bias != nil || d.Path.Bias != nil {
			return fmt.Errorf("descent: path is not along the descent direction (output bias)")
		}
		pairs = nil
	}
	for j := range d.Delta {
		pairs = append(pairs, [2]exact.Vec{d.Delta[j].W, d.Path.Delta[j].W}, [2]exact.Vec{d.Delta[j].A, d.Path.Delta[j].A})
	}
	for _, pair := range pairs {
		for c := range pair[0] {
			a, b := pair[0][c], pair[1][c]
			if a.Sign() == 0 {
				if b.Sign() != 0 {
					return fmt.Errorf("descent: path is not along the descent direction")
				}
				continue
			}
			q := new(big.Rat).Quo(b, a)
			if t == nil {
				t = q
			} else if t.Cmp(q) != 0 {
				return fmt.Errorf("descent: path is not along the descent direction")
			}
		}
	}
	if t == nil || t.Sign() <= 0 {
		return fmt.Errorf("descent: zero or reversed direction")
	}
	want := new(big.Rat).Mul(t, d.Derivative)
	if poly[1].Cmp(want) != 0 {
		return fmt.Errorf("descent: L'(θ; Δ) is %s by evaluation, certificate says %s", exact.Text(new(big.Rat).Quo(poly[1], t)), exact.Text(d.Derivative))
	}
	return nil
}

// checkBiasShape checks a move db of the output bias: nil, or k entries on
// a point with an output bias.
func checkBiasShape(p *network.Point, db exact.Vec) error {
	if db == nil {
		return nil
	}
	if !p.HasOutputBias() {
		return fmt.Errorf("moves an output bias the network does not have")
	}
	if len(db) != p.K() || !db.Defined() {
		return fmt.Errorf("output-bias move has the wrong shape")
	}
	return nil
}

func checkShape(p *network.Point, d network.Direction) error {
	if len(d) != p.M() {
		return fmt.Errorf("direction has %d neurons, point has %d", len(d), p.M())
	}
	for j := range d {
		if len(d[j].W) != p.D() || len(d[j].A) != p.K() || !d[j].W.Defined() || !d[j].A.Defined() {
			return fmt.Errorf("direction neuron %d has the wrong shape", j)
		}
	}
	return nil
}

// recheckPath checks that L(θ + τΔ) < L(θ) for all τ ∈ (0, 1]: the segment
// stays inside the safe radius (so L along it is one polynomial of degree
// ≤ 4), the polynomial interpolated from exact values of L at five points
// matches a sixth, and Sturm's theorem shows it negative on (0, 1]. It
// returns σ ↦ L(θ + σΔ) − L(θ).
func recheckPath(rc *rechecker, path *Path) (exact.Poly, error) {
	p := rc.p
	if err := checkShape(p, path.Delta); err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	if err := checkBiasShape(p, path.Bias); err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	if err := rc.safeRadiusOK(path.Delta); err != nil {
		return nil, err
	}
	l0 := rc.loss
	if path.Loss0 == nil || path.Loss1 == nil || l0.Cmp(path.Loss0) != 0 {
		return nil, fmt.Errorf("path: L(θ) does not match")
	}
	lossAt := func(tau *big.Rat) *big.Rat {
		rc.poll()
		return new(big.Rat).Sub(rc.lossAlong(path.Delta, path.Bias, tau), l0)
	}
	if l1 := lossAt(big.NewRat(1, 1)); new(big.Rat).Add(l1, l0).Cmp(path.Loss1) != 0 {
		return nil, fmt.Errorf("path: L(θ+Δ) is %s by evaluation, certificate says %s", exact.Text(new(big.Rat).Add(l1, l0)), exact.Text(path.Loss1))
	}
	var ts, vs []*big.Rat
	for k := int64(0); k <= 4; k++ {
		t := big.NewRat(k, 4)
		ts = append(ts, t)
		vs = append(vs, lossAt(t))
	}
	poly, err := exact.Interpolate(ts, vs)
	if err != nil {
		return nil, err
	}
	third := big.NewRat(1, 3)
	if poly.Eval(third).Cmp(lossAt(third)) != 0 {
		return nil, fmt.Errorf("path: the loss along the segment is not a quartic (safe radius violated)")
	}
	neg, err := poly.NegativeOnWithin(big.NewRat(1, 1), rc.stop)
	if err != nil {
		rc.poll()
		return nil, err
	}
	if !neg {
		return nil, fmt.Errorf("path: L(θ+τΔ) − L(θ) = %v is not negative on (0, 1]", poly)
	}
	return poly, nil
}

// recheckFace checks a FaceProof by substitution: the cell's signs come from
// its interior point, Q_C and g = Q_Cᵀa_j are evaluated from the definitions,
// and each ∓q_l must equal Σ α_i h_i + β g with α ≥ 0. It returns the cell's
// signs on the nonzero boundary samples.
func recheckFace(rc *rechecker, j int, fp FaceProof) ([]int8, error) {
	p := rc.p
	nr := p.Neurons[j]
	d, k := p.D(), p.K()
	if len(fp.Point) != d || len(fp.Alpha) != 2*k || len(fp.Beta) != 2*k || !fp.Point.Defined() {
		return nil, fmt.Errorf("wrong shape")
	}
	// Q_C = ρ₊S⁺_j + ρ₋S⁻_j (from the masked sums) plus the boundary samples with
	// the slope of the point's side.
	qc := rc.faceBase(j).Clone()
	var hs []exact.Vec
	var signs []int8
	pf := exact.ToFloatVec(fp.Point)
	for _, i := range rc.bnd[j] {
		x := p.X.Row(i)
		sign, ok := exact.DotSign(exact.ToFloatVec(x), pf)
		if !ok {
			sign = x.Dot(fp.Point).Sign()
		}
		if sign == 0 {
			return nil, fmt.Errorf("point on the hyperplane of sample %d", i)
		}
		signs = append(signs, int8(sign))
		h := x
		if sign < 0 {
			h = x.Neg()
		}
		hs = append(hs, h)
		c, r := p.Act.Slope(sign), rc.res(i)
		for l := 0; l < k; l++ {
			qc[l].AddScaled(new(big.Rat).Mul(c, r[l]), x)
		}
	}
	g := exact.NewVec(d)
	for l := 0; l < k; l++ {
		g.AddScaled(nr.A[l], qc[l])
	}
	for row := 0; row < 2*k; row++ {
		alpha := exact.Vec(fp.Alpha[row])
		if len(alpha) != len(hs) || fp.Beta[row] == nil || !alpha.Defined() {
			return nil, fmt.Errorf("wrong shape")
		}
		sum := g.Scale(fp.Beta[row])
		for c, h := range hs {
			if alpha[c].Sign() < 0 {
				return nil, fmt.Errorf("α < 0")
			}
			sum.AddScaled(alpha[c], h)
		}
		want := qc[row/2]
		if row%2 == 0 {
			want = want.Neg()
		}
		if !sum.Equal(want) {
			return nil, fmt.Errorf("output %d: %v is not in the dual cone of the critical face", row/2, want)
		}
	}
	return signs, nil
}
