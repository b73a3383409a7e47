package recheck

import (
	"math"
	"math/big"
	"math/bits"
	"sync"

	"github.com/relucert/relucert/exact"
	par "github.com/relucert/relucert/internal/parallel"
)

// This file is the exact data pass of Recheck: the data scaled to integers
// by their common denominators and held in fixed-width words
// (exact.IntMat), so that the residuals r_i = f_θ(x_i) − y_i and the
// masked sums Σ_{i∈P_j} r_i x_iᵀ of every neuron are evaluated once, in
// exact integer arithmetic whose word widths come from bounds on the
// results (every sum wraps modulo 2^(64·W), and is exact because its true
// value fits). It shares no code with the integer engine of Check (package
// verify); both use the fixed-width primitives of package exact.

// intImage is the integer image of a rational matrix v: entry (i, c) is
// den·v_ic, with |den·v_ic| < 2^bits. It is stored (m), or, for a matrix
// of float64s with den = 2^e, formed from the floats when read (src).
type intImage struct {
	m    *exact.IntMat
	den  *big.Int
	bits int

	src  *exact.RatMat // m == nil: entry (i, c) is src's float64 times 2^e
	e, w int
}

// entry returns the words of the stored entry (i, c).
func (im *intImage) entry(i, c int) []uint64 { return im.m.Entry(i, c) }

// words returns the words of one entry.
func (im *intImage) words() int {
	if im.m != nil {
		return im.m.W
	}
	return im.w
}

// get returns the words of entry (i, c): the stored ones, or formed in
// buf (at least words() long).
func (im *intImage) get(i, c int, buf []uint64) []uint64 {
	if im.m != nil {
		return im.m.Entry(i, c)
	}
	f, _ := im.src.Float(i, c)
	exact.FloatImageWords(buf[:im.w], f, im.e)
	return buf[:im.w]
}

// row returns the words of row i: the stored ones, or formed in buf (at
// least Cols·words() long).
func (im *intImage) row(i int, buf []uint64) []uint64 {
	if im.m != nil {
		return im.m.Row(i)
	}
	fs, _ := im.src.Floats(i)
	for c, f := range fs {
		exact.FloatImageWords(buf[c*im.w:(c+1)*im.w], f, im.e)
	}
	return buf[:len(fs)*im.w]
}

// newIntImage returns the integer image of the matrix x
// (exact.RatMat.IntImage: every entry read in place, a float64 from its
// mantissa and exponent).
func newIntImage(x *exact.RatMat) *intImage {
	m, den, b := x.IntImage()
	return &intImage{m: m, den: den, bits: b}
}

// newLazyImage returns the integer image of x without storing it when
// every entry of x is a float64 and its common denominator is 2^e (then
// den and bits come from exact.RatMat.DenominatorBits, whose bound is
// tight for float64s); otherwise newIntImage(x).
func newLazyImage(x *exact.RatMat) *intImage {
	if !x.AllFloat() {
		return newIntImage(x)
	}
	e, tz := floatBounds(x)
	den := new(big.Int).Lsh(big.NewInt(1), uint(tz))
	b := 0
	if e > -1<<20 {
		b = max(0, tz+e)
	}
	return &intImage{den: den, bits: b, src: x, e: tz, w: exact.WordsFor(b + 1)}
}

// floatBounds returns, for a matrix x of float64s only, the values of
// exact.RatMat.DenominatorBits by bit operations on the floats, the rows
// split between the cores: e, the largest q with |v| < 2^q tight (v =
// ±μ·2^(q−len(μ)) with len(μ) the bits of the significand μ, hidden bit
// included: q is Frexp's exponent), and tz, the least s ≥ 0 with v·2^s an
// integer for every v, so that the common denominator is 2^tz; over the
// nonzero entries, (−2^30, 0) when there are none.
func floatBounds(x *exact.RatMat) (e, tz int) {
	n := x.Rows()
	nw := par.Workers(n * x.Cols())
	es, tzs := make([]int, nw), make([]int, nw)
	par.Chunks(n, nw, func(t, i0, i1 int) {
		e, tz := -1<<30, 0
		for i := i0; i < i1; i++ {
			fs, _ := x.Floats(i)
			for _, v := range fs {
				u := math.Float64bits(v)
				ex := int(u>>52) & 0x7ff
				mu := u & (1<<52 - 1)
				if ex == 0 {
					if mu == 0 {
						continue // ±0
					}
					ex = 1 // subnormal: μ·2^(1−1075)
				} else {
					mu |= 1 << 52
				}
				// v = ±μ·2^(ex−1075): |v| < 2^(ex−1075+len(μ)), and v·2^s is
				// an integer from s = 1075 − ex − (trailing zeros of μ) on.
				e = max(e, ex-1075+bits.Len64(mu))
				tz = max(tz, 1075-ex-bits.TrailingZeros64(mu))
			}
		}
		es[t], tzs[t] = e, tz
	})
	e, tz = -1<<30, 0
	for t := range es {
		e, tz = max(e, es[t]), max(tz, tzs[t])
	}
	return e, tz
}

// intWords returns x in two's complement words (at least one).
func intWords(x *big.Int) []uint64 {
	w := make([]uint64, exact.WordsFor(x.BitLen()+1))
	exact.SetWords(w, x)
	return w
}

// wordStats returns the fewest trailing zeros and the most bits of the
// magnitude over the nonzero integers of v (entries of w words, two's
// complement), with tmp scratch of w words; (maxInt, 0) when all are zero.
func wordStats(v []uint64, w int, tmp []uint64) (tz, b int) {
	tz = math.MaxInt
	for q := 0; q+w <= len(v); q += w {
		e := v[q : q+w]
		o := 0
		for o < w && e[o] == 0 {
			o++
		}
		if o == w {
			continue
		}
		// Two's complement keeps the trailing zeros of |x|.
		tz = min(tz, 64*o+bits.TrailingZeros64(e[o]))
		if int64(e[w-1]) < 0 {
			copy(tmp, e)
			exact.NegWords(tmp)
			e = tmp
		}
		for o := w - 1; o >= 0; o-- {
			if e[o] != 0 {
				b = max(b, 64*o+bits.Len64(e[o]))
				break
			}
		}
	}
	return tz, b
}

// residueScratch keeps the words of D_E·r between Rechecks.
var residueScratch = sync.Pool{New: func() any { return new([]uint64) }}

// factor is an integer constant c multiplied into fixed-width words by
// the cheapest exact kernel: an addition or subtraction for c = ±1
// (exact.AddWordsSign), exact.MulAddWordSign for |c| < 2^64 (then the
// destination must be at least one word wider than the multiplicand),
// else exact.MulAddWords.
type factor struct {
	small     bool // |c| < 2^64
	one       bool // |c| = 1
	mag, sign uint64
	words     []uint64 // c in two's complement (small = false)
}

// newFactor returns c as a factor.
func newFactor(c *big.Int) factor {
	f := factor{words: intWords(c)}
	if c.Sign() < 0 {
		f.sign = ^uint64(0)
	}
	if a := new(big.Int).Abs(c); a.IsUint64() {
		f.small, f.mag = true, a.Uint64()
		f.one = f.mag == 1
	}
	return f
}

// mulAdd sets dst ← dst + c·a (the result must fit in len(dst) words).
func (f factor) mulAdd(dst, a []uint64) {
	switch {
	case f.one:
		exact.AddWordsSign(dst, a, f.sign)
	case f.small:
		if f.mag != 0 {
			exact.MulAddWordSign(dst, a, f.mag, f.sign)
		}
	default:
		exact.MulAddWords(dst, a, f.words)
	}
}

// wordsMod returns the integer stored in the words w modulo p, in [0, p).
func wordsMod(w []uint64, p uint64) uint64 {
	neg := len(w) > 0 && int64(w[len(w)-1]) < 0
	var buf [8]uint64
	mag := buf[:0]
	if neg {
		mag = append(mag, w...)
		exact.NegWords(mag)
	} else {
		mag = w
	}
	var r uint64
	for i := len(mag) - 1; i >= 0; i-- {
		r = bits.Rem64(r, mag[i], p)
	}
	if neg && r != 0 {
		r = p - r
	}
	return r
}

// chunkBits returns the number g ≤ 8 of source rows per chunk of
// exact.AddSelectedSums that minimises its row additions per source row,
// (2^g + T)/g for T destination rows.
func chunkBits(T int) int {
	best, g := 0.0, 1
	for c := 1; c <= 8; c++ {
		cost := float64(int(1)<<c+T) / float64(c)
		if c == 1 || cost < best {
			best, g = cost, c
		}
	}
	return g
}

// residualTableWords bounds the words of the residual pass's subset-sum
// tables (1 MiB: they are read at random, one row per chunk and sample),
// and residualPatternBlock is the samples of one of its blocks when it
// takes them (a variable so that tests can force the tables off).
var residualTableWords, residualPatternBlock = 1 << 17, 256

// residualBufs is the scratch of one block of the residual pass, and
// residualPool keeps it between blocks and between Rechecks (fresh memory
// costs a page fault per 4 KiB on first touch); tablePool keeps the
// subset-sum tables.
type residualBufs struct {
	selP, selN                          []uint8
	table, v, xm, xn, fp, fn, f, y, tmp []uint64
}

var (
	residualPool = sync.Pool{New: func() any { return new(residualBufs) }}
	tablePool    = sync.Pool{New: func() any { return new([]uint64) }}
)

// grow returns *s resized to n elements, reallocated (and stored in *s)
// when its capacity is short; the contents are not cleared.
func grow[T any](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	}
	*s = (*s)[:n]
	return *s
}

// residuals computes r_i = f_θ(x_i) − y_i exactly: with the integer
// images Ā = D_A·A, W̄ = D_W·W, X̄ = D_X·X, Ȳ = D_Y·Y, B̄ = D_B·b (the output
// bias) and S± = D_ρ·ρ±, E = D_ρD_AD_WD_X,
//
//	E·(f_θ(x_i) − b) = S₊ (Σ_{j∈P_i} Ā_j W̄_jᵀ) X̄_i + S₋ (Σ_{j∈N_i} Ā_j W̄_jᵀ) X̄_i,
//
// the sums over the active (negative) neurons of each sample taken from
// subset sums over chunks of neurons (tables formed once for float data,
// exact.SubsetTables and PatternProducts; else exact.AddSelectedSums per
// block of samples), so that
// D_E·r_il = (E·(f_il − b_l))·(D_E/E) + B̄_l·(D_E/D_B) − Ȳ_il·(D_E/D_Y),
// D_E = lcm(E, D_Y, D_B), is an integer. Dividing out the greatest common
// divisor G of D_E and all of them gives R̄ = D_R·r with D_R = D_E/G the
// least common denominator of the residuals. It sets rc.rbar,
// rc.dR and rc.loss.
func (rc *rechecker) residuals() {
	p := rc.p
	n, d, k, m := rc.n, rc.d, rc.k, rc.m
	kd := k * d
	as := make([]exact.Vec, m)
	for j, nr := range p.Neurons {
		as[j] = nr.A
	}
	A := newIntImage(exact.RatMatOf(as))
	rc.abar = A
	W, X := rc.wbar, rc.xbar
	Y := newLazyImage(p.Y)
	rc.poll()
	sp, sn := rc.rhoInts()
	neg := sn.Sign() != 0

	// AW_j = Ā_j ⊗ W̄_j, and the sum of any set of them, in vW words.
	vBits := A.bits + W.bits + bitlen(m)
	vW := exact.WordsFor(vBits)
	L := kd * vW
	aw := make([]uint64, m*L)
	for j := 0; j < m; j++ {
		for l := 0; l < k; l++ {
			for c := 0; c < d; c++ {
				o := j*L + (l*d+c)*vW
				exact.MulAddWords(aw[o:o+vW], A.entry(j, l), W.entry(j, c))
			}
		}
	}
	fBits := vBits + X.bits + bitlen(d)
	fW := exact.WordsFor(fBits)
	if rc.xOneWord() {
		fW = max(fW, vW+1) // exact.MulAddWordSign writes vW + 1 words at least
	}
	E := new(big.Int).Mul(rc.dRho, A.den)
	E.Mul(E, W.den)
	E.Mul(E, X.den)
	dE := lcmInt(E, Y.den)
	// The output bias: D_E·b_l = B̄_l·(D_E/D_B) with B̄ = D_B·b.
	var biasInts []big.Int
	bBits := 0
	if p.HasOutputBias() {
		dB := exact.CommonDenominator(p.OutputBias)
		dE = lcmInt(dE, dB)
		cB := new(big.Int).Quo(dE, dB)
		biasInts = make([]big.Int, k)
		for l := range biasInts {
			b := &biasInts[l]
			exact.ScaleInt(b, p.OutputBias[l], dB)
			b.Mul(b, cB)
			bBits = max(bBits, b.BitLen())
		}
	}
	cF, cY := new(big.Int).Quo(dE, E), new(big.Int).Quo(dE, Y.den)
	// D_E·r_il = (S₊F⁺ + S₋F⁻)·cF − Ȳ_il·cY (+ bias) in rW words.
	sBits := fBits + max(sp.BitLen(), sn.BitLen()) + 1
	sW := exact.WordsFor(sBits)
	// (rW ≥ one more word than each term multiplied into it: a factor of
	// one word is applied by exact.MulAddWordSign.)
	rW := exact.WordsFor(max(sBits+cF.BitLen(), Y.bits+cY.BitLen(), bBits) + 2)
	rW = max(rW, sW+1, fW+1, Y.words()+1)
	spW, snW := intWords(sp), intWords(sn)
	spOne := sp.Cmp(big.NewInt(1)) == 0 && !neg // F⁺ itself: s₊ = 1 and no F⁻
	fF, fY := newFactor(cF), newFactor(new(big.Int).Neg(cY))
	// N: D_E·r in rW words, scratch kept between Rechecks (R̄ is copied
	// out of it at its own width).
	nbuf := residueScratch.Get().(*[]uint64)
	defer residueScratch.Put(nbuf)
	N := &exact.IntMat{Rows: n, Cols: k, W: rW, Data: grow(nbuf, n*k*rW)}
	clear(N.Data)
	var bias [][]uint64 // D_E·b_l in rW words
	for l := range biasInts {
		bias = append(bias, make([]uint64, rW))
		exact.SetWords(bias[l], &biasInts[l])
	}

	// Float data whose X̄ entries fit in a word (xOneWord), and tables of
	// subset sums of every chunk of g neurons within residualTableWords:
	// the tables are formed once (exact.SubsetTables) and each sample sums
	// one row per chunk, the one its pattern names, then multiplies by
	// X̄_i (exact.PatternProducts; one piece of code with Check's residual
	// pass) — ⌈m/g⌉ row additions per sample, no tiles. Otherwise blocks
	// of B samples, the columns in tiles of tw words, so that a tile's
	// sums for the block and its subset-sum table stay in cache
	// (exact.AddSelectedSums per block and tile).
	B := min(1024, n)
	g := chunkBits(B)
	var tab *[]uint64
	if rc.xOneWord() {
		if pg := exact.PatternBits(m, L, residualTableWords); pg > 0 {
			B, g = min(residualPatternBlock, n), pg
			tab = tablePool.Get().(*[]uint64)
			defer tablePool.Put(tab)
			*tab = exact.SubsetTables(*tab, aw, m, L, L, g, vW)
		}
	}
	nc := (m + g - 1) / g
	nb := (n + B - 1) / B
	tw := min(L, max(1, (1<<15)/(B+1<<g)/vW)*vW)
	// Per block: the fewest trailing zeros and the most bits of |N_il|
	// over its nonzero entries (wordStats), read while they are in cache.
	blkTz, blkBits := make([]int, nb), make([]int, nb)
	par.Dynamic(nb, par.Workers(n*m*kd*vW/4), func(b int) {
		if rc.stop.Stopped() {
			return // polled below
		}
		i0, i1 := b*B, min((b+1)*B, n)
		T := i1 - i0
		buf := residualPool.Get().(*residualBufs)
		defer residualPool.Put(buf)
		selP := grow(&buf.selP, T*nc)
		clear(selP)
		var selN []uint8
		if neg {
			selN = grow(&buf.selN, T*nc)
			clear(selN)
		}
		rc.neuronBytes(selP, rc.pos, i0, i1, g, nc)
		if neg {
			rc.neuronBytes(selN, rc.neg, i0, i1, g, nc)
		}
		// The block's X̄ entries as words, each float taken apart once
		// (xWords); nil: multiply through MulAddFloat or X̄'s words.
		var xm, xn []uint64
		if rc.xOneWord() {
			xm, xn = grow(&buf.xm, T*d), grow(&buf.xn, T*d)
			if !rc.xWords(i0, i1, xm, xn) {
				xm, xn = nil, nil
			}
		}
		fp := grow(&buf.fp, T*k*fW)
		clear(fp)
		var fn []uint64
		if neg {
			fn = grow(&buf.fn, T*k*fW)
			clear(fn)
		}
		if tab != nil && xm != nil {
			v := grow(&buf.v, L)
			exact.PatternProducts(fp, fW, *tab, L, vW, g, nc, selP, T, k, d, xm, xn, v)
			if neg {
				exact.PatternProducts(fn, fW, *tab, L, vW, g, nc, selN, T, k, d, xm, xn, v)
			}
		} else {
			table := grow(&buf.table, (1<<g)*tw)
			v := grow(&buf.v, T*tw)
			// f ← f + (Σ_{selected j} AW_j)·X̄_i over the entries of one tile.
			tile := func(f []uint64, sel []uint8, lo, hi int) {
				width := hi - lo
				clear(v[:T*width])
				exact.AddSelectedSums(v, width, T, aw[lo:], L, m, width, sel, g, vW, table)
				for t := 0; t < T; t++ {
					xf := rc.xFloats(i0 + t)
					for q := lo / vW; q < hi/vW; q++ {
						l, c := q/d, q%d
						o := t*width + q*vW - lo
						dst := f[(t*k+l)*fW : (t*k+l+1)*fW]
						if xm != nil {
							exact.MulAddWordSign(dst, v[o:o+vW], xm[t*d+c], xn[t*d+c])
						} else if xf != nil {
							exact.MulAddFloat(dst, v[o:o+vW], xf[c], rc.xE)
						} else {
							exact.MulAddWords(dst, v[o:o+vW], X.entry(i0+t, c))
						}
					}
				}
			}
			for lo := 0; lo < L; lo += tw {
				hi := min(lo+tw, L)
				tile(fp, selP, lo, hi)
				if neg {
					tile(fn, selN, lo, hi)
				}
			}
		}
		f, yb := grow(&buf.f, sW), grow(&buf.y, Y.words())
		for t := 0; t < T; t++ {
			i := i0 + t
			for l := 0; l < k; l++ {
				o := (t*k + l) * fW
				src := fp[o : o+fW]
				if !spOne {
					clear(f)
					exact.MulAddWords(f, src, spW)
					if neg {
						exact.MulAddWords(f, fn[o:o+fW], snW)
					}
					src = f
				}
				r := N.Entry(i, l)
				fF.mulAdd(r, src)
				fY.mulAdd(r, Y.get(i, l, yb))
				if bias != nil {
					exact.AddWords(r, bias[l], rW)
				}
			}
		}
		blkTz[b], blkBits[b] = wordStats(N.Data[i0*k*rW:i1*k*rW], rW, grow(&buf.tmp, rW))
	})
	rc.poll()

	// Lowest terms: divide D_E and every N_il by G = gcd(D_E, N_il for
	// all i, l) — a shift when D_E is a power of two (float-derived data):
	// by s, the fewest trailing zeros of D_E and the nonzero N_il, which
	// takes s bits off the most bits of any |N_il|.
	var rb, shift int
	if tz := int(dE.TrailingZeroBits()); tz == dE.BitLen()-1 {
		shift = tz
		for b := range blkTz {
			shift = min(shift, blkTz[b])
			rb = max(rb, blkBits[b])
		}
		rb = max(0, rb-shift)
		rc.dR = new(big.Int).Rsh(dE, uint(shift))
	} else {
		G := new(big.Int).Set(dE)
		var z big.Int
		for q := 0; q < n*k && G.Cmp(big.NewInt(1)) != 0; q++ {
			if exact.WordsInt(&z, N.Data[q*rW:(q+1)*rW]).Sign() != 0 {
				G.GCD(nil, nil, G, z.Abs(&z))
			}
		}
		if G.Cmp(big.NewInt(1)) != 0 {
			for q := 0; q < n*k; q++ {
				w := N.Data[q*rW : (q+1)*rW]
				exact.SetWords(w, z.Quo(exact.WordsInt(&z, w), G)) // exact: G divides it
			}
		}
		rc.dR = new(big.Int).Quo(dE, G)
		rb = N.MaxBits()
	}
	// R̄ = N/2^shift at its own width (the low words of the shifted value:
	// it fits, being below 2^rb in magnitude).
	R := exact.NewIntMat(n, k, exact.WordsFor(rb))
	tmp := make([]uint64, rW)
	for q := 0; q < n*k; q++ {
		copy(tmp, N.Data[q*rW:(q+1)*rW])
		exact.RshWords(tmp, uint(shift))
		copy(R.Data[q*R.W:(q+1)*R.W], tmp)
	}
	rc.rbar = &intImage{m: R, den: rc.dR, bits: rb}
	// Σ R̄², in words.
	acc := make([]uint64, max(3, exact.WordsFor(2*rb+bitlen(n*k)+1)))
	if R.W == 1 {
		// |R̄_il| ≤ 2^63: each square is below 2^126, two words, and the
		// sum of n·k < 2^62 of them below 2^188, three (no wrap).
		var a0, a1, a2 uint64
		for _, e := range R.Data {
			u := e
			if int64(e) < 0 {
				u = -e // |e| as unsigned, 2^63 included
			}
			hi, lo := bits.Mul64(u, u)
			var c uint64
			a0, c = bits.Add64(a0, lo, 0)
			a1, c = bits.Add64(a1, hi, c)
			a2 += c
		}
		acc[0], acc[1], acc[2] = a0, a1, a2
	} else {
		for q := 0; q < n*k; q++ {
			e := R.Data[q*R.W : (q+1)*R.W]
			exact.MulAddWords(acc, e, e)
		}
	}
	sum := exact.WordsInt(new(big.Int), acc)
	// L = Σ |r_i|²/(2n) = Σ R̄²/(2n·D_R²).
	den := new(big.Int).Mul(rc.dR, rc.dR)
	den.Mul(den, big.NewInt(2*int64(n)))
	rc.loss = new(big.Rat).SetFrac(sum, den)
}

// xFloats returns the row x_i as float64s when X̄ = 2^E·X is formed from
// them (exact.MulAddFloat multiplies by X̄_ic from x_ic itself), nil
// otherwise (read X̄'s words).
func (rc *rechecker) xFloats(i int) []float64 {
	if rc.xE < 0 {
		return nil
	}
	fs, ok := rc.p.X.Floats(i)
	if !ok {
		return nil
	}
	return fs
}

// res returns the residual r_i = R̄_i/D_R as a fresh rational vector.
func (rc *rechecker) res(i int) exact.Vec {
	r := make(exact.Vec, rc.k)
	var z big.Int
	for l := range r {
		r[l] = new(big.Rat).SetFrac(rc.rbar.m.Get(i, l, &z), rc.dR)
	}
	return r
}

// resSum returns Σ_i r_i = (Σ_i R̄_i)/D_R, the sums in words.
func (rc *rechecker) resSum() exact.Vec {
	R := rc.rbar
	w := exact.WordsFor(R.bits + bitlen(rc.n) + 1)
	acc := make([]uint64, rc.k*w)
	one := []uint64{1}
	for i := 0; i < rc.n; i++ {
		for l := 0; l < rc.k; l++ {
			exact.MulAddWords(acc[l*w:(l+1)*w], R.entry(i, l), one)
		}
	}
	out := make(exact.Vec, rc.k)
	var z big.Int
	for l := range out {
		out[l] = new(big.Rat).SetFrac(exact.WordsInt(&z, acc[l*w:(l+1)*w]), rc.dR)
	}
	return out
}

// rhoInts returns S± = D_ρ·ρ±.
func (rc *rechecker) rhoInts() (sp, sn *big.Int) {
	return exact.ScaleInt(new(big.Int), rc.p.Act.Pos, rc.dRho), exact.ScaleInt(new(big.Int), rc.p.Act.Neg, rc.dRho)
}

// neuronSums holds, for every neuron j, Σ_{i∈P_j} R̄_i X̄_iᵀ and
// Σ_{i∈Z_j} R̄_i X̄_iᵀ (k·d entries of w words each, row-major), and the
// total Σ_i R̄_i X̄_iᵀ: with D = D_R·D_X they are D·S⁺_j, D·S⁰_j and D·S
// for the sums S of r_i x_iᵀ (zero inputs contribute 0).
type neuronSums struct {
	w    int
	pos  []uint64   // m·k·d entries
	zero [][]uint64 // per neuron, nil when Z_j holds no nonzero input
	tot  []uint64   // k·d entries
}

// sumsBlock is the number of samples of one step of the sums pass.
const sumsBlock = 1024

// sums computes the neuron sums (once): by pattern buckets
// (scatterSums) when that takes fewer row additions, otherwise by subset
// sums over chunks of samples (gatherSums); then S⁰_j, the boundary
// samples of each neuron, one by one.
func (rc *rechecker) sums() *neuronSums {
	if rc.ns != nil {
		return rc.ns
	}
	n, k, d, m := rc.n, rc.k, rc.d, rc.m
	kd := k * d
	R, X := rc.rbar, rc.xbar
	sW := exact.WordsFor(R.bits + X.bits + bitlen(n) + 1)
	if rc.xOneWord() {
		sW = max(sW, R.m.W+1) // exact.MulAddWordSign writes R.W + 1 words at least
	}
	L := kd * sW
	ns := &neuronSums{w: sW, pos: poolWords(&sumsPool, m*L), zero: make([][]uint64, m), tot: make([]uint64, L)}
	nw := par.Workers(n * m * L / 4)
	// The words added by the two methods, and a call of a row addition
	// counted as sumsCall words (narrow tiles make many short calls).
	g1 := min(chunkBits(m), bitlen(sumsBlock)-1)
	gRows := n * (1<<g1 + m) / g1
	gather := gRows*L + sumsCall*gRows*ceilDiv(L, gatherTile(m, g1, sW, L))
	g2, scatter := scatterBits(n, m, nw, sW, L)
	// (Without neurons only the total is formed, by gatherSums.)
	if m > 0 && (sumsMethod == "scatter" || sumsMethod == "" && scatter < gather) {
		rc.scatterSums(ns, g2, nw)
	} else {
		rc.gatherSums(ns, g1, nw)
	}
	rc.poll()
	// S⁰_j: the boundary samples of each neuron.
	par.Chunks(m, nw, func(_, lo, hi int) {
		xb := make([]uint64, X.words())
		for j := lo; j < hi; j++ {
			for _, i := range rc.bnd[j] {
				if ns.zero[j] == nil {
					ns.zero[j] = make([]uint64, L)
				}
				z := ns.zero[j]
				for l := 0; l < k; l++ {
					rl := R.entry(i, l)
					for c := 0; c < d; c++ {
						q := (l*d + c) * sW
						exact.MulAddWords(z[q:q+sW], rl, X.get(i, c, xb))
					}
				}
			}
		}
	})
	rc.ns = ns
	return ns
}

// rxTile adds columns [lo, hi) of R̄_i ⊗ X̄_i (entries of w words) for the
// samples i0 ≤ i < i1 to src (row i − i0, hi − lo words). For float data
// whose X̄ entries fit in a word (xOneWord) the entries of the tile's
// columns are taken apart once per sample into xw (2d words) and
// multiplied by exact.MulAddWordSign (k products each when the tile holds
// all k·d columns); otherwise through exact.MulAddFloat or X̄'s words.
func (rc *rechecker) rxTile(src []uint64, i0, i1, lo, hi, w int, xw []uint64) {
	R, X, d := rc.rbar, rc.xbar, rc.d
	width := hi - lo
	q0, q1 := lo/w, hi/w
	one := rc.xOneWord()
	for i := i0; i < i1; i++ {
		if rc.zeroX[i] {
			continue
		}
		row := src[(i-i0)*width : (i-i0+1)*width]
		xf := rc.xFloats(i)
		words := false
		if one && xf != nil {
			words = true
			for q := q0; q < min(q1, q0+d); q++ {
				c := q % d
				var ok bool
				if xw[c], xw[d+c], ok = exact.FloatImageWord(xf[c], rc.xE); !ok {
					words = false // not reached: X̄_ic = x_ic·2^E is an integer below 2^64
					break
				}
			}
		}
		for q := q0; q < q1; q++ {
			l, c := q/d, q%d
			rl := R.entry(i, l)
			dst := row[q*w-lo : (q+1)*w-lo]
			switch {
			case words:
				exact.MulAddWordSign(dst, rl, xw[c], xw[d+c])
			case xf != nil:
				exact.MulAddFloat(dst, rl, xf[c], rc.xE)
			default:
				exact.MulAddWords(dst, rl, X.entry(i, c))
			}
		}
	}
}

// xOneWord reports whether X̄ = 2^E·X is formed from float64 rows whose
// entries all fit in one word (|X̄_ic| < 2^64): the passes then multiply
// by the words of exact.FloatImageWord.
func (rc *rechecker) xOneWord() bool {
	return rc.xE >= 0 && rc.xbar.m == nil && rc.xbar.bits <= 64
}

// xWords sets mag and neg (d entries per sample) to |X̄_ic| and the sign
// mask of X̄_ic (exact.FloatWordImages) for the samples i0 ≤ i < i1, and
// reports whether every entry fitted (xOneWord holds; then it always does).
func (rc *rechecker) xWords(i0, i1 int, mag, neg []uint64) bool {
	d := rc.d
	for i := i0; i < i1; i++ {
		o := (i - i0) * d
		xf := rc.xFloats(i)
		if xf == nil {
			return false
		}
		if !exact.FloatWordImages(mag[o:o+d], neg[o:o+d], xf, rc.xE) {
			return false
		}
	}
	return true
}

// scatterBudget is the words of one worker's buckets in scatterSums
// (about 1 MiB: within the cache next to a block of source rows); a
// variable so that tests can force narrow column tiles.
var scatterBudget = 1 << 17

// sumsMethod forces the method of the sums pass in tests: "gather" or
// "scatter"; "" chooses by the row additions.
var sumsMethod = ""

// sumsCall is the cost of a call of a row addition, in words added.
const sumsCall = 8

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// scatterTile returns the width in words (a multiple of w, at most L) of
// the column tiles of scatterSums with the given bucket rows per worker.
func scatterTile(rows, w, L int) int { return min(L, max(w, scatterBudget/max(rows, 1)/w*w)) }

// gatherTile returns the width in words of the column tiles of gatherSums
// (m destination rows, chunks of g samples).
func gatherTile(m, g, w, L int) int {
	tw := (1 << 16) / (m + sumsBlock + 1<<g)
	return min(max(tw-tw%w, w), L)
}

// scatterBits returns the neurons per group g of scatterSums for n
// samples, m neurons, nw workers and rows of L words (entries of w), and
// its cost: its row additions — one per sample and group, and fewer than
// 2^(g+1) per group and worker to fold the buckets — times L words, and
// sumsCall words per call (one per row addition and column tile).
func scatterBits(n, m, nw, w, L int) (g, cost int) {
	for c := 1; c <= 8; c++ {
		G := (m + c - 1) / c
		rows := n*G + nw*G<<(c+1)
		if x := rows*L + sumsCall*rows*ceilDiv(L, scatterTile(G<<c, w, L)); c == 1 || x < cost {
			g, cost = c, x
		}
	}
	return g, cost
}

// scatterSums computes S⁺_j and the total by pattern buckets: the
// neurons in groups of g; every sample adds its row R̄_i ⊗ X̄_i to one
// bucket per group, the one its g pattern bits (w_j·x_i > 0) name; then
// S⁺_j = Σ of the buckets of j's group whose bit for j is set
// (exact.AddBitSums), and the total is the sum of all of group 0's
// buckets (bucket 0 included). That is ⌈m/g⌉ row additions per sample,
// against (2^g + m)/g for subset sums over chunks of samples
// (gatherSums), and 2^g·⌈m/g⌉ bucket rows per worker, taken in column
// tiles within scatterBudget; the tiles, or when there are fewer tiles
// than workers, parts of the samples, are split between the workers.
// With R̄ and X̄ of one word the products go straight into the buckets
// (scatterDirect).
func (rc *rechecker) scatterSums(ns *neuronSums, g, nw int) {
	n, m, sW := rc.n, rc.m, ns.w
	L := len(ns.tot)
	G := (m + g - 1) / g
	// pat[i·G + q]: the positive signs of group q's neurons at sample i.
	pat := make([]uint8, n*G)
	par.Chunks(n, nw, func(_, i0, i1 int) {
		rc.neuronBytes(pat[i0*G:], rc.pos, i0, i1, g, G)
	})
	rc.poll()
	rows := G << g
	if rc.xOneWord() && rc.rbar.m.W == 1 && sW >= 2 {
		rc.scatterDirect(ns, g, G, nw, pat)
		return
	}
	tw := scatterTile(rows, sW, L)
	tiles := (L + tw - 1) / tw
	chunks := 1
	if tiles < nw {
		chunks = nw
	} else if tiles%nw != 0 {
		// As many tiles for every worker.
		tiles += nw - tiles%nw
		tw = min(L, ((L+tiles-1)/tiles+sW-1)/sW*sW)
		tiles = (L + tw - 1) / tw
	}
	const B = 256
	var mu sync.Mutex
	par.Dynamic(tiles*chunks, nw, func(u int) {
		tile, ch := u/chunks, u%chunks
		lo, hi := tile*tw, min((tile+1)*tw, L)
		width := hi - lo
		s0, s1 := ch*n/chunks, (ch+1)*n/chunks
		b := scatterPool.Get().(*scatterBufs)
		defer scatterPool.Put(b)
		bk := grow(&b.bk, rows*width)
		clear(bk)
		src := grow(&b.src, B*width)
		xw := grow(&b.xm, 2*rc.d)
		for i0 := s0; i0 < s1; i0 += B {
			if rc.stop.Stopped() {
				return // polled by the caller
			}
			i1 := min(i0+B, s1)
			src := src[:(i1-i0)*width]
			clear(src)
			rc.rxTile(src, i0, i1, lo, hi, sW, xw)
			for i := i0; i < i1; i++ {
				if !rc.zeroX[i] {
					addPattern(bk, width, pat[i*G:(i+1)*G], g, src[(i-i0)*width:(i-i0+1)*width], sW, exact.AddWords)
				}
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for s := 0; s < 1<<g; s++ {
			exact.AddWords(ns.tot[lo:hi], bk[s*width:(s+1)*width], sW)
		}
		for q := 0; q < G; q++ {
			exact.AddBitSums(ns.pos[q*g*L+lo:], L, min(g, m-q*g), bk[(q<<g)*width:((q+1)<<g)*width], width, sW)
		}
	})
}

// addPattern adds row (entries of w words, by add: exact.AddWords, or
// exact.AddWide2 for two-word entries) to the bucket of every group that
// the sample's pattern p names (bucket p[q] of group q; buckets of width
// words, 2^g per group): group 0's bucket always (its buckets sum to the
// total), another group's only when some bit is set (bucket 0 is in no
// S⁺_j).
func addPattern(bk []uint64, width int, p []uint8, g int, row []uint64, w int, add func(dst, src []uint64, w int)) {
	s := int(p[0])
	add(bk[s*width:(s+1)*width], row, w)
	for q := 1; q < len(p); q++ {
		if s := q<<g | int(p[q]); p[q] != 0 {
			add(bk[s*width:(s+1)*width], row, w)
		}
	}
}

// scatterDirect is scatterSums when R̄ is one word and X̄ xOneWord: every
// product R̄_il·X̄_ic is two words (|R̄_il·X̄_ic| < 2^127,
// exact.MulWordSign) added straight into the buckets (exact.AddWide2), as
// in Check's pattern sums, with no tile of source rows. Its column tiles
// are ranges c0 ≤ c < c1 of the inputs' columns for all k outputs
// (bucket rows laid out l-major, k·(c1 − c0) entries), so that each X̄_ic
// is taken apart once per sample (exact.FloatWordImages) and multiplied k
// times; the buckets are folded outside the lock (the total from group
// 0's, S⁺_j by exact.AddBitSums) and the folded rows added under it.
func (rc *rechecker) scatterDirect(ns *neuronSums, g, G, nw int, pat []uint8) {
	n, m, d, k, sW := rc.n, rc.m, rc.d, rc.k, ns.w
	L := len(ns.tot)
	rows := G << g
	cw := min(d, max(1, scatterTile(rows, sW, L)/sW/k))
	tiles := ceilDiv(d, cw)
	chunks := 1
	if tiles < nw {
		chunks = nw
	} else if tiles%nw != 0 {
		// As many tiles for every worker.
		tiles += nw - tiles%nw
		cw = ceilDiv(d, tiles)
		tiles = ceilDiv(d, cw)
	}
	R := rc.rbar.m.Data
	var mu sync.Mutex
	par.Dynamic(tiles*chunks, nw, func(u int) {
		tile, ch := u/chunks, u%chunks
		c0, c1 := tile*cw, min((tile+1)*cw, d)
		nc := c1 - c0
		width := k * nc * sW
		s0, s1 := ch*n/chunks, (ch+1)*n/chunks
		b := scatterPool.Get().(*scatterBufs)
		defer scatterPool.Put(b)
		bk := grow(&b.bk, rows*width)
		clear(bk)
		prod := grow(&b.prod, 2*k*nc)
		xm, xn := grow(&b.xm, nc), grow(&b.xn, nc) // the tile's X̄_ic as words
		for i := s0; i < s1; i++ {
			if i&1023 == 0 && rc.stop.Stopped() {
				return // polled by the caller
			}
			if rc.zeroX[i] {
				continue
			}
			if !exact.FloatWordImages(xm, xn, rc.xFloats(i)[c0:c1], rc.xE) {
				panic("recheck: an input's image does not fit a word") // not reached: xOneWord
			}
			r := R[i*k : (i+1)*k]
			for c, mag := range xm {
				for l, a := range r {
					o := 2 * (l*nc + c)
					prod[o], prod[o+1] = exact.MulWordSign(a, mag, xn[c])
				}
			}
			addPattern(bk, width, pat[i*G:(i+1)*G], g, prod, sW, exact.AddWide2)
		}
		// acc: the total, then S⁺_j of the m neurons (rows of width words).
		acc := grow(&b.acc, (m+1)*width)
		clear(acc)
		for s := 0; s < 1<<g; s++ {
			exact.AddWords(acc[:width], bk[s*width:(s+1)*width], sW)
		}
		for q := 0; q < G; q++ {
			exact.AddBitSums(acc[(1+q*g)*width:], width, min(g, m-q*g), bk[(q<<g)*width:((q+1)<<g)*width], width, sW)
		}
		// put adds a folded row to dst (a row of L words) at its columns.
		put := func(dst, row []uint64) {
			for l := 0; l < k; l++ {
				exact.AddWords(dst[(l*d+c0)*sW:(l*d+c1)*sW], row[l*nc*sW:(l+1)*nc*sW], sW)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		put(ns.tot, acc[:width])
		for j := 0; j < m; j++ {
			put(ns.pos[j*L:], acc[(1+j)*width:(2+j)*width])
		}
	})
}

// scatterBufs are the buckets and scratch rows of one work item of
// scatterSums, kept in scatterPool between work items and Rechecks.
type scatterBufs struct{ bk, src, prod, xm, xn, acc []uint64 }

var scatterPool = sync.Pool{New: func() any { return new(scatterBufs) }}

// gatherBufs are the scratch of a worker of gatherSums (subset-sum
// table, source tile, X̄ words), kept in gatherPool between tiles and
// Rechecks.
type gatherBufs struct{ table, src, xw, dst []uint64 }

// selectedSums adds to columns [lo, hi) of the rows j0 ≤ j < j1 of pos
// (rows of L words) the sums of the rows of src (T rows of hi − lo words)
// that sel (nc bytes per neuron, chunks of g samples) selects, by
// exact.AddSelectedSums into a tile of its own whose rows are adjacent,
// then added to pos: rows of pos L words apart fall into few cache sets
// (L = 768 words is 6 KiB, 1.5 pages), so the table's rows added to
// them went out to memory; adjacent rows stay in the cache.
func (b *gatherBufs) selectedSums(pos []uint64, L, j0, j1, lo, hi int, src []uint64, T int, sel []uint8, nc, g, w int) {
	width := hi - lo
	grow(&b.dst, (j1-j0)*width)
	clear(b.dst)
	exact.AddSelectedSums(b.dst, width, j1-j0, src, width, T, width, sel[j0*nc:], g, w, b.table)
	for j := j0; j < j1; j++ {
		exact.AddWords(pos[j*L+lo:j*L+hi], b.dst[(j-j0)*width:(j-j0+1)*width], w)
	}
}

var gatherPool = sync.Pool{New: func() any { return new(gatherBufs) }}

// gatherSums computes S⁺_j and the total: the samples in blocks of
// sumsBlock; the k·d columns of the sums in tiles small enough that a
// tile of the m destination rows, of the block's products R̄_i X̄_iᵀ and
// of the subset-sum table stay in cache; in each tile the active sets of
// all neurons summed over chunks of g samples by subset sums
// (exact.AddSelectedSums). The tiles (or, when there are few, the
// neurons) are split between the cores, each writing its own columns
// (rows).
func (rc *rechecker) gatherSums(ns *neuronSums, g, nw int) {
	n, m, sW := rc.n, rc.m, ns.w
	L := len(ns.tot)
	// Column tiles within about 512 KiB for the m destination rows, the
	// sumsBlock source rows and the 2^g table rows.
	tw := gatherTile(m, g, sW, L)
	tiles := (L + tw - 1) / tw
	sel := make([]uint8, m*((sumsBlock+g-1)/g))
	get := func() *gatherBufs {
		b := gatherPool.Get().(*gatherBufs)
		grow(&b.table, (1<<g)*tw)
		grow(&b.src, sumsBlock*tw)
		grow(&b.xw, 2*rc.d)
		return b
	}
	var shared []uint64 // the source tile when the neurons are split
	if tiles < 2*nw {
		shared = make([]uint64, sumsBlock*tw)
	}
	for i0 := 0; i0 < n; i0 += sumsBlock {
		rc.poll()
		i1 := min(i0+sumsBlock, n)
		T := i1 - i0
		nc := (T + g - 1) / g
		par.Chunks(m, nw, func(_, lo, hi int) {
			for j := lo; j < hi; j++ {
				rc.sampleBytes(sel[j*nc:(j+1)*nc], j, i0, i1, g)
			}
		})
		addTot := func(src []uint64, lo, hi int) {
			width := hi - lo
			for t := 0; t < T; t++ {
				exact.AddWords(ns.tot[lo:hi], src[t*width:(t+1)*width], sW)
			}
		}
		if shared == nil {
			par.Dynamic(tiles, nw, func(tile int) {
				if rc.stop.Stopped() {
					return // polled by the next block
				}
				lo, hi := tile*tw, min((tile+1)*tw, L)
				b := get()
				defer gatherPool.Put(b)
				src := b.src[:T*(hi-lo)]
				clear(src)
				rc.rxTile(src, i0, i1, lo, hi, sW, b.xw)
				addTot(src, lo, hi)
				b.selectedSums(ns.pos, L, 0, m, lo, hi, src, T, sel, nc, g, sW)
			})
			continue
		}
		for lo := 0; lo < L; lo += tw {
			hi := min(lo+tw, L)
			width := hi - lo
			src := shared[:T*width]
			clear(src)
			par.Chunks(T, nw, func(_, t0, t1 int) {
				rc.rxTile(src[t0*width:], i0+t0, i0+t1, lo, hi, sW, make([]uint64, 2*rc.d))
			})
			addTot(src, lo, hi)
			par.Chunks(m, nw, func(_, j0, j1 int) {
				if j0 == j1 {
					return // an empty chunk (m < nw)
				}
				b := get()
				defer gatherPool.Put(b)
				b.selectedSums(ns.pos, L, j0, j1, lo, hi, src, T, sel, nc, g, sW)
			})
		}
	}
}

// comboWords returns D·(c₊S⁺_j + c₋S⁻_j + c₀S⁰_j) (k·d entries of w
// words, row-major), D = D_R·D_X, with S⁻_j = S − S⁺_j − S⁰_j, formed as
// (c₊ − c₋)·S⁺_j + c₋·S + (c₀ − c₋)·S⁰_j in fixed-width words; a nil
// coefficient is 0.
func (rc *rechecker) comboWords(j int, cp, cn, cz *big.Int) (out []uint64, w int) {
	ns := rc.sums()
	kd, sw := rc.k*rc.d, ns.w
	var zero big.Int
	if cp == nil {
		cp = &zero
	}
	if cn == nil {
		cn = &zero
	}
	if cz == nil {
		cz = &zero
	}
	fp, fz := new(big.Int).Sub(cp, cn), new(big.Int).Sub(cz, cn)
	w = exact.WordsFor(64*sw + max(fp.BitLen(), cn.BitLen(), fz.BitLen()) + 2)
	out = make([]uint64, kd*w)
	pos := ns.pos[j*kd*sw : (j+1)*kd*sw]
	z := ns.zero[j]
	if fz.Sign() == 0 {
		z = nil
	}
	fpW, cnW, fzW := intWords(fp), intWords(cn), intWords(fz)
	for q := 0; q < kd; q++ {
		o := out[q*w : (q+1)*w]
		if fp.Sign() != 0 {
			exact.MulAddWords(o, pos[q*sw:(q+1)*sw], fpW)
		}
		if cn.Sign() != 0 {
			exact.MulAddWords(o, ns.tot[q*sw:(q+1)*sw], cnW)
		}
		if z != nil {
			exact.MulAddWords(o, z[q*sw:(q+1)*sw], fzW)
		}
	}
	return out, w
}

// combo returns comboWords's integers as big.Ints.
func (rc *rechecker) combo(j int, cp, cn, cz *big.Int) []big.Int {
	v, w := rc.comboWords(j, cp, cn, cz)
	out := make([]big.Int, len(v)/w)
	for q := range out {
		exact.WordsInt(&out[q], v[q*w:(q+1)*w])
	}
	return out
}
