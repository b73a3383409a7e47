package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
)

// The JSON output of "relucert check --json" (README, "Commands"). Exact numbers
// are strings in big.Rat.RatString form ("p/q" or "p"); the top-level lists
// are never null; the certificate is encoded as in certificate files
// (README, "Certificate files"), where a part a verdict does not use is
// null.

// jsonCheck is the object check --json prints.
type jsonCheck struct {
	File       string `json:"file"`
	Name       string `json:"name"`
	Activation string `json:"activation"`
	Bias       bool   `json:"bias"`
	N          int    `json:"n"`
	D          int    `json:"d"` // including the bias coordinate
	K          int    `json:"k"`
	M          int    `json:"m"`
	Verdict    string `json:"verdict"`
	Stationary bool   `json:"stationary"`
	// EscapeNeurons lists the escape neurons, 0-based, ascending.
	EscapeNeurons []int `json:"escape_neurons"`
	// Loss is L = (1/2n) Σ|f(x_i) − y_i|², exact; LossApprox ≈ it.
	Loss       string   `json:"loss"`
	LossApprox *float64 `json:"loss_approx"`
	// MSELoss is PyTorch's mse_loss, 2L/k, exact.
	MSELoss string `json:"mse_loss"`
	// OutputBias is the trainable output bias b and BiasGradient
	// ∂L/∂b = (1/n) Σ r_i ((S0) holds iff it is zero); both null when the
	// network has no output bias.
	OutputBias   []string     `json:"output_bias"`
	BiasGradient []string     `json:"bias_gradient"`
	Neurons      []jsonNeuron `json:"neurons"`
	Reason       string       `json:"reason"`
	// Certificate is the verdict's certificate in the encoding of
	// certificate files (recheck's JSON tags; README, "Certificate files").
	Certificate *recheck.Certificate `json:"certificate"`
	// Global is Theorem G's comparison with the least loss of any width
	// (null with --global=false).
	Global *jsonGlobal `json:"global"`
	// Recheck is "ok" when verify.Recheck validated the certificate, the
	// error otherwise.
	Recheck string `json:"recheck"`
	// CertFile is the certificate file written by --cert, "" when none.
	CertFile string `json:"cert_file"`
	// Perturb is the random-perturbation baseline (--perturb N), null
	// without it: a heuristic, never a verdict.
	Perturb *jsonPerturb `json:"perturb"`
	// Expect is the case's expect block, null when it has none.
	Expect *jsonExpect `json:"expect"`
	// Agrees is true when the verdict agrees with expect (or there is
	// none); Disagreements says how it does not.
	Agrees        bool     `json:"agrees"`
	Disagreements []string `json:"disagreements"`
	ExitCode      int      `json:"exit_code"`
}

// jsonNeuron is one row of the neuron table.
type jsonNeuron struct {
	J        int      `json:"j"`
	Kind     string   `json:"kind"`
	Boundary int      `json:"boundary"` // |Z_j|
	S1       bool     `json:"s1"`
	S2       bool     `json:"s2"`
	Decided  bool     `json:"decided"`
	Escape   bool     `json:"escape"`
	G        []string `json:"g"`
}

// jsonExpect is a case's expect block.
type jsonExpect struct {
	Verdict       *string `json:"verdict"`
	EscapeNeurons []int   `json:"escape_neurons"` // null when not given
	Error         bool    `json:"error"`
}

// jsonBudgetStop is check --json's object when the time budget ended the
// command before a report could be made (reading the input, or the
// watchdog of withinDeadline).
type jsonBudgetStop struct {
	File     string `json:"file"`
	Verdict  string `json:"verdict"`
	Reason   string `json:"reason"`
	ExitCode int    `json:"exit_code"`
}

// jsonInputError is what check --json prints for a file it rejects.
type jsonInputError struct {
	File        string `json:"file"`
	Error       string `json:"error"`
	ExpectError bool   `json:"expect_error"`
	ExitCode    int    `json:"exit_code"`
}

func jsonRat(r *big.Rat) string {
	if r == nil {
		return ""
	}
	return r.RatString()
}

func jsonRats(v []*big.Rat) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = jsonRat(x)
	}
	return out
}

// jsonOptRats is jsonRats that keeps nil as null.
func jsonOptRats(v []*big.Rat) []string {
	if v == nil {
		return nil
	}
	return jsonRats(v)
}

func jsonInts(v []int) []int {
	if v == nil {
		return []int{}
	}
	return v
}

// toJSON converts a check result to its JSON form.
func toJSON(r *checkResult) *jsonCheck {
	c, p, v := r.Case, r.Point, r.V
	out := &jsonCheck{
		File: c.File, Name: c.Name, Activation: p.Act.String(), Bias: c.Bias,
		N: p.N(), D: p.D(), K: p.K(), M: p.M(),
		Verdict: v.Kind.String(), Stationary: v.Stationary,
		EscapeNeurons: jsonInts(v.Escape),
		Loss:          jsonRat(v.Loss),
		OutputBias:    jsonOptRats(p.OutputBias),
		BiasGradient:  jsonOptRats(v.BiasGradient),
		Neurons:       []jsonNeuron{},
		Reason:        v.Reason,
		Certificate:   v.Cert,
		Recheck:       "ok",
		Agrees:        r.Agrees(),
		Disagreements: []string{},
		ExitCode:      r.Code,
	}
	if v.Cert != nil {
		out.Global = toJSONGlobal(v.Cert.Global)
	}
	if v.Loss != nil {
		out.LossApprox = approxFloat(v.Loss)
		if p.K() > 0 {
			out.MSELoss = new(big.Rat).Mul(v.Loss, big.NewRat(2, int64(p.K()))).RatString()
		}
	}
	for j, nr := range v.Neurons {
		out.Neurons = append(out.Neurons, jsonNeuron{
			J: j, Kind: nr.Kind.String(), Boundary: nr.Boundary,
			S1: nr.S1, S2: nr.S2, Decided: nr.Decided, Escape: nr.Escape,
			G: jsonRats(exact.Vec(nr.G)),
		})
	}
	out.CertFile = r.CertFile
	if r.RecheckErr != nil {
		out.Recheck = r.RecheckErr.Error()
	}
	if r.RecheckNote != "" {
		out.Recheck = "not finished: " + r.RecheckNote
	}
	if e := c.Expect; e != nil {
		je := &jsonExpect{EscapeNeurons: e.Escape, Error: e.Error}
		if e.Verdict != nil {
			s := e.Verdict.String()
			je.Verdict = &s
		}
		out.Expect = je
	}
	out.Disagreements = append(out.Disagreements, r.Disagreements...)
	return out
}

// approxFloat is the float64 nearest r, the "_approx" beside an exact
// number in JSON output; nil (null) when r is beyond float64's range.
func approxFloat(r *big.Rat) *float64 {
	f, _ := r.Float64()
	return optFloat(f)
}

// SchemaVersion is the version of the JSON contract of every command's
// --json output (docs/schema/*.schema.json): "schema_version" is the first
// field of each object a command prints.
const SchemaVersion = 1

// writeJSON prints v — a JSON object — as indented JSON followed by a
// newline, with "schema_version" as its first field.
func writeJSON(w io.Writer, v any) {
	b, err := marshalVersioned(v)
	if err != nil {
		// Only unsupported types fail; the structs above have none.
		fmt.Fprintf(w, "{\"error\": %q}\n", err.Error())
		return
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		fmt.Fprintf(w, "{\"error\": %q}\n", err.Error())
		return
	}
	out.WriteByte('\n')
	w.Write(out.Bytes())
}

// marshalVersioned encodes the JSON object v compactly (no HTML escaping)
// with "schema_version" inserted as its first field.
func marshalVersioned(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	body := bytes.TrimSpace(b.Bytes())
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("JSON output is not an object")
	}
	head := fmt.Sprintf("{\"schema_version\":%d", SchemaVersion)
	if len(body) > 2 {
		head += ","
	}
	return append([]byte(head), body[1:]...), nil
}

// jsonGlobal is a recheck.GlobalProof: Theorem G's comparison of θ with the
// least loss L* of any network of any width.
type jsonGlobal struct {
	// Optimum is L*, exact; "" when the comparison was not made (Reason
	// says why).
	Optimum       string   `json:"optimum"`
	OptimumApprox *float64 `json:"optimum_approx"`
	// IsGlobal is L(θ) = L*: no network of any width has a smaller loss.
	IsGlobal bool `json:"is_global"`
	// AtWidth answers for θ's own width m: "yes", "no" or "undetermined".
	AtWidth string `json:"at_width"`
	// Witness reaches L* (null when is_global); WidthWitness has width
	// ≤ m and a loss below L(θ) (null unless the witness is wider than m
	// and a narrower network was found).
	Witness      *jsonNetwork `json:"witness"`
	WidthWitness *jsonNetwork `json:"width_witness"`
	// Certificate: what Recheck re-evaluates.
	Certificate *jsonGlobalCert `json:"certificate"`
	Reason      string          `json:"reason"`
}

// jsonNetwork is a network on the case's data: its exact loss, its width
// (every neuron has w ≠ 0 and a ≠ 0), its neurons and its output bias
// (null when the case has none).
type jsonNetwork struct {
	Loss       string       `json:"loss"`
	Width      int          `json:"width"`
	Neurons    []jsonWeight `json:"neurons"`
	OutputBias []string     `json:"output_bias"`
}

// jsonWeight is one neuron (w, a).
type jsonWeight struct {
	W []string `json:"w"`
	A []string `json:"a"`
}

// jsonGlobalCert is the evidence of a recheck.GlobalProof.
type jsonGlobalCert struct {
	// Orthogonal names the network whose residuals satisfy E1/E2 over all
	// samples (so it reaches L*): "point" or "witness".
	Orthogonal string `json:"orthogonal"`
	// Lines are the E2 index sets: the nonzero samples grouped by the line
	// through 0 that holds them.
	Lines [][]int `json:"lines"`
	// U and Q (null when is_global, or when (S0) fails instead):
	// Q = Σ_i r_i ρ(x_i·U) ≠ 0 for θ's residuals, so a zero neuron added
	// to θ escapes along U.
	U []string `json:"u"`
	Q []string `json:"q"`
	// Fit (null when is_global or L* was not computed): the optimal outputs
	// X Γ + Σ_ℓ v_ℓ β_ℓ + bias, re-evaluated by Recheck.
	Fit *jsonFit `json:"fit"`
}

// jsonFit is a recheck.GlobalFit.
type jsonFit struct {
	Gamma [][]string `json:"gamma"`
	Beta  [][]string `json:"beta"`
	Bias  []string   `json:"bias"`
}

// toJSONNetwork converts a network with its loss; nil for none.
func toJSONNetwork(net *recheck.Net, loss *big.Rat) *jsonNetwork {
	if net == nil {
		return nil
	}
	out := &jsonNetwork{Loss: jsonRat(loss), Width: len(net.Neurons), Neurons: []jsonWeight{}}
	for _, nr := range net.Neurons {
		out.Neurons = append(out.Neurons, jsonWeight{W: jsonRats(nr.W), A: jsonRats(nr.A)})
	}
	if net.OutputBias != nil {
		out.OutputBias = jsonRats(net.OutputBias)
	}
	return out
}

// toJSONGlobal converts Theorem G's proof; nil when it was not asked for.
func toJSONGlobal(g *recheck.GlobalProof) *jsonGlobal {
	if g == nil {
		return nil
	}
	out := &jsonGlobal{Reason: g.Reason, AtWidth: g.Width.String(), IsGlobal: g.IsGlobal}
	if g.Optimum != nil {
		out.Optimum, out.OptimumApprox = jsonRat(g.Optimum), approxFloat(g.Optimum)
	}
	out.Witness = toJSONNetwork(g.Witness, g.Optimum)
	out.WidthWitness = toJSONNetwork(g.WidthWitness, g.WidthLoss)
	lines := make([][]int, len(g.Lines))
	for l, ln := range g.Lines {
		lines[l] = jsonInts(ln)
	}
	cert := &jsonGlobalCert{Orthogonal: "witness", Lines: lines}
	switch {
	case g.IsGlobal:
		cert.Orthogonal = "point"
	case g.Fit == nil:
		cert.Orthogonal = ""
	}
	if g.U != nil {
		cert.U, cert.Q = jsonRats(g.U), jsonRats(g.Q)
	}
	if f := g.Fit; f != nil {
		jf := &jsonFit{Gamma: [][]string{}, Beta: [][]string{}}
		for _, r := range f.Gamma {
			jf.Gamma = append(jf.Gamma, jsonRats(r))
		}
		for _, r := range f.Beta {
			jf.Beta = append(jf.Beta, jsonRats(r))
		}
		if f.Bias != nil {
			jf.Bias = jsonRats(f.Bias)
		}
		cert.Fit = jf
	}
	if g.Optimum != nil || g.U != nil || g.IsGlobal {
		out.Certificate = cert
	}
	return out
}
