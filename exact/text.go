package exact

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// This file is the one place where an exact number becomes text for a
// human: short numbers are printed exactly, long ones — the snapped points
// of trained networks have denominators of thousands of digits — as a
// decimal approximation with their exact size. Machine-readable output
// (case files, --json) keeps every digit through big.Rat.RatString.

// TextDigits is the most digits (numerator and denominator together) that
// Text prints exactly.
const TextDigits = 40

// Text formats r for reports: "p/q" (or "p") when it has at most TextDigits
// digits, else "≈ d (exact: a/b digits)" with d to 4 significant digits
// and a, b the digit counts of the numerator and the denominator; "?" for
// nil.
func Text(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	// Cheap bound first: bit lengths give the digit counts within one.
	if r.Num().BitLen()+r.Denom().BitLen() <= 120 {
		if s := r.RatString(); len(s) <= TextDigits+2 {
			return s
		}
	}
	num := len(new(big.Int).Abs(r.Num()).String())
	den := len(r.Denom().String())
	if num+den <= TextDigits {
		return r.RatString()
	}
	approx := approxText(r)
	if r.IsInt() {
		return fmt.Sprintf("≈ %s (exact: %d digits)", approx, num)
	}
	return fmt.Sprintf("≈ %s (exact: %d/%d digits)", approx, num, den)
}

// approxText is r to 4 significant digits in %g form. big.Float's own
// decimal conversion needs time quadratic in the binary exponent when it
// is very negative (2^−332193, the step of a segment search on a
// 100,000-digit input, took 22 s): beyond 2^±1024 the decimal exponent k is
// taken out first, r·10^−k to 4 digits (at 128 bits, from r rounded to 64
// bits) and k added back.
func approxText(r *big.Rat) string {
	x := new(big.Float).SetPrec(64).SetRat(r)
	e2 := x.MantExp(nil)
	if e2 >= -1024 && e2 <= 1024 {
		return x.Text('g', 4)
	}
	k := int64(math.Floor(float64(e2) * math.Log10(2)))
	p := new(big.Float).SetPrec(128).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(abs64(k)), nil))
	y := new(big.Float).SetPrec(128).Set(x)
	if k > 0 {
		y.Quo(y, p)
	} else {
		y.Mul(y, p)
	}
	m, exp, _ := strings.Cut(y.Text('e', 3), "e")
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return x.Text('g', 4) // not reached: Text('e') always has an exponent
	}
	if strings.Contains(m, ".") { // %g drops trailing zeros
		m = strings.TrimRight(strings.TrimRight(m, "0"), ".")
	}
	return fmt.Sprintf("%se%+03d", m, e+k)
}

// abs64 is |k|.
func abs64(k int64) int64 {
	if k < 0 {
		return -k
	}
	return k
}
