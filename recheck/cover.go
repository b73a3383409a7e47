package recheck

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/relucert/relucert/exact"
)

// This file checks that a list of cells is every cell of a central
// hyperplane arrangement (docs/theory.md §11.3), from the interior points of
// the cells and of the cells of the flats the deletion–restriction
// recursion visits, by substitution only.

// arrangementCheck holds the hyperplanes h_0, …, h_{m−1} of one
// arrangement in Q^full and the flats verified so far. The arrangement is
// checked in its essential dimension d = rank(h_0, …, h_{m−1}): with R the
// pivot coordinates of the span S of the normals (exact.SpanCoordinates),
// Q^full = ι(Q^R) ⊕ S^⊥ (ι pads with zeros), and h·(ι(w) + n) = h_R·w, so
// the cells of every flat are those of the normals restricted to R on the
// corresponding flat of Q^R, which has dimension d − |On|. Interior points
// are still checked by substitution in Q^full.
type arrangementCheck struct {
	d    int
	full int
	R    []int
	hs   []exact.Vec
	hf   []exact.FloatVec
	hi   [][]big.Int // D_i·h_i, integers
	cv   *Cover
	byOn map[string]*Flat
	// done maps a verified flat to the set of its cells' sign vectors.
	done map[string]map[string]bool
}

// signKey writes a sign vector (entries ±1) as a string of '+' and '-'.
func signKey(s []int8) string {
	b := make([]byte, len(s))
	for i, x := range s {
		b[i] = '-'
		if x > 0 {
			b[i] = '+'
		}
	}
	return string(b)
}

func onKey(on []int) string {
	var b strings.Builder
	for _, i := range on {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte(',')
	}
	return b.String()
}

// checkCover verifies that the cells with the given sign vectors (already
// verified against their interior points: signs[c][i] is the sign of
// h_i·point_c, ±1) are all the cells of the arrangement of hs in Q^d,
// using the coverage certificate cv.
func checkCover(hs []exact.Vec, d int, signs [][]int8, cv *Cover) error {
	if len(hs) > 0 && cv == nil {
		return fmt.Errorf("no proof that the %d cells are all the cells of the arrangement", len(signs))
	}
	if cv == nil {
		cv = &Cover{}
	}
	R, _ := exact.SpanCoordinates(hs, d, nil)
	ac := &arrangementCheck{d: len(R), full: d, R: R, hs: hs, cv: cv, byOn: map[string]*Flat{}, done: map[string]map[string]bool{}}
	for i, h := range hs {
		if h.IsZero() {
			return fmt.Errorf("hyperplane %d has a zero normal", i)
		}
		ac.hf = append(ac.hf, exact.ToFloatVec(h))
		den := exact.CommonDenominator(h)
		row := make([]big.Int, d)
		for c, x := range h {
			exact.ScaleInt(&row[c], x, den)
		}
		ac.hi = append(ac.hi, row)
	}
	for f := range cv.Flats {
		fl := &cv.Flats[f]
		key := onKey(fl.On)
		if ac.byOn[key] != nil {
			return fmt.Errorf("flat %v listed twice", fl.On)
		}
		ac.byOn[key] = fl
	}
	// The pairs parallel on all of Q^d.
	par := map[int]bool{}
	if err := ac.pairs(nil, cv.Parallel, len(hs), par); err != nil {
		return err
	}
	keys := make([]string, len(signs))
	for c, s := range signs {
		keys[c] = signKey(s)
	}
	if err := ac.tree(nil, len(hs), keys, par); err != nil {
		return err
	}
	for _, fl := range cv.Flats {
		if _, ok := ac.done[onKey(fl.On)]; !ok {
			return fmt.Errorf("flat %v is listed but not needed", fl.On)
		}
	}
	return nil
}

// pairs verifies the parallel pairs (t, s) declared on the flat on: s < t
// < k and h_t, h_s dependent modulo the span of h_on (rank of h_on, h_t,
// h_s is |on| + 1; h_on are independent and h_t ∉ span h_on on the flats
// the recursion reaches). It adds each t to par.
func (ac *arrangementCheck) pairs(on []int, ps [][2]int, k int, par map[int]bool) error {
	for _, pr := range ps {
		t, s := pr[0], pr[1]
		if s < 0 || s >= t || t >= k {
			return fmt.Errorf("flat %v: parallel pair (%d, %d) out of range", on, t, s)
		}
		var rows exact.Mat
		for _, o := range on {
			rows = append(rows, ac.hs[o])
		}
		rows = append(rows, ac.hs[t], ac.hs[s])
		if exact.Rank(rows) != len(on)+1 {
			return fmt.Errorf("flat %v: hyperplanes %d and %d are not parallel on it", on, t, s)
		}
		par[t] = true
	}
	return nil
}

// tree verifies that the distinct sign vectors keys (length k, the cells of
// the hyperplanes h_0, …, h_{k−1} on the flat on, each with a verified
// interior point) are all of them: in the tree of their prefixes, every
// node at depth t with a single child is justified by a pair parallel on
// the flat (t ∈ par) or by its absence from the cells of the flat on ∪ {t}.
func (ac *arrangementCheck) tree(on []int, k int, keys []string, par map[int]bool) error {
	if len(keys) == 0 {
		return fmt.Errorf("flat %v: no cell", on)
	}
	slices.Sort(keys)
	for c := 1; c < len(keys); c++ {
		if keys[c] == keys[c-1] {
			return fmt.Errorf("flat %v: cell %s listed twice", on, keys[c])
		}
	}
	// groups are the ranges of keys sharing a prefix of length t.
	groups := [][2]int{{0, len(keys)}}
	next := make([][2]int, 0, 2*len(keys))
	for t := 0; t < k; t++ {
		var lonely []string // prefixes of the nodes at depth t with one child
		next = next[:0]
		for _, g := range groups {
			lo, hi := g[0], g[1]
			split := lo
			for split < hi && keys[split][t] == '+' {
				split++
			}
			// Sorted with '+' < '-': the '+' children come first.
			if split == lo || split == hi {
				lonely = append(lonely, keys[lo][:t])
			}
			if split > lo {
				next = append(next, [2]int{lo, split})
			}
			if split < hi {
				next = append(next, [2]int{split, hi})
			}
		}
		groups, next = next, groups
		if len(lonely) == 0 || par[t] {
			continue
		}
		sub, err := ac.flat(append(slices.Clone(on), t), t, par)
		if err != nil {
			return err
		}
		for _, pre := range lonely {
			if sub[pre] {
				return fmt.Errorf("flat %v: hyperplane %d cuts the cell with signs %q on the hyperplanes before it, but only one side is listed", on, t, pre)
			}
		}
	}
	return nil
}

// flat returns the set of sign vectors of the cells of h_0, …, h_{k−1} on
// the flat on (k = the last index of on, which has dimension d − |on|),
// verified: from its listed interior points and recursively from its own
// flats when its dimension is at least 2, and computed directly on a line
// or at the origin. par holds the pairs parallel on the parent flat, which
// stay parallel on this one.
func (ac *arrangementCheck) flat(on []int, k int, par map[int]bool) (map[string]bool, error) {
	key := onKey(on)
	if s, ok := ac.done[key]; ok {
		return s, nil
	}
	out := map[string]bool{}
	switch dim := ac.d - len(on); {
	case dim <= 0:
		if k == 0 {
			out[""] = true
		}
	case dim == 1:
		// The line of the flat in the coordinates R, padded with zeros.
		rows := make([][]big.Int, len(on))
		for r, o := range on {
			rows[r] = make([]big.Int, ac.d)
			for q, c := range ac.R {
				rows[r][q].Set(&ac.hi[o][c])
			}
		}
		cross := exact.CrossInt(rows, ac.d)
		l := exact.NewVec(ac.full)
		for q, c := range ac.R {
			l[c].SetInt(&cross[q])
		}
		if l.IsZero() {
			return nil, fmt.Errorf("flat %v: dependent hyperplanes", on)
		}
		s, ok := ac.signs(l, k)
		if ok {
			neg := make([]int8, k)
			for i := range s {
				neg[i] = -s[i]
			}
			out[signKey(s)], out[signKey(neg)] = true, true
		}
	default:
		fl := ac.byOn[key]
		if fl == nil {
			return nil, fmt.Errorf("no cells listed for the flat of hyperplanes %v", on)
		}
		mine := map[int]bool{}
		for t := range par {
			mine[t] = true
		}
		if err := ac.pairs(on, fl.Parallel, k, mine); err != nil {
			return nil, err
		}
		keys := make([]string, len(fl.Points))
		for c, p := range fl.Points {
			if len(p) != ac.full || !p.Defined() {
				return nil, fmt.Errorf("flat %v: point %d has the wrong shape", on, c)
			}
			for _, o := range on {
				if ac.hs[o].Dot(p).Sign() != 0 {
					return nil, fmt.Errorf("flat %v: point %d is not on hyperplane %d", on, c, o)
				}
			}
			s, ok := ac.signs(p, k)
			if !ok {
				return nil, fmt.Errorf("flat %v: point %d lies on one of the hyperplanes 0…%d", on, c, k-1)
			}
			keys[c] = signKey(s)
			out[keys[c]] = true
		}
		if err := ac.tree(on, k, keys, mine); err != nil {
			return nil, err
		}
	}
	ac.done[key] = out
	return out, nil
}

// signs returns the signs of h_i·p for i < k, and false when one is 0.
func (ac *arrangementCheck) signs(p exact.Vec, k int) ([]int8, bool) {
	pf := exact.ToFloatVec(p)
	s := make([]int8, k)
	for i := 0; i < k; i++ {
		sg, ok := exact.DotSign(ac.hf[i], pf)
		if !ok {
			sg = ac.hs[i].Dot(p).Sign()
		}
		if sg == 0 {
			return nil, false
		}
		s[i] = int8(sg)
	}
	return s, true
}
