package exact

import (
	"fmt"
	"math/big"
	"sort"
)

// Cell is a full-dimensional cell (an open polyhedral cone) of a central
// hyperplane arrangement {u : h_i·u = 0} in Q^d.
//
// Signs[i] ∈ {−1, +1} is the sign of h_i·u on the cell, or 0 when h_i = 0
// (a zero normal cuts nothing). Point is a rational interior point: h_i·Point
// has sign Signs[i] for every i.
type Cell struct {
	Signs []int8
	Point Vec
}

// Check reports whether c is a cell of the central arrangement with the given
// normals: Point has their dimension, Signs has one entry per normal,
// Signs[i] = 0 exactly for a zero normal h_i, and sign(h_i·Point) = Signs[i]
// for every i, so Point lies in the open cell the signs describe.
func (c Cell) Check(normals []Vec) bool {
	if len(c.Signs) != len(normals) || !noNil(c.Point) {
		return false
	}
	for i, h := range normals {
		if len(h) != len(c.Point) || !noNil(h) {
			return false
		}
		s := c.Signs[i]
		if h.IsZero() != (s == 0) || (s != 0 && s != 1 && s != -1) {
			return false
		}
		if int8(h.Dot(c.Point).Sign()) != s {
			return false
		}
	}
	return true
}

// Cells returns every full-dimensional cell of the central arrangement
// {u ∈ Q^d : h·u = 0, h ∈ normals}: the connected components of the
// complement of the hyperplanes, which are open polyhedral cones, each given by
// its sign vector (sign of h_i·u on the cell, 0 for a zero normal) and a
// rational (in fact integer) interior point. Distinct cells have distinct sign
// vectors; with no nonzero normal there is the single cell Q^d, with Point 0.
//
// The cells are built incrementally, one hyperplane at a time. A normal that
// is a rational multiple t·h_j of an earlier normal takes its sign from h_j
// (times sign t) and splits nothing. A new hyperplane H splits exactly the
// cells C it meets, and C ↦ C ∩ H is a bijection from those cells onto the
// cells of the earlier hyperplanes restricted to H (deletion–restriction).
// So Cells computes that restricted arrangement recursively in dimension
// d − 1 and splits the cells it names; an interior point u ∈ C ∩ H gives the
// two new interior points u ± εh with ε exact; every other cell keeps its
// point, whose side of H is read off. No LP and no enumeration of sign
// vectors is needed, and the work is polynomial in len(normals) for fixed d.
//
// The cells are returned sorted by sign vector, lexicographically with
// −1 < 0 < +1. maxCells > 0 bounds their number (ErrBudget when exceeded).
// The error is non-nil when d < 1 or a normal does not have d non-nil
// entries.
func Cells(normals []Vec, d int, maxCells int) ([]Cell, error) {
	if d < 1 {
		return nil, fmt.Errorf("exact: Cells in dimension %d", d)
	}
	for i, h := range normals {
		if len(h) != d || !noNil(h) {
			return nil, fmt.Errorf("exact: normal %d must have %d non-nil entries", i, d)
		}
	}
	out, err := cells(normals, d, maxCells)
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(a, b int) bool {
		sa, sb := out[a].Signs, out[b].Signs
		for i := range sa {
			if sa[i] != sb[i] {
				return sa[i] < sb[i]
			}
		}
		return false
	})
	return out, nil
}

// leading returns the index of the first nonzero entry of v, or −1.
func leading(v Vec) int {
	for j, x := range v {
		if x.Sign() != 0 {
			return j
		}
	}
	return -1
}

// signKey encodes a sign vector as a map key.
func signKey(s []int8) string {
	b := make([]byte, len(s))
	for i, x := range s {
		b[i] = byte(x + 1)
	}
	return string(b)
}

// cells computes the cells of the arrangement of normals in Q^d (validated,
// d ≥ 1), in construction order.
func cells(normals []Vec, d int, maxCells int) ([]Cell, error) {
	m := len(normals)
	// rep[i] is the earlier normal h_i is parallel to (i itself for a new
	// direction, −1 for a zero normal); sgn[i] is the sign of t in h_i = t·h_rep.
	rep := make([]int, m)
	sgn := make([]int8, m)
	seen := make(map[string]int)
	var reps []int
	for i, h := range normals {
		p := leading(h)
		if p < 0 {
			rep[i] = -1
			continue
		}
		key := h.Scale(new(big.Rat).Inv(h[p])).String()
		if j, ok := seen[key]; ok {
			rep[i] = j
			sgn[i] = int8(h[p].Sign() * normals[j][p].Sign())
			continue
		}
		seen[key] = i
		rep[i], sgn[i] = i, 1
		reps = append(reps, i)
	}

	type cell struct {
		signs []int8 // signs of reps[:k] after k steps
		point Vec
	}
	cur := []cell{{point: NewVec(d)}}
	var t big.Rat
	for k, hi := range reps {
		h := normals[hi]
		earlier := reps[:k]
		// onH[c] is an interior point of cur[c] ∩ H when H splits cur[c].
		onH := make([]Vec, len(cur))
		if k == 0 {
			onH[0] = cur[0].point
		} else {
			// Parametrise H = {u : h·u = 0} by w ∈ Q^{d−1}: u = Σ_t w_t b_t with
			// b_t = e_j − (h_j/h_p) e_p for the columns j ≠ p, p = leading(h).
			// The earlier normals restrict to r_i[t] = h_i·b_t, none of them
			// zero since no earlier normal is parallel to h; scaling each by a
			// positive rational keeps its signs.
			p := leading(h)
			cols := make([]int, 0, d-1)
			for j := 0; j < d; j++ {
				if j != p {
					cols = append(cols, j)
				}
			}
			ratio := make(Vec, d) // h_j / h_p
			for _, j := range cols {
				ratio[j] = new(big.Rat).Quo(h[j], h[p])
			}
			restricted := make([]Vec, k)
			for ei, i := range earlier {
				r := make(Vec, d-1)
				for ti, j := range cols {
					r[ti] = new(big.Rat).Set(normals[i][j])
					if ratio[j].Sign() != 0 && normals[i][p].Sign() != 0 {
						t.Mul(normals[i][p], ratio[j])
						r[ti].Sub(r[ti], &t)
					}
				}
				restricted[ei] = primitive(r)
			}
			sub, err := cells(restricted, d-1, maxCells)
			if err != nil {
				return nil, err
			}
			index := make(map[string]int, len(cur))
			for ci, c := range cur {
				index[signKey(c.signs)] = ci
			}
			for _, sc := range sub {
				ci, ok := index[signKey(sc.Signs)]
				if !ok {
					return nil, fmt.Errorf("exact: internal error: restricted cell %v has no parent", sc.Signs)
				}
				u := NewVec(d)
				for ti, j := range cols {
					w := sc.Point[ti]
					if w.Sign() == 0 {
						continue
					}
					u[j].Add(u[j], w)
					if ratio[j].Sign() != 0 {
						t.Mul(w, ratio[j])
						u[p].Sub(u[p], &t)
					}
				}
				onH[ci] = u
			}
		}
		next := make([]cell, 0, len(cur)+len(onH))
		for ci, c := range cur {
			if u := onH[ci]; u != nil {
				// u ± εh stay in the cell for ε < a_i/|b_i|, with
				// a_i = s_i h_i·u > 0 and b_i = s_i h_i·h.
				eps := stepBound(normals, earlier, c.signs, u, h)
				if eps == nil {
					eps = big.NewRat(1, 1)
				} else {
					eps.Quo(eps, big.NewRat(2, 1))
				}
				plus := primitive(u.Clone().AddScaled(eps, h))
				minus := primitive(u.Clone().AddScaled(eps.Neg(eps), h))
				next = append(next,
					cell{append(c.signs[:k:k], 1), plus},
					cell{append(c.signs[:k:k], -1), minus})
				continue
			}
			s := h.Dot(c.point).Sign()
			if s == 0 {
				return nil, fmt.Errorf("exact: internal error: unsplit cell %v meets hyperplane %d", c.signs, hi)
			}
			next = append(next, cell{append(c.signs[:k:k], int8(s)), c.point})
		}
		cur = next
		if maxCells > 0 && len(cur) > maxCells {
			return nil, ErrBudget
		}
	}

	pos := make(map[int]int, len(reps)) // normal index → position in reps
	for k, i := range reps {
		pos[i] = k
	}
	out := make([]Cell, len(cur))
	for ci, c := range cur {
		signs := make([]int8, m)
		for i := range signs {
			if rep[i] >= 0 {
				signs[i] = sgn[i] * c.signs[pos[rep[i]]]
			}
		}
		out[ci] = Cell{Signs: signs, Point: c.point}
	}
	return out, nil
}

// stepBound returns min a_i/|b_i| over the earlier normals with b_i ≠ 0,
// where a_i = s_i h_i·p > 0 and b_i = h_i·dir: p + λ·dir stays in the open
// cell {u : s_i h_i·u > 0} for |λ| below it. It returns nil when every b_i is
// zero.
func stepBound(normals []Vec, earlier []int, signs []int8, p, dir Vec) *big.Rat {
	var best *big.Rat
	for k, i := range earlier {
		b := normals[i].Dot(dir)
		if b.Sign() == 0 {
			continue
		}
		a := normals[i].Dot(p)
		if signs[k] < 0 {
			a.Neg(a)
		}
		r := a.Quo(a, b.Abs(b))
		if best == nil || r.Cmp(best) < 0 {
			best = r
		}
	}
	return best
}

// primitive scales v ≠ 0 by a positive rational to the integer vector whose
// entries have greatest common divisor 1, returning v (changed in place).
// The zero vector is returned unchanged.
func primitive(v Vec) Vec {
	l := big.NewInt(1)
	var g big.Int
	for _, x := range v {
		if x.Sign() == 0 {
			continue
		}
		g.GCD(nil, nil, l, x.Denom())
		l.Mul(l, new(big.Int).Quo(x.Denom(), &g))
	}
	var num big.Int
	g.SetInt64(0)
	for _, x := range v {
		if x.Sign() == 0 {
			continue
		}
		num.Mul(x.Num(), l)
		num.Quo(&num, x.Denom())
		g.GCD(nil, nil, &g, new(big.Int).Abs(&num))
	}
	if g.Sign() == 0 {
		return v
	}
	for _, x := range v {
		if x.Sign() == 0 {
			continue
		}
		num.Mul(x.Num(), l)
		num.Quo(&num, x.Denom())
		num.Quo(&num, &g)
		x.SetInt(&num)
	}
	return v
}
