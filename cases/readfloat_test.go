package cases

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestReadFloat checks Numbers.readFloat, the CSV reader's fast path,
// against the exact path it short-cuts (ParseNumber, then Numbers.Read:
// big.Rat arithmetic throughout): whenever the fast path answers, the
// exact path accepts the literal with that same value; and it answers on
// the literals float-derived data are written in.
func TestReadFloat(t *testing.T) {
	fast := []struct {
		s string
		n Numbers
	}{
		{"0.5", NumbersExact}, {"-3/4", NumbersExact}, {"12", NumbersExact},
		{"-3847410565437367/4503599627370496", NumbersExact},
		{"1.234567890123456789e-01", NumbersFloat64}, {"0.1", NumbersFloat64},
		{"0.1", NumbersFloat32}, {"-2.5E+2", NumbersFloat64}, {".5", NumbersFloat32},
		{"5.", NumbersFloat64}, {"4.9406564584124654e-324", NumbersFloat64},
		{"1e-400", NumbersFloat64}, // underflows to 0, as big.Rat.Float64 rounds it
	}
	for _, c := range fast {
		if _, ok := c.n.readFloat(c.s); !ok {
			t.Errorf("readFloat(%q, %v): not read by the fast path", c.s, c.n)
		}
	}
	// Literals the fast path must leave to the exact reader.
	slow := []struct {
		s string
		n Numbers
	}{
		{"0.1", NumbersExact}, {"1/3", NumbersFloat64}, {"inf", NumbersFloat64},
		{"NaN", NumbersFloat64}, {"0x1p-2", NumbersFloat64}, {"1_0", NumbersFloat64},
		{"1e", NumbersFloat64}, {"", NumbersFloat64}, {".", NumbersFloat64},
		{"1e99999", NumbersFloat64}, {"1e10001", NumbersFloat64}, {"-1e-10001", NumbersFloat64},
		{"1.8e308", NumbersFloat64}, {"3.5e38", NumbersFloat32}, {"+-1", NumbersFloat64},
		{"1e+", NumbersFloat64}, {" 1", NumbersFloat64}, {"1.0.0", NumbersFloat64},
	}
	for _, c := range slow {
		if v, ok := c.n.readFloat(c.s); ok {
			t.Errorf("readFloat(%q, %v) = %v: want the exact path", c.s, c.n, v)
		}
	}
	// Differential: every answer of the fast path is the exact path's.
	rng := rand.New(rand.NewPCG(1, 2))
	var lits []string
	lits = append(lits, "9007199254740993", "9007199254740995", "16777217", "16777219",
		"1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
		"2.2250738585072011e-308", "2.4703282292062328e-324", "2.4703282292062327e-324",
		"3.4028235e38", "3.4028236e38", "1.4012984643e-45", "7.006492321624085e-46", "-0", "0.000")
	lits = append(lits, fast[0].s, slow[0].s)
	for range 4000 {
		var f float64
		switch rng.IntN(3) {
		case 0:
			f = rng.NormFloat64()
		case 1:
			f = math.Float64frombits(rng.Uint64())
		default:
			f = math.Ldexp(rng.Float64(), rng.IntN(2200)-1100)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		lits = append(lits, strconv.FormatFloat(f, 'e', rng.IntN(25), 64),
			strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'f', rng.IntN(30), 64))
		digits := make([]byte, 1+rng.IntN(40))
		for i := range digits {
			digits[i] = byte('0' + rng.IntN(10))
		}
		p := rng.IntN(len(digits) + 1)
		lits = append(lits, fmt.Sprintf("%s.%se%d", digits[:p], digits[p:], rng.IntN(800)-400))
	}
	answered := 0
	for _, s := range lits {
		for _, n := range []Numbers{NumbersExact, NumbersFloat64, NumbersFloat32} {
			v, ok := n.readFloat(s)
			if !ok {
				continue
			}
			answered++
			x, err := ParseNumber(s)
			if err == nil {
				x, err = n.Read(x)
			}
			if err != nil {
				t.Errorf("readFloat(%q, %v) = %v, the exact path refuses it: %v", s, n, v, err)
				continue
			}
			if want := new(big.Rat).SetFloat64(v); x.Cmp(want) != 0 {
				t.Errorf("readFloat(%q, %v) = %v, the exact path reads %s", s, n, v, x.RatString())
			}
		}
	}
	if answered < len(lits) {
		t.Errorf("the fast path answered %d times on %d literals × 3 readings", answered, len(lits))
	}
}

// TestReadBeyondRange: a number beyond the float64 or float32 range is
// refused by name, its value written out (not as the +Inf it would round
// to).
func TestReadBeyondRange(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    Numbers
		want string
	}{
		{"1.8e308", NumbersFloat64, "1.8e+308 (a number of 309 digits) is beyond the float64 range"},
		{"-3.5e40", NumbersFloat32, "-3.5e+40 (a number of 42 digits) is beyond the float32 range"},
	} {
		x, err := ParseNumber(c.s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.n.Read(x); err == nil || err.Error() != c.want {
			t.Errorf("Read(%s, %v): error %v, want %q", c.s, c.n, err, c.want)
		}
	}
}
