package exact

import (
	"math"
	"math/big"
	"math/bits"
)

// IntImage returns the integer matrix D·m (entries of the fewest words
// that hold them in two's complement), the least common denominator D of
// m's entries and the bit length b of the largest |D·x|. Every entry is
// read in place — a float64 entry from its mantissa and exponent, another
// from its side-table rational — so no rational is copied (At would copy
// each); when D is a power of two 2^E no big.Int is formed either: the
// image of x = ν/2^e is ν·2^(E−e) written into its words.
func (m *RatMat) IntImage() (*IntMat, *big.Int, int) {
	r, c := m.Rows(), m.Cols()
	if r == 0 || c == 0 {
		return NewIntMat(r, c, 1), big.NewInt(1), 0
	}
	D, e := m.DenominatorBits()
	if tz := D.TrailingZeroBits(); int(tz) == D.BitLen()-1 {
		E := int(tz)
		// Every entry is a float64 or a dyadic ±ν/2^de (D is a power of
		// two), for which DenominatorBits's e is tight: |x| ∈ [2^(e−1), 2^e)
		// for the largest, so the largest |x·2^E| has exactly E + e bits.
		b := 0
		if e > -1<<20 {
			b = max(0, E+e)
		}
		out := NewIntMat(r, c, WordsFor(b+1))
		for q, v := range m.f {
			w := out.Data[q*out.W : (q+1)*out.W]
			if v != v {
				num, neg, e, _ := m.sideParts(v)
				SetShiftedWords(w, num, uint(E-e), neg)
			} else {
				FloatImageWords(w, v, E)
			}
		}
		return out, D, b
	}
	// Other denominators: through big.Int.
	ints := make([]big.Int, r*c)
	b := 0
	for q, v := range m.f {
		var x *big.Rat
		if v != v {
			x = m.side(v)
		} else {
			x = ratOfFloat(v)
		}
		ScaleInt(&ints[q], x, D)
		b = max(b, ints[q].BitLen())
	}
	out := NewIntMat(r, c, WordsFor(b+1))
	for q := range ints {
		SetWords(out.Data[q*out.W:(q+1)*out.W], &ints[q])
	}
	return out, D, b
}

// floatDenExp returns e for a nonzero finite float64 v = ν/2^e, ν odd (0
// when v is an integer).
func floatDenExp(v float64) int {
	u := math.Float64bits(v)
	exp := int(u >> 52 & 0x7ff)
	mant := u & (1<<52 - 1)
	if exp == 0 {
		exp = 1 // subnormal: v = mant·2^(−1074)
	} else {
		mant |= 1 << 52
	}
	return max(0, 1075-exp-bits.TrailingZeros64(mant))
}

// maxBits returns the bit length of the largest |entry| of m.
func (m *IntMat) maxBits() int {
	b := 0
	mag := make([]uint64, m.W)
	for q := 0; q < m.Rows*m.Cols; q++ {
		copy(mag, m.Data[q*m.W:(q+1)*m.W])
		if int64(mag[m.W-1]) < 0 {
			negWords(mag)
		}
		for o := m.W - 1; o >= 0; o-- {
			if mag[o] != 0 {
				b = max(b, 64*o+bits.Len64(mag[o]))
				break
			}
		}
	}
	return b
}
