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

// rem returns the remainder of a divided by b (b ≠ 0).
func (a Poly) rem(b Poly) Poly {
	r := make(Poly, len(a))
	for i := range a {
		r[i] = new(big.Rat).Set(a[i])
	}
	db := b.Degree()
	lead := b[db]
	var f, t big.Rat
	for dr := r.Degree(); dr >= db && dr >= 0; dr = r.Degree() {
		f.Quo(r[dr], lead)
		for i := 0; i <= db; i++ {
			t.Mul(&f, b[i])
			r[dr-db+i].Sub(r[dr-db+i], &t)
		}
		r[dr].SetInt64(0) // exact already; guards against nothing but clarity
	}
	return r[:max(r.Degree()+1, 1)]
}

// sturm returns the Sturm sequence p, p', −rem(p, p'), … of p.
func (p Poly) sturm() []Poly {
	seq := []Poly{p, p.Derivative()}
	for {
		a, b := seq[len(seq)-2], seq[len(seq)-1]
		if b.Degree() <= 0 {
			return seq
		}
		r := a.rem(b)
		if r.Degree() < 0 {
			return seq
		}
		for i := range r {
			r[i].Neg(r[i])
		}
		seq = append(seq, r)
	}
}

func variations(seq []Poly, t *big.Rat) int {
	v, last := 0, 0
	for _, q := range seq {
		s := q.Eval(t).Sign()
		if s == 0 {
			continue
		}
		if last != 0 && s != last {
			v++
		}
		last = s
	}
	return v
}

// RootsIn returns the number of distinct real roots of p in the open
// interval (a, b) by Sturm's theorem. p must not vanish at a or b and must not
// be the zero polynomial.
func (p Poly) RootsIn(a, b *big.Rat) (int, error) {
	if p.Degree() < 0 {
		return 0, fmt.Errorf("roots of the zero polynomial")
	}
	if p.Eval(a).Sign() == 0 || p.Eval(b).Sign() == 0 {
		return 0, fmt.Errorf("polynomial vanishes at an end point")
	}
	seq := p.sturm()
	return variations(seq, a) - variations(seq, b), nil
}

// NegativeOn reports whether p(τ) < 0 for every τ in (0, b], b > 0. It
// divides out the largest power of τ (positive on the interval), then
// requires the quotient to be negative at 0 and at b with no root between.
func (p Poly) NegativeOn(b *big.Rat) bool {
	if b.Sign() <= 0 || p.Degree() < 0 {
		return false
	}
	k := 0
	for p[k].Sign() == 0 {
		k++
	}
	q := p[k : p.Degree()+1]
	zero := new(big.Rat)
	if q.Eval(zero).Sign() >= 0 || q.Eval(b).Sign() >= 0 {
		return false
	}
	n, err := q.RootsIn(zero, b)
	return err == nil && n == 0
}
