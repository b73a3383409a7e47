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

// ivec is an integer vector; Cells works on primitive integer normals and
// points internally (scaling by a positive rational changes no sign).
type ivec []*big.Int

// primitiveInts returns the primitive integer vector c·v for the rational
// c > 0 that clears v's denominators and its numerators' common divisor, or
// nil when v = 0.
func primitiveInts(v Vec) ivec {
	l := big.NewInt(1)
	var g big.Int
	for _, x := range v {
		if x.Sign() != 0 && !x.IsInt() {
			g.GCD(nil, nil, l, x.Denom())
			l.Mul(l, g.Quo(x.Denom(), &g))
		}
	}
	w := make(ivec, len(v))
	for i, x := range v {
		w[i] = new(big.Int).Mul(x.Num(), l)
		w[i].Quo(w[i], x.Denom())
	}
	return w.reduce()
}

// reduce divides w by the gcd of its entries and returns it, or nil when w = 0.
func (w ivec) reduce() ivec {
	var g, t big.Int
	for _, x := range w {
		if x.Sign() != 0 {
			g.GCD(nil, nil, &g, t.Abs(x))
		}
	}
	if g.Sign() == 0 {
		return nil
	}
	if g.Cmp(big.NewInt(1)) != 0 {
		for _, x := range w {
			x.Quo(x, &g)
		}
	}
	return w
}

// dot sets s = v·w and returns it; t is a temporary.
func (v ivec) dot(w ivec, s, t *big.Int) *big.Int {
	s.SetInt64(0)
	for i, x := range v {
		if x.Sign() != 0 && w[i].Sign() != 0 {
			s.Add(s, t.Mul(x, w[i]))
		}
	}
	return s
}

// leading returns the index of the first nonzero entry of v, or −1.
func (v ivec) leading() int {
	for j, x := range v {
		if x.Sign() != 0 {
			return j
		}
	}
	return -1
}

func (v ivec) key() string {
	var b []byte
	for _, x := range v {
		b = x.Append(b, 36)
		b = append(b, ',')
	}
	return string(b)
}

// signKey encodes a sign vector as a map key.
func signKey(s []int8) string {
	b := make([]byte, len(s))
	for i, x := range s {
		b[i] = byte(x + 1)
	}
	return string(b)
}

// icell is a cell under construction: its signs on the first k distinct
// normals and a primitive integer interior point.
type icell struct {
	signs []int8
	point ivec
}

// cells computes the cells of the arrangement of normals in Q^d (validated,
// d ≥ 1), in construction order.
func cells(normals []Vec, d int, maxCells int) ([]Cell, error) {
	ints := make([]ivec, len(normals))
	for i, h := range normals {
		ints[i] = primitiveInts(h)
	}
	signs, cs, err := icells(ints, d, maxCells)
	if err != nil {
		return nil, err
	}
	out := make([]Cell, len(cs))
	for ci, c := range cs {
		p := make(Vec, d)
		for j := range p {
			if c.point == nil {
				p[j] = new(big.Rat)
			} else {
				p[j] = new(big.Rat).SetInt(c.point[j])
			}
		}
		out[ci] = Cell{Signs: signs(c), Point: p}
	}
	return out, nil
}

// icells computes the cells of the arrangement of the primitive integer
// normals (nil for a zero normal) in Q^d. It returns the cells over the
// distinct directions and a function giving a cell's signs on all normals.
func icells(normals []ivec, d int, maxCells int) (func(icell) []int8, []icell, error) {
	m := len(normals)
	// rep[i] is the earlier normal h_i is parallel to (i itself for a new
	// direction, −1 for a zero normal); sgn[i] is the sign of t in h_i = t·h_rep.
	rep := make([]int, m)
	sgn := make([]int8, m)
	pos := make(map[int]int) // normal index of a new direction → its position in reps
	seen := make(map[string]int)
	var reps []int
	for i, h := range normals {
		if h == nil {
			rep[i] = -1
			continue
		}
		p := h.leading()
		s := int8(h[p].Sign())
		key := h.key()
		if s < 0 {
			neg := make(ivec, d)
			for j, x := range h {
				neg[j] = new(big.Int).Neg(x)
			}
			key = neg.key()
		}
		if j, ok := seen[key]; ok {
			rep[i] = j
			sgn[i] = s * int8(normals[j][p].Sign())
			continue
		}
		seen[key] = i
		rep[i], sgn[i] = i, 1
		pos[i] = len(reps)
		reps = append(reps, i)
	}
	signs := func(c icell) []int8 {
		out := make([]int8, m)
		for i := range out {
			if rep[i] >= 0 {
				out[i] = sgn[i] * c.signs[pos[rep[i]]]
			}
		}
		return out
	}

	zero := make(ivec, d)
	for j := range zero {
		zero[j] = new(big.Int)
	}
	cur := []icell{{point: zero}}
	var s, t, a, b, bestA, bestB, l, r big.Int
	for k, hi := range reps {
		h := normals[hi]
		earlier := reps[:k]
		// onH[c] is an interior point of cur[c] ∩ H when H splits cur[c].
		onH := make([]ivec, len(cur))
		if k == 0 {
			onH[0] = cur[0].point
		} else {
			// Parametrise H = {u : h·u = 0} by w ∈ Q^{d−1}: u = Σ_t w_t b_t with
			// b_t = h_p e_j − h_j e_p for the columns j ≠ p, p = h's leading
			// index. The earlier normals restrict to r_i[t] = h_i·b_t, none of
			// them zero since no earlier normal is parallel to h.
			p := h.leading()
			cols := make([]int, 0, d-1)
			for j := 0; j < d; j++ {
				if j != p {
					cols = append(cols, j)
				}
			}
			restricted := make([]ivec, k)
			for ei, i := range earlier {
				hi := normals[i]
				rv := make(ivec, d-1)
				for ti, j := range cols {
					rv[ti] = new(big.Int).Mul(h[p], hi[j])
					if h[j].Sign() != 0 && hi[p].Sign() != 0 {
						rv[ti].Sub(rv[ti], t.Mul(h[j], hi[p]))
					}
				}
				restricted[ei] = rv.reduce()
			}
			subSigns, sub, err := icells(restricted, d-1, maxCells)
			if err != nil {
				return nil, nil, err
			}
			index := make(map[string]int, len(cur))
			for ci, c := range cur {
				index[signKey(c.signs)] = ci
			}
			for _, sc := range sub {
				// The restricted cell's signs on all k restricted normals are
				// the signs of its parent on the earlier directions.
				ss := subSigns(sc)
				ci, ok := index[signKey(ss)]
				if !ok {
					return nil, nil, fmt.Errorf("exact: internal error: restricted cell %v has no parent", ss)
				}
				u := make(ivec, d)
				u[p] = new(big.Int)
				for ti, j := range cols {
					w := sc.point[ti]
					u[j] = new(big.Int).Mul(h[p], w)
					if h[j].Sign() != 0 {
						u[p].Sub(u[p], t.Mul(h[j], w))
					}
				}
				onH[ci] = u
			}
		}
		next := make([]icell, 0, len(cur)+len(onH))
		for ci, c := range cur {
			if u := onH[ci]; u != nil {
				// u ± εh stay in the cell for ε < a_i/|b_i|, with
				// a_i = s_i h_i·u > 0 and b_i = h_i·h; take ε = A/(2B) for the
				// least ratio A/B and scale by 2B: 2B·u ± A·h.
				found := false
				for ei, i := range earlier {
					normals[i].dot(h, &b, &t)
					if b.Sign() == 0 {
						continue
					}
					b.Abs(&b)
					normals[i].dot(u, &a, &t)
					if c.signs[ei] < 0 {
						a.Neg(&a)
					}
					if !found || l.Mul(&a, &bestB).Cmp(r.Mul(&bestA, &b)) < 0 {
						bestA.Set(&a)
						bestB.Set(&b)
						found = true
					}
				}
				if !found {
					bestA.SetInt64(1)
					bestB.SetInt64(1)
				} else {
					bestB.Lsh(&bestB, 1)
				}
				plus, minus := make(ivec, d), make(ivec, d)
				for j := range u {
					l.Mul(&bestB, u[j])
					r.Mul(&bestA, h[j])
					plus[j] = new(big.Int).Add(&l, &r)
					minus[j] = new(big.Int).Sub(&l, &r)
				}
				next = append(next,
					icell{append(c.signs[:k:k], 1), plus.reduce()},
					icell{append(c.signs[:k:k], -1), minus.reduce()})
				continue
			}
			sg := h.dot(c.point, &s, &t).Sign()
			if sg == 0 {
				return nil, nil, fmt.Errorf("exact: internal error: unsplit cell %v meets hyperplane %d", c.signs, hi)
			}
			next = append(next, icell{append(c.signs[:k:k], int8(sg)), c.point})
		}
		cur = next
		if maxCells > 0 && len(cur) > maxCells {
			return nil, nil, ErrBudget
		}
	}
	return signs, cur, nil
}
