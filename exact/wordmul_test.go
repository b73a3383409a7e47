package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestMulAddWordSign checks dst ± a·b against big.Int arithmetic modulo
// 2^(64·len(dst)) (the kernel's contract; equal as integers whenever the
// result fits): a of 1 to 5 words (random, small of both signs, and the
// extremes −2^(64n−1) and 2^(64n−1) − 1), b random, small, 0 and 2^64 − 1,
// both signs, dst of n + 1 to n + 3 words (the specialised widths 1→3 and
// 2→4 and the general loop), its initial value random.
func TestMulAddWordSign(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 50000 {
		n := 1 + rng.IntN(5)
		a := randWords(rng, n)
		b := rng.Uint64()
		switch rng.IntN(5) {
		case 0:
			b = ^uint64(0)
		case 1:
			b = 0
		case 2:
			b = rng.Uint64N(100)
		}
		var neg uint64
		if rng.IntN(2) == 0 {
			neg = ^uint64(0)
		}
		L := n + 1 + rng.IntN(3)
		dst := make([]uint64, L)
		for i := range dst {
			dst[i] = rng.Uint64()
		}
		if rng.IntN(3) == 0 {
			clear(dst)
		}
		init := WordsInt(new(big.Int), dst)
		A := WordsInt(new(big.Int), a)
		prod := new(big.Int).Mul(A, new(big.Int).SetUint64(b))
		want := new(big.Int)
		if neg != 0 {
			want.Sub(init, prod)
		} else {
			want.Add(init, prod)
		}
		MulAddWordSign(dst, a, b, neg)
		got := WordsInt(new(big.Int), dst)
		mod := new(big.Int).Lsh(big.NewInt(1), uint(64*L))
		diff := new(big.Int).Sub(got, want)
		if diff.Mod(diff, mod).Sign() != 0 {
			t.Fatalf("trial %d: %v ± %v·%d (neg %x, %d words) = %v, want %v mod 2^%d", trial, init, A, b, neg, L, got, want, 64*L)
		}
	}
}

// TestMulAddWordSignBound checks the largest products exactly (not only
// modulo): from dst = 0, ±a·b for a = −2^(64n−1) and a = 2^(64n−1) − 1,
// b = 2^64 − 1, in n + 1 words — |a·b| < 2^(64n+63), the bound the kernel
// claims to fit — worked out by big.Int.
func TestMulAddWordSignBound(t *testing.T) {
	for n := 1; n <= 4; n++ {
		for _, lowest := range []bool{true, false} {
			a := make([]uint64, n)
			A := new(big.Int).Lsh(big.NewInt(1), uint(64*n-1))
			if lowest {
				a[n-1] = 1 << 63
				A.Neg(A)
			} else {
				for i := range a {
					a[i] = ^uint64(0)
				}
				a[n-1] = 1<<63 - 1
				A.Sub(A, big.NewInt(1))
			}
			B := new(big.Int).SetUint64(^uint64(0))
			for _, neg := range []uint64{0, ^uint64(0)} {
				dst := make([]uint64, n+1)
				MulAddWordSign(dst, a, ^uint64(0), neg)
				want := new(big.Int).Mul(A, B)
				if neg != 0 {
					want.Neg(want)
				}
				if got := WordsInt(new(big.Int), dst); got.Cmp(want) != 0 {
					t.Errorf("n=%d lowest=%v neg=%x: got %v, want %v", n, lowest, neg, got, want)
				}
			}
		}
	}
}

// TestFloatImageWord checks |x·2^E| and its sign against big.Float (exact
// for these values), and ok = false exactly when x·2^E is not an integer
// or |x·2^E| ≥ 2^64: x of every kind (normal, subnormal, few bits, both
// signs, zero), E around the least that makes x·2^E an integer and
// around the largest that keeps it below 2^64.
func TestFloatImageWord(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	for trial := range 20000 {
		x := randFloat(rng)
		mu, e0 := oddParts(x)
		var E int
		switch rng.IntN(3) {
		case 0:
			E = -e0 + rng.IntN(5) - 2 // around the least E
		case 1:
			E = 64 - bitsLen(mu) - e0 + rng.IntN(5) - 2 // around the largest
		default:
			E = rng.IntN(300) - 150
		}
		mag, neg, ok := FloatImageWord(x, E)
		X, acc := new(big.Float).SetMantExp(new(big.Float).SetFloat64(x), E).Int(nil)
		wantOK := acc == big.Exact && new(big.Int).Abs(X).Cmp(two64) < 0
		if ok != wantOK {
			t.Fatalf("trial %d: FloatImageWord(%g, %d) ok = %v, want %v", trial, x, E, ok, wantOK)
		}
		if !ok {
			continue
		}
		got := new(big.Int).SetUint64(mag)
		if neg == ^uint64(0) {
			got.Neg(got)
		} else if neg != 0 {
			t.Fatalf("trial %d: sign mask %x", trial, neg)
		}
		if got.Cmp(X) != 0 {
			t.Fatalf("trial %d: FloatImageWord(%g, %d) = %v, want %v", trial, x, E, got, X)
		}
	}
}

// bitsLen is the bit length of v.
func bitsLen(v uint64) int { return new(big.Int).SetUint64(v).BitLen() }

// randWords returns an integer of n words in two's complement: random, or
// small of either sign, or one of the extremes −2^(64n−1), 2^(64n−1) − 1.
func randWords(rng *rand.Rand, n int) []uint64 {
	a := make([]uint64, n)
	for i := range a {
		a[i] = rng.Uint64()
	}
	switch rng.IntN(6) {
	case 0: // −2^(64n−1)
		clear(a)
		a[n-1] = 1 << 63
	case 1: // 2^(64n−1) − 1
		for i := range a {
			a[i] = ^uint64(0)
		}
		a[n-1] = 1<<63 - 1
	case 2: // small, both signs
		v := rng.Int64N(201) - 100
		for i := range a {
			a[i] = uint64(v >> 63)
		}
		a[0] = uint64(v)
	}
	return a
}

// randFloat returns a float64 of any kind: zero, subnormal, of a few bits,
// or normal over a wide range of exponents, of either sign.
func randFloat(rng *rand.Rand) float64 {
	var x float64
	switch rng.IntN(5) {
	case 0:
		x = 0
	case 1:
		x = math.Float64frombits(1 + rng.Uint64N(1<<52-1)) // subnormal
	case 2:
		x = math.Ldexp(float64(rng.IntN(15)-7), rng.IntN(60)-30)
	default:
		x = rng.NormFloat64() * math.Ldexp(1, rng.IntN(200)-100)
	}
	if rng.IntN(2) == 0 {
		x = -x
	}
	return x
}

// TestAddWordsSign checks dst ± a against big.Int modulo 2^(64·len(dst))
// for a of 1 to 4 words (random, small, extremes) and dst of len(a) to
// len(a) + 2 words.
func TestAddWordsSign(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for trial := range 20000 {
		n := 1 + rng.IntN(4)
		a := randWords(rng, n)
		L := n + rng.IntN(3)
		dst := randWords(rng, L)
		var neg uint64
		if rng.IntN(2) == 0 {
			neg = ^uint64(0)
		}
		init, A := WordsInt(new(big.Int), dst), WordsInt(new(big.Int), a)
		want := new(big.Int).Add(init, A)
		if neg != 0 {
			want.Sub(init, A)
		}
		AddWordsSign(dst, a, neg)
		diff := new(big.Int).Sub(WordsInt(new(big.Int), dst), want)
		if diff.Mod(diff, new(big.Int).Lsh(big.NewInt(1), uint(64*L))).Sign() != 0 {
			t.Fatalf("trial %d: %v ± %v (neg %x, %d words) = %v, want %v", trial, init, A, neg, L, WordsInt(new(big.Int), dst), want)
		}
	}
}
