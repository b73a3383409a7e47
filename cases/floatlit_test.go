package cases

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestDataLiterals: every literal of a data matrix is stored as its exact
// value, as a float64 exactly when the value is one. The expected values
// are written by hand (p/q in lowest terms, read by big.Rat.SetString, not
// by the case parser), and so is whether each is a float64.
func TestDataLiterals(t *testing.T) {
	two := func(k int) string { return pow2(k) }
	for _, tc := range []struct {
		lit   string // as written in the file (a JSON string or number)
		want  string // exact value, p/q
		float bool
	}{
		{`"0.5"`, "1/2", true},
		{`0.5`, "1/2", true},
		{`"-3.25e2"`, "-325", true},
		{`-3.25e2`, "-325", true},
		{`"0.1"`, "1/10", false},
		{`0.1`, "1/10", false},
		{`"0.375"`, "3/8", true},
		{`"0.5000"`, "1/2", true},
		{`".5"`, "1/2", true},
		{`"5."`, "5", true},
		{`"+5e-1"`, "1/2", true},
		{`"0.00048828125"`, "1/2048", true},
		{`"0.0005"`, "1/2000", false},
		{`"3/4"`, "3/4", true},
		{`"6/8"`, "3/4", true},
		{`"3/6"`, "1/2", true}, // q not a power of two: read exactly, still 1/2
		{`"1/3"`, "1/3", false},
		{`"-3847410565437367/4503599627370496"`, "-3847410565437367/4503599627370496", true},
		{`"-0"`, "0", true},
		{`"0/7"`, "0", true},
		{`"0.000e5"`, "0", true},
		{`"9007199254740992"`, "9007199254740992", true},   // 2^53
		{`"9007199254740993"`, "9007199254740993", false},  // 2^53 + 1
		{`"18014398509481984"`, "18014398509481984", true}, // 2^54
		{`"12345678901234567890"`, "12345678901234567890", false},
		{`"1e22"`, "10000000000000000000000", true}, // 2^22·5^22, 5^22 < 2^53
		{`"1e23"`, "100000000000000000000000", false},
		{`"1e-400"`, "1/1" + strings.Repeat("0", 400), false},
		{`"9007199254740991/9223372036854775808"`, "9007199254740991/9223372036854775808", true}, // (2^53−1)/2^63
		{`"1/` + two(1074) + `"`, "1/" + two(1074), true},                                        // the least subnormal
		{`"3/` + two(1074) + `"`, "3/" + two(1074), true},                                        // a subnormal
		{`"1/` + two(1075) + `"`, "1/" + two(1075), false},                                       // below it: big.Rat's Float64 says 0, exact
		{`"3/` + two(1075) + `"`, "3/" + two(1075), false},                                       // between subnormals
		{`"1/` + two(1022) + `"`, "1/" + two(1022), true},                                        // the least normal
		{`"` + two(1023) + `"`, two(1023), true},
		{`"` + two(1024) + `"`, two(1024), false}, // beyond the range
	} {
		file := `{"activation": "relu", "inputs": [[` + tc.lit + `, "1"]], "targets": [[` + tc.lit + `]]}`
		c, err := Parse("lit.json", []byte(file))
		if err != nil {
			t.Errorf("%s: %v", tc.lit, err)
			continue
		}
		want, ok := new(big.Rat).SetString(tc.want)
		if !ok {
			t.Fatalf("bad expectation %s", tc.want)
		}
		for name, mat := range map[string]interface {
			At(i, j int) *big.Rat
			Float(i, j int) (float64, bool)
		}{"inputs": c.Inputs, "targets": c.Targets} {
			if got := mat.At(0, 0); got.Cmp(want) != 0 {
				t.Errorf("%s in %s: %s, want %s", tc.lit, name, got.RatString(), tc.want)
			}
			f, isFloat := mat.Float(0, 0)
			if isFloat != tc.float {
				t.Errorf("%s in %s: stored as a float64: %v, want %v", tc.lit, name, isFloat, tc.float)
			}
			if isFloat && new(big.Rat).SetFloat64(f).Cmp(want) != 0 {
				t.Errorf("%s in %s: float %v is not %s", tc.lit, name, f, tc.want)
			}
		}
	}
}

// TestFastDyadic: on random float64s (subnormals and extremes included)
// and random decimals, what fastDyadic reads is the literal's exact value
// as big.Rat.SetString reads it, and appendFloat writes what
// big.Rat.RatString writes.
func TestFastDyadic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	fast := 0
	for range 20000 {
		var v float64
		switch rng.IntN(4) {
		case 0:
			v = math.Float64frombits(rng.Uint64()) // any bits, subnormals too
		case 1:
			v = rng.NormFloat64()
		case 2:
			v = float64(rng.Int64N(1<<60) - 1<<59)
		default:
			v = math.Float64frombits(rng.Uint64N(1 << 52)) // subnormal
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		exact := new(big.Rat).SetFloat64(v)
		text := string(appendFloat(nil, v))
		if text != exact.RatString() {
			t.Fatalf("appendFloat(%v) = %s, want %s", v, text, exact.RatString())
		}
		if x, ok := fastDyadic(text); ok {
			fast++
			f, isFloat := x.float()
			if !isFloat || f != v || math.Signbit(f) != math.Signbit(v) && v != 0 {
				t.Fatalf("fastDyadic(%s) = %v, %v; want %v", text, f, isFloat, v)
			}
		}
	}
	if fast < 5000 {
		t.Errorf("only %d literals took the fast path", fast)
	}
	// Decimals: D·10^E with a few digits; the fast path's value must be the
	// exact one, and it must take every dyadic one it can.
	for range 20000 {
		d := rng.Int64N(1_000_000)
		e := rng.IntN(41) - 20
		text := big.NewInt(d).String() + "e" + big.NewInt(int64(e)).String()
		want, _ := new(big.Rat).SetString(text)
		x, ok := fastDyadic(text)
		if !ok {
			if dyadicRat(want) && e <= 13 { // d·5^e < 2^64: no reason to decline
				t.Fatalf("fastDyadic(%s) declined a dyadic value", text)
			}
			continue
		}
		got := new(big.Rat).SetInt(new(big.Int).SetUint64(x.mu))
		if x.neg {
			got.Neg(got)
		}
		if x.e >= 0 {
			got.Mul(got, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(x.e))))
		} else {
			got.Quo(got, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(-x.e))))
		}
		if got.Cmp(want) != 0 {
			t.Fatalf("fastDyadic(%s) = %s, want %s", text, got.RatString(), want.RatString())
		}
	}
}

// dyadicRat reports whether r's denominator is a power of two.
func dyadicRat(r *big.Rat) bool {
	q := r.Denom()
	return q.BitLen()-1 == int(q.TrailingZeroBits())
}
