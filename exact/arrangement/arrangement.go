package arrangement

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"

	"github.com/relucert/relucert/exact"
)

// Cell is a full-dimensional cell (an open polyhedral cone) of a central
// hyperplane arrangement {u : h_i·u = 0} in Q^d.
//
// Signs[i] ∈ {−1, +1} is the sign of h_i·u on the cell, or 0 when h_i = 0
// (a zero normal cuts nothing). Point is a rational interior point: h_i·Point
// has sign Signs[i] for every i.
type Cell struct {
	Signs []int8
	Point exact.Vec
}

// Check reports whether c is a cell of the central arrangement with the given
// normals: Point has their dimension, Signs has one entry per normal,
// Signs[i] = 0 exactly for a zero normal h_i, and sign(h_i·Point) = Signs[i]
// for every i, so Point lies in the open cell the signs describe.
func (c Cell) Check(normals []exact.Vec) bool {
	if len(c.Signs) != len(normals) || !c.Point.Defined() {
		return false
	}
	for i, h := range normals {
		if len(h) != len(c.Point) || !h.Defined() {
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
// −1 < 0 < +1. maxCells > 0 bounds their number (exact.ErrBudget when exceeded).
// The error is non-nil when d < 1 or a normal does not have d non-nil
// entries.
func Cells(normals []exact.Vec, d int, maxCells int) ([]Cell, error) {
	return CellsWithin(normals, d, maxCells, nil)
}

// CellsWithin is Cells with a second budget: stop, when not nil, is asked
// after each hyperplane is added (in every dimension of the recursion), and
// a true answer ends the enumeration with exact.ErrBudget — a time limit, for
// example.
func CellsWithin(normals []exact.Vec, d int, maxCells int, stop func() bool) ([]Cell, error) {
	if d < 1 {
		return nil, fmt.Errorf("arrangement: Cells in dimension %d", d)
	}
	for i, h := range normals {
		if len(h) != d || !h.Defined() {
			return nil, fmt.Errorf("arrangement: normal %d must have %d non-nil entries", i, d)
		}
	}
	if out, ok, err := independentCells(normals, d, maxCells, stop); ok {
		return out, err
	}
	out, _, err := cells(normals, d, maxCells, stop, false)
	if err != nil {
		return nil, err
	}
	sortCellList(out)
	return out, nil
}

// CellsCovered is CellsWithin that also returns the certificate that the
// cells are all the cells (docs/theory.md §11.3): the recursion of the
// deletion–restriction, as the cells of every flat of dimension ≥ 2 it
// visits and the pairs of hyperplanes found parallel on a flat.
func CellsCovered(normals []exact.Vec, d int, maxCells int, stop func() bool) ([]Cell, *Cover, error) {
	if d < 1 {
		return nil, nil, fmt.Errorf("arrangement: Cells in dimension %d", d)
	}
	for i, h := range normals {
		if len(h) != d || !h.Defined() {
			return nil, nil, fmt.Errorf("arrangement: normal %d must have %d non-nil entries", i, d)
		}
	}
	if out, ok, err := independentCells(normals, d, maxCells, stop); ok {
		if err != nil {
			return nil, nil, err
		}
		return out, &Cover{}, nil
	}
	out, cover, err := cells(normals, d, maxCells, stop, true)
	if err != nil {
		return nil, nil, err
	}
	sortCellList(out)
	return out, cover, nil
}

// sortCellList sorts cells by sign vector, lexicographically with
// −1 < 0 < +1.
func sortCellList(out []Cell) {
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

// Flat lists the cells of the hyperplanes h_i, i < min(On), restricted to
// the flat ∩_{s∈On} {u : h_s·u = 0} (indices into the normals of the
// arrangement, decreasing): one interior point per cell, on the flat, with
// h_i·Point ≠ 0 for every i < min(On). Parallel lists pairs (t, s), s < t,
// of those hyperplanes that are parallel on the flat (h_t − c·h_s vanishes
// on it), so that h_t's sign on a cell of the flat follows from h_s's.
type Flat struct {
	On       []int
	Points   []exact.Vec
	Parallel [][2]int
}

// Cover certifies that the cells of an arrangement are all its cells
// (docs/theory.md §11.3): Parallel lists the pairs (t, s), s < t, of
// parallel normals, and Flats the cells of every flat of dimension ≥ 2 the
// deletion–restriction recursion visits.
type Cover struct {
	Parallel [][2]int
	Flats    []Flat
}

// recorder collects a Cover during icells: on is the flat of the current
// level (its hyperplanes' indices, decreasing), idx the index of each
// normal of the level in the arrangement, embed the integer matrix taking
// the level's coordinates to Q^d (nil: the identity), pairs the parallel
// pairs the level found, and out the flats needed below it.
type recorder struct {
	on    []int
	idx   []int
	embed [][]big.Int
	pairs [][2]int
	out   *[]Flat
}

// ambient returns embed·u, u's image in Q^d.
func (rc *recorder) ambient(u ivec) exact.Vec {
	if rc.embed == nil {
		p := make(exact.Vec, len(u))
		for j, x := range u {
			p[j] = new(big.Rat).SetInt(x)
		}
		return p
	}
	p := make(exact.Vec, len(rc.embed))
	var s, t big.Int
	for a, row := range rc.embed {
		s.SetInt64(0)
		for c := range row {
			if row[c].Sign() != 0 && u[c].Sign() != 0 {
				s.Add(&s, t.Mul(&row[c], u[c]))
			}
		}
		p[a] = new(big.Rat).SetInt(&s)
	}
	return p
}

// child returns the recorder of the restriction to H = {h·u = 0} (h the
// level's normal hi, with leading index p and the other columns cols) of
// the normals earlier (positions in this level).
func (rc *recorder) child(hi int, h ivec, p int, cols []int, earlier []int, d int) *recorder {
	c := &recorder{out: new([]Flat)}
	c.on = append(append([]int(nil), rc.on...), rc.idx[hi])
	for _, e := range earlier {
		c.idx = append(c.idx, rc.idx[e])
	}
	// Column t of the new embedding is embed·b_t, b_t = h_p e_j − h_j e_p.
	rows := d
	if rc.embed != nil {
		rows = len(rc.embed)
	}
	c.embed = make([][]big.Int, rows)
	var t big.Int
	for a := range c.embed {
		c.embed[a] = make([]big.Int, len(cols))
		for ti, j := range cols {
			var ej, ep *big.Int
			if rc.embed == nil {
				if a == j {
					ej = big.NewInt(1)
				}
				if a == p {
					ep = big.NewInt(1)
				}
			} else {
				ej, ep = &rc.embed[a][j], &rc.embed[a][p]
			}
			if ej != nil && ej.Sign() != 0 {
				c.embed[a][ti].Mul(h[p], ej)
			}
			if ep != nil && ep.Sign() != 0 && h[j].Sign() != 0 {
				c.embed[a][ti].Sub(&c.embed[a][ti], t.Mul(h[j], ep))
			}
		}
	}
	return c
}

// ivec is an integer vector; Cells works on primitive integer normals and
// points internally (scaling by a positive rational changes no sign).
type ivec []*big.Int

// primitiveInts returns the primitive integer vector c·v for the rational
// c > 0 that clears v's denominators and its numerators' common divisor, or
// nil when v = 0.
func primitiveInts(v exact.Vec) ivec {
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
// normals and a primitive integer interior point, with a rolling hash of
// the signs and the float64 image of the point (for filtered signs).
type icell struct {
	signs []int8
	point ivec
	hash  uint64
	fp    []float64
	fok   bool
}

// signHash extends the rolling hash of a sign vector by one sign.
func signHash(h uint64, s int8) uint64 { return h*0x100000001b3 + uint64(s+2) }

// hashSigns returns the rolling hash of a whole sign vector.
func hashSigns(ss []int8) uint64 {
	var h uint64 = 0xcbf29ce484222325
	for _, s := range ss {
		h = signHash(h, s)
	}
	return h
}

// floatImage returns the nearest float64 of each entry of an integer
// vector and whether every nonzero entry is within the filter's range.
func floatImage(v ivec) ([]float64, bool) {
	f := make([]float64, len(v))
	ok := true
	for j, x := range v {
		if x.Sign() == 0 {
			continue
		}
		if x.IsInt64() && x.BitLen() <= 53 {
			f[j] = float64(x.Int64())
		} else {
			f[j] = exact.IntFloat64(x)
		}
		if a := math.Abs(f[j]); !exact.FilterAccepts(a) {
			ok = false
		}
	}
	return f, ok
}

// filteredDot returns the float64 value of a·b and a rigorous bound on its
// error (see exact.DotSign), or ok = false.
func filteredDot(a, b []float64) (s, err float64) {
	var mu float64
	for j, x := range a {
		p := x * b[j]
		s += p
		mu += math.Abs(p)
	}
	return s, exact.DotFilterFactor(len(a)) * mu
}

// newICell returns a cell with the given signs (hash h) and point.
func newICell(signs []int8, h uint64, point ivec) icell {
	fp, ok := floatImage(point)
	return icell{signs: signs, point: point, hash: h, fp: fp, fok: ok}
}

// cells computes the cells of the arrangement of normals in Q^d (validated,
// d ≥ 1), in construction order.
func cells(normals []exact.Vec, d int, maxCells int, stop func() bool, cover bool) ([]Cell, *Cover, error) {
	ints := make([]ivec, len(normals))
	for i, h := range normals {
		ints[i] = primitiveInts(h)
	}
	var rec *recorder
	var cv *Cover
	if cover {
		cv = &Cover{}
		rec = &recorder{out: &cv.Flats, idx: make([]int, len(normals))}
		for i := range rec.idx {
			rec.idx[i] = i
		}
	}
	signs, cs, err := icells(ints, d, maxCells, stop, rec)
	if err != nil {
		return nil, nil, err
	}
	if cv != nil {
		cv.Parallel = rec.pairs
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
	return out, cv, nil
}

// icells computes the cells of the arrangement of the primitive integer
// normals (nil for a zero normal) in Q^d. It returns the cells over the
// distinct directions and a function giving a cell's signs on all normals.
// With a recorder it also records the parallel pairs of this level and the
// flats of dimension ≥ 2 below it (see Cover).
func icells(normals []ivec, d int, maxCells int, stop func() bool, rec *recorder) (func(icell) []int8, []icell, error) {
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
			if rec != nil {
				rec.pairs = append(rec.pairs, [2]int{rec.idx[i], rec.idx[j]})
			}
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
	cur := []icell{newICell(nil, hashSigns(nil), zero)}
	var spare []icell // the previous step's cells, reused for the next step
	nfAll := make([][]float64, m)
	nokAll := make([]bool, m)
	for _, i := range reps {
		nfAll[i], nokAll[i] = floatImage(normals[i])
	}
	var s, t, a, bestA, bestB, l, r big.Int
	for k, hi := range reps {
		h := normals[hi]
		hf, hok := floatImage(h)
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
			var sr *recorder
			var flat []exact.Vec
			if rec != nil {
				sr = rec.child(hi, h, p, cols, earlier, d)
			}
			subSigns, sub, err := icells(restricted, d-1, maxCells, stop, sr)
			if err != nil {
				return nil, nil, err
			}
			// Parent lookup by the hash of the sign vector, confirmed by
			// comparing the signs.
			index := make(map[uint64][]int, len(cur))
			for ci, c := range cur {
				index[c.hash] = append(index[c.hash], ci)
			}
			for _, sc := range sub {
				// The restricted cell's signs on all k restricted normals are
				// the signs of its parent on the earlier directions.
				ss := subSigns(sc)
				ci := -1
				for _, cand := range index[hashSigns(ss)] {
					if slices.Equal(cur[cand].signs, ss) {
						ci = cand
						break
					}
				}
				if ci < 0 {
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
				if sr != nil && d-1 >= 2 {
					flat = append(flat, rec.ambient(u))
				}
			}
			// The flat is needed (and recorded, with the flats below it) only
			// when some cell does not meet H: its sign on h then follows
			// from H ∩ cell = ∅, which the flat's cells show.
			if sr != nil && d-1 >= 2 && len(sub) < len(cur) {
				*rec.out = append(*rec.out, *sr.out...)
				*rec.out = append(*rec.out, Flat{On: sr.on, Points: flat, Parallel: sr.pairs})
			}
		}
		// b_i = h_i·h for the earlier normals, exact and as float64.
		bs := make([]big.Int, k)
		bf := make([]float64, k)
		nf := make([][]float64, k)
		nok := make([]bool, k)
		for ei, i := range earlier {
			normals[i].dot(h, &bs[ei], &t)
			bs[ei].Abs(&bs[ei])
			bf[ei] = exact.IntFloat64(&bs[ei])
			nf[ei], nok[ei] = nfAll[i], nokAll[i]
		}
		lo := make([]float64, k)
		next := spare[:0]
		if cap(next) < 2*len(cur) {
			next = make([]icell, 0, 2*len(cur)+16)
		}
		for ci, c := range cur {
			if u := onH[ci]; u != nil {
				// u ± εh stay in the cell for ε < a_i/|b_i|, with
				// a_i = s_i h_i·u > 0 and b_i = h_i·h; take ε = A/(2B) for the
				// least ratio A/B (the first index attaining it) and scale by
				// 2B: 2B·u ± A·h. Float64 intervals for the ratios rule out
				// the indices that cannot attain the minimum; the others are
				// compared exactly, in index order.
				uf, uok := floatImage(u)
				minHi := math.Inf(1)
				for ei := range earlier {
					lo[ei] = -1 // candidate
					if bs[ei].Sign() == 0 || !uok || !nok[ei] || bf[ei] == 0 || math.IsInf(bf[ei], 0) {
						continue
					}
					av, ae := filteredDot(nf[ei], uf)
					if c.signs[ei] < 0 {
						av = -av
					}
					// a ∈ [av − ae, av + ae], |b| ∈ bf·[1 − 2u, 1 + 2u].
					loR := (av - ae) / (bf[ei] * (1 + 0x1p-50)) * (1 - 0x1p-50)
					hiR := (av + ae) / (bf[ei] * (1 - 0x1p-50)) * (1 + 0x1p-50)
					lo[ei] = loR
					minHi = math.Min(minHi, hiR)
				}
				found := false
				for ei, i := range earlier {
					if bs[ei].Sign() == 0 || (lo[ei] >= 0 && lo[ei] > minHi) {
						continue
					}
					normals[i].dot(u, &a, &t)
					if c.signs[ei] < 0 {
						a.Neg(&a)
					}
					if !found || l.Mul(&a, &bestB).Cmp(r.Mul(&bestA, &bs[ei])) < 0 {
						bestA.Set(&a)
						bestB.Set(&bs[ei])
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
				// The plus child extends the parent's sign slice in place
				// (the parent is not used after this step); the minus child
				// gets its own copy.
				mSigns := append(c.signs[:k:k], -1)
				next = append(next,
					newICell(append(c.signs, 1), signHash(c.hash, 1), plus.reduce()),
					newICell(mSigns, signHash(c.hash, -1), minus.reduce()))
				continue
			}
			sg, ok := 0, false
			if hok && c.fok {
				v, e := filteredDot(hf, c.fp)
				switch {
				case e == 0 && v == 0:
					sg, ok = 0, true
				case v > e:
					sg, ok = 1, true
				case v < -e:
					sg, ok = -1, true
				}
			}
			if !ok {
				sg = h.dot(c.point, &s, &t).Sign()
			}
			if sg == 0 {
				return nil, nil, fmt.Errorf("arrangement: internal error: unsplit cell %v meets hyperplane %d", c.signs, hi)
			}
			c.signs = append(c.signs, int8(sg))
			c.hash = signHash(c.hash, int8(sg))
			next = append(next, c)
		}
		clear(cur) // drop references for the collector
		spare, cur = cur, next
		if maxCells > 0 && len(cur) > maxCells || stop != nil && stop() {
			return nil, nil, exact.ErrBudget
		}
	}
	return signs, cur, nil
}
