package verify_test

import (
	"testing"

	"github.com/relucert/relucert/numeric"
	"github.com/relucert/relucert/verify"
)

// The benchmarks of issue 6, on planted float-derived instances (run with
// go test -bench . ./verify; they are not part of go test ./...). Compare
// BenchmarkCheck… with BenchmarkFloat… for the exact/float64 ratio.

func benchPoint(b *testing.B, cfg verify.GenConfig) *verify.Point {
	b.Helper()
	p, _, err := verify.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

var (
	benchLocalMin = verify.GenConfig{Kind: verify.GenLocalMin, N: 2000, D: 16, M: 256, K: 1, Act: verify.ReLU(), Boundary: 64, Dyadic: true, Seed: 1}
	benchSaddle   = verify.GenConfig{Kind: verify.GenSaddle, N: 2000, D: 16, M: 256, K: 1, Act: verify.ReLU(), Boundary: 64, Dyadic: true, Seed: 1}
	benchZero     = verify.GenConfig{Kind: verify.GenZeroInput, N: 300, D: 3, M: 1, K: 1, Act: verify.ReLU(), Dyadic: true, Seed: 1}
)

// benchOptions decides the planted zero-input neuron by the cell method
// (it has Q_j ≡ 0 and would otherwise need no cell): the benchmarks of it
// measure the cell method.
func benchOptions(cfg verify.GenConfig) verify.Options {
	return verify.Options{Cells: cfg.Kind == verify.GenZeroInput}
}

func benchCheck(b *testing.B, cfg verify.GenConfig) {
	p := benchPoint(b, cfg)
	b.ResetTimer()
	for b.Loop() {
		if _, err := verify.Check(p, benchOptions(cfg)); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRecheck(b *testing.B, cfg verify.GenConfig) {
	p := benchPoint(b, cfg)
	v, err := verify.Check(p, benchOptions(cfg))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := verify.Recheck(p, v); err != nil {
			b.Fatal(err)
		}
	}
}

func benchFloat(b *testing.B, cfg verify.GenConfig) {
	p := benchPoint(b, cfg)
	b.ResetTimer()
	for b.Loop() {
		if _, err := numeric.Check(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckLocalMin2000: n = 2000, d = 16, m = 256, k = 1, exact path.
func BenchmarkCheckLocalMin2000(b *testing.B) { benchCheck(b, benchLocalMin) }

// BenchmarkFloatLocalMin2000: the same instance, float64 path.
func BenchmarkFloatLocalMin2000(b *testing.B) { benchFloat(b, benchLocalMin) }

// BenchmarkRecheckLocalMin2000: Recheck of its certificate.
func BenchmarkRecheckLocalMin2000(b *testing.B) { benchRecheck(b, benchLocalMin) }

// BenchmarkCheckSaddle2000: a planted saddle of the same size, exact path.
func BenchmarkCheckSaddle2000(b *testing.B) { benchCheck(b, benchSaddle) }

// BenchmarkFloatSaddle2000: the saddle, float64 path.
func BenchmarkFloatSaddle2000(b *testing.B) { benchFloat(b, benchSaddle) }

// BenchmarkRecheckSaddle2000: Recheck of the saddle's certificate.
func BenchmarkRecheckSaddle2000(b *testing.B) { benchRecheck(b, benchSaddle) }

// BenchmarkCheckZeroInput300: a zero-input neuron with n = 300, d = 3,
// (S2) over the 22352 cells of its Z⁻ arrangement.
func BenchmarkCheckZeroInput300(b *testing.B) { benchCheck(b, benchZero) }

// BenchmarkRecheckZeroInput300: Recheck of its 22352 cell proofs.
func BenchmarkRecheckZeroInput300(b *testing.B) { benchRecheck(b, benchZero) }

// BenchmarkCheckScaling: the exact path at n = 500 … 4000 (d = 16, m = 256).
func BenchmarkCheckScaling(b *testing.B) {
	for _, n := range []int{500, 1000, 2000, 4000} {
		cfg := benchLocalMin
		cfg.N = n
		b.Run("n="+itoa(n), func(b *testing.B) { benchCheck(b, cfg) })
	}
}

func itoa(n int) string {
	s := ""
	for n > 0 || s == "" {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}
