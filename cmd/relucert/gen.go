package main

import (
	"fmt"
	"io"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/internal/atomicfile"
	"github.com/relucert/relucert/verify"
)

const genSynopsis = "gen --n N --d D --m M --k K [--act relu] [--boundary B] [--kind localmin|saddle|zeroinput|zeroinput-fail] [--dyadic | --small] [--seed S] [-o FILE.json]"

func init() {
	register("gen", command{
		usage:   genSynopsis,
		summary: "write a planted instance with a known verdict (for benchmarks and tests)",
		run:     runGen,
	})
}

// parseActivation reads --act: relu, abs, linear, leaky:ALPHA or pos:P,neg:N.
func parseActivation(s string) (verify.Activation, error) {
	act, err := cases.ParseActivation(s)
	if err != nil {
		return verify.Activation{}, fmt.Errorf("--act: %v", err)
	}
	return act, nil
}

// runGen implements "relucert gen": it builds the instance with
// verify.Generate and writes it as a case file with its expect block (to
// stdout, or to -o FILE). Exit 0 on success, 2 on bad usage.
func runGen(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("gen", genSynopsis, stderr)
	var cfg verify.GenConfig
	fs.IntVar(&cfg.N, "n", 100, "number of samples")
	fs.IntVar(&cfg.D, "d", 3, "input dimension")
	fs.IntVar(&cfg.M, "m", 4, "width (neurons)")
	fs.IntVar(&cfg.K, "k", 1, "output dimension")
	act := fs.String("act", "relu", "activation: relu, abs, linear, leaky:ALPHA, pos:P,neg:N")
	fs.IntVar(&cfg.Boundary, "boundary", 0, "number of planted boundary inputs (each duplicated)")
	kind := fs.String("kind", "localmin", "planted verdict: localmin, saddle, zeroinput, zeroinput-fail")
	dyadic := fs.Bool("dyadic", false, "float-derived numbers (random float64s converted exactly; the default)")
	small := fs.Bool("small", false, "small-height rationals p/q, |p| ≤ 9, q ≤ 6")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("o", "", "write the case to this file instead of stdout")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "relucert gen: unexpected arguments %v\n", pos)
		fs.Usage()
		return exitUsage
	}
	if *dyadic && *small {
		fmt.Fprintln(stderr, "relucert gen: --dyadic and --small exclude each other")
		return exitUsage
	}
	cfg.Dyadic = !*small
	cfg.Seed = *seed
	var ok bool
	if cfg.Kind, ok = verify.ParseGenKind(*kind); !ok {
		fmt.Fprintf(stderr, "relucert gen: unknown --kind %q\n", *kind)
		return exitUsage
	}
	if cfg.Act, err = parseActivation(*act); err != nil {
		fmt.Fprintf(stderr, "relucert gen: %v\n", err)
		return exitUsage
	}
	if err := checkGenSize(cfg); err != nil {
		fmt.Fprintf(stderr, "relucert gen: %v\n", err)
		return exitUsage
	}
	p, exp, err := verify.Generate(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "relucert %v\n", err)
		return exitUsage
	}
	numbers := "dyadic"
	if *small {
		numbers = "small"
	}
	name := fmt.Sprintf("gen-%s-n%d-d%d-m%d-k%d-b%d-%s-%s-s%d", cfg.Kind, cfg.N, cfg.D, cfg.M, cfg.K, cfg.Boundary, *act, numbers, cfg.Seed)
	c, err := cases.FromPoint(name, "relucert gen (verify.Generate): "+exp.Why, p, false)
	if err != nil {
		fmt.Fprintf(stderr, "relucert gen: %v\n", err)
		return exitUsage
	}
	v := exp.Verdict
	c.Expect = &cases.Expect{Verdict: &v, Escape: exp.Escape}
	data, err := cases.Write(c)
	if err != nil {
		fmt.Fprintf(stderr, "relucert gen: %v\n", err)
		return exitUsage
	}
	if *out == "" {
		_, err = stdout.Write(data)
	} else {
		err = atomicfile.Write(*out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "relucert gen: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// Maxima of the size flags of gen and bench (README "Limits"). A generated
// case must also be one that check reads with its default limits: at most
// cases.DefaultMaxValues values (numbers, rows and neurons).
const (
	maxGenN = 1 << 20
	maxGenD = 1 << 12
	maxGenM = 1 << 16
	maxGenK = 1 << 10
)

// checkGenSize checks the sizes of a planted instance that gen writes:
// the maxima of the flags, and at most cases.DefaultMaxValues values so that
// check reads the file with its default limits.
func checkGenSize(cfg verify.GenConfig) error {
	if err := checkSizeFlags("--n", []int{cfg.N}, []int{cfg.D}, []int{cfg.M}, []int{cfg.K}, cfg.Boundary); err != nil {
		return err
	}
	if cfg.Boundary > cfg.N {
		return fmt.Errorf("--boundary %d: want at most --n (%d)", cfg.Boundary, cfg.N)
	}
	// Every factor is below 2^20 now, so the products do not overflow.
	values := 2*cfg.N + cfg.N*(cfg.D+cfg.K) + cfg.M + cfg.M*(cfg.D+cfg.K)
	if values > cases.DefaultMaxValues {
		return fmt.Errorf("n = %d, d = %d, m = %d, k = %d make %d values (numbers, rows, neurons), more than %d, the most a case file may hold by default",
			cfg.N, cfg.D, cfg.M, cfg.K, values, cases.DefaultMaxValues)
	}
	return nil
}

// checkSizeFlags checks the values of the size flags of gen and bench
// against their maxima, before anything is allocated.
func checkSizeFlags(nFlag string, ns, ds, ms, ks []int, boundary int) error {
	for _, f := range []struct {
		name string
		vals []int
		max  int
	}{{nFlag, ns, maxGenN}, {"--d", ds, maxGenD}, {"--m", ms, maxGenM}, {"--k", ks, maxGenK}, {"--boundary", []int{boundary}, maxGenN}} {
		for _, v := range f.vals {
			if v < 0 || v > f.max {
				return fmt.Errorf("%s %d: want 0 to %d", f.name, v, f.max)
			}
		}
	}
	return nil
}
