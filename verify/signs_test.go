package verify

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestSignSet checks the compact pattern of the engine against the signs
// of w_j·x_i computed from the definition, on points of several bitset
// words cut into several blocks of the sign pass, with a neuron whose
// boundary is long enough to be held as a bitset, a zero-input neuron
// (every nonzero sample on its boundary) and zero samples.
func TestSignSet(t *testing.T) {
	old := signBlock
	defer func() { signBlock = old }()
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 12; trial++ {
		signBlock = 64 * (1 + trial%3)
		n := 1 + rng.IntN(400)
		d := 2 + rng.IntN(3)
		p := floatPoint(rng, n, d, 4, 1)
		// Neuron 0 gets many boundary samples (every third sample is put on
		// its hyperplane), neuron 1 is zero-input, a few samples are zero.
		w := p.Neurons[0].W
		for w[0].Sign() == 0 || w[1].Sign() == 0 {
			w[0].SetInt64(int64(1 + rng.IntN(5)))
			w[1].SetInt64(int64(-1 - rng.IntN(5)))
		}
		for i := 0; i < n; i += 3 {
			x := exact.NewVec(d)
			s := big.NewRat(int64(1+rng.IntN(7)), 4)
			x[0].Mul(s, w[1])
			x[1].Mul(s, w[0])
			x[1].Neg(x[1])
			p.X.SetRow(i, x)
		}
		for i := 1; i < n; i += 50 {
			p.X.SetRow(i, exact.NewVec(d))
		}
		p.Neurons[1].W = exact.NewVec(d)
		e := newSignEngine(p)
		pt := e.pattern(false)
		for j, nr := range p.Neurons {
			var bnd []int
			row := pt.Signs(j)
			for i := range n {
				want := nr.W.Dot(p.X.Row(i)).Sign()
				if got := pt.Sign(j, i); got != want || int(row[i]) != want {
					t.Fatalf("trial %d (n = %d, block %d): sign(%d, %d) = %d, row %d, want %d", trial, n, signBlock, j, i, got, row[i], want)
				}
				if want == 0 && !p.X.IsZeroRow(i) {
					bnd = append(bnd, i)
				}
			}
			if got := pt.Boundary(j); !slices.Equal(got, bnd) && len(got)+len(bnd) > 0 {
				t.Fatalf("trial %d: boundary of %d = %v, want %v", trial, j, got, bnd)
			}
			if j == 1 && n > 64 && e.sg.bnd[1].bits == nil {
				t.Fatalf("trial %d: a zero-input neuron's boundary of %d samples is a list", trial, len(bnd))
			}
		}
	}
}

// TestBitsAt checks bitsAt and eachBit against a bit-by-bit reading.
func TestBitsAt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	b := []uint64{rng.Uint64(), rng.Uint64(), rng.Uint64()}
	bit := func(i int) uint64 { return b[i>>6] >> (i & 63) & 1 }
	for i := 0; i < 192; i++ {
		for g := 1; g <= 8; g++ {
			for _, hi := range []int{192, i + g/2, i + 1} {
				var want uint64
				for q := 0; q < g && i+q < hi && i+q < 192; q++ {
					want |= bit(i+q) << q
				}
				if got := bitsAt(b, i, g, min(hi, 192)); got != want {
					t.Fatalf("bitsAt(%d, %d, %d) = %b, want %b", i, g, hi, got, want)
				}
			}
		}
	}
	for lo := 0; lo < 192; lo += 7 {
		for hi := lo; hi <= 192; hi += 13 {
			var got, want []int
			eachBit(b, lo, hi, func(i int) { got = append(got, i) })
			for i := lo; i < hi; i++ {
				if bit(i) == 1 {
					want = append(want, i)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("eachBit(%d, %d) = %v, want %v", lo, hi, got, want)
			}
		}
	}
}
