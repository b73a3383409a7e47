package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relucert/relucert/numeric"
	"github.com/relucert/relucert/verify"
)

// lastLineRE is the contract of suite's last stdout line.
var lastLineRE = regexp.MustCompile(`^(\d+) passed, (\d+) failed$`)

// lastLine returns the last line of out (without its newline).
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

// tableRow returns the table row of the named case ("" when missing).
func tableRow(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, name+" ") {
			return l
		}
	}
	return ""
}

func TestSuiteCatalogue(t *testing.T) {
	code, out, errOut := runArgs("suite")
	if code != exitOK {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	m := lastLineRE.FindStringSubmatch(lastLine(out))
	if m == nil {
		t.Fatalf("last line %q does not match %v", lastLine(out), lastLineRE)
	}
	var passed int
	fmt.Sscan(m[1], &passed)
	if passed < 25 || m[2] != "0" {
		t.Errorf("last line %q, want ≥ 25 passed and 0 failed", lastLine(out))
	}
	if !strings.HasPrefix(out, "case ") || !strings.Contains(strings.SplitN(out, "\n", 2)[0], "float ms") {
		t.Errorf("no table header:\n%s", out)
	}
	// The float-* cases are expected float64 disagreements; the
	// perturbation-blind saddle is a saddle both paths find.
	for _, name := range []string{"float-catastrophic-cancellation", "float-decimal-near-hyperplane", "float-large-height-kink"} {
		if row := tableRow(out, name); !strings.Contains(row, "no (expected)") {
			t.Errorf("row of %s: %q, want an expected disagreement", name, row)
		}
	}
	if row := tableRow(out, "perturb-blind-saddle"); !strings.Contains(row, "saddle") || !strings.Contains(row, "yes") {
		t.Errorf("row of perturb-blind-saddle: %q", row)
	}
	if !strings.Contains(out, "expected (the case says so): float-") {
		t.Errorf("summary does not list the expected disagreements:\n%s", out)
	}
	// stderr is not a terminal here: no progress bar, nothing at all.
	if errOut != "" {
		t.Errorf("stderr: %q", errOut)
	}
}

// writeCase writes a case file into dir.
func writeCase(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mixedDir holds two passing and two failing case files:
// ok-global-min (passes), wrong-expect (a saddle that expects local-min),
// rejected-as-expected (expect.error, rejected) and broken (not expecting
// an error, rejected).
func mixedDir(t *testing.T) string {
	dir := t.TempDir()
	writeCase(t, dir, "a-ok.json", `{"name": "ok-global-min", "activation": "relu",
		"inputs": [["1"]], "targets": [["1"]], "neurons": [{"w": ["1"], "a": ["1"]}],
		"expect": {"verdict": "global-min", "escape_neurons": []}, "float_must_agree": true}`)
	writeCase(t, dir, "b-wrong.json", `{"name": "wrong-expect", "activation": "relu",
		"inputs": [["1"]], "targets": [["1"]], "neurons": [{"w": ["0"], "a": ["0"]}],
		"expect": {"verdict": "local-min"}}`)
	writeCase(t, dir, "c-rejected.json", `{"expect": {"error": true}, "name": "bad", "activation": "relu",
		"inputs": [[], []], "targets": [["1"], ["2"]]}`)
	writeCase(t, dir, "d-broken.json", `{"name": "broken", "activation": "relu", "inputs": [["1/0"]]}`)
	writeCase(t, dir, "notes.txt", "not a case file")
	return dir
}

func TestSuiteFailingCase(t *testing.T) {
	dir := mixedDir(t)
	code, out, errOut := runArgs("suite", dir)
	if code != exitDisagree {
		t.Errorf("exit %d, want %d\n%s%s", code, exitDisagree, out, errOut)
	}
	if got := lastLine(out); got != "2 passed, 2 failed" {
		t.Errorf("last line %q, want \"2 passed, 2 failed\"\n%s", got, out)
	}
	for _, want := range []string{
		"FAIL wrong-expect (" + filepath.Join(dir, "b-wrong.json") + "): verdict saddle, expected local-min",
		"FAIL d-broken (" + filepath.Join(dir, "d-broken.json") + "): rejected: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not contain %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FAIL ok-global-min") || strings.Contains(out, "FAIL bad") {
		t.Errorf("a passing case is reported as failed:\n%s", out)
	}
	if row := tableRow(out, "c-rejected"); !strings.Contains(row, "rejected") || !strings.Contains(row, "ok") {
		t.Errorf("row of the expected rejection: %q", row)
	}
}

func TestSuiteJUnit(t *testing.T) {
	dir := mixedDir(t)
	file := filepath.Join(t.TempDir(), "report.xml")
	code, out, errOut := runArgs("suite", dir, "--junit", file)
	if code != exitDisagree {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Well-formed XML: read every token.
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v\n%s", err, data)
			}
			break
		}
	}
	// Round trip through the report's own types.
	var got junitTestsuites
	if err := xml.Unmarshal(data, &got); err != nil {
		t.Fatalf("unmarshal: %v\n%s", err, data)
	}
	again, err := xml.Marshal(&got)
	if err != nil {
		t.Fatal(err)
	}
	var got2 junitTestsuites
	if err := xml.Unmarshal(again, &got2); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, got2) {
		t.Errorf("round trip changed the report:\n%+v\n%+v", got, got2)
	}
	// A generic reader that knows only the JUnit names.
	var generic struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	if len(generic.Suites) != 1 {
		t.Fatalf("%d testsuites, want 1", len(generic.Suites))
	}
	s := generic.Suites[0]
	if s.Tests != 4 || s.Failures != 2 || len(s.Cases) != 4 {
		t.Errorf("tests=%d failures=%d testcases=%d, want 4, 2, 4", s.Tests, s.Failures, len(s.Cases))
	}
	failed := map[string]string{}
	for _, c := range s.Cases {
		if c.Failure != nil {
			failed[c.Name] = c.Failure.Message
		}
	}
	if !strings.Contains(failed["wrong-expect"], "verdict saddle, expected local-min") || !strings.Contains(failed["d-broken"], "rejected") || len(failed) != 2 {
		t.Errorf("failures %v", failed)
	}
	if got.Tests != 4 || got.Failures != 2 {
		t.Errorf("<testsuites> tests=%d failures=%d", got.Tests, got.Failures)
	}
	// An unwritable report is a usage error.
	if code, _, errOut := runArgs("suite", dir, "--junit", filepath.Join(dir, "no", "such", "dir", "x.xml")); code != exitUsage || !strings.Contains(errOut, "--junit") {
		t.Errorf("unwritable --junit: exit %d, %q", code, errOut)
	}
}

func TestSuiteJSON(t *testing.T) {
	dir := mixedDir(t)
	code, out, errOut := runArgs("suite", dir, "--json")
	if code != exitDisagree {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var r jsonSuite
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if r.Totals.Cases != 4 || r.Totals.Passed != 2 || r.Totals.Failed != 2 || len(r.Cases) != 4 {
		t.Errorf("totals %+v, %d cases", r.Totals, len(r.Cases))
	}
	if got := lastLine(errOut); got != "2 passed, 2 failed" {
		t.Errorf("with --json the summary line goes to stderr; got %q", got)
	}
	byName := map[string]jsonSuiteCase{}
	for _, c := range r.Cases {
		byName[c.Name] = c
	}
	ok := byName["ok-global-min"]
	if !ok.Passed || !ok.Agree || ok.Exact == nil || ok.Exact.Verdict != "global-min" || ok.Float == nil || ok.Float.Verdict != "global-min" || !ok.FloatMustAgree || !ok.Agrees {
		t.Errorf("ok-global-min: %+v", ok)
	}
	wrong := byName["wrong-expect"]
	if wrong.Passed || wrong.Agrees || wrong.Exact == nil || wrong.Exact.Verdict != "saddle" || len(wrong.Failures) == 0 {
		t.Errorf("wrong-expect: %+v", wrong)
	}
	if bad := byName["c-rejected"]; !bad.Passed || bad.Rejected == nil || !bad.ExpectError {
		t.Errorf("bad: %+v", bad)
	}
	if broken := byName["d-broken"]; broken.Passed || broken.Rejected == nil {
		t.Errorf("d-broken: %+v", broken)
	}
}

func TestSuiteFloatMustAgree(t *testing.T) {
	src := filepath.Join("..", "..", "cases", "catalogue", "float-large-height-kink.json")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m["name"] = "must-agree-kink"
	m["float_must_agree"] = true
	b, _ := json.Marshal(m)
	writeCase(t, dir, "kink.json", string(b))
	code, out, _ := runArgs("suite", dir)
	if code != exitDisagree || lastLine(out) != "0 passed, 1 failed" {
		t.Errorf("exit %d, last line %q, want 1 and \"0 passed, 1 failed\"\n%s", code, lastLine(out), out)
	}
	if !strings.Contains(out, "FAIL must-agree-kink") || !strings.Contains(out, "float_must_agree") || !strings.Contains(tableRow(out, "must-agree-kink"), "NO (must agree)") {
		t.Errorf("the failure does not name float_must_agree:\n%s", out)
	}
	// Without float_must_agree the same disagreement is only a column.
	delete(m, "float_must_agree")
	m["name"] = "may-disagree-kink"
	m["source"] = "a copy of a catalogue case that does not say it expects a disagreement"
	b, _ = json.Marshal(m)
	writeCase(t, dir, "kink.json", string(b))
	code, out, _ = runArgs("suite", dir)
	if code != exitOK || lastLine(out) != "1 passed, 0 failed" || !strings.Contains(out, "NOT expected: may-disagree-kink") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestSuiteUsage(t *testing.T) {
	empty := t.TempDir()
	file := filepath.Join(empty, "x.json")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"suite", filepath.Join(empty, "missing")}, "no such file"},
		{[]string{"suite", empty}, "no *.json case files"},
		{[]string{"suite", "a", "b"}, "at most one directory"},
		{[]string{"suite", "--max-cells", "-1"}, "must not be negative"},
		{[]string{"suite", "--bogus"}, "flag provided but not defined"},
	} {
		code, _, errOut := runArgs(tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, exitUsage, tc.msg)
		}
	}
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runArgs("suite", file); code != exitUsage || !strings.Contains(errOut, "not a directory") {
		t.Errorf("a file as DIR: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runArgs("suite", "-h"); code != exitOK || !strings.Contains(errOut, "usage: relucert suite") {
		t.Errorf("suite -h: exit %d, %q", code, errOut)
	}
}

// TestSuiteFloatTimeout: a float64 path that never returns (gonum's simplex
// can cycle) is reported and the suite goes on.
func TestSuiteFloatTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	oldCheck, oldTimeout := numericCheck, floatTimeout
	numericCheck = func(p *verify.Point) (*numeric.Result, error) {
		<-release
		return nil, errors.New("released")
	}
	floatTimeout = 50 * time.Millisecond
	defer func() { numericCheck, floatTimeout = oldCheck, oldTimeout }()

	dir := mixedDir(t)
	code, out, _ := runArgs("suite", dir)
	if code != exitDisagree || lastLine(out) != "1 passed, 3 failed" {
		// ok-global-min sets float_must_agree, so a float64 timeout fails it.
		t.Errorf("exit %d, last line %q\n%s", code, lastLine(out), out)
	}
	if row := tableRow(out, "wrong-expect"); !strings.Contains(row, "timeout") {
		t.Errorf("row %q does not show the timeout", row)
	}
	if !strings.Contains(out, "did not finish within 50ms") {
		t.Errorf("the failure does not say why:\n%s", out)
	}
}

func TestSuiteTableAligned(t *testing.T) {
	_, out, _ := runArgs("suite", mixedDir(t))
	lines := strings.Split(out, "\n")
	header := lines[0]
	col := strings.Index(header, "exact ms")
	if col < 0 {
		t.Fatalf("header %q", header)
	}
	// Right-aligned numeric columns end where their heading ends.
	end := len([]rune(header))
	for _, l := range lines[1:] {
		if l == "" {
			break
		}
		if strings.Contains(l, "rejected") {
			continue
		}
		if n := len([]rune(l)); n != end {
			t.Errorf("row %q ends at %d, header at %d", l, n, end)
		}
	}
}
