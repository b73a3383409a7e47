package exact

import (
	"math"
	"math/big"
	"math/bits"
)

// This file holds fixed-width integers: the exact integer arithmetic behind
// the common-denominator evaluation of large instances. An integer is stored
// in W 64-bit words of two's complement, least significant word first. Sums
// wrap around modulo 2^(64W), so a caller must choose W from a bound on the
// result (WordsFor); within that bound every operation is exact.

// WordsFor returns the number of 64-bit words that hold, in two's
// complement, every integer of magnitude < 2^bits.
func WordsFor(bits int) int {
	if bits < 0 {
		bits = 0
	}
	return bits/64 + 1
}

// IntMat is a Rows×Cols matrix of integers, each stored in W words of two's
// complement; entry (i, j) is Data[(i·Cols+j)·W : (i·Cols+j+1)·W].
type IntMat struct {
	Rows, Cols, W int
	Data          []uint64
}

// NewIntMat returns the zero Rows×Cols matrix with W words per entry.
func NewIntMat(rows, cols, w int) *IntMat {
	return &IntMat{Rows: rows, Cols: cols, W: w, Data: make([]uint64, rows*cols*w)}
}

// Row returns the Cols·W words of row i.
func (m *IntMat) Row(i int) []uint64 {
	n := m.Cols * m.W
	return m.Data[i*n : (i+1)*n : (i+1)*n]
}

// Entry returns the W words of entry (i, j).
func (m *IntMat) Entry(i, j int) []uint64 {
	o := (i*m.Cols + j) * m.W
	return m.Data[o : o+m.W : o+m.W]
}

// Set stores x in entry (i, j) and reports whether it fits in W words.
func (m *IntMat) Set(i, j int, x *big.Int) bool { return SetWords(m.Entry(i, j), x) }

// Get sets z to entry (i, j) and returns it.
func (m *IntMat) Get(i, j int, z *big.Int) *big.Int { return WordsInt(z, m.Entry(i, j)) }

// SetWords stores x in w (two's complement, len(w) words) and reports
// whether it fits; w is left zero when it does not.
func SetWords(w []uint64, x *big.Int) bool {
	clear(w)
	if x.BitLen() > 64*len(w)-1 {
		return false
	}
	for i, b := range x.Bits() {
		w[i] = uint64(b)
	}
	if x.Sign() < 0 {
		negWords(w)
	}
	return true
}

// SetWordsInt64 stores x in w (len(w) ≥ 1 words).
func SetWordsInt64(w []uint64, x int64) {
	w[0] = uint64(x)
	ext := uint64(0)
	if x < 0 {
		ext = ^uint64(0)
	}
	for i := 1; i < len(w); i++ {
		w[i] = ext
	}
}

// WordsInt sets z to the integer stored in w and returns z. z's own words
// are reused when they suffice (a fresh slice per call was 17 MB of garbage
// per Check at m = 2048, d = 256, k = 4).
func WordsInt(z *big.Int, w []uint64) *big.Int {
	if len(w) == 0 {
		return z.SetInt64(0)
	}
	neg := int64(w[len(w)-1]) < 0
	mag := z.Bits()
	if cap(mag) < len(w) {
		mag = make([]big.Word, len(w))
	}
	mag = mag[:len(w)]
	for i, x := range w {
		mag[i] = big.Word(x)
	}
	if neg {
		var c uint64 = 1
		for i := range mag {
			v, cc := bits.Add64(^uint64(mag[i]), c, 0)
			mag[i], c = big.Word(v), cc
		}
	}
	z.SetBits(mag)
	if neg {
		z.Neg(z)
	}
	return z
}

// WordsSign returns the sign of the integer stored in w.
func WordsSign(w []uint64) int {
	if len(w) == 0 {
		return 0
	}
	if int64(w[len(w)-1]) < 0 {
		return -1
	}
	for _, x := range w {
		if x != 0 {
			return 1
		}
	}
	return 0
}

// WordsIsZero reports whether the integer stored in w is zero.
func WordsIsZero(w []uint64) bool {
	for _, x := range w {
		if x != 0 {
			return false
		}
	}
	return true
}

// NegWords negates the integer stored in w in place (two's complement).
func NegWords(w []uint64) { negWords(w) }

// negWords negates w in place (two's complement).
func negWords(w []uint64) {
	var c uint64 = 1
	for i := range w {
		w[i], c = bits.Add64(^w[i], 0, c)
	}
}

// AddWords sets dst ← dst + src entrywise for rows of entries of w words
// each (len(dst) = len(src), a multiple of w).
func AddWords(dst, src []uint64, w int) {
	switch w {
	case 1:
		src = src[:len(dst)]
		for i, x := range src {
			dst[i] += x
		}
	case 2:
		src = src[:len(dst)]
		for i := 0; i+1 < len(dst); i += 2 {
			var c uint64
			dst[i], c = bits.Add64(dst[i], src[i], 0)
			dst[i+1], _ = bits.Add64(dst[i+1], src[i+1], c)
		}
	case 3:
		src = src[:len(dst)]
		for i := 0; i+2 < len(dst); i += 3 {
			var c uint64
			dst[i], c = bits.Add64(dst[i], src[i], 0)
			dst[i+1], c = bits.Add64(dst[i+1], src[i+1], c)
			dst[i+2], _ = bits.Add64(dst[i+2], src[i+2], c)
		}
	case 4:
		src = src[:len(dst)]
		for i := 0; i+3 < len(dst); i += 4 {
			var c uint64
			dst[i], c = bits.Add64(dst[i], src[i], 0)
			dst[i+1], c = bits.Add64(dst[i+1], src[i+1], c)
			dst[i+2], c = bits.Add64(dst[i+2], src[i+2], c)
			dst[i+3], _ = bits.Add64(dst[i+3], src[i+3], c)
		}
	default:
		for o := 0; o+w <= len(dst); o += w {
			var c uint64
			for k := 0; k < w; k++ {
				dst[o+k], c = bits.Add64(dst[o+k], src[o+k], c)
			}
		}
	}
}

// SubWords sets dst ← dst − src entrywise (see AddWords).
func SubWords(dst, src []uint64, w int) {
	switch w {
	case 1:
		src = src[:len(dst)]
		for i, x := range src {
			dst[i] -= x
		}
	default:
		for o := 0; o+w <= len(dst); o += w {
			var b uint64
			for k := 0; k < w; k++ {
				dst[o+k], b = bits.Sub64(dst[o+k], src[o+k], b)
			}
		}
	}
}

// SetShiftedWords sets w ← ±mag·2^s in two's complement (len(w) words;
// the value must fit), mag a magnitude in big.Word digits, least
// significant first (big.Int.Bits): the integer image of num/2^e under
// the denominator 2^E is num·2^(E−e), written without a big.Int.
func SetShiftedWords(w []uint64, mag []big.Word, s uint, neg bool) {
	if bits.UintSize == 64 {
		o, b := int(s/64), s%64
		for k := range w {
			var v uint64
			if i := k - o; i >= 0 && i < len(mag) {
				v = uint64(mag[i]) << b
			}
			if i := k - o - 1; b != 0 && i >= 0 && i < len(mag) {
				v |= uint64(mag[i]) >> (64 - b)
			}
			w[k] = v
		}
		if neg {
			negWords(w)
		}
		return
	}
	clear(w)
	for i, x := range mag {
		off := s + uint(i*bits.UintSize)
		wi, wb := int(off/64), off%64
		if wi >= len(w) {
			break
		}
		v := uint64(x)
		w[wi] |= v << wb
		if wb+bits.UintSize > 64 && wi+1 < len(w) {
			w[wi+1] |= v >> (64 - wb)
		}
	}
	if neg {
		negWords(w)
	}
}

// FloatImageWords sets w ← x·2^E in two's complement (len(w) words; the
// value must fit) for a finite float64 x with x·2^E an integer: with
// x = ν·2^(−e), ν odd, the words of ν·2^(E−e). The integer image of
// float-derived data under the denominator 2^E, from the float alone.
func FloatImageWords(w []uint64, x float64, E int) {
	clear(w)
	if x == 0 {
		return
	}
	u := math.Float64bits(x)
	mant := u&(1<<52-1) | 1<<52
	if u>>52&0x7ff == 0 {
		mant, u = u&(1<<52-1), u|1<<52 // subnormal: mant·2^(1−1075)
	}
	tz := bits.TrailingZeros64(mant)
	mag := mant >> tz
	sft := E + int(u>>52&0x7ff) - 1075 + tz
	w[sft/64] = mag << (sft % 64)
	if sft%64 != 0 && sft/64+1 < len(w) {
		w[sft/64+1] = mag >> (64 - sft%64)
	}
	if x < 0 {
		negWords(w)
	}
}

// RshWords sets w ← ⌊w / 2^s⌋ in place for an integer in two's complement
// (an arithmetic shift: the sign fills the vacated high bits).
func RshWords(w []uint64, s uint) {
	n := len(w)
	if n == 0 || s == 0 {
		return
	}
	fill := uint64(int64(w[n-1]) >> 63)
	o, b := int(s/64), s%64
	for i := 0; i < n; i++ {
		lo, hi := fill, fill
		if i+o < n {
			lo = w[i+o]
		}
		if i+o+1 < n {
			hi = w[i+o+1]
		}
		if b == 0 {
			w[i] = lo
		} else {
			w[i] = lo>>b | hi<<(64-b)
		}
	}
}

// ScaleWords sets dst ← c·src for one entry, c a small signed factor, with
// dst and src of the same width; the result must fit.
func ScaleWords(dst, src []uint64, c int64) {
	clear(dst)
	MulAddWords(dst, src, []uint64{uint64(c)})
}

// magnitude writes |x| of the two's complement words x into buf (len(x)
// words) and returns it with the sign (true for negative).
func magnitude(buf, x []uint64) ([]uint64, bool) {
	buf = buf[:len(x)]
	copy(buf, x)
	neg := len(x) > 0 && int64(x[len(x)-1]) < 0
	if neg {
		negWords(buf)
	}
	return buf, neg
}

// MulAddWords sets dst ← dst + a·b for integers a and b in two's complement
// (their widths are their lengths). The result must fit in len(dst) words.
func MulAddWords(dst, a, b []uint64) {
	if len(b) > len(a) {
		a, b = b, a
	}
	if len(b) == 1 {
		mulAddWord(dst, a, b[0])
		return
	}
	if len(b) <= 2 && len(a) <= 8 {
		mulAddNarrow(dst, a, b)
		return
	}
	var abuf, bbuf [8]uint64
	var pbuf [16]uint64
	var am, bm []uint64
	var an, bn bool
	if len(a) <= 8 && len(b) <= 8 {
		am, an = magnitude(abuf[:], a)
		bm, bn = magnitude(bbuf[:], b)
	} else {
		am, an = magnitude(make([]uint64, len(a)), a)
		bm, bn = magnitude(make([]uint64, len(b)), b)
	}
	am, bm = trimWords(am), trimWords(bm)
	if len(am) == 0 || len(bm) == 0 {
		return
	}
	var p []uint64
	if len(am)+len(bm) <= 16 {
		p = pbuf[:len(am)+len(bm)]
	} else {
		p = make([]uint64, len(am)+len(bm))
	}
	if len(am) == 1 && len(bm) == 1 {
		p[1], p[0] = bits.Mul64(am[0], bm[0])
	} else {
		clear(p)
		for i, x := range am {
			var carry uint64
			for j, y := range bm {
				hi, lo := bits.Mul64(x, y)
				var c uint64
				lo, c = bits.Add64(lo, p[i+j], 0)
				hi += c
				lo, c = bits.Add64(lo, carry, 0)
				hi += c
				p[i+j] = lo
				carry = hi
			}
			p[i+len(bm)] = carry
		}
	}
	if an != bn {
		subMag(dst, p)
	} else {
		addMag(dst, p)
	}
}

// trimWords drops high zero words of a magnitude.
func trimWords(m []uint64) []uint64 {
	n := len(m)
	for n > 0 && m[n-1] == 0 {
		n--
	}
	return m[:n]
}

// addMag sets dst ← dst + p for a nonnegative magnitude p (wrapping modulo
// 2^(64·len(dst))).
func addMag(dst, p []uint64) {
	var c uint64
	for k := range dst {
		var x uint64
		if k < len(p) {
			x = p[k]
		}
		dst[k], c = bits.Add64(dst[k], x, c)
	}
}

// subMag sets dst ← dst − p for a nonnegative magnitude p.
func subMag(dst, p []uint64) {
	var b uint64
	for k := range dst {
		var x uint64
		if k < len(p) {
			x = p[k]
		}
		dst[k], b = bits.Sub64(dst[k], x, b)
	}
}

// DotWords sets dst ← dst + Σ_c a[c]·b[c] for vectors of entries of wa and
// wb words (len(a) = n·wa, len(b) = n·wb).
func DotWords(dst, a []uint64, wa int, b []uint64, wb int) {
	n := len(a) / wa
	for c := 0; c < n; c++ {
		MulAddWords(dst, a[c*wa:(c+1)*wa], b[c*wb:(c+1)*wb])
	}
}

// SumRowsWhere adds into dst (one row of m's width and length) every row i
// of m with sel[i] == want: dst += Σ_{i: sel[i] = want} row_i.
func SumRowsWhere(dst []uint64, m *IntMat, sel []int8, want int8) {
	L := m.Cols * m.W
	data := m.Data
	switch m.W {
	case 1:
		for i, s := range sel {
			if s != want {
				continue
			}
			row := data[i*L : (i+1)*L]
			for q, v := range row {
				dst[q] += v
			}
		}
	case 2:
		for i, s := range sel {
			if s != want {
				continue
			}
			row := data[i*L : (i+1)*L]
			for q := 0; q+1 < L; q += 2 {
				var c uint64
				dst[q], c = bits.Add64(dst[q], row[q], 0)
				dst[q+1], _ = bits.Add64(dst[q+1], row[q+1], c)
			}
		}
	case 3:
		for i, s := range sel {
			if s != want {
				continue
			}
			row := data[i*L : (i+1)*L]
			for q := 0; q+2 < L; q += 3 {
				var c uint64
				dst[q], c = bits.Add64(dst[q], row[q], 0)
				dst[q+1], c = bits.Add64(dst[q+1], row[q+1], c)
				dst[q+2], _ = bits.Add64(dst[q+2], row[q+2], c)
			}
		}
	default:
		for i, s := range sel {
			if s == want {
				AddWords(dst, data[i*L:(i+1)*L], m.W)
			}
		}
	}
}

// AddRowWhere adds src (one row of m's width and length) to every row i of
// m with sel[i] == want[i] (want indexed like the rows).
func AddRowWhere(m *IntMat, src []uint64, sel, want []int8) {
	L := m.Cols * m.W
	data := m.Data
	switch m.W {
	case 1:
		for i, s := range sel {
			if s != want[i] {
				continue
			}
			row := data[i*L : (i+1)*L]
			for q, v := range src[:L] {
				row[q] += v
			}
		}
	case 2:
		for i, s := range sel {
			if s != want[i] {
				continue
			}
			row := data[i*L : (i+1)*L]
			for q := 0; q+1 < L; q += 2 {
				var c uint64
				row[q], c = bits.Add64(row[q], src[q], 0)
				row[q+1], _ = bits.Add64(row[q+1], src[q+1], c)
			}
		}
	case 3:
		for i, s := range sel {
			if s != want[i] {
				continue
			}
			row := data[i*L : (i+1)*L]
			for q := 0; q+2 < L; q += 3 {
				var c uint64
				row[q], c = bits.Add64(row[q], src[q], 0)
				row[q+1], c = bits.Add64(row[q+1], src[q+1], c)
				row[q+2], _ = bits.Add64(row[q+2], src[q+2], c)
			}
		}
	default:
		for i, s := range sel {
			if s == want[i] {
				AddWords(data[i*L:(i+1)*L], src, m.W)
			}
		}
	}
}

// mulAddNarrow is MulAddWords for len(a) ≤ 8 and len(b) ≤ 2 (the product
// of a wide integer and one of at most two words), without allocation:
// magnitudes on the stack, the product row by row, and the carry or borrow
// into dst stopped as soon as it is zero.
// mulAddWord is MulAddWords for a one-word b, in two's complement modulo
// 2^(64·len(dst)) without taking magnitudes: with a sign-extended to
// len(dst) words and b read as unsigned (b + 2^64 when b < 0),
// a·b_unsigned ≡ a·b + [b < 0]·a·2^64, so a·2^64 is subtracted when b < 0.
// (The passes over the data multiply every entry by one word of X̄.)
func mulAddWord(dst, a []uint64, b uint64) {
	if b == 0 || len(a) == 0 {
		return
	}
	ext := uint64(int64(a[len(a)-1]) >> 63) // a's sign fill
	var mc, c uint64                        // multiply carry, add carry
	for i := range dst {
		ai := ext
		if i < len(a) {
			ai = a[i]
		}
		hi, lo := bits.Mul64(ai, b)
		var cc uint64
		lo, cc = bits.Add64(lo, mc, 0)
		mc = hi + cc // hi ≤ 2^64 − 2: no overflow
		dst[i], c = bits.Add64(dst[i], lo, c)
	}
	if int64(b) < 0 {
		var br uint64
		for i := 1; i < len(dst); i++ {
			ai := ext
			if i-1 < len(a) {
				ai = a[i-1]
			}
			dst[i], br = bits.Sub64(dst[i], ai, br)
		}
	}
}

func mulAddNarrow(dst, a, b []uint64) {
	var am [8]uint64
	la := copy(am[:], a)
	an := la > 0 && int64(a[la-1]) < 0
	if an {
		negWords(am[:la])
	}
	for la > 0 && am[la-1] == 0 {
		la--
	}
	var b0, b1 uint64
	bn := false
	switch len(b) {
	case 1:
		b0 = b[0]
		if int64(b0) < 0 {
			b0, bn = -b0, true
		}
	case 2:
		b0, b1 = b[0], b[1]
		if int64(b1) < 0 {
			bn = true
			var c uint64
			b0, c = bits.Add64(^b0, 1, 0)
			b1, _ = bits.Add64(^b1, 0, c)
		}
	}
	if la == 0 || b0 == 0 && b1 == 0 {
		return
	}
	var p [10]uint64
	var carry uint64
	for i := 0; i < la; i++ {
		hi, lo := bits.Mul64(am[i], b0)
		var c uint64
		lo, c = bits.Add64(lo, carry, 0)
		p[i], carry = lo, hi+c
	}
	p[la] = carry
	lp := la + 1
	if b1 != 0 {
		carry = 0
		for i := 0; i < la; i++ {
			hi, lo := bits.Mul64(am[i], b1)
			var c uint64
			lo, c = bits.Add64(lo, p[i+1], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			p[i+1], carry = lo, hi+c
		}
		p[la+1] = carry
		lp = la + 2
	}
	lp = min(lp, len(dst))
	if an != bn {
		var br uint64
		k := 0
		for ; k < lp; k++ {
			dst[k], br = bits.Sub64(dst[k], p[k], br)
		}
		for ; br != 0 && k < len(dst); k++ {
			dst[k], br = bits.Sub64(dst[k], 0, br)
		}
		return
	}
	var c uint64
	k := 0
	for ; k < lp; k++ {
		dst[k], c = bits.Add64(dst[k], p[k], c)
	}
	for ; c != 0 && k < len(dst); k++ {
		dst[k], c = bits.Add64(dst[k], 0, c)
	}
}
