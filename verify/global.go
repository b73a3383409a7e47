package verify

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
)

// This file holds Theorem G: global optimality through the convex
// reformulation of the training problem (docs/theory.md §10).
//
// Every network of every width has outputs f(X) = Σ_j ρ(X w_j) a_jᵀ, whose
// columns lie in the feature space S = span{ρ(Xu) : u ∈ R^d} ⊆ Q^n, and
// every matrix with columns in S is the output of some network: S is the
// set of outputs of the convex program over the activation patterns
// (Wang, Lacotte & Pilanci, arXiv 2006.05900) with its cone constraints,
// which bind nothing without a weight penalty. Hence
//
//	L* = inf over all widths of L = (1/2n) |Y − P_S Y|²,
//
// attained by a network computing P_S Y. By the E1/E2 identity of
// docs/theory.md §4 applied to Σ_i r_i ρ(x_i·u),
//
//	S^⊥ = {R : σ Σ_i r_i x_i = 0, κ Σ_{i∈ℓ} |t_i| r_i = 0 for every line ℓ}
//
// with σ = ρ₊ + ρ₋, κ = ρ₊ − ρ₋ and the lines ℓ through the origin that
// hold nonzero samples (x_i = t_i e_ℓ). So S is spanned by the columns of X
// (when σ ≠ 0) and the line vectors v_ℓ = (|t_i|)_{i∈ℓ} (when κ ≠ 0), and
// a network is optimal among all widths iff its residuals satisfy E1 and E2
// over all samples — iff a zero neuron added to it would not escape. This
// test needs no enumeration of patterns. With an output bias b the
// constants join S and (S0) Σ_i r_i = 0 joins the test.

// Budgets of Theorem G (whether L(θ) = L* is decided for every size, from
// the engine's integer sums): L* and its fit are computed when n·d is at
// most maxFitWork; a network reaching L* is built when n·(lines + d) is at
// most maxWitnessWork, pruned to independent features when the feature
// matrix has at most maxPruneEntries entries, and the greedy search for a
// width-m network runs when it has at most maxGreedyEntries.
const (
	maxFitWork       = 1 << 14
	maxWitnessWork   = 1 << 13
	maxPruneEntries  = recheck.MaxPruneEntries
	maxGreedyEntries = 1 << 11
)

// featureSpace is S = span{ρ(Xu)} (plus the constants with an output bias)
// for the samples of a point: the lines through the origin of its nonzero
// samples (grouped on first use) and σ = ρ₊ + ρ₋, κ = ρ₊ − ρ₋.
type featureSpace struct {
	p            *Point
	nonzero      []int
	groups       [][]int // the samples of each line (nil until grouped)
	lines        []*line // the lines as objects (nil until asked for)
	grouped      bool
	lk           lineKey
	sigma, kappa *big.Rat
}

// newFeatureSpace returns the feature space of p's samples; lk groups them
// by line, zero[i] says whether x_i = 0.
func newFeatureSpace(p *Point, lk lineKey, zero []bool) *featureSpace {
	fs := &featureSpace{p: p, sigma: new(big.Rat).Add(p.Act.Pos, p.Act.Neg), kappa: p.Act.Kappa(), lk: lk}
	for i, z := range zero {
		if !z {
			fs.nonzero = append(fs.nonzero, i)
		}
	}
	return fs
}

// lineGroups returns the samples of each line of the nonzero samples.
func (fs *featureSpace) lineGroups() [][]int {
	if !fs.grouped {
		fs.groups, fs.grouped = lineGroups(fs.nonzero, fs.p.D(), fs.lk), true
	}
	return fs.groups
}

// lineSet returns the lines of the nonzero samples.
func (fs *featureSpace) lineSet() []*line {
	if fs.lines == nil {
		fs.lines = linesOf(fs.p.X, fs.lineGroups())
	}
	return fs.lines
}

// lineIndices returns the sample indices of each line (the groups
// themselves: callers do not write into them).
func (fs *featureSpace) lineIndices() [][]int {
	if g := fs.lineGroups(); g != nil {
		return g
	}
	return [][]int{}
}

// fit returns P_S Y in the spanning set of S, and P_S Y row by row. With
// V = [v_ℓ] (disjoint supports), C the free columns — those of X when
// σ ≠ 0, and the ones column with an output bias — and C̃ = (I − P_V) C,
// S = span V ⊕ col C̃, so P_S Y = C Γ + P_V(Y − C Γ) where C̃ᵀC̃ Γ = C̃ᵀ Y.
func (fs *featureSpace) fit() (*recheck.GlobalFit, []exact.Vec, error) {
	p := fs.p
	n, d, k := p.N(), p.D(), p.K()
	bias := p.HasOutputBias()
	// The free columns, row by row: x_i (σ ≠ 0) and 1 (bias).
	var cols []exact.Vec
	nc := 0
	if fs.sigma.Sign() != 0 {
		nc = d
	}
	if bias {
		nc++
	}
	cols = make([]exact.Vec, n)
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		cols[i] = exact.NewVec(nc)
		if fs.sigma.Sign() != 0 {
			for c := range x {
				cols[i][c].Set(x[c])
			}
		}
		if bias {
			cols[i][nc-1].SetInt64(1)
		}
	}
	gamma := exact.NewMat(nc, k) // row c: γ_c ∈ Q^k
	cg := make([]exact.Vec, n)   // rows of C Γ
	for i := range cg {
		cg[i] = exact.NewVec(k)
	}
	if nc > 0 {
		// C̃ = C − P_V C: on a line, subtract the projection of each column
		// onto v_ℓ.
		ct := make([]exact.Vec, n)
		for i, c := range cols {
			ct[i] = c.Clone()
		}
		if fs.kappa.Sign() != 0 {
			for _, l := range fs.lineSet() {
				proj := lineProjection(l, func(i int) exact.Vec { return cols[i] }, nc)
				for c, i := range l.samples {
					ct[i].AddScaled(new(big.Rat).Neg(new(big.Rat).Abs(l.t[c])), proj)
				}
			}
		}
		M := exact.NewMat(nc, nc)
		for _, c := range ct {
			for a := 0; a < nc; a++ {
				if c[a].Sign() != 0 {
					M[a].AddScaled(c[a], c)
				}
			}
		}
		for out := 0; out < k; out++ {
			b := exact.NewVec(nc)
			for i, c := range ct {
				b.AddScaled(p.Y.At(i, out), c)
			}
			g, ok := exact.SolveLinear(M, b, nc)
			if !ok {
				return nil, nil, fmt.Errorf("internal error: normal equations of the feature space are inconsistent")
			}
			for c := range g {
				gamma[c][out].Set(g[c])
			}
		}
		for i, c := range cols {
			for a := 0; a < nc; a++ {
				cg[i].AddScaled(c[a], gamma[a])
			}
		}
	}
	f := &recheck.GlobalFit{Gamma: exact.NewMat(d, k)}
	if fs.sigma.Sign() != 0 {
		f.Gamma = gamma[:d]
	}
	if bias {
		f.Bias = gamma[nc-1]
	}
	yhat := make([]exact.Vec, n)
	for i := range yhat {
		yhat[i] = cg[i].Clone()
	}
	f.Beta = make([]exact.Vec, len(fs.lineSet()))
	for li, l := range fs.lineSet() {
		f.Beta[li] = exact.NewVec(k)
		if fs.kappa.Sign() == 0 {
			continue
		}
		f.Beta[li] = lineProjection(l, func(i int) exact.Vec { return p.Y.Row(i).Sub(cg[i]) }, k)
		for c, i := range l.samples {
			yhat[i].AddScaled(new(big.Rat).Abs(l.t[c]), f.Beta[li])
		}
	}
	return f, yhat, nil
}

// network returns a network computing the fit's outputs: X Γ by the pairs
// (±e_c, ±γ_c/σ) — ρ(z) − ρ(−z) = σz —, each v_ℓ β_ℓᵀ by three neurons at
// u₀ ⊥ e_ℓ off every other line — ρ(X(u₀+εe_ℓ)) + ρ(X(u₀−εe_ℓ)) −
// 2ρ(Xu₀) = κε|e_ℓ|² v_ℓ —, and the constant B by the output bias.
func (fs *featureSpace) network(f *recheck.GlobalFit) *recheck.Net {
	d := fs.p.D()
	net := &recheck.Net{OutputBias: f.Bias}
	if fs.sigma.Sign() != 0 {
		inv := new(big.Rat).Inv(fs.sigma)
		for c, g := range f.Gamma {
			if g.IsZero() {
				continue
			}
			e := exact.NewVec(d)
			e[c].SetInt64(1)
			a := g.Scale(inv)
			net.Neurons = append(net.Neurons, Neuron{W: e, A: a}, Neuron{W: e.Neg(), A: a.Neg()})
		}
	}
	for li, l := range fs.lineSet() {
		beta := f.Beta[li]
		if beta.IsZero() {
			continue
		}
		u0 := offLine(d, l, fs.lineSet())
		eps := lineEpsilon(fs.p.X, fs.nonzero, l, u0)
		// a = β/(κε|e|²) on u₀ ± εe_ℓ and −2a on u₀.
		scale := new(big.Rat).Mul(fs.kappa, eps)
		scale.Mul(scale, l.rep().Norm2())
		a := beta.Scale(scale.Inv(scale))
		net.Neurons = append(net.Neurons,
			Neuron{W: u0.Clone().AddScaled(eps, l.rep()), A: a},
			Neuron{W: u0.Clone().AddScaled(new(big.Rat).Neg(eps), l.rep()), A: a.Clone()},
			Neuron{W: u0, A: a.Scale(big.NewRat(-2, 1))})
	}
	return net
}

// featureE1 returns the k×d matrix (σ/2) Σ_i r_i x_iᵀ, the odd part of
// u ↦ Σ_i r_i ρ(x_i·u) (E1 of a zero neuron).
func featureE1(act Activation, xs *exact.RatMat, r []exact.Vec) exact.Mat {
	half := new(big.Rat).Add(act.Pos, act.Neg)
	half.Quo(half, big.NewRat(2, 1))
	e1 := exact.NewMat(len(r[0]), xs.Cols())
	if half.Sign() == 0 {
		return e1
	}
	for i := range xs.Rows() {
		x := xs.Row(i)
		for l, ril := range r[i] {
			if ril.Sign() != 0 {
				e1[l].AddScaled(new(big.Rat).Mul(half, ril), x)
			}
		}
	}
	return e1
}

// orthogonalToFeatures reports whether the rows r_i are orthogonal to every
// feature ρ(Xu), u ∈ R^d, and (when bias is set) to the constants:
// σ Σ_i r_i x_iᵀ = 0 (E1 over all samples), when κ ≠ 0 Σ_{i∈ℓ} |t_i| r_i = 0
// on every line ℓ (E2), and Σ_i r_i = 0 (S0) — by the identity
// Σ_i r_i ρ(x_i·u) = (σ/2) Σ_i r_i (x_i·u) + (κ/2) Σ_ℓ (Σ_{i∈ℓ} |t_i| r_i) |e_ℓ·u|
// and the linear independence of u ↦ x·u and the |e_ℓ·u| of distinct lines.
// lines must be the lines of all nonzero samples.
func orthogonalToFeatures(act Activation, xs *exact.RatMat, lines []*line, r []exact.Vec, bias bool) bool {
	if !featureE1(act, xs, r).IsZero() {
		return false
	}
	if act.Kappa().Sign() != 0 {
		for _, l := range lines {
			if !lineSum(l, func(i int) exact.Vec { return r[i] }).IsZero() {
				return false
			}
		}
	}
	return !bias || residualSum(r).IsZero()
}

// residualSum returns Σ_i r_i.
func residualSum(r []exact.Vec) exact.Vec {
	s := exact.NewVec(len(r[0]))
	for _, ri := range r {
		s.AddScaled(big.NewRat(1, 1), ri)
	}
	return s
}

// featureWitness returns u and q = Σ_i r_i ρ(x_i·u) ≠ 0 for rows r_i that
// are not orthogonal to S (zeroWitness on the response map of a zero
// neuron: all samples on its hyperplane), or nil; e1 is featureE1 of r.
func (fs *featureSpace) featureWitness(r []exact.Vec, e1 exact.Mat) (u, q exact.Vec, err error) {
	p := fs.p
	resp := func(u exact.Vec) exact.Vec {
		out := exact.NewVec(p.K())
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			out.AddScaled(p.Act.Apply(x.Dot(u)), r[i])
		}
		return out
	}
	var ls []*line
	if e1.IsZero() {
		ls = fs.lineSet() // E2 decides
	}
	u, err = zeroWitness(p.D(), e1, resp, fs.kappa, p.X, fs.nonzero, ls,
		func(l *line) exact.Vec { return lineSum(l, func(i int) exact.Vec { return r[i] }) })
	if err != nil || u == nil {
		return nil, nil, err
	}
	u = primitive(u) // the same direction, integer entries
	return u, resp(u), nil
}

// lineProjection returns the coefficient Σ_{i∈ℓ} |t_i| z_i / Σ_{i∈ℓ} t_i² of
// the projection of the rows z_i onto the line vector v_ℓ = (|t_i|)_{i∈ℓ}.
func lineProjection(l *line, z func(i int) exact.Vec, width int) exact.Vec {
	num := exact.NewVec(width)
	den := new(big.Rat)
	for c, i := range l.samples {
		num.AddScaled(new(big.Rat).Abs(l.t[c]), z(i))
		den.Add(den, new(big.Rat).Mul(l.t[c], l.t[c]))
	}
	return num.Scale(den.Inv(den))
}

// features returns the n×W matrix ρ(x_i·w_j) of the neurons' features.
func features(p *Point, ws []exact.Vec) exact.Mat {
	F := make(exact.Mat, p.N())
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		F[i] = make(exact.Vec, len(ws))
		for j, w := range ws {
			F[i][j] = p.Act.Apply(w.Dot(x))
		}
	}
	return F
}

// prune returns a network with linearly independent features computing the
// same outputs as net (a basis of its features; Carathéodory for the
// linear span; the output bias is kept), or net itself and false when the
// feature matrix exceeds the budget.
func prune(p *Point, net *recheck.Net) (*recheck.Net, bool, error) {
	out := &recheck.Net{Neurons: []Neuron{}, OutputBias: net.OutputBias}
	if len(net.Neurons) == 0 {
		return out, true, nil
	}
	if p.N()*len(net.Neurons) > maxPruneEntries {
		return net, false, nil
	}
	ws := make([]exact.Vec, len(net.Neurons))
	for j, nr := range net.Neurons {
		ws[j] = nr.W
	}
	F := features(p, ws)
	as, ok := pruneBasis(F, net.Neurons, p.K())
	if !ok {
		// The basis chosen modulo a prime is not one over Q (or p divides
		// a needed minor): elimination over Q decides.
		as = pruneRational(F, net.Neurons, p.K())
		if as == nil {
			return nil, false, fmt.Errorf("internal error: a network's outputs are not in the span of its features")
		}
	}
	for j, a := range as {
		if !a.IsZero() {
			out.Neurons = append(out.Neurons, Neuron{W: net.Neurons[j].W.Clone(), A: a})
		}
	}
	return out, true, nil
}

// pruneBasis returns output weights α (row j: neuron j's new a_j) with
// Fα = F a (a the neurons' output weights), zero off a set J of linearly
// independent columns of F spanning the columns a needs: J is the columns
// of F independent of those before them modulo a prime
// (exact.IndependentColumns on F with its columns and rows scaled to
// integers), α_J
// solves |J| independent rows of F_J α_J = F a by Dixon's p-adic lifting
// (exact.SolveDixon), and every one of the n equations is then checked in
// integers. ok = false when that check fails (a prime that divides a
// needed minor); nothing is then claimed.
func pruneBasis(F exact.Mat, nrs []Neuron, k int) (exact.Mat, bool) {
	n, W := len(F), len(nrs)
	// F̄ = R F C in integers: column j times the common denominator c_j of
	// the column (the neuron's own scale), then row i times the common
	// denominator of what is left (the sample's). F α = F a becomes
	// F̄ (C⁻¹α) = F̄ (C⁻¹a).
	C := make([]*big.Int, W)
	col := make([]*big.Rat, len(F))
	for j := range C {
		for i := range F {
			col[i] = F[i][j]
		}
		C[j] = exact.CommonDenominator(col)
	}
	Fbar := make([][]big.Int, n)
	for i, row := range F {
		fc := make([]*big.Rat, W)
		for j, v := range row {
			fc[j] = new(big.Rat).Mul(v, new(big.Rat).SetInt(C[j]))
		}
		den := exact.CommonDenominator(fc)
		Fbar[i] = make([]big.Int, W)
		var t big.Int
		for j, v := range fc {
			Fbar[i][j].Mul(v.Num(), t.Quo(den, v.Denom()))
		}
	}
	order := make([]int, W)
	for j := range order {
		order[j] = j
	}
	J := exact.IndependentColumns(Fbar, order)
	// |J| rows of F̄_J independent modulo the prime: the columns of F̄_Jᵀ.
	FJt := make([][]big.Int, len(J))
	for c, j := range J {
		FJt[c] = make([]big.Int, n)
		for i := range Fbar {
			FJt[c][i].Set(&Fbar[i][j])
		}
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	I := exact.IndependentColumns(FJt, rows)
	if len(I) != len(J) {
		return nil, false
	}
	as := make(exact.Mat, W)
	for j := range as {
		as[j] = exact.NewVec(k)
	}
	var t big.Int
	for o := 0; o < k; o++ {
		// Right-hand side F̄ ā with ā = δ·C⁻¹a_{·o} integer.
		ac := make([]*big.Rat, W)
		for j, nr := range nrs {
			ac[j] = new(big.Rat).Quo(nr.A[o], new(big.Rat).SetInt(C[j]))
		}
		delta := exact.CommonDenominator(ac)
		abar := make([]big.Int, W)
		for j, v := range ac {
			abar[j].Mul(v.Num(), t.Quo(delta, v.Denom()))
		}
		rhs := make([]big.Int, n)
		for i := range Fbar {
			for j := range abar {
				if abar[j].Sign() != 0 && Fbar[i][j].Sign() != 0 {
					rhs[i].Add(&rhs[i], t.Mul(&Fbar[i][j], &abar[j]))
				}
			}
		}
		A := make([][]big.Int, len(I))
		b := make([]big.Int, len(I))
		for r, i := range I {
			A[r] = make([]big.Int, len(J))
			for c, j := range J {
				A[r][c].Set(&Fbar[i][j])
			}
			b[r].Set(&rhs[i])
		}
		num, den, ok := exact.SolveDixon(A, b)
		if !ok {
			return nil, false
		}
		// Every equation: Σ_{j∈J} F̄_ij num_j = den·rhs_i.
		for i := range Fbar {
			var sum big.Int
			for c, j := range J {
				if num[c].Sign() != 0 && Fbar[i][j].Sign() != 0 {
					sum.Add(&sum, t.Mul(&Fbar[i][j], &num[c]))
				}
			}
			if sum.Cmp(t.Mul(den, &rhs[i])) != 0 {
				return nil, false
			}
		}
		// α_J = C_J num/(den·δ).
		dd := new(big.Int).Mul(den, delta)
		for c, j := range J {
			as[j][o].SetFrac(t.Mul(&num[c], C[j]), dd)
		}
	}
	return as, true
}

// pruneRational is pruneBasis by elimination over Q (exact.SolveLinear: the
// pivot columns), or nil when Fα = F a has no solution (impossible).
func pruneRational(F exact.Mat, nrs []Neuron, k int) exact.Mat {
	as := make(exact.Mat, len(nrs))
	for j := range as {
		as[j] = exact.NewVec(k)
	}
	for o := 0; o < k; o++ {
		y := exact.NewVec(len(F))
		for j, nr := range nrs {
			if nr.A[o].Sign() == 0 {
				continue
			}
			for i := range y {
				y[i].Add(y[i], new(big.Rat).Mul(nr.A[o], F[i][j]))
			}
		}
		// The particular solution is zero off the pivot columns, which are
		// the same for every output.
		alpha, ok := exact.SolveLinear(F, y, len(nrs))
		if !ok {
			return nil
		}
		for j := range alpha {
			as[j][o].Set(alpha[j])
		}
	}
	return as
}

// greedyWidth looks for a network of width ≤ m with a small loss by forward
// selection over the candidate directions: m times, the feature that most
// reduces the least-squares residual of the targets (exact Gram–Schmidt,
// starting from the constants when there is an output bias; ties to the
// first), then the least-squares output weights (and bias) on the chosen
// features. It returns nil when the search is over budget or m = 0.
func greedyWidth(p *Point, cands []exact.Vec, m int) *recheck.Net {
	n, k := p.N(), p.K()
	bias := p.HasOutputBias()
	if m == 0 || len(cands) == 0 || n*len(cands) > maxGreedyEntries {
		return nil
	}
	F := features(p, cands)
	col := func(j int) exact.Vec {
		v := make(exact.Vec, n)
		for i := range v {
			if j < 0 {
				v[i] = big.NewRat(1, 1) // the constants of the output bias
			} else {
				v[i] = new(big.Rat).Set(F[i][j])
			}
		}
		return v
	}
	perp := make([]exact.Vec, len(cands)) // candidate features minus their projection on the chosen span
	for j := range perp {
		perp[j] = col(j)
	}
	res := make([]exact.Vec, k) // columns of the current residual
	for o := range res {
		res[o] = make(exact.Vec, n)
		for i := range res[o] {
			res[o][i] = new(big.Rat).Set(p.Y.At(i, o))
		}
	}
	used := make([]bool, len(cands))
	// project removes from the residual and from the unused candidates
	// their component along q.
	project := func(q exact.Vec) {
		nq := q.Norm2()
		for o, r := range res {
			res[o] = r.AddScaled(new(big.Rat).Neg(new(big.Rat).Quo(q.Dot(r), nq)), q)
		}
		for j, f := range perp {
			if !used[j] {
				perp[j] = f.AddScaled(new(big.Rat).Neg(new(big.Rat).Quo(q.Dot(f), nq)), q)
			}
		}
	}
	var chosen []int
	if bias {
		chosen = append(chosen, -1)
		project(col(-1))
	}
	for len(chosen) < m+btoi(bias) {
		best, bestGain := -1, new(big.Rat)
		for j, f := range perp {
			nf := f.Norm2()
			if used[j] || nf.Sign() == 0 {
				continue
			}
			gain := new(big.Rat)
			for _, r := range res {
				c := f.Dot(r)
				gain.Add(gain, c.Mul(c, c))
			}
			gain.Quo(gain, nf)
			if gain.Cmp(bestGain) > 0 {
				best, bestGain = j, gain
			}
		}
		if best < 0 {
			break
		}
		chosen, used[best] = append(chosen, best), true
		project(perp[best])
	}
	// Least squares on the chosen (independent) features: the normal
	// equations Fᵀ F α = Fᵀ Y.
	s := len(chosen)
	G := exact.NewMat(s, s)
	for a, ja := range chosen {
		for b, jb := range chosen {
			G[a][b] = col(ja).Dot(col(jb))
		}
	}
	alpha := exact.NewMat(s, k)
	for o := 0; o < k; o++ {
		rhs := exact.NewVec(s)
		for a, ja := range chosen {
			f := col(ja)
			for i := range f {
				rhs[a].Add(rhs[a], new(big.Rat).Mul(f[i], p.Y.At(i, o)))
			}
		}
		x, ok := exact.SolveLinear(G, rhs, s)
		if !ok {
			return nil
		}
		for a := range x {
			alpha[a][o].Set(x[a])
		}
	}
	net := &recheck.Net{Neurons: []Neuron{}}
	for a, ja := range chosen {
		switch {
		case ja < 0:
			net.OutputBias = alpha[a]
		case !alpha[a].IsZero():
			net.Neurons = append(net.Neurons, Neuron{W: cands[ja].Clone(), A: alpha[a]})
		}
	}
	return net
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// candidates returns the directions the greedy search chooses from: the
// witness's, ±e_c, and for every line ±u₀ and ±(u₀ ± εe_ℓ).
func (fs *featureSpace) candidates(witness *recheck.Net) []exact.Vec {
	d := fs.p.D()
	var out []exact.Vec
	seen := map[string]bool{}
	add := func(w exact.Vec) {
		key := w.String()
		if !w.IsZero() && !seen[key] {
			seen[key] = true
			out = append(out, w)
		}
	}
	for _, nr := range witness.Neurons {
		add(nr.W)
	}
	for c := 0; c < d; c++ {
		e := exact.NewVec(d)
		e[c].SetInt64(1)
		add(e)
		add(e.Neg())
	}
	for _, l := range fs.lineSet() {
		u0 := offLine(d, l, fs.lineSet())
		eps := lineEpsilon(fs.p.X, fs.nonzero, l, u0)
		for _, w := range []exact.Vec{u0, u0.Clone().AddScaled(eps, l.rep()), u0.Clone().AddScaled(new(big.Rat).Neg(eps), l.rep())} {
			add(w)
			add(w.Neg())
		}
	}
	return out
}

// integerWeights rescales every neuron of net to an input weight with
// coprime integer entries, (c·w, a/c) with c > 0: the same function
// (ρ(c·z) = c·ρ(z)), easier to read.
func integerWeights(net *recheck.Net) *recheck.Net {
	for j, nr := range net.Neurons {
		w := primitive(nr.W)
		for c := range w {
			if w[c].Sign() != 0 {
				scale := new(big.Rat).Quo(w[c], nr.W[c]) // c > 0
				net.Neurons[j] = Neuron{W: w, A: nr.A.Scale(scale.Inv(scale))}
				break
			}
		}
	}
	return net
}

// netPoint returns the network net on p's data.
func netPoint(p *Point, net *recheck.Net) *Point {
	return &Point{Act: p.Act, X: p.X, Y: p.Y, Neurons: net.Neurons, OutputBias: net.OutputBias}
}

// TheoremG compares θ with the global optimum L* over networks of every
// width and completes v: v.Cert.Global holds the proof; a local minimum
// (or an undetermined point) with L(θ) = L* becomes global-min — a global
// minimum is a local one — and a local minimum with L(θ) > L* says in its
// reason that it is not global, with the network that does better.
//
// L(θ) = L* iff θ's residuals are orthogonal to S iff a zero neuron added
// to θ does not escape (E1/E2 over all samples; and (S0) with an output
// bias). Otherwise L* comes from the projection (fit), and a network
// reaching it is built and pruned.
func (s *state) TheoremG(v *Verdict, opt Options) error {
	p := s.p
	if opt.expired() {
		v.Cert.Global = &recheck.GlobalProof{Reason: "global: budget: time budget exceeded"}
		return nil
	}
	lk := s.ev.lineKey()
	fs := newFeatureSpace(p, lk, s.ev.zeroX)
	g := &recheck.GlobalProof{}
	// E1 of an added zero neuron, (σ/2) Σ_i r_i x_iᵀ, from the engine's
	// integer total; the lines are grouped only when E2 must decide.
	e1 := exact.NewMat(p.K(), p.D())
	if fs.sigma.Sign() != 0 {
		half := new(big.Rat).Quo(fs.sigma, big.NewRat(2, 1))
		for l, row := range s.ev.totalRX() {
			e1[l] = row.Scale(half)
		}
	}
	global := e1.IsZero() && (!p.HasOutputBias() || s.ev.residualSum().IsZero())
	if global && fs.kappa.Sign() != 0 {
		global = s.ev.lineSumsVanish(fs.lineGroups())
	}
	if global {
		g.Optimum, g.IsGlobal, g.Width, g.Lines = new(big.Rat).Set(v.Loss), true, recheck.WidthGlobal, fs.lineIndices()
		g.Reason = fmt.Sprintf("L(θ) = L* = %s: the residuals are orthogonal to every feature ρ(Xu) (E1/E2 over all samples), so no network of any width has a smaller loss", exact.Text(v.Loss))
	} else if err := s.notGlobal(g, fs, e1, v.Loss); err != nil {
		return err
	}
	v.Cert.Global = g
	switch {
	case g.IsGlobal && (v.Kind == Saddle || v.Kind == NotStationary):
		return fmt.Errorf("internal error: a %v with L(θ) = L*", v.Kind)
	case g.IsGlobal && v.Kind == LocalMin:
		v.Kind = GlobalMin
		v.Reason += "; Theorem G: " + g.Reason
	case g.IsGlobal && v.Kind == Undetermined:
		v.Kind = GlobalMin
		v.Reason = "Theorem G: " + g.Reason + " (the local analysis alone was undetermined: " + v.Reason + ")"
	case !g.IsGlobal && v.Kind == LocalMin:
		v.Reason += "; Theorem G: " + g.Reason
	}
	return nil
}

// notGlobal fills g for L(θ) > L*: the escape direction of an added zero
// neuron (none when only (S0) fails), then (within budget) L* from the
// projection and a network reaching it.
func (s *state) notGlobal(g *recheck.GlobalProof, fs *featureSpace, e1 exact.Mat, loss *big.Rat) error {
	p, m := s.p, s.p.M()
	u, q, err := fs.featureWitness(s.ev.residualList(), e1)
	if err != nil {
		return err
	}
	switch {
	case u != nil:
		g.U, g.Q = u, q
		g.Reason = "not global: a zero neuron added to θ escapes along u, so L(θ) > L*"
	case p.HasOutputBias() && !s.ev.residualSum().IsZero():
		g.Reason = "not global: (S0) fails, so L(θ) > L*"
	default:
		return fmt.Errorf("internal error: the residuals fail E1/E2 over all samples, but an added zero neuron does not escape")
	}
	if work := p.N() * p.D(); work > maxFitWork {
		g.Reason += fmt.Sprintf("; L* not computed (budget: n·d = %d > %d); among width-%d networks undetermined", work, maxFitWork, m)
		return nil
	}
	fit, yhat, err := fs.fit()
	if err != nil {
		return err
	}
	lstar := new(big.Rat)
	r := make([]exact.Vec, len(yhat))
	for i, y := range yhat {
		r[i] = y.Sub(p.Y.Row(i))
		lstar.Add(lstar, r[i].Norm2())
	}
	lstar.Quo(lstar, big.NewRat(2*int64(p.N()), 1))
	if !orthogonalToFeatures(p.Act, p.X, fs.lineSet(), r, p.HasOutputBias()) || lstar.Cmp(loss) >= 0 {
		return fmt.Errorf("internal error: the projection on the feature space (loss %s) is not optimal below L(θ) = %s", exact.Text(lstar), exact.Text(loss))
	}
	g.Optimum, g.Fit, g.Lines = lstar, fit, fs.lineIndices()
	g.Reason = fmt.Sprintf("not global: L* = %s < L(θ) = %s", exact.Text(lstar), exact.Text(loss))
	if work := p.N() * (len(fs.lineSet()) + p.D()); work > maxWitnessWork {
		g.Reason += fmt.Sprintf("; no network reaching L* was built (budget: n·(lines + d) = %d > %d); among width-%d networks undetermined", work, maxWitnessWork, m)
		return nil
	}
	return s.globalWitness(g, fs, fit, loss)
}

// globalWitness builds the network reaching L* from the fit, prunes it, and
// when it is wider than θ looks for a network of θ's width with a loss
// below L(θ) (or reaching L*); it sets g.Witness, g.Width and g.Reason.
func (s *state) globalWitness(g *recheck.GlobalProof, fs *featureSpace, fit *recheck.GlobalFit, loss *big.Rat) error {
	p, m := s.p, s.p.M()
	pruned, ok, err := prune(p, fs.network(fit))
	if err != nil {
		return err
	}
	pruned = integerWeights(pruned)
	g.Witness, g.Pruned = pruned, ok
	if wl := Loss(netPoint(p, pruned)); wl.Cmp(g.Optimum) != 0 {
		return fmt.Errorf("internal error: the witness network has loss %s, not L* = %s", exact.Text(wl), exact.Text(g.Optimum))
	}
	w := len(pruned.Neurons)
	if w <= m {
		g.Width = recheck.WidthNotGlobal
		g.Reason = fmt.Sprintf("not global: a width-%d network reaches L* = %s < L(θ) = %s", w, exact.Text(g.Optimum), exact.Text(loss))
		return nil
	}
	if ww := greedyWidth(p, fs.candidates(pruned), m); ww != nil {
		ww = integerWeights(ww)
		wl := Loss(netPoint(p, ww))
		if wl.Cmp(g.Optimum) == 0 {
			// A narrower network reaching L*: it is the witness.
			g.Witness, g.Width = ww, recheck.WidthNotGlobal
			g.Pruned = recheck.IndependentFeatures(p, ww)
			g.Reason = fmt.Sprintf("not global: a width-%d network reaches L* = %s < L(θ) = %s", len(ww.Neurons), exact.Text(g.Optimum), exact.Text(loss))
			return nil
		}
		if wl.Cmp(loss) < 0 {
			g.WidthWitness, g.WidthLoss, g.Width = ww, wl, recheck.WidthNotGlobal
			g.Reason = fmt.Sprintf("not global: a width-%d network reaches %s < L(θ) = %s (and a width-%d network reaches L* = %s)",
				len(ww.Neurons), exact.Text(wl), exact.Text(loss), w, exact.Text(g.Optimum))
			return nil
		}
	}
	g.Reason = fmt.Sprintf("not global over all widths: a width-%d network reaches L* = %s < L(θ) = %s; among width-%d networks undetermined (none found below L(θ))",
		w, exact.Text(g.Optimum), exact.Text(loss), m)
	return nil
}
