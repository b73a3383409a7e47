package exact

import (
	"encoding/binary"
	"math/big"
)

// AppendLineKey appends to b a key that identifies the line through 0 and
// v ≠ 0 exactly — two nonzero vectors get the same key iff they are
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
