package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/numeric"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

const suiteSynopsis = "suite [DIR] [--json] [--junit FILE] [--cert CERTDIR] [--shard I/N -o PART.json] " + budgetSynopsis

func init() {
	register("suite", command{
		usage:   suiteSynopsis,
		summary: "run every case in DIR (default: the embedded catalogue), exact and float64 side by side",
		run:     runSuite,
	})
}

// progressDelay is how long a suite runs before it shows a progress bar
// (on a terminal only).
const progressDelay = 2 * time.Second

// suiteCase is the outcome of one case file of a suite.
type suiteCase struct {
	// File is the file's path (for the catalogue: "catalogue/NAME.json").
	File string
	// Name is the case's name, or the file's base name when it did not
	// parse.
	Name string
	// Source is the case's "source" text ("" when it did not parse).
	Source string
	// ExpectsError reports that the file's expect block says "error": true.
	ExpectsError bool
	// Rejected is the reason the file (or its point) was rejected, nil when
	// it was accepted.
	Rejected error
	// Check is the exact result (verdict, Recheck, comparison with expect);
	// nil when the file was rejected or verify.Check failed.
	Check *checkResult
	// ExactErr is an internal error of verify.Check (not a rejection).
	ExactErr error
	// Float is the float64 result; nil when FloatErr is set or the file was
	// rejected.
	Float *numeric.Result
	// FloatErr says why the float64 path gave no result (for example a
	// number that does not fit in float64).
	FloatErr error
	// Agree reports that the float64 verdict and escape set equal the
	// exact ones.
	Agree bool
	// FloatDiffs lists every difference between the float64 and the exact
	// result: verdict, escape set and per-neuron kind, |Z_j|, S1, S2 and
	// escape.
	FloatDiffs []string
	// FloatLimited reports that the float64 path said it cannot decide the
	// case (undetermined, "float64: …": numbers or scales beyond what
	// float64 decides reliably) — an expected limitation, not a
	// disagreement.
	FloatLimited bool
	// FloatMustAgree is the case's "float_must_agree".
	FloatMustAgree bool
	// ExpectedDisagreement reports that the case says a float64
	// disagreement is expected (see expectsFloatDisagreement).
	ExpectedDisagreement bool
	// ExactTime and FloatTime are the wall times of verify.Check and of
	// numeric.Check; RecheckTime that of verify.Recheck.
	ExactTime, RecheckTime, FloatTime time.Duration
	// Failures lists why the case failed; empty when it passed.
	Failures []string
}

// Passed reports whether the case passed: a rejected file that expects
// rejection, or an accepted one whose exact verdict meets expect, whose
// certificate re-checks, that reached a verdict (unless it expects
// undetermined) and, with float_must_agree, whose float64 result agrees.
func (s *suiteCase) Passed() bool { return len(s.Failures) == 0 }

// suiteResult is a whole suite run.
type suiteResult struct {
	// Dir is the directory run, "" for the embedded catalogue.
	Dir   string
	Cases []*suiteCase
	// Elapsed is the wall time of the whole run.
	Elapsed time.Duration
}

// counts returns the numbers of passed and failed cases.
func (r *suiteResult) counts() (passed, failed int) {
	for _, c := range r.Cases {
		if c.Passed() {
			passed++
		} else {
			failed++
		}
	}
	return passed, failed
}

// runSuite implements "relucert suite [DIR] [--json] [--junit FILE]
// [--max-cells N] [--max-pivots N]". Exit codes: 0 when every case passed,
// 1 when some case failed, 2 on usage errors, an unreadable DIR, a DIR
// without case files, or a JUnit file that cannot be written, 3 when the
// only failures are undetermined verdicts (see exitCode).
//
// The last line of stdout is "N passed, M failed" — with --json stdout is
// one JSON document, and that line goes to stderr instead.
func runSuite(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("suite", suiteSynopsis, stderr)
	jsonOut := fs.Bool("json", false, "print one JSON object (the cases and the totals) instead of the table")
	junit := fs.String("junit", "", "also write a JUnit XML report to `FILE`")
	certDir := fs.String("cert", "", "write each case's certificate file to `DIR`/NAME.cert.json (for relucert recheck)")
	shardStr := fs.String("shard", "", "run only part I of N of the cases (`I/N`: the cases whose number is I modulo N) and write them to -o for relucert merge; default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/"+shardCountEnv+" when set")
	outPath := fs.String("o", "", "with --shard: write the shard's partial result to `FILE`")
	bf := addBudgetFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "relucert suite: want at most one directory, got %d arguments\n", len(pos))
		fs.Usage()
		return exitUsage
	}
	opt, err := bf.options()
	if err != nil {
		fmt.Fprintf(stderr, "relucert suite: %v\n", err)
		return exitUsage
	}
	if opt.Timeout == 0 {
		opt.Timeout = suiteTimeBudget
	}
	opt.Deadline = time.Time{} // the time budget is per case (runEntries)
	dir := ""
	if len(pos) == 1 {
		dir = pos[0]
	}
	entries, names, err := suiteEntries(dir)
	if err != nil {
		fmt.Fprintf(stderr, "relucert suite: %v\n", err)
		return exitUsage
	}
	if *certDir != "" {
		if err := os.MkdirAll(*certDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "relucert suite: --cert: %v\n", err)
			return exitUsage
		}
	}
	shard, sharded, shardNote, err := chooseShard(*shardStr)
	if err != nil {
		fmt.Fprintf(stderr, "relucert suite: %v\n", err)
		return exitUsage
	}
	if sharded {
		if *outPath == "" || *junit != "" || *jsonOut {
			fmt.Fprintf(stderr, "relucert suite: shard %s: a shard's result is a partial file for relucert merge: give -o PART.json (and no --json or --junit: merge makes those)\n", shard)
			return exitUsage
		}
		if shardNote != "" {
			fmt.Fprintf(stderr, "relucert suite: %s\n", shardNote)
		}
		return runSuiteShard(dir, names, entries, shard, bf, opt, *certDir, *outPath, stdout, stderr)
	}
	if *outPath != "" {
		fmt.Fprintln(stderr, "relucert suite: -o writes a shard's partial result: give --shard I/N too (or --json for the whole suite)")
		return exitUsage
	}
	res := runEntries(entries, opt, bf.lim, newSuiteProgress(stderr, len(entries)), *certDir)
	res.Dir = dir
	if *junit != "" {
		if err := writeJUnitFile(*junit, res); err != nil {
			fmt.Fprintf(stderr, "relucert suite: %v\n", err)
			return exitUsage
		}
	}
	passed, failed := res.counts()
	last := fmt.Sprintf("%d passed, %d failed", passed, failed)
	if *jsonOut {
		writeJSON(stdout, toSuiteJSON(res))
		fmt.Fprintln(stderr, last)
	} else {
		writeSuiteTable(stdout, res)
		writeSuiteSummary(stdout, res)
		fmt.Fprintln(stdout, last)
	}
	return res.exitCode()
}

// exitCode is suite's exit status, check's rule over the cases: 1 when
// some case failed with a decided verdict or a failed re-check (or was
// rejected), else 3 when some case failed with an undetermined verdict (no
// verdict reached), else 0.
func (r *suiteResult) exitCode() int {
	code := exitOK
	for _, c := range r.Cases {
		if c.Passed() {
			continue
		}
		if ch := c.Check; ch == nil || ch.Code != exitUndetermined {
			return exitDisagree
		}
		code = exitUndetermined
	}
	return code
}

// suiteEntries lists the case files of dir, or of the embedded catalogue
// when dir is "", each as a function that reads it: a directory's files
// are read (streaming, within lim) and checked one at a time. names are the
// files' paths ("catalogue/NAME.json" for the catalogue). The error is
// for a missing or unreadable directory, or one without *.json files.
func suiteEntries(dir string) (out []func(cases.Limits) cases.Entry, names []string, err error) {
	if dir == "" {
		for _, e := range cases.CatalogueEntries() {
			out = append(out, func(cases.Limits) cases.Entry { return e })
			names = append(names, e.File)
		}
		return out, names, nil
	}
	files, err := cases.Files(dir)
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("%s: no *.json case files", dir)
	}
	for _, f := range files {
		out = append(out, func(lim cases.Limits) cases.Entry {
			e := cases.LoadEntry(f, lim)
			fitMemoryLimit()
			return e
		})
	}
	return out, files, nil
}

// suiteTimeBudget is suite's time budget per case when --budget sets none:
// reading the file, the exact path and the re-check of its certificate
// (the float64 path has floatTimeout of its own).
const suiteTimeBudget = 60 * time.Second

// runEntries reads and runs every entry in order, each within the time
// budget opt.Timeout (a deadline per case), reporting each to prog; only
// the outcome of a case is kept, not its numbers.
func runEntries(entries []func(cases.Limits) cases.Entry, opt verify.Options, lim cases.Limits, prog *suiteProgress, certDir string) *suiteResult {
	start := time.Now()
	res := &suiteResult{}
	for _, load := range entries {
		caseOpt := opt
		if opt.Timeout > 0 {
			caseOpt.Deadline = time.Now().Add(opt.Timeout)
			lim.Deadline = caseOpt.Deadline
		}
		s := runSuiteCase(load(lim), caseOpt, certDir)
		s.release()
		res.Cases = append(res.Cases, s)
		prog.add()
	}
	prog.done()
	res.Elapsed = time.Since(start)
	return res
}

// release drops the point and the numbers of the case, which the reports
// do not read, so that a suite holds one case's numbers at a time.
func (s *suiteCase) release() {
	if r := s.Check; r != nil {
		r.Point = nil
		c := r.Case
		r.Case = &cases.Case{Name: c.Name, Source: c.Source, File: c.File, Expect: c.Expect, FloatMustAgree: c.FloatMustAgree}
	}
}

// runSuiteCase runs the exact and the float64 path on one entry and
// decides whether it passed.
// With certDir set, the certificate file of the exact verdict is written to
// certDir/NAME.cert.json (NAME the case file's name without .json).
func runSuiteCase(e cases.Entry, opt verify.Options, certDir string) *suiteCase {
	s := &suiteCase{File: e.File, ExpectsError: e.ExpectsError, Rejected: e.Err}
	s.Name = strings.TrimSuffix(filepath.Base(e.File), ".json")
	if isBudget(e.Err) {
		s.Rejected = nil
		s.Failures = append(s.Failures, "no verdict reached (undetermined): "+readBudgetReason(opt, e.Err))
		return s
	}
	c := e.Case
	var p *verify.Point
	if c != nil {
		s.Name, s.Source, s.FloatMustAgree = c.Name, c.Source, c.FloatMustAgree
		s.ExpectedDisagreement = expectsFloatDisagreement(c)
		// A point verify rejects (verify.Point.Validate) is bad input, as
		// for check.
		p = c.Point()
		if err := p.Validate(); err != nil {
			s.Rejected = &cases.Error{File: c.File, Err: err}
		}
	}
	if s.Rejected != nil {
		if !s.ExpectsError {
			s.Failures = append(s.Failures, "rejected: "+s.Rejected.Error())
		}
		return s
	}
	if s.ExpectsError {
		s.Failures = append(s.Failures, "the file expects to be rejected, but it was accepted")
	}

	t0 := time.Now()
	v, err := callCheck(p, opt)
	s.ExactTime = time.Since(t0)
	// The re-check and the float64 path read a fresh copy, made only now
	// that Check's (and its engine) can be collected.
	if !pastDeadline(opt.Deadline) {
		p = c.Point()
	}
	if err != nil {
		s.ExactErr = err
		s.Failures = append(s.Failures, "exact path: "+err.Error())
	} else {
		r := &checkResult{Case: c, Point: p, V: v}
		t1 := time.Now()
		r.RecheckErr, r.RecheckNote = recheckWithin(p, v, opt.Deadline)
		s.RecheckTime = time.Since(t1)
		if certDir != "" {
			path := filepath.Join(certDir, strings.TrimSuffix(filepath.Base(e.File), ".json")+".cert.json")
			if err := saveCertificate(path, c, v); err != nil {
				s.Failures = append(s.Failures, "--cert: "+err.Error())
			} else {
				r.CertFile = path
			}
		}
		r.decide()
		s.Check = r
		if !s.ExpectsError { // already reported above
			s.Failures = append(s.Failures, r.Disagreements...)
		}
		if r.RecheckErr != nil {
			s.Failures = append(s.Failures, "recheck failed: "+r.RecheckErr.Error())
		}
		if r.NoVerdict {
			s.Failures = append(s.Failures, "no verdict reached (undetermined): "+v.Reason)
		}
	}

	t2 := time.Now()
	s.Float, s.FloatErr = callNumericTimeout(p, floatTimeout)
	s.FloatTime = time.Since(t2)
	if s.Check != nil {
		s.FloatDiffs = compareFloat(s.Check.V, s.Float, s.FloatErr)
		s.Agree = s.Float != nil && s.Float.Kind == v.Kind && slices.Equal(s.Float.Escape, v.Escape)
		s.FloatLimited = !s.Agree && numeric.Limited(s.Float)
		if s.FloatMustAgree && !s.Agree && !s.FloatLimited {
			s.Failures = append(s.Failures, "float_must_agree: the float64 path disagrees: "+strings.Join(s.FloatDiffs, "; "))
		}
	}
	return s
}

// expectsFloatDisagreement reports whether the case says that the float64
// path is expected to get it wrong: its name starts with "float-" (the
// catalogue's convention) or its source says "expected float64
// disagreement".
func expectsFloatDisagreement(c *cases.Case) bool {
	return strings.HasPrefix(c.Name, "float-") ||
		strings.Contains(strings.ToLower(c.Source), "expected float64 disagreement")
}

// floatTimeout bounds the float64 path of one case. numeric.Check normally
// takes milliseconds, but gonum's simplex can cycle on degenerate LPs and
// never return; the suite then reports the float64 path as failed for that
// case and goes on (the abandoned goroutine runs until the process exits).
var floatTimeout = 30 * time.Second

// callNumericTimeout runs callNumeric, giving up after d.
func callNumericTimeout(p *verify.Point, d time.Duration) (*numeric.Result, error) {
	type outcome struct {
		r   *numeric.Result
		err error
	}
	ch := make(chan outcome, 1)
	check := numericCheck // read here: the goroutine may outlive the caller's view of the variable
	go func() {
		r, err := callNumeric(check, p)
		ch <- outcome{r, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case o := <-ch:
		return o.r, o.err
	case <-timer.C:
		return nil, fmt.Errorf("numeric.Check did not finish within %v (abandoned)", d)
	}
}

// numericCheck is the float64 path (numeric.Check); tests replace it.
var numericCheck = numeric.Check

// callNumeric calls check (numericCheck) and turns a panic into an error.
func callNumeric(check func(*verify.Point) (*numeric.Result, error), p *verify.Point) (r *numeric.Result, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			r, err = nil, fmt.Errorf("internal error in numeric.Check: %v", rec)
		}
	}()
	r, err = check(p)
	if err == nil && r == nil {
		err = fmt.Errorf("internal error: numeric.Check returned no result")
	}
	return r, err
}

// compareFloat lists the differences between the exact verdict v and the
// float64 result f (or the error that stopped it): verdict, escape set, and
// per neuron kind, |Z_j|, S1, S2 and escape.
func compareFloat(v *verify.Verdict, f *numeric.Result, ferr error) []string {
	if ferr != nil {
		return []string{"float64 path failed: " + ferr.Error()}
	}
	var out []string
	if f.Kind != v.Kind {
		out = append(out, fmt.Sprintf("verdict: exact %v, float64 %v", v.Kind, f.Kind))
	}
	if !slices.Equal(f.Escape, v.Escape) {
		out = append(out, fmt.Sprintf("escape neurons: exact %s, float64 %s", intList(v.Escape), intList(f.Escape)))
	}
	if len(f.Neurons) != len(v.Neurons) {
		return append(out, fmt.Sprintf("neurons: exact %d, float64 %d", len(v.Neurons), len(f.Neurons)))
	}
	for j, e := range v.Neurons {
		g := f.Neurons[j]
		var d []string
		if e.Kind != g.Kind {
			d = append(d, fmt.Sprintf("kind %v/%v", e.Kind, g.Kind))
		}
		if e.Boundary != g.Boundary {
			d = append(d, fmt.Sprintf("|Z| %d/%d", e.Boundary, g.Boundary))
		}
		if e.S1 != g.S1 {
			d = append(d, fmt.Sprintf("S1 %v/%v", e.S1, g.S1))
		}
		if e.S2 != g.S2 {
			d = append(d, fmt.Sprintf("S2 %v/%v", e.S2, g.S2))
		}
		if e.Escape != g.Escape {
			d = append(d, fmt.Sprintf("escape %v/%v", e.Escape, g.Escape))
		}
		if len(d) > 0 {
			out = append(out, fmt.Sprintf("neuron %d (exact/float64): %s", j, strings.Join(d, ", ")))
		}
	}
	return out
}

// ms formats a duration in milliseconds with one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// escapeCell formats an escape set for the table: "-" at a non-stationary
// point, "[]" when stationary without escape neurons.
func escapeCell(kind verify.VerdictKind, esc []int) string {
	if kind == verify.NotStationary {
		return "-"
	}
	return intList(esc)
}

// globalCell formats Theorem G's answer for the suite table: "yes" when
// L(θ) = L* (no network of any width does better), "no" when a network of
// width ≤ m does better, "no (w W > m)" when only the width-W network
// reaching L* is known to do better, "no (w ?)" when no better network was
// built (a budget), "budget" when the comparison was not made, "-" when it
// was not asked for.
func globalCell(g *recheck.GlobalProof, m int) string {
	switch {
	case g == nil:
		return "-"
	case g.IsGlobal:
		return "yes"
	case g.Width == recheck.WidthNotGlobal:
		return "no"
	case g.Witness != nil:
		return fmt.Sprintf("no (w %d > m)", len(g.Witness.Neurons))
	case g.U != nil || g.Optimum != nil:
		return "no (w ?)"
	}
	return "budget"
}

// row returns the table cells of a case: case, exact verdict, escape,
// global, float64 verdict, agree, expect, exact ms, float ms.
func (s *suiteCase) row() []string {
	expect := "ok"
	if !s.Passed() {
		expect = "FAIL"
	}
	switch {
	case s.Rejected != nil:
		return []string{s.Name, "rejected", "", "", "", "", expect, "", ""}
	case s.Check == nil:
		return []string{s.Name, "error", "", "", "", "", expect, ms(s.ExactTime), ""}
	}
	v := s.Check.V
	if s.Check.Case.Expect == nil && s.Passed() {
		expect = "- (none)"
	}
	float, agree := "error", "NO"
	if s.FloatErr != nil && strings.Contains(s.FloatErr.Error(), "did not finish") {
		float = "timeout"
	}
	if s.Float != nil {
		float = s.Float.Kind.String()
		if !slices.Equal(s.Float.Escape, v.Escape) {
			float += " " + escapeCell(s.Float.Kind, s.Float.Escape)
		}
	}
	switch {
	case s.Agree:
		agree = "yes"
	case s.FloatLimited:
		agree = "limit (float64)"
	case s.FloatMustAgree:
		agree = "NO (must agree)"
	case s.ExpectedDisagreement:
		agree = "no (expected)"
	}
	return []string{s.Name, v.Kind.String(), escapeCell(v.Kind, v.Escape), globalCell(v.Cert.Global, len(v.Neurons)), float, agree, expect,
		ms(s.ExactTime + s.RecheckTime), ms(s.FloatTime)}
}

// suiteColumns are the table's headings; numeric columns are right-aligned.
var suiteColumns = []struct {
	head  string
	right bool
}{
	{"case", false}, {"exact", false}, {"escape", false}, {"global", false}, {"float64", false},
	{"agree", false}, {"expect", false}, {"exact ms", true}, {"float ms", true},
}

// writeSuiteTable prints the aligned table of a suite run.
func writeSuiteTable(w io.Writer, r *suiteResult) {
	rows := [][]string{make([]string, len(suiteColumns))}
	for i, c := range suiteColumns {
		rows[0][i] = c.head
	}
	for _, c := range r.Cases {
		rows = append(rows, c.row())
	}
	width := make([]int, len(suiteColumns))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i > 0 {
				b.WriteString("  ")
			}
			if suiteColumns[i].right {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// writeSuiteSummary prints the lines between the table and the last line:
// the failures with their reasons, and the float64 disagreements, each
// marked expected (the case says so) or not.
func writeSuiteSummary(w io.Writer, r *suiteResult) {
	fmt.Fprintln(w)
	src := "the embedded catalogue"
	if r.Dir != "" {
		src = r.Dir
	}
	fmt.Fprintf(w, "%d case files from %s in %.2fs; exact = verify.Check + verify.Recheck, float64 = numeric.Check (tolerance %g)\n",
		len(r.Cases), src, r.Elapsed.Seconds(), numeric.Eps)
	fmt.Fprintln(w, "global: yes = L(θ) = L*, the least loss of any width; no = a network of width ≤ m does better; no (w W > m) = a width-W network reaches L* < L(θ)")
	var expected, unexpected, agreed, limited []string
	compared := 0
	for _, c := range r.Cases {
		if c.Check == nil {
			continue
		}
		compared++
		if c.FloatLimited {
			limited = append(limited, c.Name)
			continue
		}
		if c.Agree {
			if c.ExpectedDisagreement {
				agreed = append(agreed, c.Name)
			}
			continue
		}
		if c.ExpectedDisagreement {
			expected = append(expected, c.Name)
		} else {
			unexpected = append(unexpected, c.Name)
		}
	}
	fmt.Fprintf(w, "float64 disagrees with exact on %d of %d cases", len(expected)+len(unexpected), compared)
	switch {
	case len(expected)+len(unexpected) == 0:
		fmt.Fprintln(w)
	default:
		fmt.Fprintln(w, ":")
	}
	if len(expected) > 0 {
		fmt.Fprintf(w, "  expected (the case says so): %s\n", strings.Join(expected, ", "))
	}
	if len(unexpected) > 0 {
		fmt.Fprintf(w, "  NOT expected: %s\n", strings.Join(unexpected, ", "))
		for _, c := range r.Cases {
			if c.Check != nil && !c.Agree && !c.ExpectedDisagreement && !c.FloatLimited {
				fmt.Fprintf(w, "    %s: %s\n", c.Name, strings.Join(c.FloatDiffs, "; "))
			}
		}
	}
	if len(agreed) > 0 {
		fmt.Fprintf(w, "  expected to disagree, but float64 agrees: %s\n", strings.Join(agreed, ", "))
	}
	if len(limited) > 0 {
		fmt.Fprintf(w, "float64 cannot decide %d case(s) (undetermined, float64: …; an expected limitation, not a disagreement): %s\n", len(limited), strings.Join(limited, ", "))
	}
	for _, c := range r.Cases {
		if !c.Passed() {
			fmt.Fprintf(w, "FAIL %s (%s): %s\n", c.Name, c.File, strings.Join(c.Failures, "; "))
		}
	}
}

// suiteProgress shows a progress bar on stderr once a suite has run for
// progressDelay, when stderr is a terminal; otherwise it does nothing.
type suiteProgress struct {
	mu    sync.Mutex
	w     io.Writer
	total int
	n     int
	bar   *progressbar.ProgressBar
	timer *time.Timer
	over  bool
}

// newSuiteProgress returns the progress reporter of a suite of total cases
// writing to stderr.
func newSuiteProgress(stderr io.Writer, total int) *suiteProgress {
	p := &suiteProgress{w: stderr, total: total}
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return p
	}
	p.timer = time.AfterFunc(progressDelay, p.show)
	return p
}

// show creates the bar at the current count.
func (p *suiteProgress) show() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.over || p.bar != nil {
		return
	}
	p.bar = progressbar.NewOptions(p.total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("suite"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	_ = p.bar.Set(p.n)
}

// add counts one finished case.
func (p *suiteProgress) add() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.bar != nil {
		_ = p.bar.Set(p.n)
	}
}

// done stops the timer and clears the bar.
func (p *suiteProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.over = true
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}

// The JSON output of "relucert suite --json": one object holding one
// object per case and the totals. Exact numbers are strings as in check
// --json; float64 numbers are JSON numbers (null when not finite).

// jsonSuite is the document suite --json prints.
type jsonSuite struct {
	// Dir is the directory run, "" for the embedded catalogue.
	Dir    string          `json:"dir"`
	Cases  []jsonSuiteCase `json:"cases"`
	Totals jsonSuiteTotals `json:"totals"`
}

// jsonSuiteTotals are the counts of a suite run.
type jsonSuiteTotals struct {
	Cases  int `json:"cases"`
	Passed int `json:"passed"`
	Failed int `json:"failed"`
	// FloatDisagreements counts the accepted cases on which the float64
	// verdict or escape set differs from the exact one; Expected… those
	// the case says it expects, Unexpected… the others.
	FloatDisagreements           int `json:"float_disagreements"`
	ExpectedFloatDisagreements   int `json:"expected_float_disagreements"`
	UnexpectedFloatDisagreements int `json:"unexpected_float_disagreements"`
	// FloatLimited counts the cases float64 said it cannot decide.
	FloatLimited int     `json:"float_limited"`
	ElapsedMS    float64 `json:"elapsed_ms"`
}

// jsonSuiteCase is one case of a suite run.
type jsonSuiteCase struct {
	File string `json:"file"`
	Name string `json:"name"`
	// ExpectError is the file's expect.error; Rejected the reason it was
	// rejected (null when accepted).
	ExpectError bool    `json:"expect_error"`
	Rejected    *string `json:"rejected"`
	// Exact and Float are the two paths' results (null when not run or
	// failed; FloatError says why the float64 path failed).
	Exact      *jsonSuiteExact `json:"exact"`
	ExactError *string         `json:"exact_error"`
	Float      *jsonSuiteFloat `json:"float"`
	FloatError *string         `json:"float_error"`
	// Agree: the float64 verdict and escape set equal the exact ones.
	Agree bool `json:"agree"`
	// FloatLimited: the float64 path said it cannot decide the case
	// (undetermined, "float64: …"), an expected limitation.
	FloatLimited bool `json:"float_limited"`
	// FloatDifferences lists every difference, per neuron too.
	FloatDifferences          []string    `json:"float_differences"`
	FloatMustAgree            bool        `json:"float_must_agree"`
	ExpectedFloatDisagreement bool        `json:"expected_float_disagreement"`
	Expect                    *jsonExpect `json:"expect"`
	// Agrees: the exact verdict and escape set meet expect (true when
	// there is no expect block).
	Agrees    bool     `json:"agrees"`
	Passed    bool     `json:"passed"`
	Failures  []string `json:"failures"`
	ExactMS   float64  `json:"exact_ms"`
	RecheckMS float64  `json:"recheck_ms"`
	FloatMS   float64  `json:"float_ms"`
}

// jsonSuiteExact is the exact path's result in a suite.
type jsonSuiteExact struct {
	Verdict       string `json:"verdict"`
	Stationary    bool   `json:"stationary"`
	EscapeNeurons []int  `json:"escape_neurons"`
	Loss          string `json:"loss"`
	Reason        string `json:"reason"`
	// Recheck is "ok" or the error of verify.Recheck.
	Recheck string `json:"recheck"`
	// Global is Theorem G's comparison, as in check --json (null when not
	// made).
	Global *jsonGlobal `json:"global"`
}

// jsonSuiteFloat is the float64 path's result in a suite.
type jsonSuiteFloat struct {
	Verdict       string   `json:"verdict"`
	Stationary    bool     `json:"stationary"`
	EscapeNeurons []int    `json:"escape_neurons"`
	LossApprox    *float64 `json:"loss_approx"`
	Reason        string   `json:"reason"`
}

// msf converts a duration to milliseconds.
func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// errString returns a pointer to err's text, nil for nil.
func errString(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}

// toSuiteJSON converts a suite run to its JSON form.
func toSuiteJSON(r *suiteResult) *jsonSuite {
	out := &jsonSuite{Dir: r.Dir, Cases: []jsonSuiteCase{}}
	for _, c := range r.Cases {
		jc := jsonSuiteCase{
			File: c.File, Name: c.Name, ExpectError: c.ExpectsError,
			Rejected: errString(c.Rejected), ExactError: errString(c.ExactErr), FloatError: errString(c.FloatErr),
			Agree: c.Agree, FloatLimited: c.FloatLimited, FloatDifferences: append([]string{}, c.FloatDiffs...),
			FloatMustAgree: c.FloatMustAgree, ExpectedFloatDisagreement: c.ExpectedDisagreement,
			Passed: c.Passed(), Failures: append([]string{}, c.Failures...),
			ExactMS: msf(c.ExactTime), RecheckMS: msf(c.RecheckTime), FloatMS: msf(c.FloatTime),
		}
		if ch := c.Check; ch != nil {
			v := ch.V
			jc.Exact = &jsonSuiteExact{
				Verdict: v.Kind.String(), Stationary: v.Stationary, EscapeNeurons: jsonInts(v.Escape),
				Loss: jsonRat(v.Loss), Reason: v.Reason, Recheck: "ok", Global: toJSONGlobal(v.Cert.Global),
			}
			if ch.RecheckErr != nil {
				jc.Exact.Recheck = ch.RecheckErr.Error()
			}
			jc.Agrees = ch.Agrees()
			if e := ch.Case.Expect; e != nil {
				je := &jsonExpect{EscapeNeurons: e.Escape, Error: e.Error}
				if e.Verdict != nil {
					s := e.Verdict.String()
					je.Verdict = &s
				}
				jc.Expect = je
			}
		}
		if f := c.Float; f != nil {
			jf := &jsonSuiteFloat{Verdict: f.Kind.String(), Stationary: f.Stationary, EscapeNeurons: jsonInts(f.Escape), Reason: f.Reason}
			if !math.IsInf(f.Loss, 0) && !math.IsNaN(f.Loss) {
				l := f.Loss
				jf.LossApprox = &l
			}
			jc.Float = jf
		}
		out.Cases = append(out.Cases, jc)
	}
	out.Totals = suiteTotals(out.Cases)
	out.Totals.ElapsedMS = msf(r.Elapsed)
	return out
}

// suiteTotals counts the cases of a suite run (ElapsedMS is left 0).
func suiteTotals(cs []jsonSuiteCase) jsonSuiteTotals {
	var t jsonSuiteTotals
	for _, c := range cs {
		t.Cases++
		if c.Passed {
			t.Passed++
		} else {
			t.Failed++
		}
		if c.Exact != nil && c.FloatLimited {
			t.FloatLimited++
		}
		if c.Exact != nil && !c.Agree && !c.FloatLimited {
			t.FloatDisagreements++
			if c.ExpectedFloatDisagreement {
				t.ExpectedFloatDisagreements++
			} else {
				t.UnexpectedFloatDisagreements++
			}
		}
	}
	return t
}
