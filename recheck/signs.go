package recheck

import (
	"math/bits"
	"sync"

	"github.com/relucert/relucert/exact"
	par "github.com/relucert/relucert/internal/parallel"
)

// This file holds the signs of the pre-activations w_j·x_i, as two
// bitsets per neuron: P_j (w_j·x_i > 0) in rc.pos and N_j (w_j·x_i < 0)
// in rc.neg, neuron j's words at [j·stride, (j+1)·stride), sample i at
// bit i mod 64 of word i/64; a sample in neither has w_j·x_i = 0.

// signAt returns the sign of w_j·x_i.
func (rc *rechecker) signAt(j, i int) int8 {
	o, s := j*rc.stride+i>>6, uint(i&63)
	return int8(rc.pos[o]>>s&1) - int8(rc.neg[o]>>s&1)
}

// signPass computes the signs of every w_j·x_i (sets rc.pos, rc.neg and
// rc.stride): the float64 filter (exact.SignBits) on blocks of samples,
// a multiple of 64 each (whole words, so that the blocks are written in
// parallel), with all neurons passing over a block while it stays in the
// cache; then, for each pair the filter cannot decide, the exact integer
// inner product W̄_j·X̄_i (sign(w_j·x_i) = sign(W̄_j·X̄_i)).
func (rc *rechecker) signPass(xf []exact.FloatVec, wf []exact.FloatVec) {
	n, d, m := rc.n, rc.d, rc.m
	rc.stride = (n + 63) / 64
	all := poolWords(&signPool, 2*m*rc.stride)
	rc.pos, rc.neg = all[:m*rc.stride], all[m*rc.stride:]
	if n == 0 || m == 0 {
		return
	}
	wr := exact.NewFloatRows(wf, d)
	B := max(64, (1<<15)/max(d, 1)/64*64)
	nb := (n + B - 1) / B
	X, W := rc.xbar, rc.wbar
	accW := exact.WordsFor(X.bits + W.bits + bitlen(d) + 1)
	par.Chunks(nb, par.Workers(n*m*d/4), func(_, b0, b1 int) {
		var und [][2]int
		var acc, xb []uint64
		for b := b0; b < b1; b++ {
			if rc.stop.Stopped() {
				return // polled by the caller
			}
			i0, i1 := b*B, min((b+1)*B, n)
			und = exact.SignBits(wr, xf[i0:i1], i0, rc.pos, rc.neg, rc.stride, und[:0])
			for _, ji := range und {
				if acc == nil {
					acc, xb = make([]uint64, accW), make([]uint64, d*X.words())
				}
				j, i := ji[0], ji[1]
				clear(acc)
				exact.DotWords(acc, W.m.Row(j), W.m.W, X.row(i, xb), X.words())
				o, s := j*rc.stride+i>>6, uint(i&63)
				switch exact.WordsSign(acc) {
				case 1:
					rc.pos[o] |= 1 << s
				case -1:
					rc.neg[o] |= 1 << s
				}
			}
		}
	})
	rc.poll()
}

// boundaries sets rc.bnd (the nonzero samples with w_j·x_i = 0 of each
// neuron, ascending) and rc.nNeg (the samples with w_j·x_i < 0) from the
// bitsets.
func (rc *rechecker) boundaries() {
	n, m, st := rc.n, rc.m, rc.stride
	// The nonzero inputs, as a bitset.
	nz := make([]uint64, st)
	for i := range n {
		if !rc.zeroX[i] {
			nz[i>>6] |= 1 << uint(i&63)
		}
	}
	rc.bnd, rc.nNeg = make([][]int, m), make([]int, m)
	par.Chunks(m, par.Workers(m*n/64), func(_, lo, hi int) {
		for j := lo; j < hi; j++ {
			pos, neg := rc.pos[j*st:(j+1)*st], rc.neg[j*st:(j+1)*st]
			negs := 0
			for q, z := range nz {
				negs += bits.OnesCount64(neg[q])
				for z &^= pos[q] | neg[q]; z != 0; z &= z - 1 {
					rc.bnd[j] = append(rc.bnd[j], q<<6|bits.TrailingZeros64(z))
				}
			}
			rc.nNeg[j] = negs
		}
	})
}

// neuronBytes ors into dst, for the samples i0 ≤ i < i1, the bits of the
// neurons' bitsets set (rc.pos or rc.neg) in chunks of g ≤ 8 neurons:
// bit j mod g of dst[(i − i0)·nc + j/g] is bit i of neuron j's set (nc ≥
// ⌈m/g⌉ bytes per sample). It turns the bitsets around 64 samples at a
// time: 8×8 blocks of bits (8 neurons × 8 samples) are transposed in a
// word (transpose8) into a row of the samples' neuron bits, from which
// the chunks are cut.
func (rc *rechecker) neuronBytes(dst []uint8, set []uint64, i0, i1, g, nc int) {
	if i0 >= i1 {
		return
	}
	st, m := rc.stride, rc.m
	mw := (m + 63) / 64
	rows := make([]uint64, 64*mw) // rows[s·mw + j/64] bit j%64: neuron j at sample 64q + s
	mask := uint8(1)<<uint(g) - 1
	for q := i0 >> 6; q <= (i1-1)>>6; q++ {
		clear(rows)
		for j8 := 0; j8 < m; j8 += 8 {
			var ws [8]uint64
			for r := 0; r < 8 && j8+r < m; r++ {
				ws[r] = set[(j8+r)*st+q]
			}
			for b := 0; b < 8; b++ {
				var x uint64 // byte r: samples 8b … 8b + 7 of neuron j8 + r
				for r, w := range ws {
					x |= (w >> uint(8*b) & 0xFF) << uint(8*r)
				}
				if x == 0 {
					continue
				}
				x = transpose8(x) // byte s: neurons j8 … j8 + 7 at sample 8b + s
				for s := 0; s < 8; s++ {
					rows[(8*b+s)*mw+j8>>6] |= (x >> uint(8*s) & 0xFF) << uint(j8&63)
				}
			}
		}
		for i := max(i0, q<<6); i < min(i1, (q+1)<<6); i++ {
			row := rows[(i&63)*mw : (i&63+1)*mw]
			d := dst[(i-i0)*nc : (i-i0)*nc+(m+g-1)/g]
			for c := range d {
				o := c * g
				v := row[o>>6] >> uint(o&63)
				if o&63+g > 64 && o>>6+1 < mw {
					v |= row[o>>6+1] << uint(64-o&63)
				}
				d[c] |= uint8(v) & mask
			}
		}
	}
}

// transpose8 transposes the 8×8 matrix of bits whose row r is byte r of x
// (bit c of the byte: column c): bit 8r + c moves to bit 8c + r.
func transpose8(x uint64) uint64 {
	t := (x ^ x>>7) & 0x00AA00AA00AA00AA
	x ^= t ^ t<<7
	t = (x ^ x>>14) & 0x0000CCCC0000CCCC
	x ^= t ^ t<<14
	t = (x ^ x>>28) & 0x00000000F0F0F0F0
	return x ^ t ^ t<<28
}

// sampleBytes sets dst[t] (t < ⌈(i1 − i0)/g⌉) to the bits of neuron j's
// P_j for the samples i0 + t·g … i0 + t·g + g − 1 below i1 (bit s for
// sample i0 + t·g + s).
func (rc *rechecker) sampleBytes(dst []uint8, j, i0, i1, g int) {
	row := rc.pos[j*rc.stride : (j+1)*rc.stride]
	nc := (i1 - i0 + g - 1) / g
	if g == 8 && i0&63 == 0 {
		// The bytes of the words themselves (little-endian: byte c holds
		// bits 8c … 8c + 7); bits past i1 belong to no later sample of
		// this call only at n, where they are clear.
		for t := range nc {
			dst[t] = uint8(row[(i0>>6)+t>>3] >> uint(8*(t&7)))
		}
		if r := (i1 - i0) % 8; r != 0 {
			dst[nc-1] &= uint8(1)<<r - 1
		}
		return
	}
	for t := range nc {
		var v uint8
		for s := 0; s < g && i0+t*g+s < i1; s++ {
			i := i0 + t*g + s
			v |= uint8(row[i>>6]>>uint(i&63)&1) << s
		}
		dst[t] = v
	}
}

// signPool and sumsPool keep the largest tables of a Recheck between
// Rechecks — the sign bitsets (rc.pos and rc.neg, one allocation) and
// the neurons' sums S⁺_j — as fresh memory costs a page fault per 4 KiB
// on first touch (12 MiB of sums at n = 10³, d = 256, m = 2048).
var signPool, sumsPool sync.Pool

// poolWords returns n zero words, from pool when it holds enough.
func poolWords(pool *sync.Pool, n int) []uint64 {
	if b, ok := pool.Get().(*[]uint64); ok && cap(*b) >= n {
		s := (*b)[:n]
		clear(s)
		return s
	}
	return make([]uint64, n)
}

// release gives the sign bitsets and the sums back to their pools; rc
// must not be used afterwards.
func (rc *rechecker) release() {
	if rc.pos != nil {
		b := rc.pos[:cap(rc.pos)]
		signPool.Put(&b)
	}
	if rc.ns != nil {
		b := rc.ns.pos[:cap(rc.ns.pos)]
		sumsPool.Put(&b)
	}
	rc.pos, rc.neg, rc.ns = nil, nil, nil
}
