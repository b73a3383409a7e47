package main

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// snapFig3Candidate writes the final point of the reference experiment
// (docs/theory.md §7) as float64 weights: the least-squares affine fit of y on x
// carried by a neuron active on every sample (a = −1/2) and a neuron whose
// hyperplane passes through x = 0.7 (a = 1/2), plus a dead neuron of size
// ~1e-5 within a relative 5e-10 of the hyperplane of x = −1. It expects
// local-min.
func snapFig3Candidate(t *testing.T) string {
	t.Helper()
	r := func(s string) *big.Rat {
		x, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatal(s)
		}
		return x
	}
	fl := func(x *big.Rat) *big.Rat {
		f, _ := x.Float64()
		return new(big.Rat).SetFloat64(f)
	}
	xs := []string{"-1", "-0.6", "-0.1", "0.3", "0.7"}
	ys := []string{"0.28", "-0.1", "0.03", "0.23", "-0.22"}
	p := &verify.Point{Act: verify.ReLU()}
	for i := range xs {
		p.X = p.X.AppendRow(exact.Vec{r(xs[i]), big.NewRat(1, 1)})
		p.Y = p.Y.AppendRow(exact.Vec{r(ys[i])})
	}
	// The least-squares line y ≈ αx + β is α = −693/4630, β = 1067/46300.
	alpha, beta := r("-693/4630"), r("1067/46300")
	cB := r("1/5") // p_B = c_B·(−1, 0.7)
	pB := exact.Vec{new(big.Rat).Neg(cB), new(big.Rat).Mul(cB, r("0.7"))}
	pA := exact.Vec{new(big.Rat).Sub(alpha, pB[0]), new(big.Rat).Sub(beta, pB[1])}
	aA, aB := r("-0.5"), r("0.5")
	wA := pA.Scale(new(big.Rat).Inv(aA))
	wB := pB.Scale(new(big.Rat).Inv(aB))
	p.Neurons = []verify.Neuron{
		{W: exact.Vec{fl(wA[0]), fl(wA[1])}, A: exact.Vec{aA}},
		{W: exact.Vec{fl(wB[0]), fl(wB[1])}, A: exact.Vec{aB}},
		{W: exact.Vec{new(big.Rat).SetFloat64(-1e-5), new(big.Rat).SetFloat64(-1e-5 - 1e-14)}, A: exact.Vec{new(big.Rat).SetFloat64(2e-5)}},
	}
	c, err := cases.FromPoint("fig3-final-float", "float64 weights near the final point of docs/theory.md §7", p, true)
	if err != nil {
		t.Fatal(err)
	}
	v := verify.LocalMin
	c.Expect = &cases.Expect{Verdict: &v, Escape: []int{}}
	data, err := cases.Write(c)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "fig3-final-float.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestSnapCommandFig3(t *testing.T) {
	file := snapFig3Candidate(t)
	out := filepath.Join(filepath.Dir(file), "snapped.json")
	code, stdout, stderr := runArgs("snap", file, "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"pattern: 2 alive, 1 dead (kept exactly), 0 zeroed",
		"neuron 1: alive, sides ++++0, Z_1 = [4]",
		"neuron 2: dead, sample(s) [0] within τ of its hyperplane",
		"sample 4 put on neuron 1's hyperplane",
		"verdict: local-min, escape neurons [] (stationary: true; non-differentiable neurons [1])",
		"mse_loss = 2L/k = 16139/578750",
		"recheck: ok",
		"distance |θ* − θ̃| ≤ ",
		"fragile: dead neuron 2 put on the hyperplane of its near sample(s) [0] (a_2 = 0: the neuron is tiny) gives saddle (escape neurons [2]) instead of local-min",
		"fragile: the tiny dead neuron(s) [2] zeroed",
		"expect: local-min [] — agrees",
		"wrote " + out,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	// The written case is accepted by check and reproduces the verdict.
	code, stdout, stderr = runArgs("check", out)
	if code != exitOK || !strings.Contains(stdout, "verdict: local-min") {
		t.Fatalf("check %s: exit %d\n%s\n%s", out, code, stdout, stderr)
	}
	// JSON.
	code, stdout, _ = runArgs("snap", file, "--json")
	if code != exitOK {
		t.Fatalf("--json: exit %d", code)
	}
	var j struct {
		Verdict    string   `json:"verdict"`
		Loss       string   `json:"loss"`
		MSELoss    string   `json:"mse_loss"`
		NonDiff    []int    `json:"non_differentiable"`
		Fragile    []string `json:"fragile"`
		Recheck    string   `json:"recheck"`
		Distance   string   `json:"distance"`
		Point      []struct{ W, A []string }
		Moves      []struct{ Rule string }
		Neighbours []struct {
			Verdict string
			Changes bool
		}
		Pattern struct {
			Alive, Dead, Zeroed []int
		}
		ExitCode int `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(stdout), &j); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if j.Verdict != "local-min" || j.MSELoss != "16139/578750" || len(j.NonDiff) != 1 || len(j.Fragile) != 2 ||
		j.Recheck != "ok" || j.Distance == "" || len(j.Point) != 3 || len(j.Neighbours) != 2 || j.ExitCode != 0 ||
		len(j.Pattern.Dead) != 1 || len(j.Moves) == 0 {
		t.Errorf("json: %+v", j)
	}
}

func TestSnapCommandWeights(t *testing.T) {
	data := filepath.Join("..", "..", "cases", "testdata", "weights", "fig3-data.json")
	npz := filepath.Join("..", "..", "cases", "testdata", "weights", "w1w2.npz")
	// The fixture weights are not near a stationary point: the least
	// squares moves a sign, and snap says which.
	code, stdout, stderr := runArgs("snap", data, "--weights", npz)
	if code != exitDisagree {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"weights: " + npz, "m = 3", "no exact point: a strict sign did not survive the snap (neuron 0, sample 3", "L'(θ̃; Δ) ≥ −"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	// A malformed weights file is bad input, named in the message.
	bad := filepath.Join("..", "..", "cases", "testdata", "weights", "truncated.npz")
	code, _, stderr = runArgs("snap", data, "--weights", bad)
	if code != exitUsage || !strings.Contains(stderr, "truncated.npz") {
		t.Errorf("truncated: exit %d, %q", code, stderr)
	}
	// Weights that do not fit the case.
	wrong := filepath.Join("..", "..", "cases", "testdata", "weights", "wrong-d.npz")
	code, _, stderr = runArgs("snap", data, "--weights", wrong)
	if code != exitUsage || !strings.Contains(stderr, "wants d = d_in + 1 = 2") {
		t.Errorf("wrong d: exit %d, %q", code, stderr)
	}
}

func TestSnapCommandVector(t *testing.T) {
	const vec = `{
  "name": "vector",
  "activation": "relu",
  "inputs": [["1", "0"], ["0", "1"], ["1", "1"]],
  "targets": [["1", "0"], ["0", "1"], ["1", "1"]],
  "neurons": [{"w": ["0.5", "0.25"], "a": ["1", "0.5"]}]
}`
	file := filepath.Join(t.TempDir(), "vector.json")
	if err := os.WriteFile(file, []byte(vec), 0o644); err != nil {
		t.Fatal(err)
	}
	// By hand: while w > 0 every sample is active and f(x_i) = (w·x_i) a,
	// the best rank-one fit of Y = X: XᵀX = [[2, 1], [1, 2]] has top
	// eigenvector (1, 1), so with the gauge a_1 = 1 the stationary point
	// Newton reaches is w = (1/2, 1/2), a = (1, 1), L = (1/6)(1/2 + 1/2) = 1/6.
	// The neuron escapes with a ≠ 0 and the second-order form is only
	// semidefinite: undetermined (exit 3), with a certificate that rechecks.
	code, stdout, _ := runArgs("snap", file)
	for _, want := range []string{"big-float layer", "w ≈ [0.5, 0.5], a ≈ [1, 1]", "L(θ*) ∈ [0.1666666667, 0.1666666667]",
		"verdict: undetermined, escape neurons [0]", "recheck: ok", "L'(θ̃; Δ) ≥ −"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("missing %q", want)
		}
	}
	if code != exitUndetermined {
		t.Errorf("exit %d\n%s", code, stdout)
	}
}

func TestSnapCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"snap"},
		{"snap", "a.json", "b.json"},
		{"snap", "x.json", "--tol", "2"},
		{"snap", "x.json", "--tol", "0"},
		{"snap", "--frobnicate", "x.json"},
		{"snap", filepath.Join(t.TempDir(), "absent.json")},
	} {
		if code, _, _ := runArgs(args...); code != exitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	if code, _, _ := runArgs("snap", "-h"); code != exitOK {
		t.Errorf("-h: exit %d", code)
	}
}

// TestSnapCommandBudgetStage: a time budget that runs out as soon as snap
// starts (1ns) ends the command with verdict undetermined, exit 3, and a
// reason naming the stage snap was in — the float planner, on the d = 60
// PyTorch point of testdata/snaphd — not with the watchdog's "did not stop
// in time and was abandoned" (what main 407e13e printed: its planner asked
// no budget).
func TestSnapCommandBudgetStage(t *testing.T) {
	// The planner's first question to the budget must come before the
	// watchdog: on a loaded machine, reading the files and the set-up took
	// longer than the 500 ms grace, and the run ended "abandoned".
	defer func(g time.Duration) { watchdogGrace = g }(watchdogGrace)
	watchdogGrace = 10 * time.Minute
	dir := filepath.Join("..", "..", "testdata", "snaphd")
	code, stdout, stderr := runArgs("snap", "--data", filepath.Join(dir, "hd-relu-60.npz"),
		"--weights", filepath.Join(dir, "hd-relu-60.pt"), "--activation", "relu", "--budget", "time=1ns")
	if code != exitUndetermined {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	want := "verdict: undetermined\nreason: budget: time budget exceeded while snap's float planner"
	if !strings.HasPrefix(stdout, want) || strings.Contains(stdout+stderr, "abandoned") {
		t.Fatalf("stdout %q, stderr %q; want it to start with %q", stdout, stderr, want)
	}
}
