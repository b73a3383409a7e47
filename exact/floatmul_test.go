package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestMulAddFloat checks dst + a·(x·2^E) against big.Int arithmetic
// (x·2^E from big.Float, exact): random a of 1 to 9 words (both signs,
// −2^(64w−1) included), x of every kind (normal, subnormal, a few bits,
// both signs, zero) and E from the least that makes x·2^E an integer up
// to 130 more, dst wide enough, its initial value random.
func TestMulAddFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 20000 {
		wa := 1 + rng.IntN(9)
		a := randWords(rng, wa)
		x := randFloat(rng)
		// The least E making x·2^E an integer: −(exponent of x's odd mantissa).
		_, e0 := oddParts(x)
		E := max(-e0, 0) + rng.IntN(130)
		if x == 0 {
			E = rng.IntN(100)
		}
		X := new(big.Int)
		if x != 0 {
			X, _ = new(big.Float).SetMantExp(new(big.Float).SetFloat64(x), E).Int(nil)
		}
		A := WordsInt(new(big.Int), a)
		prod := new(big.Int).Mul(A, X)
		wd := WordsFor(prod.BitLen()+66) + rng.IntN(2)
		init := new(big.Int)
		for range wd - 1 {
			init.Lsh(init, 64).Or(init, new(big.Int).SetUint64(rng.Uint64()))
		}
		if rng.IntN(2) == 0 {
			init.Neg(init)
		}
		dst := make([]uint64, wd)
		SetWords(dst, init)
		MulAddFloat(dst, a, x, E)
		want := new(big.Int).Add(init, prod)
		if got := WordsInt(new(big.Int), dst); got.Cmp(want) != 0 {
			t.Fatalf("trial %d: %v + %v·(%g·2^%d) = %v, want %v", trial, init, A, x, E, got, want)
		}
	}
}

// oddParts returns μ odd and e with x = ±μ·2^e (μ = 0, e = 0 for x = 0).
func oddParts(x float64) (uint64, int) {
	if x == 0 {
		return 0, 0
	}
	fr, e := math.Frexp(math.Abs(x)) // x = fr·2^e, fr ∈ [½, 1)
	m := uint64(math.Ldexp(fr, 64))  // exact: 53 bits
	e -= 64
	for m%2 == 0 {
		m /= 2
		e++
	}
	return m, e
}
