package numeric

import (
	"gonum.org/v1/gonum/mat"
)

// maxGlobalCells bounds the cells of the samples' arrangement (by the
// general-position count 2·Σ_{i<d} C(L−1, i) for L nonzero samples) for
// which the pattern formulation computes L*; the decision does not need it.
const maxGlobalCells = 1 << 8

// Global is the float64 counterpart of verify.GlobalProof: whether θ
// reaches the least loss of any width, and that loss.
type Global struct {
	// IsGlobal reports that an added zero neuron would not escape: its Q,
	// Σ_i r_i ρ(x_i·u), vanishes by (E1) and (E2) within the tolerances of
	// qZero — θ's residuals are ≈ orthogonal to every feature ρ(Xu).
	IsGlobal bool
	// Decided is false when the arrangement was too large for the pattern
	// formulation (or an LP failed): Optimum and Dim are then zero.
	Decided bool
	// Optimum is L* = (1/2n)|Y − P_S Y|² in float64, by the pattern
	// formulation.
	Optimum float64
	// Dim is the numerical dimension of the feature space S.
	Dim int
}

// global decides whether θ is global by the zero-neuron test (qZeroOn with
// every sample on the hyperplane) and, with an output bias, (S0); it
// computes L* by the pattern formulation of the convex reformulation
// (docs/theory.md §10), independently of the exact path's line formula: the
// cells C of the arrangement of the nonzero samples' hyperplanes (one LP
// each, as for (S2)), on each of which ρ(Xu) = D̃_C X u with
// D̃_C = diag(ρ₊ or ρ₋ by the sample's side), span the feature space
// S = Σ_C col(D̃_C X) (with the constants when there is an output bias; an
// SVD with the rank cut of Tolerance.RankCut).
func (pr *Problem) global() Global {
	n, d, k := len(pr.X), len(pr.X[0]), len(pr.Y[0])
	zero, _ := pr.qZeroOn(make([]int8, n))
	g := Global{IsGlobal: zero && pr.s0()}
	var normals [][]float64
	var idx []int
	for i, x := range pr.X {
		if pr.xZero[i] {
			continue
		}
		nx := norm2(x)
		u := make([]float64, d)
		for c := range x {
			u[c] = x[c] / nx
		}
		normals = append(normals, u)
		idx = append(idx, i)
	}
	if cellBound(len(normals), d) > maxGlobalCells {
		return g
	}
	cells, ok := arrangement(normals, d, maxCells)
	if !ok {
		return g
	}
	cols := d * len(cells)
	if pr.B != nil {
		cols++ // the constants of the output bias
	}
	var basis *mat.Dense // n × dim, orthonormal columns
	if cols > 0 {
		a := mat.NewDense(n, cols, nil)
		if pr.B != nil {
			for i := 0; i < n; i++ {
				a.Set(i, cols-1, 1)
			}
		}
		for ci, c := range cells {
			for l, i := range idx {
				slope := pr.Pos
				if c.signs[l] < 0 {
					slope = pr.Neg
				}
				for col := 0; col < d; col++ {
					a.Set(i, ci*d+col, slope*pr.X[i][col])
				}
			}
		}
		var svd mat.SVD
		if !svd.Factorize(a, mat.SVDThin) {
			return g
		}
		sv := svd.Values(nil)
		for _, s := range sv {
			if s > pr.Tol.RankCut(sv[0]) {
				g.Dim++
			}
		}
		if g.Dim > 0 {
			var u mat.Dense
			svd.UTo(&u)
			basis = mat.DenseCopyOf(u.Slice(0, n, 0, g.Dim))
		}
	}
	// project returns the component of the column z on S.
	project := func(z []float64) []float64 {
		p := make([]float64, n)
		if basis == nil {
			return p
		}
		var c, pv mat.VecDense
		c.MulVec(basis.T(), mat.NewVecDense(n, z))
		pv.MulVec(basis, &c)
		for i := range p {
			p[i] = pv.AtVec(i)
		}
		return p
	}
	sum := 0.0
	for o := 0; o < k; o++ {
		y := make([]float64, n)
		for i := range y {
			y[i] = pr.Y[i][o]
		}
		py := project(y)
		for i := range y {
			sum += (y[i] - py[i]) * (y[i] - py[i])
		}
	}
	g.Optimum, g.Decided = sum/(2*float64(n)), true
	return g
}
