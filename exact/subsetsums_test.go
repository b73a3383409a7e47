package exact

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestAddSelectedSums compares AddSelectedSums with the sums written out in
// big.Int, for random signed entries of 1–6 words, chunk sizes 1–8, partial
// last chunks and row slices inside longer strides.
func TestAddSelectedSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		w := 1 + rng.IntN(6)
		g := 1 + rng.IntN(8)
		T, S := 1+rng.IntN(9), 1+rng.IntN(20)
		ents := 1 + rng.IntN(4)
		width := ents * w
		dstStride, srcStride := width+w*rng.IntN(3), width+w*rng.IntN(3)
		randEntry := func(e []uint64) {
			x := new(big.Int)
			for q := 0; q < w; q++ {
				x.Lsh(x, 64).Add(x, new(big.Int).SetUint64(rng.Uint64()))
			}
			x.Rsh(x, 8)
			if rng.IntN(2) == 0 {
				x.Neg(x)
			}
			SetWords(e, x)
		}
		dst := make([]uint64, T*dstStride)
		src := make([]uint64, S*srcStride)
		for q := 0; q < T*dstStride; q += w {
			randEntry(dst[q : q+w])
		}
		for q := 0; q < S*srcStride; q += w {
			randEntry(src[q : q+w])
		}
		nc := (S + g - 1) / g
		sel := make([]uint8, T*nc)
		chosen := make([][]bool, T)
		for tt := range chosen {
			chosen[tt] = make([]bool, S)
			for s := 0; s < S; s++ {
				if rng.IntN(2) == 0 {
					chosen[tt][s] = true
					sel[tt*nc+s/g] |= 1 << (s % g)
				}
			}
		}
		// Expected, in big.Int, wrapping like the words.
		mod := new(big.Int).Lsh(big.NewInt(1), uint(64*w))
		want := make([]*big.Int, T*ents)
		var v big.Int
		for tt := 0; tt < T; tt++ {
			for e := 0; e < ents; e++ {
				sum := WordsInt(new(big.Int), dst[tt*dstStride+e*w:tt*dstStride+(e+1)*w])
				for s := 0; s < S; s++ {
					if chosen[tt][s] {
						sum.Add(sum, WordsInt(&v, src[s*srcStride+e*w:s*srcStride+(e+1)*w]))
					}
				}
				sum.Mod(sum, mod)
				want[tt*ents+e] = sum
			}
		}
		table := make([]uint64, (1<<g)*width)
		AddSelectedSums(dst, dstStride, T, src, srcStride, S, width, sel, g, w, table)
		for tt := 0; tt < T; tt++ {
			for e := 0; e < ents; e++ {
				got := WordsInt(new(big.Int), dst[tt*dstStride+e*w:tt*dstStride+(e+1)*w])
				got.Mod(got, mod)
				if got.Cmp(want[tt*ents+e]) != 0 {
					t.Fatalf("trial %d (w=%d g=%d T=%d S=%d): row %d entry %d = %v, want %v", trial, w, g, T, S, tt, e, got, want[tt*ents+e])
				}
			}
		}
	}
}
