package verify

import (
	"hash/maphash"
	"math"
	"math/bits"

	"github.com/relucert/relucert/exact"
)

// lineHash hashes a line key for lineGroups (a variable so that a test can
// make every key collide).
var lineHash = maphash.Bytes

// lineGroups groups the nonzero samples i ∈ idx (of dimension d) by the
// line through the origin that holds them: the lines in order of first
// appearance, each line's samples ascending. lk.key(buf, i) appends sample
// i's key (equal on a line); the keys are hashed in parallel and not kept
// (a key is d words or more), and a sample whose hash is that of an
// earlier sample is on its line when lk.same says so, so that neither a
// hash collision nor keys that are equal off a line ever join two lines.
//
// The hashes go into an open-addressing table of positions, the lines are
// numbered in one pass and the groups are slices of one array: about
// 30 bytes per sample, where maps of hashes and a line object per sample
// took several times that (idx must have fewer than 2³¹ entries).
func lineGroups(idx []int, d int, lk lineKey) [][]int {
	N := len(idx)
	if N == 0 {
		return nil
	}
	if N <= fewLineSamples {
		return fewLineGroups(idx, lk)
	}
	seed := maphash.MakeSeed()
	hs := make([]uint64, N)
	parallel(N, workers(N*d*64), func(lo, hi int) {
		var buf []byte
		for q := lo; q < hi; q++ {
			buf = lk.key(buf[:0], idx[q])
			hs[q] = lineHash(seed, buf)
		}
	})
	// first[q]: the first position with q's hash (linear probing in a
	// table of at least 2N slots holding position + 1).
	first := make([]int32, N)
	mask := uint64(1)<<bits.Len(uint(2*N)) - 1
	table := make([]int32, mask+1) // reused below for the groups' starts
	{
		for q, h := range hs {
			for s := h & mask; ; s = (s + 1) & mask {
				t := table[s]
				if t == 0 {
					table[s], first[q] = int32(q+1), int32(q)
					break
				}
				if hs[t-1] == h {
					first[q] = t - 1
					break
				}
			}
		}
	}
	// on[q]: q is on the line of first[q].
	on := make([]bool, N)
	parallel(N, workers(N*d*64), func(lo, hi int) {
		for q := lo; q < hi; q++ {
			if f := int(first[q]); f != q {
				on[q] = lk.same(idx[q], idx[f])
			}
		}
	})
	// Number the lines in order of first appearance. A sample that shares
	// its hash but not its line with first[q] (a hash collision, or keys
	// equal off a line) is looked up by its exact key (lk.exact) among the
	// lines met so far in such collisions (byKey), first[q]'s line entered
	// on its first collision: one exact key per sample involved, however
	// many lines share a key.
	// lineOf[q] overwrites first[q], which is read only before (fresh
	// memory is dear: see "Fresh memory" in fast.go).
	lineOf := first
	var nl int32
	var byKey map[string]int32
	var entered map[int32]bool
	var buf []byte
	for q := range N {
		f := first[q]
		switch {
		case int(f) == q:
			lineOf[q], nl = nl, nl+1
			continue
		case on[q]:
			lineOf[q] = lineOf[f]
			continue
		}
		if byKey == nil {
			byKey, entered = map[string]int32{}, map[int32]bool{}
		}
		if !entered[f] {
			buf = lk.exact(buf[:0], idx[f])
			byKey[string(buf)], entered[f] = lineOf[f], true
		}
		buf = lk.exact(buf[:0], idx[q])
		l, ok := byKey[string(buf)]
		if !ok {
			l, nl = nl, nl+1
			byKey[string(buf)] = l
		}
		lineOf[q] = l
	}
	hs, on = nil, nil
	// The groups as slices of one array; their starts in the hash table's
	// words (at least 2N + 1 ≥ nl + 1 of them).
	start := table[:nl+1]
	clear(start)
	for _, l := range lineOf {
		start[l+1]++
	}
	for l := range nl {
		start[l+1] += start[l]
	}
	flat := make([]int, N)
	groups := make([][]int, nl)
	for l := range groups {
		a, b := int(start[l]), int(start[l+1])
		groups[l] = flat[a:a:b]
	}
	for q, l := range lineOf {
		groups[l] = append(groups[l], idx[q])
	}
	return groups
}

// fewLineSamples is the number of samples up to which lineGroups compares
// each sample exactly with the first sample of every line met so far
// (fewLineGroups) instead of hashing keys: the boundary of one neuron has a
// few samples, and its lines are grouped once per neuron (a variable so
// that tests can run both ways).
var fewLineSamples = 16

// fewLineGroups is lineGroups by at most N·(N−1)/2 exact comparisons
// lk.same: the lines in order of first appearance, each line's samples in
// the order of idx.
func fewLineGroups(idx []int, lk lineKey) [][]int {
	lineOf := make([]int32, len(idx))
	var firsts []int // the first sample of each line
	var count []int
	for q, i := range idx {
		l := 0
		for l < len(firsts) && !lk.same(i, firsts[l]) {
			l++
		}
		if l == len(firsts) {
			firsts, count = append(firsts, i), append(count, 0)
		}
		lineOf[q] = int32(l)
		count[l]++
	}
	flat := make([]int, len(idx))
	groups := make([][]int, len(firsts))
	at := 0
	for l, c := range count {
		groups[l] = flat[at : at : at+c]
		at += c
	}
	for q, l := range lineOf {
		groups[l] = append(groups[l], idx[q])
	}
	return groups
}

// lineSumsVanish reports whether Σ_{i∈ℓ} |t_i| r_i = 0 for every group ℓ
// of samples on one line (t_i = x_i[c], c the first nonzero coordinate of
// the line's samples), in integers: Σ_{i∈ℓ} |X̄_ic| r̄_i = 0, the sum
// scaled by D_X·d_r > 0. No residual becomes a rational.
func (e *engine) lineSumsVanish(groups [][]int) bool {
	nw := workers(e.n * e.k * 4)
	fail := make([]bool, nw)
	parallelIdx(len(groups), nw, func(t, lo, hi int) {
		fail[t] = !e.linesVanish(groups[lo:hi])
	})
	for _, f := range fail {
		if f {
			return false
		}
	}
	return true
}

// linesVanish is lineSumsVanish on one goroutine (for the few lines of
// one neuron's boundary, decided inside the per-neuron loops).
func (e *engine) linesVanish(groups [][]int) bool {
	longest := 0
	for _, g := range groups {
		longest = max(longest, len(g))
	}
	accW := exact.WordsFor(e.br + e.bx + bitlen(longest) + 2)
	one := e.xOneWord()
	if one {
		// exact.MulAddWordSign writes into one word more than r̄'s.
		accW = max(accW, e.rbar.W+1)
	}
	var stack [8]uint64
	var acc, tx []uint64
	if accW+e.xW <= len(stack) {
		acc, tx = stack[:accW], stack[accW:accW+e.xW]
	} else {
		acc, tx = make([]uint64, accW), make([]uint64, e.xW)
	}
	for _, g := range groups {
		c := 0
		for c < e.d && exact.WordsIsZero(e.xEntry(g[0], c, tx)) {
			c++
		}
		for l := 0; l < e.k; l++ {
			clear(acc)
			for _, i := range g {
				if e.x == nil {
					// |X̄_ic| from the float itself (|x| is exact): one
					// word when it fits (bx ≤ 64), else by MulAddFloat.
					ax := math.Abs(e.xf[i].F[c])
					if mag, _, ok := exact.FloatImageWord(ax, e.xE); one && ok {
						exact.MulAddWordSign(acc, e.rbar.Entry(i, l), mag, 0)
					} else {
						exact.MulAddFloat(acc, e.rbar.Entry(i, l), ax, e.xE)
					}
					continue
				}
				copy(tx, e.xEntry(i, c, tx))
				if int64(tx[len(tx)-1]) < 0 {
					exact.NegWords(tx)
				}
				exact.MulAddWords(acc, e.rbar.Entry(i, l), tx)
			}
			if !exact.WordsIsZero(acc) {
				return false
			}
		}
	}
	return true
}
