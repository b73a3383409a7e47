package exact

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMulAddFloat: a·(x·2^E) for a of wa words into dst of wa+1
// words, by MulAddFloat and by forming X̄ (FloatImageWords) and
// MulAddWords, the two ways the engine's data passes can take.
func BenchmarkMulAddFloat(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	for _, wa := range []int{1, 2} {
		a := make([]uint64, wa)
		for i := range a {
			a[i] = rng.Uint64() >> 8
		}
		dst := make([]uint64, 3)
		b.Run("float/wa="+string(rune('0'+wa)), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				MulAddFloat(dst, a, xs[i&1023], 59)
			}
		})
		xw := make([]uint64, 2)
		b.Run("image/wa="+string(rune('0'+wa)), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				FloatImageWords(xw, xs[i&1023], 59)
				MulAddWords(dst, a, xw)
			}
		})
	}
}

// BenchmarkMulAddWordSign: a·X for a of wa words into dst of wa+2 words
// (the engine's residual and sums passes: 2 → 4 and 1 → 3), with X the
// one-word image of a standard normal float under 2^59 decomposed once
// (FloatImageWord), against MulAddFloat on the same products.
func BenchmarkMulAddWordSign(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 1024)
	mag, neg := make([]uint64, 1024), make([]uint64, 1024)
	for i := range xs {
		xs[i] = rng.NormFloat64()
		mag[i], neg[i], _ = FloatImageWord(xs[i], 59)
	}
	for _, wa := range []int{1, 2} {
		a := make([]uint64, wa)
		for i := range a {
			a[i] = rng.Uint64() >> 8
		}
		dst := make([]uint64, wa+2)
		b.Run("word/wa="+string(rune('0'+wa)), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				MulAddWordSign(dst, a, mag[i&1023], neg[i&1023])
			}
		})
		b.Run("float/wa="+string(rune('0'+wa)), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				MulAddFloat(dst, a, xs[i&1023], 59)
			}
		})
	}
}
