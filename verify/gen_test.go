package verify_test

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/relucert/relucert/numeric"
	"github.com/relucert/relucert/verify"
)

// TestGeneratePlantedVerdicts checks the planted verdicts of Generate against
// both engines on random small configurations: verify.Check (exact, whose
// certificate must also pass Recheck) and numeric.Check (float64), an
// independent check of all three.
func TestGeneratePlantedVerdicts(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	acts := []verify.Activation{verify.ReLU(), verify.Abs(), verify.Leaky(big.NewRat(1, 10)), verify.Linear(),
		{Pos: big.NewRat(2, 1), Neg: big.NewRat(-1, 3)}}
	count := map[verify.GenKind]int{}
	for trial := 0; trial < 160; trial++ {
		cfg := verify.GenConfig{
			Kind:   verify.GenKind(trial % 4),
			N:      2 + rng.IntN(14),
			D:      2 + rng.IntN(3),
			M:      1 + rng.IntN(4),
			K:      1 + rng.IntN(2),
			Act:    acts[rng.IntN(len(acts))],
			Dyadic: rng.IntN(2) == 0,
			Seed:   rng.Uint64(),
		}
		if cfg.K == 2 && cfg.Kind >= verify.GenZeroInput {
			// The face method of a zero-input neuron with k = 2 runs over
			// every cell of all n hyperplanes: keep it small.
			cfg.N, cfg.D = 2+rng.IntN(6), 2+rng.IntN(2)
		}
		cfg.Boundary = rng.IntN(cfg.N/2 + 1)
		if cfg.Kind == verify.GenSaddle || cfg.Kind == verify.GenZeroInputFail {
			cfg.Boundary = rng.IntN((cfg.N-1)/2 + 1)
		}
		p, exp, err := verify.Generate(cfg)
		if err != nil {
			if cfg.Kind == verify.GenSaddle && cfg.Act.Neg.Sign() > 0 {
				continue // the construction needs ρ ≥ 0
			}
			t.Fatalf("trial %d %+v: %v", trial, cfg, err)
		}
		if p.N() != cfg.N || p.D() != cfg.D || p.M() != cfg.M || p.K() != cfg.K {
			t.Fatalf("trial %d: shape %d %d %d %d for %+v", trial, p.N(), p.D(), p.M(), p.K(), cfg)
		}
		v, err := verify.Check(p, verify.Options{})
		if err != nil {
			t.Fatalf("trial %d %+v: %v", trial, cfg, err)
		}
		if v.Kind != exp.Verdict || !slices.Equal(v.Escape, exp.Escape) {
			t.Fatalf("trial %d %+v: exact %v %v, planted %v %v", trial, cfg, v.Kind, v.Escape, exp.Verdict, exp.Escape)
		}
		if err := verify.Recheck(p, v); err != nil {
			t.Fatalf("trial %d: Recheck: %v", trial, err)
		}
		f, err := numeric.Check(p)
		if err != nil {
			t.Fatalf("trial %d: numeric: %v", trial, err)
		}
		if f.Kind != exp.Verdict || !slices.Equal(f.Escape, exp.Escape) {
			t.Fatalf("trial %d %+v: float64 %v %v, planted %v %v", trial, cfg, f.Kind, f.Escape, exp.Verdict, exp.Escape)
		}
		count[cfg.Kind]++
	}
	t.Logf("instances per kind: %v", count)
}

// TestGenerateBoundaryAndErrors checks that planted boundary inputs lie
// exactly on the hyperplane of the neuron they were planted for, that the
// float-derived numbers are float64s, and that impossible configurations
// are refused.
func TestGenerateBoundaryAndErrors(t *testing.T) {
	p, _, err := verify.Generate(verify.GenConfig{Kind: verify.GenLocalMin, N: 40, D: 5, M: 4, K: 1, Act: verify.ReLU(), Boundary: 20, Dyadic: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	pt := verify.PatternOf(p)
	onPlane := 0
	for j := range p.Neurons {
		onPlane += len(pt.Boundary(j))
	}
	if onPlane < 40 {
		t.Errorf("%d boundary samples, want ≥ 40 (20 duplicated inputs)", onPlane)
	}
	for _, x := range p.X.Vecs() {
		for _, c := range x {
			if f, exact := c.Float64(); !exact {
				t.Fatalf("input entry %s is not a float64 (%g)", c.RatString(), f)
			}
		}
	}
	for _, cfg := range []verify.GenConfig{
		{Kind: verify.GenLocalMin, N: 1, D: 2, M: 1, K: 1, Act: verify.ReLU()},
		{Kind: verify.GenSaddle, N: 5, D: 2, M: 1, K: 1, Act: verify.Leaky(big.NewRat(1, 10))},
		{Kind: verify.GenLocalMin, N: 6, D: 1, M: 1, K: 1, Act: verify.ReLU(), Boundary: 1},
		{Kind: verify.GenLocalMin, N: 6, D: 2, M: 1, K: 1, Act: verify.ReLU(), Boundary: 4},
		{Kind: verify.GenLocalMin, N: 0, D: 2, M: 1, K: 1, Act: verify.ReLU()},
	} {
		if _, _, err := verify.Generate(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
