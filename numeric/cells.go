package numeric

import "math"

// maxCells bounds the cells enumerated for one neuron when each cell then
// needs gonum's LPs (the escape faces, faceEscape); beyond it the decision
// that needed them is reported as not decided.
const maxCells = 1 << 14

// maxS2Cells bounds the cells of the (S2) cell method, whose LPs are the
// dense simplex's (microseconds each at d = 3): 65 536 cells, e.g. the
// 22 352 of a zero-input neuron with n = 300 samples in R^3.
const maxS2Cells = 1 << 16

// cell is a full-dimensional cell of a central hyperplane arrangement
// {u : h_l·u = 0}: signs[l] ∈ {−1, +1} is the sign of h_l·u on the cell.
// u, when not nil, is a witness found while enumerating: |u|∞ ≤ 1 and
// signs[l]·h_l·u > Eps for every hyperplane enumerated so far.
type cell struct {
	signs []int8
	u     []float64
}

// realise decides whether the open cone {u : signs[l]·h_l·u > 0 for all l}
// (unit normals h_l) is a cell, by Gordan's alternative: it is empty iff 0 is
// a convex combination of the vectors signs[l]·h_l. The LP
//
//	min ‖Σ_l λ_l s_l h_l‖₁ + |Σ_l λ_l − 1|  over λ ≥ 0
//
// (minResidualBox, d+1 rows) has the value min(t*, 1) where, by minimax
// duality, t* = max_{|u|∞ ≤ 1} min_l s_l h_l·u is how far a point of the unit
// box can get from all the hyperplanes while staying on the cell's side. The
// cone counts as a cell when that value is > Eps (Tolerance.Positive).
// decided is false when the simplex failed before the value was shown to be
// ≤ Eps. For a cell, u is the maximiser read from the LP's dual solution y
// (the dual is max y_d over |y|∞ ≤ 1 with y_d ≤ s_l h_l·(−y_{<d}) for every
// l, so u = −y_{<d}), kept only when checked: |u|∞ ≤ 1 and min_l s_l h_l·u
// > Eps; nil otherwise.
func realise(normals [][]float64, signs []int8, d int) (ok, decided bool, u []float64) {
	l := len(signs)
	rows := make([][]float64, d+1)
	for k := 0; k < d; k++ {
		rows[k] = make([]float64, l)
		for q := 0; q < l; q++ {
			rows[k][q] = float64(signs[q]) * normals[q][k]
		}
	}
	rows[d] = make([]float64, l)
	for q := range rows[d] {
		rows[d][q] = 1
	}
	b := make([]float64, d+1)
	b[d] = 1
	res, _, y, exact := minResidualBox(rows, b, make([]float64, l), nil)
	if !normTol.Positive(res, 1) {
		return false, true, nil
	}
	if y != nil {
		u = make([]float64, d)
		for k := range u {
			u[k] = -y[k]
		}
		if !cellWitness(normals, signs, u) {
			u = nil
		}
	}
	return true, exact, u
}

// cellWitness scales u to |u|∞ ≤ 1 (when it is larger) and reports whether
// then signs[l]·h_l·u > Eps for every l.
func cellWitness(normals [][]float64, signs []int8, u []float64) bool {
	if m := maxAbs(u); m > 1 {
		for k := range u {
			u[k] /= m
		}
	}
	for l, h := range normals[:len(signs)] {
		if !normTol.Positive(float64(signs[l])*dot(h, u), 1) {
			return false
		}
	}
	return true
}

// arrangement enumerates the cells of the central arrangement of the given
// unit normals in R^d incrementally: each hyperplane splits every cell found
// so far into the realisable ones of its two sides (one LP each, realise).
// When the cell has a witness u and the new hyperplane h has |h·u| > Eps, the
// side of u is a cell with the same witness, which proves what the LP would
// (its value min(t*, 1) is ≥ the witness's margin > Eps), and only the other
// side needs an LP. Normals on
// one line through 0 (Tolerance.SameLine, either orientation) are one
// hyperplane: only the first of each line is enumerated and the others get
// its sign times their orientation. decided is false when an LP failed or
// the cells exceeded limit.
func arrangement(normals [][]float64, d, limit int) (cells []cell, decided bool) {
	tol := normTol
	rep := make([]int, len(normals))     // index into uniq
	orient := make([]int8, len(normals)) // ±1 relative to the representative
	var uniq [][]float64
	for l, h := range normals {
		rep[l] = -1
		for u, e := range uniq {
			if tol.SameLine(h, e) {
				rep[l], orient[l] = u, 1
				if dot(h, e) < 0 {
					orient[l] = -1
				}
				break
			}
		}
		if rep[l] < 0 {
			rep[l], orient[l] = len(uniq), 1
			uniq = append(uniq, h)
		}
	}
	cells = []cell{{signs: nil}}
	decided = true
	for l := range uniq {
		var next []cell
		for _, c := range cells {
			var known int8 // the side of c's witness, when it decides one
			if c.u != nil {
				if hu := dot(uniq[l], c.u); tol.Positive(math.Abs(hu), 1) {
					known = int8(math.Copysign(1, hu))
				}
			}
			for _, s := range [2]int8{1, -1} {
				signs := append(append([]int8(nil), c.signs...), s)
				if s == known {
					next = append(next, cell{signs: signs, u: c.u})
					continue
				}
				ok, dec, u := realise(uniq[:l+1], signs, d)
				if !dec {
					decided = false
				}
				if ok {
					next = append(next, cell{signs: signs, u: u})
				}
			}
		}
		cells = next
		if len(cells) > limit {
			return nil, false
		}
	}
	for i, c := range cells {
		signs := make([]int8, len(normals))
		for l := range normals {
			signs[l] = c.signs[rep[l]] * orient[l]
		}
		cells[i].signs = signs
	}
	return cells, decided
}
