package verify_test

import (
	"testing"

	"github.com/relucert/relucert/verify"
)

// The cost of Theorem G in Check: compare BenchmarkCheckLocalMin2000 and
// BenchmarkCheckSaddle2000 (bench_test.go, Theorem G on) with these (off).

func benchCheckLocal(b *testing.B, cfg verify.GenConfig) {
	p := benchPoint(b, cfg)
	b.ResetTimer()
	for b.Loop() {
		if _, err := verify.Check(p, verify.Options{SkipGlobal: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckLocalMin2000NoGlobal: BenchmarkCheckLocalMin2000 without
// Theorem G.
func BenchmarkCheckLocalMin2000NoGlobal(b *testing.B) { benchCheckLocal(b, benchLocalMin) }

// BenchmarkCheckSaddle2000NoGlobal: BenchmarkCheckSaddle2000 without
// Theorem G.
func BenchmarkCheckSaddle2000NoGlobal(b *testing.B) { benchCheckLocal(b, benchSaddle) }

// BenchmarkGlobalFit: Theorem G on a point that is not global, with L*, its
// fit and the pruned witness network (n = 60, d = 3, k = 1, one line per
// sample pair).
func BenchmarkGlobalFit(b *testing.B) {
	p := benchPoint(b, verify.GenConfig{Kind: verify.GenSaddle, N: 61, D: 3, M: 4, K: 1, Act: verify.ReLU(), Dyadic: true, Seed: 2})
	b.ResetTimer()
	for b.Loop() {
		if _, err := verify.Check(p, verify.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
