package numeric

import (
	"errors"
	"fmt"
	"strings"

	"github.com/relucert/relucert/verify"
)

// Neuron is what Check reports of one neuron, field for field the float64
// counterpart of verify.NeuronReport.
type Neuron struct {
	// Kind is the neuron's kind (docs/theory.md §1) under the tolerance policy.
	Kind verify.NeuronKind
	// Boundary is |Z_j|, the nonzero samples counted on w_j's hyperplane.
	Boundary int
	// S1 reports G_j ≈ 0; S2 reports φ_j ≥ 0 within the tolerance (false
	// also when not decided).
	S1, S2 bool
	// Decided is false when (S2) or the escape test of this neuron was not
	// decided (a gonum LP failed or hit its iteration limit, or the cells
	// exceeded the budget).
	Decided bool
	// Escape reports that j is an escape neuron (only at stationary points).
	Escape bool
	// G is the output-weight gradient G_j in float64.
	G []float64
}

// Result is the float64 classification of a point, with the same structure
// as verify.Verdict (without the certificate) so that the two can be
// compared field by field. It holds only exported values, no pointers.
type Result struct {
	// Kind follows the rules of docs/theory.md §4: not-stationary, saddle, local-min,
	// global-min (loss ≈ 0), undetermined.
	Kind verify.VerdictKind
	// Stationary reports Theorem S's answer (false also when undecided).
	Stationary bool
	// Escape lists the escape neurons, 0-based and ascending; empty (not
	// nil) unless the point is stationary.
	Escape []int
	// Neurons has one entry per neuron.
	Neurons []Neuron
	// Loss is L = (1/2n) Σ_i |f(x_i) − y_i|² in float64.
	Loss float64
	// BiasGradient is ∂L/∂b = (1/n) Σ_i r_i with an output bias, nil
	// without one.
	BiasGradient []float64
	// Reason names the deciding theorem, or says why the answer is
	// undetermined.
	Reason string
	// Global compares θ with the least loss of any width (global.go), by
	// the pattern formulation; not decided when SkipGlobal is set.
	Global Global
}

// Check classifies p in float64 (docs/theory.md §3–4) with the tolerance policy of
// Tolerance, independently of the exact engine:
//   - (S1) G_j ≈ 0 and (S2): first φ_j at a few candidate directions, then
//     the subset method or the cells of the Z⁻ arrangement (whichever needs
//     fewer LPs, useSubsets), each cell or subset one LP solved with gonum's
//     simplex; a failure gives not-stationary (Theorem S);
//   - at a stationary point, a neuron with a_j = 0 escapes when (E1) or (E2)
//     fails (Q_j ≢ 0), and one with a_j ≠ 0 (only k ≥ 2) when Q_j does not
//     vanish on the critical face of some cell of its Z_j arrangement (LPs);
//   - an escape neuron with a_j = 0 makes a saddle (Theorem E); escape
//     neurons all with a_j ≠ 0 make a saddle when a float indefinite test
//     shows a descent and undetermined otherwise; no escape neuron gives
//     local-min (Theorem M), or global-min when every residual is ≈ 0;
//   - Theorem G (global.go): a local minimum or an undetermined point whose
//     residuals are ≈ orthogonal to the feature space of every width is
//     global-min.
//
// The error is non-nil only when p is malformed or does not fit in float64.
func Check(p *verify.Point) (*Result, error) {
	pr, err := NewProblem(p)
	if errors.Is(err, errRange) {
		return limited(p.M(), err.Error()), nil
	}
	if err != nil {
		return nil, err
	}
	return pr.Check(), nil
}

// Limited reports whether r says that the float64 path cannot decide its
// point (undetermined, the reason "float64: …"): numbers or scales beyond
// what float64 decides reliably — a limitation of the path, which a
// comparison with the exact verdict should not count as a disagreement.
func Limited(r *Result) bool {
	return r != nil && r.Kind == verify.Undetermined && strings.HasPrefix(r.Reason, "float64: ")
}

// limited is the result of a point the float64 path cannot decide:
// undetermined with the reason "float64: why", nothing decided.
func limited(m int, why string) *Result {
	return &Result{Kind: verify.Undetermined, Escape: []int{}, Neurons: make([]Neuron, m), Reason: "float64: " + why}
}

// Check classifies the converted point; see the package function Check.
// When a decision is beyond what float64 can make reliably (condition.go)
// the result is undetermined, its reason "float64: …".
func (pr *Problem) Check() *Result {
	if why := pr.limitation(); why != "" {
		res := limited(pr.M(), why)
		res.Loss = pr.Loss()
		return res
	}
	res := pr.classify()
	if pr.SkipGlobal {
		return res
	}
	res.Global = pr.global()
	if res.Global.IsGlobal {
		switch res.Kind {
		case verify.LocalMin:
			res.Kind = verify.GlobalMin
			res.Reason += "; Theorem G: the residuals are ≈ orthogonal to every pattern's features (L ≈ L*)"
		case verify.Undetermined:
			res.Kind = verify.GlobalMin
			res.Reason = "Theorem G: L ≈ L* (the local analysis alone was undetermined: " + res.Reason + ")"
		}
	}
	return res
}

// classify is Check without Theorem G: the local verdict.
func (pr *Problem) classify() *Result {
	m := pr.M()
	res := &Result{Escape: []int{}, Neurons: make([]Neuron, m), Loss: pr.Loss(), BiasGradient: pr.BiasGradient()}
	failed, undecided := "", ""
	if !pr.s0() {
		failed = fmt.Sprintf("Theorem S: (S0) fails for the output bias: ∂L/∂b = %v", res.BiasGradient)
	}
	for j := 0; j < m; j++ {
		nr := &res.Neurons[j]
		nr.Kind, nr.Boundary, nr.G = pr.kind(j), pr.boundary(j), pr.G(j)
		nr.S1 = pr.s1(j)
		s2, dec, detail := pr.s2(j)
		nr.S2, nr.Decided = s2, dec
		switch {
		case !nr.S1 && failed == "":
			failed = fmt.Sprintf("Theorem S: (S1) fails for neuron %d: G_%d = %v", j, j, nr.G)
		case dec && !s2 && failed == "":
			failed = "Theorem S: " + detail
		case !dec && undecided == "":
			undecided = detail
		}
	}
	if failed != "" {
		res.Kind, res.Reason = verify.NotStationary, failed
		return res
	}
	if undecided != "" {
		res.Kind, res.Reason = verify.Undetermined, undecided
		return res
	}
	res.Stationary = true

	theoremE := -1 // first escape neuron with a_j = 0
	var hard []int // escape neurons with a_j ≠ 0 (k ≥ 2)
	type faceData struct {
		ws    []witness
		faces []face
		cells []cell
		bnd   []int
	}
	faces := map[int]faceData{}
	escUndecided := -1
	for j := 0; j < m; j++ {
		nr := &res.Neurons[j]
		switch {
		case pr.aZero[j]:
			zero, _ := pr.qZero(j)
			nr.Escape = !zero
			if nr.Escape && theoremE < 0 {
				theoremE = j
			}
		case pr.K() >= 2:
			esc, ws, fs, cells, bnd, dec := pr.faceEscape(j)
			nr.Escape = esc
			if !dec {
				nr.Decided = false
				if escUndecided < 0 {
					escUndecided = j
				}
			}
			if esc {
				hard = append(hard, j)
				faces[j] = faceData{ws, fs, cells, bnd}
			}
		}
		if nr.Escape {
			res.Escape = append(res.Escape, j)
		}
	}
	switch {
	case theoremE >= 0:
		res.Kind = verify.Saddle
		res.Reason = fmt.Sprintf("Theorem E: neuron %d escapes with a_%d = 0 (Q_%d ≢ 0)", theoremE, theoremE, theoremE)
		return res
	case len(hard) > 0:
		exhaustive := true
		for _, j := range hard {
			f := faces[j]
			ok, how, exh := pr.vectorEscape(j, f.faces, f.ws, f.cells, f.bnd)
			if ok {
				res.Kind = verify.Saddle
				res.Reason = fmt.Sprintf("escape neuron %d with a_%d ≠ 0: %s", j, j, how)
				return res
			}
			exhaustive = exhaustive && exh
		}
		scope := "the search decided both tests on every critical face (generators and segment optima, and on faces of dimension > 2 the cone of their generators): H ≤ 0 and min_b c₂ ≥ 0"
		if !exhaustive {
			scope = "the search over the generators of the critical faces and segments between them is not exhaustive"
		}
		res.Kind = verify.Undetermined
		res.Reason = fmt.Sprintf("escape neurons %v have a_j ≠ 0 (k ≥ 2) and neither float64 test (indefinite, second order over output weights) shows a descent; %s", hard, scope)
		return res
	case escUndecided >= 0:
		res.Kind = verify.Undetermined
		res.Reason = fmt.Sprintf("escape of neuron %d not decided: an LP failed (gonum error or iteration limit) or the cells exceeded %d", escUndecided, maxCells)
		return res
	}
	zeroLoss := true
	for _, r := range pr.res {
		if !pr.Tol.ZeroResidual(r) {
			zeroLoss = false
			break
		}
	}
	if zeroLoss {
		res.Kind, res.Reason = verify.GlobalMin, "Theorem M: stationary, no escape neuron, and the loss is 0"
		return res
	}
	res.Kind, res.Reason = verify.LocalMin, "Theorem M: stationary and no escape neuron"
	return res
}
