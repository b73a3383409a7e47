package verify_test

import (
	"math/big"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// TestOutputBiasReduction checks, on every catalogue case (each verdict
// worked out by hand or by an independent script), the reduction of
// docs/theory.md ("Output bias"): the residuals of (θ, b) on targets y are
// those of θ without an output bias on targets y − b, so
//   - when Σ_i r_i ≠ 0 the point with a trainable b is not stationary, by
//     (S0), whatever it was without b;
//   - when Σ_i r_i = 0, for k = 1 the verdict and the escape neurons are
//     those without b; for k ≥ 2 too, except that an undetermined point may
//     become a saddle (test 2 gains the move of b), never the reverse;
//   - shifting targets and bias together, (y + c, b + c), changes nothing.
//
// Every verdict with an output bias is re-checked.
func TestOutputBiasReduction(t *testing.T) {
	cs, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	opt := verify.Options{MaxCells: 20000}
	seen := map[string]int{}
	for _, c := range cs {
		p := c.Point()
		if p.HasOutputBias() {
			continue
		}
		v0, err := verify.Check(p, opt)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		q := p.Clone()
		q.OutputBias = exact.NewVec(p.K())
		v, err := verify.Check(q, opt)
		if err != nil {
			t.Fatalf("%s with b = 0: %v", c.Name, err)
		}
		if err := verify.Recheck(q, v); err != nil {
			t.Errorf("%s with b = 0: Recheck: %v", c.Name, err)
		}
		sum := exact.NewVec(p.K())
		for _, r := range verify.ResidualsOf(p) {
			sum = sum.Add(r)
		}
		switch {
		case !sum.IsZero():
			if v.Kind != verify.NotStationary || v.Cert.Descent.Condition != "S0" {
				t.Errorf("%s: Σ r_i = %v ≠ 0 but with b: %v (%s)", c.Name, sum, v.Kind, v.Reason)
			}
			seen["S0 fails"]++
		case v.Kind == v0.Kind || (p.K() > 1 && v0.Kind == verify.Undetermined && v.Kind == verify.Saddle):
			if v.Kind == v0.Kind && !equalInts(v.Escape, v0.Escape) {
				t.Errorf("%s: escape neurons %v without b, %v with b", c.Name, v0.Escape, v.Escape)
			}
			seen[v0.Kind.String()+" → "+v.Kind.String()]++
		default:
			t.Errorf("%s: Σ r_i = 0, verdict %v without b but %v with b (%s)", c.Name, v0.Kind, v.Kind, v.Reason)
		}
		// b = −(1/n) Σ_i r_i makes (S0) hold; compare with the network
		// without output bias on the targets y − b (the same residuals).
		cen := p.Clone()
		cen.OutputBias = sum.Scale(big.NewRat(-1, int64(p.N())))
		sy := p.Clone()
		for i := range sy.Y.Rows() {
			sy.Y.SetRow(i, sy.Y.Row(i).Sub(cen.OutputBias))
		}
		vc, err := verify.Check(cen, opt)
		if err != nil {
			t.Fatalf("%s with b = −r̄: %v", c.Name, err)
		}
		vy, err := verify.Check(sy, opt)
		if err != nil {
			t.Fatalf("%s on y + r̄: %v", c.Name, err)
		}
		if err := verify.Recheck(cen, vc); err != nil {
			t.Errorf("%s with b = −r̄: Recheck: %v", c.Name, err)
		}
		if !vc.BiasGradient.IsZero() || vc.Loss.Cmp(vy.Loss) != 0 {
			t.Errorf("%s with b = −r̄: ∂L/∂b = %v, L = %v vs %v", c.Name, vc.BiasGradient, vc.Loss, vy.Loss)
		}
		switch {
		case vc.Kind == vy.Kind:
			if !equalInts(vc.Escape, vy.Escape) {
				t.Errorf("%s with b = −r̄: escape neurons %v, %v without b", c.Name, vc.Escape, vy.Escape)
			}
		case p.K() > 1 && vy.Kind == verify.Undetermined && vc.Kind == verify.Saddle:
		default:
			t.Errorf("%s with b = −r̄: %v (%s), without b on y − b: %v", c.Name, vc.Kind, vc.Reason, vy.Kind)
		}
		seen["b = −r̄: "+vy.Kind.String()+" → "+vc.Kind.String()]++
		// (y + c, b + c) with c = (1/3, −2, …).
		sh := q.Clone()
		shift := exact.NewVec(p.K())
		for l := range shift {
			shift[l] = big.NewRat(int64(1-3*l), 3)
		}
		sh.OutputBias = shift.Clone()
		for i := range sh.Y.Rows() {
			sh.Y.SetRow(i, sh.Y.Row(i).Add(shift))
		}
		vs, err := verify.Check(sh, opt)
		if err != nil {
			t.Fatalf("%s shifted: %v", c.Name, err)
		}
		if vs.Kind != v.Kind || !equalInts(vs.Escape, v.Escape) || vs.Loss.Cmp(v.Loss) != 0 {
			t.Errorf("%s: shifting y and b by %v changes %v %v %v to %v %v %v", c.Name, shift, v.Kind, v.Escape, v.Loss, vs.Kind, vs.Escape, vs.Loss)
		}
		if err := verify.Recheck(sh, vs); err != nil {
			t.Errorf("%s shifted: Recheck: %v", c.Name, err)
		}
	}
	t.Logf("catalogue with b = 0: %v", seen)
	if seen["S0 fails"] == 0 || seen["b = −r̄: saddle → saddle"] == 0 || seen["b = −r̄: local-min → local-min"] == 0 {
		t.Errorf("the catalogue does not exercise both sides of the reduction: %v", seen)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
