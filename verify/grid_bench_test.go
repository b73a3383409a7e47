package verify_test

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/relucert/relucert/verify"
)

// BenchmarkGrid runs Check and Recheck on the planted local minima of the
// issue 15 grid (n ∈ {10³,10⁴,10⁵}, d ∈ {4,16,64,256}, m ∈ {16,256,2048},
// k ∈ {1,4}, 64 boundary inputs), reporting CPU milliseconds per operation
// (user + system, all threads: on a shared machine CPU time varies much
// less than wall time). Select rows by name, e.g.
// go test ./verify -run X -bench 'Grid/^check$/n=1000,d=256,m=16,k=1$'.
func BenchmarkGrid(b *testing.B) {
	for _, what := range []string{"check", "recheck"} {
		for _, n := range []int{1000, 10000, 100000} {
			for _, d := range []int{4, 16, 64, 256} {
				for _, m := range []int{16, 256, 2048} {
					for _, k := range []int{1, 4} {
						cfg := verify.GenConfig{Kind: verify.GenLocalMin, N: n, D: d, M: m, K: k, Act: verify.ReLU(), Boundary: 64, Dyadic: true, Seed: 1}
						b.Run(fmt.Sprintf("%s/n=%d,d=%d,m=%d,k=%d", what, n, d, m, k), func(b *testing.B) {
							p := benchPoint(b, cfg)
							var v *verify.Verdict
							if what == "recheck" {
								var err error
								if v, err = verify.Check(p, verify.Options{}); err != nil {
									b.Fatal(err)
								}
							}
							b.ResetTimer()
							c0 := cpuNow()
							for b.Loop() {
								var err error
								if what == "check" {
									_, err = verify.Check(p, verify.Options{})
								} else {
									err = verify.Recheck(p, v)
								}
								if err != nil {
									b.Fatal(err)
								}
							}
							b.ReportMetric((cpuNow()-c0)*1e3/float64(b.N), "cpu-ms/op")
						})
					}
				}
			}
		}
	}
}

func cpuNow() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
