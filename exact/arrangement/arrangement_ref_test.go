package arrangement

// The implementation of Cells before its performance work (filtered signs,
// reused sign vectors, hashed parent lookup), kept as the reference the
// optimised one must reproduce exactly: same cells, same order, same
// interior points.

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/relucert/relucert/exact"
)

// cells computes the cells of the arrangement of normals in Q^d (validated,
// d ≥ 1), in construction order.
func refCells(normals []exact.Vec, d int, maxCells int) ([]Cell, error) {
	ints := make([]ivec, len(normals))
	for i, h := range normals {
		ints[i] = primitiveInts(h)
	}
	signs, cs, err := refIcells(ints, d, maxCells)
	if err != nil {
		return nil, err
	}
	out := make([]Cell, len(cs))
	for ci, c := range cs {
		p := make(exact.Vec, d)
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
func refIcells(normals []ivec, d int, maxCells int) (func(icell) []int8, []icell, error) {
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
			subSigns, sub, err := refIcells(restricted, d-1, maxCells)
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
					return nil, nil, fmt.Errorf("arrangement: internal error: restricted cell %v has no parent", ss)
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
					icell{signs: append(c.signs[:k:k], 1), point: plus.reduce()},
					icell{signs: append(c.signs[:k:k], -1), point: minus.reduce()})
				continue
			}
			sg := h.dot(c.point, &s, &t).Sign()
			if sg == 0 {
				return nil, nil, fmt.Errorf("arrangement: internal error: unsplit cell %v meets hyperplane %d", c.signs, hi)
			}
			next = append(next, icell{signs: append(c.signs[:k:k], int8(sg)), point: c.point})
		}
		cur = next
		if maxCells > 0 && len(cur) > maxCells {
			return nil, nil, exact.ErrBudget
		}
	}
	return signs, cur, nil
}

// TestCellsMatchReference compares Cells with the reference implementation
// on random arrangements (with parallel and zero normals, big entries and
// dimensions 1–5): identical cells and order, and identical interior points
// except for linearly independent normals (independentCells), whose points
// must be interior.
func TestCellsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for trial := 0; trial < 300; trial++ {
		d := 1 + rng.IntN(5)
		m := rng.IntN(9)
		if d <= 3 {
			m += rng.IntN(12)
		}
		var normals []exact.Vec
		for i := 0; i < m; i++ {
			var h exact.Vec
			switch {
			case i > 0 && rng.IntN(6) == 0:
				h = normals[rng.IntN(i)].Scale(big.NewRat(int64(rng.IntN(5)-2), int64(1+rng.IntN(3))))
			case trial%3 == 0:
				h = make(exact.Vec, d)
				for c := range h {
					h[c] = new(big.Rat).SetFloat64(rng.NormFloat64() * float64(int64(1)<<rng.IntN(40)))
				}
			default:
				h = randVec(rng, d, 2)
			}
			normals = append(normals, h)
		}
		got, err := Cells(normals, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		want, err := refCells(normals, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		sortCells(want)
		if len(got) != len(want) {
			t.Fatalf("trial %d: %d cells, reference %d", trial, len(got), len(want))
		}
		// Independent normals take independentCells' own (smaller) points.
		_, independent, _ := independentCells(normals, d, 0, nil)
		for c := range got {
			if !slices.Equal(got[c].Signs, want[c].Signs) || !got[c].Check(normals) ||
				!independent && !got[c].Point.Equal(want[c].Point) {
				t.Fatalf("trial %d cell %d: %v %v, reference %v %v", trial, c, got[c].Signs, got[c].Point, want[c].Signs, want[c].Point)
			}
		}
	}
}

func sortCells(out []Cell) {
	sort.Slice(out, func(a, b int) bool {
		sa, sb := out[a].Signs, out[b].Signs
		for i := range sa {
			if sa[i] != sb[i] {
				return sa[i] < sb[i]
			}
		}
		return false
	})
}
