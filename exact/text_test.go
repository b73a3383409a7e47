package exact

import (
	"math/big"
	"strings"
	"testing"
)

// TestText: short numbers exactly, long ones as "≈ d (exact: a/b digits)"
// with the digit counts counted by hand.
func TestText(t *testing.T) {
	big1 := new(big.Int).Exp(big.NewInt(10), big.NewInt(50), nil) // 51 digits
	for _, c := range []struct {
		r    *big.Rat
		want string
	}{
		{big.NewRat(-3, 5), "-3/5"},
		{big.NewRat(7, 1), "7"},
		{new(big.Rat).SetFrac(big.NewInt(1), big1), "≈ 1e-50 (exact: 1/51 digits)"},
		{new(big.Rat).SetFrac(new(big.Int).Neg(new(big.Int).Add(big1, big.NewInt(1))), new(big.Int).Mul(big1, big.NewInt(3))), "≈ -0.3333 (exact: 51/51 digits)"},
		{new(big.Rat).SetInt(big1), "≈ 1e+50 (exact: 51 digits)"},
		{nil, "?"},
	} {
		if got := Text(c.r); got != c.want {
			t.Errorf("Text = %q, want %q", got, c.want)
		}
	}
	// 40 digits in all print exactly, 41 do not.
	n20 := new(big.Int).Exp(big.NewInt(10), big.NewInt(19), nil) // 20 digits
	if s := Text(new(big.Rat).SetFrac(new(big.Int).Add(n20, big.NewInt(1)), new(big.Int).Add(n20, big.NewInt(3)))); strings.Contains(s, "≈") {
		t.Errorf("40 digits: %q", s)
	}
	if s := Text(new(big.Rat).SetFrac(new(big.Int).Mul(n20, big.NewInt(11)), new(big.Int).Add(n20, big.NewInt(3)))); !strings.Contains(s, "exact: 21/20 digits") {
		t.Errorf("41 digits: %q", s)
	}
}

// TestApproxTextFarExponents: beyond 2^±1024 approxText takes the decimal
// exponent out first; its digits must equal big.Float's own conversion
// (slow there, but exact) on numbers up to 2^±6000, and it must print
// 2^−332193 (a segment-search step on a 100,000-digit input, which
// big.Float needs seconds for) as 8.763e-100001 = 2^−332193 to 4 digits
// (log10 2^−332193 = −100000.0574…, 10^0.9426 = 8.763…, by hand from
// log10 2 = 0.30102999566398…).
func TestApproxTextFarExponents(t *testing.T) {
	for _, e := range []int{1025, 1100, 2047, 3000, 5999} {
		for _, num := range []int64{1, 3, 7919, -123456789} {
			for _, sign := range []int{1, -1} {
				p := new(big.Int).Lsh(big.NewInt(1), uint(e))
				r := new(big.Rat).SetFrac(big.NewInt(num), p)
				if sign > 0 {
					r = new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(num), p), big.NewInt(7))
				}
				want := new(big.Float).SetPrec(64).SetRat(r).Text('g', 4)
				if got := approxText(r); got != want {
					t.Errorf("2^%d·%d: approxText %q, big.Float %q", sign*e, num, got, want)
				}
			}
		}
	}
	tiny := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 332193))
	if got := Text(tiny); got != "≈ 8.763e-100001 (exact: 1/100001 digits)" {
		t.Errorf("Text(2^-332193) = %q", got)
	}
}
