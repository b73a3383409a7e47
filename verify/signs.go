package verify

import (
	"math"
	"math/bits"
	"slices"
)

// This file holds the activation pattern as the engine stores it: for
// every neuron j its positive side P_j = {i : w_j·x_i > 0} as a bitset of
// n bits and its boundary Z_j \ {x_i = 0} (the nonzero samples on its
// hyperplane) as a sorted list, or a bitset when that is smaller. The
// negative side is the rest. An m×n table of int8 signs was m·n bytes
// (200 MB at n = 10⁵, m = 2048); this is m·n/8 bytes and the boundaries,
// which are few on data in general position.

// signSet is the activation pattern of the engine's point.
type signSet struct {
	n, m  int
	words int      // ⌈n/64⌉, the words of one bitset
	pos   []uint64 // P_j: bit i of pos[j·words:(j+1)·words]
	bnd   []sampleSet
	zeroX []bool // x_i = 0: in every Z_j, in no P_j and no boundary
}

// sampleSet is a set of samples: a sorted list, or (bits != nil) a bitset
// of n bits once the list would be the larger.
type sampleSet struct {
	list  []int32
	bits  []uint64
	count int
}

// newSignSet returns the pattern with every P_j and boundary empty.
func newSignSet(n, m int, zeroX []bool) *signSet {
	w := (n + 63) / 64
	return &signSet{n: n, m: m, words: w, pos: make([]uint64, m*w), bnd: make([]sampleSet, m), zeroX: zeroX}
}

// posRow returns the bitset of P_j (read-only).
func (s *signSet) posRow(j int) []uint64 { return s.pos[j*s.words : (j+1)*s.words] }

// sign returns the sign of w_j·x_i.
func (s *signSet) sign(j, i int) int8 {
	switch {
	case s.pos[j*s.words+i>>6]>>(i&63)&1 != 0:
		return 1
	case s.zeroX[i] || s.bnd[j].has(i):
		return 0
	}
	return -1
}

// row returns the signs of w_j·x_i for every sample i (a fresh slice).
func (s *signSet) row(j int) []int8 {
	out := make([]int8, s.n)
	pos := s.posRow(j)
	for i := range out {
		switch {
		case pos[i>>6]>>(i&63)&1 != 0:
			out[i] = 1
		case !s.zeroX[i]:
			out[i] = -1
		}
	}
	s.bnd[j].each(0, s.n, func(i int) { out[i] = 0 })
	return out
}

// boundary returns the boundary samples of neuron j, ascending.
func (s *signSet) boundary(j int) []int {
	z := make([]int, 0, s.bnd[j].count)
	s.bnd[j].each(0, s.n, func(i int) { z = append(z, i) })
	return z
}

// anyPos reports whether P_j is not empty.
func (s *signSet) anyPos(j int) bool {
	for _, w := range s.posRow(j) {
		if w != 0 {
			return true
		}
	}
	return false
}

// add adds sample i, larger than every member, to a set of subsets of n
// samples, turning the list into a bitset when the list would take more
// room than n bits.
func (z *sampleSet) add(i, n int) {
	z.count++
	if z.bits != nil {
		z.bits[i>>6] |= 1 << (i & 63)
		return
	}
	if 32*len(z.list) < n && n <= math.MaxInt32 {
		z.list = append(z.list, int32(i))
		return
	}
	z.bits = make([]uint64, (n+63)/64)
	for _, q := range z.list {
		z.bits[q>>6] |= 1 << (q & 63)
	}
	z.bits[i>>6] |= 1 << (i & 63)
	z.list = nil
}

// has reports whether i is in the set.
func (z *sampleSet) has(i int) bool {
	if z.bits != nil {
		return z.bits[i>>6]>>(i&63)&1 != 0
	}
	_, ok := slices.BinarySearch(z.list, int32(i))
	return ok
}

// each calls f for every member i with lo ≤ i < hi, ascending.
func (z *sampleSet) each(lo, hi int, f func(i int)) {
	if z.count == 0 {
		return
	}
	if z.bits != nil {
		eachBit(z.bits, lo, hi, f)
		return
	}
	q, _ := slices.BinarySearch(z.list, int32(lo))
	for ; q < len(z.list) && int(z.list[q]) < hi; q++ {
		f(int(z.list[q]))
	}
}

// eachBit calls f for every set bit i of b with lo ≤ i < hi, ascending.
func eachBit(b []uint64, lo, hi int, f func(i int)) {
	for w := lo >> 6; w<<6 < hi; w++ {
		for x := wordIn(b, w, lo, hi); x != 0; x &= x - 1 {
			f(w<<6 + bits.TrailingZeros64(x))
		}
	}
}

// wordIn returns word w of the bitset b with the bits outside [lo, hi)
// cleared.
func wordIn(b []uint64, w, lo, hi int) uint64 {
	x := b[w]
	if w<<6 < lo {
		x &^= 1<<(lo&63) - 1
	}
	if rest := hi - w<<6; rest < 64 {
		x &= 1<<rest - 1
	}
	return x
}

// bitsAt returns the g ≤ 57 bits i, …, i+g−1 of b (those at or beyond hi,
// the end of the range in use, cleared) as the low bits of a word.
func bitsAt(b []uint64, i, g, hi int) uint64 {
	w, o := i>>6, i&63
	x := b[w] >> o
	if o+g > 64 && w+1 < len(b) {
		x |= b[w+1] << (64 - o)
	}
	if hi-i < g {
		g = hi - i
	}
	return x & (1<<g - 1)
}
