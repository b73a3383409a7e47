package exact

import (
	"math/rand/v2"
	"testing"
)

// TestModulusReduce compares Barrett reduction with the hardware remainder
// on edge values (0, p−1, p, multiples of p and their neighbours, 2⁶⁴−1)
// and random values, for small, 31-bit and 32-bit moduli.
func TestModulusReduce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ps := []uint64{2, 3, 7, 65537, 2147483647, 2147483629, 4294967291, 4294967295}
	ps = append(ps, Primes31(20)...)
	for _, p := range ps {
		md := NewModulus(p)
		xs := []uint64{0, 1, p - 1, p, p + 1, 2*p - 1, 2 * p, ^uint64(0), ^uint64(0) - 1, ^uint64(0) / p * p, ^uint64(0)/p*p - 1}
		for range 20000 {
			xs = append(xs, rng.Uint64(), rng.Uint64()>>rng.IntN(64), rng.Uint64N(1<<62)/p*p+rng.Uint64N(3))
		}
		for _, x := range xs {
			if got, want := md.Reduce(x), x%p; got != want {
				t.Fatalf("p = %d: Reduce(%d) = %d, want %d", p, x, got, want)
			}
		}
		for range 1000 {
			a, b := rng.Uint64N(1<<32), rng.Uint64N(1<<32)
			if got, want := md.MulMod(a, b), a*b%p; got != want {
				t.Fatalf("p = %d: MulMod(%d, %d) = %d, want %d", p, a, b, got, want)
			}
		}
	}
}
