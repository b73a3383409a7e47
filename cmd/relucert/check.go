package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

const checkSynopsis = "check " + inputSynopsis + " [--json] [--cert OUT.cert.json] [--global=false] " + budgetSynopsis + " [--perturb N [--amplitude A] [--seed S]]"

func init() {
	register("check", command{
		usage:   checkSynopsis,
		summary: "verify one point exactly: verdict, escape neurons, certificate and its re-check",
		run:     runCheck,
	})
}

// checkResult is everything check found, rendered by report.go (human) and
// jsonout.go (--json).
type checkResult struct {
	Case  *cases.Case
	Point *verify.Point
	V     *verify.Verdict
	// RecheckErr is the error of verify.Recheck, nil when the certificate
	// was validated (or RecheckNote says why it was not re-checked).
	RecheckErr error
	// RecheckNote, when not empty, says that the re-check did not finish
	// within the time budget; the verdict is then undetermined.
	RecheckNote string
	// Disagreements lists how the verdict differs from Case.Expect; empty
	// when it agrees or there is no expect block.
	Disagreements []string
	// NoVerdict is set when the verdict is undetermined and the case did
	// not expect that.
	NoVerdict bool
	// CertFile is the certificate file written (--cert), "" when none.
	CertFile string
	// Code is the exit code.
	Code int
}

// Agrees reports whether the verdict agrees with the expect block (true
// when there is none).
func (r *checkResult) Agrees() bool { return len(r.Disagreements) == 0 }

// runCheck implements "relucert check CASE.json [--json]". Exit codes:
// 0 when a verdict was reached, its certificate re-checks, and it agrees
// with expect (or there is none); 1 when it disagrees with expect or the
// certificate fails verify.Recheck; 2 on bad input or usage; 3 when the
// verdict is undetermined (no verdict reached).
func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", checkSynopsis, stderr)
	jsonOut := fs.Bool("json", false, "print one JSON object instead of the report")
	global := fs.Bool("global", true, "compare the loss with L*, the least loss of any width (Theorem G); --global=false skips it")
	certOut := fs.String("cert", "", "write the verdict with its certificate to `FILE` (a certificate file for relucert recheck)")
	in := addInputFlags(fs)
	bf := addBudgetFlags(fs)
	pf := addPerturbFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if err := pf.validate(fs); err != nil {
		fmt.Fprintf(stderr, "relucert check: %v\n", err)
		return exitUsage
	}
	if err := in.usage(fs, pos); err != nil {
		fmt.Fprintf(stderr, "relucert check: %v\n", err)
		fs.Usage()
		return exitUsage
	}
	opt, err := bf.options()
	if err != nil {
		fmt.Fprintf(stderr, "relucert check: %v\n", err)
		return exitUsage
	}
	opt.SkipGlobal = !*global
	file := in.file(pos)
	badInput := func(err error, expectsError bool) int {
		fmt.Fprintf(stderr, "relucert check: %v\n", err)
		if expectsError {
			fmt.Fprintf(stderr, "relucert check: (the file's expect block says \"error\": true: this rejection is what it expects)\n")
		}
		if *jsonOut {
			writeJSON(stdout, jsonInputError{File: file, Error: err.Error(), ExpectError: expectsError, ExitCode: exitUsage})
		}
		return exitUsage
	}
	c, expectsError, err := in.load(pos, bf.lim)
	if isBudget(err) {
		return budgetStop("check", file, readBudgetReason(opt, err), *jsonOut, stdout, stderr)
	}
	if err != nil {
		return badInput(err, expectsError)
	}
	var res *checkResult
	if !runUntil(opt.Deadline, func() { res, err = checkCase(c, opt) }) {
		return budgetStop("check", file, lateReason(opt), *jsonOut, stdout, stderr)
	}
	if err != nil {
		return badInput(err, false)
	}
	if *certOut != "" {
		if err := saveCertificate(*certOut, c, res.V); err != nil {
			fmt.Fprintf(stderr, "relucert check: --cert: %v\n", err)
			return exitUsage
		}
		res.CertFile = *certOut
	}
	pert := pf.run(c) // the float64 baseline, never a verdict
	if *jsonOut {
		writeJSON(stdout, withPerturb(toJSON(res), pert))
	} else {
		writeReport(stdout, res)
		writePerturb(stdout, pert)
	}
	return res.Code
}

// checkCase runs verify.Check and verify.Recheck on c and compares the
// verdict with c.Expect. The error is for a point verify rejects (bad
// input), wrapped as a *cases.Error naming the file.
func checkCase(c *cases.Case, opt verify.Options) (*checkResult, error) {
	p := c.Point()
	v, err := callCheck(p, opt)
	if err != nil {
		return nil, &cases.Error{File: c.File, Err: err}
	}
	// The re-check gets a fresh copy of the case's point (compact: the
	// data cost 8 bytes per float64 number). (Past the deadline there is
	// no re-check.)
	if !pastDeadline(opt.Deadline) {
		p = c.Point()
	}
	res := &checkResult{Case: c, Point: p, V: v}
	res.RecheckErr, res.RecheckNote = recheckWithin(p, v, opt.Deadline)
	res.decide()
	return res, nil
}

// recheckWithin re-checks the certificate of v on p (a fresh copy) within
// the deadline (zero: none). When the time budget ends the re-check, err
// is nil, note says so, and v becomes undetermined (budget), its reason
// saying what Check had found: a verdict is only reported with a
// certificate that was re-checked.
func recheckWithin(p *verify.Point, v *verify.Verdict, deadline time.Time) (err error, note string) {
	err = callRecheck(p, v, deadline)
	if !isBudget(err) {
		return err, ""
	}
	if v.Kind != verify.Undetermined {
		v.Reason = fmt.Sprintf("budget: time budget exceeded while re-checking the certificate of %s (%s)", v.Kind, v.Reason)
		v.Kind, v.Stationary, v.Escape, v.Cert = verify.Undetermined, false, []int{}, &verify.Certificate{}
	}
	return nil, err.Error()
}

// decide compares the verdict with the expect block and sets
// Disagreements, NoVerdict and the exit code.
func (r *checkResult) decide() {
	e := r.Case.Expect
	r.Disagreements = compareExpect(e, r.V)
	expectsUndetermined := e != nil && e.Verdict != nil && *e.Verdict == verify.Undetermined
	r.NoVerdict = r.V.Kind == verify.Undetermined && !expectsUndetermined
	switch {
	case r.RecheckErr != nil:
		r.Code = exitDisagree
	case r.V.Kind == verify.Undetermined:
		r.Code = exitUndetermined
	case !r.Agrees():
		r.Code = exitDisagree
	default:
		r.Code = exitOK
	}
}

// callCheck calls verify.Check and turns a panic or a nil verdict into an
// error, so that a bug in verify cannot crash the command.
func callCheck(p *verify.Point, opt verify.Options) (v *verify.Verdict, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("internal error in verify.Check: %v", r)
		}
	}()
	v, err = verify.Check(p, opt)
	if err == nil && v == nil {
		err = fmt.Errorf("internal error: verify.Check returned no verdict")
	}
	return v, err
}

// callRecheck calls recheck.RecheckWithin on a fresh copy of the point,
// stopping at the deadline (zero: none), and turns a panic into an error.
func callRecheck(p *verify.Point, v *verify.Verdict, deadline time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in verify.Recheck: %v", r)
		}
	}()
	return recheck.RecheckWithin(p, v, exact.StopAt(deadline))
}

// compareExpect lists the differences between the expect block e and the
// verdict v; nil when they agree or e is nil.
func compareExpect(e *cases.Expect, v *verify.Verdict) []string {
	if e == nil {
		return nil
	}
	return compareExpectKind(e, v.Kind, v.Escape)
}

// compareExpectKind lists the differences between the expect block e and
// a verdict of kind k whose proved escaping neurons are escape (sorted or
// not); nil when they agree or e is nil. It serves both the exact verdicts
// (compareExpect) and the k ≥ 2 box verdicts (compareBoxExpect).
func compareExpectKind(e *cases.Expect, k verify.VerdictKind, escape []int) []string {
	if e == nil {
		return nil
	}
	var out []string
	if e.Error {
		out = append(out, "the file expects to be rejected, but it was accepted")
	}
	if e.Verdict != nil && *e.Verdict != k {
		out = append(out, fmt.Sprintf("verdict %v, expected %v", k, *e.Verdict))
	}
	if e.Escape != nil {
		got := slices.Sorted(slices.Values(escape))
		want := slices.Sorted(slices.Values(e.Escape))
		if !slices.Equal(got, want) {
			out = append(out, fmt.Sprintf("escape neurons %s, expected %s", intList(got), intList(want)))
		}
	}
	return out
}

// intList formats ints as [1 2 3] → "[1, 2, 3]".
func intList(xs []int) string {
	s := "["
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(x)
	}
	return s + "]"
}
