package verify

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
)

// This file finds the direction of the second-order test of the big-float
// layer (docs/theory.md §4 test 2 over all alive neurons; the quadratic form is
// recheck.BoxEval.SecondOrderForm): its most negative eigenvector, rounded
// to rationals, is the candidate; the proof (c₂ + |c₃| + c₄ < 0 on all of
// the box, inside the safe radius) is made in interval arithmetic by
// recheck.BoxEval.CheckPath, which RecheckBox runs too.

// secondOrderPath looks for a decreasing path by the second-order test and
// returns it proved on the box (checkPath), or nil and why not.
func (bs *boxSearch) secondOrderPath() (*recheck.BoxPath, string) {
	s, e, p := bs.s, bs.e, bs.p
	var bases [][]exact.Vec
	for _, j := range s.Alive() {
		bases = append(bases, criticalBasis(p, bs.nb[j].Z))
	}
	H := e.SecondOrderForm(bases)
	if len(H) == 0 {
		return nil, "there is no direction for the second-order test"
	}
	lam, vec, scale := symEigenMin(H, 64)
	tol := new(big.Float).SetMantExp(scale, -40)
	if new(big.Float).Neg(lam).Cmp(tol) <= 0 {
		return nil, fmt.Sprintf("the second-order form on the critical directions is positive semidefinite at the box center (smallest eigenvalue ≈ %s, largest entry %s): no second-order descent (deciding it needs higher order or copositivity, docs/theory.md §4)",
			lam.Text('g', 3), scale.Text('g', 3))
	}
	// η → the direction, entries rounded to 40-bit rationals.
	rat := func(f *big.Float) *big.Rat {
		r, _ := new(big.Float).SetPrec(40).Set(f).Rat(nil)
		return r
	}
	delta := p.ZeroDirection()
	pos := 0
	for b, j := range s.Alive() {
		for _, u := range bases[b] {
			delta[j].W.AddScaled(rat(vec[pos]), u)
			pos++
		}
		for l := 0; l < p.K(); l++ {
			delta[j].A[l] = rat(vec[pos])
			pos++
		}
	}
	var db exact.Vec
	if s.HasBias() {
		db = exact.NewVec(p.K())
		for l := range db {
			db[l] = rat(vec[pos])
			pos++
		}
	}
	c2, c3, c4 := e.SecondOrder(delta, db)
	if c2.Sign() >= 0 {
		return nil, fmt.Sprintf("c₂ < 0 along the form's negative direction (eigenvalue ≈ %s) is not proved on B (c₂ ∈ %v)", lam.Text('g', 3), c2)
	}
	// τ: the largest power of two (≤ 1) below the safe step with
	// c₂ + τ|c₃| + τ²c₄ < 0 (upper bounds).
	safe := e.SafeStep(delta)
	prec := s.Prec()
	tau := big.NewRat(1, 1)
	for try := 0; try < 400; try++ {
		ti := exact.IntervalOfRat(tau, prec)
		sum := exact.NewInterval(prec).Mul(ti, exact.NewInterval(prec).SetFloat(c3.Mag()))
		sum.AddMul(exact.NewInterval(prec).Sqr(ti), c4)
		sum.Add(sum, c2)
		if sum.Sign() < 0 && (safe == nil || ti.Hi.Cmp(safe) < 0) {
			path := &recheck.BoxPath{Rule: recheck.PathSecondOrder, Delta: delta.Scale(tau)}
			if db != nil {
				path.DeltaBias = db.Scale(tau)
			}
			if err := e.CheckPath(path); err != nil {
				return nil, "the second-order path did not verify: " + err.Error()
			}
			return path, ""
		}
		tau.Quo(tau, big.NewRat(2, 1))
	}
	return nil, "no step of the second-order path fits the safe radius"
}

// symEigenMin returns the smallest eigenvalue of the symmetric matrix A,
// a unit eigenvector for it, and max |A_ij| (the scale of the
// eigenvalues), by the cyclic Jacobi method in big.Float at precision prec
// (A is not modified).
func symEigenMin(A [][]*big.Float, prec uint) (*big.Float, []*big.Float, *big.Float) {
	n := len(A)
	a := make([][]*big.Float, n)
	v := make([][]*big.Float, n)
	scale := new(big.Float)
	for i := range a {
		a[i] = make([]*big.Float, n)
		v[i] = make([]*big.Float, n)
		for j := range a[i] {
			a[i][j] = new(big.Float).SetPrec(prec).Set(A[i][j])
			v[i][j] = new(big.Float).SetPrec(prec)
			if x := new(big.Float).Abs(A[i][j]); x.Cmp(scale) > 0 {
				scale = x
			}
		}
		v[i][i].SetInt64(1)
	}
	nf := func() *big.Float { return new(big.Float).SetPrec(prec) }
	t1, t2, t3, t4 := nf(), nf(), nf(), nf()
	one := big.NewFloat(1)
	eps := new(big.Float).SetMantExp(one, -int(prec)+8)
	for sweep := 0; sweep < 60; sweep++ {
		off := nf()
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				off.Add(off, nf().Mul(a[i][j], a[i][j]))
			}
		}
		lim := nf().Mul(scale, scale)
		lim.Mul(lim, eps)
		if off.Cmp(lim) <= 0 {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				if a[p][q].Sign() == 0 {
					continue
				}
				// θ = (a_qq − a_pp)/(2 a_pq); t = sgn θ/(|θ| + √(θ² + 1)).
				theta := nf().Sub(a[q][q], a[p][p])
				theta.Quo(theta, nf().Mul(big.NewFloat(2), a[p][q]))
				t := nf().Mul(theta, theta)
				t.Add(t, one)
				t.Sqrt(t)
				t.Add(t, nf().Abs(theta))
				t.Quo(one, t)
				if theta.Sign() < 0 {
					t.Neg(t)
				}
				c := nf().Mul(t, t)
				c.Add(c, one)
				c.Sqrt(c)
				c.Quo(one, c)
				sn := nf().Mul(t, c)
				// Rotate rows/columns p and q (temporaries reused: this loop
				// is the cost of the search).
				rot := func(x, y *big.Float) {
					t1.Mul(c, x)
					t2.Mul(sn, y)
					t3.Mul(sn, x)
					t4.Mul(c, y)
					x.Sub(t1, t2)
					y.Add(t3, t4)
				}
				for k := 0; k < n; k++ {
					rot(a[k][p], a[k][q])
				}
				for k := 0; k < n; k++ {
					rot(a[p][k], a[q][k])
				}
				for k := 0; k < n; k++ {
					rot(v[k][p], v[k][q])
				}
			}
		}
	}
	best := 0
	for i := 1; i < n; i++ {
		if a[i][i].Cmp(a[best][best]) < 0 {
			best = i
		}
	}
	vec := make([]*big.Float, n)
	for k := range vec {
		vec[k] = v[k][best]
	}
	return a[best][best], vec, scale
}
