package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// corpus is a file of the corpus of trained points (testdata/corpus,
// written by real PyTorch, scikit-learn and NumPy).
func corpus(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata", "corpus"}, parts...)...)
}

// checkJSON runs check --json and returns its exit code and the verdict,
// loss and escape neurons.
func checkJSON(t *testing.T, args ...string) (int, string, string, []int) {
	t.Helper()
	code, stdout, stderr := runArgs(append([]string{"check", "--json"}, args...)...)
	var out struct {
		Verdict string `json:"verdict"`
		Loss    string `json:"loss"`
		Escape  []int  `json:"escape_neurons"`
	}
	if code == exitUsage {
		return code, stderr, "", nil
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stdout)
	}
	return code, out.Verdict, out.Loss, out.Escape
}

// TestCheckDataAndWeights: the same trained point read three ways — the
// exact case file (fractions written by Python) with the weights as .npz,
// the data .npz with the weights as the torch.save file, the .npy pair —
// gives the same exact loss and verdict; the CSV written by numpy.savetxt
// gives it only with --numbers float64 (its decimals are not the binary
// values trained on).
func TestCheckDataAndWeights(t *testing.T) {
	pt := corpus("weights", "ts1-relu-64-end.pt")
	code, verdict, loss, escape := checkJSON(t, corpus("data", "ts1-relu-64.json"), "--weights", corpus("weights", "ts1-relu-64-end.npz"))
	if code == exitUsage || verdict == "" || loss == "" {
		t.Fatalf("case + npz: exit %d, verdict %q, loss %q", code, verdict, loss)
	}
	for _, args := range [][]string{
		{"--data", corpus("data", "ts1-relu-64.npz"), "--activation", "relu", "--bias", "--weights", pt},
		{"--data", corpus("data", "ts1-relu-64.X.npy") + "," + corpus("data", "ts1-relu-64.Y.npy"), "--activation", "relu", "--bias", "--weights", pt},
		{"--data", corpus("data", "ts1-relu-64.csv"), "--numbers", "float64", "--activation", "relu", "--bias", "--weights", pt, "--layers", "fc1.weight,fc2.weight"},
	} {
		c2, v2, l2, e2 := checkJSON(t, args...)
		if c2 != code || v2 != verdict || l2 != loss || len(e2) != len(escape) {
			t.Errorf("%v: exit %d, %s, loss %s; the case file gave exit %d, %s, loss %s", args, c2, v2, l2, code, verdict, loss)
		}
	}
	// Read exactly, the CSV's 17-digit decimals are other numbers.
	_, _, l3, _ := checkJSON(t, "--data", corpus("data", "ts1-relu-64.csv"), "--activation", "relu", "--bias", "--weights", pt)
	if l3 == loss || l3 == "" {
		t.Errorf("CSV read exactly: loss %q, the binary data give %q", l3, loss)
	}
	// float32 data: the .npz holds the float32 values, and the CSV's
	// 9-digit decimals read as the nearest float32 are the same numbers.
	pt32 := corpus("weights", "diabetes-relu-32-end.pt")
	c4, v4, l4, _ := checkJSON(t, "--data", corpus("data", "diabetes-relu-32.npz"), "--activation", "relu", "--bias", "--weights", pt32)
	c5, v5, l5, _ := checkJSON(t, "--data", corpus("data", "diabetes-relu-32.csv"), "--numbers", "float32", "--activation", "relu", "--bias", "--weights", pt32)
	if c4 == exitUsage || c4 != c5 || v4 != v5 || l4 != l5 {
		t.Errorf("float32 data: npz exit %d %s %s, csv exit %d %s %s", c4, v4, l4, c5, v5, l5)
	}
}

// TestSnapDataAndWeights: snap reads --data and a .pt file with no case
// file (whatever it concludes, it is not a usage error), and names them.
func TestSnapDataAndWeights(t *testing.T) {
	pt := corpus("weights", "fig3-relu-64-end.pt")
	code, stdout, stderr := runArgs("snap", "--data", corpus("data", "fig3-relu-64.npz"), "--activation", "relu", "--bias",
		"--weights", pt, "--max-neighbours", "-1")
	if code == exitUsage || !strings.Contains(stdout, "weights: "+pt) || !strings.Contains(stdout, "n = 5, d = 2 (1 + bias), k = 1, m = 50") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	// The CSV numpy.savetxt wrote, read as float64, is the same point: the
	// same snap report.
	code2, stdout2, _ := runArgs("snap", "--data", corpus("data", "fig3-relu-64.csv"), "--numbers", "float64", "--activation", "relu", "--bias",
		"--weights", pt, "--max-neighbours", "-1")
	strip := func(s string) string { // the lines naming the data file differ
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, "fig3-relu-64.") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if code2 != code || strip(stdout2) != strip(stdout) {
		t.Errorf("CSV: exit %d (npz: %d), reports differ:\n%s", code2, code, stdout2)
	}
}

// TestInputUsage: flags that do not go together are usage errors (exit 2)
// with a message saying why.
func TestInputUsage(t *testing.T) {
	data := corpus("data", "ts1-relu-64.npz")
	cs := corpus("data", "ts1-relu-64.json")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", cs, "--data", data, "--activation", "relu"}, "not both"},
		{[]string{"check", "--data", data}, "--data needs --activation"},
		{[]string{"snap", cs, "--activation", "relu"}, "--activation goes with --data"},
		{[]string{"snap", cs, "--bias"}, "--bias goes with --data"},
		{[]string{"check", cs, "--layers", "a,b"}, "--layers goes with --weights"},
		{[]string{"check", cs, "--numbers", "float16"}, `--numbers "float16": want exact, float64 or float32`},
		{[]string{"check", "--data", data, "--activation", "tanh"}, `--activation "tanh"`},
		{[]string{"check", cs, "--weights", corpus("weights", "ts1-relu-64-end.pt"), "--layers", "x"}, "--layers \"x\": want FIRST,SECOND"},
		{[]string{"check", "--data", data, "--activation", "relu", "--weights", corpus("weights", "ts1-relu-64-end.pt")}, "no \"bias\": true"},
	} {
		code, _, stderr := runArgs(c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q does not say %q", c.args, code, stderr, c.want)
		}
	}
}
