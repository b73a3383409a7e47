package recheck

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/relucert/relucert/exact"
	nt "github.com/relucert/relucert/network/networktest"
)

// TestSignBitsets checks the sign pass against the signs of the big.Rat
// inner products w_j·x_i (nt.FloatPoint: zero neurons, zero inputs, inputs
// on a neuron's hyperplane, and entries of 1e±30–40 that the float filter
// passes to the integers), the boundaries and |N_j| against their
// definitions, and the bytes neuronBytes and sampleBytes read from the
// bitsets, bit by bit, for every chunk width g ≤ 8 and blocks that start
// inside a word, at a word and at 1024.
func TestSignBitsets(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, sz := range []struct{ n, d, m int }{{1, 1, 1}, {70, 3, 9}, {1100, 4, 13}, {300, 2, 70}} {
		p := nt.FloatPoint(rng, sz.n, sz.d, sz.m, 1)
		// Samples on neurons' hyperplanes: x_i ⊥ w_j for a few pairs.
		for i := 0; i < sz.n && sz.d >= 2; i += 7 {
			w := p.Neurons[rng.IntN(sz.m)].W
			x := exact.NewVec(sz.d)
			x[0].Set(w[1])
			x[1].Neg(w[0])
			p.X.SetRow(i, x)
		}
		rc, err := newRechecker(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, m := sz.n, sz.m
		sign := make([][]int8, m)
		for j, nr := range p.Neurons {
			sign[j] = make([]int8, n)
			var bnd []int
			negs := 0
			for i := range n {
				s := nr.W.Dot(p.X.Row(i)).Sign()
				sign[j][i] = int8(s)
				if got := rc.signAt(j, i); got != int8(s) {
					t.Fatalf("%v: sign of w_%d·x_%d is %d, exact %d", sz, j, i, got, s)
				}
				if s < 0 {
					negs++
				}
				if s == 0 && !p.X.Row(i).IsZero() {
					bnd = append(bnd, i)
				}
			}
			if !slices.Equal(rc.bnd[j], bnd) || rc.nNeg[j] != negs {
				t.Fatalf("%v: neuron %d: boundary %v and |N| %d, definition %v and %d", sz, j, rc.bnd[j], rc.nNeg[j], bnd, negs)
			}
		}
		for _, blk := range [][2]int{{0, n}, {0, min(n, 1024)}, {min(n, 64), n}, {min(n, 5), min(n, 70)}, {min(n, 1024), n}} {
			i0, i1 := blk[0], blk[1]
			for g := 1; g <= 8; g++ {
				nc := (m + g - 1) / g
				for _, want := range []int8{1, -1} {
					set := rc.pos
					if want < 0 {
						set = rc.neg
					}
					dst := make([]uint8, (i1-i0)*nc)
					rc.neuronBytes(dst, set, i0, i1, g, nc)
					for i := i0; i < i1; i++ {
						for c := range nc {
							var b uint8
							for s := 0; s < g && c*g+s < m; s++ {
								if sign[c*g+s][i] == want {
									b |= 1 << s
								}
							}
							if got := dst[(i-i0)*nc+c]; got != b {
								t.Fatalf("%v: neuronBytes(%d, %d, g = %d, sign %d): sample %d chunk %d is %08b, want %08b", sz, i0, i1, g, want, i, c, got, b)
							}
						}
					}
				}
				for j := range m {
					T := (i1 - i0 + g - 1) / g
					dst := make([]uint8, T+1)
					dst[T] = 0xA5 // not written
					rc.sampleBytes(dst, j, i0, i1, g)
					for c := range T {
						var b uint8
						for s := 0; s < g && i0+c*g+s < i1; s++ {
							if sign[j][i0+c*g+s] > 0 {
								b |= 1 << s
							}
						}
						if dst[c] != b {
							t.Fatalf("%v: sampleBytes(neuron %d, %d, %d, g = %d) chunk %d is %08b, want %08b", sz, j, i0, i1, g, c, dst[c], b)
						}
					}
					if dst[T] != 0xA5 {
						t.Fatalf("%v: sampleBytes wrote past its chunks", sz)
					}
				}
			}
		}
	}
}

// TestTranspose8 checks transpose8 bit by bit on random words: bit 8r + c
// of the result is bit 8c + r of the argument.
func TestTranspose8(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	for trial := 0; trial < 1000; trial++ {
		x := rng.Uint64()
		y := transpose8(x)
		for r := range 8 {
			for c := range 8 {
				if y>>(8*r+c)&1 != x>>(8*c+r)&1 {
					t.Fatalf("transpose8(%#x) = %#x: bit (%d, %d) wrong", x, y, r, c)
				}
			}
		}
	}
}
