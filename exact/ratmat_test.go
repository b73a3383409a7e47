package exact

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestRatMatEntries: every kind of entry reads back as the rational it was
// set to, is stored as a float64 exactly when it is one, and reading never
// gives access to the storage.
func TestRatMatEntries(t *testing.T) {
	third := big.NewRat(1, 3)
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 1100))                                                // beyond float64
	tiny := new(big.Rat).SetFrac(big.NewInt(3), new(big.Int).Lsh(big.NewInt(1), 1074))                                // 3·2^−1074, subnormal
	wide := new(big.Rat).SetFrac(new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 60), big.NewInt(1)), big.NewInt(8)) // 61-bit numerator
	for _, tc := range []struct {
		x     *big.Rat
		float bool
		dy    bool // stored as a dyadic side-table entry
	}{
		{big.NewRat(0, 1), true, false},
		{big.NewRat(-5, 4), true, false},
		{big.NewRat(1, 1<<40), true, false},
		{tiny, true, false},
		{third, false, false},
		{big.NewRat(-123, 1000), false, false},
		{new(big.Rat).SetFrac(big.NewInt(7), new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil)), false, false},
		{huge, false, true},
		{wide, false, true},
		{new(big.Rat).Neg(wide), false, true},
		{new(big.Rat).SetFrac(big.NewInt(3), new(big.Int).Lsh(big.NewInt(1), 1500)), false, true},
	} {
		m := NewRatMat(2, 3)
		m.Set(1, 2, tc.x)
		if wantDy := map[bool]int{false: 0, true: 1}[tc.dy]; len(m.dy) != wantDy || len(m.fr)+len(m.ext) != map[bool]int{false: 1, true: 0}[tc.float || tc.dy] {
			t.Errorf("%s: %d dyadic and %d other side-table entries, want dyadic = %v", tc.x.RatString(), len(m.dy), len(m.fr)+len(m.ext), tc.dy)
		}
		if small := tc.x.Num().IsInt64() && tc.x.Denom().IsUint64(); !tc.float && !tc.dy && (len(m.fr) == 1) != small {
			t.Errorf("%s: %d word-sized fractions, want %v", tc.x.RatString(), len(m.fr), small)
		}
		if got := m.At(1, 2); got.Cmp(tc.x) != 0 {
			t.Errorf("%s: At = %s", tc.x.RatString(), got.RatString())
		}
		if _, ok := m.Float(1, 2); ok != tc.float {
			t.Errorf("%s: Float ok = %v, want %v", tc.x.RatString(), ok, tc.float)
		}
		if m.AllFloat() != tc.float {
			t.Errorf("%s: AllFloat = %v, want %v", tc.x.RatString(), m.AllFloat(), tc.float)
		}
		if _, ok := m.Floats(1); ok != tc.float {
			t.Errorf("%s: Floats(1) ok = %v, want %v", tc.x.RatString(), ok, tc.float)
		}
		if _, ok := m.Floats(0); !ok {
			t.Errorf("%s: Floats(0) of a zero row refused", tc.x.RatString())
		}
		if m.IsZeroAt(1, 2) != (tc.x.Sign() == 0) {
			t.Errorf("%s: IsZeroAt wrong", tc.x.RatString())
		}
		// The copies are copies.
		m.At(1, 2).SetInt64(7)
		m.Row(1)[2].SetInt64(7)
		if m.At(1, 2).Cmp(tc.x) != 0 {
			t.Errorf("%s: writing into a read entry changed the matrix", tc.x.RatString())
		}
		// Overwriting a side-table entry by a float releases it.
		m.SetFloat(1, 2, 0.5)
		if !m.AllFloat() || m.At(1, 2).Cmp(big.NewRat(1, 2)) != 0 {
			t.Errorf("%s: SetFloat over it: AllFloat %v, At %s", tc.x.RatString(), m.AllFloat(), m.At(1, 2).RatString())
		}
	}
}

// randRatMat returns an r×c matrix of random entries of every kind, and
// its rows as vectors.
func randRatMat(rng *rand.Rand, r, c int) (*RatMat, []Vec) {
	rows := make([]Vec, r)
	for i := range rows {
		rows[i] = NewVec(c)
		for j := range rows[i] {
			switch rng.IntN(4) {
			case 0:
			case 1:
				rows[i][j].SetFloat64(math.Ldexp(rng.NormFloat64(), rng.IntN(200)-100))
			case 2:
				rows[i][j].SetFrac64(rng.Int64N(1000)-500, rng.Int64N(20)+1)
			default:
				rows[i][j].SetFrac(new(big.Int).Lsh(big.NewInt(rng.Int64N(1<<40)+1), 30), new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(2000))))
			}
		}
	}
	return RatMatOf(rows), rows
}

// TestRatMatAgainstRows: the matrix operations agree with the same
// operations on the rows as vectors.
func TestRatMatAgainstRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		r, c := rng.IntN(6), rng.IntN(5)
		m, rows := randRatMat(rng, r, c)
		if m.Rows() != r || (r > 0 && m.Cols() != c) {
			t.Fatalf("trial %d: %d×%d, want %d×%d", trial, m.Rows(), m.Cols(), r, c)
		}
		for i, v := range rows {
			if !m.Row(i).Equal(v) {
				t.Fatalf("trial %d: row %d = %v, want %v", trial, i, m.Row(i), v)
			}
		}
		if r == 0 {
			continue
		}
		D, e := m.DenominatorBits()
		wD, we := DenominatorBits(rows)
		if D.Cmp(wD) != 0 || e != we {
			t.Fatalf("trial %d: DenominatorBits = %v, %d; on the rows %v, %d", trial, D, e, wD, we)
		}
		q := m.Clone()
		if !q.Equal(m) || !m.Equal(q) {
			t.Fatalf("trial %d: clone differs", trial)
		}
		if c > 0 {
			q.Set(0, 0, new(big.Rat).Add(q.At(0, 0), big.NewRat(1, 3)))
			if q.Equal(m) || !m.Row(0).Equal(rows[0]) {
				t.Fatalf("trial %d: the clone shares storage or Equal misses a change", trial)
			}
		}
		lo := rng.IntN(r + 1)
		hi := lo + rng.IntN(r-lo+1)
		s := m.Slice(lo, hi)
		for i := lo; i < hi; i++ {
			if !s.Row(i - lo).Equal(rows[i]) {
				t.Fatalf("trial %d: Slice(%d, %d) row %d differs", trial, lo, hi, i-lo)
			}
		}
		idx := []int{rng.IntN(r), rng.IntN(r)}
		for k, row := range m.Select(idx) {
			if !row.Equal(rows[idx[k]]) {
				t.Fatalf("trial %d: Select differs", trial)
			}
		}
		var a *RatMat
		for _, v := range rows {
			a = a.AppendRow(v)
		}
		if !a.Equal(m) {
			t.Fatalf("trial %d: AppendRow differs", trial)
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(m); err != nil {
			t.Fatal(err)
		}
		g := new(RatMat)
		if err := gob.NewDecoder(&buf).Decode(g); err != nil {
			t.Fatal(err)
		}
		if !g.Equal(m) {
			t.Fatalf("trial %d: gob round trip differs", trial)
		}
	}
}

// ExampleRatMat: data from a float64 file cost 8 bytes per number; a
// rational that is not a float64 is kept exactly beside them.
func ExampleRatMat() {
	m := RatMatOf([]Vec{{big.NewRat(1, 2), big.NewRat(-2, 1)}, {big.NewRat(1, 3), big.NewRat(3, 1)}})
	_, all0 := m.Floats(0)
	_, all1 := m.Floats(1)
	fmt.Println(all0, all1, m.AllFloat())
	fmt.Println(m.At(1, 0), m.Row(0))
	x, ok := m.Float(1, 0)
	fmt.Println(x, ok)
	// Output:
	// true false false
	// 1/3 [1/2, -2]
	// 0 false
}

// TestExactFloat: which rationals are exactly a float64, on both sides of
// the fast path's bounds (numerator of 53 bits, denominator 2^1022); the
// expected values are worked out by hand.
func TestExactFloat(t *testing.T) {
	pow2 := func(e uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), e) }
	frac := func(num, den *big.Int) *big.Rat { return new(big.Rat).SetFrac(num, den) }
	max53 := new(big.Int).Sub(pow2(53), big.NewInt(1)) // 2^53 − 1
	for _, c := range []struct {
		x    *big.Rat
		want float64
		ok   bool
	}{
		{big.NewRat(0, 1), 0, true},
		{big.NewRat(-5, 8), -0.625, true},
		{big.NewRat(7, 1), 7, true},
		{big.NewRat(1, 3), 0, false},
		{frac(max53, pow2(60)), 0x1.fffffffffffffp-8, true},
		{frac(new(big.Int).Add(pow2(53), big.NewInt(1)), big.NewInt(2)), 0, false}, // (2^53+1)/2: 54 bits
		{frac(big.NewInt(1), pow2(1022)), 0x1p-1022, true},
		{frac(big.NewInt(1), pow2(1023)), 0x1p-1023, true},                           // subnormal, exact
		{frac(big.NewInt(3), pow2(1074)), 0x3p-1074, true},                           // subnormal with two bits
		{frac(big.NewInt(1), new(big.Int).Mul(pow2(1074), big.NewInt(3))), 0, false}, // 2^-1074/3
		{frac(big.NewInt(1), pow2(1075)), 0, false},                                  // below the least subnormal
		{frac(pow2(60), big.NewInt(1)), 0x1p60, true},                                // an integer of 61 bits
		{frac(new(big.Int).Neg(max53), pow2(1022)), -0x1.fffffffffffffp-970, true},
	} {
		v, ok := exactFloat(c.x)
		if ok != c.ok || ok && v != c.want {
			t.Errorf("exactFloat(%v) = %v, %v; want %v, %v", c.x, v, ok, c.want, c.ok)
		}
	}
}
