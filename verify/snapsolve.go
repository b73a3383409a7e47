package verify

import (
	"fmt"
	"math"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// This file is snap's exact stage (docs/theory.md §8.1): given the
// planner's basis B and free values P_F, it solves the pattern's reduced
// KKT system
//
//	[M̄_Bᵀ M̄_B  C̄_Bᵀ] [P̄_B]   [M̄_Bᵀ(ȳ − M̄_F P̄_F)]
//	[C̄_B       0   ] [t̄  ] = [−C̄_F P̄_F        ]
//
// in integers by Dixon's p-adic lifting (exact.SolveDixon), then checks in
// exact arithmetic everything the polyhedron of stationary points asks:
// the normal equations of the free columns and the boundary rows left out
// (which hold when B spans the column space — verified, not assumed), the
// (S2) inequalities t_gi ∈ [ρ₋r_i, ρ₊r_i] (or the reverse interval) with
// κ·a_j·r_i ≥ 0, and every strict side. Only then is θ* built and handed
// to Check, which certifies it independently of all of this.

// snapExact is the exact stage's result on one pattern.
type snapExact struct {
	theta *Point
	// s2 is the boundary sample whose exact (S2) inequality fails, nil
	// when they all hold (or when the multipliers are not unique, where
	// Check decides).
	s2 *snapBlame
	// flips are the strict sides the exact point does not keep.
	flips []SignFlip
	// err is a failure of the exact stage itself (the basis found modulo
	// a prime does not span the column space).
	err error
	// digits is the size of the solution: the bit length of its common
	// denominator.
	denBits int
}

// solve runs the exact stage on a plan.
func (pl *snapPlan) solve() *snapExact {
	s := pl.sys
	poll := s.sn.poll
	out := &snapExact{}
	Abar := s.intRows()
	n, r, zk := s.n, len(pl.basis), len(pl.crows)
	// Fixed coordinates: the plan's values rounded to multiples of a
	// common power of two, 2⁻⁴⁴ relative to the largest coordinate.
	pf := make([]*big.Rat, len(pl.free))
	maxAbs := 0.0
	for _, v := range pl.P {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	e := 0
	if maxAbs > 0 {
		_, e = math.Frexp(maxAbs)
	}
	unit := math.Ldexp(1, e-44)
	fixedBar := make([]*big.Rat, s.N)
	freeBar := make([]*big.Rat, len(pl.free))
	for k, c := range pl.free {
		v := math.Round(pl.P[c]/unit) * unit
		pf[k] = new(big.Rat).SetFloat64(v)
		fixedBar[c] = s.toBar(c, pf[k])
		freeBar[k] = fixedBar[c]
	}
	// Common denominator δ of the fixed values in bar units.
	delta := exact.CommonDenominator(freeBar)
	fixedInt := make([]big.Int, s.N) // δ·P̄_F
	for _, c := range pl.free {
		fixedInt[c].Mul(fixedBar[c].Num(), new(big.Int).Quo(delta, fixedBar[c].Denom()))
	}
	// Reduced KKT.
	size := r + zk
	K := make([][]big.Int, size)
	for i := range K {
		K[i] = make([]big.Int, size)
	}
	rhs := make([]big.Int, size)
	// y' = δ·ȳ − M̄_F (δP̄_F), per sample.
	yp := make([]big.Int, n)
	var t big.Int
	for i := 0; i < n; i++ {
		yp[i].Mul(&s.ybar[i], delta)
		for _, c := range pl.free {
			if Abar[i][c].Sign() != 0 && fixedInt[c].Sign() != 0 {
				yp[i].Sub(&yp[i], t.Mul(&Abar[i][c], &fixedInt[c]))
			}
		}
	}
	for a, ca := range pl.basis {
		poll.now(stageSolve)
		for b := a; b < r; b++ {
			cb := pl.basis[b]
			var sum big.Int
			for i := 0; i < n; i++ {
				if Abar[i][ca].Sign() != 0 && Abar[i][cb].Sign() != 0 {
					sum.Add(&sum, t.Mul(&Abar[i][ca], &Abar[i][cb]))
				}
			}
			K[a][b].Set(&sum)
			K[b][a].Set(&sum)
		}
		for i := 0; i < n; i++ {
			if Abar[i][ca].Sign() != 0 {
				rhs[a].Add(&rhs[a], t.Mul(&Abar[i][ca], &yp[i]))
			}
		}
		for q, row := range pl.crows {
			K[a][r+q].Set(&Abar[n+row][ca])
			K[r+q][a].Set(&Abar[n+row][ca])
		}
	}
	for q, row := range pl.crows {
		for _, c := range pl.free {
			if Abar[n+row][c].Sign() != 0 {
				rhs[r+q].Sub(&rhs[r+q], t.Mul(&Abar[n+row][c], &fixedInt[c]))
			}
		}
	}
	poll.now(stageSolve)
	num, den, ok := exact.SolveDixon(K, rhs)
	poll.now(stageSolve)
	if !ok {
		out.err = fmt.Errorf("the reduced KKT system is singular: the basis chosen modulo a prime is not one over Q")
		return out
	}
	// Full solution with one denominator D = δ·den: PI/D = P̄, tI/D = t̄.
	D := new(big.Int).Mul(delta, den)
	PI := make([]big.Int, s.N)
	for k, c := range pl.basis {
		PI[c].Set(&num[k])
	}
	for _, c := range pl.free {
		PI[c].Mul(&fixedInt[c], den)
	}
	tI := make([]big.Int, len(s.zrows))
	for q, row := range pl.crows {
		tI[row].Set(&num[r+q])
	}
	out.denBits = D.BitLen()
	// Residuals RI = M̄·PI − ȳ·D (= D·σ_y·r).
	RI := make([]big.Int, n)
	for i := 0; i < n; i++ {
		RI[i].Mul(&s.ybar[i], D)
		RI[i].Neg(&RI[i])
		for c := 0; c < s.N; c++ {
			if Abar[i][c].Sign() != 0 && PI[c].Sign() != 0 {
				RI[i].Add(&RI[i], t.Mul(&Abar[i][c], &PI[c]))
			}
		}
	}
	// Every normal equation and every boundary row, exactly.
	for c := 0; c < s.N; c++ {
		poll.tick(stageSolve)
		var sum big.Int
		for i := 0; i < n; i++ {
			if Abar[i][c].Sign() != 0 {
				sum.Add(&sum, t.Mul(&Abar[i][c], &RI[i]))
			}
		}
		for q := range s.zrows {
			if Abar[n+q][c].Sign() != 0 {
				sum.Add(&sum, t.Mul(&Abar[n+q][c], &tI[q]))
			}
		}
		if sum.Sign() != 0 {
			out.err = fmt.Errorf("the normal equation of unknown %d fails: the basis chosen modulo a prime does not span the column space over Q", c)
			return out
		}
	}
	for q := range s.zrows {
		var sum big.Int
		for c := 0; c < s.N; c++ {
			if Abar[n+q][c].Sign() != 0 {
				sum.Add(&sum, t.Mul(&Abar[n+q][c], &PI[c]))
			}
		}
		if sum.Sign() != 0 {
			out.err = fmt.Errorf("boundary row %d fails: the boundary rows chosen modulo a prime do not span them over Q", q)
			return out
		}
	}
	// (S2) inequalities: t̄ between s̄₋R and s̄₊R (R = σ_y r), in units of D.
	if pl.tUnique {
		kappaSign := s.sPos.Cmp(&s.sNeg) // sign of κ (σ_ρ > 0)
		for q, zr := range s.zrows {
			g, i := zr[0], zr[1]
			var lo, hi big.Int
			lo.Mul(&s.sNeg, &RI[i])
			hi.Mul(&s.sPos, &RI[i])
			if lo.Cmp(&hi) > 0 {
				lo, hi = hi, lo
			}
			bad := tI[q].Cmp(&lo) < 0 || tI[q].Cmp(&hi) > 0
			for _, j := range s.groups[g].neurons {
				if kappaSign*s.a[j].Sign()*RI[i].Sign() < 0 {
					bad = true
				}
			}
			if bad && out.s2 == nil {
				out.s2 = &snapBlame{neuron: s.groups[g].neurons[0], sample: i}
			}
		}
	}
	// θ*: group products in natural units, split among the neurons.
	cand := s.sn.cand
	theta := &Point{Act: cand.Act, X: cand.X, Y: cand.Y, Neurons: make([]Neuron, cand.M())}
	Drat := new(big.Rat).SetInt(D)
	val := func(c int) *big.Rat {
		return s.fromBar(c, new(big.Rat).Quo(new(big.Rat).SetInt(&PI[c]), Drat))
	}
	if s.bias {
		theta.OutputBias = exact.Vec{val(s.N - 1)}
	}
	for g, gr := range s.groups {
		Pg := make(exact.Vec, s.d)
		for c := range Pg {
			Pg[c] = val(g*s.d + c)
		}
		prods := s.split(gr, Pg, pl.parallel[g])
		for k, j := range gr.neurons {
			a := s.a[j]
			theta.Neurons[j] = Neuron{W: prods[k].Scale(new(big.Rat).Inv(a)), A: exact.Vec{new(big.Rat).Set(a)}}
		}
	}
	// Strict sides. For a group of one neuron the sign of p_j·x_i is that
	// of PI_g·x̄_i (positive scalings); otherwise it is computed exactly.
	for g, gr := range s.groups {
		for _, j := range gr.neurons {
			poll.now(stageSolve)
			w := theta.Neurons[j].W
			for i := range cand.X.Rows() {
				sd := gr.side[i]
				if sd == 0 {
					continue
				}
				poll.tick(stageSolve)
				var sign int
				if len(gr.neurons) == 1 {
					var sum big.Int
					for c := 0; c < s.d; c++ {
						sum.Add(&sum, t.Mul(&PI[g*s.d+c], &s.xbar[i][c]))
					}
					sign = sum.Sign() * s.a[j].Sign()
				} else {
					sign = snapDot(w, cand.X.Row(i)).Sign()
				}
				if sign != int(sd) {
					out.flips = append(out.flips, SignFlip{Neuron: j, Sample: i, Side: sd, Pre: snapDot(w, cand.X.Row(i))})
				}
			}
		}
	}
	// The other neurons: dead and kept ones as given, zeroed ones zero,
	// dead-on-boundary ones projected.
	for j, sj := range s.pat.Neurons {
		nr := cand.Neurons[j]
		switch sj.Rule {
		case RuleDead, RuleKept:
			theta.Neurons[j] = nr.Clone()
		case RuleZeroed:
			theta.Neurons[j] = Neuron{W: exact.NewVec(cand.D()), A: exact.NewVec(cand.K())}
		case RuleDeadOnBoundary:
			w := snapProject(cand.X.Select(sj.Z), exact.NewVec(len(sj.Z)), nr.W)
			a := nr.A.Clone()
			if sj.Tiny {
				a = exact.NewVec(cand.K())
			}
			theta.Neurons[j] = Neuron{W: w, A: a}
		}
	}
	out.theta = theta
	return out
}

// split divides a group's product P_g among its neurons nearest θ̃ in the
// weights: with q_j = a_j w̃_j projected onto {u : x_i·u = 0, i ∈ Z_g},
// p_j = q_j + (a_j²/Σ_l a_l²)(P_g − Σ_l q_l). (Minimising
// Σ_j |p_j/a_j − w̃_j|² subject to Σ_j p_j = P_g and the boundary rows; for
// one neuron p_j = P_g.) With parallel set (the planner found that the
// nearest split breaks a member's side) the split is p_j = (a_j²/Σ a_l²)·P_g.
func (s *snapSystem) split(gr snapGroup, Pg exact.Vec, parallel bool) []exact.Vec {
	if len(gr.neurons) == 1 {
		return []exact.Vec{Pg}
	}
	if parallel {
		gam := new(big.Rat)
		for _, j := range gr.neurons {
			gam.Add(gam, new(big.Rat).Mul(s.a[j], s.a[j]))
		}
		out := make([]exact.Vec, len(gr.neurons))
		for k, j := range gr.neurons {
			f := new(big.Rat).Mul(s.a[j], s.a[j])
			out[k] = Pg.Scale(f.Quo(f, gam))
		}
		return out
	}
	cand := s.sn.cand
	Z := cand.X.Select(gr.z)
	qs := make([]exact.Vec, len(gr.neurons))
	sum := exact.NewVec(s.d)
	gam := new(big.Rat)
	for k, j := range gr.neurons {
		a := s.a[j]
		qs[k] = snapProject(Z, exact.NewVec(len(Z)), cand.Neurons[j].W.Scale(a))
		sum = sum.Add(qs[k])
		gam.Add(gam, new(big.Rat).Mul(a, a))
	}
	corr := Pg.Sub(sum)
	out := make([]exact.Vec, len(gr.neurons))
	for k, j := range gr.neurons {
		a := s.a[j]
		f := new(big.Rat).Mul(a, a)
		out[k] = qs[k].Add(corr.Scale(f.Quo(f, gam)))
	}
	return out
}
