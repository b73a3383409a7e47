package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/relucert/relucert/cases"
)

// TestCheckCatalogue runs check on every catalogue file (from the source
// tree, as a user would) and asserts the verdict and escape neurons its
// expect block names, a validated certificate and exit 0.
func TestCheckCatalogue(t *testing.T) {
	cs, err := cases.Catalogue()
	if err != nil {
		t.Error(err)
	}
	for _, c := range cs {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join("..", "..", "cases", filepath.FromSlash(c.File))
			code, out, errOut := runArgs("check", file, "--json")
			var r jsonCheck
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("exit %d, output does not parse: %v\n%s%s", code, err, out, errOut)
			}
			if e := c.Expect; e != nil {
				if e.Verdict != nil && r.Verdict != e.Verdict.String() {
					t.Errorf("verdict %s, expect %s (reason: %s)", r.Verdict, e.Verdict, r.Reason)
				}
				if e.Escape != nil && !slices.Equal(r.EscapeNeurons, e.Escape) {
					t.Errorf("escape neurons %v, expect %v", r.EscapeNeurons, e.Escape)
				}
			}
			if r.Recheck != "ok" {
				t.Errorf("recheck: %s", r.Recheck)
			}
			want := exitOK
			if r.Verdict == "undetermined" {
				want = exitUndetermined // no verdict, even when expected
			}
			if code != want || !r.Agrees {
				t.Errorf("exit %d, want %d, agrees %v, disagreements %v", code, want, r.Agrees, r.Disagreements)
			}
		})
	}
}
