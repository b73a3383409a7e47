package numeric

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// signKeys returns the sorted sign vectors of cells as strings.
func signKeys(cells []cell) []string {
	keys := make([]string, len(cells))
	for i, c := range cells {
		keys[i] = fmt.Sprint(c.signs)
	}
	sort.Strings(keys)
	return keys
}

func cross(a, b []float64) []float64 {
	return []float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// edgeRayCells returns the cells of a central arrangement of planes in
// general position in R^3 (no two normals parallel, no three dependent) by
// an independent construction: every cell of m ≥ 2 such planes has an edge,
// a ray ±(h_i × h_j) where two planes meet, and the four cells around that
// edge contain the points r + δ(s_i a_i + s_j a_j) with h_i·a_i = h_j·a_j =
// 1, h_i·a_j = h_j·a_i = 0 (a dual basis in span(h_i, h_j)), for δ small:
// their signs are s_i, s_j on the two planes and sign(h_k·r) on the others.
// The normals are small integers, so h_k·r is an integer and never near 0.
func edgeRayCells(normals [][]float64) map[string]bool {
	m := len(normals)
	out := map[string]bool{}
	for i := 0; i < m; i++ {
		for j := i + 1; j < m; j++ {
			hi, hj := normals[i], normals[j]
			g := dot(hi, hj)
			ni, nj := dot(hi, hi), dot(hj, hj)
			det := ni*nj - g*g
			// a_i = (nj·h_i − g·h_j)/det, a_j = (ni·h_j − g·h_i)/det.
			ai, aj := make([]float64, 3), make([]float64, 3)
			for k := range ai {
				ai[k] = (nj*hi[k] - g*hj[k]) / det
				aj[k] = (ni*hj[k] - g*hi[k]) / det
			}
			for _, rs := range []float64{1, -1} {
				r := cross(hi, hj)
				for k := range r {
					r[k] *= rs
				}
				for _, si := range []int8{1, -1} {
					for _, sj := range []int8{1, -1} {
						signs := make([]int8, m)
						for k, h := range normals {
							switch k {
							case i:
								signs[k] = si
							case j:
								signs[k] = sj
							default:
								signs[k] = int8(math.Copysign(1, dot(h, r)))
							}
						}
						out[fmt.Sprint(signs)] = true
					}
				}
			}
		}
	}
	return out
}

func det3(a, b, c []float64) float64 { return dot(a, cross(b, c)) }

// TestArrangementAgainstEdgeRays compares the cells of random planes with
// small integer normals in general position in R^3 with edgeRayCells, and
// their number with 2·(1 + (m−1) + C(m−1, 2)).
func TestArrangementAgainstEdgeRays(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 15))
	for trial := 0; trial < 40; trial++ {
		m := 2 + rng.IntN(18)
		var ints [][]float64
		for len(ints) < m {
			h := []float64{float64(rng.IntN(11) - 5), float64(rng.IntN(11) - 5), float64(rng.IntN(11) - 5)}
			generic := dot(h, h) > 0
			for a := 0; a < len(ints) && generic; a++ {
				if c := cross(h, ints[a]); dot(c, c) == 0 {
					generic = false
				}
				for b := a + 1; b < len(ints) && generic; b++ {
					generic = det3(h, ints[a], ints[b]) != 0
				}
			}
			if generic {
				ints = append(ints, h)
			}
		}
		normals := make([][]float64, m)
		for i, h := range ints {
			normals[i] = unit(append([]float64(nil), h...)...)
		}
		cells, dec := arrangement(normals, 3, maxS2Cells)
		if !dec {
			t.Fatalf("trial %d: not decided", trial)
		}
		want := edgeRayCells(ints)
		if got := len(cells); got != len(want) || float64(got) != cellBound(m, 3) {
			t.Errorf("trial %d (m = %d): %d cells, edge rays give %d, formula %v", trial, m, got, len(want), cellBound(m, 3))
		}
		for _, k := range signKeys(cells) {
			if !want[k] {
				t.Errorf("trial %d: cell %s is not one of the edge rays' cells", trial, k)
			}
		}
	}
}

// TestArrangementGenericCounts: m random (Gaussian) hyperplanes through 0
// in R^d are in general position, with 2·Σ_{i<d} C(m−1, i) cells.
func TestArrangementGenericCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 15))
	for _, d := range []int{2, 3, 4, 5} {
		for trial := 0; trial < 6; trial++ {
			m := 1 + rng.IntN(12)
			normals := make([][]float64, m)
			for i := range normals {
				h := make([]float64, d)
				for k := range h {
					h[k] = rng.NormFloat64()
				}
				normals[i] = unit(h...)
			}
			cells, dec := arrangement(normals, d, maxS2Cells)
			if !dec || float64(len(cells)) != cellBound(m, d) {
				t.Errorf("d = %d, m = %d: %d cells (decided %v), want %v", d, m, len(cells), dec, cellBound(m, d))
			}
		}
	}
}

// arrangementAllColumns is the enumeration without walls: every split is
// decided by the Gordan LP over all the hyperplanes so far (the method
// before walls), without witnesses and without merging normals on a line.
func arrangementAllColumns(normals [][]float64, d int) []cell {
	cells := []cell{{}}
	for l := range normals {
		var next []cell
		for _, c := range cells {
			for _, s := range [2]int8{1, -1} {
				signs := append(append([]int8(nil), c.signs...), s)
				if ok, _, _ := realise(normals[:l+1], signs, d); ok {
					next = append(next, cell{signs: signs})
				}
			}
		}
		cells = next
	}
	return cells
}

// TestArrangementWallsDegenerate compares arrangement with
// arrangementAllColumns on degenerate arrangements: normals drawn from a few
// small integer directions, so many planes share a line (three or more
// through one axis) and cells have many walls at the start.
func TestArrangementWallsDegenerate(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 15))
	for trial := 0; trial < 30; trial++ {
		d := 2 + rng.IntN(3)
		m := 2 + rng.IntN(10)
		normals := make([][]float64, 0, m)
		for len(normals) < m {
			h := make([]float64, d)
			for k := range h {
				h[k] = float64(rng.IntN(3) - 1)
			}
			if dot(h, h) == 0 {
				continue
			}
			normals = append(normals, unit(h...))
		}
		// Distinct lines only: arrangement merges repeated ones, the
		// reference does not.
		var uniq [][]float64
		for _, h := range normals {
			dup := false
			for _, e := range uniq {
				dup = dup || normTol.SameLine(h, e)
			}
			if !dup {
				uniq = append(uniq, h)
			}
		}
		got, dec := arrangement(uniq, d, maxS2Cells)
		want := arrangementAllColumns(uniq, d)
		if !dec || fmt.Sprint(signKeys(got)) != fmt.Sprint(signKeys(want)) {
			t.Errorf("trial %d (d = %d, %d planes): %d cells (decided %v), all-columns method %d", trial, d, len(uniq), len(got), dec, len(want))
		}
	}
}
