package cases

import (
	"math"
	"math/bits"
)

// This file reads the literals of data files whose value is exactly a
// float64 without big integers: the forms that float-derived data are
// written in. The value is always the literal's exact value; a literal
// that is not one of these forms, or whose value is not a float64, is
// left to the exact reader (setNumber).

// dyadic is the number (−1)^neg · mu · 2^e with mu odd (or 0).
type dyadic struct {
	mu  uint64
	e   int
	neg bool
}

// float returns the number as a float64 and true when it is exactly one:
// mu < 2^53, e ≥ −1074 (the least subnormal is 2^−1074) and
// bitlen(mu) + e ≤ 1024 (the greatest float64 is (2^53 − 1)·2^971). Every
// such mu·2^e is a float64: at or above 2^−1022 its spacing is
// 2^(bitlen(mu)−53+e) ≤ 2^e, below it 2^−1074 ≤ 2^e. math.Ldexp is then
// exact, subnormals included.
func (x dyadic) float() (float64, bool) {
	if x.mu == 0 {
		return 0, true
	}
	if x.mu >= 1<<53 || x.e < -1074 || bits.Len64(x.mu)+x.e > 1024 {
		return 0, false
	}
	v := math.Ldexp(float64(x.mu), x.e)
	if x.neg {
		v = -v
	}
	return v, true
}

// numBits and denBits are the bit lengths of the numerator and the
// denominator of x in lowest terms (0 has denominator 1).
func (x dyadic) numBits() int { return bits.Len64(x.mu) + max(x.e, 0) }
func (x dyadic) denBits() int { return 1 + max(-x.e, 0) }

// reduced returns mu·2^e with the trailing zero bits of mu moved into e.
func reduced(mu uint64, e int, neg bool) dyadic {
	if mu == 0 {
		return dyadic{}
	}
	tz := bits.TrailingZeros64(mu)
	return dyadic{mu >> tz, e + tz, neg}
}

// digits64 reads a nonempty run of ASCII digits of at most 19 digits into
// a uint64 (19 digits cannot overflow); ok is false otherwise.
func digits64[S ~string | ~[]byte](s S) (v uint64, ok bool) {
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// pow5 holds 5^i for the i ≤ 27 whose powers fit a uint64.
var pow5 = func() (p [28]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 5
	}
	return p
}()

// fastDyadic reads s, in the syntax of ParseNumber, when it is one of the
// forms below and its value is a dyadic rational mu·2^e with mu < 2^64:
//
//   - "p/q" with p and q of at most 19 digits and q a power of two
//     ("-3847410565437367/4503599627370496", "3/1");
//   - a decimal of at most 19 significant digits with an optional point
//     and exponent of at most 4 digits, whose value D·10^E is dyadic: an
//     integer ("12", "-3.25e2", "1e10") or D divisible by 5^−E ("0.5",
//     "-0.375", "5e-1").
//
// It returns false for every other literal, valid or not (among them
// "0.1" = 1/10, which is not dyadic, and every malformed literal): the
// exact reader decides those.
func fastDyadic[S ~string | ~[]byte](s S) (dyadic, bool) {
	if len(s) == 0 {
		return dyadic{}, false
	}
	neg := s[0] == '-'
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	for k := 0; k < len(s); k++ {
		if s[k] == '/' {
			p, ok1 := digits64(s[:k])
			q, ok2 := digits64(s[k+1:])
			if !ok1 || !ok2 || q == 0 || q&(q-1) != 0 {
				return dyadic{}, false
			}
			return reduced(p, -bits.TrailingZeros64(q), neg), true
		}
	}
	// A decimal: int digits, optional '.', frac digits, optional exponent.
	var d uint64
	sig, fracDigits, nd := 0, 0, 0
	k := 0
	point := false
	for ; k < len(s); k++ {
		c := s[k]
		switch {
		case c >= '0' && c <= '9':
			nd++
			if point {
				fracDigits++
			}
			if sig > 0 || c != '0' {
				sig++
				if sig > 19 {
					return dyadic{}, false
				}
				d = d*10 + uint64(c-'0')
			}
			continue
		case c == '.' && !point:
			point = true
			continue
		}
		break
	}
	if nd == 0 {
		return dyadic{}, false
	}
	exp := 0
	if k < len(s) {
		if s[k] != 'e' && s[k] != 'E' {
			return dyadic{}, false
		}
		es := s[k+1:]
		eneg := false
		if len(es) > 0 && (es[0] == '+' || es[0] == '-') {
			eneg = es[0] == '-'
			es = es[1:]
		}
		for len(es) > 1 && es[0] == '0' {
			es = es[1:]
		}
		if len(es) > 4 {
			return dyadic{}, false
		}
		v, ok := digits64(es)
		if !ok {
			return dyadic{}, false
		}
		exp = int(v)
		if eneg {
			exp = -exp
		}
	}
	if d == 0 {
		return dyadic{}, true
	}
	// value = d·10^E = d·5^E·2^E, E = exp − fracDigits.
	E := exp - fracDigits
	if E >= 0 {
		if E >= len(pow5) {
			return dyadic{}, false
		}
		hi, lo := bits.Mul64(d, pow5[E])
		if hi != 0 {
			return dyadic{}, false
		}
		return reduced(lo, E, neg), true
	}
	if -E >= len(pow5) {
		return dyadic{}, false
	}
	p := pow5[-E]
	if d%p != 0 {
		return dyadic{}, false
	}
	return reduced(d/p, E, neg), true
}
