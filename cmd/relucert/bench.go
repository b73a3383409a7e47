package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/relucert/relucert/numeric"
	"github.com/relucert/relucert/verify"
)

const benchSynopsis = "bench [--snap-corpus DIR [--max-grad G] [--points REGEX] [--global=false]] [--physical [--rows N:D:M:K,…|issue15] [--big=true]] [--json] [--sizes N,N,...] [--d D,...] [--m M,...] [--k K,...] [--boundary B] [--act relu] [--kind localmin] [--seed S] [--extra=true] [--recheck=true] [--float-timeout 5m]"

func init() {
	register("bench", command{
		usage:   benchSynopsis,
		summary: "time the exact and float64 paths on the same planted instances (and peak memory)",
		run:     runBench,
	})
}

// benchInstance names a planted instance (verify.GenConfig) in the JSON
// rows of "relucert bench" and "relucert bench --physical": the kind of
// point, n samples in dimension d, m neurons with k outputs, the number of
// boundary samples, the activation and the generator's seed. It leads both
// rows (embedded, so encoding/json writes its fields first, in this order).
type benchInstance struct {
	Kind     string `json:"kind"`
	N        int    `json:"n"`
	D        int    `json:"d"`
	M        int    `json:"m"`
	K        int    `json:"k"`
	Boundary int    `json:"boundary"`
	Act      string `json:"act"`
	Seed     uint64 `json:"seed"`
}

// instanceOf is the benchInstance of the configuration cfg.
func instanceOf(cfg verify.GenConfig) benchInstance {
	return benchInstance{Kind: cfg.Kind.String(), N: cfg.N, D: cfg.D, M: cfg.M, K: cfg.K, Boundary: cfg.Boundary,
		Act: cfg.Act.String(), Seed: cfg.Seed}
}

// benchRow is one instance of "relucert bench": the JSON object of --json.
type benchRow struct {
	benchInstance
	ExactS float64 `json:"exact_s"`
	FloatS float64 `json:"float_s"`
	// Ratio is exact_s / float_s (0 when the float64 path timed out).
	Ratio    float64 `json:"ratio"`
	RecheckS float64 `json:"recheck_s"`
	// PeakMiB is the largest Go heap in use (runtime/metrics heap objects +
	// unused heap spans, sampled every millisecond) during the exact Check
	// and Recheck of this instance, after a GC.
	PeakMiB      float64 `json:"peak_mib"`
	Verdict      string  `json:"verdict"`
	FloatVerdict string  `json:"float_verdict"`
	Expected     string  `json:"expected"`
	Recheck      string  `json:"recheck"`
	FloatTimeout bool    `json:"float_timeout,omitempty"`
}

// heapSampler records the peak of the Go heap in use while running.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak uint64
}

var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

func heapInUse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	var t uint64
	for _, x := range s {
		if x.Value.Kind() == metrics.KindUint64 {
			t += x.Value.Uint64()
		}
	}
	return t
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	s := make([]metrics.Sample, len(heapMetrics))
	for i, n := range heapMetrics {
		s[i].Name = n
	}
	h.peak = heapInUse(s)
	go func() {
		defer close(h.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				h.peak = max(h.peak, heapInUse(s))
				return
			case <-t.C:
				h.peak = max(h.peak, heapInUse(s))
			}
		}
	}()
	return h
}

func (h *heapSampler) finish() uint64 {
	close(h.stop)
	<-h.done
	return h.peak
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("--sizes: %q is not a positive integer", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// runBench implements "relucert bench": for each planted instance
// (verify.Generate, float-derived numbers) it times numeric.Check (float64)
// and verify.Check (exact) in this process, then verify.Recheck, and
// prints one table row (or one JSON object with --json) per instance.
// The default instances are the scaling series n ∈ --sizes at fixed
// --d, --m, --k (local minima with --boundary planted boundary inputs) and,
// with --extra, a saddle at n = 2000 and a zero-input neuron with n = 300,
// d = 3 (every sample on its hyperplane: (S2) by the cell method). Exit 0
// when every verdict agrees with the planted one and every certificate
// re-checks, 1 otherwise, 2 on bad usage.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench", benchSynopsis, stderr)
	jsonOut := fs.Bool("json", false, "one JSON object per instance")
	sizes := fs.String("sizes", "500,1000,2000,4000", "sample counts n of the scaling series")
	ds, ms, ks := sizeList{16}, sizeList{256}, sizeList{1}
	fs.Var(&ds, "d", "input dimensions of the scaling series (comma-separated)")
	fs.Var(&ms, "m", "widths of the scaling series (comma-separated)")
	fs.Var(&ks, "k", "output dimensions of the scaling series (comma-separated)")
	physical := fs.Bool("physical", false, "issue 15's grid: check, Recheck, the float64 path and 5000 perturbations as multiples of one float64 forward + gradient pass, each row in a child process (--sizes, --d, --m, --k default to n ∈ {10³,10⁴,10⁵}, d ∈ {4,16,64,256}, m ∈ {16,256,2048}, k ∈ {1,4})")
	rowList := fs.String("rows", "", "with --physical: these rows instead of the grid, comma-separated `N:D:M:K` (issue15: the seven rows of issue 15's table)")
	big := fs.Bool("big", true, "with --physical: also the row n = 10⁶, d = 16, m = 64, k = 1")
	row := fs.Bool("row", false, "measure the first configuration in this process and print its --physical row as JSON (what --physical runs in each child)")
	boundary := fs.Int("boundary", 64, "planted boundary inputs of the scaling series")
	act := fs.String("act", "relu", "activation: relu, abs, linear, leaky:ALPHA, pos:P,neg:N")
	kind := fs.String("kind", "localmin", "planted verdict of the scaling series")
	seed := fs.Uint64("seed", 1, "random seed")
	extra := fs.Bool("extra", true, "also run a saddle (n = 2000) and a zero-input neuron (n = 300, d = 3)")
	recheck := fs.Bool("recheck", true, "time verify.Recheck of each certificate")
	floatTimeout := fs.Duration("float-timeout", 5*time.Minute, "give up waiting for the float64 path after this long (its row says so); with --physical, 0 skips it")
	snapCorpus := fs.String("snap-corpus", "", "instead: snap every point of the trained-network corpus in `DIR` (its index.json; k ≥ 2 by the big-float layer) and print a row per point")
	maxGrad := fs.Float64("max-grad", 1e-4, "with --snap-corpus: only points whose float gradient norm (of L = (1/2n)Σ|r|², the index's grad_norm_half) is at most this")
	points := fs.String("points", "", "with --snap-corpus: only points whose name matches this regular expression")
	global := fs.Bool("global", true, "with --snap-corpus: Theorem G in Check (--global=false skips it, as snap --global=false)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if *snapCorpus != "" {
		if len(pos) != 0 {
			fmt.Fprintf(stderr, "relucert bench: unexpected arguments %v\n", pos)
			return exitUsage
		}
		return runSnapBench(*snapCorpus, *points, *maxGrad, *global, *jsonOut, stdout, stderr)
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "relucert bench: unexpected arguments %v\n", pos)
		return exitUsage
	}
	ns, err := parseSizes(*sizes)
	if err != nil {
		fmt.Fprintf(stderr, "relucert bench: %v\n", err)
		return exitUsage
	}
	a, err := parseActivation(*act)
	if err != nil {
		fmt.Fprintf(stderr, "relucert bench: %v\n", err)
		return exitUsage
	}
	gk, ok := verify.ParseGenKind(*kind)
	if !ok {
		fmt.Fprintf(stderr, "relucert bench: unknown --kind %q\n", *kind)
		return exitUsage
	}
	if err := checkSizeFlags("--sizes", ns, ds, ms, ks, *boundary); err != nil {
		fmt.Fprintf(stderr, "relucert bench: %v\n", err)
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	base := verify.GenConfig{Kind: gk, Act: a, Boundary: *boundary, Dyadic: true, Seed: *seed}
	if *row {
		c := physicalConfigs(base, nil, ns[:1], ds[:1], ms[:1], ks[:1], false)[0]
		r, err := measureRow(c, *floatTimeout)
		if err != nil {
			fmt.Fprintf(stderr, "relucert bench: %v\n", err)
			return exitUsage
		}
		b, _ := marshalVersioned(r)
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	if *physical {
		for name, grid := range map[string]struct {
			l *[]int
			v []int
		}{"sizes": {&ns, physicalN}, "d": {(*[]int)(&ds), physicalD}, "m": {(*[]int)(&ms), physicalM}, "k": {(*[]int)(&ks), physicalK}} {
			if !set[name] {
				*grid.l = grid.v
			}
		}
		var rows [][4]int
		if *rowList != "" {
			rows, err = parseRows(*rowList)
		}
		if err == nil {
			for _, r := range rows {
				if err = checkSizeFlags("--rows", r[:1], r[1:2], r[2:3], r[3:], 0); err != nil {
					break
				}
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "relucert bench: %v\n", err)
			return exitUsage
		}
		return runPhysical(physicalConfigs(base, rows, ns, ds, ms, ks, *big), *floatTimeout, *jsonOut, stdout, stderr)
	}
	cfgs := physicalConfigs(base, nil, ns, ds, ms, ks, false)
	if *extra {
		cfgs = append(cfgs,
			verify.GenConfig{Kind: verify.GenSaddle, N: 2000, D: 16, M: 256, K: 1, Act: verify.ReLU(), Boundary: 64, Dyadic: true, Seed: *seed},
			verify.GenConfig{Kind: verify.GenZeroInput, N: 300, D: 3, M: 1, K: 1, Act: verify.ReLU(), Dyadic: true, Seed: *seed})
	}
	var tw *tabwriter.Writer
	if !*jsonOut {
		fmt.Fprintf(stdout, "relucert bench: GOMAXPROCS = %d; times are wall-clock seconds in this process; peak = largest Go heap in use (runtime/metrics, sampled every ms) during exact Check + Recheck\n", runtime.GOMAXPROCS(0))
		tw = tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "kind\tn\td\tm\tk\tboundary\texact_s\tfloat_s\tratio\trecheck_s\tpeak_mib\tverdict\tfloat\texpected\trecheck\t")
	}
	// Warm up both paths (first-use costs) on a small instance, unreported.
	if _, err := benchOne(verify.GenConfig{Kind: verify.GenLocalMin, N: 64, D: 4, M: 8, K: 1, Act: verify.ReLU(), Boundary: 4, Dyadic: true, Seed: 1}, *recheck, time.Minute); err != nil {
		fmt.Fprintf(stderr, "relucert bench: warm-up: %v\n", err)
		return exitUsage
	}
	code := exitOK
	for _, cfg := range cfgs {
		if !*jsonOut {
			fmt.Fprintf(stderr, "relucert bench: %s n=%d d=%d m=%d k=%d …\n", cfg.Kind, cfg.N, cfg.D, cfg.M, cfg.K)
		}
		row, err := benchOne(cfg, *recheck, *floatTimeout)
		if err != nil {
			fmt.Fprintf(stderr, "relucert bench: %v\n", err)
			return exitUsage
		}
		if row.Verdict != row.Expected || (row.Recheck != "ok" && row.Recheck != "skipped") {
			code = exitDisagree
		}
		if *jsonOut {
			b, _ := marshalVersioned(row)
			fmt.Fprintln(stdout, string(b))
			continue
		}
		fl, ratio := fmt.Sprintf("%.3f", row.FloatS), fmt.Sprintf("%.2f", row.Ratio)
		if row.FloatTimeout {
			fl, ratio = fmt.Sprintf(">%.0f", row.FloatS), "<"+fmt.Sprintf("%.3f", row.ExactS/row.FloatS)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%.3f\t%s\t%s\t%.3f\t%.1f\t%s\t%s\t%s\t%s\t\n",
			row.Kind, row.N, row.D, row.M, row.K, row.Boundary, row.ExactS, fl, ratio, row.RecheckS, row.PeakMiB,
			row.Verdict, row.FloatVerdict, row.Expected, row.Recheck)
	}
	if !*jsonOut {
		tw.Flush()
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
			fmt.Fprintf(stdout, "process max RSS (getrusage, whole run): %.1f MiB\n", float64(ru.Maxrss)/1024)
		}
	}
	return code
}

// benchOne generates one instance and times both paths on it.
func benchOne(cfg verify.GenConfig, recheck bool, floatTimeout time.Duration) (benchRow, error) {
	p, exp, err := verify.Generate(cfg)
	if err != nil {
		return benchRow{}, err
	}
	row := benchRow{benchInstance: instanceOf(cfg), Expected: exp.Verdict.String()}

	// float64 path, with a timeout (it runs on in the background when it
	// expires; the exact path is timed before it, so that cannot disturb it).
	type floatOut struct {
		r   *numeric.Result
		err error
		dur time.Duration
	}

	// Exact path first.
	h := startHeapSampler()
	t0 := time.Now()
	// The zero-input row measures the cell method: its neuron has Q_j ≡ 0,
	// which Check would otherwise certify by (E1)/(E2) with no cell.
	v, err := verify.Check(p, verify.Options{Cells: cfg.Kind == verify.GenZeroInput})
	row.ExactS = time.Since(t0).Seconds()
	if err != nil {
		h.finish()
		return row, fmt.Errorf("%s n=%d: verify.Check: %v", row.Kind, cfg.N, err)
	}
	row.Verdict = v.Kind.String()
	if !slices.Equal(v.Escape, exp.Escape) {
		row.Verdict += fmt.Sprintf(" (escape %v, planted %v)", v.Escape, exp.Escape)
	}
	row.Recheck = "skipped"
	if recheck {
		t0 = time.Now()
		err := verify.Recheck(p, v)
		row.RecheckS = time.Since(t0).Seconds()
		row.Recheck = "ok"
		if err != nil {
			row.Recheck = err.Error()
		}
	}
	row.PeakMiB = float64(h.finish()) / (1 << 20)
	v = nil
	runtime.GC()

	ch := make(chan floatOut, 1)
	var once sync.Once
	go func() {
		t := time.Now()
		r, err := numeric.Check(p)
		once.Do(func() { ch <- floatOut{r, err, time.Since(t)} })
	}()
	select {
	case f := <-ch:
		row.FloatS = f.dur.Seconds()
		if f.err != nil {
			row.FloatVerdict = "error: " + f.err.Error()
		} else {
			row.FloatVerdict = f.r.Kind.String()
		}
		row.Ratio = row.ExactS / row.FloatS
	case <-time.After(floatTimeout):
		row.FloatS = floatTimeout.Seconds()
		row.FloatTimeout = true
		row.FloatVerdict = "timeout"
	}
	return row, nil
}
