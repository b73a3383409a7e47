package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestFloatProductsEqual compares FloatProductsEqual with products taken
// in big.Float at 200 bits (exact for two 53-bit mantissas): random
// float64s of every magnitude (subnormals, up to MaxFloat64, zeros, both
// signs), and pairs built to have equal products (a·2^s times b·2^−s,
// 3·2^j times 5·2^k against 5·2^j′ times 3·2^k′ with j+k = j′+k′).
func TestFloatProductsEqual(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	exactEq := func(a, b, c, d float64) bool {
		mul := func(x, y float64) *big.Float {
			return new(big.Float).SetPrec(200).Mul(new(big.Float).SetPrec(200).SetFloat64(x), new(big.Float).SetFloat64(y))
		}
		return mul(a, b).Cmp(mul(c, d)) == 0
	}
	randFloat := func() float64 {
		switch rng.IntN(6) {
		case 0:
			return 0
		case 1: // subnormal
			return math.Float64frombits(1+rng.Uint64N(1<<52-1)) * float64(1-2*rng.IntN(2))
		case 2: // a few significant bits, so that equal products happen
			return math.Ldexp(float64(rng.IntN(7)-3), rng.IntN(40)-20)
		}
		for {
			if f := math.Float64frombits(rng.Uint64()); !math.IsNaN(f) && !math.IsInf(f, 0) {
				return f
			}
		}
	}
	check := func(a, b, c, d float64, want bool) {
		t.Helper()
		if got := FloatProductsEqual(a, b, c, d); got != want {
			t.Fatalf("FloatProductsEqual(%g, %g, %g, %g) = %v, want %v", a, b, c, d, got, want)
		}
	}
	equal := 0
	for range 20000 {
		a, b, c, d := randFloat(), randFloat(), randFloat(), randFloat()
		want := exactEq(a, b, c, d)
		if want {
			equal++
		}
		check(a, b, c, d, want)
	}
	if equal < 100 {
		t.Fatalf("only %d random quadruples had equal products", equal)
	}
	for range 2000 {
		a, b := randFloat(), randFloat()
		s := rng.IntN(60) - 30
		c, d := math.Ldexp(a, s), math.Ldexp(b, -s)
		want := exactEq(a, b, c, d) // false when a shift lost bits
		check(a, b, c, d, want)
		j, k, j2 := rng.IntN(2000)-1074, rng.IntN(2000)-1074, rng.IntN(2000)-1074
		k2 := j + k - j2
		if k2 < -1074 || k2 > 1000 || j > 1000 || k > 1000 || j2 > 1000 {
			continue
		}
		check(math.Ldexp(3, j), math.Ldexp(5, k), math.Ldexp(5, j2), math.Ldexp(3, k2), exactEq(math.Ldexp(3, j), math.Ldexp(5, k), math.Ldexp(5, j2), math.Ldexp(3, k2)))
	}
	// By hand: 3·2⁻¹⁰⁷⁴ · 2¹⁰⁰⁰ = 3·2⁻⁷⁴ = 3·2⁻⁷⁴ · 1; −3·2⁻¹⁰⁷⁴ · 2¹⁰⁰⁰ ≠ it.
	sub3 := math.Ldexp(3, -1074)
	check(sub3, math.Ldexp(1, 1000), math.Ldexp(3, -74), 1, true)
	check(-sub3, math.Ldexp(1, 1000), math.Ldexp(3, -74), 1, false)
	check(-sub3, -math.Ldexp(1, 1000), math.Ldexp(3, -74), 1, true)
	check(0, 5, math.Copysign(0, -1), 1, true)
	check(0, 5, math.SmallestNonzeroFloat64, 1, false)
	check(math.MaxFloat64, math.MaxFloat64, math.MaxFloat64, math.MaxFloat64, true)
	check(math.MaxFloat64, 1, math.MaxFloat64/2, 2, true)
}
