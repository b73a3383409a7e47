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
