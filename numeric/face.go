package numeric

import (
	"sort"

	"gonum.org/v1/gonum/mat"
)

// maxFaceSubsets bounds the subsets of tight constraints tried when
// enumerating a face's generators, as in verify; past it the search falls
// back to the LP witnesses and says so.
const maxFaceSubsets = 20000

// maxConeGens bounds the generators of a face for coneNegative (2^r − 1
// supports), as in verify.
const maxConeGens = 12

// face is the critical face of neuron j on one cell of the Z_j arrangement
// on which Q_j does not vanish: F = {u : h·u ≥ 0 for h in halfspaces,
// g·u = 0}, every row of unit length; g is nil when φ_j is constant on the
// cell (the face is the closed cell).
type face struct {
	cell       int
	halfspaces [][]float64
	g          []float64
}

// generators returns unit generators of the cone F, the float64 image of
// verify's face generators: ± an orthonormal basis of the lineality space
// {u : g·u = 0, h·u = 0 for all h}, and the extreme rays modulo it — for
// each set of tight halfspaces that, with g and the lineality space, leaves
// a one-dimensional nullspace, the unit vector of that line lying in F. Ranks
// use Tolerance.RankCut, membership Tolerance.NonNegative, duplicates
// Tolerance.SameDirection. ok is false when the enumeration budget ran out;
// dim is the dimension of F.
func (f face) generators(t Tolerance, d int) (gens [][]float64, dim int, ok bool) {
	var eq [][]float64
	if f.g != nil {
		eq = append(eq, f.g)
	}
	lin := nullspace(t, append(append([][]float64(nil), eq...), f.halfspaces...), d)
	for _, b := range lin {
		gens = append(gens, b, scaled(b, -1))
	}
	base := append(eq, lin...)
	need := d - 1 - rank(t, base, d)
	inside := func(u []float64) bool {
		for _, h := range f.halfspaces {
			if !t.NonNegative(dot(h, u), 1) {
				return false
			}
		}
		return true
	}
	tried := 0
	ok = true
	var rec func(start int, chosen []int)
	rec = func(start int, chosen []int) {
		if !ok {
			return
		}
		if len(chosen) == need {
			if tried++; tried > maxFaceSubsets {
				ok = false
				return
			}
			rows := append([][]float64(nil), base...)
			for _, c := range chosen {
				rows = append(rows, f.halfspaces[c])
			}
			ns := nullspace(t, rows, d)
			if len(ns) != 1 {
				return
			}
			for _, u := range [][]float64{ns[0], scaled(ns[0], -1)} {
				if inside(u) {
					gens = append(gens, u)
				}
			}
			return
		}
		for c := start; c < len(f.halfspaces); c++ {
			rec(c+1, append(chosen, c))
		}
	}
	if need >= 0 {
		rec(0, nil)
	}
	gens = dedupeDirections(t, gens)
	if len(gens) > 0 {
		dim = rank(t, gens, d)
	}
	return gens, dim, ok
}

// svdOf returns the singular values and the full right singular vectors of
// the r×d matrix with the given rows (r ≥ 1).
func svdOf(rows [][]float64, d int) ([]float64, *mat.Dense, bool) {
	a := mat.NewDense(len(rows), d, nil)
	for i, r := range rows {
		a.SetRow(i, r)
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDFull) {
		return nil, nil, false
	}
	var v mat.Dense
	svd.VTo(&v)
	return svd.Values(nil), &v, true
}

// rank returns the numerical rank of the rows (Tolerance.RankCut).
func rank(t Tolerance, rows [][]float64, d int) int {
	if len(rows) == 0 {
		return 0
	}
	sv, _, ok := svdOf(rows, d)
	if !ok {
		return 0
	}
	r := 0
	for _, s := range sv {
		if s > t.RankCut(sv[0]) {
			r++
		}
	}
	return r
}

// nullspace returns an orthonormal basis of the numerical nullspace of the
// rows in R^d: the right singular vectors beyond the numerical rank.
func nullspace(t Tolerance, rows [][]float64, d int) [][]float64 {
	if len(rows) == 0 {
		basis := make([][]float64, d)
		for i := range basis {
			basis[i] = make([]float64, d)
			basis[i][i] = 1
		}
		return basis
	}
	sv, v, ok := svdOf(rows, d)
	if !ok {
		return nil
	}
	r := 0
	for _, s := range sv {
		if s > t.RankCut(sv[0]) {
			r++
		}
	}
	var out [][]float64
	for c := r; c < d; c++ {
		out = append(out, mat.Col(nil, c, v))
	}
	return out
}

func scaled(v []float64, s float64) []float64 {
	w := make([]float64, len(v))
	for i := range v {
		w[i] = s * v[i]
	}
	return w
}

// dedupeDirections sorts unit vectors lexicographically and drops those that
// are the same direction as one kept (Tolerance.SameDirection).
func dedupeDirections(t Tolerance, vs [][]float64) [][]float64 {
	sort.Slice(vs, func(a, b int) bool {
		for i := range vs[a] {
			if vs[a][i] != vs[b][i] {
				return vs[a][i] < vs[b][i]
			}
		}
		return false
	})
	var out [][]float64
	for _, v := range vs {
		dup := false
		for _, o := range out {
			if t.SameDirection(v, o) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}
