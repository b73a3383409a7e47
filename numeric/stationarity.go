package numeric

import (
	"fmt"
	"math"
)

// subsetLimit is the largest |Z⁻| for which (S2) may be decided by the
// subset method (2^|Z⁻| LPs); see useSubsets.
const subsetLimit = 12

// useSubsets chooses between the two procedures of docs/theory.md §3 for |Z⁻| = q
// in R^d by their cost: the subset method solves 2^q LPs, the cell method
// at most cellBound(q, d) = 2·Σ_{i<d} C(q−1, i) (the number of cells of q
// central hyperplanes in general position) plus the small Gordan LPs of the
// enumeration. Subsets are used when q ≤ subsetLimit and 2^q ≤ 2·cellBound,
// i.e. for q ≤ 4 in the plane and q ≤ 6 in R^3.
func useSubsets(q, d int) bool {
	return q <= subsetLimit && float64(int(1)<<q) <= 2*cellBound(q, d)
}

// cellBound returns 2·Σ_{i<d} C(q−1, i), the largest number of cells of q
// central hyperplanes in R^d (1 for q = 0).
func cellBound(q, d int) float64 {
	if q == 0 {
		return 1
	}
	sum, c := 0.0, 1.0 // c = C(q−1, i)
	for i := 0; i < d && i <= q-1; i++ {
		sum += c
		c = c * float64(q-1-i) / float64(i+1)
	}
	return 2 * sum
}

// s1 reports (S1) for neuron j: G_j = 0 within the tolerance
// |G_j| ≤ Eps·R·(1/n)Σ_i|ρ(w_j·x_i)|.
func (pr *Problem) s1(j int) bool {
	terms := 0.0
	for i := range pr.X {
		terms += math.Abs(pr.rho(pr.pre[j][i]))
	}
	return pr.Tol.ZeroResidualSum(pr.G(j), terms/float64(pr.N()))
}

// s2Data is (S2) for one neuron in the normalised form of docs/theory.md §3: with
// c_i = a_j·r_i and S the scale |a_j|·R·(Rho+|κ|)·XSum,
//
//	v      = (Σ_P ρ₊c_i x_i + Σ_N ρ₋c_i x_i + ρ₋Σ_Z c_i x_i) / S,
//	plus   = κc_i x_i / S for i ∈ Z⁺ (κc_i > 0),
//	minus  = κc_i x_i / S for i ∈ Z⁻ (κc_i < 0),
//	dirs   = x_i / |x_i| for i ∈ Z⁻ (the hyperplanes of the Z⁻ arrangement).
type s2Data struct {
	d                 int
	v                 []float64
	plus, minus, dirs [][]float64
	plusIdx, minusIdx []int
}

// s2Setup builds s2Data for neuron j; trivial is true when (S2) holds
// without an LP (a_j = 0, or every term is zero).
func (pr *Problem) s2Setup(j int) (s s2Data, trivial bool) {
	if pr.aZero[j] {
		return s, true
	}
	t := pr.Tol
	a := pr.A[j]
	an := norm2(a)
	kappa := pr.Pos - pr.Neg
	if t.ZeroSlope(kappa) {
		kappa = 0
	}
	scale := an * t.R * (t.Rho + math.Abs(kappa)) * t.XSum
	if scale == 0 {
		return s, true
	}
	d := pr.D()
	s.d = d
	s.v = make([]float64, d)
	for i, x := range pr.X {
		if pr.xZero[i] {
			continue
		}
		c := dot(a, pr.res[i])
		if t.ZeroCoefficient(c, an) {
			continue
		}
		side := pr.side[j][i]
		sl := pr.slope(side)
		if side == 0 {
			sl = pr.Neg
		}
		for k := range s.v {
			s.v[k] += sl * c * x[k] / scale
		}
		if side != 0 || kappa == 0 {
			continue
		}
		term := make([]float64, d)
		for k := range term {
			term[k] = kappa * c * x[k] / scale
		}
		if kappa*c > 0 {
			s.plus, s.plusIdx = append(s.plus, term), append(s.plusIdx, i)
			continue
		}
		dir := make([]float64, d)
		for k := range dir {
			dir[k] = x[k] / pr.xNorm[i]
		}
		s.minus, s.minusIdx, s.dirs = append(s.minus, term), append(s.minusIdx, i), append(s.dirs, dir)
	}
	return s, false
}

// lp decides the (S2) LP of the cell or subset T (inT[l] for minus[l]): is
// there λ ∈ [0,1]^{Z⁺} (and, with mu, μ ≥ 0 over Z⁻) with
//
//	v + Σ_T minus + Σ λ_i plus_i = Σ_T μ_i dirs_i − Σ_{Z⁻∖T} μ_i dirs_i ?
//
// Without mu it is the subset method's equation (= 0). Feasible means the
// least residual
//
//	min over λ ≥ 0, μ ≥ 0 of ‖v + Σ_T minus + Σ λ_i plus_i − Σ ±μ_l dirs_l‖₁ + Σ_i (λ_i − 1)₊
//
// is ≤ Eps (Tolerance.Feasible): the bound λ ≤ 1 is soft, its excess
// counted in the residual. The LP has the d rows of the equation only
// (minResidualBox): λ_i = y_i + e_i with 0 ≤ y_i ≤ 1 and e_i ≥ 0 at cost 1,
// whose least cost for a given λ_i is (λ_i − 1)₊.
func (s s2Data) lp(inT []bool, mu bool) (feasible, decided bool) {
	p, q := len(s.plus), len(s.minus)
	nv := 2 * p
	if mu {
		nv += q
	}
	rows := make([][]float64, s.d)
	b := make([]float64, s.d)
	for k := 0; k < s.d; k++ {
		row := make([]float64, nv)
		for i := range s.plus {
			row[i], row[p+i] = s.plus[i][k], s.plus[i][k]
		}
		b[k] = -s.v[k]
		for l := range s.minus {
			if inT[l] {
				b[k] -= s.minus[l][k]
			}
			if mu {
				if inT[l] {
					row[2*p+l] = -s.dirs[l][k]
				} else {
					row[2*p+l] = s.dirs[l][k]
				}
			}
		}
		rows[k] = row
	}
	cost, ub := make([]float64, nv), make([]float64, nv)
	for j := range ub {
		ub[j] = math.Inf(1)
	}
	for i := 0; i < p; i++ {
		ub[i], cost[p+i] = 1, 1
	}
	res, _, _, exact := minResidualBox(rows, b, cost, ub)
	if normTol.Feasible(res) {
		return true, true
	}
	return false, exact
}

// subsets decides (S2) by the subset method: every T ⊆ Z⁻ must have a
// feasible LP. It returns the first failing T as sample indices.
func (s s2Data) subsets() (holds, decided bool, failT []int) {
	q := len(s.minus)
	return s.everyT(1<<q, false, func(mask int, inT []bool) {
		for l := range inT {
			inT[l] = mask>>l&1 == 1
		}
	})
}

// cells decides (S2) by the cell method: for every cell C_T of the
// arrangement of the Z⁻ hyperplanes some subgradient must lie in C_T*.
func (s s2Data) cells() (holds, decided bool, failT []int) {
	cs, decided := arrangement(s.dirs, s.d, maxS2Cells)
	holds, dec, failT := s.everyT(len(cs), true, func(c int, inT []bool) {
		for l := range inT {
			inT[l] = cs[c].signs[l] > 0
		}
	})
	if failT != nil {
		return false, true, failT
	}
	return holds && decided, dec && decided, nil
}

// everyT solves the (S2) LP (with the dual-cone multipliers μ when mu) for
// the sets T that set writes into inT for t = 0 … count−1, and stops at the
// first T shown infeasible (failT its samples); decided is false when an
// LP failed without showing that.
func (s s2Data) everyT(count int, mu bool, set func(t int, inT []bool)) (holds, decided bool, failT []int) {
	decided = true
	inT := make([]bool, len(s.minus))
	for t := 0; t < count; t++ {
		set(t, inT)
		ok, dec := s.lp(inT, mu)
		if ok {
			continue
		}
		if dec {
			return false, true, s.members(inT)
		}
		decided = false
	}
	return decided, decided, nil
}

func (s s2Data) members(inT []bool) []int {
	t := []int{}
	for l, in := range inT {
		if in {
			t = append(t, s.minusIdx[l])
		}
	}
	return t
}

// s2 decides (S2) for neuron j: φ_j(u) ≥ 0 for every u, within the
// tolerance. detail describes a failure.
func (pr *Problem) s2(j int) (holds, decided bool, detail string) {
	s, trivial := pr.s2Setup(j)
	if trivial {
		return true, true, ""
	}
	if u, ok := s.quickWitness(); ok {
		return false, true, fmt.Sprintf("(S2) fails for neuron %d: φ_%d(u) < 0 at u = %v", j, j, u)
	}
	var failT []int
	if useSubsets(len(s.minus), s.d) {
		holds, decided, failT = s.subsets()
	} else {
		holds, decided, failT = s.cells()
	}
	if !decided {
		return false, false, fmt.Sprintf("(S2) of neuron %d not decided: an LP failed (iteration limit) or the cells exceeded %d", j, maxS2Cells)
	}
	if !holds {
		return false, true, fmt.Sprintf("(S2) fails for neuron %d on the cell with positive Z⁻ samples %v", j, failT)
	}
	return true, true, ""
}

// phi returns n·φ_j(u)/S in the normalised terms of s2Data:
// v·u + Σ_{Z⁺} max(0, plus_i·u) + Σ_{Z⁻} min(0, minus_i·u).
func (s s2Data) phi(u []float64) float64 {
	f := dot(s.v, u)
	for _, p := range s.plus {
		f += math.Max(0, dot(p, u))
	}
	for _, m := range s.minus {
		f += math.Min(0, dot(m, u))
	}
	return f
}

// quickWitness looks for a descent direction of φ_j among a few candidates
// (±coordinate vectors, ±x_i for the boundary samples, −v), each scaled to
// |u|∞ = 1, before any LP is solved: a value n·φ_j(u)/S < −Eps certifies
// that (S2) fails (and, by the LP residual bound, that the LP of u's cell is
// infeasible, so the two tests agree).
func (s s2Data) quickWitness() ([]float64, bool) {
	tol := normTol
	try := func(u []float64) bool {
		m := maxAbs(u)
		if m == 0 {
			return false
		}
		for k := range u {
			u[k] /= m
		}
		return tol.Positive(-s.phi(u), 1)
	}
	for k := 0; k < s.d; k++ {
		for _, sg := range [2]float64{1, -1} {
			u := make([]float64, s.d)
			u[k] = sg
			if try(u) {
				return u, true
			}
		}
	}
	for _, set := range [][][]float64{s.minus, s.plus, {s.v}} {
		for _, x := range set {
			for _, sg := range [2]float64{1, -1} {
				u := make([]float64, s.d)
				for k := range u {
					u[k] = sg * x[k]
				}
				if try(u) {
					return u, true
				}
			}
		}
	}
	return nil, false
}
