package main

import (
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/internal/atomicfile"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

const snapSynopsis = "snap " + inputSynopsis + " [-o OUT.json] [--tol T] [--global=false] [--json] " + budgetSynopsis

func init() {
	register("snap", command{
		usage:   snapSynopsis,
		summary: "turn a float candidate into an exact point near it and certify it (docs/theory.md §6): pattern, moves, verdict, distance, fragile choices",
		run:     runSnap,
	})
}

// snapRun is everything snap found, for the human and JSON reports.
type snapRun struct {
	Case    *cases.Case
	Weights string
	Cand    *verify.Point
	Res     *verify.SnapResult
	// Disagreements lists how the verdict differs from the candidate
	// case's expect block.
	Disagreements []string
	Out           string // -o file written, "" when none
	CertFile      string // --cert file written, "" when none
	Code          int
}

// runSnap implements "relucert snap". Exit codes: 0 when an exact point was
// found, certified, its certificate re-checks and the verdict agrees with
// the candidate's expect block (if any); 1 when there is no exact point
// (snap failed; for k ≥ 2 see algebraicExit), the verdict
// is undetermined, the re-check fails, or the verdict disagrees with
// expect; 2 on bad input or usage.
func runSnap(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("snap", snapSynopsis, stderr)
	in := addInputFlags(fs)
	out := fs.String("o", "", "write the exact point as a case file (with its verdict as expect) that relucert check accepts")
	certOut := fs.String("cert", "", "write the exact point's verdict with its certificate to `FILE` (a certificate file for relucert recheck)")
	tol := fs.Float64("tol", 0, "relative tolerance τ ∈ (0, 1) of docs/theory.md §6 (default: the ladder 1e-4, 1e-3, 1e-2, 1e-5, 1e-6, first stationary point wins)")
	jsonOut := fs.Bool("json", false, "print one JSON object instead of the report")
	global := fs.Bool("global", true, "compare the exact point's loss with L*, the least loss of any width (Theorem G); --global=false skips it")
	var opt verify.SnapOptions
	fs.IntVar(&opt.MaxAttempts, "max-attempts", 0, "bound on the neighbouring patterns tried (0: m + 16, negative: none)")
	fs.IntVar(&opt.MaxNeighbours, "max-neighbours", 0, "bound on the neighbouring choices re-verified (0: 64, negative: skip the sensitivity step)")
	bf := addBudgetFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if err := in.usage(fs, pos); err != nil {
		fmt.Fprintf(stderr, "relucert snap: %v\n", err)
		fs.Usage()
		return exitUsage
	}
	if *tol != 0 && !(*tol > 0 && *tol < 1) {
		fmt.Fprintf(stderr, "relucert snap: --tol %v: τ must lie in (0, 1)\n", *tol)
		return exitUsage
	}
	if opt.Check, err = bf.options(); err != nil {
		fmt.Fprintf(stderr, "relucert snap: %v\n", err)
		return exitUsage
	}
	opt.Check.SkipGlobal = !*global
	opt.Tol = *tol
	file := in.file(pos)
	bad := func(err error) int {
		fmt.Fprintf(stderr, "relucert snap: %v\n", err)
		if *jsonOut {
			writeJSON(stdout, jsonInputError{File: file, Error: err.Error(), ExitCode: exitUsage})
		}
		return exitUsage
	}
	c, _, err := in.load(pos, bf.lim)
	if isBudget(err) {
		return budgetStop("snap", file, readBudgetReason(opt.Check, err), *jsonOut, stdout, stderr)
	}
	if err != nil {
		return bad(err)
	}
	cand := c.Point()
	var res *verify.SnapResult
	if !runUntil(opt.Check.Deadline, func() { res, err = callSnap(cand, opt) }) {
		return budgetStop("snap", file, lateReason(opt.Check), *jsonOut, stdout, stderr)
	}
	if err != nil {
		return bad(&cases.Error{File: file, Err: err})
	}
	if res.Budget != "" {
		return budgetStop("snap", file, res.Budget, *jsonOut, stdout, stderr)
	}
	r := &snapRun{Case: c, Weights: *in.weights, Cand: cand, Res: res}
	if res.Verdict != nil {
		r.Disagreements = compareExpect(c.Expect, res.Verdict)
	}
	if res.Algebraic != nil {
		r.Disagreements = compareBoxExpect(c.Expect, res.Algebraic.Verdict)
	}
	switch {
	case res.Algebraic != nil:
		r.Code = algebraicExit(r)
	case res.Point == nil && res.BudgetCut != "":
		r.Code = exitUndetermined
	case res.Point == nil || res.Verdict == nil, res.RecheckErr != nil:
		r.Code = exitDisagree
	case res.Verdict.Kind == verify.Undetermined:
		r.Code = exitUndetermined
	case len(r.Disagreements) > 0:
		r.Code = exitDisagree
	default:
		r.Code = exitOK
	}
	if *out != "" && res.Point != nil {
		if err := writeSnapCase(*out, r); err != nil {
			fmt.Fprintf(stderr, "relucert snap: -o: %v\n", err)
			return exitUsage
		}
		r.Out = *out
	}
	if a := res.Algebraic; *certOut != "" && (res.Point != nil && res.Verdict != nil || a != nil && a.Verdict != nil && a.Verdict.Cert != nil && a.Center != nil) {
		var err error
		if a != nil {
			// k ≥ 2: the box certificate, about the data (the case's
			// neurons are the box's center).
			var bc *cases.Case
			if bc, err = boxCase(r); err == nil {
				err = saveBoxCertificate(*certOut, bc, a.Verdict)
			}
		} else {
			var sc *cases.Case
			if sc, err = snapCase(r); err == nil {
				err = saveCertificate(*certOut, sc, res.Verdict)
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "relucert snap: --cert: %v\n", err)
			return exitUsage
		}
		r.CertFile = *certOut
	}
	if *jsonOut {
		writeJSON(stdout, snapJSON(r))
	} else {
		writeSnapReport(stdout, r)
		if *out != "" && res.Point == nil {
			fmt.Fprintf(stdout, "-o %s: not written, there is no exact point\n", *out)
		}
		if *certOut != "" {
			if r.CertFile != "" {
				fmt.Fprintf(stdout, "certificate file: %s (relucert recheck %s)\n", r.CertFile, r.CertFile)
			} else {
				fmt.Fprintf(stdout, "--cert %s: not written, there is no exact point with a verdict and no box certificate\n", *certOut)
			}
		}
	}
	return r.Code
}

// callSnap calls verify.Snap and turns a panic into an error.
func callSnap(p *verify.Point, opt verify.SnapOptions) (res *verify.SnapResult, err error) {
	defer func() {
		if x := recover(); x != nil {
			res, err = nil, fmt.Errorf("internal error in verify.Snap: %v", x)
		}
	}()
	return verify.Snap(p, opt)
}

// writeSnapCase writes the exact point as a case file whose expect block is
// its certified verdict.
func writeSnapCase(path string, r *snapRun) error {
	out, err := snapCase(r)
	if err != nil {
		return err
	}
	data, err := cases.Write(out)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}

// snapCase is the exact point of a snap as a case whose expect block is its
// certified verdict.
func snapCase(r *snapRun) (*cases.Case, error) {
	c := r.Case
	src := fmt.Sprintf("relucert snap of %s (τ = %g)", c.File, r.Res.Tol)
	if r.Weights != "" {
		src += " with weights " + r.Weights
	}
	if c.Source != "" {
		src += "; candidate source: " + c.Source
	}
	out, err := cases.FromPoint(c.Name+"-snapped", src, r.Res.Point, c.Bias)
	if err != nil {
		return nil, err
	}
	v := r.Res.Verdict.Kind
	out.Expect = &cases.Expect{Verdict: &v, Escape: append([]int{}, r.Res.Verdict.Escape...)}
	return out, nil
}

// boxCase is the case of a k ≥ 2 box certificate: the candidate's data
// with the box's center as its neurons (exact dyadic rationals within the
// box's radius of θ*), without an expect block — the center is not θ*, and
// relucert check of it would not give the box's verdict.
func boxCase(r *snapRun) (*cases.Case, error) {
	c := r.Case
	src := fmt.Sprintf("relucert snap of %s (k ≥ 2 box); the neurons are the box's center, not the certified point θ* (relucert recheck reads only the data)", c.File)
	if r.Weights != "" {
		src += "; weights " + r.Weights
	}
	return cases.FromPoint(c.Name+"-box", src, r.Res.Algebraic.Center, c.Bias)
}

// spacedInts formats ints as "1 2 3", or empty when there are none.
func spacedInts(xs []int, empty string) string {
	if len(xs) == 0 {
		return empty
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, " ")
}

// snapIntsOrDash formats a list of ints for snap's report, "-" when empty.
func snapIntsOrDash(xs []int) string { return spacedInts(xs, "-") }

// snapSides renders the sides of one neuron's samples as "++0−".
func snapSides(side []int8) string {
	var b strings.Builder
	for _, s := range side {
		switch {
		case s > 0:
			b.WriteByte('+')
		case s < 0:
			b.WriteString("−")
		default:
			b.WriteByte('0')
		}
	}
	return b.String()
}

// snapFloat formats a big.Float with 4 significant digits.
func snapFloat(f *big.Float) string {
	if f == nil {
		return "?"
	}
	return f.Text('g', 4)
}

// writeSnapReport prints the human-readable report of snap.
func writeSnapReport(w io.Writer, r *snapRun) {
	c, p, res := r.Case, r.Cand, r.Res
	fmt.Fprintf(w, "snap %s (%s)\n", c.Name, c.File)
	if r.Weights != "" {
		fmt.Fprintf(w, "weights: %s\n", r.Weights)
	}
	fmt.Fprintf(w, "activation %s, n = %d, d = %d%s, k = %d, m = %d\n", p.Act, p.N(), p.D(), dimensionNote(c, p), p.K(), p.M())
	scale2 := verify.SnapScale(p)
	tau := new(big.Rat).SetFloat64(res.Tol)
	tiny := new(big.Rat).Mul(tau, tau)
	small := new(big.Rat).Set(tau)
	sc, _ := res.Scale.Rat(nil)
	tiny.Mul(tiny, sc)
	small.Mul(small, sc)
	fmt.Fprintf(w, "tolerance τ = %g; scale = sqrt(Σ|y|²/Σ|x|²) = sqrt(%s) ≈ %s\n", res.Tol, approx(scale2), snapFloat(res.Scale))
	fmt.Fprintf(w, "  a sample is on a hyperplane when |w̃·x| ≤ τ|w̃||x|; a neuron is tiny when |ã||w̃| ≤ τ²·scale ≈ %s, small when ≤ τ·scale ≈ %s\n", approx(tiny), approx(small))
	fmt.Fprintln(w)

	pat := res.Pattern
	fmt.Fprintf(w, "pattern: %d alive, %d dead (kept exactly), %d zeroed\n", len(pat.Alive), len(pat.Dead), len(pat.Zeroed))
	fmt.Fprintf(w, "  alive:  %s\n  dead:   %s\n  zeroed: %s\n", snapIntsOrDash(pat.Alive), snapIntsOrDash(pat.Dead), snapIntsOrDash(pat.Zeroed))
	for j, sj := range pat.Neurons {
		switch sj.Rule {
		case verify.RuleAlive:
			fmt.Fprintf(w, "  neuron %d: alive, sides %s, Z_%d = %s, |ã||w̃| ≈ %s\n", j, snapSides(sj.Side), j, intList(sj.Z), snapFloat(sj.Product))
		case verify.RuleDead:
			if len(sj.Near) > 0 {
				fmt.Fprintf(w, "  neuron %d: dead, sample(s) [%s] within τ of its hyperplane, |ã||w̃| ≈ %s\n", j, snapIntsOrDash(sj.Near), snapFloat(sj.Product))
			}
		}
	}
	fmt.Fprintln(w)
	if len(res.Moves) > 0 {
		fmt.Fprintf(w, "moves (%d rules moved a number or the pattern):\n", len(res.Moves))
		writeSnapMoves(w, res.Moves)
	} else {
		fmt.Fprintln(w, "moves: none")
	}
	if len(res.Attempts) > 0 {
		fmt.Fprintf(w, "neighbouring patterns tried (%d):\n", len(res.Attempts))
		for i, a := range res.Attempts {
			fmt.Fprintf(w, "  %d. %s\n", i+1, a)
		}
	}
	writeSnapLadder(w, res)
	fmt.Fprintln(w)

	if res.Failure != nil {
		fmt.Fprintf(w, "no exact point: %s\n", res.Failure.Reason)
	}
	if v := res.Candidate; v != nil {
		fmt.Fprintf(w, "θ̃ itself (the exact values of its floats): %s", v.Kind)
		if v.Kind != verify.NotStationary {
			fmt.Fprintf(w, ", escape neurons %s", intList(v.Escape))
		}
		fmt.Fprintf(w, "; %s; recheck %s\n", v.Reason, recheckText(res.CandidateRecheck))
	}
	if res.Algebraic != nil {
		writeAlgebraicReport(w, r)
	}
	if res.Point != nil {
		fmt.Fprint(w, "exact point θ* (≈; -o writes it exactly")
		if res.Bits > 0 {
			fmt.Fprintf(w, "; its product coordinates share a denominator of %d bits", res.Bits)
		}
		fmt.Fprintln(w, "):")
		for j, nr := range res.Point.Neurons {
			if nr.W.IsZero() && nr.A.IsZero() {
				continue
			}
			ws := make([]string, len(nr.W))
			for i, x := range nr.W {
				ws[i] = approx(x)
			}
			as := make([]string, len(nr.A))
			for i, x := range nr.A {
				as[i] = approx(x)
			}
			fmt.Fprintf(w, "  neuron %d: w ≈ [%s], a ≈ [%s]\n", j, strings.Join(ws, ", "), strings.Join(as, ", "))
		}
		if b := res.Point.OutputBias; b != nil {
			bs := make([]string, len(b))
			for i, x := range b {
				bs[i] = approx(x)
			}
			fmt.Fprintf(w, "  output bias: b ≈ [%s]\n", strings.Join(bs, ", "))
		}
		if n := len(pat.Zeroed); n > 0 {
			fmt.Fprintf(w, "  (%d zero neuron(s) not shown: %s)\n", n, snapIntsOrDash(pat.Zeroed))
		}
		v := res.Verdict
		fmt.Fprintf(w, "distance |θ* − θ̃| ≤ %s\n", snapFloat(res.Distance))
		fmt.Fprintf(w, "loss L = (1/2n) Σ|f(x_i) − y_i|² = %s\n", exactApprox(v.Loss))
		mse := new(big.Rat).Mul(v.Loss, big.NewRat(2, int64(p.K())))
		fmt.Fprintf(w, "     (PyTorch mse_loss = 2L/k = %s)\n", exactApprox(mse))
		var nd []int
		for j, nr := range v.Neurons {
			if nr.Kind == verify.NonDifferentiable {
				nd = append(nd, j)
			}
		}
		fmt.Fprintf(w, "verdict: %s", v.Kind)
		if v.Kind != verify.NotStationary {
			fmt.Fprintf(w, ", escape neurons %s", intList(v.Escape))
		}
		fmt.Fprintf(w, " (stationary: %v; non-differentiable neurons %s)\n", v.Stationary, intList(nd))
		if v.Reason != "" {
			fmt.Fprintf(w, "reason: %s\n", v.Reason)
		}
		writeSnapCertSummary(w, v.Cert)
		if res.RecheckErr == nil {
			fmt.Fprintln(w, "recheck: ok — the certificate was validated independently (verify.Recheck)")
		} else {
			fmt.Fprintf(w, "recheck: FAILED: %v\n", res.RecheckErr)
		}
		writeExpectLine(w, c.Expect, r.Disagreements)
	}
	if len(res.Neighbours) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "sensitivity (%d neighbouring choices re-verified):\n", len(res.Neighbours))
		for _, f := range res.Fragile {
			fmt.Fprintf(w, "  %s\n", f)
		}
		var same, none []string
		for _, nb := range res.Neighbours {
			if nb.Changes {
				continue
			}
			switch {
			case nb.Verdict == nil:
				reason := "no exact point"
				if nb.Failure != nil {
					reason = verify.SnapTry{Failure: nb.Failure}.Outcome()
				}
				none = append(none, nb.Choice+": "+reason)
			case nb.Verdict.Kind == verify.NotStationary:
				none = append(none, nb.Choice+": the exact point is not stationary")
			default:
				same = append(same, fmt.Sprintf("%s gives %s, escape neurons %s", nb.Choice, nb.Verdict.Kind, intList(nb.Verdict.Escape)))
			}
		}
		writeSnapList(w, "same verdict", same)
		writeSnapList(w, "not an alternative", none)
		if len(res.Fragile) == 0 {
			fmt.Fprintln(w, "  no neighbouring choice changes the verdict")
		}
		if res.NeighboursCapped {
			fmt.Fprintln(w, "  (list capped by --max-neighbours)")
		}
	}
	if rs := res.Residuals; rs != nil {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "the float candidate itself (exact rational values, bounds rounded up):")
		fmt.Fprintf(w, "  loss L(θ̃) = %s\n", approx(rs.Loss))
		var worstG, worstS *big.Float
		gj, sj := -1, -1
		for j, nr := range rs.Neurons {
			if worstG == nil || nr.GNorm.Cmp(worstG) > 0 {
				worstG, gj = nr.GNorm, j
			}
			if worstS == nil || nr.S2.Cmp(worstS) > 0 {
				worstS, sj = nr.S2, j
			}
		}
		if gj >= 0 {
			fmt.Fprintf(w, "  max |G_j| ≤ %s (neuron %d); max S2 residual R_j ≤ %s (neuron %d)\n", snapFloat(worstG), gj, snapFloat(worstS), sj)
		}
		if rs.BiasNorm != nil {
			fmt.Fprintf(w, "  output bias: |∂L/∂b| = |(1/n) Σ r_i| ≤ %s\n", snapFloat(rs.BiasNorm))
		}
		fmt.Fprintf(w, "  L'(θ̃; Δ) ≥ −%s·|Δ| for every direction Δ\n", snapFloat(rs.Bound))

	}
	if r.Out != "" {
		fmt.Fprintf(w, "\nwrote %s (relucert check %s reproduces the verdict)\n", r.Out, r.Out)
	}
}

// writeSnapList prints up to three lines "label: item", then how many
// more there are.
func writeSnapList(w io.Writer, label string, items []string) {
	for k, it := range items {
		if k == 3 {
			fmt.Fprintf(w, "  (%d more %s line(s): --json lists them)\n", len(items)-3, label)
			break
		}
		fmt.Fprintf(w, "  %s: %s\n", label, it)
	}
}

// writeSnapMoves prints the moves grouped, a few lines in all: tiny
// neurons zeroed, samples put on hyperplanes (per sample), the short output
// weights and the refit input weights (one line each, with the largest
// move); moves of neighbouring patterns are listed with the attempts; any
// other move is printed as it is. --json lists every move.
func writeSnapMoves(w io.Writer, moves []verify.Move) {
	var tiny, outW, refit []verify.Move
	var other []verify.Move
	bySample := map[int][]verify.Move{}
	var samples []int
	for _, m := range moves {
		switch {
		case m.Attempt:
		case m.Rule == "zeroed":
			tiny = append(tiny, m)
		case m.Rule == "boundary":
			if bySample[m.Sample] == nil {
				samples = append(samples, m.Sample)
			}
			bySample[m.Sample] = append(bySample[m.Sample], m)
		case m.Rule == "output-weight":
			outW = append(outW, m)
		case m.Rule == "refit" && m.Neuron >= 0:
			refit = append(refit, m)
		default:
			other = append(other, m)
		}
	}
	largest := func(ms []verify.Move) (*big.Float, int) {
		var best *big.Float
		j := -1
		for _, m := range ms {
			if m.Size != nil && (best == nil || m.Size.Cmp(best) > 0) {
				best, j = m.Size, m.Neuron
			}
		}
		return best, j
	}
	neurons := func(ms []verify.Move) string {
		var js []int
		for _, m := range ms {
			js = append(js, m.Neuron)
		}
		if len(js) > 8 {
			return fmt.Sprintf("%s … (%d in all)", intList(js[:8]), len(js))
		}
		return intList(js)
	}
	if len(tiny) <= 2 {
		other = append(tiny, other...)
	} else {
		big, _ := largest(tiny)
		fmt.Fprintf(w, "  - neurons %s are tiny (|ã||w̃| ≤ %s ≤ τ²·scale): set to zero neurons w = 0, a = 0\n", neurons(tiny), snapFloat(big))
	}
	for _, i := range samples {
		ms := bySample[i]
		if len(ms) == 1 {
			fmt.Fprintf(w, "  - %s\n", ms[0].Text)
			continue
		}
		big, _ := largest(ms)
		fmt.Fprintf(w, "  - sample %d put on the hyperplanes of neurons %s (|w̃·x|/(|w̃||x|) ≤ %s ≤ τ)\n", i, neurons(ms), snapFloat(big))
	}
	for _, m := range other {
		fmt.Fprintf(w, "  - %s\n", m.Text)
	}
	if len(outW) > 0 {
		big, j := largest(outW)
		fmt.Fprintf(w, "  - output weights of neurons %s: a_j is the simplest rational that rounds to the float ã_j (largest move %s, neuron %d)\n", neurons(outW), snapFloat(big), j)
	}
	if len(refit) > 0 {
		big, j := largest(refit)
		fmt.Fprintf(w, "  - input weights of neurons %s: w_j = p_j/a_j from the exact solve (largest move |w − w̃| ≤ %s, neuron %d)\n", neurons(refit), snapFloat(big), j)
	}
}

// writeSnapLadder prints what each τ of the ladder gave, one line each,
// when more than one was tried.
func writeSnapLadder(w io.Writer, res *verify.SnapResult) {
	if len(res.Tries) < 2 {
		return
	}
	fmt.Fprintf(w, "τ ladder (tried in this order; the first stationary point wins, success is not monotone in τ):\n")
	for _, t := range res.Tries {
		mark := " "
		if t.Chosen {
			mark = "*"
		}
		fmt.Fprintf(w, " %s τ = %-6g %2d alive, %2d boundary, %2d zeroed, %2d neighbouring: %s\n",
			mark, t.Tol, t.Alive, t.Boundary, t.Zeroed, t.Attempts, t.Outcome())
	}
}

// writeSnapCertSummary prints one line per part of the certificate.
func writeSnapCertSummary(w io.Writer, c *verify.Certificate) {
	if c == nil {
		fmt.Fprintln(w, "certificate: none")
		return
	}
	if d := c.Descent; d != nil {
		fmt.Fprintf(w, "certificate: descent direction, (%s) fails for neuron %d, L'(θ; Δ) = %s < 0\n", d.Condition, d.Neuron, approx(d.Derivative))
		return
	}
	cells := 0
	for _, s := range c.Stationarity {
		cells += len(s.Cells)
	}
	fmt.Fprintf(w, "certificate: (S1)/(S2) proofs for %d neuron(s), %d cell LP solution(s)", len(c.Stationarity), cells)
	if len(c.Escapes) > 0 {
		var js []int
		for _, e := range c.Escapes {
			js = append(js, e.Neuron)
		}
		fmt.Fprintf(w, "; escape witnesses for neurons %s", intList(js))
	}
	if c.Path != nil {
		fmt.Fprintf(w, "; decreasing path L(θ) = %s → L(θ+Δ) = %s", approx(c.Path.Loss0), approx(c.Path.Loss1))
	}
	fmt.Fprintln(w)
}

// jsonSnap is the object "relucert snap --json" prints. Exact numbers are
// "p/q" strings; approximate ones are decimal strings; lists are never
// null.
type jsonSnap struct {
	File    string `json:"file"`
	Name    string `json:"name"`
	Weights string `json:"weights"`
	N       int    `json:"n"`
	D       int    `json:"d"`
	K       int    `json:"k"`
	M       int    `json:"m"`
	// Scalar is false for k ≥ 2, where there is no exact rational snap:
	// Algebraic holds the big-float layer's result instead.
	Scalar    bool            `json:"scalar"`
	Algebraic *jsonAlgebraic  `json:"algebraic"`
	Tol       float64         `json:"tol"`
	Scale     string          `json:"scale"`
	Pattern   jsonSnapPattern `json:"pattern"`
	Moves     []jsonSnapMove  `json:"moves"`
	// Attempts are the neighbouring patterns tried, in order.
	Attempts []string `json:"attempts"`
	// Failure says why there is no exact point ("" when there is one).
	Failure string         `json:"failure"`
	Flips   []jsonSnapFlip `json:"flips"`
	// Point is the exact point θ*, null when there is none.
	Point []jsonSnapNeuron `json:"point"`
	// PointOutputBias is θ*'s output bias b, null when there is none.
	PointOutputBias []string             `json:"point_output_bias"`
	Verdict         string               `json:"verdict"`
	Stationary      bool                 `json:"stationary"`
	EscapeNeurons   []int                `json:"escape_neurons"`
	NonDiff         []int                `json:"non_differentiable"`
	Loss            string               `json:"loss"`
	MSELoss         string               `json:"mse_loss"`
	Reason          string               `json:"reason"`
	Certificate     *recheck.Certificate `json:"certificate"`
	Recheck         string               `json:"recheck"`
	// Distance is an upper bound on |θ* − θ̃|.
	Distance   string          `json:"distance"`
	Neighbours []jsonNeighbour `json:"neighbours"`
	Fragile    []string        `json:"fragile"`
	Residuals  *jsonResiduals  `json:"residuals"`
	// Tries says what each τ of the ladder gave, in order; Far is the
	// first-order test's finding (null when it did not stop the snap);
	// Candidate is θ̃'s own certified verdict (null unless no τ gave a
	// stationary point); Bits is the bit length of the exact point's
	// common denominator of product coordinates.
	Tries         []jsonSnapTry      `json:"tries"`
	Far           *jsonSnapFar       `json:"far"`
	Candidate     *jsonSnapCandidate `json:"candidate"`
	Bits          int                `json:"bits"`
	Agrees        bool               `json:"agrees"`
	Disagreements []string           `json:"disagreements"`
	Output        string             `json:"output"`
	CertFile      string             `json:"cert_file"`
	ExitCode      int                `json:"exit_code"`
}

type jsonSnapPattern struct {
	Alive   []int              `json:"alive"`
	Dead    []int              `json:"dead"`
	Zeroed  []int              `json:"zeroed"`
	Neurons []jsonSnapPatternJ `json:"neurons"`
}

type jsonSnapPatternJ struct {
	J    int    `json:"j"`
	Rule string `json:"rule"`
	// Sides is "+", "−" or "0" per sample (empty for zeroed neurons).
	Sides   string `json:"sides"`
	Z       []int  `json:"z"`
	Near    []int  `json:"near"`
	Tiny    bool   `json:"tiny"`
	Product string `json:"product"`
}

type jsonSnapMove struct {
	Rule   string `json:"rule"`
	Neuron int    `json:"neuron"`
	Sample int    `json:"sample"`
	Text   string `json:"text"`
}

type jsonSnapFlip struct {
	Neuron int    `json:"neuron"`
	Sample int    `json:"sample"`
	Side   int    `json:"side"`
	Pre    string `json:"pre"`
}

type jsonSnapNeuron struct {
	J int      `json:"j"`
	W []string `json:"w"`
	A []string `json:"a"`
}

type jsonNeighbour struct {
	Choice        string `json:"choice"`
	Neuron        int    `json:"neuron"`
	Verdict       string `json:"verdict"`
	EscapeNeurons []int  `json:"escape_neurons"`
	Failure       string `json:"failure"`
	Changes       bool   `json:"changes"`
}

type jsonResiduals struct {
	Loss    string          `json:"loss"`
	Bound   string          `json:"bound"`
	Neurons []jsonResidualJ `json:"neurons"`
	// BiasGradient is ∂L/∂b at the float point, exact; null without an
	// output bias.
	BiasGradient []string `json:"bias_gradient"`
}

type jsonResidualJ struct {
	J        int      `json:"j"`
	G        []string `json:"g"`
	GNorm    string   `json:"g_norm"`
	S2       string   `json:"s2"`
	Boundary []int    `json:"boundary"`
}

type jsonSnapTry struct {
	Tol      float64 `json:"tol"`
	Alive    int     `json:"alive"`
	Dead     int     `json:"dead"`
	Zeroed   int     `json:"zeroed"`
	Boundary int     `json:"boundary"`
	Attempts int     `json:"attempts"`
	Verdict  string  `json:"verdict"`
	Outcome  string  `json:"outcome"`
	Bits     int     `json:"bits"`
	Chosen   bool    `json:"chosen"`
}

type jsonSnapFar struct {
	Relaxed        float64 `json:"relaxed"`
	Unit           float64 `json:"unit"`
	Ratio          float64 `json:"ratio"`
	Tol            float64 `json:"tol"`
	OutputGradient string  `json:"output_gradient"`
	Text           string  `json:"text"`
}

type jsonSnapCandidate struct {
	Verdict       string               `json:"verdict"`
	Stationary    bool                 `json:"stationary"`
	EscapeNeurons []int                `json:"escape_neurons"`
	Loss          string               `json:"loss"`
	Reason        string               `json:"reason"`
	Certificate   *recheck.Certificate `json:"certificate"`
	Recheck       string               `json:"recheck"`
}

// snapJSON converts a snap run to its JSON object.
func snapJSON(r *snapRun) *jsonSnap {
	res, p := r.Res, r.Cand
	j := &jsonSnap{
		File: r.Case.File, Name: r.Case.Name, Weights: r.Weights,
		N: p.N(), D: p.D(), K: p.K(), M: p.M(),
		Scalar: res.Scalar, Tol: res.Tol, Scale: snapFloat(res.Scale),
		Moves: []jsonSnapMove{}, Attempts: append([]string{}, res.Attempts...),
		Flips: []jsonSnapFlip{}, EscapeNeurons: []int{}, NonDiff: []int{},
		Neighbours: []jsonNeighbour{}, Fragile: append([]string{}, res.Fragile...),
		Agrees: len(r.Disagreements) == 0, Disagreements: append([]string{}, r.Disagreements...),
		Output: r.Out, CertFile: r.CertFile, ExitCode: r.Code,
	}
	j.Algebraic = algebraicJSON(res.Algebraic)
	j.Tries = []jsonSnapTry{}
	for _, t := range res.Tries {
		jt := jsonSnapTry{Tol: t.Tol, Alive: t.Alive, Dead: t.Dead, Zeroed: t.Zeroed, Boundary: t.Boundary,
			Attempts: t.Attempts, Outcome: t.Outcome(), Bits: t.Bits, Chosen: t.Chosen}
		if t.Verdict != nil {
			jt.Verdict = t.Verdict.Kind.String()
		}
		j.Tries = append(j.Tries, jt)
	}
	if f := res.Far; f != nil {
		j.Far = &jsonSnapFar{Relaxed: f.Relaxed, Unit: f.Unit, Ratio: f.Ratio, Tol: f.Tol, OutputGradient: snapFloat(f.OutputGradient), Text: f.Text}
	}
	if v := res.Candidate; v != nil {
		j.Candidate = &jsonSnapCandidate{Verdict: v.Kind.String(), Stationary: v.Stationary, EscapeNeurons: jsonInts(v.Escape),
			Loss: jsonRat(v.Loss), Reason: v.Reason, Certificate: v.Cert, Recheck: "ok"}
		if res.CandidateRecheck != nil {
			j.Candidate.Recheck = res.CandidateRecheck.Error()
		}
	}
	j.Bits = res.Bits
	pat := res.Pattern
	j.Pattern = jsonSnapPattern{Alive: jsonInts(pat.Alive), Dead: jsonInts(pat.Dead), Zeroed: jsonInts(pat.Zeroed), Neurons: []jsonSnapPatternJ{}}
	for k, sj := range pat.Neurons {
		j.Pattern.Neurons = append(j.Pattern.Neurons, jsonSnapPatternJ{
			J: k, Rule: sj.Rule.String(), Sides: snapSides(sj.Side), Z: jsonInts(sj.Z), Near: jsonInts(sj.Near),
			Tiny: sj.Tiny, Product: snapFloat(sj.Product),
		})
	}
	for _, m := range res.Moves {
		j.Moves = append(j.Moves, jsonSnapMove{Rule: m.Rule, Neuron: m.Neuron, Sample: m.Sample, Text: m.Text})
	}
	if f := res.Failure; f != nil {
		j.Failure = f.Reason
		for _, fl := range f.Flips {
			j.Flips = append(j.Flips, jsonSnapFlip{Neuron: fl.Neuron, Sample: fl.Sample, Side: int(fl.Side), Pre: jsonRat(fl.Pre)})
		}
	}
	if res.Point != nil {
		j.Point = []jsonSnapNeuron{}
		for k, nr := range res.Point.Neurons {
			j.Point = append(j.Point, jsonSnapNeuron{J: k, W: jsonRats(nr.W), A: jsonRats(nr.A)})
		}
		j.PointOutputBias = jsonOptRats(res.Point.OutputBias)
		v := res.Verdict
		j.Verdict = v.Kind.String()
		j.Stationary = v.Stationary
		j.EscapeNeurons = jsonInts(v.Escape)
		for k, nr := range v.Neurons {
			if nr.Kind == verify.NonDifferentiable {
				j.NonDiff = append(j.NonDiff, k)
			}
		}
		j.Loss = jsonRat(v.Loss)
		j.MSELoss = jsonRat(new(big.Rat).Mul(v.Loss, big.NewRat(2, int64(p.K()))))
		j.Reason = v.Reason
		j.Certificate = v.Cert
		j.Recheck = "ok"
		if res.RecheckErr != nil {
			j.Recheck = res.RecheckErr.Error()
		}
		j.Distance = snapFloat(res.Distance)
	}
	for _, nb := range res.Neighbours {
		jn := jsonNeighbour{Choice: nb.Choice, Neuron: nb.Neuron, EscapeNeurons: []int{}, Changes: nb.Changes}
		if nb.Verdict != nil {
			jn.Verdict = nb.Verdict.Kind.String()
			jn.EscapeNeurons = jsonInts(nb.Verdict.Escape)
		}
		if nb.Failure != nil {
			jn.Failure = nb.Failure.Reason
		}
		j.Neighbours = append(j.Neighbours, jn)
	}
	if rs := res.Residuals; rs != nil {
		jr := &jsonResiduals{Loss: jsonRat(rs.Loss), Bound: snapFloat(rs.Bound), Neurons: []jsonResidualJ{}, BiasGradient: jsonOptRats(rs.BiasGradient)}
		for k, nr := range rs.Neurons {
			jr.Neurons = append(jr.Neurons, jsonResidualJ{J: k, G: jsonRats(nr.G), GNorm: snapFloat(nr.GNorm), S2: snapFloat(nr.S2), Boundary: jsonInts(nr.Boundary)})
		}
		j.Residuals = jr
	}
	return j
}
