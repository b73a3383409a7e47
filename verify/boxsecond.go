package verify

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// This file finds the direction of the second-order test of the big-float
// layer (DESIGN §4 test 2 over all alive neurons): on the critical
// directions δw_l ∈ V_l of every alive neuron, with every alive neuron's
// output weight δa_l and the output bias δb, the coefficient c₂ of the
// loss change (boxEval.secondOrder) is a quadratic form, 2n·c₂ = ηᵀHη in
// the coordinates η = (δw_l in a basis N_l of V_l, δa_l; δb). Its most
// negative eigenvector, rounded to rationals, is the candidate; the proof
// (c₂ + |c₃| + c₄ < 0 on all of the box, inside the safe radius) is made
// in interval arithmetic by boxEval.checkPath, the function RecheckBox
// uses. The blocks of H, with G_bc = Σ_i s_bi s_ci x_i x_iᵀ,
// M_b = Σ_i s_bi x_i r_iᵀ and u_b = Σ_i s_bi x_i:
//
//	(δw_b, δw_c): (a_b·a_c) N_bᵀ G_bc N_c      (δa_b, δa_c): (w_bᵀ G_bc w_c) I_k
//	(δa_b, δw_c): a_c (G_cb w_b)ᵀ N_c + [b = c] M_bᵀ N_b
//	(δb, δb): n I_k   (δb, δa_l): (u_l·w_l) I_k   (δb, δw_l): a_l u_lᵀ N_l
//
// (from 2n·c₂ = 2Σ_l δa_l·M_lᵀδw_l + Σ_i |A_i|² with A_i as in secondOrder).

// secondOrderForm returns H at the box center (midpoints) and, per alive
// neuron, the basis of V used for its δw block.
func (e *boxEval) secondOrderForm() (H [][]*big.Float, bases [][]exact.Vec) {
	s := e.s
	d, k := s.d, s.k
	prec := uint(128)
	mid := func(x *exact.Interval) *big.Float { return new(big.Float).SetPrec(prec).Set(x.Mid()) }
	bf := func(r *big.Rat) *big.Float { return new(big.Float).SetPrec(prec).SetRat(r) }
	mul := func(a, b *big.Float) *big.Float { return new(big.Float).SetPrec(prec).Mul(a, b) }
	na := len(s.alive)
	w := make([][]*big.Float, na)
	a := make([][]*big.Float, na)
	for b := range s.alive {
		for r := 0; r < d; r++ {
			w[b] = append(w[b], mid(e.v.w[b][r]))
		}
		for l := 0; l < k; l++ {
			a[b] = append(a[b], mid(e.v.a[b][l]))
		}
	}
	G := func(b, c, r, q int) *big.Float { return mid(s.g[b][c][r*d+q]) }
	// M_b (d×k) from the residuals at the midpoints.
	M := make([][][]*big.Float, na)
	for b := range s.alive {
		M[b] = make([][]*big.Float, d)
		for r := range M[b] {
			M[b][r] = make([]*big.Float, k)
			for l := range M[b][r] {
				M[b][r][l] = new(big.Float).SetPrec(prec)
			}
		}
		for i, x := range s.p.X {
			sl := s.slope[b][i]
			if sl.Sign() == 0 {
				continue
			}
			for r := 0; r < d; r++ {
				if x[r].Sign() == 0 {
					continue
				}
				c := bf(new(big.Rat).Mul(sl, x[r]))
				for l := 0; l < k; l++ {
					M[b][r][l].Add(M[b][r][l], mul(c, mid(e.r[i][l])))
				}
			}
		}
	}
	// Layout of η.
	var off []int
	n := 0
	for b, j := range s.alive {
		bases = append(bases, criticalBasis(s.p, s.nb[j].Z))
		off = append(off, n)
		n += len(bases[b]) + k
	}
	boff := n
	if s.bias {
		n += k
	}
	H = make([][]*big.Float, n)
	for i := range H {
		H[i] = make([]*big.Float, n)
		for c := range H[i] {
			H[i][c] = new(big.Float).SetPrec(prec)
		}
	}
	// Basis vectors as floats, and N_bᵀ v helpers.
	Nf := make([][][]*big.Float, na)
	for b := range bases {
		for _, u := range bases[b] {
			var row []*big.Float
			for _, x := range u {
				row = append(row, bf(x))
			}
			Nf[b] = append(Nf[b], row)
		}
	}
	dot := func(x, y []*big.Float) *big.Float {
		t := new(big.Float).SetPrec(prec)
		for i := range x {
			t.Add(t, mul(x[i], y[i]))
		}
		return t
	}
	gv := func(b, c int, v []*big.Float) []*big.Float { // G_bc v
		out := make([]*big.Float, d)
		for r := 0; r < d; r++ {
			out[r] = new(big.Float).SetPrec(prec)
			for q := 0; q < d; q++ {
				out[r].Add(out[r], mul(G(b, c, r, q), v[q]))
			}
		}
		return out
	}
	set := func(i, c int, x *big.Float) {
		H[i][c].Set(x)
		H[c][i].Set(x)
	}
	for b := 0; b < na; b++ {
		qb := len(bases[b])
		for c := b; c < na; c++ {
			qc := len(bases[c])
			ab := dot(a[b], a[c])
			for x := 0; x < qb; x++ {
				gx := gv(c, b, Nf[b][x]) // G_cb N_b e_x
				for y := 0; y < qc; y++ {
					if c == b && y < x {
						continue
					}
					set(off[b]+x, off[c]+y, mul(ab, dot(gx, Nf[c][y])))
				}
			}
			wgw := dot(w[b], gv(b, c, w[c]))
			for l := 0; l < k; l++ {
				set(off[b]+qb+l, off[c]+qc+l, wgw)
			}
		}
		for c := 0; c < na; c++ {
			qc := len(bases[c])
			hcb := gv(c, b, w[b]) // G_cb w_b
			for y := 0; y < qc; y++ {
				hn := dot(hcb, Nf[c][y])
				for l := 0; l < k; l++ {
					val := mul(a[c][l], hn)
					if b == c {
						// + (M_bᵀ N_b)_{l,y}
						t := new(big.Float).SetPrec(prec)
						for r := 0; r < d; r++ {
							t.Add(t, mul(M[b][r][l], Nf[b][y][r]))
						}
						val.Add(val, t)
					}
					set(off[b]+qb+l, off[c]+y, val)
				}
			}
		}
		if s.bias {
			ub := make([]*big.Float, d)
			for r := range ub {
				ub[r] = mid(s.u[b][r])
			}
			uw := dot(ub, w[b])
			for l := 0; l < k; l++ {
				set(boff+l, off[b]+qb+l, uw)
				for y := 0; y < qb; y++ {
					set(boff+l, off[b]+y, mul(a[b][l], dot(ub, Nf[b][y])))
				}
			}
		}
	}
	if s.bias {
		for l := 0; l < k; l++ {
			H[boff+l][boff+l].SetInt64(int64(s.p.N()))
		}
	}
	return H, bases
}

// secondOrderPath looks for a decreasing path by the second-order test and
// returns it proved on the box (checkPath), or nil and why not.
func (e *boxEval) secondOrderPath() (*BoxPath, string) {
	s := e.s
	H, bases := e.secondOrderForm()
	if len(H) == 0 {
		return nil, "there is no direction for the second-order test"
	}
	lam, vec, scale := symEigenMin(H, 128)
	tol := new(big.Float).SetMantExp(scale, -40)
	if new(big.Float).Neg(lam).Cmp(tol) <= 0 {
		return nil, fmt.Sprintf("the second-order form on the critical directions is positive semidefinite at the box center (smallest eigenvalue ≈ %s of %s): no second-order descent (deciding it needs higher order or copositivity, DESIGN §4)",
			lam.Text('g', 3), scale.Text('g', 3))
	}
	// η → the direction, entries rounded to 40-bit rationals.
	rat := func(f *big.Float) *big.Rat {
		r, _ := new(big.Float).SetPrec(40).Set(f).Rat(nil)
		return r
	}
	delta := s.p.ZeroDirection()
	pos := 0
	for b, j := range s.alive {
		for _, u := range bases[b] {
			delta[j].W.AddScaled(rat(vec[pos]), u)
			pos++
		}
		for l := 0; l < s.k; l++ {
			delta[j].A[l] = rat(vec[pos])
			pos++
		}
	}
	var db exact.Vec
	if s.bias {
		db = exact.NewVec(s.k)
		for l := range db {
			db[l] = rat(vec[pos])
			pos++
		}
	}
	c2, c3, c4 := e.secondOrder(delta, db)
	if c2.Sign() >= 0 {
		return nil, fmt.Sprintf("c₂ < 0 along the form's negative direction (eigenvalue ≈ %s) is not proved on B (c₂ ∈ %v)", lam.Text('g', 3), c2)
	}
	// τ: the largest power of two (≤ 1) inside the safe radius with
	// c₂ + τ|c₃| + τ²c₄ < 0.
	tau := big.NewRat(1, 1)
	kinked := s.p.Act.Kappa().Sign() != 0
	for try := 0; try < 400; try++ {
		ti := s.ivRat(tau)
		sum := s.newIv().Mul(ti, s.newIv().SetFloat(c3.Mag()))
		sum.AddMul(s.newIv().Sqr(ti), c4)
		sum.Add(sum, c2)
		ok := sum.Sign() < 0
		for b, j := range s.alive {
			if !ok || !kinked {
				break
			}
			for i, x := range s.p.X {
				if s.nb[j].Side[i] == 0 {
					continue
				}
				t := s.ivRat(new(big.Rat).Abs(new(big.Rat).Mul(tau, x.Dot(delta[j].W))))
				if t.Sub(t, s.newIv().SetFloat(e.pre[b][i].Mig())).Sign() >= 0 {
					ok = false
					break
				}
			}
		}
		if ok {
			path := &BoxPath{Rule: PathSecondOrder, Delta: delta.Scale(tau)}
			if db != nil {
				path.DeltaBias = db.Scale(tau)
			}
			if err := e.checkPath(path); err != nil {
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
				// Rotate rows/columns p and q.
				for k := 0; k < n; k++ {
					akp, akq := nf().Set(a[k][p]), nf().Set(a[k][q])
					a[k][p].Sub(nf().Mul(c, akp), nf().Mul(sn, akq))
					a[k][q].Add(nf().Mul(sn, akp), nf().Mul(c, akq))
				}
				for k := 0; k < n; k++ {
					apk, aqk := nf().Set(a[p][k]), nf().Set(a[q][k])
					a[p][k].Sub(nf().Mul(c, apk), nf().Mul(sn, aqk))
					a[q][k].Add(nf().Mul(sn, apk), nf().Mul(c, aqk))
				}
				for k := 0; k < n; k++ {
					vkp, vkq := nf().Set(v[k][p]), nf().Set(v[k][q])
					v[k][p].Sub(nf().Mul(c, vkp), nf().Mul(sn, vkq))
					v[k][q].Add(nf().Mul(sn, vkp), nf().Mul(c, vkq))
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
