//go:build !amd64 || purego

package exact

// dots16 is dots16Go (no assembly on this architecture).
func dots16(wt []float64, x []float64, out *[16]float64) { dots16Go(wt, x, out) }
