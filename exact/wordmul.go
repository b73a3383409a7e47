package exact

import (
	"math"
	"math/bits"
)

// FloatImageWord returns the integer image X = x·2^E of a finite float64 x
// as a magnitude |X| of one word and a sign mask (all ones when X < 0,
// else 0), and ok = false when |X| ≥ 2^64 or x·2^E is not an integer.
// A pass over float data decomposes each x_ic once with it and multiplies
// by the word (MulAddWordSign) k times or more, where MulAddFloat took
// the float apart at every product.
func FloatImageWord(x float64, E int) (mag, neg uint64, ok bool) {
	if x == 0 {
		return 0, 0, true
	}
	u := math.Float64bits(x)
	mu, e := oddMant(u)
	s := E + e // X = ±μ·2^s with μ odd
	if s < 0 || s+bits.Len64(mu) > 64 {
		return 0, 0, false
	}
	return mu << uint(s), uint64(int64(u) >> 63), true
}

// MulAddWordSign sets dst ← dst + a·b when neg = 0 and dst ← dst − a·b
// when neg is all ones (no other value), for an integer a in two's
// complement (its width is len(a) ≥ 1) and an unsigned one-word b. The
// result must fit in len(dst) ≥ len(a) + 1 words.
//
// Exactness. With n = len(a) and |a| ≤ 2^(64n−1), |a·b| < 2^(64n+63): the
// product p = a·b is an integer of n + 1 words of two's complement. Its
// words are those of the unsigned product of a's words with b (a carry
// word per word, hi ≤ 2^64 − 2 so hi + carry never wraps), except that a
// negative a reads as a + 2^(64n): its top word is corrected by
// −b (mod 2^64), as in MulAddFloat. p is then sign-extended to len(dst)
// words and added as p ⊕ neg with a carry in of neg&1 — for neg all ones
// that is the complement plus one, −p modulo 2^(64·len(dst)) — so the sum
// is dst ± p modulo 2^(64·len(dst)), which is dst ± a·b because it fits.
// One multiplication per word of a and no branch on any sign.
func MulAddWordSign(dst, a []uint64, b, neg uint64) {
	n := len(a)
	switch {
	case n == 1 && len(dst) == 3:
		hi, lo := bits.Mul64(a[0], b)
		hi -= uint64(int64(a[0])>>63) & b
		ext := uint64(int64(hi)>>63) ^ neg
		var c uint64
		dst[0], c = bits.Add64(dst[0], lo^neg, neg&1)
		dst[1], c = bits.Add64(dst[1], hi^neg, c)
		dst[2], _ = bits.Add64(dst[2], ext, c)
		return
	case n == 2 && len(dst) == 4:
		h0, l0 := bits.Mul64(a[0], b)
		h1, l1 := bits.Mul64(a[1], b)
		l1, cc := bits.Add64(l1, h0, 0)
		top := h1 + cc - uint64(int64(a[1])>>63)&b
		ext := uint64(int64(top)>>63) ^ neg
		var c uint64
		dst[0], c = bits.Add64(dst[0], l0^neg, neg&1)
		dst[1], c = bits.Add64(dst[1], l1^neg, c)
		dst[2], c = bits.Add64(dst[2], top^neg, c)
		dst[3], _ = bits.Add64(dst[3], ext, c)
		return
	}
	var mc uint64 // the multiply carry
	c := neg & 1  // the add carry
	for i, ai := range a {
		hi, lo := bits.Mul64(ai, b)
		var cc uint64
		lo, cc = bits.Add64(lo, mc, 0)
		mc = hi + cc // hi ≤ 2^64 − 2: no overflow
		dst[i], c = bits.Add64(dst[i], lo^neg, c)
	}
	top := mc - uint64(int64(a[n-1])>>63)&b
	dst[n], c = bits.Add64(dst[n], top^neg, c)
	ext := uint64(int64(top)>>63) ^ neg
	for i := n + 1; i < len(dst); i++ {
		dst[i], c = bits.Add64(dst[i], ext, c)
	}
}

// AddWordsSign sets dst ← dst + a when neg = 0 and dst ← dst − a when neg
// is all ones (no other value), for an integer a in two's complement of
// len(a) ≤ len(dst) words, sign-extended; the result must fit in len(dst)
// words. (As in MulAddWordSign, −a is the complement of the extended a
// plus one, added modulo 2^(64·len(dst)).) The data passes' products by
// a factor ±1 take it instead of a multiplication.
func AddWordsSign(dst, a []uint64, neg uint64) {
	c := neg & 1
	for i, ai := range a {
		dst[i], c = bits.Add64(dst[i], ai^neg, c)
	}
	if len(a) == 0 {
		return
	}
	ext := uint64(int64(a[len(a)-1])>>63) ^ neg
	for i := len(a); i < len(dst); i++ {
		dst[i], c = bits.Add64(dst[i], ext, c)
	}
}
