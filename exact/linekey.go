package exact

import "math/big"

// AppendLineKey appends to b a text that identifies the line through 0 and
// v ≠ 0 exactly — two nonzero vectors get the same text iff they are
// parallel (v = t·w, t ≠ 0 rational): the primitive integer vector c·v
// (c ≠ 0 rational) whose first nonzero entry is positive. Unlike OnLine it
// divides no rationals: one lcm of the denominators, one gcd of the
// numerators.
func (v Vec) AppendLineKey(b []byte) []byte {
	l := big.NewInt(1)
	var g big.Int
	for _, x := range v {
		if x.Sign() != 0 && !x.IsInt() {
			q := x.Denom()
			g.GCD(nil, nil, l, q)
			if g.Cmp(q) != 0 {
				l.Mul(l, new(big.Int).Quo(q, &g))
			}
		}
	}
	ints := make([]big.Int, len(v))
	var t big.Int
	for c, x := range v {
		if x.Sign() != 0 {
			ints[c].Mul(x.Num(), t.Quo(l, x.Denom()))
		}
	}
	return AppendPrimitiveKey(b, ints)
}

// AppendPrimitiveKey appends to b the entries, in base 36, of the integer
// vector ints divided by the gcd of its entries and negated when its first
// nonzero entry is negative: equal texts iff the nonzero vectors are
// rational multiples of each other. ints is overwritten.
func AppendPrimitiveKey(b []byte, ints []big.Int) []byte {
	var g, t big.Int
	neg, first := false, true
	for c := range ints {
		if ints[c].Sign() == 0 {
			continue
		}
		if first {
			neg, first = ints[c].Sign() < 0, false
		}
		g.GCD(nil, nil, &g, t.Abs(&ints[c]))
	}
	for c := range ints {
		if ints[c].Sign() != 0 {
			ints[c].Quo(&ints[c], &g)
			if neg {
				ints[c].Neg(&ints[c])
			}
		}
		b = ints[c].Append(b, 36)
		b = append(b, ',')
	}
	return b
}
