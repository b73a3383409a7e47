package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestCheckBudgetAndWeights: --budget bounds the work (an exhausted time
// budget gives undetermined with the reason and exit 3, never a guess), bad
// budget specs are usage errors, and --weights replaces the case's neurons
// with those of an npz file (the fixture's m = 3).
func TestCheckBudgetAndWeights(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"time budget exhausted", []string{"check", "--json", "--budget", "time=1ns", "../../cases/catalogue/nonglobal-local-min.json"}, exitUndetermined, `"verdict": "undetermined"`},
		{"budget reason", []string{"check", "--budget", "time=1ns", "../../cases/catalogue/nonglobal-local-min.json"}, exitUndetermined, "time budget"},
		{"ample budget", []string{"check", "--budget", "cells=100,pivots=1000,time=1m", "../../cases/catalogue/nonglobal-local-min.json"}, 0, "agrees"},
		{"bad key", []string{"check", "--budget", "seconds=3", "../../cases/catalogue/nonglobal-local-min.json"}, 2, "unknown key"},
		{"bad number", []string{"check", "--budget", "cells=-1", "../../cases/catalogue/nonglobal-local-min.json"}, 2, "non-negative"},
		{"bad duration", []string{"check", "--budget", "time=soon", "../../cases/catalogue/nonglobal-local-min.json"}, 2, "duration"},
		{"weights", []string{"check", "--json", "--weights", "../../cases/testdata/weights/w1w2.npz", "../../cases/testdata/weights/fig3-data.json"}, 0, `"verdict"`},
		{"bad weights", []string{"check", "--weights", "../../cases/testdata/weights/nan.npz", "../../cases/testdata/weights/fig3-data.json"}, 2, "NaN"},
		{"suite budget", []string{"suite", "--budget", "time=1m"}, 0, " passed, 0 failed"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(tt.args, &out, &errb)
		text := out.String() + errb.String()
		if code != tt.code || !strings.Contains(text, tt.want) {
			t.Errorf("%s: exit %d, want %d with %q in:\n%s", tt.name, code, tt.code, tt.want, text)
		}
		if tt.name == "weights" {
			var got struct {
				Neurons []json.RawMessage `json:"neurons"`
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got.Neurons) != 3 {
				t.Errorf("weights: %d neurons (%v), want the fixture's 3", len(got.Neurons), err)
			}
		}
	}
}
