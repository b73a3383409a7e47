package exact

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestIntMatReduce checks MaxBits, TrailingZeros, Rsh and Narrow against
// big.Int on random matrices whose entries share a random power of two:
// the expected values are big.Int's BitLen, TrailingZeroBits and Rsh of
// the same integers.
func TestIntMatReduce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 400; trial++ {
		r, c := 1+rng.IntN(5), 1+rng.IntN(4)
		shift := uint(rng.IntN(150))
		xs := make([]*big.Int, r*c)
		wantBits := 0
		for q := range xs {
			x := randBig(rng, 1+rng.IntN(140))
			if trial%7 == 0 {
				x.SetInt64(0) // all zero
			}
			xs[q] = x.Lsh(x, shift)
			wantBits = max(wantBits, xs[q].BitLen())
		}
		m := NewIntMat(r, c, WordsFor(wantBits+1)+rng.IntN(2))
		for q, x := range xs {
			if !m.Set(q/c, q%c, x) {
				t.Fatalf("trial %d: %v does not fit", trial, x)
			}
		}
		if got := m.MaxBits(); got != wantBits {
			t.Fatalf("trial %d: MaxBits %d, want %d", trial, got, wantBits)
		}
		limit := rng.IntN(400)
		wantTZ := limit
		for _, x := range xs {
			if x.Sign() != 0 {
				wantTZ = min(wantTZ, int(new(big.Int).Abs(x).TrailingZeroBits()))
			}
		}
		tz := m.TrailingZeros(limit)
		if tz != wantTZ {
			t.Fatalf("trial %d: TrailingZeros(%d) = %d, want %d", trial, limit, tz, wantTZ)
		}
		m.Rsh(uint(tz))
		nb := 0
		for _, x := range xs {
			nb = max(nb, new(big.Int).Rsh(x, uint(tz)).BitLen())
		}
		nm := m.Narrow(WordsFor(nb))
		if nm.W != min(m.W, WordsFor(nb)) {
			t.Fatalf("trial %d: Narrow to %d words gave %d", trial, WordsFor(nb), nm.W)
		}
		var z big.Int
		for q, x := range xs {
			want := new(big.Int).Rsh(x, uint(tz)) // exact: 2^tz divides x
			if nm.Get(q/c, q%c, &z).Cmp(want) != 0 {
				t.Fatalf("trial %d: entry %d is %v, want %v", trial, q, &z, want)
			}
		}
	}
}
