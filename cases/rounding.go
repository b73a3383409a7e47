package cases

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/relucert/relucert/exact"
)

// Numbers says how numbers written as decimal text (in a case file or a
// CSV data file) are read. By default a number is its text's exact value
// (the case format, README "Case files"): "0.1" is 1/10. A network trained on numbers that were read
// into floats saw the nearest binary float instead; Numbers names that
// reading, so that the point relucert checks is the one that was trained.
// Nothing is rounded unless asked for.
type Numbers int

const (
	// NumbersExact reads the text's exact value.
	NumbersExact Numbers = iota
	// NumbersFloat64 reads the float64 nearest the text (round to nearest,
	// ties to even: what Python's float(), json.load and numpy.loadtxt
	// read). It is also exact for float32 values written through Python
	// floats (tensor.tolist(), then json.dump).
	NumbersFloat64
	// NumbersFloat32 reads the float32 nearest the text (for text written
	// as the shortest float32 representation, e.g. str(numpy.float32(x))).
	NumbersFloat32
)

// ParseNumbers reads "exact", "float64" or "float32".
func ParseNumbers(s string) (Numbers, error) {
	switch s {
	case "exact":
		return NumbersExact, nil
	case "float64":
		return NumbersFloat64, nil
	case "float32":
		return NumbersFloat32, nil
	}
	return 0, fmt.Errorf("%q: want exact, float64 or float32", s)
}

// String returns "exact", "float64" or "float32".
func (n Numbers) String() string {
	switch n {
	case NumbersFloat64:
		return "float64"
	case NumbersFloat32:
		return "float32"
	}
	return "exact"
}

// Read returns x itself (NumbersExact) or the nearest float64 or float32
// value, as an exact rational. A value beyond the float's range is an
// error.
func (n Numbers) Read(x *big.Rat) (*big.Rat, error) {
	switch n {
	case NumbersFloat64:
		f, _ := x.Float64() // nearest, ties to even, subnormals included
		if math.IsInf(f, 0) {
			return nil, fmt.Errorf("%s is beyond the float64 range", shortRat(x))
		}
		return new(big.Rat).SetFloat64(f), nil
	case NumbersFloat32:
		f, _ := x.Float32()
		if math.IsInf(float64(f), 0) {
			return nil, fmt.Errorf("%s is beyond the float32 range", shortRat(x))
		}
		return new(big.Rat).SetFloat64(float64(f)), nil
	}
	return x, nil
}

// shortRat is x for messages, abbreviated when long.
func shortRat(x *big.Rat) string {
	s := x.RatString()
	if len(s) > 40 {
		// big.Float: the number may be beyond the float64 range (x.Float64
		// would give ±Inf), which is what the callers report.
		f := new(big.Float).SetRat(x).Text('g', 6)
		return fmt.Sprintf("%s (a number of %d digits)", f, len(s))
	}
	return s
}

// ReadNumbersAs replaces every number of c — inputs, targets and the
// neurons' weights — by its reading under n (see Numbers): with
// NumbersFloat64, each becomes the float64 nearest it. It records the
// reading in c.Source. Errors name the file and the field.
func (c *Case) ReadNumbersAs(n Numbers) error {
	if n == NumbersExact {
		return nil
	}
	conv := func(x *big.Rat, field string) (*big.Rat, error) {
		y, err := n.Read(x)
		if err != nil {
			return nil, &Error{File: c.File, Field: field, Err: err}
		}
		return y, nil
	}
	for _, m := range []struct {
		name string
		m    *exact.RatMat
	}{{"inputs", c.Inputs}, {"targets", c.Targets}} {
		for i := range m.m.Rows() {
			for j := range m.m.Cols() {
				if _, ok := m.m.Float(i, j); ok && n == NumbersFloat64 {
					continue // a float64 is its own nearest float64
				}
				y, err := conv(m.m.At(i, j), fmt.Sprintf("%s[%d][%d]", m.name, i, j))
				if err != nil {
					return err
				}
				m.m.Set(i, j, y)
			}
		}
	}
	var err error
	for j, nr := range c.Neurons {
		for i := range nr.W {
			if nr.W[i], err = conv(nr.W[i], fmt.Sprintf("neurons[%d].w[%d]", j, i)); err != nil {
				return err
			}
		}
		for i := range nr.A {
			if nr.A[i], err = conv(nr.A[i], fmt.Sprintf("neurons[%d].a[%d]", j, i)); err != nil {
				return err
			}
		}
	}
	note := fmt.Sprintf("numbers read as the nearest %s values", n)
	if c.Source == "" {
		c.Source = note
	} else {
		c.Source += "; " + note
	}
	return nil
}

// readFloat returns the number s (in the syntax of ParseNumber) as n reads
// it, when that value is a float64 obtainable without a big.Rat: a literal
// fastDyadic reads whose value is a float64 (read exactly, or rounded to
// float32 with NumbersFloat32), or, with NumbersFloat64/NumbersFloat32, a
// plain decimal (plainDecimal) rounded by strconv.ParseFloat — correctly
// rounded, ties to even, as (*big.Rat).Float64/Float32 round the exact
// value in Read. ok is false for every other literal, and for a value
// beyond the range (Read's error reports it): ParseNumber and Read decide
// those.
func (n Numbers) readFloat(s string) (v float64, ok bool) {
	if x, ok := fastDyadic(s); ok {
		if v, ok := x.float(); ok {
			if n == NumbersFloat32 {
				f := float32(v) // the float64 v is the exact value: one rounding
				if math.IsInf(float64(f), 0) {
					return 0, false
				}
				return float64(f), true
			}
			return v, true
		}
	}
	if n == NumbersExact || !plainDecimal(s) {
		return 0, false
	}
	size := 64
	if n == NumbersFloat32 {
		size = 32
	}
	v, err := strconv.ParseFloat(s, size)
	if err != nil {
		return 0, false
	}
	return v, true
}

// plainDecimal reports whether s is a decimal in the syntax of ParseNumber
// that strconv.ParseFloat reads with the same value: an optional sign,
// 1 to 100 digits with an optional point (longer ones, up to MaxDigits,
// are left to the exact reader; strconv keeps 800 exactly),
// and an optional exponent of at most 4 digits with |exponent| ≤
// MaxExponent. (ParseFloat also takes "inf", hexadecimal and underscores,
// which ParseNumber refuses; a longer exponent is left to ParseNumber's
// own range check.)
func plainDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 || digits > 100 {
		return false
	}
	if i == len(s) {
		return true
	}
	if s[i] != 'e' && s[i] != 'E' {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	exp := 0
	start := i
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		exp = exp*10 + int(s[i]-'0')
	}
	return i == len(s) && i > start && i-start <= 4 && exp <= MaxExponent
}
