package exact

import (
	"encoding/binary"
	"math/big"
	"math/bits"
)

// AppendLineKey appends to b a key that identifies the line through 0 and
// v ≠ 0 exactly — two nonzero vectors get the same key iff they are
// parallel (v = t·w, t ≠ 0 rational): the primitive integer vector c·v
// (c ≠ 0 rational) whose first nonzero entry is positive. Unlike OnLine it
// divides no rationals: one lcm of the denominators, one gcd of the
// numerators.
func (v Vec) AppendLineKey(b []byte) []byte {
	ints := make([]big.Int, len(v))
	if dyadicPrimitive(v, ints) {
		return AppendPrimitiveKey(b, ints)
	}
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
	var t big.Int
	for c, x := range v {
		if x.Sign() != 0 {
			ints[c].Mul(x.Num(), t.Quo(l, x.Denom()))
		}
	}
	return AppendPrimitiveKey(b, ints)
}

// dyadicPrimitive sets ints to an integer multiple of v without a common
// power of two when every denominator of v is a power of two: with
// v_c = ν_c 2^(−e_c) and s = min over v_c ≠ 0 of (zeros(ν_c) − e_c),
// ints_c = v_c 2^(−s) (shifts, no gcd; the odd gcd is AppendPrimitiveKey's).
// It reports false, ints untouched, for any other denominator.
func dyadicPrimitive(v Vec, ints []big.Int) bool {
	s, any := 0, false
	for _, x := range v {
		if x.Sign() == 0 {
			continue
		}
		e, ok := log2Denom(x)
		if !ok {
			return false
		}
		z := int(x.Num().TrailingZeroBits()) - e
		if !any || z < s {
			s, any = z, true
		}
	}
	// One backing array for all the entries (a Lsh into a fresh big.Int
	// allocates).
	words := 0
	for _, x := range v {
		if x.Sign() != 0 {
			e, _ := log2Denom(x)
			words += lshWords(x.Num(), max(-e-s, 0))
		}
	}
	buf := make([]big.Word, words)
	for c, x := range v {
		if x.Sign() == 0 {
			continue
		}
		e, _ := log2Denom(x)
		w := lshWords(x.Num(), max(-e-s, 0))
		ints[c].SetBits(buf[:0:w])
		buf = buf[w:]
		if sh := -e - s; sh >= 0 {
			ints[c].Lsh(x.Num(), uint(sh))
		} else {
			ints[c].Rsh(x.Num(), uint(-sh)) // exact: ν_c has ≥ −sh zeros
		}
	}
	return true
}

// lshWords is the capacity big.Int.Lsh(x, sh) needs not to allocate.
func lshWords(x *big.Int, sh int) int {
	return (x.BitLen()+bits.UintSize-1)/bits.UintSize + sh/bits.UintSize + 1
}

// AppendPrimitiveKey appends to b the entries of the integer vector ints
// divided by the gcd of its entries and negated when its first nonzero
// entry is negative, each as a sign byte, its number of words (uvarint) and
// its words (little-endian; a self-delimiting binary code, much cheaper
// than decimal or base-36 text): equal keys iff the nonzero vectors are
// rational multiples of each other. ints is overwritten.
func AppendPrimitiveKey(b []byte, ints []big.Int) []byte {
	var g, t big.Int
	neg, first := false, true
	one := false
	for c := range ints {
		if ints[c].Sign() == 0 {
			continue
		}
		if first {
			neg, first = ints[c].Sign() < 0, false
		}
		if !one {
			g.GCD(nil, nil, &g, t.Abs(&ints[c]))
			one = g.IsInt64() && g.Int64() == 1 // then it stays 1
		}
	}
	for c := range ints {
		if ints[c].Sign() != 0 {
			if !one {
				ints[c].Quo(&ints[c], &g)
			}
			if neg {
				ints[c].Neg(&ints[c])
			}
		}
		b = appendIntBinary(b, &ints[c])
	}
	return b
}

// appendIntBinary appends x as a sign byte (0, 1 or 2 for −, 0, +), the
// number of its words (uvarint) and its words, little-endian.
func appendIntBinary(b []byte, x *big.Int) []byte {
	b = append(b, byte(x.Sign()+1))
	words := x.Bits()
	b = binary.AppendUvarint(b, uint64(len(words)))
	for _, w := range words {
		b = binary.LittleEndian.AppendUint64(b, uint64(w))
	}
	return b
}
