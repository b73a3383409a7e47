package exact

import "math/bits"

// This file holds whole-matrix operations on fixed-width integer matrices
// (IntMat): the reduction of an integer image r̄ = D·r over a power-of-two
// denominator D = 2^E to its lowest terms, and the narrowing of its words
// to the bit length of its largest entry.

// MaxBits returns the bit length of the largest |entry| of m (0 when every
// entry is 0).
func (m *IntMat) MaxBits() int { return m.maxBits() }

// TrailingZeros returns min(limit, the least number of trailing zero bits
// of a nonzero entry of m): the largest s ≤ limit such that 2^s divides
// every entry (limit when every entry is 0).
func (m *IntMat) TrailingZeros(limit int) int {
	s := limit
	for q := 0; q < m.Rows*m.Cols && s > 0; q++ {
		for o, x := range m.Data[q*m.W : (q+1)*m.W] {
			if x != 0 {
				// Two's complement keeps the trailing zeros of |x|.
				s = min(s, 64*o+bits.TrailingZeros64(x))
				break
			}
		}
	}
	return s
}

// Rsh sets every entry of m to ⌊entry/2^s⌋ (exact division when 2^s
// divides every entry, as TrailingZeros ensures).
func (m *IntMat) Rsh(s uint) {
	if s == 0 {
		return
	}
	for q := 0; q < m.Rows*m.Cols; q++ {
		RshWords(m.Data[q*m.W:(q+1)*m.W], s)
	}
}

// Narrow returns m with w words per entry: a copy of the low w words of
// each entry when w < m.W (every entry must fit in w words of two's
// complement, e.g. w = WordsFor(m.MaxBits())), m itself otherwise.
func (m *IntMat) Narrow(w int) *IntMat {
	if w >= m.W {
		return m
	}
	out := NewIntMat(m.Rows, m.Cols, w)
	for q := 0; q < m.Rows*m.Cols; q++ {
		copy(out.Data[q*w:(q+1)*w], m.Data[q*m.W:q*m.W+w])
	}
	return out
}
