package numeric_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/verify"
)

// TestGlobalPatternFormulation compares L* of the two paths: the exact one
// (verify, Theorem G: projection on the span of X and the line vectors) and
// the float64 pattern formulation (numeric: the cells of the samples'
// arrangement by LP, S = Σ_cells col(D̃X), SVD) — two derivations of the
// same number — and the global answer, on the catalogue's well-conditioned
// cases and on random instances whose optimum the exact path computed.
func TestGlobalPatternFormulation(t *testing.T) {
	compared := 0
	check := func(name string, p *verify.Point) {
		t.Helper()
		v, err := verify.Check(p.Clone(), verify.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, err := floatCheck(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g := v.Cert.Global
		if g.IsGlobal != r.Global.IsGlobal {
			t.Errorf("%s: is_global exact %v, float64 %v", name, g.IsGlobal, r.Global.IsGlobal)
		}
		if g.Optimum == nil || !r.Global.Decided {
			return
		}
		e, _ := g.Optimum.Float64()
		if math.Abs(e-r.Global.Optimum) > 1e-9*math.Max(1, math.Abs(e)) {
			t.Errorf("%s: L* exact %s, float64 pattern formulation %v", name, g.Optimum.RatString(), r.Global.Optimum)
		}
		compared++
	}
	for _, e := range cases.CatalogueEntries() {
		if e.Case == nil || expectsFloatDisagreement(e.Case) {
			continue
		}
		check(e.Case.Name, e.Case.Point())
	}
	if compared < 35 {
		t.Fatalf("only %d catalogue cases compared", compared)
	}
	rng := rand.New(rand.NewPCG(1313, 7))
	for it := 0; it < 300; it++ {
		p, desc := genPoint(rng)
		if maxAbsEntry(p) > 1e6 {
			continue
		}
		check(desc, p)
	}
	if compared < 250 {
		t.Fatalf("only %d instances compared", compared)
	}
}
