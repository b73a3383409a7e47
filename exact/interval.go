package exact

import (
	"fmt"
	"math/big"
)

// Interval is a closed interval [Lo, Hi] of real numbers with big.Float
// endpoints. Every operation rounds Lo towards −∞ and Hi towards +∞ (outward
// rounding), so the result contains the exact result of the operation
// applied to any members of the operands: if a ∈ x and b ∈ y then
// a + b ∈ z.Add(x, y), a·b ∈ z.Mul(x, y), and so on. Evaluating a polynomial
// with these operations therefore encloses its range over a box — the
// arithmetic of interval Newton and Krawczyk tests.
//
// An operation rounds to the precision of its receiver z (the precision of
// z.Lo); when that is 0 it uses the largest precision of its operands, as
// big.Float does. Like big.Float, an Interval must not be copied by value:
// use Set. The zero value is the interval [0, 0] of precision 0.
//
// The endpoints are finite and Lo ≤ Hi; operations on intervals built by
// this package keep them so (a quotient by an interval containing 0
// panics, as big.Float's 0/0 does).
type Interval struct {
	Lo, Hi big.Float
}

// NewInterval returns the interval [0, 0] of precision prec.
func NewInterval(prec uint) *Interval {
	z := new(Interval)
	z.Lo.SetPrec(prec)
	z.Hi.SetPrec(prec)
	return z
}

// IntervalOfRat returns the smallest interval of precision prec containing x.
func IntervalOfRat(x *big.Rat, prec uint) *Interval { return NewInterval(prec).SetRat(x) }

// prec returns the precision z rounds to, given the operands' precisions.
func (z *Interval) prec(xs ...*Interval) uint {
	if p := z.Lo.Prec(); p != 0 {
		return p
	}
	var p uint
	for _, x := range xs {
		p = max(p, x.Lo.Prec(), x.Hi.Prec())
	}
	if p == 0 {
		p = 64
	}
	return p
}

// down and up prepare the endpoints of z for a rounded operation.
func (z *Interval) modes(p uint) {
	z.Lo.SetMode(big.ToNegativeInf).SetPrec(p)
	z.Hi.SetMode(big.ToPositiveInf).SetPrec(p)
}

// Prec returns the precision of z's endpoints.
func (z *Interval) Prec() uint { return z.Lo.Prec() }

// SetPrec sets the precision of z, rounding its endpoints outward.
func (z *Interval) SetPrec(prec uint) *Interval {
	z.modes(prec)
	return z
}

// Set sets z to x (rounded outward to z's precision) and returns z.
func (z *Interval) Set(x *Interval) *Interval {
	if z == x {
		return z
	}
	z.modes(z.prec(x))
	z.Lo.Set(&x.Lo)
	z.Hi.Set(&x.Hi)
	return z
}

// SetRat sets z to the smallest interval of z's precision (64 when it is 0)
// containing x, and returns z.
func (z *Interval) SetRat(x *big.Rat) *Interval {
	z.modes(z.prec())
	z.Lo.SetRat(x)
	z.Hi.SetRat(x)
	return z
}

// SetInt64 sets z to the smallest interval of z's precision containing x.
func (z *Interval) SetInt64(x int64) *Interval {
	z.modes(z.prec())
	z.Lo.SetInt64(x)
	z.Hi.SetInt64(x)
	return z
}

// SetFloat sets z to the smallest interval of z's precision containing x
// (the thin interval [x, x] when x fits).
func (z *Interval) SetFloat(x *big.Float) *Interval {
	z.modes(z.prec())
	z.Lo.Set(x)
	z.Hi.Set(x)
	return z
}

// SetEndpoints sets z to [lo, hi] rounded outward. It panics when lo > hi.
func (z *Interval) SetEndpoints(lo, hi *big.Float) *Interval {
	if lo.Cmp(hi) > 0 {
		panic(fmt.Sprintf("exact: interval [%v, %v] with lo > hi", lo, hi))
	}
	z.modes(z.prec())
	z.Lo.Set(lo)
	z.Hi.Set(hi)
	return z
}

// Ball sets z to [c − r, c + r] (r ≥ 0) rounded outward and returns z.
func (z *Interval) Ball(c, r *big.Float) *Interval {
	if r.Sign() < 0 {
		panic("exact: interval ball with negative radius")
	}
	z.modes(z.prec())
	z.Lo.Sub(c, r)
	z.Hi.Add(c, r)
	return z
}

// Neg sets z to −x and returns z.
func (z *Interval) Neg(x *Interval) *Interval {
	z.modes(z.prec(x))
	var lo big.Float
	lo.Set(&x.Lo)
	z.Lo.Neg(&x.Hi)
	z.Hi.Neg(&lo)
	return z
}

// Add sets z to x + y and returns z.
func (z *Interval) Add(x, y *Interval) *Interval {
	z.modes(z.prec(x, y))
	var lo big.Float
	lo.SetMode(big.ToNegativeInf).SetPrec(z.Lo.Prec()).Add(&x.Lo, &y.Lo)
	z.Hi.Add(&x.Hi, &y.Hi)
	z.Lo.Set(&lo)
	return z
}

// Sub sets z to x − y and returns z.
func (z *Interval) Sub(x, y *Interval) *Interval {
	z.modes(z.prec(x, y))
	var lo big.Float
	lo.SetMode(big.ToNegativeInf).SetPrec(z.Lo.Prec()).Sub(&x.Lo, &y.Hi)
	z.Hi.Sub(&x.Hi, &y.Lo)
	z.Lo.Set(&lo)
	return z
}

// Mul sets z to x·y and returns z.
func (z *Interval) Mul(x, y *Interval) *Interval {
	p := z.prec(x, y)
	var lo, hi big.Float
	lo.SetMode(big.ToNegativeInf).SetPrec(p)
	hi.SetMode(big.ToPositiveInf).SetPrec(p)
	xl, xh, yl, yh := &x.Lo, &x.Hi, &y.Lo, &y.Hi
	switch {
	case xl.Sign() >= 0:
		switch {
		case yl.Sign() >= 0:
			lo.Mul(xl, yl)
			hi.Mul(xh, yh)
		case yh.Sign() <= 0:
			lo.Mul(xh, yl)
			hi.Mul(xl, yh)
		default:
			lo.Mul(xh, yl)
			hi.Mul(xh, yh)
		}
	case xh.Sign() <= 0:
		switch {
		case yl.Sign() >= 0:
			lo.Mul(xl, yh)
			hi.Mul(xh, yl)
		case yh.Sign() <= 0:
			lo.Mul(xh, yh)
			hi.Mul(xl, yl)
		default:
			lo.Mul(xl, yh)
			hi.Mul(xl, yl)
		}
	default:
		switch {
		case yl.Sign() >= 0:
			lo.Mul(xl, yh)
			hi.Mul(xh, yh)
		case yh.Sign() <= 0:
			lo.Mul(xh, yl)
			hi.Mul(xl, yl)
		default:
			var t big.Float
			t.SetMode(big.ToNegativeInf).SetPrec(p)
			lo.Mul(xl, yh)
			if t.Mul(xh, yl).Cmp(&lo) < 0 {
				lo.Set(&t)
			}
			t.SetMode(big.ToPositiveInf)
			hi.Mul(xl, yl)
			if t.Mul(xh, yh).Cmp(&hi) > 0 {
				hi.Set(&t)
			}
		}
	}
	z.modes(p)
	z.Lo.Set(&lo)
	z.Hi.Set(&hi)
	return z
}

// AddMul sets z to z + x·y and returns z.
func (z *Interval) AddMul(x, y *Interval) *Interval {
	var t Interval
	t.modes(z.prec(x, y))
	t.Mul(x, y)
	return z.Add(z, &t)
}

// Sqr sets z to x² (an interval of non-negative numbers) and returns z.
func (z *Interval) Sqr(x *Interval) *Interval {
	p := z.prec(x)
	var lo, hi big.Float
	lo.SetMode(big.ToNegativeInf).SetPrec(p)
	hi.SetMode(big.ToPositiveInf).SetPrec(p)
	switch {
	case x.Lo.Sign() >= 0:
		lo.Mul(&x.Lo, &x.Lo)
		hi.Mul(&x.Hi, &x.Hi)
	case x.Hi.Sign() <= 0:
		lo.Mul(&x.Hi, &x.Hi)
		hi.Mul(&x.Lo, &x.Lo)
	default:
		m := &x.Hi
		if new(big.Float).Neg(&x.Lo).Cmp(&x.Hi) > 0 {
			m = &x.Lo
		}
		hi.Mul(m, m)
	}
	z.modes(p)
	z.Lo.Set(&lo)
	z.Hi.Set(&hi)
	return z
}

// Quo sets z to x/y and returns z. It panics when y contains 0.
func (z *Interval) Quo(x, y *Interval) *Interval {
	if y.Sign() == 0 {
		panic(fmt.Sprintf("exact: interval division by %v, which contains 0", y))
	}
	p := z.prec(x, y)
	// 1/y = [1/yh, 1/yl], then x·(1/y): two outward roundings, both
	// rigorous.
	var inv Interval
	inv.modes(p)
	one := new(big.Float).SetInt64(1)
	var lo big.Float
	lo.SetMode(big.ToNegativeInf).SetPrec(p).Quo(one, &y.Hi)
	inv.Hi.Quo(one, &y.Lo)
	inv.Lo.Set(&lo)
	return z.Mul(x, &inv)
}

// Hull sets z to the smallest interval containing x and y and returns z.
func (z *Interval) Hull(x, y *Interval) *Interval {
	z.modes(z.prec(x, y))
	lo, hi := &x.Lo, &x.Hi
	if y.Lo.Cmp(lo) < 0 {
		lo = &y.Lo
	}
	if y.Hi.Cmp(hi) > 0 {
		hi = &y.Hi
	}
	var l big.Float
	l.Set(lo)
	z.Hi.Set(hi)
	z.Lo.Set(&l)
	return z
}

// Sign returns +1 when every member of z is positive, −1 when every member
// is negative, and 0 otherwise (z contains 0: the sign is not decided by z).
func (z *Interval) Sign() int {
	switch {
	case z.Lo.Sign() > 0:
		return 1
	case z.Hi.Sign() < 0:
		return -1
	}
	return 0
}

// Contains reports whether the rational x lies in z (exactly).
func (z *Interval) Contains(x *big.Rat) bool {
	lo, _ := z.Lo.Rat(nil)
	hi, _ := z.Hi.Rat(nil)
	return lo.Cmp(x) <= 0 && x.Cmp(hi) <= 0
}

// ContainsFloat reports whether x lies in z.
func (z *Interval) ContainsFloat(x *big.Float) bool {
	return z.Lo.Cmp(x) <= 0 && x.Cmp(&z.Hi) <= 0
}

// Within reports whether z lies in the interior of y: y.Lo < z.Lo and
// z.Hi < y.Hi.
func (z *Interval) Within(y *Interval) bool {
	return y.Lo.Cmp(&z.Lo) < 0 && z.Hi.Cmp(&y.Hi) < 0
}

// Subset reports whether z ⊆ y.
func (z *Interval) Subset(y *Interval) bool {
	return y.Lo.Cmp(&z.Lo) <= 0 && z.Hi.Cmp(&y.Hi) <= 0
}

// Mid returns a midpoint of z: (Lo + Hi)/2 rounded to z's precision (it lies
// in z).
func (z *Interval) Mid() *big.Float {
	m := new(big.Float).SetPrec(z.prec()).Add(&z.Lo, &z.Hi)
	return m.SetMantExp(m, -1)
}

// Rad returns an upper bound of the radius (Hi − Lo)/2 of z.
func (z *Interval) Rad() *big.Float {
	r := new(big.Float).SetMode(big.ToPositiveInf).SetPrec(z.prec()).Sub(&z.Hi, &z.Lo)
	return r.SetMantExp(r, -1)
}

// Mag returns max{|x| : x ∈ z} (an endpoint's absolute value, exact).
func (z *Interval) Mag() *big.Float {
	lo := new(big.Float).Abs(&z.Lo)
	hi := new(big.Float).Abs(&z.Hi)
	if lo.Cmp(hi) > 0 {
		return lo
	}
	return hi
}

// Mig returns min{|x| : x ∈ z}: 0 when z contains 0, else the endpoint
// nearest 0 in absolute value (exact).
func (z *Interval) Mig() *big.Float {
	switch z.Sign() {
	case 1:
		return new(big.Float).Set(&z.Lo)
	case -1:
		return new(big.Float).Neg(&z.Hi)
	}
	return new(big.Float)
}

// String formats z as "[lo, hi]" with 6 significant digits per endpoint
// (rounded outward in value only as far as the decimal rounding goes: for
// reports, not for re-reading).
func (z *Interval) String() string {
	return fmt.Sprintf("[%s, %s]", z.Lo.Text('g', 6), z.Hi.Text('g', 6))
}
