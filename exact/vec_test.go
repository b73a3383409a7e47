package exact

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestDotDyadic: Dot of vectors with power-of-two denominators (the
// integer fast path) equals the term-by-term sum of big.Rat products, on
// random vectors mixing signs, zeros, integers and denominators up to 2^200;
// a vector with a denominator 3 takes the general path, with the same
// result.
func TestDotDyadic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	entry := func(third bool) *big.Rat {
		switch rng.IntN(5) {
		case 0:
			return new(big.Rat)
		case 1:
			return big.NewRat(rng.Int64N(1<<40)-1<<39, 1)
		}
		num := new(big.Int)
		for range 1 + rng.IntN(2) {
			num.Lsh(num, 64).Add(num, new(big.Int).SetUint64(rng.Uint64()>>rng.IntN(64)))
		}
		if rng.IntN(2) == 0 {
			num.Neg(num)
		}
		den := new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(200)))
		if third {
			den.Mul(den, big.NewInt(3))
		}
		return new(big.Rat).SetFrac(num, den)
	}
	for trial := 0; trial < 300; trial++ {
		d := 1 + rng.IntN(20)
		v, w := make(Vec, d), make(Vec, d)
		for i := range v {
			v[i], w[i] = entry(false), entry(trial%3 == 0 && i == 0)
		}
		want := new(big.Rat)
		for i := range v {
			want.Add(want, new(big.Rat).Mul(v[i], w[i]))
		}
		if got := v.Dot(w); got.Cmp(want) != 0 {
			t.Fatalf("trial %d: Dot = %v, Σ v_i w_i = %v", trial, got, want)
		}
	}
}
