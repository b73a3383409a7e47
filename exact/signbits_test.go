package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestSignBitsAgainstExact compares every bit SignBits sets with the sign
// of the exact big.Rat inner product, on rows and samples that include
// exactly orthogonal pairs (nearZeroPair), a zero row, a zero sample and
// vectors the filter does not accept (an entry 2^600), with 4k + 3 rows
// (the four-row kernel and the single rows) and a first sample index that
// is not a multiple of 64.
func TestSignBitsAgainstExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 600))
	for _, d := range []int{1, 3, 6, 17} {
		var w, x []Vec
		for j := 0; j < 8; j++ {
			w = append(w, randVec(rng, d, 3))
		}
		w = append(w, NewVec(d))
		for i := 0; i < 60; i++ {
			a, b := nearZeroPair(rng, d, 0)
			if i%4 == 0 {
				w = append(w, a)
			}
			x = append(x, b, randVec(rng, d, 2))
		}
		x = append(x, NewVec(d))
		bad := randVec(rng, d, 2)
		bad[0] = huge
		x = append(x, bad)
		w = append(w, bad)
		for len(w) < 40 || len(w)%4 != 3 {
			w = append(w, randVec(rng, d, 1))
		}
		wf, xf := make([]FloatVec, len(w)), make([]FloatVec, len(x))
		for j := range w {
			wf[j] = ToFloatVec(w[j])
		}
		for i := range x {
			xf[i] = ToFloatVec(x[i])
		}
		const i0 = 70 // bits 70 … 70 + len(x) − 1
		stride := (i0+len(x)+63)/64 + 1
		pos, neg := make([]uint64, len(w)*stride), make([]uint64, len(w)*stride)
		und := SignBits(NewFloatRows(wf, d), xf, i0, pos, neg, stride, nil)
		isUnd := map[[2]int]int{}
		for _, u := range und {
			isUnd[u]++
		}
		decided := 0
		for j := range w {
			for i := range x {
				b := i0 + i
				p := pos[j*stride+b/64] >> (b % 64) & 1
				n := neg[j*stride+b/64] >> (b % 64) & 1
				exactSign := w[j].Dot(x[i]).Sign()
				zeroSide := w[j].IsZero() || x[i].IsZero()
				switch u := isUnd[[2]int{j, b}]; {
				case u > 1:
					t.Fatalf("d = %d: (%d, %d) undecided %d times", d, j, i, u)
				case u == 1:
					if p|n != 0 {
						t.Fatalf("d = %d: undecided (%d, %d) has bits %d %d", d, j, i, p, n)
					}
					if zeroSide && wf[j].OK && xf[i].OK {
						t.Fatalf("d = %d: (%d, %d) with a zero vector undecided", d, j, i)
					}
				default:
					if int(p)-int(n) != exactSign || p&n != 0 {
						t.Fatalf("d = %d: (%d, %d): bits %d %d, exact sign %d", d, j, i, p, n, exactSign)
					}
					if exactSign == 0 && !zeroSide {
						t.Fatalf("d = %d: (%d, %d): an exactly zero product of nonzero vectors decided", d, j, i)
					}
					if !wf[j].OK || !xf[i].OK {
						t.Fatalf("d = %d: (%d, %d) decided from an image the filter does not accept", d, j, i)
					}
					decided++
				}
			}
		}
		// Nothing outside the samples' bits is touched.
		for j := range w {
			for q := 0; q < stride; q++ {
				mask := ^uint64(0)
				for b := q * 64; b < (q+1)*64; b++ {
					if b >= i0 && b < i0+len(x) {
						mask &^= 1 << (b % 64)
					}
				}
				if (pos[j*stride+q]|neg[j*stride+q])&mask != 0 {
					t.Fatalf("d = %d: row %d word %d: bits outside the samples", d, j, q)
				}
			}
		}
		if total := len(w) * len(x); decided < total/2 {
			t.Errorf("d = %d: decided only %d of %d", d, decided, total)
		}
	}
}

// TestDots16 compares dots16 (SSE2 on amd64) with dots16Go bit for bit,
// and dots16Go with the recursive sums of rounded products written out,
// on lengths 0 … 40 and entries of magnitudes 2^±300, signs mixed.
func TestDots16(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	f := func() float64 {
		if rng.IntN(8) == 0 {
			return 0
		}
		return math.Ldexp(rng.NormFloat64(), rng.IntN(600)-300)
	}
	for trial := 0; trial < 2000; trial++ {
		d := trial % 41
		wt, x := make([]float64, 16*d+rng.IntN(3)), make([]float64, d)
		for i := range wt {
			wt[i] = f()
		}
		for i := range x {
			x[i] = f()
		}
		var a, b [16]float64
		dots16(wt, x, &a)
		dots16Go(wt, x, &b)
		for q := range 16 {
			var s float64
			for c := range d {
				s += float64(wt[16*c+q] * x[c]) // rounded before the add: no fused multiply-add

			}
			if math.Float64bits(a[q]) != math.Float64bits(b[q]) || math.Float64bits(b[q]) != math.Float64bits(s) {
				t.Fatalf("d = %d, lane %d: dots16 %v, dots16Go %v, written out %v", d, q, a[q], b[q], s)
			}
		}
	}
}
