package exact

import (
	"math"
	"math/bits"
)

// The kernels of the data passes by activation patterns, shared by the
// integer engine of Check (package verify) and the exact re-check
// (package recheck): the residual pass sums, per sample, the rows of the
// neurons its pattern selects through per-chunk subset-sum tables formed
// once (SubsetTables, PatternProducts), and the sums pass adds each
// sample's products straight into the bucket of its pattern (MulWordSign,
// AddWide2).

// PatternBits returns the chunk width g for subset-sum tables of rows
// rows of L words (SubsetTables) within budget words — the largest g ≤ 8
// (at least 4, or the number of rows if fewer) whose tables, ⌈rows/g⌉·2^g
// rows of L words, fit — or 0 when no g does.
func PatternBits(rows, L, budget int) int {
	for g := min(8, rows); g >= min(4, rows) && g > 0; g-- {
		if (rows+g-1)/g<<g*L <= budget {
			return g
		}
	}
	return 0
}

// SubsetTables returns, for the rows of aw (stride L words, the first Lg
// in use, entries of w words) in chunks of g, the 2^g subset sums of each
// chunk: row s of chunk c (at (c·2^g + s)·Lg) is Σ_{b : bit b of s} row
// c·g + b (two's complement, wrapping). One row addition per subset. The
// tables are formed in tab when it has the capacity (its contents are
// overwritten), else in a new slice. In a short last chunk the rows of the
// subsets that name a missing row are left as they were: a selection made
// from the chunk's rows never names them.
func SubsetTables(tab, aw []uint64, rows, L, Lg, g, w int) []uint64 {
	nc := (rows + g - 1) / g
	if need := nc << g * Lg; cap(tab) >= need {
		tab = tab[:need]
	} else {
		tab = make([]uint64, need)
	}
	for c := 0; c < nc; c++ {
		clear(tab[c<<g*Lg : (c<<g+1)*Lg]) // the empty subset
		for s := 1; s < 1<<g; s++ {
			b := bits.TrailingZeros(uint(s))
			if c*g+bits.Len(uint(s))-1 >= rows {
				continue // a short last chunk: its patterns never name this row
			}
			prev := s &^ (1 << b)
			ts := tab[(c<<g+s)*Lg : (c<<g+s+1)*Lg]
			addWordsTo(ts, tab[(c<<g+prev)*Lg:(c<<g+prev+1)*Lg], aw[(c*g+b)*L:(c*g+b)*L+Lg], w)
		}
	}
	return tab
}

// PatternProducts adds to F_t (fp: kg entries of fW words per sample)
// Σ_c V_t[l,c]·X_tc for the T samples of a block, where V_t = Σ_ch
// tab_ch[sel_t,ch] (SubsetTables in chunks of g, nc chunks, entries of vW
// words, rows of Lg = kg·d·vW words) is the sum of the rows of the
// sample's pattern (sel[t·nc + ch]: bit b for row ch·g + b) and X_tc is
// given as magnitudes and sign masks (xm, xn, d per sample;
// FloatImageWord); v is scratch of Lg words. The caller's widths must hold
// every V_t (a sum of distinct rows) in vW words and every result in
// fW ≥ vW + 1 words.
func PatternProducts(fp []uint64, fW int, tab []uint64, Lg, vW, g, nc int, sel []uint8, T, kg, d int, xm, xn, v []uint64) {
	v = v[:Lg]
	for t := 0; t < T; t++ {
		st := sel[t*nc : (t+1)*nc]
		xmt, xnt := xm[t*d:(t+1)*d], xn[t*d:(t+1)*d]
		copy(v, tab[int(st[0])*Lg:(int(st[0])+1)*Lg])
		for ch := 1; ch < nc; ch++ {
			o := (ch<<g + int(st[ch])) * Lg
			AddWords(v, tab[o:o+Lg], vW)
		}
		for l := 0; l < kg; l++ {
			dst := fp[(t*kg+l)*fW : (t*kg+l+1)*fW]
			vl := v[l*d*vW : (l+1)*d*vW]
			if vW == 1 && fW <= 3 {
				dotWord(dst, vl[:len(xmt)], xmt, xnt)
				continue
			}
			if vW == 2 && (fW == 3 || fW == 4) {
				dotWord2(dst, vl[:2*len(xmt)], xmt, xnt)
				continue
			}
			for c, mag := range xmt {
				if mag != 0 {
					MulAddWordSign(dst, vl[c*vW:(c+1)*vW], mag, xnt[c])
				}
			}
		}
	}
}

// dotWord adds Σ_c ±a_c·b_c (a_c one word of two's complement, b_c an
// unsigned word, − where neg_c is all ones) to dst (two or three words),
// the sum carried in registers: each term is two words (MulWordSign),
// sign-extended to three, and the additions wrap modulo 2^(64·len(dst)),
// which is exact because the caller's bound holds the result in dst.
func dotWord(dst, a, b, neg []uint64) {
	b, neg = b[:len(a)], neg[:len(a)]
	var lo, hi, top uint64
	for c, m := range b {
		pl, ph := MulWordSign(a[c], m, neg[c])
		var cy uint64
		lo, cy = bits.Add64(lo, pl, 0)
		hi, cy = bits.Add64(hi, ph, cy)
		top += uint64(int64(ph)>>63) + cy
	}
	var cy uint64
	dst[0], cy = bits.Add64(dst[0], lo, 0)
	if len(dst) == 2 {
		dst[1] += hi + cy
		return
	}
	dst[1], cy = bits.Add64(dst[1], hi, cy)
	dst[2] += top + cy
}

// MulWordSign returns a·b (neg = 0) or −a·b (neg all ones, no other
// value) for a one-word two's complement a and an unsigned one-word b, as
// two words of two's complement (lo, hi). It is exact: |a| ≤ 2^63 and
// b < 2^64 give |a·b| < 2^127. (The unsigned product of a's word with b,
// its high word corrected by −b for a negative a as in MulAddWordSign,
// then complemented and incremented when neg is set.)
func MulWordSign(a, b, neg uint64) (lo, hi uint64) {
	hi, lo = bits.Mul64(a, b)
	hi -= uint64(int64(a)>>63) & b
	var c uint64
	lo, c = bits.Add64(lo^neg, neg&1, 0)
	hi = hi ^ neg + c
	return lo, hi
}

// AddWide2 adds the two-word integers of src (two's complement, two words
// per entry) to the entries of dst (w ≥ 2 words each, sign-extended); the
// sums must fit in w words.
func AddWide2(dst, src []uint64, w int) {
	if w == 3 {
		dst = dst[:len(src)/2*3]
		for q := 0; q+2 < len(dst); q += 3 {
			lo, hi := src[q/3*2], src[q/3*2+1]
			var c uint64
			dst[q], c = bits.Add64(dst[q], lo, 0)
			dst[q+1], c = bits.Add64(dst[q+1], hi, c)
			dst[q+2] += uint64(int64(hi)>>63) + c
		}
		return
	}
	for q := 0; q < len(src)/2; q++ {
		lo, hi := src[2*q], src[2*q+1]
		ext := uint64(int64(hi) >> 63)
		e := dst[q*w : (q+1)*w]
		var c uint64
		e[0], c = bits.Add64(e[0], lo, 0)
		e[1], c = bits.Add64(e[1], hi, c)
		for t := 2; t < w; t++ {
			e[t], c = bits.Add64(e[t], ext, c)
		}
	}
}

// dotWord2 is dotWord for a_c of two words (a[2c], a[2c+1]) and dst of
// three or four words: each term ±a_c·b_c is three words of two's
// complement (|a_c·b_c| < 2^191; the unsigned product of a_c's words with
// b_c, its top word corrected by −b_c for a negative a_c, as in
// MulAddWordSign), negated as its complement plus one, and the sum is
// carried modulo 2^256 (exact: the caller's bound holds the result).
func dotWord2(dst, a, b, neg []uint64) {
	b, neg = b[:len(a)/2], neg[:len(a)/2]
	var s0, s1, s2, s3 uint64
	for c, m := range b {
		a0, a1 := a[2*c], a[2*c+1]
		h0, l0 := bits.Mul64(a0, m)
		h1, l1 := bits.Mul64(a1, m)
		p1, cy := bits.Add64(l1, h0, 0)
		p2 := h1 + cy - uint64(int64(a1)>>63)&m
		n := neg[c]
		p0, cy := bits.Add64(l0^n, n&1, 0)
		p1, cy = bits.Add64(p1^n, 0, cy)
		p2 = p2 ^ n + cy
		s0, cy = bits.Add64(s0, p0, 0)
		s1, cy = bits.Add64(s1, p1, cy)
		s2, cy = bits.Add64(s2, p2, cy)
		s3 += uint64(int64(p2)>>63) + cy
	}
	var cy uint64
	dst[0], cy = bits.Add64(dst[0], s0, 0)
	dst[1], cy = bits.Add64(dst[1], s1, cy)
	if len(dst) == 3 {
		dst[2] += s2 + cy
		return
	}
	dst[2], cy = bits.Add64(dst[2], s2, cy)
	dst[3] += s3 + cy
}

// FloatWordImages sets mag[c] and neg[c] to the magnitude and sign mask of
// the integer image X_c = x_c·2^E of each float64 x_c of xs — what
// FloatImageWord returns, for a whole row at once — and reports whether
// every X_c is an integer below 2^64 (when not, the entries are
// unspecified). A zero (of either sign) has mask 0. With x = ±μ·2^e (μ the 53-bit
// significand with its hidden bit, or the subnormal's), X = ±μ·2^(e+E):
// a left shift when e + E ≥ 0, allowed while no bit of μ passes bit 63; a
// right shift otherwise, allowed when the bits shifted out are zero.
func FloatWordImages(mag, neg []uint64, xs []float64, E int) bool {
	mag, neg = mag[:len(xs)], neg[:len(xs)]
	for c, x := range xs {
		u := math.Float64bits(x)
		ex := int(u>>52) & 0x7ff
		mu := u & (1<<52 - 1)
		if ex == 0x7ff {
			return false // ±Inf, NaN
		}
		if ex == 0 {
			if mu == 0 {
				mag[c], neg[c] = 0, 0 // ±0
				continue
			}
			ex = 1 // subnormal: μ·2^(1−1075)
		} else {
			mu |= 1 << 52
		}
		var m uint64
		if s := ex - 1075 + E; s >= 0 {
			if s > 11 && (s >= 64 || mu>>uint(64-s) != 0) {
				return false
			}
			m = mu << uint(s)
		} else {
			r := uint(-s)
			if r >= 64 {
				if mu != 0 {
					return false
				}
			} else if mu&(1<<r-1) != 0 {
				return false
			} else {
				m = mu >> r
			}
		}
		mag[c], neg[c] = m, uint64(int64(u)>>63) // m ≠ 0 here
	}
	return true
}
