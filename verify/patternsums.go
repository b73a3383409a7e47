package verify

import (
	"math/bits"
	"sync"

	"github.com/relucert/relucert/exact"
)

// This file holds the sums pass of a narrow network (m ≤ patternMaxM):
// S⁺_j = Σ_{i : w_j·x_i > 0} r̄_i ⊗ x̄_i by buckets per activation pattern.
//
// The neurons are taken in chunks of g ≤ 8; per chunk, bucket p (a g-bit
// pattern) accumulates r̄_i ⊗ x̄_i over the samples i whose pattern on the
// chunk's neurons is p (bit b set iff i ∈ P_j for the chunk's b-th neuron
// j). A sample costs one product per entry and one row addition per chunk
// — m/g row additions, where the Four Russians pass of computeSums pays
// about (2^g' − 1 + m)/g' + 1 with g' ≤ log₂ m (≈ 8 at m = 16). At the end
// S⁺_j is the sum of the buckets whose pattern has j's bit, and bucket
// sums of chunk 0 over all patterns the total Σ_i r̄_i ⊗ x̄_i.
//
// Word bounds. Every value formed — a product r̄_il·X̄_ic, a bucket, a
// folded bucket, a partial or final S⁺_j, the total — is a sum of
// r̄_il·X̄_ic over a set of distinct samples, so its magnitude is below
// n·2^br·2^bx ≤ 2^(br+bx+bitlen(n)), and sumW = WordsFor(br + bx +
// bitlen(n) + 2) words of two's complement hold it with room for the
// sign: no addition wraps. A single product needs two words: |r̄_il| ≤ 2^63
// (r̄ is one word) and |X̄_ic| < 2^64 (xOneWord), so |r̄_il·X̄_ic| < 2^127.

// patternMaxM is the most neurons the pattern pass takes: the buckets are
// m/g·2^g rows, 32·m rows at g = 8, against m rows for the Four Russians
// pass's destinations.
const patternMaxM = 64

// patternBlockWords bounds the words of one work item's buckets (about
// 512 KiB, to stay in the cache), and patternPart is the fewest samples
// of a part when the samples are split among goroutines (variables so
// that tests can force many tiles and parts on small instances).
var patternBlockWords, patternPart = 1 << 16, 1024

// patternMinBuckets is the number of buckets per neuron group the pattern
// pass allows at any n (a variable so that tests can force chunks of 8 on
// small instances).
var patternMinBuckets = 16

// patternSums sets the rows of dst (j1 − j0 rows of k·d entries of sumW
// words, zero on entry) to S⁺_j for j0 ≤ j < j1 and, when tot is not nil,
// adds the total Σ_i r̄_i ⊗ x̄_i to tot (k·d entries of sumW words). It
// returns false, with nothing written, when it does not apply: X̄ stored or
// wider than a word, r̄ wider than a word, or more than patternMaxM neurons.
func (e *engine) patternSums(j0, j1 int, dst *exact.IntMat, tot []uint64) bool {
	mg := j1 - j0
	if mg <= 0 || mg > patternMaxM || !e.xOneWord() || e.rbar.W != 1 || e.sumW < 2 {
		return false
	}
	n, d, k := e.n, e.d, e.k
	sw := e.sumW
	// g: the widest chunks (≤ 8) whose buckets, ⌈mg/g⌉·2^g rows, number
	// at most n/8 (at least patternMinBuckets): at small n the buckets'
	// setup and the final sums (2^(g+1) row additions per chunk) would
	// outweigh the samples' additions.
	g := 1
	for g < min(8, mg) && (mg+g)/(g+1)<<(g+1) <= max(patternMinBuckets, n/8) {
		g++
	}
	nch := (mg + g - 1) / g
	// pat[i·nch + ch]: the pattern of sample i on chunk ch.
	pat := make([]uint8, n*nch)
	nw := workers(n * mg * d)
	parallel((n+63)/64, nw, func(w0, w1 int) {
		for q := 0; q < mg; q++ {
			ch, bit := q/g, uint8(1)<<(q%g)
			pos := e.sg.posRow(j0 + q)
			for w := w0; w < w1; w++ {
				for x := pos[w]; x != 0; x &= x - 1 {
					if i := w<<6 + bits.TrailingZeros64(x); i < n {
						pat[i*nch+ch] |= bit
					}
				}
			}
		}
	})
	// Column tiles: a tile is a range [c0, c1) of input columns for all k
	// outputs (entries l·d + c, c0 ≤ c < c1, laid out in the buckets as
	// (l, c − c0)), so that each X̄_ic is decoded once per sample. The
	// buckets of a work item stay within patternBlockWords (at least one
	// column); when there are fewer tiles than goroutines the samples are
	// split too (each part its own buckets, added at the end under the
	// tile's lock).
	maxCols := max(1, patternBlockWords/(nch<<g)/sw/k)
	tiles := (d + maxCols - 1) / maxCols
	tc := (d + tiles - 1) / tiles // columns per tile
	tiles = (d + tc - 1) / tc
	parts := max(1, min((nw+tiles-1)/tiles, n/patternPart))
	locks := make([]sync.Mutex, tiles)
	bufs := sync.Pool{New: func() any {
		return &patternBufs{
			buckets: make([]uint64, nch<<g*k*tc*sw),
			prod:    make([]uint64, 2*k*tc),
			xm:      make([]uint64, tc),
			xn:      make([]uint64, tc),
		}
	}}
	parallelDynamic(tiles*parts, nw, func(item int) {
		tile, part := item%tiles, item/tiles
		c0, c1 := tile*tc, min((tile+1)*tc, d)
		cw := c1 - c0
		te := k * cw // entries of the tile
		tw := te * sw
		i0, i1 := part*n/parts, (part+1)*n/parts
		buf := bufs.Get().(*patternBufs)
		defer bufs.Put(buf)
		bk := buf.buckets[:nch<<g*tw]
		clear(bk)
		prod := buf.prod[:2*te]
		xm, xn := buf.xm[:cw], buf.xn[:cw]
		for i := i0; i < i1; i++ {
			if e.zeroX[i] {
				continue
			}
			if i&1023 == 0 && e.pl.stopNow() {
				return // the poll after the pass unwinds Check
			}
			// X̄_ic of the tile's columns, once per sample.
			if !exact.FloatWordImages(xm, xn, e.xf[i].F[c0:c1], e.xE) {
				panic("verify: an input's image does not fit the engine's word") // as in xWords
			}
			r := e.rbar.Data[i*k : (i+1)*k]
			// prod: r̄_il·X̄_ic for the tile's entries (l, c), two words of
			// two's complement each (see the word bounds).
			for l, a := range r {
				pl := prod[2*l*cw : 2*(l+1)*cw]
				for c, mag := range xm {
					pl[2*c], pl[2*c+1] = exact.MulWordSign(a, mag, xn[c])
				}
			}
			for ch := 0; ch < nch; ch++ {
				p := int(pat[i*nch+ch])
				exact.AddWide2(bk[(ch<<g+p)*tw:(ch<<g+p+1)*tw], prod, sw)
			}
		}
		if e.pl.stopNow() {
			return
		}
		// S⁺ of the chunk's neurons from its buckets, the top bit first:
		// with the higher bits folded in (bucket p += bucket p + 2^b), the
		// buckets p ≥ 2^b of the first 2^(b+1) are those with bit b. A
		// bucket's output l is the columns [c0, c1) of S⁺'s output l.
		locks[tile].Lock()
		defer locks[tile].Unlock()
		addOut := func(row, src []uint64) {
			for l := 0; l < k; l++ {
				exact.AddWords(row[(l*d+c0)*sw:(l*d+c1)*sw], src[l*cw*sw:(l+1)*cw*sw], sw)
			}
		}
		for ch := 0; ch < nch; ch++ {
			gc := min(g, mg-ch*g)
			acc := bk[ch<<g*tw:]
			for b := gc - 1; b >= 0; b-- {
				row := dst.Row(ch*g + b)
				for p := 1 << b; p < 2<<b; p++ {
					addOut(row, acc[p*tw:(p+1)*tw])
					exact.AddWords(acc[(p-1<<b)*tw:(p-1<<b+1)*tw], acc[p*tw:(p+1)*tw], sw)
				}
			}
			if ch == 0 && tot != nil {
				addOut(tot, acc[:tw]) // bucket 0 now sums every pattern
			}
		}
	})
	return true
}

// patternBufs are the buckets and scratch rows of one work item of
// patternSums.
type patternBufs struct{ buckets, prod, xm, xn []uint64 }

// patternTableWords bounds the words of the residual pass's subset-sum
// tables (1 MiB: they are read at random, one row per chunk per sample).
var patternTableWords = 1 << 17

// residualPatternBits returns g for the residual pass by patterns
// (exact.PatternBits within patternTableWords), or 0.
func residualPatternBits(rows, L int) int { return exact.PatternBits(rows, L, patternTableWords) }
