package verify

import (
	"math/big"
	"slices"
)

// This file builds the linear structure of one snap pattern
// (docs/theory.md §8.1). Alive neurons with the same pattern — the same
// sides and the same boundary samples — are one group g, with product
// coordinates P_g = Σ_{j∈g} a_j w_j ∈ Q^d; with an output bias, b is one
// more coordinate. On the pattern the network is linear in these N
// unknowns: f = M̃ P with M̃_{i,(g,c)} = s_ig x_ic (s_ig the slope of sample
// i's side, 0 on Z_g) and a column of ones for b; every boundary sample
// gives a row C̃ P = 0 (x_i·P_g = 0). The stationary points of the pattern
// are the (P, t) with
//
//	M̃ᵀ(M̃P − y) + C̃ᵀt = 0,  C̃P = 0           (the least squares' KKT system)
//
// plus inequalities: every strict side keeps its sign, and every boundary
// multiplier t_gi lies between ρ₋r_i and ρ₊r_i with κ·a_j·r_i ≥ 0 for each
// neuron of the group (snapsolve.go checks them exactly).
//
// Integer images. With σ_c the common denominator of column c of the data,
// σ_y that of the targets and σ_ρ that of the slopes, x̄ = σ_c x_ic,
// ȳ = σ_y y, s̄ = σ_ρ s are integers, and in the unknowns
// P̄_gc = σ_y P_gc / (σ_ρ σ_c), b̄ = σ_y b, t̄ = σ_ρ σ_y t the system reads
// M̄ᵀ(M̄P̄ − ȳ) + C̄ᵀt̄ = 0, C̄P̄ = 0 with M̄_{i,(g,c)} = s̄_ig x̄_ic, M̄_{i,b} = 1
// and C̄ rows x̄_i; its residual is M̄P̄ − ȳ = σ_y r.

// snapGroup is a set of alive neurons with one pattern.
type snapGroup struct {
	neurons []int
	side    []int8
	z       []int // boundary samples (nonzero inputs with side 0)
}

// snapSystem is the linear structure of a pattern, with integer and
// float64 images of the data.
type snapSystem struct {
	sn     *snapper
	pat    SnapPattern
	groups []snapGroup
	group  []int // neuron → group, −1 when not alive
	n, d   int
	N      int  // unknowns: groups·d, plus one for b
	bias   bool // the last unknown is the output bias
	zrows  [][2]int
	a      []*big.Rat // short output weight of each alive neuron (nil otherwise)

	// Integer images.
	xbar       [][]big.Int // n × d
	colScale   []*big.Int  // σ_c
	ybar       []big.Int
	yScale     *big.Int // σ_y
	sPos, sNeg big.Int  // s̄₊, s̄₋
	sScale     *big.Int // σ_ρ

	// Float images (for the planner).
	xf       [][]float64
	yf       []float64
	spf, snf float64
}

// newSnapSystem groups the alive neurons of pat and builds the images.
func (sn *snapper) newSnapSystem(pat SnapPattern) *snapSystem {
	p := sn.cand
	s := &snapSystem{sn: sn, pat: pat, n: p.N(), d: p.D(), bias: p.HasOutputBias(), group: make([]int, p.M()), a: make([]*big.Rat, p.M())}
	for j := range s.group {
		s.group[j] = -1
	}
	for _, j := range pat.Alive {
		sj := pat.Neurons[j]
		g := -1
		for k, gr := range s.groups {
			if slices.Equal(gr.side, sj.Side) && slices.Equal(gr.z, sj.Z) {
				g = k
				break
			}
		}
		if g < 0 {
			g = len(s.groups)
			s.groups = append(s.groups, snapGroup{side: sj.Side, z: sj.Z})
		}
		s.groups[g].neurons = append(s.groups[g].neurons, j)
		s.group[j] = g
		s.a[j] = sn.shortA(j)
	}
	s.N = len(s.groups) * s.d
	if s.bias {
		s.N++
	}
	for g, gr := range s.groups {
		for _, i := range gr.z {
			s.zrows = append(s.zrows, [2]int{g, i})
		}
	}
	s.images()
	return s
}

// shortA returns a_j as used by snap: the simplest rational that rounds to
// the float ã_j (exact.ShortRat).
func (sn *snapper) shortA(j int) *big.Rat {
	if sn.shortAs == nil {
		sn.shortAs = make([]*big.Rat, sn.cand.M())
	}
	if sn.shortAs[j] == nil {
		sn.shortAs[j] = snapShortRat(sn.cand.Neurons[j].A[0])
	}
	return sn.shortAs[j]
}

// images computes the integer and float images of the data (once per
// candidate: they do not depend on the pattern).
func (s *snapSystem) images() {
	sn := s.sn
	if sn.img == nil {
		p := sn.cand
		im := &snapImages{}
		im.xbar = make([][]big.Int, s.n)
		for i := range im.xbar {
			im.xbar[i] = make([]big.Int, s.d)
		}
		for c := 0; c < s.d; c++ {
			col := make([]*big.Rat, s.n)
			for i := range col {
				col[i] = p.X.At(i, c)
			}
			im.colScale = append(im.colScale, ratDen(col))
			for i := range col {
				scaleInt(&im.xbar[i][c], col[i], im.colScale[c])
			}
		}
		ys := make([]*big.Rat, s.n)
		for i := range ys {
			ys[i] = p.Y.At(i, 0)
		}
		im.yScale = ratDen(ys)
		im.ybar = make([]big.Int, s.n)
		for i := range ys {
			scaleInt(&im.ybar[i], ys[i], im.yScale)
		}
		im.sScale = ratDen([]*big.Rat{p.Act.Pos, p.Act.Neg})
		scaleInt(&im.sPos, p.Act.Pos, im.sScale)
		scaleInt(&im.sNeg, p.Act.Neg, im.sScale)
		im.xf = make([][]float64, s.n)
		im.yf = make([]float64, s.n)
		for i := range im.xf {
			im.xf[i] = make([]float64, s.d)
			for c := range im.xf[i] {
				im.xf[i][c], _ = p.X.At(i, c).Float64()
			}
			im.yf[i], _ = ys[i].Float64()
		}
		im.spf, _ = p.Act.Pos.Float64()
		im.snf, _ = p.Act.Neg.Float64()
		sn.img = im
	}
	im := sn.img
	s.xbar, s.colScale, s.ybar, s.yScale = im.xbar, im.colScale, im.ybar, im.yScale
	s.sPos, s.sNeg, s.sScale = im.sPos, im.sNeg, im.sScale
	s.xf, s.yf, s.spf, s.snf = im.xf, im.yf, im.spf, im.snf
}

// snapImages are the pattern-independent images of a candidate's data.
type snapImages struct {
	xbar       [][]big.Int
	colScale   []*big.Int
	ybar       []big.Int
	yScale     *big.Int
	sPos, sNeg big.Int
	sScale     *big.Int
	xf         [][]float64
	yf         []float64
	spf, snf   float64
}

// slopeBar returns s̄ for a side (0 for side 0).
func (s *snapSystem) slopeBar(side int8) *big.Int {
	switch {
	case side > 0:
		return &s.sPos
	case side < 0:
		return &s.sNeg
	}
	return new(big.Int)
}

// slopeF returns the float slope of a side.
func (s *snapSystem) slopeF(side int8) float64 {
	switch {
	case side > 0:
		return s.spf
	case side < 0:
		return s.snf
	}
	return 0
}

// intRows returns the integer matrix Ā = [M̄; C̄] ((n + |Z|) × N).
func (s *snapSystem) intRows() [][]big.Int {
	A := make([][]big.Int, s.n+len(s.zrows))
	for i := 0; i < s.n; i++ {
		A[i] = make([]big.Int, s.N)
		for g, gr := range s.groups {
			sb := s.slopeBar(gr.side[i])
			if sb.Sign() == 0 {
				continue
			}
			for c := 0; c < s.d; c++ {
				A[i][g*s.d+c].Mul(sb, &s.xbar[i][c])
			}
		}
		if s.bias {
			A[i][s.N-1].SetInt64(1)
		}
	}
	for k, zr := range s.zrows {
		row := make([]big.Int, s.N)
		for c := 0; c < s.d; c++ {
			row[zr[0]*s.d+c].Set(&s.xbar[zr[1]][c])
		}
		A[s.n+k] = row
	}
	return A
}

// floatRows returns the float matrix [M̃; C̃] in natural units.
func (s *snapSystem) floatRows() fmat {
	A := newFmat(s.n+len(s.zrows), s.N)
	for i := 0; i < s.n; i++ {
		for g, gr := range s.groups {
			sl := s.slopeF(gr.side[i])
			if sl == 0 {
				continue
			}
			for c := 0; c < s.d; c++ {
				A.set(i, g*s.d+c, sl*s.xf[i][c])
			}
		}
		if s.bias {
			A.set(i, s.N-1, 1)
		}
	}
	for k, zr := range s.zrows {
		for c := 0; c < s.d; c++ {
			A.set(s.n+k, zr[0]*s.d+c, s.xf[zr[1]][c])
		}
	}
	return A
}

// toBar converts a coordinate in natural units to the integer system's
// unknowns: P̄_gc = σ_y P_gc/(σ_ρ σ_c), b̄ = σ_y b.
func (s *snapSystem) toBar(col int, v *big.Rat) *big.Rat {
	r := new(big.Rat).Mul(v, new(big.Rat).SetInt(s.yScale))
	if s.bias && col == s.N-1 {
		return r
	}
	den := new(big.Int).Mul(s.sScale, s.colScale[col%s.d])
	return r.Quo(r, new(big.Rat).SetInt(den))
}

// fromBar is the inverse of toBar.
func (s *snapSystem) fromBar(col int, v *big.Rat) *big.Rat {
	r := new(big.Rat).Quo(v, new(big.Rat).SetInt(s.yScale))
	if s.bias && col == s.N-1 {
		return r
	}
	return r.Mul(r, new(big.Rat).SetInt(new(big.Int).Mul(s.sScale, s.colScale[col%s.d])))
}
