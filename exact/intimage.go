package exact

import "math/big"

// CommonDenominator returns the least common multiple of the denominators
// of xs (1 for none); for denominators that are all powers of two it is
// their maximum, found without a gcd.
func CommonDenominator(xs []*big.Rat) *big.Int {
	dyadic := true
	maxTZ := uint(0)
	for _, x := range xs {
		if x.IsInt() {
			continue
		}
		q := x.Denom()
		tz := q.TrailingZeroBits()
		if int(tz) != q.BitLen()-1 {
			dyadic = false
			break
		}
		if tz > maxTZ {
			maxTZ = tz
		}
	}
	if dyadic {
		return new(big.Int).Lsh(big.NewInt(1), maxTZ)
	}
	l := big.NewInt(1)
	var g big.Int
	for _, x := range xs {
		if x.IsInt() {
			continue
		}
		q := x.Denom()
		g.GCD(nil, nil, l, q)
		if g.Cmp(q) == 0 {
			continue
		}
		l.Mul(l, new(big.Int).Quo(q, &g))
	}
	return l
}

// ScaleInt sets z = x·D for a multiple D of x's denominator and returns z.
func ScaleInt(z *big.Int, x *big.Rat, D *big.Int) *big.Int {
	if x.Sign() == 0 {
		return z.SetInt64(0)
	}
	if x.IsInt() {
		return z.Mul(x.Num(), D)
	}
	q := x.Denom()
	if tz := q.TrailingZeroBits(); int(tz) == q.BitLen()-1 && D.TrailingZeroBits() >= tz && int(D.TrailingZeroBits()) == D.BitLen()-1 {
		return z.Lsh(x.Num(), D.TrailingZeroBits()-tz)
	}
	z.Quo(D, q)
	return z.Mul(z, x.Num())
}
