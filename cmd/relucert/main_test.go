package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/verify"
)

// runArgs runs the command in process and returns its exit code and output.
func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, out, _ := runArgs(args...)
		if code != exitOK {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, name := range []string{"check", "suite", "snap", "train", "embed", "gen", "bench"} {
			if !strings.Contains(out, "relucert "+name) {
				t.Errorf("%v: usage does not list %s:\n%s", args, name, out)
			}
		}
	}
	if code, _, errOut := runArgs(); code != exitUsage || !strings.Contains(errOut, "usage") {
		t.Errorf("no arguments: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runArgs("frobnicate"); code != exitUsage || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
	if code, out, _ := runArgs("help", "check"); code != exitOK || !strings.Contains(out, "check (CASE.json | --data") {
		t.Errorf("help check: exit %d, %q", code, out)
	}
	for _, p := range planned {
		if _, ok := commands[p.name]; ok {
			continue
		}
		code, _, errOut := runArgs(p.name, "x")
		if code != exitUsage || !strings.Contains(errOut, "not implemented yet") {
			t.Errorf("%s: exit %d, %q", p.name, code, errOut)
		}
	}
	if code, _, errOut := runArgs("check", "-h"); code != exitOK || !strings.Contains(errOut, "usage: relucert check") {
		t.Errorf("check -h: exit %d, %q", code, errOut)
	}
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		pos   []string
		json  bool
		cells int
	}{
		{[]string{"x.json", "--json"}, []string{"x.json"}, true, 0},
		{[]string{"--json", "x.json"}, []string{"x.json"}, true, 0},
		{[]string{"x.json"}, []string{"x.json"}, false, 0},
		{[]string{"a", "--max-cells", "3", "b", "-json"}, []string{"a", "b"}, true, 3},
		{[]string{"--max-cells=4", "--", "-x.json", "--json"}, []string{"-x.json", "--json"}, false, 4},
		{[]string{}, nil, false, 0},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		j := fs.Bool("json", false, "")
		cells := fs.Int("max-cells", 0, "")
		pos, err := parseArgs(fs, tc.args)
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if !slices.Equal(pos, tc.pos) || *j != tc.json || *cells != tc.cells {
			t.Errorf("%v: pos %q json %v cells %d", tc.args, pos, *j, *cells)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Int("max-cells", 0, "")
	if _, err := parseArgs(fs, []string{"x", "--max-cells", "many"}); err == nil {
		t.Errorf("bad flag value accepted")
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"check"},
		{"check", "a.json", "b.json"},
		{"check", "--bogus", "a.json"},
		{"check", "a.json", "--max-cells", "-1"},
		{"check", filepath.Join("testdata", "does-not-exist.json")},
	} {
		code, out, errOut := runArgs(args...)
		if code != exitUsage || errOut == "" || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// badFields names, for some files of cases/testdata/bad, the field path
// (with index) the message must contain.
var badFields = map[string]string{
	"zero-denominator.json":     `inputs[3][1]: "1/0": zero denominator`,
	"ragged.json":               "inputs[1]",
	"nan.json":                  "targets[1][0]",
	"inf.json":                  "neurons[0].w[1]",
	"wrong-w-length.json":       "neurons[1].w",
	"wrong-a-length.json":       "neurons[0].a",
	"k-mismatch.json":           "targets[1]",
	"unknown-activation.json":   "activation",
	"unknown-field.json":        "weights",
	"unknown-nested-field.json": "neurons[0].b",
	"huge-exponent.json":        "inputs[0][0]",
	"escape-out-of-range.json":  "expect.escape_neurons[0]",
	"truncated.json":            "truncated JSON",
}

func TestCheckBadInput(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "cases", "testdata", "bad", "*.json"))
	if err != nil || len(files) < len(badFields) {
		t.Fatalf("bad files: %v %v", files, err)
	}
	for _, f := range files {
		for _, asJSON := range []bool{false, true} {
			args := []string{"check", f}
			if asJSON {
				args = append(args, "--json")
			}
			code, out, errOut := runArgs(args...)
			if code != exitUsage {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
			if !strings.HasPrefix(errOut, "relucert check: case "+f+": ") {
				t.Errorf("%v: stderr %q does not name the file", args, errOut)
			}
			if strings.Contains(errOut, "internal error") {
				t.Errorf("%v: %s", args, errOut)
			}
			if frag, ok := badFields[filepath.Base(f)]; ok && !strings.Contains(errOut, frag) {
				t.Errorf("%v: stderr %q does not contain %q", args, errOut, frag)
			}
			if !asJSON && out != "" {
				t.Errorf("%v: stdout %q", args, out)
			}
			if asJSON {
				var obj jsonInputError
				if err := json.Unmarshal([]byte(out), &obj); err != nil || obj.Error == "" || obj.ExitCode != exitUsage {
					t.Errorf("%v: JSON %q: %v", args, out, err)
				}
			}
		}
	}
}

// goodDir holds hand-made cases whose expect blocks were derived by hand
// (see each file's source).
var goodDir = filepath.Join("..", "..", "cases", "testdata")

func TestCheckTestdata(t *testing.T) {
	cs, errs := cases.LoadDir(goodDir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, c := range cs {
		t.Run(c.Name, func(t *testing.T) {
			// The exit code the file calls for: 1 for the two files whose
			// expect block is deliberately wrong, 0 for the rest.
			want := exitOK
			if c.Name == "disagree" || c.Name == "expects-error-but-valid" {
				want = exitDisagree
			}
			code, out, errOut := runArgs("check", c.File)
			if code != want {
				t.Errorf("exit %d, want %d\n%s%s", code, want, out, errOut)
			}
			if !strings.Contains(out, "recheck: ok") {
				t.Errorf("certificate not validated:\n%s", out)
			}
			wantLine := "agrees"
			if want == exitDisagree {
				wantLine = "DISAGREES"
			}
			if c.Expect != nil && !strings.Contains(out, "— "+wantLine) {
				t.Errorf("report lacks %q:\n%s", wantLine, out)
			}

			code, out, _ = runArgs("check", "--json", c.File)
			if code != want {
				t.Errorf("--json: exit %d, want %d", code, want)
			}
			var r jsonCheck
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("--json output does not parse: %v\n%s", err, out)
			}
			if r.ExitCode != code || r.Agrees != (want == exitOK) || r.Recheck != "ok" || r.Name != c.Name {
				t.Errorf("--json: %+v", r)
			}
			if e := c.Expect; e != nil && want == exitOK {
				if e.Verdict != nil && r.Verdict != e.Verdict.String() {
					t.Errorf("verdict %s, expect %s", r.Verdict, e.Verdict)
				}
				if e.Escape != nil && !slices.Equal(r.EscapeNeurons, e.Escape) {
					t.Errorf("escape %v, expect %v", r.EscapeNeurons, e.Escape)
				}
			}
		})
	}
}

// TestCheckFig3Origin checks numbers derived by hand from docs/theory.md §7: at the
// origin L = (1/2n) Σ y_i² = 953/50000 and mse_loss = mean y² = 953/25000
// (docs/theory.md §7: ≈ 0.03812); the zero neuron escapes, so the point is a saddle.
func TestCheckFig3Origin(t *testing.T) {
	code, out, errOut := runArgs("check", filepath.Join(goodDir, "fig3-origin.json"), "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"verdict", "stationary", "escape_neurons", "loss", "neurons", "certificate", "recheck", "expect", "agrees", "reason"} {
		if _, ok := r[key]; !ok {
			t.Errorf("key %q missing", key)
		}
	}
	if r["loss"] != "953/50000" || r["mse_loss"] != "953/25000" || r["verdict"] != "saddle" || r["stationary"] != true {
		t.Errorf("loss %v, mse %v, verdict %v, stationary %v", r["loss"], r["mse_loss"], r["verdict"], r["stationary"])
	}
	if esc, ok := r["escape_neurons"].([]any); !ok || len(esc) != 1 || esc[0] != 0.0 {
		t.Errorf("escape_neurons %v", r["escape_neurons"])
	}
	cert, _ := r["certificate"].(map[string]any)
	if cert == nil || cert["path"] == nil || cert["escapes"] == nil {
		t.Fatalf("certificate %v", r["certificate"])
	}
	// The escape witness must be one: Q_0(u) = Σ_i r_i relu(x_i·u) ≠ 0
	// with r = −y, recomputed here from the data.
	w := cert["escapes"].([]any)[0].(map[string]any)
	u := w["u"].([]any)
	ys := []string{"0.28", "-0.1", "0.03", "0.23", "-0.22"}
	xs := []string{"-1", "-0.6", "-0.1", "0.3", "0.7"}
	q := new(big.Rat)
	for i := range xs {
		x0, _ := new(big.Rat).SetString(xs[i])
		y, _ := new(big.Rat).SetString(ys[i])
		u0, _ := new(big.Rat).SetString(u[0].(string))
		u1, _ := new(big.Rat).SetString(u[1].(string))
		z := new(big.Rat).Add(new(big.Rat).Mul(x0, u0), u1)
		if z.Sign() > 0 {
			q.Sub(q, new(big.Rat).Mul(y, z))
		}
	}
	if q.Sign() == 0 || q.RatString() != w["q"].([]any)[0] {
		t.Errorf("witness u = %v: Q(u) = %s, report says %v", u, q.RatString(), w["q"])
	}
}

// TestCheckDisagreeRules checks compareExpect: verdicts and escape sets
// must match what is given, escape sets as sets.
func TestCheckDisagreeRules(t *testing.T) {
	saddle, undet := verify.Saddle, verify.Undetermined
	v := &verify.Verdict{Kind: verify.Saddle, Escape: []int{2, 0}}
	for _, tc := range []struct {
		e    *cases.Expect
		want int
	}{
		{nil, 0},
		{&cases.Expect{Verdict: &saddle}, 0},
		{&cases.Expect{Verdict: &saddle, Escape: []int{0, 2}}, 0},
		{&cases.Expect{Escape: []int{0}}, 1},
		{&cases.Expect{Verdict: &undet}, 1},
		{&cases.Expect{Error: true}, 1},
		{&cases.Expect{Escape: []int{}}, 1},
	} {
		if got := len(compareExpect(tc.e, v)); (got > 0) != (tc.want == 1) {
			t.Errorf("expect %+v: %d disagreements", tc.e, got)
		}
	}
	if d := compareExpect(&cases.Expect{Escape: []int{}}, &verify.Verdict{Kind: verify.NotStationary}); len(d) != 0 {
		t.Errorf("not-stationary with no escape neurons: %v", d)
	}
}

// TestExitCodeRules checks the exit code of check for outcomes the small
// test cases cannot produce: an undetermined verdict is "no verdict
// reached", exit 3 (also when the case expects it: 0 is for a decided
// verdict), and a certificate that fails its re-check is exit 1 whatever
// the verdict.
func TestExitCodeRules(t *testing.T) {
	saddle, undet := verify.Saddle, verify.Undetermined
	for _, tc := range []struct {
		kind    verify.VerdictKind
		expect  *cases.Expect
		recheck error
		want    int
	}{
		{verify.Saddle, nil, nil, exitOK},
		{verify.Saddle, &cases.Expect{Verdict: &saddle}, nil, exitOK},
		{verify.Saddle, &cases.Expect{Verdict: &saddle}, errors.New("bad path"), exitDisagree},
		{verify.Undetermined, nil, nil, exitUndetermined},
		{verify.Undetermined, &cases.Expect{Verdict: &undet}, nil, exitUndetermined},
		{verify.Undetermined, &cases.Expect{Verdict: &saddle}, nil, exitUndetermined},
		{verify.Undetermined, nil, errors.New("bad"), exitDisagree},
		{verify.LocalMin, &cases.Expect{Verdict: &saddle}, nil, exitDisagree},
	} {
		r := &checkResult{
			Case:       &cases.Case{Expect: tc.expect},
			V:          &verify.Verdict{Kind: tc.kind, Escape: []int{}},
			RecheckErr: tc.recheck,
		}
		r.decide()
		if r.Code != tc.want {
			t.Errorf("%v, expect %+v, recheck %v: exit %d, want %d", tc.kind, tc.expect, tc.recheck, r.Code, tc.want)
		}
	}
}

// TestHelpAndVersion: "help CMD" prints the command's summary and exactly
// what "CMD -h" prints (its flags with their defaults), for every command;
// an unknown topic is exit 2; --version and version print the module and
// Go version.
func TestHelpAndVersion(t *testing.T) {
	for name, c := range commands {
		code, out, errOut := runArgs("help", name)
		if code != exitOK {
			t.Errorf("help %s: exit %d %s", name, code, errOut)
		}
		_, hOut, hErr := runArgs(name, "-h")
		if want := c.summary + "\n\n" + hOut + hErr; out != want {
			t.Errorf("help %s differs from %s -h:\n%s\n---\n%s", name, name, out, want)
		}
		if !strings.Contains(out, "usage: relucert "+name) {
			t.Errorf("help %s: no synopsis:\n%s", name, out)
		}
	}
	if code, _, errOut := runArgs("help", "nosuch"); code != exitUsage || !strings.Contains(errOut, `unknown command "nosuch"`) {
		t.Errorf("help nosuch: exit %d %s", code, errOut)
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, _ := runArgs(args...)
		if code != exitOK || !strings.HasPrefix(out, "relucert ") || !strings.Contains(out, "go1.") {
			t.Errorf("%v: exit %d %q", args, code, out)
		}
	}
	if code, out, _ := runArgs("help"); code != exitOK || !strings.Contains(out, "3 undetermined") {
		t.Errorf("help: exit %d, no exit status 3 in:\n%s", code, out)
	}
}

// TestSuiteExitUndetermined: a suite whose only failures are undetermined
// verdicts (here a 1 ns time budget) exits 3; with a disagreement too, 1.
func TestSuiteExitUndetermined(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../../cases/catalogue/nonglobal-local-min.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runArgs("suite", dir, "--budget", "time=1ns"); code != exitUndetermined {
		t.Errorf("exit %d, want 3\n%s", code, out)
	}
	bad := strings.Replace(string(data), `"verdict": "local-min"`, `"verdict": "saddle"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "b.json"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runArgs("suite", dir); code != exitDisagree {
		t.Errorf("exit %d, want 1\n%s", code, out)
	}
}
