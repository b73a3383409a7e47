package main

import (
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/verify"
)

var fig3Data = filepath.Join("testdata", "fig3.json")

// The Figure 3 data file: the docs/theory.md §7 data set, no neurons (train
// initialises the network), and the parser accepts the empty list.
func TestFig3DataFile(t *testing.T) {
	c, err := cases.Load(fig3Data)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Point()
	if p.M() != 0 || p.N() != 5 || p.D() != 2 || p.K() != 1 || !c.Bias || !p.Act.IsReLU() {
		t.Fatalf("m = %d, n = %d, d = %d, k = %d, bias %v, %s", p.M(), p.N(), p.D(), p.K(), c.Bias, p.Act)
	}
	xs := []string{"-1", "-3/5", "-1/10", "3/10", "7/10"}
	ys := []string{"7/25", "-1/10", "3/100", "23/100", "-11/50"}
	for i := range xs {
		if p.X.At(i, 0).RatString() != xs[i] || p.X.At(i, 1).RatString() != "1" || p.Y.At(i, 0).RatString() != ys[i] {
			t.Errorf("sample %d: x = %v, y = %v", i, p.X.Row(i), p.Y.Row(i))
		}
	}
}

func TestTrainUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"train"},
		{"train", fig3Data, fig3Data},
		{"train", "no-such-file.json"},
		{"train", fig3Data, "--loss", "l1"},
		{"train", fig3Data, "--mu", "x"},
		{"train", fig3Data, "--mu", "-1/0"},
		{"train", fig3Data, "--width", "0"},
		{"train", fig3Data, "--steps", "0"},
		{"train", fig3Data, "--lr", "-1"},
		{"train", fig3Data, "--lr", "NaN"},
		{"train", fig3Data, "--tol", "1"},
		{"train", fig3Data, "--flat-eps", "0"},
		{"train", fig3Data, "--window", "-3"},
		{"train", fig3Data, "--certify-at", "middle"},
		{"train", fig3Data, "--mu", "-2000"}, // β underflows float64
		{"train", fig3Data, "--bogus"},
	} {
		code, _, errOut := runArgs(args...)
		if code != exitUsage || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 with a message", args, code, errOut)
		}
	}
}

// trainOut is the part of the --json object the tests read.
type trainOut struct {
	LossScaling string `json:"loss_scaling"`
	Beta        float64
	Plateaus    []struct {
		Start, End, At int
		Loss           float64 `json:"loss_approx"`
		LossExact      *string `json:"loss"`
		Verdict        string
		Escape         []int `json:"escape_neurons"`
		NonDiff        []int `json:"non_differentiable"`
		Lambda         float64
		Predicted      *float64 `json:"predicted_length"`
		Observed       int      `json:"observed_length"`
	}
	Final struct {
		Verdict   string
		Loss      float64 `json:"loss_approx"`
		LossExact *string `json:"loss"`
		Escape    []int   `json:"escape_neurons"`
		Fragile   []string
	}
}

func runTrainJSON(t *testing.T, args ...string) trainOut {
	t.Helper()
	code, out, errOut := runArgs(append([]string{"train", fig3Data, "--json"}, args...)...)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var j trainOut
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return j
}

// The reference experiment on a ten times shorter clock (η = 1e-2, 6·10⁴
// steps: the same η·steps), certified by the real snap: three plateaus at
// the exact losses of docs/theory.md §7, two saddles with escape neurons and a
// fragile non-differentiable local minimum. With η = 1e-2 GD zigzags across
// the kink at x = 0.7 about ten times wider than with η = 1e-3 (relative
// pre-activations up to ~1e-3 at the second plateau), so the snap needs
// τ = 1e-3 to put that sample on the hyperplane.
func TestTrainFig3Short(t *testing.T) {
	j := runTrainJSON(t, "--lr", "0.01", "--steps", "60000", "--tol", "1e-3")
	if j.LossScaling != "mse" || j.Beta != 8e-6 {
		t.Errorf("loss %q, β %g", j.LossScaling, j.Beta)
	}
	want := []struct {
		exact, verdict string
		approx         float64
	}{
		{"953/25000", "saddle", 0.03812},
		{"50749/1681250", "saddle", 0.03018},
		{"16139/578750", "local-min", 0.027886},
	}
	if len(j.Plateaus) != len(want) {
		t.Fatalf("%d plateaus, want %d: %+v", len(j.Plateaus), len(want), j.Plateaus)
	}
	for i, w := range want {
		p := j.Plateaus[i]
		if p.LossExact == nil || *p.LossExact != w.exact || p.Verdict != w.verdict {
			t.Errorf("P%d: exact loss %v, verdict %s; want %s, %s", i+1, p.LossExact, p.Verdict, w.exact, w.verdict)
		}
		if math.Abs(p.Loss-w.approx) > 1e-4 {
			t.Errorf("P%d: float loss %g, want ≈ %g", i+1, p.Loss, w.approx)
		}
		if (w.verdict == "saddle") != (len(p.Escape) > 0) {
			t.Errorf("P%d: %s with escape neurons %v", i+1, p.Verdict, p.Escape)
		}
		if i < 2 && (p.Predicted == nil || math.Abs(*p.Predicted/float64(p.Observed)-1) > 0.25) {
			t.Errorf("P%d: predicted length %v, observed %d", i+1, p.Predicted, p.Observed)
		}
	}
	if j.Plateaus[0].Start != 0 || math.Abs(j.Plateaus[0].Lambda-0.0757005) > 1e-6 {
		t.Errorf("P1 starts at %d with λ = %g; want 0 and 0.0757005", j.Plateaus[0].Start, j.Plateaus[0].Lambda)
	}
	if len(j.Plateaus[1].NonDiff) == 0 || len(j.Plateaus[2].NonDiff) == 0 {
		t.Error("P2 and P3 should have non-differentiable neurons (a hyperplane on x = 0.7)")
	}
	f := j.Final
	if f.Verdict != "local-min" || f.LossExact == nil || *f.LossExact != "16139/578750" || len(f.Escape) != 0 || len(f.Fragile) == 0 {
		t.Errorf("final: %+v; want a fragile local-min at 16139/578750", f)
	}
}

// The report and JSON with a stub certifier: what train hands it, and that
// the stub's answers reach the output.
func TestTrainReportStub(t *testing.T) {
	old := certify
	defer func() { certify = old }()
	var got []*verify.Point
	certify = func(p *verify.Point, tol float64, _ verify.Options) (*trainCert, error) {
		got = append(got, p)
		return &trainCert{Verdict: "stub-verdict", Escape: []int{3, 4}, NonDiff: []int{7}, Fragile: []string{"stub fragile"}}, nil
	}
	plot := filepath.Join(t.TempDir(), "fig3.png")
	code, out, errOut := runArgs("train", fig3Data, "--lr", "0.01", "--steps", "30000", "--loss", "half", "--plot", plot, "--window", "200")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, s := range []string{"stub-verdict", "escape neurons (2): 3 4", "non-differentiable neurons (1): 7", "stub fragile",
		"(1/2n)Σ|r_i|²", "|ln L_t − ln L_{t−200}| < 0.001", "P1", "P2", "predicted", "observed"} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
	if len(got) < 2 {
		t.Fatalf("certify called %d times", len(got))
	}
	for _, p := range got {
		if p.M() != 50 || p.N() != 5 || p.D() != 2 || p.Y.At(0, 0).RatString() != "7/25" {
			t.Errorf("certify got m = %d, n = %d, d = %d", p.M(), p.N(), p.D())
		}
	}
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("plot: %v", err)
	}

	j := runTrainJSON(t, "--lr", "0.01", "--steps", "30000", "--loss", "half")
	if j.LossScaling != "half" || len(j.Plateaus) < 2 {
		t.Fatalf("%+v", j)
	}
	for _, p := range j.Plateaus {
		if p.Verdict != "stub-verdict" || !slices.Equal(p.Escape, []int{3, 4}) || p.LossExact != nil {
			t.Errorf("plateau %+v", p)
		}
	}
	// half = mse/2 for k = 1: the origin plateau is at mean y²/2
	if math.Abs(j.Plateaus[0].Loss-0.01906) > 1e-8 {
		t.Errorf("origin plateau (1/2n) loss %g, want 0.01906", j.Plateaus[0].Loss)
	}
	if j.Final.Verdict != "stub-verdict" || j.Final.Escape == nil || j.Final.Fragile == nil {
		t.Errorf("final %+v", j.Final)
	}
}

// The short-clock reference run with a trainable output bias (nn.Linear's
// default), certified by the real snap. Expected by hand: b fits the mean
// first, so the first plateau is the zero network with b = ȳ = 11/250, at
// mse_loss (1/n)Σ(y_i − ȳ)² = 4523/125000, a saddle (the case
// bias-fig3-origin-saddle works its escape out); the inputs carry a bias
// coordinate, so b adds nothing to the affine least-squares fit and the run
// ends at the same fragile local minimum 16139/578750 as without b, with
// one plateau fewer. λ = 0.0454182 was checked by an independent float
// brute force over 2·10⁶ directions (0.045418206).
func TestTrainFig3OutputBias(t *testing.T) {
	j := runTrainJSON(t, "--lr", "0.01", "--steps", "60000", "--tol", "1e-3", "--output-bias")
	want := []struct{ exact, verdict string }{
		{"4523/125000", "saddle"},
		{"16139/578750", "local-min"},
	}
	if len(j.Plateaus) != len(want) {
		t.Fatalf("%d plateaus, want %d: %+v", len(j.Plateaus), len(want), j.Plateaus)
	}
	for i, w := range want {
		p := j.Plateaus[i]
		if p.LossExact == nil || *p.LossExact != w.exact || p.Verdict != w.verdict {
			t.Errorf("P%d: exact loss %v, verdict %s; want %s, %s", i+1, p.LossExact, p.Verdict, w.exact, w.verdict)
		}
	}
	if math.Abs(j.Plateaus[0].Lambda-0.0454182) > 1e-6 || len(j.Plateaus[0].Escape) == 0 {
		t.Errorf("P1: λ = %g, escape %v; want 0.0454182 and escape neurons", j.Plateaus[0].Lambda, j.Plateaus[0].Escape)
	}
	if j.Final.Verdict != "local-min" || j.Final.LossExact == nil || *j.Final.LossExact != "16139/578750" {
		t.Errorf("final: %+v", j.Final)
	}
}
