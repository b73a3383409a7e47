package exact

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
)

// BenchmarkSignMatrix: the filtered signs of m = 16 neurons on n = 1000
// Gaussian samples (every sign decided by the filter), d = 4 and 16.
func BenchmarkSignMatrix(b *testing.B) {
	for _, d := range []int{4, 16, 256} {
		b.Run(fmt.Sprintf("d=%d", d), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			w, x := gaussianVecs(rng, 16, d), gaussianVecs(rng, 1000, d)
			out := make([][]int8, len(w))
			for j := range out {
				out[j] = make([]int8, len(x))
			}
			c0 := cpuNanos()
			for b.Loop() {
				SignMatrix(w, x, out)
			}
			b.ReportMetric(float64(cpuNanos()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// gaussianVecs returns n vectors of d standard normal entries.
func gaussianVecs(rng *rand.Rand, n, d int) []FloatVec {
	out := make([]FloatVec, n)
	for i := range out {
		f := make([]float64, d)
		for c := range f {
			f[c] = rng.NormFloat64()
		}
		out[i] = FloatVecOf(f)
	}
	return out
}

// cpuNanos returns the CPU time of this process (user + system).
func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkSignBits: SignMatrix's instances through SignBits (m = 16
// neurons, n = 1000 samples), and m = 256.
func BenchmarkSignBits(b *testing.B) {
	for _, m := range []int{16, 256} {
		for _, d := range []int{4, 16, 256} {
			b.Run(fmt.Sprintf("m=%d,d=%d", m, d), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				w, x := gaussianVecs(rng, m, d), gaussianVecs(rng, 1000, d)
				for _, how := range []string{"matrix", "bits"} {
					b.Run(how, func(b *testing.B) {
						out := make([][]int8, len(w))
						for j := range out {
							out[j] = make([]int8, len(x))
						}
						wr := NewFloatRows(w, d)
						stride := (len(x) + 63) / 64
						pos, neg := make([]uint64, m*stride), make([]uint64, m*stride)
						c0 := cpuNanos()
						for b.Loop() {
							if how == "matrix" {
								SignMatrix(w, x, out)
							} else {
								clear(pos)
								clear(neg)
								SignBits(wr, x, 0, pos, neg, stride, nil)
							}
						}
						b.ReportMetric(float64(cpuNanos()-c0)/float64(b.N), "cpu-ns/op")
					})
				}
			})
		}
	}
}
