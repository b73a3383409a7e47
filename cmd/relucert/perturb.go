package main

import (
	"flag"
	"fmt"
	"io"
	"math"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/numeric"
)

// The random-perturbation baseline of "relucert check --perturb N
// [--amplitude A] [--seed S]" (issue 3): the test the paper's own code used
// to confirm local minima, offered beside the exact verdict as a float64
// heuristic. It is never a verdict: a decrease found in float64 can be a
// rounding artefact of a loss change below the rounding error, and no
// decrease in N trials proves nothing (the catalogue's perturb-blind-saddle
// is a saddle that 5000 trials miss).

// Defaults of the perturbation flags.
const (
	defaultAmplitude = 1e-2
	defaultSeed      = 1
)

// maxPerturbTrials bounds --perturb (README "Limits").
const maxPerturbTrials = 1_000_000

// perturbFlags are the check flags of the baseline.
type perturbFlags struct {
	n         *int
	amplitude *float64
	seed      *uint64
}

// addPerturbFlags defines --perturb, --amplitude and --seed on fs.
func addPerturbFlags(fs *flag.FlagSet) *perturbFlags {
	return &perturbFlags{
		n:         fs.Int("perturb", 0, "also run the float64 random-perturbation heuristic with `N` trials (not a verdict)"),
		amplitude: fs.Float64("amplitude", defaultAmplitude, "perturbation amplitude `A`: every parameter moves by uniform noise in [−A, A]"),
		seed:      fs.Uint64("seed", defaultSeed, "seed `S` of the perturbation noise"),
	}
}

// validate checks the flag values; the error is a usage error.
func (pf *perturbFlags) validate(fs *flag.FlagSet) error {
	if *pf.n < 0 || *pf.n > maxPerturbTrials {
		return fmt.Errorf("--perturb %d: want 0 to %d trials", *pf.n, maxPerturbTrials)
	}
	a := *pf.amplitude
	if !(a > 0) || math.IsInf(a, 0) {
		return fmt.Errorf("--amplitude must be positive and finite, got %v", a)
	}
	if *pf.n == 0 {
		var set []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "amplitude" || f.Name == "seed" {
				set = append(set, "--"+f.Name)
			}
		})
		if len(set) > 0 {
			return fmt.Errorf("%s needs --perturb N", set[0])
		}
	}
	return nil
}

// perturbReport is the outcome of the baseline on one point.
type perturbReport struct {
	N         int
	Amplitude float64
	Seed      uint64
	R         numeric.PerturbResult
}

// run runs numeric.Perturb on p when --perturb N > 0; nil otherwise.
func (pf *perturbFlags) run(c *cases.Case) *perturbReport {
	if *pf.n <= 0 {
		return nil
	}
	return &perturbReport{N: *pf.n, Amplitude: *pf.amplitude, Seed: *pf.seed,
		R: numeric.Perturb(c.Point(), *pf.n, *pf.amplitude, *pf.seed)}
}

// perturbLabel heads the baseline's output wherever it appears.
const perturbLabel = "heuristic (not a verdict)"

// writePerturb prints the baseline after the exact report; nothing for nil.
func writePerturb(w io.Writer, pr *perturbReport) {
	if pr == nil {
		return
	}
	r := pr.R
	fmt.Fprintln(w)
	fmt.Fprintf(w, "random perturbation — %s, float64:\n", perturbLabel)
	fmt.Fprintf(w, "  %d trials, every parameter moved at once by uniform noise in [−%g, %g], seed %d\n",
		pr.N, pr.Amplitude, pr.Amplitude, pr.Seed)
	if r.Trials == 0 {
		fmt.Fprintln(w, "  not run: the point does not fit in float64")
		return
	}
	fmt.Fprintf(w, "  float64 loss %.17g; smallest loss change found %+.6g; %d of %d trials decreased the loss\n",
		r.Loss, r.MinChange, r.Decreases, r.Trials)
	if r.Decreases == 0 {
		fmt.Fprintln(w, "  no decrease found — this proves nothing: descent directions of a saddle can be too rare for random moves")
	} else {
		fmt.Fprintln(w, "  a float64 decrease suggests the point is not a local minimum, unless it is within rounding error")
	}
	fmt.Fprintln(w, "  the exact verdict above is what relucert certifies")
}

// jsonPerturb is the "perturb" member of check --json.
type jsonPerturb struct {
	// Label is always "heuristic (not a verdict)".
	Label     string  `json:"label"`
	N         int     `json:"n"`
	Amplitude float64 `json:"amplitude"`
	Seed      uint64  `json:"seed"`
	Trials    int     `json:"trials"`
	Decreases int     `json:"decreases"`
	// MinChange is the smallest L(θ+Δ) − L(θ) found and Loss is L(θ), both
	// float64; null when not finite (no trial ran).
	MinChange  *float64 `json:"min_change"`
	LossApprox *float64 `json:"loss_approx"`
}

// finitePtr returns &x for finite x, nil otherwise.
func finitePtr(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// withPerturb adds the baseline to check's JSON object; j itself when pr is
// nil.
func withPerturb(j *jsonCheck, pr *perturbReport) any {
	if pr == nil {
		return j
	}
	j.Perturb = &jsonPerturb{
		Label: perturbLabel, N: pr.N, Amplitude: pr.Amplitude, Seed: pr.Seed,
		Trials: pr.R.Trials, Decreases: pr.R.Decreases,
		MinChange: finitePtr(pr.R.MinChange), LossApprox: finitePtr(pr.R.Loss),
	}
	return j
}
