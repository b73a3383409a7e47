package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"text/tabwriter"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/verify"
)

// This file is "relucert bench --snap-corpus DIR": snap every point of a
// corpus of trained networks (testdata/corpus/index.json) whose float
// gradient norm is at most --max-grad, and print one row per point: its
// size, the pattern snap imposed, the verdict, the distance, the size of
// the exact point and the time (issue 10's benchmark). The gradient norm is
// the index's grad_norm_half, the gradient of relucert's loss
// L = (1/2n) Σ_i |f(x_i) − y_i|² (PyTorch's mse_loss is (2/k)·L). For
// k ≥ 2 the row is the big-float layer's: θ* proved in a box and
// classified from it (bits is then 0).

// corpusPoint is the part of an index.json entry the benchmark reads.
type corpusPoint struct {
	Name       string  `json:"name"`
	Data       string  `json:"data"`
	Weights    *string `json:"weights"`
	WeightsNPZ string  `json:"weights_npz"`
	Activation string  `json:"activation"`
	InputBias  bool    `json:"input_bias"`
	N          int     `json:"n"`
	D          int     `json:"d"`
	M          int     `json:"m"`
	K          int     `json:"k"`
	GradNorm   float64 `json:"grad_norm_half"`
}

// snapBenchRow is one row of the benchmark (the JSON object of --json).
type snapBenchRow struct {
	Point    string  `json:"point"`
	N        int     `json:"n"`
	D        int     `json:"d"`
	M        int     `json:"m"`
	K        int     `json:"k"`
	GradNorm float64 `json:"grad_norm_half"`
	Tol      float64 `json:"tol"`
	// Pattern is "alive/dead/zeroed, boundary samples".
	Pattern  string `json:"pattern"`
	Verdict  string `json:"verdict"`
	Distance string `json:"distance"`
	Bits     int    `json:"bits"`
	Recheck  string `json:"recheck"`
	// Seconds is the wall time of verify.Snap, CPU its CPU time (all
	// goroutines; on a loaded machine the wall time is the larger).
	Seconds float64 `json:"seconds"`
	CPU     float64 `json:"cpu_seconds"`
}

// readCorpusIndex reads DIR/index.json.
func readCorpusIndex(dir string) ([]corpusPoint, error) {
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, err
	}
	var ix struct {
		Points []corpusPoint `json:"points"`
	}
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "index.json"), err)
	}
	return ix.Points, nil
}

// loadCorpusPoint builds the case of a corpus point: its data file with
// the run's activation and input bias, and its weights (the .pt file, or
// the .npz of a scikit-learn fit).
func loadCorpusPoint(dir string, p corpusPoint) (*cases.Case, error) {
	act, err := cases.ParseActivation(p.Activation)
	if err != nil {
		return nil, err
	}
	c, err := cases.DataCase(filepath.Join(dir, p.Data), act, p.InputBias, cases.DataOptions{Targets: p.K})
	if err != nil {
		return nil, err
	}
	wfile := p.WeightsNPZ
	if p.Weights != nil {
		wfile = *p.Weights
	}
	w, err := cases.ReadWeights(filepath.Join(dir, wfile))
	if err != nil {
		return nil, err
	}
	if err := c.SetWeights(w); err != nil {
		return nil, err
	}
	c.Name = p.Name
	return c, nil
}

// runSnapBench is the --snap-corpus mode of bench.
func runSnapBench(dir, match string, maxGrad float64, global, jsonOut bool, stdout, stderr io.Writer) int {
	re, err := regexp.Compile(match)
	if err != nil {
		fmt.Fprintf(stderr, "relucert bench: --points: %v\n", err)
		return exitUsage
	}
	points, err := readCorpusIndex(dir)
	if err != nil {
		fmt.Fprintf(stderr, "relucert bench: --snap-corpus: %v\n", err)
		return exitUsage
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if !jsonOut {
		fmt.Fprintln(tw, "point\tn\td\tm\tk\tgrad\tτ\tpattern\tverdict\tdistance\tbits\trecheck\tcpu_s\twall_s\t")
	}
	code := exitOK
	for _, p := range points {
		if p.GradNorm > maxGrad || !re.MatchString(p.Name) {
			continue
		}
		c, err := loadCorpusPoint(dir, p)
		if err != nil {
			fmt.Fprintf(stderr, "relucert bench: %s: %v\n", p.Name, err)
			return exitUsage
		}
		cand := c.Point()
		var res *verify.SnapResult
		cpu, secs := timed(func() { res, err = callSnap(cand, verify.SnapOptions{Check: verify.Options{SkipGlobal: !global}}) })
		if err != nil {
			fmt.Fprintf(stderr, "relucert bench: %s: %v\n", p.Name, err)
			return exitUsage
		}
		row := snapBenchRow{Point: p.Name, N: cand.N(), D: cand.D(), M: cand.M(), K: cand.K(), GradNorm: p.GradNorm,
			Tol: res.Tol, Bits: res.Bits, Seconds: secs, CPU: cpu, Distance: "-", Recheck: "-"}
		pat := res.Pattern
		if a := res.Algebraic; a != nil && a.Pattern != nil {
			pat = *a.Pattern
		}
		zs := 0
		for _, j := range pat.Alive {
			zs += len(pat.Neurons[j].Z)
		}
		row.Pattern = fmt.Sprintf("%d/%d/%d, |Z| = %d", len(pat.Alive), len(pat.Dead), len(pat.Zeroed), zs)
		switch a := res.Algebraic; {
		case a != nil:
			row.Verdict = a.Verdict.Kind.String()
			if a.Verdict.Cert != nil {
				row.Distance = snapFloat(a.Distance)
				row.Recheck = recheckText(a.RecheckErr)
			}
			if a.Verdict.Cert == nil || a.RecheckErr != nil {
				code = exitDisagree
			}
		case res.Verdict != nil && res.Verdict.Kind != verify.NotStationary:
			row.Verdict = res.Verdict.Kind.String()
			row.Distance = snapFloat(res.Distance)
			row.Recheck = recheckText(res.RecheckErr)
		case res.Candidate != nil:
			row.Verdict = "θ̃: " + res.Candidate.Kind.String()
			row.Distance = "0"
			row.Recheck = recheckText(res.CandidateRecheck)
			code = exitDisagree
		default:
			row.Verdict = "none"
			code = exitDisagree
		}
		if jsonOut {
			writeJSON(stdout, row)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.1e\t%g\t%s\t%s\t%s\t%d\t%s\t%.2f\t%.2f\t\n", row.Point, row.N, row.D, row.M, row.K,
			row.GradNorm, row.Tol, row.Pattern, row.Verdict, row.Distance, row.Bits, row.Recheck, row.CPU, row.Seconds)
	}
	tw.Flush()
	return code
}
