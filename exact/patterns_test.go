package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestPatternProducts checks SubsetTables + PatternProducts against the
// sums formed one neuron at a time in big.Int: F_t[l] = Σ_c (Σ_{j
// selected for t} aw_j[l,c])·(±X_tc), for random rows (1 to 13 of them,
// entries of 1 to 3 words, both signs, up to 2^(64·vW − 8) so that every
// sum fits), chunks of 1 to 8, random selections (each sample a subset of
// every chunk's rows), magnitudes of X of any size including 0 and
// 2^64 − 1, and tables formed in a reused slice full of other words.
func TestPatternProducts(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	var tab []uint64
	for trial := range 400 {
		rows := 1 + rng.IntN(13)
		g := 1 + rng.IntN(min(8, rows))
		nc := (rows + g - 1) / g
		kg, d := 1+rng.IntN(3), 1+rng.IntN(6)
		vW := 1 + rng.IntN(3)
		fW := vW + 1 + rng.IntN(2)
		Lg := kg * d * vW
		L := Lg + vW*rng.IntN(3) // unused columns after the first Lg
		aw := make([]uint64, rows*L)
		vals := make([][]*big.Int, rows) // aw_j's entries (l·d + c)
		for j := range vals {
			vals[j] = make([]*big.Int, kg*d)
			for q := range vals[j] {
				v := randBelow(rng, 64*vW-8)
				if rng.IntN(2) == 0 {
					v.Neg(v)
				}
				if rng.IntN(5) == 0 {
					v.SetInt64(0)
				}
				vals[j][q] = v
				SetWords(aw[j*L+q*vW:j*L+(q+1)*vW], v)
			}
			for q := j*L + Lg; q < (j+1)*L; q++ {
				aw[q] = rng.Uint64() // never read
			}
		}
		T := 1 + rng.IntN(5)
		sel := make([]uint8, T*nc)
		xm, xn := make([]uint64, T*d), make([]uint64, T*d)
		for q := range xm {
			switch rng.IntN(4) {
			case 0:
				xm[q] = 0
			case 1:
				xm[q] = ^uint64(0)
			default:
				xm[q] = rng.Uint64() >> rng.IntN(64)
			}
			if rng.IntN(2) == 0 {
				xn[q] = ^uint64(0)
			}
		}
		for t := 0; t < T; t++ {
			for ch := 0; ch < nc; ch++ {
				sel[t*nc+ch] = uint8(rng.IntN(1 << min(g, rows-ch*g)))
			}
		}
		for q := range tab[:cap(tab)] {
			tab[:cap(tab)][q] = rng.Uint64()
		}
		tab = SubsetTables(tab, aw, rows, L, Lg, g, vW)
		fp := make([]uint64, T*kg*fW)
		init := make([]*big.Int, T*kg)
		for q := range init {
			init[q] = big.NewInt(rng.Int64N(1<<40) - 1<<39)
			SetWords(fp[q*fW:(q+1)*fW], init[q])
		}
		PatternProducts(fp, fW, tab, Lg, vW, g, nc, sel, T, kg, d, xm, xn, make([]uint64, Lg))
		for tt := 0; tt < T; tt++ {
			for l := 0; l < kg; l++ {
				want := new(big.Int).Set(init[tt*kg+l])
				for c := 0; c < d; c++ {
					v := new(big.Int)
					for j := 0; j < rows; j++ {
						if sel[tt*nc+j/g]>>(j%g)&1 == 1 {
							v.Add(v, vals[j][l*d+c])
						}
					}
					v.Mul(v, new(big.Int).SetUint64(xm[tt*d+c]))
					if xn[tt*d+c] != 0 {
						v.Neg(v)
					}
					want.Add(want, v)
				}
				got := WordsInt(new(big.Int), fp[(tt*kg+l)*fW:(tt*kg+l+1)*fW])
				if got.Cmp(want) != 0 {
					t.Fatalf("trial %d (rows %d, g %d, kg %d, d %d, vW %d, fW %d): F[%d][%d] = %v, want %v", trial, rows, g, kg, d, vW, fW, tt, l, got, want)
				}
			}
		}
	}
}

// randBelow returns a random integer in [0, 2^b) (b ≥ 1), from random
// words with the bits at b and above cleared.
func randBelow(rng *rand.Rand, b int) *big.Int {
	ws := make([]big.Word, (b+63)/64)
	for i := range ws {
		ws[i] = big.Word(rng.Uint64())
	}
	if r := b % 64; r != 0 {
		ws[len(ws)-1] &= 1<<r - 1
	}
	return new(big.Int).SetBits(ws)
}

// TestMulWordSignAddWide2 checks ±a·b in two words (MulWordSign) and its
// addition to wider entries (AddWide2) against big.Int: a of one word at
// random and at the extremes −2^63, 2^63 − 1, 0; b random, 0, 2^64 − 1;
// destinations of 2 to 5 words with random initial values within
// 2^(64w − 2) (2^62 for two words), so that every sum fits.
func TestMulWordSignAddWide2(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for trial := range 20000 {
		w := 2 + rng.IntN(4)
		n := 1 + rng.IntN(4)
		src := make([]uint64, 2*n)
		dst := make([]uint64, w*n)
		want := make([]*big.Int, n)
		for q := 0; q < n; q++ {
			a := rng.Uint64()
			switch rng.IntN(5) {
			case 0:
				a = 1 << 63
			case 1:
				a = 1<<63 - 1
			case 2:
				a = 0
			}
			b := rng.Uint64()
			switch rng.IntN(4) {
			case 0:
				b = ^uint64(0)
			case 1:
				b = 0
			}
			var neg uint64
			if rng.IntN(2) == 0 {
				neg = ^uint64(0)
			}
			src[2*q], src[2*q+1] = MulWordSign(a, b, neg)
			p := new(big.Int).Mul(big.NewInt(int64(a)), new(big.Int).SetUint64(b))
			if neg != 0 {
				p.Neg(p)
			}
			if got := WordsInt(new(big.Int), src[2*q:2*q+2]); got.Cmp(p) != 0 {
				t.Fatalf("trial %d: MulWordSign(%d, %d, %x) = %v, want %v", trial, int64(a), b, neg, got, p)
			}
			ib := 64*w - 2 // |init + p| < 2^(64w−2) + 2^127 − 2^63
			if w == 2 {
				ib = 62 // |init + p| < 2^62 + 2^127 − 2^63 < 2^127
			}
			init := randBelow(rng, ib)
			if rng.IntN(2) == 0 {
				init.Neg(init)
			}
			SetWords(dst[q*w:(q+1)*w], init)
			want[q] = init.Add(init, p)
		}
		AddWide2(dst, src, w)
		for q := 0; q < n; q++ {
			if got := WordsInt(new(big.Int), dst[q*w:(q+1)*w]); got.Cmp(want[q]) != 0 {
				t.Fatalf("trial %d: AddWide2 entry %d of %d words = %v, want %v", trial, q, w, got, want[q])
			}
		}
	}
}

// TestPatternBits checks the chunk width against tables counted by hand:
// 16 rows of 1024 words within 2^17 words take g = 5 (4·32·1024 = 2^17;
// g = 6 needs 3·64·1024 = 196608), g = 4 below that down to 2^16; 3 rows take g = 3 or nothing; 64 rows
// of 512 words take g = 4 (16·16·512 = 2^17).
func TestPatternBits(t *testing.T) {
	for _, c := range []struct{ rows, L, budget, want int }{
		{16, 1024, 1 << 17, 5},
		{16, 1024, 1<<17 - 1, 4},
		{16, 1024, 1<<16 - 1, 0},
		{3, 10, 80, 3},
		{3, 10, 79, 0},
		{64, 512, 1 << 17, 4},
		{64, 513, 1 << 17, 0},
		{16, 1, 1 << 17, 8},
	} {
		if got := PatternBits(c.rows, c.L, c.budget); got != c.want {
			t.Errorf("PatternBits(%d, %d, %d) = %d, want %d", c.rows, c.L, c.budget, got, c.want)
		}
	}
}

// TestFloatWordImages checks the row decoder against the integer image
// x·2^E formed in big.Rat (and so against FloatImageWord's contract): for
// floats of every kind (zero of both signs, subnormal, few bits, normal
// over a wide range) and exponents E from −40 to 1200, each entry must be
// |X| and the sign mask when X is an integer below 2^64, and the row must
// be refused exactly when some entry is not.
func TestFloatWordImages(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	limit := new(big.Int).Lsh(big.NewInt(1), 64)
	for trial := range 20000 {
		xs := make([]float64, 1+rng.IntN(4))
		for c := range xs {
			xs[c] = randFloat(rng)
			if rng.IntN(8) == 0 {
				xs[c] = math.Copysign(0, -1)
			}
		}
		E := rng.IntN(1241) - 40
		if rng.IntN(2) == 0 {
			// An exponent near the one that makes xs[0] an integer.
			_, e := math.Frexp(xs[0])
			E = 53 - e + rng.IntN(15) - 7
		}
		mag, neg := make([]uint64, len(xs)), make([]uint64, len(xs))
		got := FloatWordImages(mag, neg, xs, E)
		want := true
		for c, x := range xs {
			X := new(big.Rat).SetFloat64(x)
			X.Mul(X, new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(1), uint(max(E, 0))), new(big.Int).Lsh(big.NewInt(1), uint(max(-E, 0)))))
			if !X.IsInt() || new(big.Int).Abs(X.Num()).Cmp(limit) >= 0 {
				want = false
				continue
			}
			if !got {
				continue
			}
			m := new(big.Int).SetUint64(mag[c])
			if X.Sign() < 0 {
				m.Neg(m)
			}
			if m.Cmp(X.Num()) != 0 || (neg[c] != 0) != (X.Sign() < 0) || (neg[c] != 0 && neg[c] != ^uint64(0)) {
				t.Fatalf("trial %d: x = %g, E = %d: (%d, %x), want %v", trial, x, E, mag[c], neg[c], X.Num())
			}
		}
		if got != want {
			t.Fatalf("trial %d: %v, E = %d: ok = %v, want %v", trial, xs, E, got, want)
		}
	}
}
