package main

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/certfile"
	"github.com/relucert/relucert/recheck"
)

// certTampers alter one claimed fact of a decoded certificate file; each
// catalogue case gets every one that applies.
var certTampers = []struct {
	name  string
	apply func(f *certfile.File) bool
}{
	{"loss", func(f *certfile.File) bool { f.Loss = new(big.Rat).Add(f.Loss, big.NewRat(1, 1000)); return true }},
	{"verdict", func(f *certfile.File) bool {
		f.Kind = map[recheck.VerdictKind]recheck.VerdictKind{recheck.NotStationary: recheck.Saddle, recheck.Saddle: recheck.LocalMin,
			recheck.LocalMin: recheck.GlobalMin, recheck.GlobalMin: recheck.LocalMin, recheck.Undetermined: recheck.LocalMin}[f.Kind]
		return true
	}},
	{"case hash", func(f *certfile.File) bool {
		f.CaseSHA256 = strings.Repeat("0", 64)
		return true
	}},
	{"escape list", func(f *certfile.File) bool {
		if !f.Stationary {
			return false
		}
		if len(f.Escape) > 0 {
			f.Escape = f.Escape[1:]
			return true
		}
		f.Escape = []int{0}
		return true
	}},
	{"stationarity cell", func(f *certfile.File) bool {
		for k := range f.Cert.Stationarity {
			if sp := &f.Cert.Stationarity[k]; len(sp.Cells) >= 2 {
				sp.Cells = sp.Cells[1:]
				return true
			}
		}
		return false
	}},
	{"multiplier", func(f *certfile.File) bool {
		for _, sp := range f.Cert.Stationarity {
			for _, c := range sp.Cells {
				if len(c.Mu) > 0 {
					c.Mu[0] = new(big.Rat).Add(c.Mu[0], big.NewRat(1, 1))
					return true
				}
			}
		}
		return false
	}},
	{"stationary flag", func(f *certfile.File) bool { f.Stationary = !f.Stationary; return true }},
	// Check claims Q_j ≡ 0 whenever (E1)/(E2) hold for a neuron with
	// boundary terms (and for every no-escape proof), so such a neuron whose
	// proof lists cells has Q_j ≢ 0: the claim in their place is false.
	{"(S2) q_zero claimed", func(f *certfile.File) bool {
		for k := range f.Cert.Stationarity {
			if sp := &f.Cert.Stationarity[k]; len(sp.Cells) > 0 && len(sp.ZPlus)+len(sp.ZMinus) > 0 {
				sp.QZero, sp.Cells, sp.Cover = true, nil, nil
				return true
			}
		}
		return false
	}},
	{"no-escape q_zero claimed", func(f *certfile.File) bool {
		for k := range f.Cert.NoEscape {
			if ne := &f.Cert.NoEscape[k]; len(ne.Cells) > 0 {
				ne.QZero, ne.Cells, ne.Cover = true, nil, nil
				return true
			}
		}
		return false
	}},
}

// writeCanonical writes f as a certificate file, canonical (the form
// Encode writes).
func writeCanonical(t *testing.T, path string, f any) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCertificateRoundTrip: every catalogue case round-trips through
// "check CASE --cert F" and "recheck CASE F" (exit 0, "ok"), also without
// CASE (the embedded case); after any single tamper of a claimed fact,
// recheck exits 1 and names what failed.
func TestCertificateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	tampered := map[string]int{}
	qZero := 0 // certificates with a Q_j ≡ 0 claim that rechecked
	for _, c := range cat {
		caseFile := filepath.Join(dir, c.Name+".json")
		data, err := cases.Write(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(caseFile, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cert := filepath.Join(dir, c.Name+".cert.json")
		if code, _, stderr := runArgs("check", caseFile, "--cert", cert); code == exitUsage {
			t.Fatalf("%s: check --cert: exit %d: %s", c.Name, code, stderr)
		}
		for _, args := range [][]string{{"recheck", caseFile, cert}, {"recheck", cert}} {
			if code, stdout, stderr := runArgs(args...); code != exitOK || !strings.Contains(stdout, ": ok — ") {
				t.Fatalf("%s: %v: exit %d\n%s%s", c.Name, args, code, stdout, stderr)
			}
		}
		raw, err := os.ReadFile(cert)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(`"q_zero": true`)) {
			qZero++
		}
		for _, tp := range certTampers {
			f, err := certfile.Decode(cert, raw)
			if err != nil {
				t.Fatal(err)
			}
			if !tp.apply(f) {
				continue
			}
			bad := filepath.Join(dir, c.Name+".bad.cert.json")
			writeCanonical(t, bad, f)
			code, stdout, stderr := runArgs("recheck", caseFile, bad)
			if code != exitDisagree || !strings.Contains(stdout, "FAILED — ") {
				t.Fatalf("%s: %s tampered: exit %d\n%s%s", c.Name, tp.name, code, stdout, stderr)
			}
			tampered[tp.name]++
		}
	}
	for _, tp := range certTampers {
		if tampered[tp.name] == 0 {
			t.Errorf("tamper %q never applied", tp.name)
		}
	}
	if qZero == 0 {
		t.Error("no catalogue certificate claims q_zero: the round trip does not cover it")
	}
	t.Logf("tampered certificates rejected: %v; certificates with q_zero: %d", tampered, qZero)
}

// TestRecheckUsage: bad input is exit 2 with a message naming the file
// (and the field); a certificate about another case is exit 1.
func TestRecheckUsage(t *testing.T) {
	dir := t.TempDir()
	cert := filepath.Join(dir, "a.cert.json")
	if code, _, stderr := runArgs("check", "../../cases/catalogue/nonglobal-local-min.json", "--cert", cert); code != exitOK {
		t.Fatalf("check: %d %s", code, stderr)
	}
	if code, _, _ := runArgs("recheck"); code != exitUsage {
		t.Errorf("no argument: exit %d", code)
	}
	if code, _, stderr := runArgs("recheck", filepath.Join(dir, "missing.cert.json")); code != exitUsage || !strings.Contains(stderr, "missing.cert.json") {
		t.Errorf("missing file: exit %d, %s", code, stderr)
	}
	notCert := filepath.Join(dir, "case.cert.json")
	if err := os.WriteFile(notCert, []byte(`{"format": "relucert-certificate", "format_version": 7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runArgs("recheck", notCert); code != exitUsage || !strings.Contains(stderr, "format_version") {
		t.Errorf("wrong version: exit %d, %s", code, stderr)
	}
	if code, stdout, _ := runArgs("recheck", "../../cases/catalogue/fig3-final.json", cert); code != exitDisagree || !strings.Contains(stdout, "another case") {
		t.Errorf("another case: exit %d, %s", code, stdout)
	}
	code, stdout, _ := runArgs("recheck", cert, "--json")
	var out jsonRecheck
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != exitOK || out.Recheck != "ok" || out.Verdict != "local-min" {
		t.Errorf("--json: exit %d, %s (%v)", code, stdout, err)
	}
}

// TestSuiteAndSnapCert: suite --cert DIR writes one certificate per case,
// each of which rechecks; snap --cert writes the snapped point's.
func TestSuiteAndSnapCert(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runArgs("suite", "--cert", dir); code != exitOK {
		t.Fatalf("suite --cert: exit %d %s", code, stderr)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.cert.json"))
	if err != nil || len(files) != len(cases.CatalogueEntries()) {
		t.Fatalf("%d certificate files for %d cases (%v)", len(files), len(cases.CatalogueEntries()), err)
	}
	for _, f := range files[:5] {
		if code, stdout, _ := runArgs("recheck", f); code != exitOK {
			t.Fatalf("%s: %s", f, stdout)
		}
	}
	snapCert := filepath.Join(dir, "snap.cert.json")
	if code, _, stderr := runArgs("snap", "testdata/fig3.json", "--cert", snapCert); code == exitUsage {
		t.Fatalf("snap --cert: %s", stderr)
	}
	if code, stdout, _ := runArgs("recheck", snapCert); code != exitOK {
		t.Fatalf("snap certificate: %s", stdout)
	}
}

// TestSnapBoxCert: snap --cert of a k = 2 candidate writes the box
// verdict's certificate file (its data, and the box's center as neurons);
// recheck validates it (exit 0, with and without the carried case, --json
// too), and rejects it (exit 1) once its verdict is weakened, its loss
// enclosure widened or its data changed.
func TestSnapBoxCert(t *testing.T) {
	dir := t.TempDir()
	cert := filepath.Join(dir, "box.cert.json")
	code, stdout, stderr := runArgs("snap", "../../testdata/snapk/rank-one-saddle.json", "--cert", cert)
	if code != exitOK || !strings.Contains(stdout, "certificate file: "+cert) {
		t.Fatalf("snap --cert: exit %d\n%s%s", code, stdout, stderr)
	}
	raw, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	f, err := certfile.DecodeBox(cert, raw)
	if err != nil {
		t.Fatal(err)
	}
	if f.Box.Kind != recheck.Saddle || f.Box.Cert.Path == nil {
		t.Fatalf("box verdict %v", f.Box.Kind)
	}
	caseFile := filepath.Join(dir, "box.json")
	if err := os.WriteFile(caseFile, f.Case, 0o644); err != nil {
		t.Fatal(err)
	}
	// Against the case it carries, the same written out, and the candidate
	// snap read (the same data, other neurons).
	for _, args := range [][]string{{"recheck", cert}, {"recheck", caseFile, cert}, {"recheck", "../../testdata/snapk/rank-one-saddle.json", cert}} {
		if code, stdout, stderr := runArgs(args...); code != exitOK || !strings.Contains(stdout, ": ok — saddle (k ≥ 2 box") {
			t.Fatalf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	code, stdout, _ = runArgs("recheck", "--json", cert)
	var out jsonRecheck
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != exitOK || out.Recheck != "ok" || out.Verdict != "saddle" {
		t.Errorf("--json: exit %d, %s (%v)", code, stdout, err)
	}
	for _, tc := range []struct {
		name  string
		apply func(v *recheck.BoxVerdict)
	}{
		{"", func(*recheck.BoxVerdict) {}}, // unchanged: accepted
		{"weakened to undetermined", func(v *recheck.BoxVerdict) { v.Kind = recheck.Undetermined }},
		{"path dropped", func(v *recheck.BoxVerdict) { v.Cert.Path = nil }},
		{"loss widened", func(v *recheck.BoxVerdict) { v.Loss.Hi.Add(&v.Loss.Hi, big.NewFloat(1)) }},
		{"escape dropped", func(v *recheck.BoxVerdict) { v.Escape, v.Cert.Escapes = []int{}, nil }},
	} {
		g, err := certfile.DecodeBox(cert, raw)
		if err != nil {
			t.Fatal(err)
		}
		tc.apply(g.Box)
		bad := filepath.Join(dir, "bad.cert.json")
		writeCanonical(t, bad, g)
		code, stdout, stderr := runArgs("recheck", bad)
		if tc.name == "" && code != exitOK || tc.name != "" && (code != exitDisagree || !strings.Contains(stdout, "FAILED — ")) {
			t.Errorf("%q: exit %d\n%s%s", tc.name, code, stdout, stderr)
		}
	}
	other := filepath.Join(dir, "other.json")
	if err := os.WriteFile(other, bytes.Replace(f.Case, []byte(`"-1"`), []byte(`"-2"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := runArgs("recheck", other, cert); code != exitDisagree || !strings.Contains(stdout, "another case") {
		t.Errorf("other data: exit %d, %s", code, stdout)
	}
}
