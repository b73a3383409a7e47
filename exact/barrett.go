package exact

import "math/bits"

// Modulus is a modulus p ≥ 2 prepared for reduction without division
// (Barrett): with m = ⌊(2⁶⁴−1)/p⌋ and q = ⌊x·m/2⁶⁴⌋,
// x/p − 3 < q ≤ x/p for every x < 2⁶⁴ (x·m/2⁶⁴ ≤ x/p, and
// x·m/2⁶⁴ ≥ x/p − x/(p·2⁶⁴) − x/2⁶⁴ > x/p − 2), so x − q·p lies in
// [0, 3p) and at most two subtractions of p give x mod p.
type Modulus struct {
	P uint64
	m uint64
}

// NewModulus prepares p (p ≥ 2).
func NewModulus(p uint64) Modulus { return Modulus{P: p, m: ^uint64(0) / p} }

// Reduce returns x mod p.
func (md Modulus) Reduce(x uint64) uint64 {
	q, _ := bits.Mul64(x, md.m)
	r := x - q*md.P
	for r >= md.P {
		r -= md.P
	}
	return r
}

// MulMod returns a·b mod p for a, b < 2³² (so that a·b < 2⁶⁴).
func (md Modulus) MulMod(a, b uint64) uint64 { return md.Reduce(a * b) }
