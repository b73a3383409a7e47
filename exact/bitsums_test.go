package exact

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestAddBitSums compares AddBitSums with the sums over the buckets whose
// bit b is set written out in big.Int (wrapping like the words), for
// random signed entries of 1–5 words, g = 1–8 and destination rows inside
// longer strides.
func TestAddBitSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 200; trial++ {
		w := 1 + rng.IntN(5)
		g := 1 + rng.IntN(8)
		ents := 1 + rng.IntN(4)
		width := ents * w
		stride := width + w*rng.IntN(3)
		randEntry := func(e []uint64) {
			x := new(big.Int)
			for q := 0; q < w; q++ {
				x.Lsh(x, 64).Add(x, new(big.Int).SetUint64(rng.Uint64()))
			}
			x.Rsh(x, uint(1+rng.IntN(64)))
			if rng.IntN(2) == 0 {
				x.Neg(x)
			}
			SetWords(e, x)
		}
		buckets := make([]uint64, (1<<g)*width)
		for q := 0; q < len(buckets); q += w {
			if rng.IntN(4) > 0 {
				randEntry(buckets[q : q+w])
			}
		}
		dst := make([]uint64, g*stride)
		for q := 0; q < len(dst); q += w {
			randEntry(dst[q : q+w])
		}
		mod := new(big.Int).Lsh(big.NewInt(1), uint(64*w))
		want := make([]*big.Int, g*ents)
		for b := 0; b < g; b++ {
			for e := 0; e < ents; e++ {
				sum := WordsInt(new(big.Int), dst[b*stride+e*w:b*stride+(e+1)*w])
				for s := 1; s < 1<<g; s++ {
					if s>>b&1 == 1 {
						sum.Add(sum, WordsInt(new(big.Int), buckets[s*width+e*w:s*width+(e+1)*w]))
					}
				}
				want[b*ents+e] = sum.Mod(sum, mod)
			}
		}
		pad := append([]uint64(nil), dst...)
		AddBitSums(dst, stride, g, buckets, width, w)
		for b := 0; b < g; b++ {
			for e := 0; e < ents; e++ {
				got := WordsInt(new(big.Int), dst[b*stride+e*w:b*stride+(e+1)*w])
				if got.Mod(got, mod).Cmp(want[b*ents+e]) != 0 {
					t.Fatalf("trial %d (g = %d, w = %d): row %d entry %d = %v, want %v", trial, g, w, b, e, got, want[b*ents+e])
				}
			}
			// The words between rows are not touched.
			for q := b*stride + width; q < (b+1)*stride && q < len(dst); q++ {
				if dst[q] != pad[q] {
					t.Fatalf("trial %d: word %d outside the rows changed", trial, q)
				}
			}
		}
	}
}
