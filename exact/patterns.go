package exact

import "math/bits"

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
			for c, mag := range xmt {
				if mag != 0 {
					MulAddWordSign(dst, vl[c*vW:(c+1)*vW], mag, xnt[c])
				}
			}
		}
	}
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
