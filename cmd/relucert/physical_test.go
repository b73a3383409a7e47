package main

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestMain lets the test binary act as the relucert command when it is
// started as a child of "bench --physical" (which re-runs its own
// executable for each row).
func TestMain(m *testing.M) {
	if os.Getenv(strings.SplitN(childEnv, "=", 2)[0]) == strings.SplitN(childEnv, "=", 2)[1] {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestBenchPhysicalJSON runs "bench --physical --json" on two tiny rows (in
// child processes) and checks the fields issue 15 asks for and that the
// ratios are the quotients of the times.
func TestBenchPhysicalJSON(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"bench", "--physical", "--json", "--big=false", "--sizes", "40", "--d", "3,5", "--m", "4", "--k", "1", "--boundary", "2"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %q", out.String())
	}
	for i, l := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		for _, k := range []string{"n", "d", "m", "k", "check_s", "fwdgrad_s", "recheck_s", "float_s", "perturb_s", "verdict", "expected", "peak_mib", "limit_mib"} {
			if _, ok := r[k]; !ok {
				t.Errorf("field %q missing in %s", k, l)
			}
		}
		if r["d"] != float64(3+2*i) || r["n"] != 40.0 {
			t.Errorf("row %d: %s", i, l)
		}
		if r["verdict"] != r["expected"] || r["recheck"] != "ok" || r["float_verdict"] != r["verdict"] {
			t.Errorf("%s", l)
		}
		// Check and Recheck are timed like the yardstick: the least of at
		// least 3 runs (these rows take milliseconds), never more than the
		// first run.
		for _, st := range []string{"check", "recheck"} {
			least, first, runs := r[st+"_s"].(float64), r[st+"_first_s"].(float64), r[st+"_runs"].(float64)
			if runs < 3 || runs > 20 || least > first {
				t.Errorf("%s: %v runs, least %v, first %v", st, runs, least, first)
			}
		}
		fw, ch := r["fwdgrad_s"].(float64), r["check_s"].(float64)
		if fw > 0 && r["check_ratio"].(float64) != ch/fw {
			t.Errorf("check_ratio %v ≠ %v / %v", r["check_ratio"], ch, fw)
		}
		if want := 4*r["float64_mib"].(float64) + 100; r["limit_mib"] != want {
			t.Errorf("limit_mib %v, want %v", r["limit_mib"], want)
		}
	}
	out.Reset()
	if code := run([]string{"bench", "--physical", "--big=false", "--sizes", "30", "--d", "3", "--m", "2", "--k", "2", "--boundary", "1"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "fwdgrad_s") {
		t.Errorf("table: exit %d, %q %q", code, out.String(), errb.String())
	}
	if code := run([]string{"bench", "--physical", "--d", "0"}, &out, &errb); code != exitUsage {
		t.Errorf("bad --d: exit %d", code)
	}
}

// TestBenchPhysicalRows: --rows runs exactly the rows listed (n:d:m:k, in
// order, instead of the product of the lists), issue15 expands to the seven
// rows of issue 15's table, and a malformed row is a usage error.
func TestBenchPhysicalRows(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"bench", "--physical", "--json", "--big=false", "--float-timeout", "0", "--boundary", "2", "--rows", "40:3:4:1, 30:2:3:2"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
	var got [][4]float64
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, [4]float64{r["n"].(float64), r["d"].(float64), r["m"].(float64), r["k"].(float64)})
	}
	if want := [][4]float64{{40, 3, 4, 1}, {30, 2, 3, 2}}; !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	rows, err := parseRows("issue15")
	if err != nil || len(rows) != 7 || rows[0] != [4]int{10000, 16, 256, 1} || rows[6] != [4]int{100000, 16, 256, 4} {
		t.Errorf("issue15: %v, %v", rows, err)
	}
	for _, bad := range []string{"40:3:4", "40:3:4:x", "40:0:4:1", "2000000:3:4:1"} {
		if code := run([]string{"bench", "--physical", "--rows", bad}, &out, &errb); code != exitUsage {
			t.Errorf("--rows %s: exit %d", bad, code)
		}
	}
}

// TestLeastOfTimes: the timing rule of bench --physical on scripted runs
// (CPU seconds; wall = 10·CPU to tell them apart), the expected values
// worked out by hand from the rule: at least 3 runs and 1 s, no run once
// 10 s are spent, at most 20.
func TestLeastOfTimes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		times []float64 // first, then the later runs in order
		cpu   float64
		cold  float64
		runs  int
	}{
		// Fast runs: 20 of them (0.01 s each, never 1 s in total).
		{"capped at 20", append([]float64{0.05}, repeat(0.01, 30)...), 0.01, 0.05, 20},
		// 0.4 + 0.3 + 0.5 = 1.2 s after 3 runs: stop; least 0.3, cold 0.4.
		{"3 runs and 1 s", []float64{0.4, 0.3, 0.5, 0.1, 0.1}, 0.3, 0.4, 3},
		// 0.3 + 0.25 + 0.2 + 0.2 = 0.95 s after four runs, 1.1 s after
		// the fifth: stop; least 0.15.
		{"1 s", []float64{0.3, 0.25, 0.2, 0.2, 0.15, 0.1}, 0.15, 0.3, 5},
		// Over 1 s at once, but 3 runs all the same (5.3 s < 10 s).
		{"3 runs", []float64{2, 1.5, 1.8, 1}, 1.5, 2, 3},
		// A 12 s first run: no more runs; least = cold.
		{"one long run", []float64{12, 1}, 12, 12, 1},
		// 6 + 5 = 11 s after two runs: stop before the third.
		{"10 s", []float64{6, 5, 1}, 5, 6, 2},
	} {
		i := 0
		run := func() (float64, float64) {
			c := tc.times[i]
			i++
			return c, 10 * c
		}
		cpu, wall, cold, runs := leastOfTimes(run, run)
		if cpu != tc.cpu || wall != 10*tc.cpu || cold != tc.cold || runs != tc.runs || i != runs {
			t.Errorf("%s: cpu %v wall %v cold %v runs %d (measured %d), want %v %v %v %d", tc.name, cpu, wall, cold, runs, i, tc.cpu, 10*tc.cpu, tc.cold, tc.runs)
		}
	}
}

func repeat(x float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = x
	}
	return out
}
