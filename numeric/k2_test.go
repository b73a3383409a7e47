package numeric_test

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// k2Instances returns 400 random vector-output (k = 2) points in d = 4 or 5
// with n = 6 … 12 samples, most of them on a neuron's hyperplane, and
// residuals planted so that the points are stationary more often than not:
// the setting in which the k ≥ 2 tests of docs/theory.md §4 (faces, generators,
// Gram matrices, the cone step) do most of the work.
func k2Instances() []*verify.Point {
	rng := rand.New(rand.NewPCG(5, 9))
	var ps []*verify.Point
	for it := 0; it < 400; it++ {
		d := 4 + rng.IntN(2)
		n := 6 + rng.IntN(7)
		m := 1 + rng.IntN(2)
		act := verify.ReLU()
		if rng.IntN(2) == 0 {
			act = verify.Leaky(big.NewRat(1, 3))
		}
		p := &verify.Point{Act: act}
		for j := 0; j < m; j++ {
			p.Neurons = append(p.Neurons, verify.Neuron{W: randInts(rng, d, 3), A: randInts(rng, 2, 3)})
		}
		for i := 0; i < n; i++ {
			x := randInts(rng, d, 3)
			if rng.IntN(10) < 7 {
				x = onHyperplane(rng, p.Neurons[rng.IntN(m)].W)
			}
			p.X = p.X.AppendRow(x)
			p.Y = p.Y.AppendRow(exact.NewVec(2))
		}
		r := plantResiduals(rng, p, true, rng.IntN(2) == 0)
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			p.Y.SetRow(i, p.Output(x).Sub(r[i]))
		}
		ps = append(ps, p)
	}
	return ps
}

// BenchmarkK2Exact runs verify.Check on the 400 instances of k2Instances
// (one op = all of them).
func BenchmarkK2Exact(b *testing.B) {
	ps := k2Instances()
	for b.Loop() {
		for _, p := range ps {
			if _, err := verify.Check(p, verify.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkK2Float runs the float64 path on the same instances.
func BenchmarkK2Float(b *testing.B) {
	ps := k2Instances()
	for b.Loop() {
		for _, p := range ps {
			if _, err := floatCheck(p); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestCrossCheckK2Random re-checks the exact certificate and compares the
// two paths field by field on the first 60 points of k2Instances (the
// benchmarks run all 400; the paths agree on every one of them as well,
// checked once with a throwaway loop).
func TestCrossCheckK2Random(t *testing.T) {
	ps := k2Instances()[:60]
	kinds := map[verify.VerdictKind]int{}
	for i, p := range ps {
		v, err := verify.Check(p.Clone(), verify.Options{})
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		if err := verify.Recheck(p.Clone(), v); err != nil {
			t.Errorf("instance %d: verify.Recheck of the %v verdict: %v", i, v.Kind, err)
		}
		r, err := floatCheck(p)
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		kinds[v.Kind]++
		if diff := cmp.Diff(exactOutcome(v), floatOutcome(r)); diff != "" {
			t.Errorf("instance %d: float64 disagrees with exact (-exact +float64):\n%s\nexact: %s\nfloat64: %s\n%s", i, diff, v.Reason, r.Reason, pointString(p))
		}
	}
	if kinds[verify.Saddle] == 0 || kinds[verify.Undetermined] == 0 {
		t.Errorf("verdicts %v: the sample should hold k ≥ 2 saddles and undetermined points", kinds)
	}
}
