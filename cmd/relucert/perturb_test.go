package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// catalogueFile is the path of a catalogue case from this package's
// directory.
func catalogueFile(name string) string {
	return filepath.Join("..", "..", "cases", "catalogue", name+".json")
}

// TestPerturbBlindSaddle: the catalogue's perturbation-blind saddle — the
// exact engine certifies a saddle, and 5000 uniform perturbations of
// amplitude 1e-2 (the defaults) find no decrease.
func TestPerturbBlindSaddle(t *testing.T) {
	file := catalogueFile("perturb-blind-saddle")
	code, out, errOut := runArgs("check", file, "--perturb", "5000")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	verdict := strings.Index(out, "verdict: saddle")
	heur := strings.Index(out, "heuristic (not a verdict)")
	if verdict < 0 || heur < verdict {
		t.Errorf("want the exact verdict, then the heuristic:\n%s", out)
	}
	if !strings.Contains(out, "0 of 5000 trials decreased the loss") || !strings.Contains(out, "proves nothing") {
		t.Errorf("want no decrease in 5000 trials:\n%s", out)
	}

	code, out, _ = runArgs("check", file, "--perturb", "5000", "--json")
	var r struct {
		Verdict string `json:"verdict"`
		Perturb *struct {
			Label     string   `json:"label"`
			N         int      `json:"n"`
			Amplitude float64  `json:"amplitude"`
			Seed      uint64   `json:"seed"`
			Trials    int      `json:"trials"`
			Decreases int      `json:"decreases"`
			MinChange *float64 `json:"min_change"`
			Loss      *float64 `json:"loss_approx"`
		} `json:"perturb"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	p := r.Perturb
	if r.Verdict != "saddle" || p == nil || p.Label != "heuristic (not a verdict)" || p.N != 5000 || p.Trials != 5000 ||
		p.Decreases != 0 || p.MinChange == nil || !(*p.MinChange > 0) || p.Loss == nil || *p.Loss != 0.5 ||
		p.Amplitude != defaultAmplitude || p.Seed != defaultSeed {
		t.Errorf("verdict %s, perturb %+v", r.Verdict, p)
	}
	// Other seeds miss the saddle too.
	for _, seed := range []string{"2", "3"} {
		_, out, _ := runArgs("check", file, "--perturb", "5000", "--seed", seed)
		if !strings.Contains(out, "0 of 5000 trials decreased") {
			t.Errorf("seed %s found a decrease:\n%s", seed, out)
		}
	}
}

// TestPerturbNotStationary: at a point that is not stationary about half
// the perturbations decrease the loss, and the result is reproducible.
func TestPerturbNotStationary(t *testing.T) {
	file := catalogueFile("s1-fail-zero-output")
	args := []string{"check", file, "--perturb", "400", "--amplitude", "1e-3", "--seed", "7", "--json"}
	code, out, errOut := runArgs(args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var r struct {
		Verdict string `json:"verdict"`
		Perturb struct {
			Decreases int      `json:"decreases"`
			MinChange *float64 `json:"min_change"`
			Amplitude float64  `json:"amplitude"`
			Seed      uint64   `json:"seed"`
		} `json:"perturb"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Verdict != "not-stationary" || r.Perturb.Decreases < 50 || r.Perturb.MinChange == nil || !(*r.Perturb.MinChange < 0) ||
		r.Perturb.Amplitude != 1e-3 || r.Perturb.Seed != 7 {
		t.Errorf("%+v", r)
	}
	if _, again, _ := runArgs(args...); again != out {
		t.Errorf("same seed, different output")
	}
}

func TestPerturbFlags(t *testing.T) {
	file := catalogueFile("perturb-blind-saddle")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--perturb", "-1"}, "--perturb -1: want 0 to 1000000 trials"},
		{[]string{"--perturb", "1000001"}, "--perturb 1000001: want 0 to 1000000 trials"},
		{[]string{"--perturb", "10", "--amplitude", "0"}, "--amplitude must be positive"},
		{[]string{"--perturb", "10", "--amplitude", "-1"}, "--amplitude must be positive"},
		{[]string{"--perturb", "10", "--amplitude", "+Inf"}, "--amplitude must be positive"},
		{[]string{"--seed", "3"}, "--seed needs --perturb N"},
		{[]string{"--amplitude", "0.1"}, "--amplitude needs --perturb N"},
		{[]string{"--perturb", "x"}, "invalid value"},
	} {
		code, _, errOut := runArgs(append([]string{"check", file}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, errOut, exitUsage, tc.msg)
		}
	}
	// Without --perturb the report is unchanged and the JSON's "perturb"
	// member is null (one shape for the JSON contract).
	_, out, _ := runArgs("check", file, "--json")
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if v, ok := m["perturb"]; !ok || v != nil {
		t.Errorf("check --json without --perturb: perturb is %v, want null", v)
	}
	if _, ok := m["verdict"]; !ok {
		t.Errorf("check --json lost its fields: %v", m)
	}
	if _, out, _ := runArgs("check", file); strings.Contains(out, "heuristic") {
		t.Errorf("check without --perturb prints the heuristic")
	}
}
