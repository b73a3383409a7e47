package numeric_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/numeric"
	"github.com/relucert/relucert/verify"
)

// genBiasPoint draws an instance of genPoint and gives it an output bias b:
// either keeping its residuals (so (S0) Σ_i r_i = 0 usually fails) or with
// residuals planted for the network with b ((S0) and (S1) hold, (S2) for
// the differentiable part).
func genBiasPoint(rng *rand.Rand) (*verify.Point, string) {
	p, desc := genPoint(rng)
	r := verify.ResidualsOf(p)
	p.OutputBias = randInts(rng, p.K(), 3)
	mode := rng.IntN(4)
	switch mode {
	case 0:
	case 1:
		r = plantResiduals(rng, p, true, false)
	default:
		r = plantResiduals(rng, p, false, mode == 3)
	}
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		p.Y.SetRow(i, p.Output(x).Sub(r[i]))
	}
	return p, fmt.Sprintf("%s, output bias %v, bias mode %d", desc, p.OutputBias, mode)
}

// TestCrossCheckOutputBias compares the exact and float64 paths field by
// field on 1000 random instances with an output bias (about a second),
// the exact certificates re-checked, and the float64 ∂L/∂b against the
// exact one.
func TestCrossCheckOutputBias(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260302, seedStream()))
	kinds := map[verify.VerdictKind]int{}
	s0 := 0
	failures := 0
	reduced := map[string]int{}
	for it := 0; it < 1000 && failures < 5; it++ {
		p, desc := genBiasPoint(rng)
		if maxAbsEntry(p) > 1e6 {
			continue
		}
		v, r := bothPaths(t, p)
		kinds[v.Kind]++
		if v.Kind == verify.NotStationary && v.Cert.Descent.Condition == "S0" {
			s0++
		}
		if diff := cmp.Diff(exactOutcome(v), floatOutcome(r)); diff != "" {
			failures++
			t.Errorf("instance %d (%s): float64 disagrees with exact (-exact +float64):\n%s\nexact reason: %s\nfloat64 reason: %s\n%s",
				it, desc, diff, v.Reason, r.Reason, pointString(p))
		}
		if !lossAgrees(v.Loss, r.Loss) {
			t.Errorf("instance %d: loss exact %s, float64 %v", it, v.Loss.RatString(), r.Loss)
		}
		// The reduction of docs/theory.md: the same weights without an
		// output bias on the targets y − b have the same residuals.
		q := p.Clone()
		for i := range q.Y.Rows() {
			q.Y.SetRow(i, q.Y.Row(i).Sub(p.OutputBias))
		}
		q.OutputBias = nil
		v0, err := verify.Check(q, verify.Options{})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case !v.BiasGradient.IsZero():
			if v.Kind != verify.NotStationary || v.Cert.Descent.Condition != "S0" {
				t.Errorf("instance %d: ∂L/∂b ≠ 0 but %v", it, v.Kind)
			}
		case v.Kind == v0.Kind:
			if !cmp.Equal(v.Escape, v0.Escape) {
				t.Errorf("instance %d: escape %v with b, %v without", it, v.Escape, v0.Escape)
			}
		case p.K() > 1 && v0.Kind == verify.Undetermined && v.Kind == verify.Saddle:
			reduced["undetermined → saddle"]++
		default:
			t.Errorf("instance %d (%s): %v with b, %v without b on y − b", it, desc, v.Kind, v0.Kind)
		}
		if len(r.BiasGradient) != p.K() {
			t.Fatalf("instance %d: float64 ∂L/∂b = %v", it, r.BiasGradient)
		}
		for c, g := range v.BiasGradient {
			if !lossAgrees(g, r.BiasGradient[c]) {
				t.Errorf("instance %d: ∂L/∂b[%d] exact %s, float64 %v", it, c, g.RatString(), r.BiasGradient[c])
			}
		}
	}
	t.Logf("exact verdicts: %v, of which (S0) failures %d; without b: %v", kinds, s0, reduced)
	for _, k := range []verify.VerdictKind{verify.NotStationary, verify.Saddle, verify.LocalMin, verify.GlobalMin} {
		if kinds[k] < 10 {
			t.Errorf("only %d instances with exact verdict %v", kinds[k], k)
		}
	}
	if s0 < 10 {
		t.Errorf("only %d instances fail (S0)", s0)
	}
}

// TestFloatS0 is the point of verify's TestTheoremS0 in float64: a dead
// neuron on x = 1, 2 with y = 1, 3, so f ≡ b; b = 0 fails (S0) with
// ∂L/∂b = −2, b = 2 is a local minimum, no output bias is a local minimum.
func TestFloatS0(t *testing.T) {
	p := &verify.Point{Act: verify.ReLU(), X: exact.RatMatOf([]exact.Vec{exact.VecOf(1), exact.VecOf(2)}),
		Y: exact.RatMatOf([]exact.Vec{exact.VecOf(1), exact.VecOf(3)}), Neurons: []verify.Neuron{{W: exact.VecOf(-1), A: exact.VecOf(1)}}}
	for _, tc := range []struct {
		b    exact.Vec
		want verify.VerdictKind
		grad []float64
	}{
		{nil, verify.LocalMin, nil},
		{exact.VecOf(0), verify.NotStationary, []float64{-2}},
		{exact.VecOf(2), verify.LocalMin, []float64{0}},
	} {
		q := p.Clone()
		q.OutputBias = tc.b
		r, err := numeric.Check(q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != tc.want || !cmp.Equal(r.BiasGradient, tc.grad) {
			t.Errorf("b = %v: %v (%s), ∂L/∂b = %v; want %v, %v", tc.b, r.Kind, r.Reason, r.BiasGradient, tc.want, tc.grad)
		}
	}
}
