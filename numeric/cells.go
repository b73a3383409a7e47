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
// While arrangement enumerates, walls lists hyperplanes that define the
// cell: it is {u : signs[l]·h_l·u > 0 for l ∈ walls} (each wall a facet, up
// to the tolerance), and u, when not nil, is a witness: |u|∞ ≤ 1 and
// signs[l]·h_l·u > Eps for every l in walls.
type cell struct {
	signs []int8
	walls []int
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
// unit normals in R^d incrementally: each hyperplane h splits every cell C
// found so far into the realisable ones of its two sides (realise). Only
// C's walls enter those LPs — C is {u : σ_m h_m·u > 0, m ∈ walls} — so an
// LP has a handful of columns (the facets of a cone in R^3 are few) instead
// of one per hyperplane so far:
//
//   - When C has a witness u and |h·u| > Eps, the side of u is a cell with
//     the same witness (it proves what the LP would: the LP's value is ≥
//     the witness's margin > Eps), and only the other side needs an LP.
//   - If only one side is realised, h does not cut C: that side is C, with
//     the same walls.
//   - If both are, h cuts C; each piece has the walls of C and h, less the
//     walls that no longer bound it: wall m is dropped when the piece with
//     m's side reversed is not realised (value ≤ Eps), as it then lies on
//     m's side up to a sliver thinner than the tolerance.
//
// Normals on one line through 0 (Tolerance.SameLine, either orientation)
// are one hyperplane: only the first of each line is enumerated and the
// others get its sign times their orientation. decided is false when an LP
// failed or the cells exceeded limit.
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
	var wn [][]float64 // the walls' normals of the LP at hand
	var ws []int8      // and their signs
	// side decides the side s of h = uniq[l] within c: realised, decided,
	// a witness.
	side := func(c cell, l int, s int8) (bool, bool, []float64) {
		wn, ws = wn[:0], ws[:0]
		for _, m := range c.walls {
			wn, ws = append(wn, uniq[m]), append(ws, c.signs[m])
		}
		wn, ws = append(wn, uniq[l]), append(ws, s)
		return realise(wn, ws, d)
	}
	for l := range uniq {
		var next []cell
		for _, c := range cells {
			var known int8 // the side of c's witness, when it decides one
			if c.u != nil {
				if hu := dot(uniq[l], c.u); tol.Positive(math.Abs(hu), 1) {
					known = int8(math.Copysign(1, hu))
				}
			}
			var ok [2]bool
			var wit [2][]float64
			for k, s := range [2]int8{1, -1} {
				if s == known {
					ok[k], wit[k] = true, c.u
					continue
				}
				r, dec, u := side(c, l, s)
				if !dec {
					decided = false
				}
				ok[k], wit[k] = r, u
			}
			for k, s := range [2]int8{1, -1} {
				if !ok[k] {
					continue
				}
				p := cell{signs: append(append([]int8(nil), c.signs...), s), walls: c.walls, u: wit[k]}
				if ok[1-k] { // h cuts c
					p.walls = pruneWalls(uniq, p.signs, append(append([]int(nil), c.walls...), l), d)
					if p.u != nil && !cellWitness(wallNormals(uniq, p.walls), wallSigns(p.signs, p.walls), p.u) {
						p.u = nil
					}
				}
				next = append(next, p)
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
		cells[i] = cell{signs: signs}
	}
	return cells, decided
}

// pruneWalls drops from walls (the last one the hyperplane that just cut
// the cell) each wall m, other than the last, for which the cone of the
// remaining walls with m's side reversed is not realised: the cell then
// lies on m's side (up to the tolerance) and m is not needed to define it.
// A wall whose LP fails is kept (keeping one is always correct).
func pruneWalls(uniq [][]float64, signs []int8, walls []int, d int) []int {
	last := len(walls) - 1
	for k := last - 1; k >= 0; k-- {
		ns, ss := wallNormals(uniq, walls), wallSigns(signs, walls)
		ss[k] = -ss[k]
		if ok, dec, _ := realise(ns, ss, d); !ok && dec {
			walls = append(walls[:k], walls[k+1:]...)
		}
	}
	return walls
}

func wallNormals(uniq [][]float64, walls []int) [][]float64 {
	ns := make([][]float64, len(walls))
	for k, m := range walls {
		ns[k] = uniq[m]
	}
	return ns
}

func wallSigns(signs []int8, walls []int) []int8 {
	ss := make([]int8, len(walls))
	for k, m := range walls {
		ss[k] = signs[m]
	}
	return ss
}
