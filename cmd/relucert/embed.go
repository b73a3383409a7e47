package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/internal/atomicfile"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

const embedSynopsis = "embed CASE.json --split J:LAMBDA | --add-zero-output W | --add-zero-input A | --add-dead W[:A] | --rescale J:C | --permute P | --scan J [-o OUT.json] [--json] " + budgetSynopsis

// embedNotes explains the arguments (printed by -h).
const embedNotes = `
Applies one network embedding of docs/theory.md §5 to the point of CASE.json,
re-verifies (verify.Check and verify.Recheck) and prints the verdict before
and after, with the reason in terms of §5 and the prediction of the theory
(derived from the point before, not from re-running Check), which Check must
confirm.

  J        a neuron, 0-based
  LAMBDA   an exact number: "1/2", "-3", "0.25"
  W        comma-separated exact numbers, one per coordinate of the point's
           input space INCLUDING the bias coordinate when the case has
           "bias": true (d + 1 numbers; the last multiplies the constant 1):
           "1,-1/2"
  A        comma-separated exact numbers, one per output (k)
  C        an exact number > 0
  P        a permutation of 0..m-1, comma-separated: neuron i of the new
           point is neuron P[i] of the old one

  --split J:LAMBDA     neuron J becomes (w_J, λa_J); the new last neuron is
                       (w_J, (1−λ)a_J)
  --add-zero-output W  appends the neuron (W, 0)
  --add-zero-input A   appends the neuron (0, A)
  --add-dead W[:A]     (ReLU, or any ρ with ρ₋ = 0) appends (W, A) with
                       W·x_i < 0 on every nonzero sample; A defaults to all
                       ones
  --rescale J:C        neuron J becomes (C·w_J, a_J/C)
  --permute P          reorders the neurons
  --scan J             the verdict of split(J, λ) for every λ, as exact
                       intervals, each confirmed by Check at one point
                       (no -o)

-o writes the new point as a case file (with the verdict found as its expect
block when the prediction was confirmed) that "relucert check" accepts.

Exit status: 0 the certificates re-check and Check agrees with the theory,
1 they do not (a bug: reported loudly), 2 bad input or usage.
`

func init() {
	register("embed", command{
		usage:   embedSynopsis,
		summary: "widen a network without changing its function (docs/theory.md §5), re-verify and explain the change",
		run:     runEmbed,
	})
}

// embedOpFlags are the operation flags, in the order usage lists them.
var embedOpFlags = []string{"split", "add-zero-output", "add-zero-input", "add-dead", "rescale", "permute", "scan"}

// runEmbed implements "relucert embed".
func runEmbed(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("embed", embedSynopsis, stderr)
	baseUsage := fs.Usage
	fs.Usage = func() {
		baseUsage()
		fmt.Fprint(stderr, embedNotes)
	}
	vals := map[string]*string{}
	help := map[string]string{
		"split":           "split neuron J with weight λ: J:LAMBDA",
		"add-zero-output": "append the neuron (W, 0); W has d numbers including the bias coordinate",
		"add-zero-input":  "append the neuron (0, A); A has k numbers",
		"add-dead":        "append the dead neuron (W, A) (needs ρ₋ = 0): W[:A], A defaults to all ones",
		"rescale":         "rescale neuron J by C > 0: J:C",
		"permute":         "reorder the neurons: new neuron i is old neuron P[i]",
		"scan":            "scan split(J, λ) over all λ",
	}
	for _, name := range embedOpFlags {
		vals[name] = fs.String(name, "", help[name])
	}
	out := fs.String("o", "", "write the new point as a case file")
	jsonOut := fs.Bool("json", false, "print one JSON object instead of the report")
	bf := addBudgetFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	var set []string
	fs.Visit(func(f *flag.Flag) {
		if _, ok := vals[f.Name]; ok {
			set = append(set, f.Name)
		}
	})
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "relucert embed: "+format+"\n", args...)
		return exitUsage
	}
	if len(pos) != 1 {
		fail("want exactly one case file, got %d arguments", len(pos))
		fs.Usage()
		return exitUsage
	}
	if len(set) != 1 {
		if len(set) == 0 {
			fail("no operation: give one of --%s", strings.Join(embedOpFlags, ", --"))
		} else {
			fail("give exactly one operation, got --%s", strings.Join(set, " and --"))
		}
		fs.Usage()
		return exitUsage
	}
	flagName := set[0]
	flagVal := *vals[flagName]
	if flagName == "scan" && *out != "" {
		return fail("-o: --scan writes no case file")
	}
	opt, err := bf.options()
	if err != nil {
		return fail("%v", err)
	}
	file := pos[0]
	entry := bf.loadCase(file)
	if isBudget(entry.Err) {
		return budgetStop("embed", file, readBudgetReason(opt, entry.Err), *jsonOut, stdout, stderr)
	}
	if entry.Err != nil {
		return fail("%v", entry.Err)
	}
	c := entry.Case
	p := c.Point()
	if err := p.Validate(); err != nil {
		return fail("%v", &cases.Error{File: file, Err: err})
	}
	before, err := callCheck(p, opt)
	if err != nil {
		return fail("%v", &cases.Error{File: file, Err: err})
	}
	recheckBefore, _ := recheckWithin(c.Point(), before, opt.Deadline)

	if flagName == "scan" {
		j, err := parseNeuron(flagVal, p.M())
		if err != nil {
			return fail("--scan %s: %v", flagVal, err)
		}
		return runScan(c, p, before, recheckBefore, j, opt, *jsonOut, stdout, stderr)
	}

	op, err := parseOp(flagName, flagVal, c, p)
	if err != nil {
		return fail("--%s %s: %v", flagName, flagVal, err)
	}
	e, err := verify.Apply(p, op)
	if err != nil {
		return fail("--%s %s: %v", flagName, flagVal, err)
	}
	after, err := callCheck(e.To, opt)
	if err != nil {
		fmt.Fprintf(stderr, "relucert embed: %s: Check on the new point: %v\n", op, err)
		return exitDisagree
	}
	res := &embedResult{Case: c, E: e, Before: before, After: after, RecheckBefore: recheckBefore}
	res.RecheckAfter, _ = recheckWithin(e.To.Clone(), after, opt.Deadline)
	res.Pred, err = verify.Predict(e, before, opt)
	budgetHit := budgetVerdict(before) || budgetVerdict(after)
	switch {
	case budgetHit:
		res.Mismatch = nil // a verdict cut short by the budget predicts and contradicts nothing
	case err != nil:
		res.Mismatch = fmt.Errorf("no prediction: %v", err)
	case !res.Pred.Known:
		res.Mismatch = nil
	default:
		res.Mismatch = res.Pred.Compare(after)
	}
	res.Code = exitOK
	switch {
	case res.RecheckBefore != nil || res.RecheckAfter != nil || res.Mismatch != nil:
		res.Code = exitDisagree
	case budgetHit, after.Kind == verify.Undetermined:
		res.Code = exitUndetermined
	}
	if *out != "" {
		if err := writeEmbedCase(*out, res); err != nil {
			return fail("-o %s: %v", *out, err)
		}
		res.Out = *out
	}
	if *jsonOut {
		writeJSON(stdout, embedJSON(res))
	} else {
		writeEmbedReport(stdout, res)
	}
	if res.Mismatch != nil {
		fmt.Fprintf(stderr, "relucert embed: %s: CHECK DISAGREES WITH THE THEORY (a bug in verify or in docs/theory.md §5): %v\n", op, res.Mismatch)
	}
	if res.RecheckBefore != nil || res.RecheckAfter != nil {
		fmt.Fprintf(stderr, "relucert embed: %s: a certificate failed Recheck (before: %v; after: %v)\n", op, res.RecheckBefore, res.RecheckAfter)
	}
	return res.Code
}

// embedResult is everything embed found.
type embedResult struct {
	Case                        *cases.Case
	E                           *verify.Embedding
	Before, After               *verify.Verdict
	RecheckBefore, RecheckAfter error
	Pred                        *verify.Prediction
	// Mismatch is Check's disagreement with the prediction (nil: agrees).
	Mismatch error
	Out      string
	Code     int
}

// parseNeuron reads a 0-based neuron index below m.
func parseNeuron(s string, m int) (int, error) {
	j, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("neuron %q is not an integer", s)
	}
	if j < 0 || j >= m {
		return 0, fmt.Errorf("neuron %d out of range [0, %d)", j, m)
	}
	return j, nil
}

// parseNumbers reads comma-separated exact numbers.
func parseNumbers(s string) (exact.Vec, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("no numbers")
	}
	var v exact.Vec
	for i, f := range strings.Split(s, ",") {
		r, err := cases.ParseNumber(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("entry %d: %v", i, err)
		}
		v = append(v, r)
	}
	return v, nil
}

// parsePair reads "J:X" with a neuron J < m and an exact number X.
func parsePair(s string, m int, what string) (int, *big.Rat, error) {
	js, xs, ok := strings.Cut(s, ":")
	if !ok {
		return 0, nil, fmt.Errorf("want J:%s, for example 0:1/2", what)
	}
	j, err := parseNeuron(js, m)
	if err != nil {
		return 0, nil, err
	}
	x, err := cases.ParseNumber(xs)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %v", what, err)
	}
	return j, x, nil
}

// describeD says what the d numbers of W are.
func describeD(c *cases.Case, p *verify.Point) string {
	if c.Bias {
		return fmt.Sprintf("d = %d: %d inputs + 1 bias coordinate (W is in the point's input space including the bias coordinate, which comes last)", p.D(), p.D()-1)
	}
	return fmt.Sprintf("d = %d inputs", p.D())
}

// parseWeights reads W and checks its length d.
func parseWeights(s string, c *cases.Case, p *verify.Point) (exact.Vec, error) {
	w, err := parseNumbers(s)
	if err != nil {
		return nil, err
	}
	if len(w) != p.D() {
		return nil, fmt.Errorf("W has %d numbers, want %s", len(w), describeD(c, p))
	}
	return w, nil
}

// parseOutputs reads A and checks its length k.
func parseOutputs(s string, p *verify.Point) (exact.Vec, error) {
	a, err := parseNumbers(s)
	if err != nil {
		return nil, err
	}
	if len(a) != p.K() {
		return nil, fmt.Errorf("A has %d numbers, want k = %d (one per output)", len(a), p.K())
	}
	return a, nil
}

// parseOp turns an operation flag and its value into a verify.Op.
func parseOp(name, val string, c *cases.Case, p *verify.Point) (verify.Op, error) {
	switch name {
	case "split":
		j, l, err := parsePair(val, p.M(), "LAMBDA")
		return verify.Op{Kind: verify.OpSplit, J: j, Lambda: l}, err
	case "rescale":
		j, x, err := parsePair(val, p.M(), "C")
		if err == nil && x.Sign() <= 0 {
			err = fmt.Errorf("C = %s must be > 0", ratStr(x))
		}
		return verify.Op{Kind: verify.OpRescale, J: j, C: x}, err
	case "add-zero-output":
		w, err := parseWeights(val, c, p)
		return verify.Op{Kind: verify.OpAddZeroOutput, W: w}, err
	case "add-zero-input":
		a, err := parseOutputs(val, p)
		return verify.Op{Kind: verify.OpAddZeroInput, A: a}, err
	case "add-dead":
		ws, as, hasA := strings.Cut(val, ":")
		w, err := parseWeights(ws, c, p)
		if err != nil {
			return verify.Op{}, err
		}
		a := exact.NewVec(p.K())
		for i := range a {
			a[i].SetInt64(1)
		}
		if hasA {
			if a, err = parseOutputs(as, p); err != nil {
				return verify.Op{}, err
			}
		}
		return verify.Op{Kind: verify.OpAddDead, W: w, A: a}, nil
	case "permute":
		parts := strings.Split(val, ",")
		if len(parts) != p.M() {
			return verify.Op{}, fmt.Errorf("P has %d entries, want m = %d", len(parts), p.M())
		}
		perm := make([]int, len(parts))
		for i, s := range parts {
			j, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return verify.Op{}, fmt.Errorf("entry %d: %q is not an integer", i, s)
			}
			perm[i] = j
		}
		return verify.Op{Kind: verify.OpPermute, Perm: perm}, nil
	}
	return verify.Op{}, fmt.Errorf("unknown operation")
}

// opSlug is a file-name-friendly form of the operation for the new case's
// name: "split-0-1_2", "add-zero-output-0_-1".
func opSlug(op verify.Op) string {
	num := func(r *big.Rat) string { return strings.ReplaceAll(r.RatString(), "/", "_") }
	vec := func(v exact.Vec) string {
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = num(x)
		}
		return strings.Join(parts, "_")
	}
	k := op.Kind.String()
	switch op.Kind {
	case verify.OpSplit:
		return fmt.Sprintf("%s-%d-%s", k, op.J, num(op.Lambda))
	case verify.OpRescale:
		return fmt.Sprintf("%s-%d-%s", k, op.J, num(op.C))
	case verify.OpAddZeroOutput:
		return k + "-" + vec(op.W)
	case verify.OpAddZeroInput:
		return k + "-" + vec(op.A)
	case verify.OpAddDead:
		return k + "-" + vec(op.W) + "-" + vec(op.A)
	case verify.OpPermute:
		parts := make([]string, len(op.Perm))
		for i, j := range op.Perm {
			parts[i] = strconv.Itoa(j)
		}
		return k + "-" + strings.Join(parts, "_")
	}
	return k
}

// writeEmbedCase writes the new point as a case file.
func writeEmbedCase(path string, res *embedResult) error {
	c := res.Case
	src := fmt.Sprintf("relucert embed: %s of %s (%s); f and L = %s unchanged (exact)", res.E.Op, c.Name, c.File, res.E.Loss.RatString())
	nc, err := cases.FromPoint(c.Name+"+"+opSlug(res.E.Op), src, res.E.To, c.Bias)
	if err != nil {
		return err
	}
	if res.Code == exitOK {
		k := res.After.Kind
		nc.Expect = &cases.Expect{Verdict: &k, Escape: append([]int{}, res.After.Escape...)}
	}
	data, err := cases.Write(nc)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}

// verdictLine formats "saddle, escape neurons [2]".
func verdictLine(v *verify.Verdict) string {
	if v.Kind == verify.NotStationary {
		return v.Kind.String()
	}
	return fmt.Sprintf("%v, escape neurons %s", v.Kind, intList(v.Escape))
}

// reasonLines splits a prediction's reason into its clauses.
func reasonLines(reason string) (clauses []string, conclusion string) {
	body, concl, _ := strings.Cut(reason, " ⇒ ")
	return strings.Split(body, "; "), concl
}

// writeEmbedReport prints the human-readable report of embed.
func writeEmbedReport(w io.Writer, r *embedResult) {
	c, e := r.Case, r.E
	fmt.Fprintf(w, "case %s (%s)\n", c.Name, c.File)
	fmt.Fprintf(w, "operation: %s\n", e.Op)
	fmt.Fprintf(w, "function: %s; f(x_i) unchanged on all %d samples and L = %s before and after (exact)\n",
		e.Identity, e.To.N(), exactApprox(e.Loss))
	fmt.Fprintln(w)
	fmt.Fprintf(w, "before (m = %d): %s — %s\n", e.From.M(), verdictLine(r.Before), r.Before.Reason)
	fmt.Fprintf(w, "after  (m = %d): %s — %s\n", e.To.M(), verdictLine(r.After), r.After.Reason)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "j\tfrom\tw\ta\tkind\tS1\tS2\tescape")
	for j, nr := range r.After.Neurons {
		from := "new"
		if o := e.Origin[j]; o >= 0 {
			from = strconv.Itoa(o)
		}
		s1, s2, esc := neuronConditions(nr)
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j, from, vecStr(e.To.Neurons[j].W), vecStr(e.To.Neurons[j].A), nr.Kind, s1, s2, esc)
	}
	tw.Flush()
	fmt.Fprintln(w)
	if r.Pred != nil {
		clauses, concl := reasonLines(r.Pred.Reason)
		fmt.Fprintln(w, "reason (docs/theory.md §5):")
		for _, cl := range clauses {
			fmt.Fprintf(w, "  - %s\n", cl)
		}
		if concl != "" {
			fmt.Fprintf(w, "  ⇒ %s\n", concl)
		}
		if r.Pred.Known {
			fmt.Fprintf(w, "prediction: %s", r.Pred.VerdictText())
			if r.Pred.Stationary {
				fmt.Fprintf(w, ", escape neurons %s", intList(r.Pred.Escape))
			}
			if r.Mismatch == nil {
				fmt.Fprintln(w, " — Check agrees")
			} else {
				fmt.Fprintf(w, " — CHECK DISAGREES (a bug in verify or in docs/theory.md §5): %v\n", r.Mismatch)
			}
		}
	} else if r.Mismatch != nil {
		fmt.Fprintf(w, "prediction: %v\n", r.Mismatch)
	}
	fmt.Fprintln(w)
	writeCertificate(w, e.To, r.After.Cert)
	fmt.Fprintf(w, "recheck: before %s, after %s\n", recheckText(r.RecheckBefore), recheckText(r.RecheckAfter))
	if r.Out != "" {
		note := "with the verdict as its expect block"
		if r.Code != exitOK {
			note = "without an expect block (the result was not confirmed)"
		}
		fmt.Fprintf(w, "wrote %s (%s)\n", r.Out, note)
	}
}

func recheckText(err error) string {
	if err == nil {
		return "ok"
	}
	return "FAILED: " + err.Error()
}

// runScan implements "relucert embed --scan J CASE.json".
func runScan(c *cases.Case, p *verify.Point, before *verify.Verdict, recheckBefore error, j int, opt verify.Options, asJSON bool, stdout, stderr io.Writer) int {
	sc, err := verify.ScanSplit(p, before, j, opt)
	if err != nil {
		fmt.Fprintf(stderr, "relucert embed: --scan %d: %v\n", j, err)
		return exitDisagree
	}
	code := exitOK
	if !sc.OK() || recheckBefore != nil {
		code = exitDisagree
	}
	if asJSON {
		writeJSON(stdout, scanJSON(c, p, sc, recheckBefore, code))
	} else {
		nr := p.Neurons[j]
		fmt.Fprintf(stdout, "case %s (%s)\n", c.Name, c.File)
		fmt.Fprintf(stdout, "scan of split(%d, λ): neuron %d = (w = %s, a = %s) becomes (w, λa) and (w, (1−λ)a)\n", j, j, vecStr(nr.W), vecStr(nr.A))
		fmt.Fprintf(stdout, "before (m = %d): %s, L = %s; recheck %s\n", p.M(), verdictLine(before), exactApprox(before.Loss), recheckText(recheckBefore))
		fmt.Fprintln(stdout, "theory (docs/theory.md §5):")
		for _, cl := range strings.Split(sc.Reason, "; ") {
			fmt.Fprintf(stdout, "  - %s\n", cl)
		}
		fmt.Fprintln(stdout)
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "λ\tpredicted\tchecked at\tCheck on the split point\trecheck\ttheory")
		for _, pc := range sc.Pieces {
			mark := "agrees"
			if pc.Mismatch != nil {
				mark = "MISMATCH"
			}
			fmt.Fprintf(tw, "%s\t%s\tλ = %s\t%s\t%s\t%s\n", pc.Label, pc.Prediction.VerdictText(), ratStr(pc.Lambda), verdictLine(pc.Verdict), recheckText(pc.RecheckErr), mark)
		}
		tw.Flush()
		fmt.Fprintln(stdout)
		fmt.Fprintf(stdout, "verdict of split(%d, λ): %s\n", j, sc)
		if sc.OK() {
			fmt.Fprintln(stdout, "confirmed: Check and Recheck agree with the theory on every piece")
		}
	}
	for _, pc := range sc.Pieces {
		if pc.Mismatch != nil {
			fmt.Fprintf(stderr, "relucert embed: --scan %d, %s (λ = %s): CHECK DISAGREES WITH THE THEORY (a bug in verify or in docs/theory.md §5): %v\n", j, pc.Label, ratStr(pc.Lambda), pc.Mismatch)
		}
		if pc.RecheckErr != nil {
			fmt.Fprintf(stderr, "relucert embed: --scan %d, λ = %s: Recheck failed: %v\n", j, ratStr(pc.Lambda), pc.RecheckErr)
		}
	}
	return code
}

// The JSON output of embed.

// jsonVerdictBrief is a verdict without its certificate.
type jsonVerdictBrief struct {
	Verdict       string `json:"verdict"`
	Stationary    bool   `json:"stationary"`
	EscapeNeurons []int  `json:"escape_neurons"`
	M             int    `json:"m"`
	Reason        string `json:"reason"`
	Recheck       string `json:"recheck"`
}

func briefJSON(v *verify.Verdict, m int, recheck error) jsonVerdictBrief {
	return jsonVerdictBrief{Verdict: v.Kind.String(), Stationary: v.Stationary, EscapeNeurons: jsonInts(v.Escape), M: m, Reason: v.Reason, Recheck: recheckString(recheck)}
}

func recheckString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// jsonPrediction is a verify.Prediction with Check's agreement.
type jsonPrediction struct {
	Known         bool     `json:"known"`
	Verdicts      []string `json:"verdicts"`
	Stationary    bool     `json:"stationary"`
	EscapeNeurons []int    `json:"escape_neurons"`
	Reason        string   `json:"reason"`
	Agrees        bool     `json:"agrees"`
	Disagreement  string   `json:"disagreement"`
}

func predictionJSON(pr *verify.Prediction, mismatch error) jsonPrediction {
	out := jsonPrediction{Verdicts: []string{}, EscapeNeurons: []int{}, Agrees: mismatch == nil}
	if mismatch != nil {
		out.Disagreement = mismatch.Error()
	}
	if pr == nil {
		return out
	}
	out.Known, out.Stationary, out.Reason = pr.Known, pr.Stationary, pr.Reason
	out.EscapeNeurons = jsonInts(pr.Escape)
	for _, v := range pr.Verdicts {
		out.Verdicts = append(out.Verdicts, v.String())
	}
	return out
}

// jsonEmbedNeuron is one neuron of the new point.
type jsonEmbedNeuron struct {
	jsonNeuron
	From int      `json:"from"` // −1 for a new neuron
	W    []string `json:"w"`
	A    []string `json:"a"`
}

// jsonEmbed is the object embed --json prints.
type jsonEmbed struct {
	File      string `json:"file"`
	Name      string `json:"name"`
	Operation string `json:"operation"`
	Op        string `json:"op"`
	Identity  string `json:"identity"`
	// Loss is L before and after (equal, checked exactly).
	Loss        string               `json:"loss"`
	Before      jsonVerdictBrief     `json:"before"`
	After       jsonVerdictBrief     `json:"after"`
	Neurons     []jsonEmbedNeuron    `json:"neurons"`
	Certificate *recheck.Certificate `json:"certificate"`
	Prediction  jsonPrediction       `json:"prediction"`
	Output      *string              `json:"output"`
	ExitCode    int                  `json:"exit_code"`
}

func embedJSON(r *embedResult) *jsonEmbed {
	e := r.E
	out := &jsonEmbed{
		File: r.Case.File, Name: r.Case.Name, Operation: e.Op.String(), Op: e.Op.Kind.String(),
		Identity: e.Identity, Loss: jsonRat(e.Loss),
		Before:      briefJSON(r.Before, e.From.M(), r.RecheckBefore),
		After:       briefJSON(r.After, e.To.M(), r.RecheckAfter),
		Neurons:     []jsonEmbedNeuron{},
		Certificate: r.After.Cert,
		Prediction:  predictionJSON(r.Pred, r.Mismatch),
		ExitCode:    r.Code,
	}
	for j, nr := range r.After.Neurons {
		out.Neurons = append(out.Neurons, jsonEmbedNeuron{
			jsonNeuron: jsonNeuron{J: j, Kind: nr.Kind.String(), Boundary: nr.Boundary, S1: nr.S1, S2: nr.S2,
				Decided: nr.Decided, Escape: nr.Escape, G: jsonRats(nr.G)},
			From: e.Origin[j], W: jsonRats(e.To.Neurons[j].W), A: jsonRats(e.To.Neurons[j].A),
		})
	}
	if r.Out != "" {
		s := r.Out
		out.Output = &s
	}
	return out
}

// jsonScanPiece is one piece of a scan.
type jsonScanPiece struct {
	Label         string         `json:"label"`
	Lambda        string         `json:"lambda"`
	Prediction    jsonPrediction `json:"prediction"`
	Verdict       string         `json:"verdict"`
	EscapeNeurons []int          `json:"escape_neurons"`
	Recheck       string         `json:"recheck"`
}

// jsonScan is the object embed --scan --json prints.
type jsonScan struct {
	File    string           `json:"file"`
	Name    string           `json:"name"`
	Neuron  int              `json:"neuron"`
	Before  jsonVerdictBrief `json:"before"`
	Theory  string           `json:"theory"`
	Pieces  []jsonScanPiece  `json:"pieces"`
	Summary string           `json:"summary"`
	OK      bool             `json:"ok"`
	// ExitCode is 0 when every piece was confirmed.
	ExitCode int `json:"exit_code"`
}

func scanJSON(c *cases.Case, p *verify.Point, sc *verify.Scan, recheckBefore error, code int) *jsonScan {
	out := &jsonScan{File: c.File, Name: c.Name, Neuron: sc.J, Before: briefJSON(sc.Before, p.M(), recheckBefore),
		Theory: sc.Reason, Pieces: []jsonScanPiece{}, Summary: sc.String(), OK: sc.OK(), ExitCode: code}
	for _, pc := range sc.Pieces {
		out.Pieces = append(out.Pieces, jsonScanPiece{
			Label: pc.Label, Lambda: pc.Lambda.RatString(),
			Prediction: predictionJSON(pc.Prediction, pc.Mismatch),
			Verdict:    pc.Verdict.Kind.String(), EscapeNeurons: jsonInts(pc.Verdict.Escape),
			Recheck: recheckString(pc.RecheckErr),
		})
	}
	return out
}

// budgetVerdict reports whether v is undetermined because a budget ran
// out (its reason starts with "budget:").
func budgetVerdict(v *verify.Verdict) bool {
	return v.Kind == verify.Undetermined && strings.HasPrefix(v.Reason, "budget:")
}
