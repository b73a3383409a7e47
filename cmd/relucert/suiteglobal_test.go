package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSuiteGlobalColumn: suite shows Theorem G's answer (issue 13) in its
// table's global column and in --json's "global" of each case, on two
// catalogue points whose answers are worked out by hand:
//
//   - global-min-positive-loss: x = (−1, 1, 1, 2) with bias, y = (1, 0, 2, 5);
//     the inputs lie on three lines through 0 (x = 1 twice), so the best any
//     network can do is to fit y on x = −1 and x = 2 and the mean 1 on x = 1:
//     residuals (0, −1, 1, 0), L* = 2/(2·4) = 1/4, and the point's network
//     (1, 1, 1, 5) reaches it: "yes".
//   - fig3-final: the five inputs (x, 1) of Figure 3 lie on five distinct
//     lines, so networks interpolate and L* = 0, below the point's
//     L = 16139/1157500 > 0 (the affine least-squares fit); a network of
//     the point's width 2 does better (theory §10's greedy selection): "no".
func TestSuiteGlobalColumn(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"fig3-final", "global-min-positive-loss"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "cases", "catalogue", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		writeCase(t, dir, name+".json", string(data))
	}
	code, out, errOut := runArgs("suite", dir)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if head := strings.Fields(strings.SplitN(out, "\n", 2)[0]); len(head) < 4 || head[3] != "global" {
		t.Errorf("table heading %q: no global column (the fourth)", head)
	}
	for name, want := range map[string]string{"global-min-positive-loss": "yes", "fig3-final": "no"} {
		if row := strings.Fields(tableRow(out, name)); len(row) < 4 || row[3] != want {
			t.Errorf("%s: row %q, want global %q", name, row, want)
		}
	}
	if !strings.Contains(out, "\nglobal: yes = L(θ) = L*") {
		t.Errorf("the table's legend does not explain the global column:\n%s", out)
	}

	code, out, errOut = runArgs("suite", dir, "--json")
	if code != exitOK {
		t.Fatalf("--json: exit %d\n%s%s", code, out, errOut)
	}
	var s jsonSuite
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	byName := map[string]*jsonGlobal{}
	for _, c := range s.Cases {
		if c.Exact != nil {
			byName[c.Name] = c.Exact.Global
		}
	}
	for name, want := range map[string]struct {
		optimum string
		global  bool
		atWidth string
		witness bool
	}{
		"global-min-positive-loss": {"1/4", true, "yes", false},
		"fig3-final":               {"0", false, "no", true},
	} {
		g := byName[name]
		if g == nil {
			t.Errorf("%s: no global in suite --json", name)
			continue
		}
		if g.Optimum != want.optimum || g.IsGlobal != want.global || g.AtWidth != want.atWidth || (g.Witness != nil) != want.witness {
			t.Errorf("%s: global %+v; want optimum %s, is_global %v, at_width %s, witness %v", name, g, want.optimum, want.global, want.atWidth, want.witness)
		}
		if g.Witness != nil && (g.Witness.Loss != want.optimum) {
			t.Errorf("%s: the witness has loss %s, want L* = %s", name, g.Witness.Loss, want.optimum)
		}
	}
}
