package numeric

// maxCells bounds the cells enumerated for one neuron; beyond it the
// decision that needed them is reported as not decided.
const maxCells = 1 << 14

// cell is a full-dimensional cell of a central hyperplane arrangement
// {u : h_l·u = 0}: signs[l] ∈ {−1, +1} is the sign of h_l·u on the cell and
// point an interior point in the unit box.
type cell struct {
	signs []int8
	point []float64
}

// realise decides whether the open cone {u : signs[l]·h_l·u > 0 for all l}
// is a cell: it maximises t subject to signs[l]·h_l·u ≥ t, |u|∞ ≤ 1, t ≤ 1,
// with unit normals h_l. The cone counts as a cell when t > Eps (Tolerance);
// the interior point is returned with it. decided is false when gonum failed
// before t was shown to be positive.
func realise(normals [][]float64, signs []int8, d int) (ok bool, point []float64, decided bool) {
	// Variables: u⁺ (d), u⁻ (d), t. Rows: −s_l h_l·(u⁺−u⁻) + t ≤ 0;
	// u⁺_k ≤ 1; u⁻_k ≤ 1; t ≤ 1.
	nv := 2*d + 1
	var G [][]float64
	var h []float64
	for l, hl := range normals[:len(signs)] {
		row := make([]float64, nv)
		s := float64(signs[l])
		for k := 0; k < d; k++ {
			row[k] = -s * hl[k]
			row[d+k] = s * hl[k]
		}
		row[2*d] = 1
		G, h = append(G, row), append(h, 0)
	}
	for q := 0; q < nv; q++ {
		row := make([]float64, nv)
		row[q] = 1
		G, h = append(G, row), append(h, 1)
	}
	c := make([]float64, nv)
	c[2*d] = 1
	val, z, exact := maxIneq(c, G, h)
	point = make([]float64, d)
	for k := 0; k < d; k++ {
		point[k] = z[k] - z[d+k]
	}
	tol := Tolerance{Eps: Eps}
	if tol.Positive(val, 1) {
		return true, point, true
	}
	return false, nil, exact
}

// arrangement enumerates the cells of the central arrangement of the given
// unit normals in R^d incrementally: each hyperplane splits every cell found
// so far into the realisable ones of its two sides (one LP each). decided is
// false when an LP failed or the cells exceeded maxCells.
func arrangement(normals [][]float64, d int) (cells []cell, decided bool) {
	cells = []cell{{signs: nil, point: make([]float64, d)}}
	decided = true
	for l := range normals {
		var next []cell
		for _, c := range cells {
			for _, s := range [2]int8{1, -1} {
				signs := append(append([]int8(nil), c.signs...), s)
				ok, pt, dec := realise(normals[:l+1], signs, d)
				if !dec {
					decided = false
				}
				if ok {
					next = append(next, cell{signs: signs, point: pt})
				}
			}
		}
		cells = next
		if len(cells) > maxCells {
			return cells, false
		}
	}
	return cells, decided
}
