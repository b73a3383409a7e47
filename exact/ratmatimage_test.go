package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestRatMatIntImage checks RatMat.IntImage against the definition: D the
// least common denominator of the entries (read with At), the image x·D
// of every entry and the bit length of the largest, on matrices of
// float64 entries (integers, fractions, subnormals, zeros) mixed with
// side-table entries (wide dyadic numerators, and on some trials
// non-dyadic denominators).
func TestRatMatIntImage(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for trial := 0; trial < 400; trial++ {
		r, c := 1+rng.IntN(6), 1+rng.IntN(4)
		m := NewRatMat(r, c)
		for i := range r {
			for j := range c {
				x := new(big.Rat)
				switch rng.IntN(7) {
				case 0: // zero
				case 1:
					x.SetInt64(rng.Int64N(1<<40) - 1<<39)
				case 2:
					x.SetFloat64(math.Ldexp(rng.NormFloat64(), -1060+rng.IntN(20)))
				case 3:
					// A wide dyadic number (not a float64).
					x.SetFrac(randBig(rng, 200), new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(150))))
				case 4:
					if trial%3 == 0 {
						x.SetFrac64(rng.Int64N(100)-50, 3+2*rng.Int64N(5))
						break
					}
					fallthrough
				default:
					x.SetFloat64(math.Ldexp(rng.NormFloat64(), rng.IntN(80)-40))
				}
				m.Set(i, j, x)
			}
		}
		img, D, b := m.IntImage()
		var all []*big.Rat
		for i := range r {
			for j := range c {
				all = append(all, m.At(i, j))
			}
		}
		wantD := CommonDenominator(all)
		if D.Cmp(wantD) != 0 {
			t.Fatalf("trial %d: D = %v, want %v", trial, D, wantD)
		}
		wantB := 0
		var z, got big.Int
		for q, x := range all {
			ScaleInt(&z, x, wantD)
			wantB = max(wantB, z.BitLen())
			if img.Get(q/c, q%c, &got).Cmp(&z) != 0 {
				t.Fatalf("trial %d entry %d: %v·D = %v, want %v", trial, q, x, &got, &z)
			}
		}
		if b != wantB {
			t.Fatalf("trial %d: b = %d, want %d", trial, b, wantB)
		}
	}
}
