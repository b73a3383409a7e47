package exact

import (
	"math"
	"math/big"
)

// This file rounds float-derived numbers to short rationals "at the float's
// own accuracy": a float64 (or float32) stands for every real that rounds to
// it, and the simplest rational in that interval (smallest denominator,
// found from the continued fractions of its end points) is the number the
// float most plausibly approximates — 1/10 for the float nearest 0.1, 1/3
// for float32(1/3). Its numerator and denominator have about half the bits
// of the float's mantissa, so exact arithmetic on it stays short.

// Simplest returns the rational with the smallest denominator in the closed
// interval [lo, hi] (lo ≤ hi), and among those the one of smallest absolute
// numerator; 0 when the interval contains 0.
func Simplest(lo, hi *big.Rat) *big.Rat {
	if lo.Cmp(hi) > 0 {
		panic("exact: Simplest of an empty interval")
	}
	if lo.Sign() <= 0 && hi.Sign() >= 0 {
		return new(big.Rat)
	}
	if hi.Sign() < 0 {
		r := simplestPos(new(big.Rat).Neg(hi), new(big.Rat).Neg(lo))
		return r.Neg(r)
	}
	return simplestPos(lo, hi)
}

// simplestPos is Simplest for 0 < lo ≤ hi, by the continued-fraction
// (Stern–Brocot) recursion: with a = ⌊lo⌋, the answer is a when a ∈ [lo, hi]
// or a+1 ≤ hi, else a + 1/simplest(1/(hi−a), 1/(lo−a)).
func simplestPos(lo, hi *big.Rat) *big.Rat {
	// Convergent recurrence h_k = a_k h_{k−1} + h_{k−2} over the terms.
	h0, h1 := big.NewInt(0), big.NewInt(1) // h_{−2}, h_{−1}
	k0, k1 := big.NewInt(1), big.NewInt(0) // k_{−2}, k_{−1}
	l, u := new(big.Rat).Set(lo), new(big.Rat).Set(hi)
	var a, t big.Int
	for {
		a.Quo(l.Num(), l.Denom()) // ⌊l⌋ (l > 0)
		fl := new(big.Rat).SetInt(&a)
		var term big.Int
		switch {
		case fl.Cmp(l) == 0:
			term.Set(&a)
		case new(big.Rat).SetInt(t.Add(&a, big.NewInt(1))).Cmp(u) <= 0:
			term.Add(&a, big.NewInt(1))
		default:
			// a < l ≤ u < a+1: continue with 1/(u−a), 1/(l−a).
			h0, h1 = h1, new(big.Int).Add(new(big.Int).Mul(&a, h1), h0)
			k0, k1 = k1, new(big.Int).Add(new(big.Int).Mul(&a, k1), k0)
			nl := new(big.Rat).Sub(u, fl)
			nu := new(big.Rat).Sub(l, fl)
			l, u = nl.Inv(nl), nu.Inv(nu)
			continue
		}
		num := new(big.Int).Add(new(big.Int).Mul(&term, h1), h0)
		den := new(big.Int).Add(new(big.Int).Mul(&term, k1), k0)
		return new(big.Rat).SetFrac(num, den)
	}
}

// ShortRat returns the simplest rational that rounds to the same float as x
// when x is exactly a float32 (in float32) or a float64 (in float64); any
// other x (and 0) is returned unchanged (a copy). The result r satisfies
// float(r) = x in that format, so reading r back as a float gives x again.
func ShortRat(x *big.Rat) *big.Rat {
	if x.Sign() == 0 {
		return new(big.Rat)
	}
	// big.Rat's Float32 and Float64 call a result that underflowed to 0
	// exact: below the normal range exactness is confirmed by converting
	// back (exactFloat).
	if f, ok := x.Float32(); ok && !math.IsInf(float64(f), 0) && (math.Abs(float64(f)) >= 0x1p-126 || ratOfFloat(float64(f)).Cmp(x) == 0) {
		lo, hi, open := roundingInterval32(f)
		return simplestIn(lo, hi, open)
	}
	if f, ok := exactFloat(x); ok {
		lo, hi, open := roundingInterval64(f)
		return simplestIn(lo, hi, open)
	}
	return new(big.Rat).Set(x)
}

// simplestIn is Simplest on [lo, hi], or on the open interval (lo, hi) when
// open is set: an end point found there is replaced by the simplest
// rational of the interval shrunk by 2⁻³⁰ of its width at both ends.
func simplestIn(lo, hi *big.Rat, open bool) *big.Rat {
	r := Simplest(lo, hi)
	if !open || (r.Cmp(lo) != 0 && r.Cmp(hi) != 0) {
		return r
	}
	eps := new(big.Rat).Sub(hi, lo)
	eps.Mul(eps, big.NewRat(1, 1<<30))
	return Simplest(new(big.Rat).Add(lo, eps), new(big.Rat).Sub(hi, eps))
}

// roundingInterval64 returns the interval of reals that round to f under
// round-to-nearest-even: between the midpoints to its neighbours, which
// belong to it only when f's mantissa is even (ties go to even; open is
// set otherwise).
func roundingInterval64(f float64) (lo, hi *big.Rat, open bool) {
	x := new(big.Rat).SetFloat64(f)
	down := new(big.Rat).SetFloat64(math.Nextafter(f, math.Inf(-1)))
	up := new(big.Rat).SetFloat64(math.Nextafter(f, math.Inf(1)))
	lo, hi = midpoints(x, down, up)
	return lo, hi, math.Float64bits(f)&1 != 0
}

// roundingInterval32 is roundingInterval64 for float32.
func roundingInterval32(f float32) (lo, hi *big.Rat, open bool) {
	x := new(big.Rat).SetFloat64(float64(f))
	down := new(big.Rat).SetFloat64(float64(math.Nextafter32(f, float32(math.Inf(-1)))))
	up := new(big.Rat).SetFloat64(float64(math.Nextafter32(f, float32(math.Inf(1)))))
	lo, hi = midpoints(x, down, up)
	return lo, hi, math.Float32bits(f)&1 != 0
}

// midpoints returns (x+down)/2 and (x+up)/2.
func midpoints(x, down, up *big.Rat) (lo, hi *big.Rat) {
	half := big.NewRat(1, 2)
	lo = new(big.Rat).Mul(new(big.Rat).Add(x, down), half)
	hi = new(big.Rat).Mul(new(big.Rat).Add(x, up), half)
	return lo, hi
}
