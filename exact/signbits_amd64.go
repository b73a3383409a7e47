//go:build amd64 && !purego

package exact

// dots16 is dots16Go in SSE2 (signbits_amd64.s): the same operations in
// the same order, two lanes at a time. len(wt) ≥ 16·len(x).
//
//go:noescape
func dots16(wt []float64, x []float64, out *[16]float64)
