package main

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/tabwriter"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

// approx formats r as a decimal with 7 significant digits ("≈" values in
// reports; the exact value is always printed beside it).
func approx(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	return new(big.Float).SetPrec(64).SetRat(r).Text('g', 7)
}

// ratStr formats an exact number for text output: "p/q" ("p" when q = 1)
// when it has at most exact.TextDigits digits, else "≈ d (exact: a/b
// digits)" (exact.Text, the one formatter of every report); "?" for nil.
// --json and written case files keep every digit.
func ratStr(r *big.Rat) string { return exact.Text(r) }

// exactApprox formats r as "p/q ≈ d", or just "p" for integers; a long
// number as ratStr does.
func exactApprox(r *big.Rat) string {
	s := ratStr(r)
	if r == nil || r.IsInt() || strings.HasPrefix(s, "≈") {
		return s
	}
	return s + " ≈ " + approx(r)
}

// vecStr formats a vector, tolerating nil entries.
func vecStr(v exact.Vec) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = ratStr(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// okFail renders a condition of the neuron table.
func okFail(b bool) string {
	if b {
		return "ok"
	}
	return "FAILS"
}

// neuronConditions renders the S1, S2 and escape columns of a neuron table.
func neuronConditions(nr verify.NeuronReport) (s1, s2, esc string) {
	s2 = okFail(nr.S2)
	if !nr.Decided {
		s2 = "undecided"
	}
	esc = "-"
	if nr.Escape {
		esc = "yes"
	}
	return okFail(nr.S1), s2, esc
}

// dimensionNote is the " (D + bias)" after d in a report's header when the
// case appends a bias coordinate to its inputs; empty otherwise.
func dimensionNote(c *cases.Case, p *verify.Point) string {
	if !c.Bias {
		return ""
	}
	return fmt.Sprintf(" (%d + bias)", p.D()-1)
}

// writeReport prints the human-readable report of check.
func writeReport(w io.Writer, r *checkResult) {
	c, p, v := r.Case, r.Point, r.V
	fmt.Fprintf(w, "case %s (%s)\n", c.Name, c.File)
	if c.Source != "" {
		fmt.Fprintf(w, "source: %s\n", c.Source)
	}
	fmt.Fprintf(w, "activation %s (ρ₊ = %s, ρ₋ = %s), n = %d, d = %d%s, k = %d, m = %d\n",
		p.Act, ratStr(p.Act.Pos), ratStr(p.Act.Neg), p.N(), p.D(), dimensionNote(c, p), p.K(), p.M())
	fmt.Fprintf(w, "loss L = (1/2n) Σ|f(x_i) − y_i|² = %s\n", exactApprox(v.Loss))
	if v.Loss != nil && p.K() > 0 {
		mse := new(big.Rat).Mul(v.Loss, big.NewRat(2, int64(p.K())))
		fmt.Fprintf(w, "     (PyTorch mse_loss = 2L/k = %s)\n", exactApprox(mse))
	}
	if p.HasOutputBias() {
		fmt.Fprintf(w, "output bias b = %s; ∂L/∂b = (1/n) Σ r_i = %s (S0 %s)\n", vecStr(p.OutputBias), vecStr(v.BiasGradient), okFail(v.BiasGradient.IsZero()))
	}
	fmt.Fprintln(w)

	if len(v.Neurons) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "j\tkind\t|Z_j|\tS1\tS2\tescape\tG_j")
		for j, nr := range v.Neurons {
			s1, s2, esc := neuronConditions(nr)
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", j, nr.Kind, nr.Boundary, s1, s2, esc, vecStr(nr.G))
		}
		tw.Flush()
		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "verdict: %s", v.Kind)
	if v.Kind != verify.NotStationary {
		fmt.Fprintf(w, ", escape neurons %s", intList(v.Escape))
	}
	fmt.Fprintf(w, " (stationary: %v)\n", v.Stationary)
	if v.Reason != "" {
		fmt.Fprintf(w, "reason: %s\n", v.Reason)
	}
	writeCertificate(w, p, v.Cert)

	switch {
	case r.RecheckNote != "":
		fmt.Fprintf(w, "recheck: not finished — %s\n", r.RecheckNote)
	case r.RecheckErr == nil:
		fmt.Fprintln(w, "recheck: ok — the certificate was validated independently (verify.Recheck)")
	default:
		fmt.Fprintf(w, "recheck: FAILED: %v\n", r.RecheckErr)
	}
	if r.CertFile != "" {
		fmt.Fprintf(w, "certificate file: %s (relucert recheck %s)\n", r.CertFile, r.CertFile)
	}
	if r.NoVerdict {
		fmt.Fprintln(w, "no verdict reached (undetermined)")
	}
	writeExpectLine(w, c.Expect, r.Disagreements)
}

// writeExpectLine prints the report's "expect:" line: the expect block e
// and whether the verdict meets it ("agrees", or "DISAGREES:" and the
// differences); nothing when e is nil. check and snap (k = 1 and k ≥ 2)
// end their reports with it.
func writeExpectLine(w io.Writer, e *cases.Expect, disagreements []string) {
	if e == nil {
		return
	}
	fmt.Fprintf(w, "expect: %s — ", describeExpect(e.Error, e.Verdict, e.Escape))
	if len(disagreements) == 0 {
		fmt.Fprintln(w, "agrees")
	} else {
		fmt.Fprintf(w, "DISAGREES: %s\n", strings.Join(disagreements, "; "))
	}
}

// describeExpect formats an expect block as "saddle [3]".
func describeExpect(isErr bool, verdict *verify.VerdictKind, escape []int) string {
	var parts []string
	if isErr {
		parts = append(parts, "error")
	}
	if verdict != nil {
		parts = append(parts, verdict.String())
	}
	if escape != nil {
		parts = append(parts, intList(escape))
	}
	if len(parts) == 0 {
		return "(empty)"
	}
	return strings.Join(parts, " ")
}

// writeCertificate prints the certificate in readable form.
// writeCover summarises the proof that the listed cells of an arrangement
// of m hyperplanes are all its cells (nothing for m = 0: one cell).
func writeCover(w io.Writer, c *recheck.Cover, m int) {
	if m == 0 || c == nil {
		return
	}
	fmt.Fprintf(w, "      all the cells: %d flat(s) of the enumeration and %d parallel pair(s) (theory §11.3)\n", len(c.Flats), len(c.Parallel))
}

func writeCertificate(w io.Writer, p *verify.Point, c *verify.Certificate) {
	if c == nil {
		fmt.Fprintln(w, "certificate: none")
		return
	}
	fmt.Fprintln(w, "certificate:")
	if d := c.Descent; d != nil {
		what := fmt.Sprintf("neuron %d", d.Neuron)
		if d.Condition == "S0" {
			what = "the output bias"
		}
		fmt.Fprintf(w, "  descent: (%s) fails for %s; L'(θ; Δ) = %s < 0 along\n", d.Condition, what, exactApprox(d.Derivative))
		writeDirection(w, "    ", d.Delta, d.Bias)
		if d.Path != nil {
			writePath(w, "  ", "decreasing segment along the descent direction", d.Path)
		}
	}
	for _, s := range c.Stationarity {
		if len(s.Cells) == 0 {
			fmt.Fprintf(w, "  stationarity: neuron %d: (S1) and (S2) hold (φ_j ≡ 0 or no cell needed)\n", s.Neuron)
			continue
		}
		fmt.Fprintf(w, "  stationarity: neuron %d: (S2) proved on %d cell(s) of the Z⁻ arrangement (Z⁺ = %s, Z⁻ = %s)\n",
			s.Neuron, len(s.Cells), intList(s.ZPlus), intList(s.ZMinus))
		const shown = 4
		for ci, cell := range s.Cells {
			if ci == shown {
				fmt.Fprintf(w, "      … %d more cell(s); --json lists them all\n", len(s.Cells)-shown)
				break
			}
			if len(s.ZPlus)+len(s.ZMinus) == 0 {
				break // one cell, no multiplier: the ordinary gradient is zero
			}
			fmt.Fprintf(w, "      cell T = %s (interior point %s): λ = %s, μ = %s\n",
				intList(cell.T), vecStr(cell.Point), vecStr(exact.Vec(cell.Lambda)), vecStr(exact.Vec(cell.Mu)))
		}
		writeCover(w, s.Cover, len(s.ZMinus))
	}
	for _, f := range c.S2Failures {
		fmt.Fprintf(w, "  (S2) fails: neuron %d: u = %s, Q_%d(u) = %s, a_%d·Q_%d(u) < 0\n", f.Neuron, vecStr(f.U), f.Neuron, vecStr(f.Q), f.Neuron, f.Neuron)
	}
	for _, e := range c.Escapes {
		fmt.Fprintf(w, "  escape: neuron %d: u = %s, Q_%d(u) = %s ≠ 0\n", e.Neuron, vecStr(e.U), e.Neuron, vecStr(e.Q))
	}
	for _, ne := range c.NoEscape {
		fmt.Fprintf(w, "  no escape: neuron %d: Q_%d vanishes on the critical face of each of %d cell(s) (dual-cone multipliers α ≥ 0, β per output; --json lists them)\n", ne.Neuron, ne.Neuron, len(ne.Cells))
		writeCover(w, ne.Cover, len(ne.Cells)-1) // one cell: no hyperplane
	}
	if c.Path != nil {
		writePath(w, "  ", "decreasing path", c.Path)
	}
	writeGlobal(w, p, c.Global)
}

// writeGlobal prints Theorem G's comparison with the least loss of any
// width; nothing when it was not asked for.
func writeGlobal(w io.Writer, p *verify.Point, g *recheck.GlobalProof) {
	if g == nil {
		return
	}
	switch {
	case g.IsGlobal:
		fmt.Fprintf(w, "  global (Theorem G): L(θ) = L* = %s, the least loss of any width: θ's residuals are orthogonal to every feature ρ(Xu) (E1/E2 over all samples, %d line(s) through 0)\n", exactApprox(g.Optimum), len(g.Lines))
		return
	case g.Optimum == nil && g.U == nil:
		fmt.Fprintf(w, "  global (Theorem G): undetermined (%s)\n", g.Reason)
		return
	case g.Optimum == nil:
		fmt.Fprintf(w, "  global (Theorem G): L(θ) > L*, the least loss of any width (%s)\n", g.Reason)
	default:
		fmt.Fprintf(w, "  global (Theorem G): L* = %s is the least loss of any width (%d line(s) through 0 hold the nonzero samples); L(θ) > L*\n", exactApprox(g.Optimum), len(g.Lines))
		fmt.Fprintf(w, "    among width-%d networks: %s\n", p.M(), map[recheck.AtWidth]string{
			recheck.WidthNotGlobal: "not global", recheck.WidthUndecided: "undetermined (no network of width ≤ m below L(θ) found)"}[g.Width])
	}
	if g.WidthWitness != nil {
		fmt.Fprintf(w, "    a width-%d network with loss %s:\n", len(g.WidthWitness.Neurons), exactApprox(g.WidthLoss))
		writeNetwork(w, "      ", g.WidthWitness)
	}
	if g.Witness != nil {
		fmt.Fprintf(w, "    a width-%d network reaching L* (its residuals are orthogonal to every feature):\n", len(g.Witness.Neurons))
		writeNetwork(w, "      ", g.Witness)
	}
	if g.U != nil {
		fmt.Fprintf(w, "    a zero neuron added to θ escapes along u = %s: Σ_i r_i ρ(x_i·u) = %s ≠ 0\n", vecStr(g.U), vecStr(g.Q))
	}
}

// writeNetwork prints a network's neurons, at most eight of them, and its
// output bias.
func writeNetwork(w io.Writer, indent string, net *recheck.Net) {
	const shown = 8
	for j, nr := range net.Neurons {
		if j == shown {
			fmt.Fprintf(w, "%s… %d more neuron(s); --json lists them all\n", indent, len(net.Neurons)-shown)
			break
		}
		fmt.Fprintf(w, "%sw = %s, a = %s\n", indent, vecStr(nr.W), vecStr(nr.A))
	}
	if net.OutputBias != nil {
		fmt.Fprintf(w, "%soutput bias b = %s\n", indent, vecStr(net.OutputBias))
	}
}

// writePath prints a Path: the losses at both ends, the rule and Δ.
func writePath(w io.Writer, ind, title string, path *verify.Path) {
	fmt.Fprintf(w, "%s%s: L(θ) = %s, L(θ+Δ) = %s", ind, title, exactApprox(path.Loss0), exactApprox(path.Loss1))
	if path.Loss0 != nil && path.Loss1 != nil {
		fmt.Fprintf(w, " (change %s)", exactApprox(new(big.Rat).Sub(path.Loss1, path.Loss0)))
	}
	fmt.Fprintln(w)
	if path.Rule != "" {
		fmt.Fprintf(w, "%s  rule: %s\n", ind, path.Rule)
	}
	fmt.Fprintf(w, "%s  L(θ + τΔ) < L(θ) for every τ ∈ (0, 1], with Δ =\n", ind)
	writeDirection(w, ind+"    ", path.Delta, path.Bias)
}

// writeDirection prints the nonzero components of a direction, one neuron
// per line, and the move db of the output bias when there is one.
func writeDirection(w io.Writer, ind string, d verify.Direction, db exact.Vec) {
	moved := db != nil && !isZeroVec(db)
	if moved {
		fmt.Fprintf(w, "%soutput bias: δb = %s\n", ind, vecStr(db))
	}
	shown := 0
	for j, nr := range d {
		wz, az := isZeroVec(nr.W), isZeroVec(nr.A)
		if wz && az {
			continue
		}
		shown++
		fmt.Fprintf(w, "%sneuron %d: δw = %s, δa = %s\n", ind, j, vecStr(nr.W), vecStr(nr.A))
	}
	switch {
	case shown == 0 && !moved:
		fmt.Fprintf(w, "%s(zero)\n", ind)
	case shown == 0 && len(d) > 0:
		fmt.Fprintf(w, "%s(neurons unchanged)\n", ind)
	case shown > 0 && shown < len(d):
		fmt.Fprintf(w, "%s(other neurons unchanged)\n", ind)
	}
}

// isZeroVec reports whether every non-nil entry of v is zero.
func isZeroVec(v exact.Vec) bool {
	for _, x := range v {
		if x != nil && x.Sign() != 0 {
			return false
		}
	}
	return true
}
