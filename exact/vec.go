package exact

import (
	"math/big"
	"strings"
)

// Vec is a vector of Q^d. Entries are never nil in a Vec built by this
// package; a nil entry read by any function is treated as an error of the
// caller (it panics, as a nil *big.Rat does).
type Vec []*big.Rat

// NewVec returns the zero vector of Q^d.
func NewVec(d int) Vec {
	v := make(Vec, d)
	for i := range v {
		v[i] = new(big.Rat)
	}
	return v
}

// VecOf returns the vector whose entries are the given integers.
func VecOf(xs ...int64) Vec {
	v := make(Vec, len(xs))
	for i, x := range xs {
		v[i] = big.NewRat(x, 1)
	}
	return v
}

// Clone returns a deep copy of v.
func (v Vec) Clone() Vec {
	w := make(Vec, len(v))
	for i, x := range v {
		w[i] = new(big.Rat).Set(x)
	}
	return w
}

// Dot returns the inner product v·w. The lengths must agree.
func (v Vec) Dot(w Vec) *big.Rat {
	if s, ok := dyadicDot(v, w); ok {
		return s
	}
	s := new(big.Rat)
	var t big.Rat
	for i := range v {
		if v[i].Sign() == 0 || w[i].Sign() == 0 {
			continue
		}
		t.Mul(v[i], w[i])
		s.Add(s, &t)
	}
	return s
}

// dyadicDot returns v·w when every denominator of v and w is a power of two
// (float-derived data): Σ ν_i μ_i 2^(E−e_i) over the one denominator 2^E,
// integers throughout and one reduction at the end, instead of a gcd per
// term. ok is false, and nothing computed, for any other denominator.
func dyadicDot(v, w Vec) (s *big.Rat, ok bool) {
	E := 0
	for i := range v {
		if v[i].Sign() == 0 || w[i].Sign() == 0 {
			continue
		}
		e1, ok1 := log2Denom(v[i])
		e2, ok2 := log2Denom(w[i])
		if !ok1 || !ok2 {
			return nil, false
		}
		E = max(E, e1+e2)
	}
	var sum, t big.Int
	for i := range v {
		if v[i].Sign() == 0 || w[i].Sign() == 0 {
			continue
		}
		e1, _ := log2Denom(v[i])
		e2, _ := log2Denom(w[i])
		t.Mul(v[i].Num(), w[i].Num())
		sum.Add(&sum, t.Lsh(&t, uint(E-e1-e2)))
	}
	if E == 0 {
		return new(big.Rat).SetInt(&sum), true
	}
	t.SetInt64(1)
	return new(big.Rat).SetFrac(&sum, t.Lsh(&t, uint(E))), true
}

// log2Denom returns e when x's denominator is 2^e.
func log2Denom(x *big.Rat) (int, bool) {
	if x.IsInt() {
		return 0, true
	}
	q := x.Denom()
	e := int(q.TrailingZeroBits())
	return e, e == q.BitLen()-1
}

// Norm2 returns |v|², the squared Euclidean norm.
func (v Vec) Norm2() *big.Rat { return v.Dot(v) }

// Defined reports whether every entry of v is non-nil.
func (v Vec) Defined() bool {
	for _, x := range v {
		if x == nil {
			return false
		}
	}
	return true
}

// IsZero reports whether v = 0.
func (v Vec) IsZero() bool {
	for _, x := range v {
		if x.Sign() != 0 {
			return false
		}
	}
	return true
}

// Equal reports whether v = w exactly.
func (v Vec) Equal(w Vec) bool {
	if len(v) != len(w) {
		return false
	}
	for i := range v {
		if v[i].Cmp(w[i]) != 0 {
			return false
		}
	}
	return true
}

// AddScaled sets v ← v + c·w and returns v.
func (v Vec) AddScaled(c *big.Rat, w Vec) Vec {
	if c.Sign() == 0 {
		return v
	}
	var t big.Rat
	for i := range v {
		if w[i].Sign() == 0 {
			continue
		}
		t.Mul(c, w[i])
		v[i].Add(v[i], &t)
	}
	return v
}

// Add returns v + w as a new vector.
func (v Vec) Add(w Vec) Vec {
	u := make(Vec, len(v))
	for i := range v {
		u[i] = new(big.Rat).Add(v[i], w[i])
	}
	return u
}

// Sub returns v − w as a new vector.
func (v Vec) Sub(w Vec) Vec {
	u := make(Vec, len(v))
	for i := range v {
		u[i] = new(big.Rat).Sub(v[i], w[i])
	}
	return u
}

// Scale returns c·v as a new vector.
func (v Vec) Scale(c *big.Rat) Vec {
	u := make(Vec, len(v))
	for i := range v {
		u[i] = new(big.Rat).Mul(c, v[i])
	}
	return u
}

// Neg returns −v as a new vector.
func (v Vec) Neg() Vec {
	u := make(Vec, len(v))
	for i := range v {
		u[i] = new(big.Rat).Neg(v[i])
	}
	return u
}

// String formats v as [p/q, …] for reports, each entry by Text (long
// entries as "≈ d (exact: a/b digits)"); Strings gives every digit.
func (v Vec) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Text(x))
	}
	b.WriteByte(']')
	return b.String()
}

// Strings returns the entries of v as big.Rat.RatString texts.
func (v Vec) Strings() []string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = x.RatString()
	}
	return s
}

// Mat is a dense matrix over Q stored as a slice of rows. Every row has the
// same length.
type Mat []Vec

// NewMat returns the r×c zero matrix.
func NewMat(r, c int) Mat {
	m := make(Mat, r)
	for i := range m {
		m[i] = NewVec(c)
	}
	return m
}

// Cols returns the number of columns of m, or 0 for a matrix without rows.
func (m Mat) Cols() int {
	if len(m) == 0 {
		return 0
	}
	return len(m[0])
}

// MulVec returns m·x.
func (m Mat) MulVec(x Vec) Vec {
	y := make(Vec, len(m))
	for i, row := range m {
		y[i] = row.Dot(x)
	}
	return y
}

// T returns the transpose of m as a new matrix.
func (m Mat) T() Mat {
	c := m.Cols()
	t := make(Mat, c)
	for j := range t {
		t[j] = make(Vec, len(m))
		for i := range m {
			t[j][i] = new(big.Rat).Set(m[i][j])
		}
	}
	return t
}

// IsZero reports whether every entry of m is zero.
func (m Mat) IsZero() bool {
	for _, row := range m {
		if !row.IsZero() {
			return false
		}
	}
	return true
}

// Clone returns a deep copy of m.
func (m Mat) Clone() Mat {
	c := make(Mat, len(m))
	for i, row := range m {
		c[i] = row.Clone()
	}
	return c
}

// OnLine returns the representative e = v/v_c of the line through 0 and
// v ≠ 0 (c the first nonzero coordinate, so e_c = 1) and t = v_c, with
// v = t·e; two nonzero vectors lie on one line iff their representatives
// are equal. It returns nil, nil for v = 0.
func (v Vec) OnLine() (e Vec, t *big.Rat) {
	for _, x := range v {
		if x.Sign() != 0 {
			return v.Scale(new(big.Rat).Inv(x)), new(big.Rat).Set(x)
		}
	}
	return nil, nil
}

// AppendKey appends to b a text that identifies v exactly (equal texts,
// equal vectors), for use as a map key.
func (v Vec) AppendKey(b []byte) []byte {
	for _, x := range v {
		b = x.Num().Append(b, 36)
		b = append(b, '/')
		b = x.Denom().Append(b, 36)
		b = append(b, ',')
	}
	return b
}
