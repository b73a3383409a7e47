package cases

import (
	"fmt"
	"math/big"
	"strconv"
)

// Limits on exact numbers, so that a hostile or mistyped file cannot make
// the parser hang or exhaust memory. They are far above anything a real case
// needs (a rational with 100000-digit numerator is still accepted).
const (
	// MaxExponent bounds |e| in a decimal with exponent ("1e-3"): 10^10000
	// has about 33000 bits, "1e999999999" is rejected.
	MaxExponent = 10000
	// MaxDigits bounds the number of digits of each integer in a number
	// (the numerator and denominator of "p/q", the digits of a decimal).
	MaxDigits = 100000
)

// ParseNumber reads an exact number in the case-file syntax (README, "Case files") and
// returns it as a new rational. The accepted forms, with no whitespace
// anywhere, are
//
//   - a fraction: optional sign, digits, "/", digits, with a nonzero
//     denominator ("-3/5", "+4/2", "0/7"); the sign goes in front only, so
//     "3/-5" and "1/-0" are syntax errors and "1/0" is a zero denominator;
//   - a decimal: optional sign, then digits with an optional point and
//     fraction, at least one digit in all ("12", "0.28", ".5", and also
//     "5." which means 5), then an optional exponent: e or E, an optional
//     sign, at least one digit, with |exponent| ≤ MaxExponent ("1e-3",
//     "2.5E+2").
//
// This is a superset of the JSON number grammar, so the literal text of a
// JSON number is read by the same function, exactly, never through float64.
// NaN, Inf, hexadecimal, underscores and the empty string are rejected. The
// error does not repeat s; callers quote it.
func ParseNumber(s string) (*big.Rat, error) {
	r := new(big.Rat)
	if err := setNumber(r, s); err != nil {
		return nil, err
	}
	return r, nil
}

// setNumber sets z to the number s in the syntax of ParseNumber.
func setNumber(z *big.Rat, s string) error {
	if s == "" {
		return fmt.Errorf("empty number")
	}
	if num, den, ok := shortDecimal(s); ok {
		z.SetFrac64(num, den)
		return nil
	}
	i := 0
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i = 1
	}
	body := s[i:]
	if body == "" {
		return fmt.Errorf("sign without digits")
	}
	for k := 0; k < len(body); k++ {
		if body[k] == '/' {
			return parseFraction(z, body[:k], body[k+1:], neg)
		}
	}
	return parseDecimal(z, body, neg)
}

// shortDecimal reads s when it is a decimal of at most 18 digits without
// exponent ("-0.28", "12", ".5"), the common case, as num/den with den a
// power of ten, without big integers; ok is false for anything else.
func shortDecimal(s string) (num, den int64, ok bool) {
	if s == "" {
		return 0, 0, false
	}
	i := 0
	neg := s[0] == '-'
	if s[0] == '-' || s[0] == '+' {
		i = 1
	}
	digits, frac := 0, -1
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > 18 {
				return 0, 0, false
			}
			num = num*10 + int64(c-'0')
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, 0, false
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	if neg {
		num = -num
	}
	den = 1
	for range max(frac, 0) {
		den *= 10
	}
	return num, den, true
}

// digitsOnly reports whether s is a nonempty string of ASCII digits.
func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for k := 0; k < len(s); k++ {
		if s[k] < '0' || s[k] > '9' {
			return false
		}
	}
	return true
}

// bigInt converts a string of digits (checked by the caller) to an integer,
// enforcing MaxDigits.
func bigInt(digits, what string) (*big.Int, error) {
	if len(digits) > MaxDigits {
		return nil, fmt.Errorf("%s has %d digits, more than the limit %d", what, len(digits), MaxDigits)
	}
	z, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return nil, fmt.Errorf("bad %s", what)
	}
	return z, nil
}

func parseFraction(z *big.Rat, p, q string, neg bool) error {
	if !digitsOnly(p) {
		return fmt.Errorf("not a number: the numerator of p/q must be digits after an optional sign")
	}
	if !digitsOnly(q) {
		return fmt.Errorf("not a number: the denominator of p/q must be digits (no sign, no point)")
	}
	num, err := bigInt(p, "numerator")
	if err != nil {
		return err
	}
	den, err := bigInt(q, "denominator")
	if err != nil {
		return err
	}
	if den.Sign() == 0 {
		return fmt.Errorf("zero denominator")
	}
	if neg {
		num.Neg(num)
	}
	z.SetFrac(num, den)
	return nil
}

func parseDecimal(z *big.Rat, s string, neg bool) error {
	mant, exp := s, ""
	for k := 0; k < len(s); k++ {
		if s[k] == 'e' || s[k] == 'E' {
			mant, exp = s[:k], s[k+1:]
			if exp == "" {
				return fmt.Errorf("not a number: exponent without digits")
			}
			break
		}
	}
	intPart, fracPart := mant, ""
	for k := 0; k < len(mant); k++ {
		if mant[k] == '.' {
			intPart, fracPart = mant[:k], mant[k+1:]
			break
		}
	}
	if intPart == "" && fracPart == "" {
		return fmt.Errorf("not a number: want p/q or a decimal with at least one digit")
	}
	if (intPart != "" && !digitsOnly(intPart)) || (fracPart != "" && !digitsOnly(fracPart)) {
		return fmt.Errorf("not a number: want p/q or a decimal such as -0.25 or 1e-3")
	}
	e := 0
	if exp != "" {
		es := exp
		eneg := false
		if es[0] == '+' || es[0] == '-' {
			eneg = es[0] == '-'
			es = es[1:]
		}
		if !digitsOnly(es) {
			return fmt.Errorf("not a number: bad exponent")
		}
		// Strip leading zeros so that "1e0000000000000000005" is 1e5, and
		// cap the length before converting so nothing overflows.
		for len(es) > 1 && es[0] == '0' {
			es = es[1:]
		}
		if len(es) > 9 {
			return fmt.Errorf("exponent out of range: |exponent| must be at most %d", MaxExponent)
		}
		v, err := strconv.Atoi(es)
		if err != nil || v > MaxExponent {
			return fmt.Errorf("exponent out of range: |exponent| must be at most %d", MaxExponent)
		}
		if eneg {
			v = -v
		}
		e = v
	}
	num, err := bigInt(intPart+fracPart, "decimal")
	if err != nil {
		return err
	}
	if neg {
		num.Neg(num)
	}
	// value = num · 10^(e − len(fracPart)); |e − len(fracPart)| is bounded
	// by MaxExponent + MaxDigits.
	shift := e - len(fracPart)
	if shift >= 0 {
		num.Mul(num, pow10(shift))
		z.SetInt(num)
		return nil
	}
	z.SetFrac(num, pow10(-shift))
	return nil
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// FormatNumber returns r as the case format writes it: big.Rat.RatString,
// "p/q" or "p" when q = 1. ParseNumber reads it back exactly.
func FormatNumber(r *big.Rat) string { return r.RatString() }
