package recheck

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// This file holds the stationarity equations of one activation pattern for
// vector output (k ≥ 2), evaluated in outward-rounded interval arithmetic
// (exact.Interval): the system whose zero the Krawczyk test of krawczyk.go
// proves to exist in a box (docs/theory.md §8.2). It is arithmetic
// only — no search — so the re-check of box certificates evaluates it too.
//
// The pattern fixes, for every alive neuron j, the side s_ji of each sample
// (ρ(w_j·x_i) = s_ji·(w_j·x_i) with s_ji = ρ₊ on P_j, ρ₋ on N_j) and the
// boundary samples Z_j (s_ji = 0 there, and w_j·x_i = 0 is imposed). Dead
// and zeroed neurons are fixed exact rationals that contribute
// ρ(w_j·x_i) a_j to f. With z_ji = s_ji (w_j·x_i) and
// r_i = Σ_j a_j z_ji + (fixed neurons) − y_i, the unknowns of alive neuron j
// are w_j ∈ R^d, a_j ∈ R^k except its gauge outputs R_j (fixed rationals,
// see BoxNeuron.Gauge), and one multiplier ν_ji per boundary sample. The
// equations are
//
//	F2_j = Σ_{i∉Z_j} s_ji (a_j·r_i) x_i + Σ_{i∈Z_j} ν_ji x_i = 0   (d rows: (S2))
//	F1_j = Σ_i z_ji r_i = 0, every output not in R_j              (k − |R_j| rows: (S1))
//	F3_j = (x_i·w_j)_{i∈Z_j} = 0                                  (|Z_j| rows)
//
// — as many equations as unknowns. The dropped (S1) rows hold at every
// zero. Let g be the group of alive neurons with j's pattern (same sides
// and Z; R_l = R_j for each l ∈ g, |R_j| = |g|). Identically in all
// variables, for l, j ∈ g,
// a_l·(Σ_i z_ji r_i) = Σ_{i∉Z} s_i (w_j·x_i)(a_l·r_i) = w_j·F2_l − Σ_{i∈Z} ν_li F3_ji,
// so at a zero Σ_{r∈R} a_l[r] (F1_j)_r = 0 for every l ∈ g: the |g|×|g|
// matrix of fixed values is invertible, so (F1_j)_R = 0. The multipliers
// are those of docs/theory.md §3: ν_ji = (ρ₋ + λ_i κ) c_i with c_i = a_j·r_i.
//
// F2_j lies in S_j, the span of the samples that see w_j (those with
// s_ji ≠ 0 or in Z_j), for every value of the unknowns; so it vanishes iff
// its coordinates at the pivots of S_j's reduced row echelon form do, and
// its other rows are replaced by BoxNeuron.Perp's d − dim S_j equations
// fixing w_j's component in S_j^⊥ — a direction that changes nothing (for
// ReLU, the inactive samples' signs are kept on the box).
//
// With an output bias b (Point.OutputBias non-nil), f gains + b, b ∈ R^k
// is k more unknowns and (S0) Σ_i r_i = 0 is k more equations, after all
// neurons'.
//
// With the pattern fixed, every sum over samples collapses into constant
// matrices of the data: G_jl = Σ_i s_ji s_li x_i x_iᵀ (d×d) and
// T_j = Σ_i s_ji x_i y_iᵀ (d×k), so M_j = Σ_i s_ji x_i r_iᵀ
// = Σ_l G_jl w_l a_lᵀ + u_j bᵀ − T_j (T_j with y_i less the fixed neurons'
// output, u_j = Σ_i s_ji x_i), F2_j = M_j a_j + X_Zᵀ ν_j, F1_j = M_jᵀ w_j
// and F0 = Σ_i r_i = Σ_l (u_l·w_l) a_l + n b − Σ_i (y_i − fixed_i). The
// Jacobian follows from dM_j = Σ_l G_jl (dw_l a_lᵀ + w_l da_lᵀ) + u_j dbᵀ.

// BoxRule is what the pattern of a box certificate fixes for a neuron.
type BoxRule int

const (
	// BoxAlive: the neuron's weights are unknowns of the system.
	BoxAlive BoxRule = iota
	// BoxDead: ρ₋ = 0 and w_j·x_i < 0 for every nonzero sample, with the
	// exact rational weights given (the neuron computes 0).
	BoxDead
	// BoxZero: the zero neuron w_j = 0, a_j = 0.
	BoxZero
)

var boxRuleNames = [...]string{"alive", "dead", "zero"}

// String names the rule.
func (r BoxRule) String() string {
	if r < 0 || int(r) >= len(boxRuleNames) {
		return "unknown"
	}
	return boxRuleNames[r]
}

// BoxNeuron is neuron j of the pattern of a BoxCertificate.
type BoxNeuron struct {
	Rule BoxRule `json:"rule"`
	// W and A are the exact weights θ* has for a dead or zero neuron;
	// nil for an alive neuron.
	W exact.Vec `json:"w"`
	A exact.Vec `json:"a"`
	// Side[i] (alive neurons) is the side of sample i: +1 (P_j), −1 (N_j)
	// or 0 (i ∈ Z_j, or x_i = 0). For a linear activation (ρ₊ = ρ₋) every
	// nonzero sample has side +1 and Z is empty: there is no kink.
	Side []int8 `json:"side"`
	// Z (alive neurons) lists the boundary samples, ascending; θ* has
	// w_j·x_i = 0 for them.
	Z []int `json:"z"`
	// Gauge lists the outputs whose weights are fixed, ascending, and
	// GaugeValue their values (alive neurons). The alive neurons with the
	// same Side and Z form a group of size g: f depends only on their sum
	// Σ a_j w_jᵀ, so (W, A) ↦ (T⁻¹W, AT) is a symmetry for every invertible
	// g×g matrix T. Each member fixes the same g outputs R, and the g×g
	// matrix of the members' GaugeValue must be invertible: that fixes T.
	// (g = 1: one output weight fixed to a nonzero value, the scale of
	// (c·w_j, a_j/c).)
	Gauge      []int      `json:"gauge"`
	GaugeValue []*big.Rat `json:"gauge_value"`
	// Perp is a basis of S_j^⊥, where S_j is spanned by the samples that
	// see w_j (nonzero slope, or on the hyperplane); PerpValue the values
	// Perp·w_j θ* has. Moving w_j within S_j^⊥ changes nothing (for ReLU:
	// the inactive samples' signs are kept), so these coordinates are
	// fixed. Empty when S_j = R^d.
	Perp      []exact.Vec `json:"perp"`
	PerpValue []*big.Rat  `json:"perp_value"`
	// BiasDir, when not nil (networks with an output bias), is a direction
	// v with s_ji (x_i·v) = 1 for every sample (no boundary or zero
	// samples): moving w_j by t·v adds t·a_j to every f(x_i), which the
	// output bias absorbs, so v·w_j is fixed to BiasValue. Identically,
	// v·F2_j = Σ_i a_j·r_i = a_j·F0, so with F0 = 0 one pivot row of F2_j
	// (the first whose reduced row r has r·v ≠ 0) may be replaced.
	BiasDir   exact.Vec `json:"bias_dir"`
	BiasValue *big.Rat  `json:"bias_value"`
}

// BoxSystem is the system of a pattern on a data set, at a precision.
type BoxSystem struct {
	p     *network.Point // data and activation (its neurons are not read)
	nb    []BoxNeuron
	alive []int // alive neurons, ascending
	off   []int // offset of alive neuron b's unknowns (w, free a, ν)
	free  [][]int
	nvar  int
	prec  uint
	d, k  int
	bias  bool // the output bias b is an unknown, at z[boff:boff+k]
	boff  int

	slope [][]*big.Rat // slope[b][i] = s_ji (0 on Z_j and for x_i = 0)
	fixed []exact.Vec  // the fixed neurons' contribution to f(x_i), exact
	g     [][][]*exact.Interval
	t     [][]*exact.Interval // T_b − Σ_i s_bi x_i (fixed_i)ᵀ, row-major d×k
	xz    [][][]*exact.Interval
	alpha []map[int]*exact.Interval // fixed output weights per alive b
	// pivot[b][r] reports that coordinate r is a pivot of S_b's reduced
	// row echelon form: F2_b ∈ S_b vanishes iff its pivot coordinates do,
	// and the other rows of F2_b are replaced by the Perp equations.
	pivot   [][]bool
	perp    [][][]*exact.Interval
	perpVal [][]*exact.Interval
	// biasRow[b] is the F2 row replaced by BiasDir·w_b − BiasValue (−1:
	// none), biasDir its direction.
	biasRow []int
	biasDir [][]*exact.Interval
	biasVal []*exact.Interval
	u       [][]*exact.Interval // u_b = Σ_i s_bi x_i
	ybar    []*exact.Interval   // Σ_i (y_i − fixed_i)
	nIv     *exact.Interval     // n
}

// NewBoxSystem checks the pattern nb against the data of p and builds the
// system at precision prec. Errors name the neuron and field (a
// certificate read from a file may be malformed).
func NewBoxSystem(p *network.Point, nb []BoxNeuron, prec uint) (*BoxSystem, error) {
	n, d, k := p.N(), p.D(), p.K()
	if len(nb) != p.M() {
		return nil, fmt.Errorf("pattern: %d neurons, the point has %d", len(nb), p.M())
	}
	s := &BoxSystem{p: p, nb: nb, prec: prec, d: d, k: k}
	linear := p.Act.Kappa().Sign() == 0
	s.fixed = make([]exact.Vec, n)
	for i := range s.fixed {
		s.fixed[i] = exact.NewVec(k)
	}
	for j, bn := range nb {
		switch bn.Rule {
		case BoxAlive:
			if len(bn.Side) != n {
				return nil, fmt.Errorf("pattern: neurons[%d].side: length %d, want %d", j, len(bn.Side), n)
			}
			if len(bn.Gauge) == 0 || len(bn.Gauge) != len(bn.GaugeValue) || len(bn.Gauge) > k {
				return nil, fmt.Errorf("pattern: neurons[%d]: %d gauge outputs with %d values (k = %d)", j, len(bn.Gauge), len(bn.GaugeValue), k)
			}
			for c, l := range bn.Gauge {
				if l < 0 || l >= k || (c > 0 && l <= bn.Gauge[c-1]) || bn.GaugeValue[c] == nil {
					return nil, fmt.Errorf("pattern: neurons[%d].gauge[%d] = %d: not an ascending output index with a value", j, c, l)
				}
			}
			inZ := make([]bool, n)
			for c, i := range bn.Z {
				if i < 0 || i >= n || (c > 0 && i <= bn.Z[c-1]) {
					return nil, fmt.Errorf("pattern: neurons[%d].z[%d] = %d: not an ascending sample index", j, c, i)
				}
				if p.X.Row(i).IsZero() || bn.Side[i] != 0 {
					return nil, fmt.Errorf("pattern: neurons[%d].z[%d] = %d: a zero sample or one with a side", j, c, i)
				}
				inZ[i] = true
			}
			if linear && len(bn.Z) > 0 {
				return nil, fmt.Errorf("pattern: neurons[%d]: boundary samples with a linear activation", j)
			}
			slope := make([]*big.Rat, n)
			for i, sd := range bn.Side {
				switch {
				case sd < -1 || sd > 1:
					return nil, fmt.Errorf("pattern: neurons[%d].side[%d] = %d", j, i, sd)
				case p.X.Row(i).IsZero() || inZ[i]:
					if sd != 0 {
						return nil, fmt.Errorf("pattern: neurons[%d].side[%d]: the zero sample has side %d", j, i, sd)
					}
					slope[i] = new(big.Rat)
				case sd == 0:
					return nil, fmt.Errorf("pattern: neurons[%d].side[%d] = 0 but sample %d is not in z", j, i, i)
				default:
					slope[i] = p.Act.Slope(int(sd))
				}
			}
			if exact.Rank(p.X.Select(bn.Z)) != len(bn.Z) {
				return nil, fmt.Errorf("pattern: neurons[%d]: the boundary samples %v are linearly dependent (their multipliers are not unique)", j, bn.Z)
			}
			pivot, echelon, err := checkPerp(p, j, bn, slope)
			if err != nil {
				return nil, err
			}
			brow, err := checkBiasDir(p, j, bn, slope, echelon)
			if err != nil {
				return nil, err
			}
			s.biasRow = append(s.biasRow, brow)
			s.off = append(s.off, s.nvar)
			var free []int
			fixedOut := map[int]bool{}
			for _, l := range bn.Gauge {
				fixedOut[l] = true
			}
			for l := 0; l < k; l++ {
				if !fixedOut[l] {
					free = append(free, l)
				}
			}
			s.free = append(s.free, free)
			s.alive = append(s.alive, j)
			s.slope = append(s.slope, slope)
			s.pivot = append(s.pivot, pivot)
			s.nvar += d + len(free) + len(bn.Z)
		case BoxDead, BoxZero:
			if len(bn.W) != d || len(bn.A) != k {
				return nil, fmt.Errorf("pattern: neurons[%d]: fixed weights of lengths %d, %d, want %d, %d", j, len(bn.W), len(bn.A), d, k)
			}
			if bn.Rule == BoxZero && (!bn.W.IsZero() || !bn.A.IsZero()) {
				return nil, fmt.Errorf("pattern: neurons[%d]: a zero neuron with nonzero weights", j)
			}
			if bn.Rule == BoxDead {
				if p.Act.Neg.Sign() != 0 {
					return nil, fmt.Errorf("pattern: neurons[%d]: dead, but ρ₋ ≠ 0", j)
				}
				for i := range p.X.Rows() {
					x := p.X.Row(i)
					if !x.IsZero() && bn.W.Dot(x).Sign() >= 0 {
						return nil, fmt.Errorf("pattern: neurons[%d]: dead, but w·x_%d ≥ 0", j, i)
					}
				}
			}
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				s.fixed[i].AddScaled(p.Act.Apply(bn.W.Dot(x)), bn.A)
			}
		default:
			return nil, fmt.Errorf("pattern: neurons[%d]: unknown rule %d", j, int(bn.Rule))
		}
	}
	if err := checkGroups(nb); err != nil {
		return nil, err
	}
	if p.HasOutputBias() {
		s.bias, s.boff = true, s.nvar
		s.nvar += k
	}
	s.build()
	return s, nil
}

// checkPerp checks alive neuron j's Perp against S_j (spanned by the
// samples with a nonzero slope or on the hyperplane): every Perp vector is
// orthogonal to S_j and S_j ⊕ span(Perp) = R^d. It returns the pivot
// coordinates of S_j's reduced row echelon form and its nonzero rows.
func checkPerp(p *network.Point, j int, bn BoxNeuron, slope []*big.Rat) ([]bool, exact.Mat, error) {
	d := p.D()
	var rows exact.Mat
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		if slope[i].Sign() != 0 {
			rows = append(rows, x)
		}
	}
	rows = append(rows, p.X.Select(bn.Z)...)
	pivot := make([]bool, d)
	rank := 0
	var echelon exact.Mat
	if len(rows) > 0 {
		r, piv := exact.RowEchelon(rows)
		for _, c := range piv {
			pivot[c] = true
		}
		rank = len(piv)
		echelon = r[:rank]
	}
	if len(bn.Perp) != d-rank || len(bn.PerpValue) != len(bn.Perp) {
		return nil, nil, fmt.Errorf("pattern: neurons[%d]: %d perp vectors with %d values, want %d (the samples it sees span %d of %d dimensions)", j, len(bn.Perp), len(bn.PerpValue), d-rank, rank, d)
	}
	for c, v := range bn.Perp {
		if len(v) != d || bn.PerpValue[c] == nil {
			return nil, nil, fmt.Errorf("pattern: neurons[%d].perp[%d]: length %d or no value", j, c, len(v))
		}
		for _, x := range rows {
			if x.Dot(v).Sign() != 0 {
				return nil, nil, fmt.Errorf("pattern: neurons[%d].perp[%d]: not orthogonal to the samples the neuron sees", j, c)
			}
		}
	}
	if exact.Rank(append(append(exact.Mat{}, rows...), bn.Perp...)) != d {
		return nil, nil, fmt.Errorf("pattern: neurons[%d].perp: dependent vectors", j)
	}
	return pivot, echelon, nil
}

// checkBiasDir checks alive neuron j's BiasDir (see BoxNeuron) and
// returns the F2 row it replaces: the pivot column of the first row of S_j's
// reduced row echelon form with a nonzero product with v (−1 without a
// BiasDir).
func checkBiasDir(p *network.Point, j int, bn BoxNeuron, slope []*big.Rat, echelon exact.Mat) (int, error) {
	v := bn.BiasDir
	if v == nil {
		return -1, nil
	}
	if !p.HasOutputBias() || len(v) != p.D() || bn.BiasValue == nil || len(bn.Z) > 0 {
		return -1, fmt.Errorf("pattern: neurons[%d].bias_dir: needs an output bias, length d, a value and no boundary samples", j)
	}
	one := big.NewRat(1, 1)
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		if new(big.Rat).Mul(slope[i], x.Dot(v)).Cmp(one) != 0 {
			return -1, fmt.Errorf("pattern: neurons[%d].bias_dir: s_ji·(x_%d·v) ≠ 1", j, i)
		}
	}
	for _, r := range echelon {
		if r.Dot(v).Sign() != 0 {
			for c, x := range r {
				if x.Sign() != 0 {
					return c, nil // the leading 1 of the row: its pivot
				}
			}
		}
	}
	return -1, fmt.Errorf("pattern: neurons[%d].bias_dir: orthogonal to the samples the neuron sees", j)
}

// checkGroups checks the gauge of every group of alive neurons with the
// same Side and Z: g members, each fixing the same g outputs, with an
// invertible g×g matrix of fixed values.
func checkGroups(nb []BoxNeuron) error {
	groups := map[string][]int{}
	var keys []string
	for j, bn := range nb {
		if bn.Rule != BoxAlive {
			continue
		}
		key := fmt.Sprint(bn.Side, bn.Z)
		if _, ok := groups[key]; !ok {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], j)
	}
	for _, key := range keys {
		g := groups[key]
		first := nb[g[0]].Gauge
		M := make(exact.Mat, len(first))
		for r := range M {
			M[r] = exact.NewVec(len(g))
		}
		for c, j := range g {
			if len(nb[j].Gauge) != len(g) || fmt.Sprint(nb[j].Gauge) != fmt.Sprint(first) {
				return fmt.Errorf("pattern: neurons[%d]: gauge %v, but the %d neurons %v with its pattern must each fix the same %d outputs", j, nb[j].Gauge, len(g), g, len(g))
			}
			for r := range M {
				M[r][c].Set(nb[j].GaugeValue[r])
			}
		}
		if exact.Rank(M) != len(g) {
			return fmt.Errorf("pattern: neurons[%d]: the fixed output weights of the group %v with its pattern form a singular matrix", g[0], g)
		}
	}
	return nil
}

// newIv returns the interval [0, 0] at the system's precision.
func (s *BoxSystem) newIv() *exact.Interval { return exact.NewInterval(s.prec) }

func (s *BoxSystem) ivRat(x *big.Rat) *exact.Interval { return exact.IntervalOfRat(x, s.prec) }

func (s *BoxSystem) ivVec(n int) []*exact.Interval {
	v := make([]*exact.Interval, n)
	for i := range v {
		v[i] = s.newIv()
	}
	return v
}

// build computes the constant matrices G, T and X_Z in exact rationals and
// stores them as intervals.
func (s *BoxSystem) build() {
	p, d, k := s.p, s.d, s.k
	na := len(s.alive)
	s.g = make([][][]*exact.Interval, na)
	for b := range s.g {
		s.g[b] = make([][]*exact.Interval, na)
	}
	var t big.Rat
	for b := 0; b < na; b++ {
		for c := b; c < na; c++ {
			G := exact.NewVec(d * d)
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				sb, sc := s.slope[b][i], s.slope[c][i]
				if sb.Sign() == 0 || sc.Sign() == 0 {
					continue
				}
				t.Mul(sb, sc)
				for r := 0; r < d; r++ {
					if x[r].Sign() == 0 {
						continue
					}
					var tr big.Rat
					tr.Mul(&t, x[r])
					for q := r; q < d; q++ {
						G[r*d+q].Add(G[r*d+q], new(big.Rat).Mul(&tr, x[q]))
					}
				}
			}
			iv := make([]*exact.Interval, d*d)
			for r := 0; r < d; r++ {
				for q := r; q < d; q++ {
					iv[r*d+q] = s.ivRat(G[r*d+q])
					iv[q*d+r] = iv[r*d+q]
				}
			}
			s.g[b][c], s.g[c][b] = iv, iv
		}
	}
	s.t = make([][]*exact.Interval, na)
	s.xz = make([][][]*exact.Interval, na)
	s.alpha = make([]map[int]*exact.Interval, na)
	for b, j := range s.alive {
		T := exact.NewVec(d * k)
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			sb := s.slope[b][i]
			if sb.Sign() == 0 {
				continue
			}
			// y_i − (fixed neurons' output): what the alive neurons fit.
			target := p.Y.Row(i).Sub(s.fixed[i])
			for r := 0; r < d; r++ {
				if x[r].Sign() == 0 {
					continue
				}
				var tr big.Rat
				tr.Mul(sb, x[r])
				for l := 0; l < k; l++ {
					T[r*k+l].Add(T[r*k+l], new(big.Rat).Mul(&tr, target[l]))
				}
			}
		}
		s.t[b] = make([]*exact.Interval, d*k)
		for e := range T {
			s.t[b][e] = s.ivRat(T[e])
		}
		for _, i := range s.nb[j].Z {
			row := make([]*exact.Interval, d)
			for r := 0; r < d; r++ {
				row[r] = s.ivRat(p.X.At(i, r))
			}
			s.xz[b] = append(s.xz[b], row)
		}
		s.alpha[b] = map[int]*exact.Interval{}
		for c, l := range s.nb[j].Gauge {
			s.alpha[b][l] = s.ivRat(s.nb[j].GaugeValue[c])
		}
		var pv [][]*exact.Interval
		var vals []*exact.Interval
		for c, v := range s.nb[j].Perp {
			row := make([]*exact.Interval, d)
			for r := range v {
				row[r] = s.ivRat(v[r])
			}
			pv = append(pv, row)
			vals = append(vals, s.ivRat(s.nb[j].PerpValue[c]))
		}
		s.perp = append(s.perp, pv)
		s.perpVal = append(s.perpVal, vals)
		var bd []*exact.Interval
		var bv *exact.Interval
		if v := s.nb[j].BiasDir; v != nil {
			for r := range v {
				bd = append(bd, s.ivRat(v[r]))
			}
			bv = s.ivRat(s.nb[j].BiasValue)
		}
		s.biasDir = append(s.biasDir, bd)
		s.biasVal = append(s.biasVal, bv)
	}
	s.u = make([][]*exact.Interval, na)
	for b := range s.alive {
		u := exact.NewVec(d)
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			u.AddScaled(s.slope[b][i], x)
		}
		s.u[b] = make([]*exact.Interval, d)
		for r := range u {
			s.u[b][r] = s.ivRat(u[r])
		}
	}
	ybar := exact.NewVec(k)
	for i := range p.X.Rows() {
		ybar = ybar.Add(p.Y.Row(i).Sub(s.fixed[i]))
	}
	s.ybar = make([]*exact.Interval, k)
	for l := range ybar {
		s.ybar[l] = s.ivRat(ybar[l])
	}
	s.nIv = s.newIv().SetInt64(int64(p.N()))
}

// boxUnknowns are the unknowns of the system unpacked per alive neuron: w, the
// full a (the gauge output is the thin α) and ν; and the output bias b
// (nil without one).
type boxUnknowns struct {
	w, a, nu [][]*exact.Interval
	b        []*exact.Interval
}

// unpack splits z (length nvar) into per-neuron unknowns. The slices share
// z's intervals.
func (s *BoxSystem) unpack(z []*exact.Interval) boxUnknowns {
	var v boxUnknowns
	for b, j := range s.alive {
		o := s.off[b]
		v.w = append(v.w, z[o:o+s.d])
		a := make([]*exact.Interval, s.k)
		for l, x := range s.alpha[b] {
			a[l] = x
		}
		for c, l := range s.free[b] {
			a[l] = z[o+s.d+c]
		}
		v.a = append(v.a, a)
		nf := len(s.free[b])
		v.nu = append(v.nu, z[o+s.d+nf:o+s.d+nf+len(s.nb[j].Z)])
	}
	if s.bias {
		v.b = z[s.boff : s.boff+s.k]
	}
	return v
}

// Unknowns returns the number N of unknowns (and of equations).
func (s *BoxSystem) Unknowns() int { return s.nvar }

// Prec returns the precision of the interval evaluation.
func (s *BoxSystem) Prec() uint { return s.prec }

// Alive returns the alive neurons, ascending.
func (s *BoxSystem) Alive() []int { return s.alive }

// HasBias reports whether the output bias is an unknown.
func (s *BoxSystem) HasBias() bool { return s.bias }

// Index returns the positions in the unknowns of alive neuron j's w_j[r]
// (kind 'w'), a_j[r] ('a'; −1 for the gauge output) and ν_j for its r-th
// boundary sample ('n'), and of b[r] for j = −1 ('b'). It panics for a
// neuron that is not alive.
func (s *BoxSystem) Index(kind byte, j, r int) int {
	if kind == 'b' {
		return s.boff + r
	}
	b := -1
	for c, a := range s.alive {
		if a == j {
			b = c
		}
	}
	if b < 0 {
		panic("recheck: Index of a neuron that is not alive")
	}
	switch kind {
	case 'w':
		return s.wIndex(b, r)
	case 'a':
		return s.aIndex(b, r)
	}
	return s.nuIndex(b, r)
}

// wIndex, aIndex and nuIndex return the position in z of w_b[r], a_b[l]
// (−1 for the gauge output) and ν_b[c], for alive index b.
func (s *BoxSystem) wIndex(b, r int) int { return s.off[b] + r }

func (s *BoxSystem) aIndex(b, l int) int {
	for c, f := range s.free[b] {
		if f == l {
			return s.off[b] + s.d + c
		}
	}
	return -1
}

func (s *BoxSystem) nuIndex(b, c int) int { return s.off[b] + s.d + len(s.free[b]) + c }

// Eval returns F(z) and, when jac is set, the Jacobian J(z), both enclosed
// over the box z (every entry an interval containing the value at each
// point of z). Rows are ordered like the unknowns: for alive neuron b, the
// d rows of F2 (those off the pivots of S_b replaced by the Perp
// equations), the rows of F1 for the free outputs and the |Z| rows of F3;
// then the k rows of F0 when there is an output bias.
func (s *BoxSystem) Eval(z []*exact.Interval, jac bool) (F []*exact.Interval, J [][]*exact.Interval) {
	d, k := s.d, s.k
	na := len(s.alive)
	v := s.unpack(z)
	// h[b][c] = G_bc w_c.
	h := make([][][]*exact.Interval, na)
	for b := range h {
		h[b] = make([][]*exact.Interval, na)
		for c := 0; c < na; c++ {
			h[b][c] = s.matVec(s.g[b][c], v.w[c], d, d)
		}
	}
	// M_b = Σ_c h_bc a_cᵀ − T_b (d×k, row-major).
	M := make([][]*exact.Interval, na)
	for b := range M {
		M[b] = s.ivVec(d * k)
		for r := 0; r < d; r++ {
			for l := 0; l < k; l++ {
				e := M[b][r*k+l]
				e.Neg(s.t[b][r*k+l])
				for c := 0; c < na; c++ {
					e.AddMul(h[b][c][r], v.a[c][l])
				}
				if s.bias {
					e.AddMul(s.u[b][r], v.b[l])
				}
			}
		}
	}
	// uw[b] = u_b·w_b = Σ_i z_bi.
	uw := make([]*exact.Interval, na)
	for b := range uw {
		uw[b] = s.newIv()
		for r := 0; r < d; r++ {
			uw[b].AddMul(s.u[b][r], v.w[b][r])
		}
	}
	F = make([]*exact.Interval, s.nvar)
	for b, j := range s.alive {
		o := s.off[b]
		for r := 0; r < d; r++ {
			e := s.newIv()
			for l := 0; l < k; l++ {
				e.AddMul(M[b][r*k+l], v.a[b][l])
			}
			for c := range s.nb[j].Z {
				e.AddMul(s.xz[b][c][r], v.nu[b][c])
			}
			F[o+r] = e
		}
		for c, l := range s.free[b] {
			e := s.newIv()
			for r := 0; r < d; r++ {
				e.AddMul(M[b][r*k+l], v.w[b][r])
			}
			F[o+d+c] = e
		}
		for c := range s.nb[j].Z {
			e := s.newIv()
			for r := 0; r < d; r++ {
				e.AddMul(s.xz[b][c][r], v.w[b][r])
			}
			F[o+d+len(s.free[b])+c] = e
		}
		// The rows of F2_b off the pivots of S_b: Perp·w_b − PerpValue.
		c := 0
		for r := 0; r < d; r++ {
			if s.pivot[b][r] {
				continue
			}
			e := s.newIv().Neg(s.perpVal[b][c])
			for q := 0; q < d; q++ {
				e.AddMul(s.perp[b][c][q], v.w[b][q])
			}
			F[o+r] = e
			c++
		}
		if r := s.biasRow[b]; r >= 0 {
			e := s.newIv().Neg(s.biasVal[b])
			for q := 0; q < d; q++ {
				e.AddMul(s.biasDir[b][q], v.w[b][q])
			}
			F[o+r] = e
		}
	}
	if s.bias {
		for l := 0; l < k; l++ {
			e := s.newIv().Neg(s.ybar[l])
			e.AddMul(s.nIv, v.b[l])
			for b := 0; b < na; b++ {
				e.AddMul(uw[b], v.a[b][l])
			}
			F[s.boff+l] = e
		}
	}
	if !jac {
		return F, nil
	}
	J = make([][]*exact.Interval, s.nvar)
	for i := range J {
		J[i] = make([]*exact.Interval, s.nvar)
	}
	zero := s.newIv()
	for b, j := range s.alive {
		o := s.off[b]
		for c := 0; c < na; c++ {
			// a_c·a_b and the scalar w_bᵀ G_bc w_c = h_bc·w_b.
			ab := s.newIv()
			for l := 0; l < k; l++ {
				ab.AddMul(v.a[c][l], v.a[b][l])
			}
			hw := s.newIv()
			for r := 0; r < d; r++ {
				hw.AddMul(h[b][c][r], v.w[b][r])
			}
			for r := 0; r < d; r++ {
				// ∂F2_b/∂w_c = (a_c·a_b) G_bc.
				for q := 0; q < d; q++ {
					J[o+r][s.wIndex(c, q)] = s.newIv().Mul(ab, s.g[b][c][r*d+q])
				}
				// ∂F2_b/∂a_c = h_bc a_bᵀ + δ_bc M_b.
				for _, l := range s.free[c] {
					e := s.newIv().Mul(h[b][c][r], v.a[b][l])
					if b == c {
						e.Add(e, M[b][r*k+l])
					}
					J[o+r][s.aIndex(c, l)] = e
				}
			}
			for cc, l := range s.free[b] {
				row := o + d + cc
				// ∂F1_b[l]/∂w_c = a_c[l] h_cbᵀ + δ_bc M_b[:, l]ᵀ.
				for q := 0; q < d; q++ {
					e := s.newIv().Mul(v.a[c][l], h[c][b][q])
					if b == c {
						e.Add(e, M[b][q*k+l])
					}
					J[row][s.wIndex(c, q)] = e
				}
				// ∂F1_b[l]/∂a_c[p] = δ_lp (h_bc·w_b).
				for _, pp := range s.free[c] {
					if pp == l {
						J[row][s.aIndex(c, pp)] = s.newIv().Set(hw)
					}
				}
			}
		}
		for c := range s.nb[j].Z {
			for r := 0; r < d; r++ {
				// ∂F2_b/∂ν_b = X_Zᵀ; ∂F3_b/∂w_b = X_Z.
				J[o+r][s.nuIndex(b, c)] = s.xz[b][c][r]
				J[o+d+len(s.free[b])+c][s.wIndex(b, r)] = s.xz[b][c][r]
			}
		}
		if !s.bias {
			continue
		}
		for l := 0; l < k; l++ {
			bl := s.boff + l
			for r := 0; r < d; r++ {
				// ∂F2_b/∂b_l = u_b a_b[l]; ∂F0_l/∂w_b = a_b[l] u_bᵀ.
				J[o+r][bl] = s.newIv().Mul(s.u[b][r], v.a[b][l])
				J[bl][s.wIndex(b, r)] = J[o+r][bl]
			}
		}
		// ∂F1_b[l]/∂b_l = u_b·w_b and ∂F0_l/∂a_b[l] = u_b·w_b (free l).
		for cc, l := range s.free[b] {
			J[o+d+cc][s.boff+l] = uw[b]
			J[s.boff+l][s.aIndex(b, l)] = uw[b]
		}
	}
	if s.bias {
		for l := 0; l < k; l++ {
			J[s.boff+l][s.boff+l] = s.nIv
		}
	}
	// The Perp rows replace the F2 rows off the pivots.
	for b := range s.alive {
		c := 0
		for r := 0; r < d; r++ {
			if s.pivot[b][r] {
				continue
			}
			row := make([]*exact.Interval, s.nvar)
			for q := 0; q < d; q++ {
				row[s.wIndex(b, q)] = s.perp[b][c][q]
			}
			J[s.off[b]+r] = row
			c++
		}
		if r := s.biasRow[b]; r >= 0 {
			row := make([]*exact.Interval, s.nvar)
			for q := 0; q < d; q++ {
				row[s.wIndex(b, q)] = s.biasDir[b][q]
			}
			J[s.off[b]+r] = row
		}
	}
	for i := range J {
		for c := range J[i] {
			if J[i][c] == nil {
				J[i][c] = zero
			}
		}
	}
	return F, J
}

// matVec returns the product of the r×c row-major interval matrix A and x.
func (s *BoxSystem) matVec(A []*exact.Interval, x []*exact.Interval, r, c int) []*exact.Interval {
	out := s.ivVec(r)
	for i := 0; i < r; i++ {
		for q := 0; q < c; q++ {
			out[i].AddMul(A[i*c+q], x[q])
		}
	}
	return out
}

// Thin returns the thin intervals of the big.Float vector x at the
// system's precision.
func (s *BoxSystem) Thin(x []*big.Float) []*exact.Interval {
	z := make([]*exact.Interval, len(x))
	for i, v := range x {
		z[i] = s.newIv().SetFloat(v)
	}
	return z
}
