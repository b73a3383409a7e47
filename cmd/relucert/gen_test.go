package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenThenCheck writes planted instances with "relucert gen" and checks
// them with "relucert check": the verdict must agree with the written
// expect block (exit 0).
func TestGenThenCheck(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--kind", "localmin", "--n", "12", "--d", "3", "--m", "3", "--boundary", "2"},
		{"--kind", "saddle", "--n", "9", "--d", "3", "--m", "2", "--small", "--act", "abs"},
		{"--kind", "zeroinput", "--n", "10", "--d", "3", "--m", "1", "--seed", "7"},
		{"--kind", "zeroinput-fail", "--n", "7", "--d", "2", "--m", "2", "--small", "--act", "leaky:1/10"},
	} {
		f := filepath.Join(dir, args[1]+".json")
		var out, errb bytes.Buffer
		if code := run(append(append([]string{"gen"}, args...), "-o", f), &out, &errb); code != exitOK {
			t.Fatalf("gen %v: exit %d: %s", args, code, errb.String())
		}
		out.Reset()
		errb.Reset()
		if code := run([]string{"check", f}, &out, &errb); code != exitOK {
			t.Fatalf("check of gen %v: exit %d\n%s%s", args, code, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"gen", "--kind", "nope"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "unknown --kind") {
		t.Errorf("bad kind: exit %d, %q", code, errb.String())
	}
	if code := run([]string{"gen", "--kind", "saddle", "--act", "leaky:1/10"}, &out, &errb); code != exitUsage {
		t.Errorf("impossible saddle: exit %d", code)
	}
	out.Reset()
	if code := run([]string{"gen", "--n", "4", "--d", "2", "--m", "1"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), `"expect"`) {
		t.Errorf("gen to stdout: exit %d, %q", code, out.String())
	}
}
