package exact

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

func randBig(rng *rand.Rand, maxBits int) *big.Int {
	b := rng.IntN(maxBits + 1)
	z := new(big.Int)
	for i := 0; i < b; i += 32 {
		z.Lsh(z, 32)
		z.Or(z, big.NewInt(int64(rng.Uint32())))
	}
	if z.BitLen() > b {
		z.Rsh(z, uint(z.BitLen()-b))
	}
	if rng.IntN(2) == 0 {
		z.Neg(z)
	}
	return z
}

func TestWordsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 5000; trial++ {
		x := randBig(rng, 300)
		w := make([]uint64, WordsFor(x.BitLen()+1))
		if !SetWords(w, x) {
			t.Fatalf("%v does not fit in %d words", x, len(w))
		}
		if got := WordsInt(new(big.Int), w); got.Cmp(x) != 0 {
			t.Fatalf("round trip %v → %v", x, got)
		}
		if WordsSign(w) != x.Sign() || WordsIsZero(w) != (x.Sign() == 0) {
			t.Fatalf("sign of %v", x)
		}
		if x.BitLen() >= 64 && SetWords(make([]uint64, 1), x) {
			t.Fatalf("%v fits in one word", x)
		}
	}
	w := make([]uint64, 2)
	SetWordsInt64(w, -5)
	if WordsInt(new(big.Int), w).Int64() != -5 {
		t.Fatalf("SetWordsInt64")
	}
}

func TestWordsArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 3000; trial++ {
		ww := 1 + rng.IntN(6)
		wa, wb := 1+rng.IntN(4), 1+rng.IntN(4)
		n := 1 + rng.IntN(5)
		want := new(big.Int)
		a, b := make([]uint64, n*wa), make([]uint64, n*wb)
		for c := 0; c < n; c++ {
			x, y := randBig(rng, 64*wa-1), randBig(rng, 64*wb-1)
			SetWords(a[c*wa:(c+1)*wa], x)
			SetWords(b[c*wb:(c+1)*wb], y)
			want.Add(want, new(big.Int).Mul(x, y))
		}
		acc := make([]uint64, wa+wb+1)
		DotWords(acc, a, wa, b, wb)
		if got := WordsInt(new(big.Int), acc); got.Cmp(want) != 0 {
			t.Fatalf("trial %d: dot %v, want %v", trial, got, want)
		}
		// Row additions and subtractions at width ww.
		cols := 1 + rng.IntN(4)
		dst, src := make([]uint64, cols*ww), make([]uint64, cols*ww)
		wd, ws := make([]*big.Int, cols), make([]*big.Int, cols)
		for c := 0; c < cols; c++ {
			wd[c], ws[c] = randBig(rng, 64*ww-3), randBig(rng, 64*ww-3)
			SetWords(dst[c*ww:(c+1)*ww], wd[c])
			SetWords(src[c*ww:(c+1)*ww], ws[c])
		}
		AddWords(dst, src, ww)
		for c := 0; c < cols; c++ {
			if got := WordsInt(new(big.Int), dst[c*ww:(c+1)*ww]); got.Cmp(new(big.Int).Add(wd[c], ws[c])) != 0 {
				t.Fatalf("add width %d", ww)
			}
		}
		SubWords(dst, src, ww)
		SubWords(dst, src, ww)
		for c := 0; c < cols; c++ {
			if got := WordsInt(new(big.Int), dst[c*ww:(c+1)*ww]); got.Cmp(new(big.Int).Sub(wd[c], ws[c])) != 0 {
				t.Fatalf("sub width %d", ww)
			}
		}
		ScaleWords(dst[:ww], src[:ww], -3)
		if got := WordsInt(new(big.Int), dst[:ww]); got.Cmp(new(big.Int).Mul(ws[0], big.NewInt(-3))) != 0 {
			t.Fatalf("scale")
		}
	}
}

func TestMaskedRowSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 300; trial++ {
		w := 1 + rng.IntN(5)
		rows, cols := 1+rng.IntN(8), 1+rng.IntN(4)
		m := NewIntMat(rows, cols, w)
		vals := make([][]*big.Int, rows)
		sel := make([]int8, rows)
		want := make([]int8, rows)
		for i := range vals {
			vals[i] = make([]*big.Int, cols)
			for c := range vals[i] {
				vals[i][c] = randBig(rng, 64*w-8)
				m.Set(i, c, vals[i][c])
			}
			sel[i] = int8(rng.IntN(3) - 1)
			want[i] = int8(rng.IntN(3) - 1)
		}
		// SumRowsWhere.
		dst := make([]uint64, cols*w)
		SumRowsWhere(dst, m, sel, 1)
		for c := 0; c < cols; c++ {
			exp := new(big.Int)
			for i := range vals {
				if sel[i] == 1 {
					exp.Add(exp, vals[i][c])
				}
			}
			if got := WordsInt(new(big.Int), dst[c*w:(c+1)*w]); got.Cmp(exp) != 0 {
				t.Fatalf("SumRowsWhere width %d: %v, want %v", w, got, exp)
			}
		}
		// AddRowWhere.
		src := make([]uint64, cols*w)
		sv := make([]*big.Int, cols)
		for c := range sv {
			sv[c] = randBig(rng, 64*w-8)
			SetWords(src[c*w:(c+1)*w], sv[c])
		}
		AddRowWhere(m, src, sel, want)
		for i := range vals {
			for c := range vals[i] {
				exp := new(big.Int).Set(vals[i][c])
				if sel[i] == want[i] {
					exp.Add(exp, sv[c])
				}
				if got := m.Get(i, c, new(big.Int)); got.Cmp(exp) != 0 {
					t.Fatalf("AddRowWhere width %d", w)
				}
			}
		}
	}
}

// TestMulAddWords compares MulAddWords (both its narrow path, one factor of
// at most two words, and the general one) with big.Int arithmetic modulo
// 2^(64·len(dst)), on random signed factors and the extremes of each width
// (0, ±1, −2^(64w−1), 2^(64w−1) − 1), into a dst that already holds a value.
func TestMulAddWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	extreme := func(w int) *big.Int {
		top := new(big.Int).Lsh(big.NewInt(1), uint(64*w-1))
		switch rng.IntN(5) {
		case 0:
			return new(big.Int)
		case 1:
			return big.NewInt(int64(1 - 2*rng.IntN(2)))
		case 2:
			return top.Neg(top)
		case 3:
			return top.Sub(top, big.NewInt(1))
		}
		return randBig(rng, 64*w-1)
	}
	for trial := 0; trial < 20000; trial++ {
		wa, wb := 1+rng.IntN(8), 1+rng.IntN(3)
		wd := wa + wb + rng.IntN(3) - 1
		x, y, z := extreme(wa), extreme(wb), randBig(rng, 64*wd-1)
		a, b, dst := make([]uint64, wa), make([]uint64, wb), make([]uint64, wd)
		setTwos(a, x) // SetWords refuses −2^(64w−1); the words hold it
		setTwos(b, y)
		SetWords(dst, z)
		mod := new(big.Int).Lsh(big.NewInt(1), uint(64*wd))
		want := new(big.Int).Mul(x, y)
		want.Add(want, z).Mod(want, mod)
		if trial%2 == 0 {
			MulAddWords(dst, a, b)
		} else {
			MulAddWords(dst, b, a)
		}
		got := WordsInt(new(big.Int), dst)
		if got.Mod(got, mod).Cmp(want) != 0 {
			t.Fatalf("trial %d: %v + %v·%v (%d words) = %v, want %v", trial, z, x, y, wd, got, want)
		}
	}
}

// setTwos stores x (−2^(64·len(w)−1) ≤ x < 2^(64·len(w)−1)) in w in two's
// complement.
func setTwos(w []uint64, x *big.Int) {
	m := new(big.Int).Lsh(big.NewInt(1), uint(64*len(w)))
	u := new(big.Int).Mod(x, m)
	clear(w)
	for i, b := range u.Bits() {
		w[i] = uint64(b)
	}
}

// TestRshWords checks the arithmetic shift against big.Int.Rsh (which
// rounds toward −∞ like it), for shifts within and across words, beyond
// the width, and of both signs.
func TestRshWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 5000; trial++ {
		x := randBig(rng, 300)
		w := make([]uint64, WordsFor(x.BitLen()+1)+rng.IntN(2))
		SetWords(w, x)
		s := uint(rng.IntN(64 * (len(w) + 1)))
		RshWords(w, s)
		want := new(big.Int).Rsh(x, s)
		if got := WordsInt(new(big.Int), w); got.Cmp(want) != 0 {
			t.Fatalf("%v >> %d = %v, want %v", x, s, got, want)
		}
	}
}

// TestSetShiftedWords checks ±mag·2^s against big.Int.
func TestSetShiftedWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 5000; trial++ {
		x := randBig(rng, 200)
		s := uint(rng.IntN(200))
		want := new(big.Int).Lsh(x, s)
		w := make([]uint64, WordsFor(want.BitLen()+1)+rng.IntN(2))
		SetShiftedWords(w, new(big.Int).Abs(x).Bits(), s, x.Sign() < 0)
		if got := WordsInt(new(big.Int), w); got.Cmp(want) != 0 {
			t.Fatalf("%v << %d = %v, want %v", x, s, got, want)
		}
	}
}

// TestWordsIntReuse: WordsInt into one big.Int over and over (its words
// reused when wide enough) gives each value, and never changes an integer
// set before from the same z (Set copies) or a word slice it read.
func TestWordsIntReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var z big.Int
	var prev []*big.Int
	var prevWords [][]uint64
	for trial := 0; trial < 2000; trial++ {
		x := randBig(rng, 300)
		w := make([]uint64, WordsFor(x.BitLen()+1)+rng.IntN(3)) // sign-extended further at random
		if !SetWords(w, x) {
			t.Fatalf("%v does not fit in %d words", x, len(w))
		}
		saved := append([]uint64(nil), w...)
		if got := WordsInt(&z, w); got != &z || z.Cmp(x) != 0 {
			t.Fatalf("trial %d: WordsInt = %v, want %v", trial, &z, x)
		}
		for i := range w {
			if w[i] != saved[i] {
				t.Fatalf("trial %d: WordsInt changed its input", trial)
			}
		}
		prev = append(prev, new(big.Int).Set(&z))
		prevWords = append(prevWords, saved)
	}
	for i, p := range prev {
		if want := WordsInt(new(big.Int), prevWords[i]); p.Cmp(want) != 0 {
			t.Fatalf("value %d changed to %v, want %v", i, p, want)
		}
	}
}
