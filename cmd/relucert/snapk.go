package main

import (
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

// This file prints what snap's big-float layer found for k ≥ 2
// (verify.AlgebraicSnap, docs/theory.md §8.2): the text report shows short decimals
// only; --json carries the certificate exactly (dyadic rationals "p/q").

// algebraicExit is snap's exit status for k ≥ 2: 0 when the box decided a
// verdict (not undetermined), its certificate re-checks and it agrees with
// the candidate's expect block; 1 otherwise.
func algebraicExit(r *snapRun) int {
	a := r.Res.Algebraic
	v := a.Verdict
	if v == nil || v.Cert == nil || a.RecheckErr != nil || len(r.Disagreements) > 0 && v.Kind != verify.Undetermined {
		return exitDisagree
	}
	if v.Kind == verify.Undetermined {
		return exitUndetermined
	}
	return exitOK
}

// compareBoxExpect says how a box verdict differs from an expect block
// (nil when v is nil).
func compareBoxExpect(e *cases.Expect, v *recheck.BoxVerdict) []string {
	if v == nil {
		return nil
	}
	return compareExpectKind(e, v.Kind, v.Escape)
}

// floatG formats a big.Float with 4 significant digits ("?" for nil).
func floatG(f *big.Float) string {
	if f == nil {
		return "?"
	}
	return f.Text('g', 4)
}

// writeAlgebraicReport prints the big-float layer's part of snap's report.
func writeAlgebraicReport(w io.Writer, r *snapRun) {
	a, p := r.Res.Algebraic, r.Cand
	v := a.Verdict
	fmt.Fprintf(w, "k = %d: the stationary points of a pattern are algebraic (rank-one neurons), so θ* is not rounded to rationals:\n", p.K())
	fmt.Fprintln(w, "the big-float layer (docs/theory.md §8.2) refines θ̃ by Newton on the pattern's stationarity equations and proves")
	fmt.Fprintln(w, "with a Krawczyk test in outward-rounded interval arithmetic that one exact stationary point θ* lies in a box")
	if len(a.Attempts) > 0 {
		fmt.Fprintf(w, "  neighbouring patterns tried (%d):\n", len(a.Attempts))
		for i, t := range a.Attempts {
			fmt.Fprintf(w, "    %d. %s\n", i+1, t)
		}
	}
	if a.Pattern != nil {
		for j, sj := range a.Pattern.Neurons {
			if sj.Rule == verify.RuleAlive && !slices.Equal(sj.Side, r.Res.Pattern.Neurons[j].Side) {
				fmt.Fprintf(w, "  neuron %d: sides %s, Z_%d = %s in the pattern used\n", j, snapSides(sj.Side), j, intList(sj.Z))
			}
		}
	}
	if a.Unknowns > 0 {
		fmt.Fprintf(w, "  system: %d unknowns and equations; Newton: %d steps at %d bits from max |F(θ̃)| ≈ %s\n", a.Unknowns, a.NewtonSteps, a.Prec, floatG(a.Residual))
	}
	if v.Cert != nil || a.Radius != nil {
		fmt.Fprintf(w, "  box: radius ≤ %s around its center; |θ* − θ̃| ≤ %s (|θ̃| ≈ %s)\n", floatG(a.Radius), floatG(a.Distance), floatG(candNorm(p)))
	}
	if a.Center != nil && v.Cert != nil {
		fmt.Fprintln(w, "  θ* ≈ (the box center, to the digits shown):")
		for j, nr := range a.Center.Neurons {
			if nr.W.IsZero() && nr.A.IsZero() {
				continue
			}
			fmt.Fprintf(w, "    neuron %d: w ≈ %s, a ≈ %s\n", j, approxVec(nr.W), approxVec(nr.A))
		}
		if b := a.Center.OutputBias; b != nil {
			fmt.Fprintf(w, "    output bias b ≈ %s\n", approxVec(b))
		}
	}
	if v.Loss != nil {
		fmt.Fprintf(w, "loss L(θ*) ∈ [%s, %s]\n", v.Loss.Lo.Text('g', 10), v.Loss.Hi.Text('g', 10))
	}
	fmt.Fprintf(w, "verdict: %s", v.Kind)
	if v.Stationary {
		fmt.Fprintf(w, ", escape neurons %s", intList(v.Escape))
		if len(v.Undecided) > 0 {
			fmt.Fprintf(w, " (escape undecided for %s)", intList(v.Undecided))
		}
	}
	fmt.Fprintf(w, " (stationary: %v)\n", v.Stationary)
	fmt.Fprintf(w, "reason: %s\n", v.Reason)
	if c := v.Cert; c != nil {
		fmt.Fprintf(w, "certificate: the box and a %d×%d preconditioner (Krawczyk)", len(c.Center), len(c.Center))
		if c.Descent != nil {
			fmt.Fprintf(w, "; descent direction of neuron %d", c.Descent.Neuron)
		}
		if len(c.Escapes) > 0 {
			var js []int
			for _, e := range c.Escapes {
				js = append(js, e.Neuron)
			}
			fmt.Fprintf(w, "; escape witnesses for neurons %s", intList(js))
		}
		if c.Path != nil {
			switch c.Path.Rule {
			case recheck.PathTheoremE:
				fmt.Fprintf(w, "; Theorem E path on zero neuron %d", c.Path.Neuron)
			default:
				fmt.Fprint(w, "; second-order path")
			}
		}
		fmt.Fprintln(w)
		if a.RecheckErr == nil {
			fmt.Fprintln(w, "recheck: ok — re-evaluated independently by substitution (recheck.RecheckBox: Krawczyk and every fact on the box, no Newton)")
		} else {
			fmt.Fprintf(w, "recheck: FAILED: %v\n", a.RecheckErr)
		}
	}
	writeExpectLine(w, r.Case.Expect, r.Disagreements)
}

// candNorm returns |θ̃| over all weights and the output bias (rounded).
func candNorm(p *verify.Point) *big.Float {
	s := new(big.Rat)
	for _, nr := range p.Neurons {
		s.Add(s, nr.W.Norm2())
		s.Add(s, nr.A.Norm2())
	}
	if p.OutputBias != nil {
		s.Add(s, p.OutputBias.Norm2())
	}
	f := new(big.Float).SetPrec(64).SetRat(s)
	return f.Sqrt(f)
}

// approxVec formats a rational vector with 7 significant digits per entry.
func approxVec(v exact.Vec) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = approx(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// jsonAlgebraic is the "algebraic" object of snap --json (k ≥ 2; null for
// k = 1). Exact numbers are "p/q" strings (the box and the interval
// endpoints are dyadic rationals); approximate ones are decimal strings.
type jsonAlgebraic struct {
	// Attempts lists the neighbouring patterns tried, in order.
	Attempts    []string `json:"attempts"`
	Unknowns    int      `json:"unknowns"`
	NewtonSteps int      `json:"newton_steps"`
	Residual    string   `json:"residual"`
	Prec        uint     `json:"prec"`
	// Radius is the largest radius of the box, Distance ≥ |θ* − θ̃|
	// (decimal; "" without a box).
	Radius     string `json:"radius"`
	Distance   string `json:"distance"`
	Verdict    string `json:"verdict"`
	Stationary bool   `json:"stationary"`
	// EscapeNeurons are proved to escape; UndecidedNeurons could not be
	// decided from the box.
	EscapeNeurons    []int  `json:"escape_neurons"`
	UndecidedNeurons []int  `json:"undecided_neurons"`
	Reason           string `json:"reason"`
	// Loss encloses L(θ*): [lo, hi], exact.
	Loss []string `json:"loss"`
	// Point is θ* ≈ the box center (exact dyadic rationals), null without
	// a box.
	Point       []jsonSnapNeuron `json:"point"`
	OutputBias  []string         `json:"output_bias"`
	Certificate *jsonBoxCert     `json:"certificate"`
	// Recheck is "ok" when recheck.RecheckBox validated the certificate,
	// the error otherwise, "" without a certificate.
	Recheck string `json:"recheck"`
}

// jsonBoxCert is recheck.BoxCertificate, exactly.
type jsonBoxCert struct {
	Pattern []jsonBoxNeuron `json:"pattern"`
	Prec    uint            `json:"prec"`
	// Center and Radius: unknown c lies in [center_c − radius_c,
	// center_c + radius_c]; the unknowns are ordered per alive neuron: w
	// (d), the free outputs of a (those not in gauge), ν (one per boundary
	// sample); then the output bias.
	Center  []string     `json:"center"`
	Radius  []string     `json:"radius"`
	Precond [][]string   `json:"precond"`
	Descent *jsonBoxWit  `json:"descent"`
	Escapes []jsonBoxWit `json:"escapes"`
	Path    *jsonBoxPath `json:"path"`
}

type jsonBoxNeuron struct {
	J          int        `json:"j"`
	Rule       string     `json:"rule"`
	W          []string   `json:"w"`
	A          []string   `json:"a"`
	Sides      string     `json:"sides"`
	Z          []int      `json:"z"`
	Gauge      []int      `json:"gauge"`
	GaugeValue []string   `json:"gauge_value"`
	Perp       [][]string `json:"perp"`
	PerpValue  []string   `json:"perp_value"`
	BiasDir    []string   `json:"bias_dir"`
	BiasValue  string     `json:"bias_value"`
}

type jsonBoxWit struct {
	Neuron int      `json:"neuron"`
	U      []string `json:"u"`
}

type jsonBoxPath struct {
	// Rule is "theorem-e" (Neuron, U) or "second-order" (Delta,
	// DeltaBias).
	Rule      string           `json:"rule"`
	Neuron    int              `json:"neuron"`
	U         []string         `json:"u"`
	Delta     []jsonSnapNeuron `json:"delta"`
	DeltaBias []string         `json:"delta_bias"`
}

// floatRat formats a big.Float exactly as a rational.
func floatRat(f *big.Float) string {
	if f == nil {
		return ""
	}
	r, _ := f.Rat(nil)
	return r.RatString()
}

func floatRats(fs []*big.Float) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = floatRat(f)
	}
	return out
}

// algebraicJSON converts the big-float layer's result.
func algebraicJSON(a *verify.AlgebraicSnap) *jsonAlgebraic {
	if a == nil {
		return nil
	}
	v := a.Verdict
	j := &jsonAlgebraic{
		Unknowns: a.Unknowns, NewtonSteps: a.NewtonSteps, Residual: floatG(a.Residual), Prec: a.Prec,
		Verdict: v.Kind.String(), Stationary: v.Stationary, EscapeNeurons: jsonInts(v.Escape),
		UndecidedNeurons: jsonInts(v.Undecided), Reason: v.Reason, Loss: []string{}, Attempts: append([]string{}, a.Attempts...),
	}
	if a.Radius != nil {
		j.Radius, j.Distance = floatG(a.Radius), floatG(a.Distance)
	}
	if v.Loss != nil {
		j.Loss = []string{floatRat(&v.Loss.Lo), floatRat(&v.Loss.Hi)}
	}
	if a.Center != nil && v.Cert != nil {
		j.Point = []jsonSnapNeuron{}
		for k, nr := range a.Center.Neurons {
			j.Point = append(j.Point, jsonSnapNeuron{J: k, W: jsonRats(nr.W), A: jsonRats(nr.A)})
		}
		if b := a.Center.OutputBias; b != nil {
			j.OutputBias = jsonRats(b)
		}
	}
	if c := v.Cert; c != nil {
		j.Recheck = "ok"
		if a.RecheckErr != nil {
			j.Recheck = a.RecheckErr.Error()
		}
		jc := &jsonBoxCert{Prec: c.Prec, Center: floatRats(c.Center), Radius: floatRats(c.Radius), Escapes: []jsonBoxWit{}}
		for _, row := range c.Precond {
			jc.Precond = append(jc.Precond, floatRats(row))
		}
		for k, bn := range c.Pattern {
			jn := jsonBoxNeuron{J: k, Rule: bn.Rule.String(), W: jsonRats(bn.W), A: jsonRats(bn.A), Sides: snapSides(bn.Side),
				Z: jsonInts(bn.Z), Gauge: jsonInts(bn.Gauge), GaugeValue: jsonRats(bn.GaugeValue), Perp: [][]string{},
				PerpValue: jsonRats(bn.PerpValue), BiasDir: jsonRats(bn.BiasDir), BiasValue: jsonRat(bn.BiasValue)}
			for _, u := range bn.Perp {
				jn.Perp = append(jn.Perp, jsonRats(u))
			}
			jc.Pattern = append(jc.Pattern, jn)
		}
		if d := c.Descent; d != nil {
			jc.Descent = &jsonBoxWit{Neuron: d.Neuron, U: jsonRats(d.U)}
		}
		for _, e := range c.Escapes {
			jc.Escapes = append(jc.Escapes, jsonBoxWit{Neuron: e.Neuron, U: jsonRats(e.U)})
		}
		if pth := c.Path; pth != nil {
			jp := &jsonBoxPath{Rule: "theorem-e", Neuron: pth.Neuron, U: jsonRats(pth.U), Delta: []jsonSnapNeuron{}, DeltaBias: jsonRats(pth.DeltaBias)}
			if pth.Rule == recheck.PathSecondOrder {
				jp.Rule, jp.Neuron = "second-order", -1
				for k, d := range pth.Delta {
					jp.Delta = append(jp.Delta, jsonSnapNeuron{J: k, W: jsonRats(d.W), A: jsonRats(d.A)})
				}
			}
			jc.Path = jp
		}
		j.Certificate = jc
	}
	return j
}
