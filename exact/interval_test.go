package exact

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
)

// randWideRat returns a random rational with numerator and denominator up
// to about 2^40, negative half the time: most are not representable at low
// precision, so rounding happens.
func randWideRat(rng *rand.Rand) *big.Rat {
	num := rng.Int64N(1<<40) - 1<<39
	den := rng.Int64N(1<<40) + 1
	if rng.IntN(5) == 0 {
		num = rng.Int64N(7) - 3 // small, often zero
		den = 1
	}
	return big.NewRat(num, den)
}

// randInterval returns an interval of precision prec containing the
// rationals a ≤ b it was built from, with one of them as the witness the
// test follows through the operation.
func randInterval(rng *rand.Rand, prec uint) (*Interval, []*big.Rat) {
	a, b := randWideRat(rng), randWideRat(rng)
	if rng.IntN(4) == 0 {
		b = new(big.Rat).Set(a) // a thin interval around one rational
	}
	if a.Cmp(b) > 0 {
		a, b = b, a
	}
	lo := IntervalOfRat(a, prec)
	hi := IntervalOfRat(b, prec)
	z := NewInterval(prec).Hull(lo, hi)
	// members: the endpoints' rationals and a point between them
	mid := new(big.Rat).Add(a, b)
	mid.Quo(mid, big.NewRat(2, 1))
	return z, []*big.Rat{a, b, mid}
}

// TestIntervalContainment checks the defining property on random inputs:
// for members a ∈ x, b ∈ y the exact rational result of the operation lies
// in the interval result, at several precisions (a low one forces rounding
// at every step).
func TestIntervalContainment(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type op struct {
		name  string
		ival  func(z, x, y *Interval) *Interval
		exact func(a, b *big.Rat) *big.Rat
		ok    func(y *Interval) bool
	}
	ops := []op{
		{"add", (*Interval).Add, func(a, b *big.Rat) *big.Rat { return new(big.Rat).Add(a, b) }, nil},
		{"sub", (*Interval).Sub, func(a, b *big.Rat) *big.Rat { return new(big.Rat).Sub(a, b) }, nil},
		{"mul", (*Interval).Mul, func(a, b *big.Rat) *big.Rat { return new(big.Rat).Mul(a, b) }, nil},
		{"quo", (*Interval).Quo, func(a, b *big.Rat) *big.Rat { return new(big.Rat).Quo(a, b) }, func(y *Interval) bool { return y.Sign() != 0 }},
		{"neg", func(z, x, _ *Interval) *Interval { return z.Neg(x) }, func(a, _ *big.Rat) *big.Rat { return new(big.Rat).Neg(a) }, nil},
		{"sqr", func(z, x, _ *Interval) *Interval { return z.Sqr(x) }, func(a, _ *big.Rat) *big.Rat { return new(big.Rat).Mul(a, a) }, nil},
		{"addmul", func(z, x, y *Interval) *Interval { return z.SetInt64(3).AddMul(x, y) }, func(a, b *big.Rat) *big.Rat {
			return new(big.Rat).Add(big.NewRat(3, 1), new(big.Rat).Mul(a, b))
		}, nil},
	}
	for _, prec := range []uint{5, 24, 53, 200} {
		for _, o := range ops {
			checked := 0
			for trial := 0; trial < 400; trial++ {
				x, as := randInterval(rng, prec)
				y, bs := randInterval(rng, prec)
				if o.ok != nil && !o.ok(y) {
					continue
				}
				z := o.ival(NewInterval(prec), x, y)
				if z.Lo.Cmp(&z.Hi) > 0 {
					t.Fatalf("prec %d %s: %v with lo > hi", prec, o.name, z)
				}
				for _, a := range as {
					for _, b := range bs {
						want := o.exact(a, b)
						if !z.Contains(want) {
							t.Fatalf("prec %d %s(%v ∋ %s, %v ∋ %s) = %v does not contain the exact %s",
								prec, o.name, x, a.RatString(), y, b.RatString(), z, want.RatString())
						}
						checked++
					}
				}
			}
			if checked < 1000 {
				t.Fatalf("prec %d %s: only %d members checked", prec, o.name, checked)
			}
		}
	}
}

// TestIntervalAliasing checks that a receiver may be one of the operands.
func TestIntervalAliasing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		x, as := randInterval(rng, 20)
		y, bs := randInterval(rng, 20)
		z := NewInterval(20).Set(x)
		z.Mul(z, y)
		w := NewInterval(20).Set(y)
		w.Sub(x, w)
		u := NewInterval(20).Set(x)
		u.Sqr(u)
		for _, a := range as {
			for _, b := range bs {
				if p := new(big.Rat).Mul(a, b); !z.Contains(p) {
					t.Fatalf("z = x; z.Mul(z, y) = %v misses %s", z, p.RatString())
				}
				if d := new(big.Rat).Sub(a, b); !w.Contains(d) {
					t.Fatalf("w = y; w.Sub(x, w) = %v misses %s", w, d.RatString())
				}
			}
			if s := new(big.Rat).Mul(a, a); !u.Contains(s) {
				t.Fatalf("u = x; u.Sqr(u) = %v misses %s", u, s.RatString())
			}
		}
	}
}

// TestIntervalTight checks that rounding is outward by at most one unit in
// the last place per endpoint for exactly representable operands, so the
// enclosures do not grow for nothing.
func TestIntervalTight(t *testing.T) {
	third := IntervalOfRat(big.NewRat(1, 3), 10)
	lo, _ := third.Lo.Rat(nil)
	hi, _ := third.Hi.Rat(nil)
	// 1/3 = 1.010101…₂ · 2^-2: with 10 significant bits the unit in the
	// last place is 2^-11, and 2048/3 = 682.67, so the neighbours are
	// 682/2048 = 341/1024 and 683/2048.
	if lo.Cmp(big.NewRat(341, 1024)) != 0 || hi.Cmp(big.NewRat(683, 2048)) != 0 {
		t.Fatalf("1/3 at 10 bits = [%s, %s], want [341/1024, 683/2048]", lo.RatString(), hi.RatString())
	}
	// Thin exact operands stay thin when the result fits.
	a := IntervalOfRat(big.NewRat(3, 4), 10)
	b := IntervalOfRat(big.NewRat(-5, 8), 10)
	if p := NewInterval(10).Mul(a, b); p.Lo.Cmp(&p.Hi) != 0 || !p.Contains(big.NewRat(-15, 32)) {
		t.Fatalf("3/4 · −5/8 = %v, want the thin [-15/32, -15/32]", p)
	}
	// An interval straddling 0 squared starts at 0.
	s := NewInterval(10).Sqr(NewInterval(10).SetEndpoints(big.NewFloat(-2), big.NewFloat(1)))
	if s.Lo.Sign() != 0 || s.Hi.Cmp(big.NewFloat(4)) != 0 {
		t.Fatalf("[-2, 1]² = %v, want [0, 4]", s)
	}
	// And its product with itself (no dependency tracking) is [-2, 4].
	x := NewInterval(10).SetEndpoints(big.NewFloat(-2), big.NewFloat(1))
	if m := NewInterval(10).Mul(x, x); m.Lo.Cmp(big.NewFloat(-2)) != 0 || m.Hi.Cmp(big.NewFloat(4)) != 0 {
		t.Fatalf("[-2, 1]·[-2, 1] = %v, want [-2, 4]", m)
	}
}

// TestIntervalPredicates checks Sign, Within, Subset, Mid, Rad, Mag, Mig.
func TestIntervalPredicates(t *testing.T) {
	iv := func(lo, hi float64) *Interval {
		return NewInterval(53).SetEndpoints(big.NewFloat(lo), big.NewFloat(hi))
	}
	tests := []struct {
		x        *Interval
		sign     int
		mag, mig float64
	}{
		{iv(1, 2), 1, 2, 1},
		{iv(-3, -0.5), -1, 3, 0.5},
		{iv(-1, 2), 0, 2, 0},
		{iv(0, 0), 0, 0, 0},
		{iv(0, 1), 0, 1, 0},
	}
	for _, tc := range tests {
		if got := tc.x.Sign(); got != tc.sign {
			t.Errorf("%v.Sign() = %d, want %d", tc.x, got, tc.sign)
		}
		if got, _ := tc.x.Mag().Float64(); got != tc.mag {
			t.Errorf("%v.Mag() = %v, want %v", tc.x, got, tc.mag)
		}
		if got, _ := tc.x.Mig().Float64(); got != tc.mig {
			t.Errorf("%v.Mig() = %v, want %v", tc.x, got, tc.mig)
		}
	}
	if !iv(1, 2).Within(iv(0.5, 3)) || iv(1, 2).Within(iv(1, 3)) || !iv(1, 2).Subset(iv(1, 3)) || iv(0, 4).Subset(iv(1, 3)) {
		t.Error("Within/Subset wrong")
	}
	if m, _ := iv(1, 2).Mid().Float64(); m != 1.5 {
		t.Errorf("Mid [1, 2] = %v", m)
	}
	if r, _ := iv(1, 2).Rad().Float64(); r != 0.5 {
		t.Errorf("Rad [1, 2] = %v", r)
	}
	c := NewInterval(53).Ball(big.NewFloat(1), big.NewFloat(0.25))
	if !c.Contains(big.NewRat(3, 4)) || !c.Contains(big.NewRat(5, 4)) || c.Contains(big.NewRat(13, 10)) {
		t.Errorf("Ball(1, 1/4) = %v", c)
	}
}

func TestIntervalQuoByZeroPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic dividing by an interval containing 0")
		}
	}()
	x := NewInterval(53).SetInt64(1)
	y := NewInterval(53).SetEndpoints(big.NewFloat(-1), big.NewFloat(1))
	NewInterval(53).Quo(x, y)
}

// ExampleInterval encloses (1/3)·3 − 1 at 8 bits: the exact value 0 lies
// in the result even though 1/3 is not representable. By hand: 1/3 lies in
// [170/512, 171/512] (unit 2^-9); times 3 that is [255/256, 513/512], and
// 513/512 rounds up to 1 + 2^-7 at 8 bits; minus 1 gives [−2^-8, 2^-7].
func ExampleInterval() {
	third := IntervalOfRat(big.NewRat(1, 3), 8)
	three := NewInterval(8).SetInt64(3)
	one := NewInterval(8).SetInt64(1)
	z := NewInterval(8).Mul(third, three)
	z.Sub(z, one)
	fmt.Println(z, z.Contains(new(big.Rat)), z.Sign())
	// Output: [-0.00390625, 0.0078125] true 0
}
