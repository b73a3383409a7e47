package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestShortRatKnown: floats of short fractions give those fractions back.
// The value for float64(π) is the known simplest fraction that rounds to it
// (245850922/78256779, the convergent-based best approximation).
func TestShortRatKnown(t *testing.T) {
	for _, c := range []struct {
		in   *big.Rat
		want string
	}{
		{new(big.Rat).SetFloat64(0.1), "1/10"},
		{new(big.Rat).SetFloat64(-0.28), "-7/25"},
		{new(big.Rat).SetFloat64(1.0 / 3), "1/3"},
		{new(big.Rat).SetFloat64(float64(float32(1.0 / 3))), "1/3"},
		{new(big.Rat).SetFloat64(float64(float32(0.7))), "7/10"},
		{new(big.Rat).SetFloat64(math.Pi), "245850922/78256779"},
		{new(big.Rat).SetFloat64(1e-5), "1/100000"},
		{new(big.Rat).SetFloat64(12345), "12345"},
		{big.NewRat(1, 7), "1/7"}, // not a float: unchanged
		{new(big.Rat), "0"},
	} {
		if got := ShortRat(c.in).RatString(); got != c.want {
			t.Errorf("ShortRat(%s) = %s, want %s", c.in.RatString(), got, c.want)
		}
	}
}

// TestShortRatRoundTrip: on random float64 and float32 values the short
// rational rounds back to the same float, and no fraction with a smaller
// denominator does (checked by brute force when the denominator is small).
func TestShortRatRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 3000; it++ {
		var x *big.Rat
		var back func(r *big.Rat) bool
		var lo, hi *big.Rat
		v := math.Exp(rng.NormFloat64()*5) * float64(1-2*rng.IntN(2))
		if it%5 == 0 {
			v = float64(rng.IntN(2000)-1000) / float64(1+rng.IntN(300)) // short fractions
		}
		if it%2 == 0 {
			f := float32(v)
			x = new(big.Rat).SetFloat64(float64(f))
			back = func(r *big.Rat) bool { g, _ := r.Float32(); return g == f }
			lo, hi, _ = roundingInterval32(f)
		} else {
			x = new(big.Rat).SetFloat64(v)
			back = func(r *big.Rat) bool { g, _ := r.Float64(); return g == v }
			lo, hi, _ = roundingInterval64(v)
		}
		r := ShortRat(x)
		if !back(r) {
			t.Fatalf("it %d: ShortRat(%v) = %s does not round back", it, v, r.RatString())
		}
		if r.Cmp(lo) < 0 || r.Cmp(hi) > 0 {
			t.Fatalf("it %d: %s outside the rounding interval", it, r.RatString())
		}
		if q := r.Denom(); q.IsInt64() && q.Int64() <= 2000 {
			for d := int64(1); d < q.Int64(); d++ {
				// the smallest numerator p with p/d ≥ lo
				D := big.NewInt(d)
				p := new(big.Int).Mul(lo.Num(), D)
				p.Div(p, lo.Denom())
				for k := 0; k < 2; k++ {
					c := new(big.Rat).SetFrac(new(big.Int).Add(p, big.NewInt(int64(k))), D)
					if c.Cmp(lo) >= 0 && c.Cmp(hi) <= 0 {
						t.Fatalf("it %d: %s lies in the interval, simpler than %s", it, c.RatString(), r.RatString())
					}
				}
			}
		}
	}
}

// TestSimplest: hand-checked intervals.
func TestSimplest(t *testing.T) {
	for _, c := range []struct{ lo, hi, want string }{
		{"1/3", "1/2", "1/2"},
		{"3/10", "7/20", "1/3"},
		{"-7/20", "-3/10", "-1/3"},
		{"-1", "1", "0"},
		{"5/2", "5/2", "5/2"},
		{"22/7", "22/7", "22/7"},
		{"314/100", "315/100", "22/7"},
	} {
		lo, _ := new(big.Rat).SetString(c.lo)
		hi, _ := new(big.Rat).SetString(c.hi)
		if got := Simplest(lo, hi).RatString(); got != c.want {
			t.Errorf("Simplest[%s, %s] = %s, want %s", c.lo, c.hi, got, c.want)
		}
	}
}

// TestShortRatUnderflow: a rational below float32's and float64's range,
// which big.Rat's Float32/Float64 round to 0 and call exact, is returned
// unchanged, never as 0.
func TestShortRatUnderflow(t *testing.T) {
	for _, e := range []uint{1080, 1500} {
		x := new(big.Rat).SetFrac(big.NewInt(3), new(big.Int).Lsh(big.NewInt(1), e))
		if got := ShortRat(x); got.Cmp(x) != 0 {
			t.Errorf("ShortRat(3·2^−%d) = %s, want the number itself", e, got.RatString())
		}
	}
}
