package verify

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestImagesMatch compares images (the one-pass path for float-derived
// data) with intImage and exact.ToFloatVec, entry by entry, on random
// matrices of floats of every magnitude (including subnormals and numbers
// beyond the filter's range), integers, zeros, and rationals that are not
// dyadic (which take the other path). Every third trial has only zeros,
// integers below 2⁴⁰ and floats in the filter's range, and must take
// floatImages.
func TestImagesMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := 0; trial < 300; trial++ {
		floats := trial%3 == 2
		n, c := 1+rng.IntN(8), 1+rng.IntN(5)
		rows := make([]exact.Vec, n)
		for i := range rows {
			rows[i] = exact.NewVec(c)
			for k := range rows[i] {
				x := rows[i][k]
				kind := rng.IntN(8)
				if floats && (kind == 2 || kind == 3 || kind == 4) {
					kind = 5
				}
				switch kind {
				case 0: // zero
				case 1:
					x.SetInt64(rng.Int64N(1<<40) - 1<<39)
				case 2:
					x.SetFloat64(math.Ldexp(rng.NormFloat64(), -1060+rng.IntN(20))) // subnormal range
				case 3:
					x.SetFloat64(math.Ldexp(rng.NormFloat64(), 480+rng.IntN(60)))
				case 4:
					if trial%5 == 0 {
						x.SetFrac64(rng.Int64N(100)+1, 3) // not dyadic
					}
				default:
					x.SetFloat64(math.Ldexp(rng.NormFloat64(), rng.IntN(80)-40))
				}
			}
		}
		fm, fD, fb, ffl, _, ok := floatImages(exact.RatMatOf(rows), false, nil)
		if floats && !ok {
			t.Fatalf("trial %d: floatImages refused floats in range", trial)
		}
		m, D, b, fl, zero := images(exact.RatMatOf(rows), nil)
		wm, wD, wb := intImage(rows, c)
		if ok {
			// Without the stored image: the engine's entries from the
			// floats (exact.FloatImageWords under D = 2^E) are D·x.
			if fm != nil || fD.Cmp(wD) != 0 || fb != wb {
				t.Fatalf("trial %d: floatImages without ints: m %v, D %v, b %d; want nil, %v, %d", trial, fm, fD, fb, wD, wb)
			}
			buf := make([]uint64, exact.WordsFor(fb+1))
			var z1, z2 big.Int
			for i := range rows {
				for k := 0; k < c; k++ {
					exact.FloatImageWords(buf, ffl[i].F[k], int(fD.TrailingZeroBits()))
					if exact.WordsInt(&z1, buf).Cmp(wm.Get(i, k, &z2)) != 0 {
						t.Fatalf("trial %d (%d,%d): image from the float %v, want %v", trial, i, k, &z1, &z2)
					}
				}
			}
		}
		if D.Cmp(wD) != 0 {
			t.Fatalf("trial %d: D = %v, want %v", trial, D, wD)
		}
		if b != wb {
			t.Fatalf("trial %d: bit bound %d, want %d", trial, b, wb)
		}
		var z1, z2 big.Int
		for i := range rows {
			want := exact.ToFloatVec(rows[i])
			if fl[i].OK != want.OK || fl[i].Norm != want.Norm || zero[i] != rows[i].IsZero() {
				t.Fatalf("trial %d row %d: %+v, want %+v (zero %v)", trial, i, fl[i], want, zero[i])
			}
			for k := 0; k < c; k++ {
				if fl[i].F[k] != want.F[k] && !(math.IsNaN(fl[i].F[k]) && math.IsNaN(want.F[k])) {
					t.Fatalf("trial %d (%d,%d): float %v, want %v", trial, i, k, fl[i].F[k], want.F[k])
				}
				if m.Get(i, k, &z1).Cmp(wm.Get(i, k, &z2)) != 0 {
					t.Fatalf("trial %d (%d,%d): %v, want %v", trial, i, k, &z1, &z2)
				}
			}
		}
	}
}
