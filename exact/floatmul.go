package exact

import (
	"math"
	"math/bits"
)

// MulAddFloat sets dst ← dst + a·X for an integer a in two's complement
// (its width is len(a)) and X = x·2^E, the integer image of the finite
// float64 x (FloatImageWords' entry: E must make x·2^E an integer). X is
// not formed: x = ±μ·2^e with μ odd (μ < 2⁵³, one word), so a·X is the
// one-word product a·μ shifted left by E + e and added or subtracted by
// the sign of x — one multiplication per word of a, where forming X and
// multiplying by it took a two-word product and two negations for the
// usual data. The result must fit in len(dst) words.
func MulAddFloat(dst, a []uint64, x float64, E int) {
	if x == 0 || len(a) == 0 {
		return
	}
	u := math.Float64bits(x)
	mu, e := oddMant(u)
	s := E + e // X = ±μ·2^s, s ≥ 0
	n := len(a)
	o, b := s/64, uint(s%64)
	if n > 8 || len(dst)-o > 12 {
		w := make([]uint64, WordsFor(s+54))
		FloatImageWords(w, x, E)
		MulAddWords(dst, a, w)
		return
	}
	// p = a·μ in n+1 words of two's complement: the unsigned product of
	// a's words with μ, minus μ·2^(64n) when a < 0 (μ < 2⁶³, so the
	// product of a sign-extended a with μ needs no more words); then
	// sign-extended to the words dst needs.
	var p [12]uint64
	var mc uint64
	for i, ai := range a {
		hi, lo := bits.Mul64(ai, mu)
		var c uint64
		p[i], c = bits.Add64(lo, mc, 0)
		mc = hi + c // hi ≤ 2⁶⁴ − 2: no overflow
	}
	p[n] = mc - uint64(int64(a[n-1])>>63)&mu
	pext := uint64(int64(p[n]) >> 63)
	top := len(dst) - o // the words of p·2^s that reach dst
	for j := n + 1; j < top; j++ {
		p[j] = pext
	}
	// dst ± p·2^s: word o+j of p·2^s is p[j]·2^b | p[j−1]/2^(64−b) (a
	// shift by 64 gives 0 in Go, so b = 0 needs no case); subtracted as
	// the complement plus one (neg: all ones when x < 0), without a branch
	// on the sign.
	neg := uint64(int64(u) >> 63)
	var prev uint64
	c := neg & 1
	d := dst[o:]
	for j := range d {
		w := (p[j]<<b | prev>>(64-b)) ^ neg
		prev = p[j]
		d[j], c = bits.Add64(d[j], w, c)
	}
}

// oddMant returns μ odd and e with |x| = μ·2^e for the bits u of a finite
// nonzero float64 x (μ < 2⁵³).
func oddMant(u uint64) (mu uint64, e int) {
	ex := int(u >> 52 & 0x7ff)
	mant := u & (1<<52 - 1)
	if ex == 0 {
		ex = 1 // subnormal: mant·2^(1−1075)
	} else {
		mant |= 1 << 52
	}
	tz := bits.TrailingZeros64(mant)
	return mant >> tz, ex - 1075 + tz
}
