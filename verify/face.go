package verify

import (
	"math/big"
	"sort"

	"github.com/relucert/relucert/exact"
)

// maxFaceSubsets bounds the subsets of tight constraints tried when
// enumerating a face's generators; past it the search uses the LP witnesses
// alone and says so.
const maxFaceSubsets = 20000

// crossLines selects the integer cross-product path of generators; tests
// turn it off to compare with the general nullspace path.
var crossLines = true

// generators returns generators of the polyhedral cone F = {u : h·u ≥ 0,
// g·u = 0}: its extreme rays modulo the lineality space, and ± a basis of
// the lineality space, each as a primitive integer vector, sorted — so the
// set does not depend on the order of the constraints or on pivoting. ok is
// false when the enumeration budget ran out. dim is the dimension of F.
func (f face) generators(d int) (gens []exact.Vec, dim int, ok bool) {
	var eq exact.Mat // g·u = 0, unless g = 0 (the face is the closed cell)
	if !f.g.IsZero() {
		eq = exact.Mat{f.g}
	}
	all := append(append(exact.Mat{}, eq...), f.halfspaces...)
	lin := exact.Nullspace(all, d)
	for _, b := range lin {
		gens = append(gens, primitive(b), primitive(b.Neg()))
	}
	// Restrict to the orthogonal complement of the lineality space.
	base := append(eq, lin...)
	r := exact.Rank(base)
	need := d - 1 - r // further tight constraints for a ray
	inside := func(u exact.Vec) bool {
		for _, h := range f.halfspaces {
			if h.Dot(u).Sign() < 0 {
				return false
			}
		}
		return true
	}
	// With exactly d − 1 rows (the usual case: g ≠ 0 and independent of the
	// lineality basis), the line is their generalised cross product, in
	// integers: rows scaled to primitive integer vectors (positive
	// multiples, so the same hyperplanes and halfspaces).
	cross := crossLines && len(base)+need == d-1
	var baseI, halfI [][]big.Int
	if cross {
		for _, b := range base {
			baseI = append(baseI, intsOf(b))
		}
		for _, h := range f.halfspaces {
			halfI = append(halfI, intsOf(h))
		}
	}
	insideI := func(u []big.Int, sign int) bool {
		var s, p big.Int
		for _, h := range halfI {
			s.SetInt64(0)
			for c := range u {
				s.Add(&s, p.Mul(&h[c], &u[c]))
			}
			if s.Sign()*sign < 0 {
				return false
			}
		}
		return true
	}
	tried := 0
	ok = true
	var rec func(start int, chosen []int)
	rec = func(start int, chosen []int) {
		if !ok {
			return
		}
		if len(chosen) == need {
			tried++
			if tried > maxFaceSubsets {
				ok = false
				return
			}
			if cross {
				R := append([][]big.Int{}, baseI...)
				for _, c := range chosen {
					R = append(R, halfI[c])
				}
				u := exact.CrossInt(R, d)
				nonzero := false
				for c := range u {
					nonzero = nonzero || u[c].Sign() != 0
				}
				if !nonzero {
					return
				}
				for _, sign := range []int{1, -1} {
					if insideI(u, sign) {
						g := make(exact.Vec, d)
						for c := range g {
							g[c] = new(big.Rat).SetInt(&u[c])
							if sign < 0 {
								g[c].Neg(g[c])
							}
						}
						gens = append(gens, primitive(g))
					}
				}
				return
			}
			m := append(exact.Mat{}, base...)
			for _, c := range chosen {
				m = append(m, f.halfspaces[c])
			}
			ns := exact.Nullspace(m, d)
			if len(ns) != 1 {
				return
			}
			for _, u := range []exact.Vec{ns[0], ns[0].Neg()} {
				if inside(u) {
					gens = append(gens, primitive(u))
				}
			}
			return
		}
		for c := start; c < len(f.halfspaces); c++ {
			rec(c+1, append(chosen, c))
		}
	}
	if need >= 0 {
		rec(0, nil)
	}
	gens = dedupe(gens)
	if len(gens) > 0 {
		dim = exact.Rank(exact.Mat(gens))
	}
	return gens, dim, ok
}

// intsOf returns the primitive integer vector of v (primitive) as integers.
func intsOf(v exact.Vec) []big.Int {
	p := primitive(v)
	out := make([]big.Int, len(p))
	for i, x := range p {
		out[i].Set(x.Num())
	}
	return out
}

// primitive scales a nonzero rational vector to the integer vector with
// coprime entries in the same direction.
func primitive(v exact.Vec) exact.Vec {
	l := big.NewInt(1)
	for _, x := range v {
		if x.Sign() != 0 {
			q := x.Denom()
			g := new(big.Int).GCD(nil, nil, l, q)
			l.Mul(l, q).Quo(l, g)
		}
	}
	w := make(exact.Vec, len(v))
	g := new(big.Int)
	for i, x := range v {
		n := new(big.Int).Mul(x.Num(), l)
		n.Quo(n, x.Denom())
		w[i] = new(big.Rat).SetInt(n)
		g.GCD(nil, nil, g, new(big.Int).Abs(n))
	}
	if g.Sign() > 0 {
		gr := new(big.Rat).SetInt(g)
		for i := range w {
			w[i].Quo(w[i], gr)
		}
	}
	return w
}

func dedupe(vs []exact.Vec) []exact.Vec {
	sort.Slice(vs, func(a, b int) bool { return lessVec(vs[a], vs[b]) })
	var out []exact.Vec
	for _, v := range vs {
		if len(out) == 0 || !out[len(out)-1].Equal(v) {
			out = append(out, v)
		}
	}
	return out
}

func lessVec(a, b exact.Vec) bool {
	for i := range a {
		if c := a[i].Cmp(b[i]); c != 0 {
			return c < 0
		}
	}
	return false
}
