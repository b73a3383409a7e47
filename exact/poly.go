package exact

import (
	"fmt"
	"math/big"
)

// Poly is a univariate polynomial over Q, p(τ) = Σ_k p[k]·τ^k, coefficients
// from the constant term up. Trailing zero coefficients are allowed.
type Poly []*big.Rat

// Degree returns the degree of p, or −1 for the zero polynomial.
func (p Poly) Degree() int {
	for k := len(p) - 1; k >= 0; k-- {
		if p[k].Sign() != 0 {
			return k
		}
	}
	return -1
}

// Eval returns p(t) by Horner's rule.
func (p Poly) Eval(t *big.Rat) *big.Rat {
	s := new(big.Rat)
	for k := len(p) - 1; k >= 0; k-- {
		s.Mul(s, t)
		s.Add(s, p[k])
	}
	return s
}

// Compose returns the polynomial τ ↦ p(c·τ).
func (p Poly) Compose(c *big.Rat) Poly {
	q := make(Poly, len(p))
	pow := big.NewRat(1, 1)
	for k := range p {
		q[k] = new(big.Rat).Mul(p[k], pow)
		pow = new(big.Rat).Mul(pow, c)
	}
	return q
}

// String formats p as "c0 + c1·τ + …" with exact coefficients.
func (p Poly) String() string {
	s := ""
	for k := 0; k <= p.Degree(); k++ {
		if k > 0 {
			s += " + "
		}
		s += p[k].RatString()
		if k > 0 {
			s += fmt.Sprintf("·τ^%d", k)
		}
	}
	if s == "" {
		return "0"
	}
	return s
}

// Interpolate returns the polynomial of degree < len(ts) through the points
// (ts[i], vs[i]) (Newton's divided differences, exact). The ts must be
// distinct.
func Interpolate(ts, vs []*big.Rat) (Poly, error) {
	n := len(ts)
	if len(vs) != n || n == 0 {
		return nil, fmt.Errorf("interpolate: %d abscissae, %d values", n, len(vs))
	}
	c := make([]*big.Rat, n)
	for i := range vs {
		c[i] = new(big.Rat).Set(vs[i])
	}
	var num, den big.Rat
	for k := 1; k < n; k++ {
		for i := n - 1; i >= k; i-- {
			den.Sub(ts[i], ts[i-k])
			if den.Sign() == 0 {
				return nil, fmt.Errorf("interpolate: repeated abscissa %s", ts[i].RatString())
			}
			num.Sub(c[i], c[i-1])
			c[i] = new(big.Rat).Quo(&num, &den)
		}
	}
	// Expand the Newton form c0 + c1(τ−t0) + c2(τ−t0)(τ−t1) + … .
	p := Poly{new(big.Rat).Set(c[n-1])}
	for k := n - 2; k >= 0; k-- {
		// p ← p·(τ − t_k) + c_k
		q := make(Poly, len(p)+1)
		for i := range q {
			q[i] = new(big.Rat)
		}
		var t big.Rat
		for i, a := range p {
			q[i+1].Add(q[i+1], a)
			t.Mul(a, ts[k])
			q[i].Sub(q[i], &t)
		}
		q[0].Add(q[0], c[k])
		p = q
	}
	return p, nil
}

// Derivative returns p'.
func (p Poly) Derivative() Poly {
	if len(p) <= 1 {
		return Poly{new(big.Rat)}
	}
	q := make(Poly, len(p)-1)
	for k := 1; k < len(p); k++ {
		q[k-1] = new(big.Rat).Mul(p[k], big.NewRat(int64(k), 1))
	}
	return q
}

// rem returns the remainder of a divided by b (b ≠ 0), or ErrBudget when
// stop says so between steps.
func (a Poly) rem(b Poly, stop Stop) (Poly, error) {
	r := make(Poly, len(a))
	for i := range a {
		r[i] = new(big.Rat).Set(a[i])
	}
	db := b.Degree()
	lead := b[db]
	var f, t big.Rat
	for dr := r.Degree(); dr >= db && dr >= 0; dr = r.Degree() {
		if stop.Stopped() {
			return nil, ErrBudget
		}
		f.Quo(r[dr], lead)
		for i := 0; i <= db; i++ {
			t.Mul(&f, b[i])
			r[dr-db+i].Sub(r[dr-db+i], &t)
		}
		r[dr].SetInt64(0) // exact already; guards against nothing but clarity
	}
	return r[:max(r.Degree()+1, 1)], nil
}

// sturm returns the Sturm sequence p, p', −rem(p, p'), … of p.
func (p Poly) sturm(stop Stop) ([]Poly, error) {
	seq := []Poly{p, p.Derivative()}
	for {
		a, b := seq[len(seq)-2], seq[len(seq)-1]
		if b.Degree() <= 0 {
			return seq, nil
		}
		r, err := a.rem(b, stop)
		if err != nil {
			return nil, err
		}
		if r.Degree() < 0 {
			return seq, nil
		}
		for i := range r {
			r[i].Neg(r[i])
		}
		seq = append(seq, r)
	}
}

func variations(seq []Poly, t *big.Rat, stop Stop) (int, error) {
	v, last := 0, 0
	for _, q := range seq {
		if stop.Stopped() {
			return 0, ErrBudget
		}
		s := q.Eval(t).Sign()
		if s == 0 {
			continue
		}
		if last != 0 && s != last {
			v++
		}
		last = s
	}
	return v, nil
}

// RootsIn returns the number of distinct real roots of p in the open
// interval (a, b) by Sturm's theorem. p must not vanish at a or b and must not
// be the zero polynomial.
func (p Poly) RootsIn(a, b *big.Rat) (int, error) { return p.RootsInWithin(a, b, nil) }

// RootsInWithin is RootsIn asking stop between the steps of the Sturm
// sequence: when stop says so it returns ErrBudget. With numbers of
// hundreds of thousands of bits one step is a few big-number operations,
// so the answer comes within about one operation of the stop.
func (p Poly) RootsInWithin(a, b *big.Rat, stop Stop) (int, error) {
	if p.Degree() < 0 {
		return 0, fmt.Errorf("roots of the zero polynomial")
	}
	if p.Eval(a).Sign() == 0 || p.Eval(b).Sign() == 0 {
		return 0, fmt.Errorf("polynomial vanishes at an end point")
	}
	seq, err := p.sturm(stop)
	if err != nil {
		return 0, err
	}
	va, err := variations(seq, a, stop)
	if err != nil {
		return 0, err
	}
	vb, err := variations(seq, b, stop)
	if err != nil {
		return 0, err
	}
	return va - vb, nil
}

// NegativeOn reports whether p(τ) < 0 for every τ in (0, b], b > 0. It
// divides out the largest power of τ (positive on the interval), then
// requires the quotient to be negative at 0 and at b with no root between.
func (p Poly) NegativeOn(b *big.Rat) bool {
	neg, _ := p.NegativeOnWithin(b, nil)
	return neg
}

// NegativeOnWithin is NegativeOn asking stop between steps; the error is
// ErrBudget when stop said so before the answer.
//
// It works fraction-free, without a single gcd: the coefficients are
// brought to integers over the product of their denominators, τ = b·s maps
// (0, b] to (0, 1], and Sturm's theorem runs on pseudo-remainders, whose
// integer coefficients are positive multiples of the rational remainders
// (each pseudo-division multiplies by a power of |lc| > 0). With numbers of
// hundreds of thousands of bits a gcd costs seconds (Lehmer is quadratic)
// while a product costs milliseconds, and the test runs on the loss
// polynomial of every decreasing segment.
func (p Poly) NegativeOnWithin(b *big.Rat, stop Stop) (bool, error) {
	if b.Sign() <= 0 || p.Degree() < 0 {
		return false, nil
	}
	k := 0
	for p[k].Sign() == 0 {
		k++
	}
	q := intPoly(p[k:p.Degree()+1], b)
	// q(0) < 0 and q(1) < 0.
	if q[0].Sign() >= 0 {
		return false, nil
	}
	var at1 big.Int
	for _, c := range q {
		at1.Add(&at1, c)
	}
	if at1.Sign() >= 0 {
		return false, nil
	}
	if len(q) == 1 {
		return true, nil
	}
	// Sturm sequence by pseudo-remainders; sign variations at 0 (the
	// constant terms) and at 1 (the coefficient sums).
	seq := [][]*big.Int{q, intDerivative(q)}
	for {
		if stop.Stopped() {
			return false, ErrBudget
		}
		a, bb := seq[len(seq)-2], seq[len(seq)-1]
		if len(bb) <= 1 {
			break
		}
		r := pseudoRem(a, bb)
		if len(r) == 0 {
			break
		}
		for _, c := range r {
			c.Neg(c)
		}
		seq = append(seq, r)
	}
	v0, v1 := 0, 0
	last0, last1 := 0, 0
	var sum big.Int
	for _, f := range seq {
		s0 := f[0].Sign()
		sum.SetInt64(0)
		for _, c := range f {
			sum.Add(&sum, c)
		}
		s1 := sum.Sign()
		if s0 != 0 {
			if last0 != 0 && s0 != last0 {
				v0++
			}
			last0 = s0
		}
		if s1 != 0 {
			if last1 != 0 && s1 != last1 {
				v1++
			}
			last1 = s1
		}
	}
	return v0 == v1, nil
}

// intPoly returns the integer coefficients of a positive multiple of
// s ↦ q(b·s): c_k·u^k·v^(n−k) times the product of the distinct
// denominators, for b = u/v (trailing zero coefficients dropped).
func intPoly(q Poly, b *big.Rat) []*big.Int {
	n := len(q) - 1
	for n > 0 && q[n].Sign() == 0 {
		n--
	}
	q = q[:n+1]
	den := big.NewInt(1)
	var seen []*big.Int
	for _, c := range q {
		d := c.Denom()
		dup := false
		for _, e := range seen {
			if e.Cmp(d) == 0 {
				dup = true
				break
			}
		}
		if !dup && !c.IsInt() {
			seen = append(seen, d)
			den.Mul(den, d)
		}
	}
	u, v := b.Num(), b.Denom()
	out := make([]*big.Int, n+1)
	upow := big.NewInt(1)
	for k, c := range q {
		z := new(big.Int).Mul(c.Num(), den)
		z.Quo(z, c.Denom()) // exact: c.Denom() divides den
		z.Mul(z, upow)
		z.Mul(z, new(big.Int).Exp(v, big.NewInt(int64(n-k)), nil))
		out[k] = z
		upow.Mul(upow, u)
	}
	return out
}

// intDerivative returns the derivative of an integer polynomial.
func intDerivative(f []*big.Int) []*big.Int {
	out := make([]*big.Int, len(f)-1)
	for k := 1; k < len(f); k++ {
		out[k-1] = new(big.Int).Mul(f[k], big.NewInt(int64(k)))
	}
	return out
}

// pseudoRem returns a positive multiple of the remainder of a divided by b
// (len(b) ≥ 2, b's leading coefficient nonzero): a is multiplied by
// |lc(b)| before each elimination step, so no division happens. Trailing
// zero coefficients are dropped; the zero polynomial is empty.
func pseudoRem(a, b []*big.Int) []*big.Int {
	r := make([]*big.Int, len(a))
	for i, c := range a {
		r[i] = new(big.Int).Set(c)
	}
	db := len(b) - 1
	lc := new(big.Int).Abs(b[db])
	sgn := b[db].Sign()
	var t big.Int
	for len(r)-1 >= db {
		top := r[len(r)-1]
		if top.Sign() == 0 {
			r = r[:len(r)-1]
			continue
		}
		// r ← |lc|·r − (lc(r)·sgn)·x^(deg r − db)·b, which kills the top term.
		f := new(big.Int).Set(top)
		if sgn < 0 {
			f.Neg(f)
		}
		sh := len(r) - 1 - db
		for i := range r {
			r[i].Mul(r[i], lc)
		}
		for i := 0; i <= db; i++ {
			t.Mul(f, b[i])
			r[sh+i].Sub(r[sh+i], &t)
		}
		r = r[:len(r)-1]
	}
	for len(r) > 0 && r[len(r)-1].Sign() == 0 {
		r = r[:len(r)-1]
	}
	return r
}
