package numeric

// maxCells bounds the cells enumerated for one neuron; beyond it the
// decision that needed them is reported as not decided.
const maxCells = 1 << 14

// cell is a full-dimensional cell of a central hyperplane arrangement
// {u : h_l·u = 0}: signs[l] ∈ {−1, +1} is the sign of h_l·u on the cell.
type cell struct {
	signs []int8
}

// realise decides whether the open cone {u : signs[l]·h_l·u > 0 for all l}
// (unit normals h_l) is a cell, by Gordan's alternative: it is empty iff 0 is
// a convex combination of the vectors signs[l]·h_l. The LP
//
//	min ‖Σ_l λ_l s_l h_l‖₁ + |Σ_l λ_l − 1|  over λ ≥ 0
//
// (minResidual, d+1 rows) has the value min(t*, 1) where, by minimax
// duality, t* = max_{|u|∞ ≤ 1} min_l s_l h_l·u is how far a point of the unit
// box can get from all the hyperplanes while staying on the cell's side. The
// cone counts as a cell when that value is > Eps (Tolerance.Positive).
// decided is false when gonum failed before the value was shown to be ≤ Eps.
func realise(normals [][]float64, signs []int8, d int) (ok, decided bool) {
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
	res, _, exact := minResidual(rows, b, l)
	if !normTol.Positive(res, 1) {
		return false, true
	}
	return true, exact
}

// arrangement enumerates the cells of the central arrangement of the given
// unit normals in R^d incrementally: each hyperplane splits every cell found
// so far into the realisable ones of its two sides (one LP each). Normals on
// one line through 0 (Tolerance.SameLine, either orientation) are one
// hyperplane: only the first of each line is enumerated and the others get
// its sign times their orientation. decided is false when an LP failed or
// the cells exceeded maxCells.
func arrangement(normals [][]float64, d int) (cells []cell, decided bool) {
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
			for _, s := range [2]int8{1, -1} {
				signs := append(append([]int8(nil), c.signs...), s)
				ok, dec := realise(uniq[:l+1], signs, d)
				if !dec {
					decided = false
				}
				if ok {
					next = append(next, cell{signs: signs})
				}
			}
		}
		cells = next
		if len(cells) > maxCells {
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
