package main

import (
	"bytes"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/relucert/relucert/cases"
)

// bigCase writes a copy of the catalogue's s2-gradient-fail case (not
// stationary) whose neuron has a w entry with a numerator of the given
// number of decimal digits, and returns its path.
func bigCase(t *testing.T, digits int) string {
	t.Helper()
	num := "7" + strings.Repeat("3", digits-1)
	body := fmt.Sprintf(`{"name": "big", "activation": "relu",
		"inputs": [["1", "1"], ["1", "-1"], ["-1", "0"]], "targets": [["1"], ["3"], ["-3"]],
		"neurons": [{"w": ["1", "%s/7919"], "a": ["2"]}]}`, num)
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHostileInputs: each class of input of issue 12 ends with exit 2 and a
// message naming the file and the field, or with an undetermined verdict
// whose reason names the budget.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	suiteDir := filepath.Join(dir, "suite")
	os.Mkdir(suiteDir, 0o755)
	data, _ := os.ReadFile("../../cases/catalogue/s2-gradient-fail.json")
	os.WriteFile(filepath.Join(suiteDir, "a.json"), data, 0o644)
	if err := syscall.Mkfifo(filepath.Join(suiteDir, "b.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := bigCase(t, 1500) // 4983 bits
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"big number", []string{"check", big}, 2, []string{big, "neurons[0].w[1]", "numerator of 4983 bits", "--max-bits"}},
		{"big number allowed", []string{"check", "--max-bits", "5000", big}, 0, []string{"verdict: not-stationary"}},
		{"bad --max-bits", []string{"check", "--max-bits", "0", big}, 2, []string{"--max-bits 0: want 1 to"}},
		{"fifo case", []string{"check", fifo}, 2, []string{fifo, "named pipe (FIFO), not a regular file"}},
		{"fifo in suite", []string{"suite", suiteDir}, 1, []string{"b.json", "named pipe (FIFO)", "1 passed, 1 failed"}},
		{"directory case", []string{"check", dir}, 2, []string{"a directory, not a regular file"}},
		{"train steps", []string{"train", "testdata/fig3.json", "--steps", "1000000000000"}, 2, []string{"--steps 1000000000000: want 1 to 1000000000"}},
		{"train width", []string{"train", "testdata/fig3.json", "--width", "9223372036854775807"}, 2, []string{"--width 9223372036854775807: want 1 to 65536"}},
		{"train window", []string{"train", "testdata/fig3.json", "--steps", "10", "--window", "11"}, 2, []string{"--window 11"}},
		{"explore steps", []string{"explore", "testdata/fig3.json", "--steps", "1000000000000"}, 2, []string{"relucert explore: --steps 1000000000000: want 1 to 1000000000"}},
		{"explore width", []string{"explore", "testdata/fig3.json", "--width", "10,9223372036854775807"}, 2, []string{"relucert explore: --width 9223372036854775807: want 1 to 65536"}},
		{"explore runs", []string{"explore", "testdata/fig3.json", "--width", "10,20", "--runs", "1000000000000"}, 2, []string{"--runs 1000000000000: want 1 to 524288"}},
		{"explore window", []string{"explore", "testdata/fig3.json", "--steps", "10", "--window", "11"}, 2, []string{"relucert explore: --window 11"}},
		{"gen d", []string{"gen", "--d", "9223372036854775807"}, 2, []string{"--d 9223372036854775807: want 0 to 4096"}},
		{"gen values", []string{"gen", "--n", "1000000", "--d", "100"}, 2, []string{"values", "more than 4194304"}},
		{"bench d", []string{"bench", "--d", "9223372036854775807"}, 2, []string{"--d 9223372036854775807: want 0 to 4096"}},
		{"budget ceiling", []string{"check", "--budget", "time=10000h", big}, 2, []string{"more than the maximum"}},
	}
	for _, tt := range tests {
		done := make(chan struct{})
		var code int
		var out, errb bytes.Buffer
		go func() {
			defer close(done)
			code = run(tt.args, &out, &errb)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			t.Fatalf("%s: still running after 2 minutes", tt.name) // e.g. blocked on a FIFO
		}
		text := out.String() + errb.String()
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d:\n%s", tt.name, code, tt.code, text)
		}
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.name, w, text)
			}
		}
	}
}

// TestBudgetEndsEveryCommand: with a time budget, check, embed and train
// end with an undetermined verdict (exit 3) that names the budget,
// on inputs whose exact work takes far longer: a w numerator of 30,000
// digits (--max-bits raised), and a training run of 10⁹ steps. (How soon
// they end is measured in the table, not here.)
func TestBudgetEndsEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("slow inputs; -short")
	}
	big := bigCase(t, 30000)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"check", "--max-bits", "200000", "--budget", "time=1s", big}, []string{"undetermined", "budget"}},
		{[]string{"check", "--json", "--max-bits", "200000", "--budget", "time=1s", big}, []string{`"undetermined"`, "budget"}},
		{[]string{"embed", "--max-bits", "200000", "--budget", "time=1s", "--add-zero-output", "1,0", big}, []string{"undetermined", "budget"}},
		{[]string{"train", "testdata/fig3.json", "--steps", "1000000000", "--budget", "time=1s"}, []string{"training stopped early: the time budget ran out"}},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		text := out.String() + errb.String()
		ok := code == exitUndetermined
		for _, w := range tc.want {
			ok = ok && strings.Contains(text, w)
		}
		if !ok {
			t.Errorf("%v: exit %d, want 3 with %q:\n%.2000s", tc.args[:3], code, tc.want, text)
		}
	}
}

// TestSuiteFloatLimitation: a catalogue case with its targets and output
// weights times 10^-300 (written exactly; same exact verdict) is one the
// float64 path cannot decide. suite counts that as an expected limitation,
// not a disagreement — even with "float_must_agree": true.
func TestSuiteFloatLimitation(t *testing.T) {
	c, err := cases.Load("../../cases/catalogue/s2-gradient-fail.json")
	if err != nil {
		t.Fatal(err)
	}
	tiny := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(300), nil))
	for i := range c.Targets.Rows() {
		c.Targets.Set(i, 0, new(big.Rat).Mul(c.Targets.At(i, 0), tiny))
	}
	for j := range c.Neurons {
		c.Neurons[j].A[0] = new(big.Rat).Mul(c.Neurons[j].A[0], tiny)
	}
	c.Name, c.FloatMustAgree = "s2-gradient-fail-tiny", true
	data, err := cases.Write(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tiny.json"), data, 0o644)
	code, out, errOut := runArgs("suite", "--max-bits", "2000", dir)
	if code != exitOK || !strings.Contains(out, "limit (float64)") || !strings.Contains(out, "float64 cannot decide 1 case(s)") ||
		!strings.Contains(out, "float64 disagrees with exact on 0 of 1 cases") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}

// TestBudgetStopJSON: when the time budget ends check while it reads the
// file (here a deadline that has passed, on a file of 6000 samples), the
// --json object says undetermined with the reason, exit 3, and matches
// check's schema.
func TestBudgetStopJSON(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"activation": "relu", "inputs": [`)
	for i := range 6000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `["%d"]`, i%7)
	}
	b.WriteString(`], "targets": [`)
	for i := range 6000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`["1"]`)
	}
	b.WriteString(`]}`)
	path := filepath.Join(t.TempDir(), "long.json")
	os.WriteFile(path, []byte(b.String()), 0o644)
	code, out, _ := runArgs("check", "--json", "--budget", "time=1ns", path)
	if code != exitUndetermined || !strings.Contains(out, `"verdict": "undetermined"`) || !strings.Contains(out, "time budget exceeded while reading the case file") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	validate(t, compile(t, "check"), "check --json stopped while reading", out)
}
