package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// randomRats draws rationals of every shape Row and DenominatorBits
// distinguish: 0, integers, float64 values (power-of-two denominators),
// numerators of several words, odd denominators.
func randomRats(rng *rand.Rand, n int) Vec {
	v := make(Vec, n)
	for i := range v {
		x := new(big.Rat)
		switch rng.IntN(6) {
		case 0:
		case 1:
			x.SetInt64(rng.Int64N(1<<40) - 1<<39)
		case 2:
			x.SetFloat64(rng.NormFloat64() * math.Ldexp(1, rng.IntN(40)-20))
		case 3:
			num := new(big.Int).Lsh(big.NewInt(rng.Int64N(1<<50)+1), uint(rng.IntN(100)))
			x.SetFrac(num, new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(100))))
		case 4:
			x.SetFrac64(rng.Int64N(1<<40)-1<<39, 3*rng.Int64N(1000)+1)
		default:
			x.SetFrac(big.NewInt(rng.Int64N(7)-3), new(big.Int).Lsh(big.NewInt(1), 70))
		}
		v[i] = x
	}
	return v
}

// TestRowResidues compares Row with Rat (a rational reduced entry by entry)
// and DenominatorBits with CommonDenominator and MagnitudeBits.
func TestRowResidues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ps := Primes31(7)
	r := NewRowResidues(ps)
	want := make([]uint64, len(ps))
	bad := make([]bool, len(ps))
	for trial := 0; trial < 200; trial++ {
		vs := make([]Vec, 1+rng.IntN(4))
		var all []*big.Rat
		for q := range vs {
			vs[q] = randomRats(rng, rng.IntN(12))
			all = append(all, vs[q]...)
		}
		for _, v := range vs {
			dst := make([][]uint64, len(ps))
			for t := range dst {
				dst[t] = make([]uint64, len(v)+3)
				dst[t][0] = 99 // overwritten only from off on
			}
			r.Row(v, dst, 2)
			for q := range ps {
				if dst[q][0] != 99 || dst[q][1] != 0 {
					t.Fatalf("Row wrote before its offset: %v", dst[q][:2])
				}
			}
			for c, x := range v {
				if !r.Rat(x, want, bad) {
					continue // a prime divides the denominator: outside Row's contract
				}
				for q := range ps {
					if dst[q][2+c] != want[q] {
						t.Fatalf("Row: %s mod %d = %d, want %d", x.RatString(), ps[q], dst[q][2+c], want[q])
					}
				}
			}
		}
		D, e := DenominatorBits(vs)
		if wantD := CommonDenominator(all); D.Cmp(wantD) != 0 {
			t.Fatalf("DenominatorBits: D = %v, want %v", D, wantD)
		}
		wantE := -1 << 30
		for _, x := range all {
			wantE = max(wantE, MagnitudeBits(x))
		}
		if e != wantE {
			t.Fatalf("DenominatorBits: e = %d, want %d", e, wantE)
		}
	}
}
