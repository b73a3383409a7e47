package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCheckOutputBiasJSON: check --json reports b, ∂L/∂b and the (S0)
// descent's move of b for bias-dead-s0-not-stationary (by hand: r = (−1, −3),
// ∂L/∂b = −2, δb = 2), and null for a case without an output bias.
func TestCheckOutputBiasJSON(t *testing.T) {
	type out struct {
		Verdict      string
		OutputBias   []string `json:"output_bias"`
		BiasGradient []string `json:"bias_gradient"`
		Certificate  struct {
			Descent *struct {
				Condition string
				Neuron    int
				Bias      []string
				Path      struct{ Bias []string }
			}
		}
	}
	code, stdout, stderr := runArgs("check", "../../cases/catalogue/bias-dead-s0-not-stationary.json", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var j out
	if err := json.Unmarshal([]byte(stdout), &j); err != nil {
		t.Fatal(err)
	}
	d := j.Certificate.Descent
	if j.Verdict != "not-stationary" || strings.Join(j.OutputBias, ",") != "0" || strings.Join(j.BiasGradient, ",") != "-2" ||
		d == nil || d.Condition != "S0" || d.Neuron != -1 || strings.Join(d.Bias, ",") != "2" || strings.Join(d.Path.Bias, ",") != "2" {
		t.Errorf("got %+v, descent %+v", j, d)
	}
	code, stdout, _ = runArgs("check", "../../cases/catalogue/global-min-interpolation.json", "--json")
	if code != exitOK || !strings.Contains(stdout, `"output_bias": null`) || !strings.Contains(stdout, `"bias_gradient": null`) {
		t.Errorf("without an output bias: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runArgs("check", "../../cases/catalogue/bias-dead-s0-not-stationary.json")
	if code != exitOK || !strings.Contains(stdout, "∂L/∂b = (1/n) Σ r_i = [-2] (S0 FAILS)") || !strings.Contains(stdout, "output bias: δb = [2]") {
		t.Errorf("report:\n%s", stdout)
	}
}

// TestSnapOutputBiasJSON: snap fits b with the other unknowns; near a dead
// neuron f is the constant b, whose best value is mean y = 2 (by hand).
func TestSnapOutputBiasJSON(t *testing.T) {
	code, stdout, stderr := runArgs("snap", "testdata/bias-candidate.json", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var j struct {
		Verdict         string
		PointOutputBias []string `json:"point_output_bias"`
		Residuals       struct {
			BiasGradient []string `json:"bias_gradient"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &j); err != nil {
		t.Fatal(err)
	}
	// At the candidate r = (1.0000001, −0.9999999): ∂L/∂b = 1e-7.
	if j.Verdict != "local-min" || strings.Join(j.PointOutputBias, ",") != "2" || strings.Join(j.Residuals.BiasGradient, ",") != "1/10000000" {
		t.Errorf("got %+v", j)
	}
}
