package recheck

import (
	"math/big"

	"github.com/relucert/relucert/exact"
)

// This file holds the quadratic form of the second-order test of the
// big-float layer (docs/theory.md §4 test 2 over all alive neurons): on the critical
// directions δw_l ∈ V_l of every alive neuron, with every alive neuron's
// output weight δa_l and the output bias δb, the coefficient c₂ of the
// loss change (BoxEval.SecondOrder) is a quadratic form, 2n·c₂ = ηᵀHη in
// the coordinates η = (δw_l in a basis N_l of V_l, δa_l; δb). The search
// (package verify) takes its most negative eigenvector as the candidate
// direction; the proof is CheckPath. The blocks of H, with G_bc = Σ_i s_bi s_ci x_i x_iᵀ,
// M_b = Σ_i s_bi x_i r_iᵀ and u_b = Σ_i s_bi x_i:
//
//	(δw_b, δw_c): (a_b·a_c) N_bᵀ G_bc N_c      (δa_b, δa_c): (w_bᵀ G_bc w_c) I_k
//	(δa_b, δw_c): a_c (G_cb w_b)ᵀ N_c + [b = c] M_bᵀ N_b
//	(δb, δb): n I_k   (δb, δa_l): (u_l·w_l) I_k   (δb, δw_l): a_l u_lᵀ N_l
//
// (from 2n·c₂ = 2Σ_l δa_l·M_lᵀδw_l + Σ_i |A_i|² with A_i as in secondOrder).

// SecondOrderForm returns H, 2n·c₂ = ηᵀHη, at the box's midpoints, with
// bases[b] a basis N_b of V_j for the b-th alive neuron j (in the order of
// Alive). η holds, per alive neuron, the coordinates of δw_j in N_b and
// δa_j (k); then δb (k) with an output bias.
func (e *BoxEval) SecondOrderForm(bases [][]exact.Vec) (H [][]*big.Float) {
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
		for i := range s.p.X.Rows() {
			x := s.p.X.Row(i)
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
		_ = j
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
	return H
}
