package exact

import (
	"math"
	"math/bits"
	"slices"
)

// FloatCollinear reports whether the nonzero float rows x and y are on one
// line through the origin: with p the first nonzero coordinate of x,
// x_c·y_p = y_c·x_p for every c, the products compared exactly. (Then
// y_p ≠ 0 — else y = 0 — and y = (y_p/x_p)·x; conversely y = λx gives
// every identity.) Equal rows, the common case of repeated inputs, are
// answered without the products.
func FloatCollinear(x, y []float64) bool {
	p := 0
	for p < len(x) && x[p] == 0 {
		p++
	}
	if p == len(x) || len(y) != len(x) {
		return false
	}
	if slices.Equal(x, y) {
		return true
	}
	for c := range x {
		if c != p && !FloatProductsEqual(x[c], y[p], y[c], x[p]) {
			return false
		}
	}
	return y[p] != 0
}

// FloatProductsEqual reports whether a·b = c·d exactly for finite float64s:
// every nonzero float64 is ±μ·2^e with μ odd (μ < 2⁵³), so a product is
// ±μ_a·μ_b·2^(e_a+e_b) with an odd integer μ_a·μ_b < 2¹⁰⁶, and two
// products are equal iff their signs, odd parts and exponents are.
func FloatProductsEqual(a, b, c, d float64) bool {
	za, zc := a == 0 || b == 0, c == 0 || d == 0
	if za || zc {
		return za == zc
	}
	ma, ea, sa := oddFloat(a)
	mb, eb, sb := oddFloat(b)
	mc, ec, sc := oddFloat(c)
	md, ed, sd := oddFloat(d)
	if sa != sb != (sc != sd) || ea+eb != ec+ed {
		return false
	}
	h1, l1 := bits.Mul64(ma, mb)
	h2, l2 := bits.Mul64(mc, md)
	return h1 == h2 && l1 == l2
}

// oddFloat returns the odd integer μ, the exponent e and the sign of a
// nonzero finite float64 x = ±μ·2^e (subnormals included).
func oddFloat(x float64) (mu uint64, e int, neg bool) {
	u := math.Float64bits(x)
	mu, e = oddMant(u)
	return mu, e, u>>63 != 0
}
