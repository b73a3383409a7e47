package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/relucert/relucert/numeric"
	"github.com/relucert/relucert/verify"
)

// "relucert bench --physical" (issue 15) measures the exact check against
// the least any method must do: one float64 forward + gradient pass over the
// same instance (numeric.Dense.LossGradient, plain loops on one core). Each
// row of the grid runs in a child process ("bench --row", the same binary),
// so that its CPU time and peak memory are its own and a float64 path that
// does not finish is stopped with the child. The yardstick, Check and
// Recheck are each timed by the same rule (leastOf: the least CPU time of
// at least 3 runs and 1 s, at most 10 s or 20 runs), and the first, cold
// run of Check and Recheck is reported beside it.

// The grid of issue 15, and the large row.
var (
	physicalN = []int{1000, 10000, 100000}
	physicalD = []int{4, 16, 64, 256}
	physicalM = []int{16, 256, 2048}
	physicalK = []int{1, 4}
	// physicalBig is n = 10⁶, d = 16, m = 64, k = 1: checked in ≤ 60 s.
	physicalBig = [4]int{1000000, 16, 64, 1}
	// physicalIssue are the seven rows (n, d, m, k) of issue 15's first
	// table, --rows issue15.
	physicalIssue = [][4]int{{10000, 16, 256, 1}, {100000, 4, 2048, 1}, {10000, 64, 16, 1}, {10000, 256, 16, 1},
		{1000, 256, 16, 1}, {10000, 64, 2048, 1}, {100000, 16, 256, 4}}
)

// parseRows parses --rows: comma-separated N:D:M:K, or "issue15" for the
// rows of physicalIssue.
func parseRows(s string) ([][4]int, error) {
	var rows [][4]int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "issue15" {
			rows = append(rows, physicalIssue...)
			continue
		}
		parts := strings.Split(f, ":")
		if len(parts) != 4 {
			return nil, fmt.Errorf("--rows: %q is not N:D:M:K", f)
		}
		var r [4]int
		for i, x := range parts {
			v, err := strconv.Atoi(x)
			if err != nil || v < 1 {
				return nil, fmt.Errorf("--rows: %q: %q is not a positive integer", f, x)
			}
			r[i] = v
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// perturbTrials is the number of random perturbations of the authors'
// confirmation method whose cost a row estimates.
const perturbTrials = 5000

// perturbSampleN is the number of samples the perturbation estimate is
// measured on (the loss of numeric.Perturb is a sum over the samples, so its
// cost is linear in n and is scaled up).
const perturbSampleN = 2000

// sizeList is a flag holding a comma-separated list of positive integers.
type sizeList []int

func (l *sizeList) String() string {
	s := make([]string, len(*l))
	for i, v := range *l {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (l *sizeList) Set(s string) error {
	v, err := parseSizes(s)
	if err != nil {
		return err
	}
	if len(v) == 0 {
		return fmt.Errorf("empty list")
	}
	*l = v
	return nil
}

// physicalRow is one row of "relucert bench --physical": the JSON object of
// --json. Times are CPU seconds of this process (user + system, all
// threads), so a stage that uses both cores counts both.
type physicalRow struct {
	benchInstance
	// Float64MiB is the size of the instance's numbers in float64.
	Float64MiB float64 `json:"float64_mib"`
	// FwdGradS is one float64 forward + gradient pass (the least CPU time
	// of repeated runs, leastOf).
	FwdGradS float64 `json:"fwdgrad_s"`
	// CheckS and RecheckS are verify.Check and verify.Recheck, each the
	// least CPU time of repeated runs under the same rule as FwdGradS
	// (leastOf), so that the ratios compare like with like; the _wall
	// fields are the wall-clock times of those runs. CheckFirstS and
	// RecheckFirstS are the first (cold) run of each, and CheckRuns and
	// RecheckRuns how many runs there were.
	CheckS        float64 `json:"check_s"`
	CheckWallS    float64 `json:"check_wall_s"`
	CheckFirstS   float64 `json:"check_first_s"`
	CheckRuns     int     `json:"check_runs"`
	RecheckS      float64 `json:"recheck_s"`
	RecheckWall   float64 `json:"recheck_wall_s"`
	RecheckFirstS float64 `json:"recheck_first_s"`
	RecheckRuns   int     `json:"recheck_runs"`
	// FloatS is numeric.Check (the float64 path); with FloatTimeout it is
	// the CPU time spent until it was given up.
	FloatS       float64 `json:"float_s"`
	FloatTimeout bool    `json:"float_timeout,omitempty"`
	// PerturbS estimates 5000 random perturbations (numeric.Perturb, one
	// float64 loss each): runs of t and 3t trials on the first
	// perturbSampleN samples give the cost per trial and the fixed cost,
	// scaled to n.
	PerturbS float64 `json:"perturb_s"`
	// Ratios to FwdGradS, and Recheck / Check.
	CheckRatio   float64 `json:"check_ratio"`
	RecheckRatio float64 `json:"recheck_ratio"`
	FloatRatio   float64 `json:"float_ratio"`
	PerturbRatio float64 `json:"perturb_ratio"`
	RecheckCheck float64 `json:"recheck_over_check"`
	// PeakMiB is the peak resident memory of the process while Check runs,
	// with the instance resident: the generator's scratch and the float64
	// baseline's copy are collected and returned to the system first, and
	// the high-water mark is reset (checkPeak). PeakSource says how it was
	// read ("vmhwm" or, where the reset is not possible, "maxrss": the
	// process's peak so far, which also counts the generator's scratch).
	// LimitMiB is issue 15's bound, 4 × Float64MiB + 100.
	PeakMiB      float64 `json:"peak_mib"`
	PeakSource   string  `json:"peak_source"`
	LimitMiB     float64 `json:"limit_mib"`
	Verdict      string  `json:"verdict"`
	FloatVerdict string  `json:"float_verdict"`
	Expected     string  `json:"expected"`
	Recheck      string  `json:"recheck"`
	// Error is set when the row could not be measured (the child failed).
	Error string `json:"error,omitempty"`
}

// cpuSeconds returns the CPU time (user + system) of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// maxRSSMiB returns the peak resident set of this process so far.
func maxRSSMiB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

// checkPeak runs f with the instance resident and returns the peak
// resident set size (MiB) reached while it ran, and how it was read:
// "vmhwm" when the kernel's high-water mark could be reset before f
// (Linux: writing 5 to /proc/self/clear_refs sets VmHWM to the current
// RSS, after everything collectable has been returned with
// debug.FreeOSMemory), else "maxrss", the process's peak so far.
func checkPeak(f func()) (float64, string) {
	debug.FreeOSMemory()
	if os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil {
		f()
		if kb, ok := statusKB("VmHWM"); ok {
			return float64(kb) / 1024, "vmhwm"
		}
	} else {
		f()
	}
	return maxRSSMiB(), "maxrss"
}

// statusKB returns the field name (in kB) of /proc/self/status.
func statusKB(name string) (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}

// timed runs f after a garbage collection and returns its CPU and wall
// seconds.
func timed(f func()) (cpu, wall float64) {
	runtime.GC()
	c0, t0 := cpuSeconds(), time.Now()
	f()
	return cpuSeconds() - c0, time.Since(t0).Seconds()
}

// leastOf times f repeatedly and returns the least CPU seconds of a run
// with that run's wall seconds, the first run's CPU seconds and the number
// of runs. It runs f at least 3 times and for at least 1 s of CPU, but no
// more runs once 10 s are spent (one pass of the largest rows takes a
// minute) and never more than 20. Every measured time of bench --physical
// (the yardstick, Check, Recheck) is taken this way, so that a ratio
// compares least with least. first, when not nil, makes and times the
// first run in place of timed(f) (Check's first run is the one whose memory
// is measured, and its set-up is not timed).
func leastOf(f func(), first func() (cpu, wall float64)) (cpu, wall, cold float64, runs int) {
	next := func() (float64, float64) { return timed(f) }
	if first == nil {
		first = next
	}
	return leastOfTimes(first, next)
}

// leastOfTimes is leastOf's rule over the measured runs: first times the
// first run, next each later one.
func leastOfTimes(first, next func() (cpu, wall float64)) (cpu, wall, cold float64, runs int) {
	total := 0.0
	for runs = 0; runs < 20 && (total < 1 || runs < 3 && total < 10); runs++ {
		var c, w float64
		if runs == 0 {
			c, w = first()
			cold = c
		} else {
			c, w = next()
		}
		total += c
		if runs == 0 || c < cpu {
			cpu, wall = c, w
		}
	}
	return cpu, wall, cold, runs
}

// measureRow measures one instance in this process (bench --row).
func measureRow(cfg verify.GenConfig, floatTimeout time.Duration) (physicalRow, error) {
	row := physicalRow{benchInstance: instanceOf(cfg)}
	p, exp, err := verify.Generate(cfg)
	if err != nil {
		return row, err
	}
	row.Expected = exp.Verdict.String()

	// The yardstick: a float64 forward + gradient pass, least of a few runs.
	q, err := numeric.NewDense(p)
	if err != nil {
		return row, err
	}
	row.Float64MiB = float64(q.Bytes()) / (1 << 20)
	row.LimitMiB = 4*row.Float64MiB + 100
	gw, ga := make([]float64, q.M*q.D), make([]float64, q.M*q.K)
	var gb []float64
	if q.B != nil {
		gb = make([]float64, q.K)
	}
	row.FwdGradS, _, _, _ = leastOf(func() { q.LossGradient(gw, ga, gb) }, nil)
	q, gw, ga = nil, nil, nil

	// Check: the first run under checkPeak (its memory is the row's peak;
	// its verdict is the row's), the others only timed. A later run whose
	// verdict differs from the first is reported as an error.
	var v *verify.Verdict
	var again error
	check := func() {
		w, err := verify.Check(p, verify.Options{})
		switch {
		case err != nil:
			again = fmt.Errorf("verify.Check, a repeated run: %v", err)
		case w.Kind != v.Kind || !slices.Equal(w.Escape, v.Escape):
			again = fmt.Errorf("verify.Check, a repeated run: verdict %v %v, first run %v %v", w.Kind, w.Escape, v.Kind, v.Escape)
		}
	}
	first := func() (cpu, wall float64) {
		row.PeakMiB, row.PeakSource = checkPeak(func() {
			cpu, wall = timed(func() { v, err = verify.Check(p, verify.Options{}) })
		})
		return cpu, wall
	}
	row.CheckS, row.CheckWallS, row.CheckFirstS, row.CheckRuns = leastOf(func() {
		if err == nil && again == nil {
			check()
		}
	}, first)
	if err != nil {
		return row, fmt.Errorf("verify.Check: %v", err)
	}
	if again != nil {
		return row, again
	}
	row.Verdict = v.Kind.String()
	if !slices.Equal(v.Escape, exp.Escape) {
		row.Verdict += fmt.Sprintf(" (escape %v, planted %v)", v.Escape, exp.Escape)
	}
	var rerr error
	row.RecheckS, row.RecheckWall, row.RecheckFirstS, row.RecheckRuns = leastOf(func() {
		if e := verify.Recheck(p, v); e != nil && rerr == nil {
			rerr = e
		}
	}, nil)
	row.Recheck = "ok"
	if rerr != nil {
		row.Recheck = rerr.Error()
	}
	v = nil

	// The perturbation baseline: trials on the first perturbSampleN samples.
	sub := p
	if p.N() > perturbSampleN {
		sub = &verify.Point{Act: p.Act, X: p.X.Slice(0, perturbSampleN), Y: p.Y.Slice(0, perturbSampleN), Neurons: p.Neurons, OutputBias: p.OutputBias}
	}
	// Two runs with t and 3t trials: their difference is 2t trials without
	// the fixed cost (conversion to float64, the loss at θ).
	one, _ := timed(func() { numeric.Perturb(sub, 1, 1e-2, 1) })
	t := 1
	if one > 0 {
		t = max(1, min(perturbTrials, int(0.1/one)))
	}
	c1, _ := timed(func() { numeric.Perturb(sub, t, 1e-2, 1) })
	c3, _ := timed(func() { numeric.Perturb(sub, 3*t, 1e-2, 1) })
	per := max(c3-c1, 0) / float64(2*t)
	fixed := max(c1-float64(t)*per, 0)
	row.PerturbS = (fixed + float64(perturbTrials)*per) * float64(p.N()) / float64(sub.N())

	// The float64 path last: when it does not finish in time, the child
	// exits with it still running. A timeout of 0 skips it.
	row.ratios()
	if floatTimeout <= 0 {
		row.FloatVerdict = "skipped"
		return row, nil
	}
	type out struct {
		r   *numeric.Result
		err error
	}
	ch := make(chan out, 1)
	runtime.GC()
	c0 := cpuSeconds()
	go func() {
		r, err := numeric.Check(p)
		ch <- out{r, err}
	}()
	select {
	case f := <-ch:
		row.FloatS = cpuSeconds() - c0
		if f.err != nil {
			row.FloatVerdict = "error: " + f.err.Error()
		} else {
			row.FloatVerdict = f.r.Kind.String()
		}
	case <-time.After(floatTimeout):
		row.FloatS = cpuSeconds() - c0
		row.FloatTimeout = true
		row.FloatVerdict = "timeout"
	}
	row.ratios()
	return row, nil
}

// ratios fills the ratio fields from the times.
func (r *physicalRow) ratios() {
	if r.FwdGradS > 0 {
		r.CheckRatio = r.CheckS / r.FwdGradS
		r.RecheckRatio = r.RecheckS / r.FwdGradS
		r.FloatRatio = r.FloatS / r.FwdGradS
		r.PerturbRatio = r.PerturbS / r.FwdGradS
	}
	if r.CheckS > 0 {
		r.RecheckCheck = r.RecheckS / r.CheckS
	}
}

// childEnv marks a child process of bench --physical when the executable is
// a test binary (whose TestMain then runs the command).
const childEnv = "RELUCERT_RUN=1"

// runChildRow runs "bench --row" for cfg in a child process of this
// executable and returns its row.
func runChildRow(cfg verify.GenConfig, floatTimeout time.Duration) physicalRow {
	row := physicalRow{benchInstance: instanceOf(cfg)}
	exe, err := os.Executable()
	if err != nil {
		row.Error = err.Error()
		return row
	}
	cmd := exec.Command(exe, "bench", "--row", "--json",
		"--sizes", strconv.Itoa(cfg.N), "--d", strconv.Itoa(cfg.D), "--m", strconv.Itoa(cfg.M), "--k", strconv.Itoa(cfg.K),
		"--boundary", strconv.Itoa(cfg.Boundary), "--act", cfg.Act.String(), "--kind", cfg.Kind.String(),
		"--seed", strconv.FormatUint(cfg.Seed, 10), "--float-timeout", floatTimeout.String())
	cmd.Env = append(os.Environ(), childEnv)
	if os.Getenv("GOMEMLIMIT") == "" {
		// No soft memory limit in the child: a heap above the command's
		// default limit would make the collector run all the time and
		// distort the CPU times; the row reports the peak it reaches.
		cmd.Env = append(cmd.Env, "GOMEMLIMIT=off")
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil && out.Len() == 0 {
		row.Error = strings.TrimSpace(fmt.Sprintf("%v: %s", err, errb.String()))
		return row
	}
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &row); err != nil {
		row.Error = fmt.Sprintf("child output %q: %v", out.String(), err)
	}
	return row
}

// physicalConfigs returns the rows of bench --physical: the given rows when
// there are any, else the product of the lists; then the large row when big
// is set.
func physicalConfigs(base verify.GenConfig, rows [][4]int, ns, ds, ms, ks []int, big bool) []verify.GenConfig {
	var cfgs []verify.GenConfig
	add := func(n, d, m, k int) {
		c := base
		c.N, c.D, c.M, c.K = n, d, m, k
		c.Boundary = min(base.Boundary, n/2-1)
		cfgs = append(cfgs, c)
	}
	for _, r := range rows {
		add(r[0], r[1], r[2], r[3])
	}
	if len(rows) > 0 {
		ns = nil
	}
	for _, n := range ns {
		for _, d := range ds {
			for _, m := range ms {
				for _, k := range ks {
					add(n, d, m, k)
				}
			}
		}
	}
	if big {
		add(physicalBig[0], physicalBig[1], physicalBig[2], physicalBig[3])
	}
	return cfgs
}

// runPhysical runs every configuration in its own child process and prints
// the table (or one JSON object per row). Exit 0 when every verdict agrees
// with the planted one and every certificate re-checks, 1 otherwise.
func runPhysical(cfgs []verify.GenConfig, floatTimeout time.Duration, jsonOut bool, stdout, stderr io.Writer) int {
	var tw *tabwriter.Writer
	if !jsonOut {
		fmt.Fprintf(stdout, "relucert bench --physical: GOMAXPROCS = %d; fwdgrad_s = CPU seconds of one float64 forward + gradient pass (one core); the other columns are CPU seconds (all threads) as multiples of it; recheck/check = Recheck ÷ Check; perturb = 5000 random perturbations, estimated; peak = peak RSS during Check with the instance resident, limit = 4 × float64 size + 100 MiB\n", runtime.GOMAXPROCS(0))
		tw = tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "n\td\tm\tk\tfwdgrad_s\tcheck\trecheck\tfloat\tperturb\trecheck/check\tcheck_s\tpeak_mib\tlimit_mib\tverdict\texpected\trecheck\t")
	}
	code := exitOK
	for _, cfg := range cfgs {
		if !jsonOut {
			fmt.Fprintf(stderr, "relucert bench --physical: n=%d d=%d m=%d k=%d …\n", cfg.N, cfg.D, cfg.M, cfg.K)
		}
		row := runChildRow(cfg, floatTimeout)
		if row.Error != "" || row.Verdict != row.Expected || row.Recheck != "ok" {
			code = exitDisagree
		}
		if jsonOut {
			b, _ := marshalVersioned(row)
			fmt.Fprintln(stdout, string(b))
			continue
		}
		if row.Error != "" {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%d\terror: %s\t\t\t\t\t\t\t\t\t\t\t\t\n", row.N, row.D, row.M, row.K, row.Error)
			continue
		}
		fl := fmt.Sprintf("%.1f", row.FloatRatio)
		if row.FloatTimeout {
			fl = ">" + fl
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%.4f\t%.1f\t%.1f\t%s\t%.0f\t%.2f\t%.3f\t%.0f\t%.0f\t%s\t%s\t%s\t\n",
			row.N, row.D, row.M, row.K, row.FwdGradS, row.CheckRatio, row.RecheckRatio, fl, row.PerturbRatio,
			row.RecheckCheck, row.CheckS, row.PeakMiB, row.LimitMiB, row.Verdict, row.Expected, row.Recheck)
	}
	if tw != nil {
		tw.Flush()
	}
	return code
}
