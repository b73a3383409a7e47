package exact

import (
	"fmt"
	"math/big"
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
	approx := new(big.Float).SetPrec(64).SetRat(r).Text('g', 4)
	if r.IsInt() {
		return fmt.Sprintf("≈ %s (exact: %d digits)", approx, num)
	}
	return fmt.Sprintf("≈ %s (exact: %d/%d digits)", approx, num, den)
}
