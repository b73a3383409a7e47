package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchJSON runs a tiny "relucert bench --json" and checks the fields
// scripts rely on.
func TestBenchJSON(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"bench", "--json", "--sizes", "20,30", "--d", "3", "--m", "4", "--boundary", "2", "--extra=false"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %q", out.String())
	}
	for _, l := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		for _, k := range []string{"n", "d", "m", "k", "exact_s", "float_s", "ratio", "peak_mib", "verdict", "expected"} {
			if _, ok := r[k]; !ok {
				t.Errorf("field %q missing in %s", k, l)
			}
		}
		if r["verdict"] != r["expected"] || r["recheck"] != "ok" {
			t.Errorf("%s", l)
		}
	}
	out.Reset()
	if code := run([]string{"bench", "--sizes", "20", "--d", "3", "--m", "4", "--boundary", "1", "--extra=false"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "exact_s") {
		t.Errorf("table: exit %d, %q", code, out.String())
	}
	if code := run([]string{"bench", "--sizes", "x"}, &out, &errb); code != exitUsage {
		t.Errorf("bad sizes: exit %d", code)
	}
}
