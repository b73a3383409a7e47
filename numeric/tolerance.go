package numeric

import "math"

// Eps is the relative tolerance τ behind every float64 decision of this
// package. It is far above the rounding error of the computations (about
// m·2⁻⁵² relative for the residuals, which are sums of m+1 terms) and far
// below any gap a hand-made or catalogue case relies on.
const Eps = 1e-9

// lpReducedCostTol is the optimality tolerance handed to gonum's simplex. The
// LPs are normalised before they are solved (see Tolerance), so an absolute
// tolerance is meaningful there; it only decides when the simplex stops, not
// a verdict.
const lpReducedCostTol = 1e-12

// lpPerturbation returns the amounts ε_0 … ε_{r−1} by which the LP wrappers
// move the right-hand side of an r-row LP away from 0 against cycling (see
// lp.go): ε_i = δ·θ_i with δ = min(Eps/8192, Eps/(8r)) and θ_i ∈ [1/2, 1)
// pseudo-random — a fixed hash of i (splitmix64), so the amounts are
// deterministic, distinct and without simple ratios between them (a
// low-discrepancy sequence such as frac(i/φ) has them: θ_1/θ_2 ≈ 2/3 made
// ε_1 − (2/3)ε_2 vanish on data with entries 2/√14 and 3/√14). Then no basis
// the simplex visits is degenerate. The data are normalised to scale 1 and
// δ ≈ 1.2e-13 for r ≤ 1024 rows, about 10³ times the rounding error of the
// basic solutions, so gonum computes the perturbed values, not noise; and
// δ < supportTol/8, so the perturbation stays below the threshold at which
// coneWitness reads a dual solution's support.
//
// Σε_i ≤ Eps/8, and the least ℓ1 residual is 1-Lipschitz in b, so the least
// residual of a perturbed LP is within Eps/8 of the original one; the
// wrappers evaluate the point found on the original b, which is above the
// least residual by at most 2Σε_i ≤ Eps/4 (and never below it). Hence an
// LP judged feasible (residual ≤ Eps) has least residual ≤ Eps, as without
// the perturbation, and one whose least residual is ≤ (3/4)·Eps is judged
// feasible: the perturbation can only move LPs whose least residual lies in
// ((3/4)·Eps, Eps], which the policy treats as borderline anyway. Maximisations (maxIneq, G·z ≤ h + ε) return
// points that may exceed a row by ε_i < Eps/8, which the re-check against
// Eps accepts.
func lpPerturbation(r int) []float64 {
	delta := math.Min(Eps/8192, Eps/(8*float64(max(r, 1))))
	eps := make([]float64, r)
	for i := range eps {
		// splitmix64(i), top 53 bits as a fraction in [0, 1).
		x := uint64(i) + 0x9e3779b97f4a7c15
		x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
		x = (x ^ x>>27) * 0x94d049bb133111eb
		x ^= x >> 31
		eps[i] = delta * (0.5 + float64(x>>11)/(1<<54))
	}
	return eps
}

// supportTol separates the nonzero entries of an LP solution from rounding
// noise when a maximiser is recovered from complementary slackness
// (coneWitness). It decides nothing by itself: the recovered point is
// checked (cone rows ≤ supportTol, value by normTol) or replaced.
const supportTol = 1e-12

// normTol is the policy for quantities already normalised to scale 1 (LP
// values and residuals, recovered witnesses, φ on the unit box, the share
// of e_j outside the row space of Φ): the thresholds are Eps itself.
var normTol = Tolerance{Eps: Eps}

// Tolerance is the package's one tolerance policy: every comparison with zero
// that a decision rests on is a method of Tolerance, and every threshold is
// Eps times a scale of the data and weights computed once per problem.
//
// The scales (norms are Euclidean unless said otherwise):
//   - X = max_i |x_i|, the input scale;
//   - W = max_j |w_j| and A = max_j |a_j|, the weight scales of each layer;
//   - Rho = max(|ρ₊|, |ρ₋|), the activation scale;
//   - R = max_i (|y_i| + Σ_j |a_j|·|ρ(w_j·x_i)|), the residual scale: a bound
//     on the terms summed to form any residual r_i, hence on |r_i| and on its
//     rounding error;
//   - XSum = Σ_i |x_i|₁ over the nonzero samples, so that |x_i·u| ≤ |x_i|₁
//     for |u|∞ ≤ 1 and R·Rho·XSum bounds |Q_j(u)| on the unit box.
//
// The decisions:
//   - a sample is zero when |x_i| ≤ Eps·X; an input weight when
//     |w_j| ≤ Eps·W; an output weight when |a_j| ≤ Eps·A (relative to the
//     largest weight of the same layer, so only rescalings by factors beyond
//     1/Eps can change them);
//   - sample i lies on neuron j's hyperplane (i ∈ Z_j) when
//     |w_j·x_i| ≤ Eps·|w_j|·|x_i|, the sine of the angle between x_i and the
//     hyperplane; two samples lie on one line through 0 when the distance of
//     one to the other's line is ≤ Eps times its norm;
//   - a sum q = Σ_i r_i·t_i of residuals weighted by known numbers t_i (G_j,
//     the line sums of E2) is zero when |q| ≤ Eps·R·Σ_i|t_i|; a residual
//     r_i when |r_i| ≤ Eps·R, and the loss is zero when every residual is;
//     c_i = a_j·r_i when |c_i| ≤ Eps·|a_j|·R;
//   - a value of Q_j (or a column of the E1 matrix) is zero when its norm is
//     ≤ Eps·R·Rho·XSum, and the gradient g of n·φ_j on a cell when its
//     entries are ≤ Eps·|a_j|₁·R·Rho·XSum;
//   - LPs are normalised (rows divided by the largest possible size of their
//     terms, hyperplane normals to unit length, directions to the unit box)
//     and then judged by normTol, i.e. against Eps itself: an equality system
//     is feasible when its least ℓ1 residual is ≤ Eps — for (S2), with the
//     scale S = |a_j|·R·(Rho+|κ|)·XSum, this is φ_j(u) ≥ −Eps·(S/n)·|u|∞ on
//     the cell, and n·φ_j(u)/S < −Eps at a candidate u already counts as a
//     failure; a cell is realised when some point of the unit box is farther
//     than Eps from each of its hyperplanes on the cell's side; a maximum of
//     a component of Q_j/QScale over a face ∩ unit box is positive when it
//     is > Eps;
//   - the indefinite tests of k ≥ 2 need a margin: H(u) > Eps·(|Q_j(u)|² +
//     |a_j|²·Σρ²·Σρ'²), and the second-order minimum < −Eps times the size
//     of its terms; singular values ≤ Eps·σ_max count as zero (RankCut);
//   - the generators of a critical face are unit vectors: one lies in a
//     halfspace of unit normal h when h·u ≥ −Eps (NonNegative), and two are
//     one generator when they differ by ≤ Eps in every entry (SameDirection).
//
// Slopes: κ = ρ₊ − ρ₋ (or ρ₋ for "dead") is zero when |κ| ≤ Eps·Rho.
type Tolerance struct {
	// Eps is the relative tolerance (the package constant Eps).
	Eps float64
	// X, W, A, Rho, R and XSum are the scales described above.
	X, W, A, Rho, R, XSum float64
}

// norm2 returns the Euclidean norm of v.
func norm2(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s = math.Hypot(s, x)
	}
	return s
}

// norm1 returns Σ|v_i|.
func norm1(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += math.Abs(x)
	}
	return s
}

// maxAbs returns max|v_i| (0 for an empty v).
func maxAbs(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s = math.Max(s, math.Abs(x))
	}
	return s
}

// ZeroSample reports whether the input x counts as the zero sample.
func (t Tolerance) ZeroSample(x []float64) bool { return norm2(x) <= t.Eps*t.X }

// ZeroInputWeight reports whether the input weight w counts as zero.
func (t Tolerance) ZeroInputWeight(w []float64) bool { return norm2(w) <= t.Eps*t.W }

// ZeroOutputWeight reports whether the output weight a counts as zero.
func (t Tolerance) ZeroOutputWeight(a []float64) bool { return norm2(a) <= t.Eps*t.A }

// ZeroSlope reports whether a slope (κ, or ρ₋ for the dead test) counts as 0.
func (t Tolerance) ZeroSlope(s float64) bool { return math.Abs(s) <= t.Eps*t.Rho }

// Side returns the side of sample x_i for neuron j from wx = w_j·x_i and the
// norms wn = |w_j|, xn = |x_i|: 0 when the sample lies on the hyperplane
// (|wx| ≤ Eps·wn·xn, which includes w_j = 0 and x_i = 0), else the sign of wx.
func (t Tolerance) Side(wx, wn, xn float64) int8 {
	switch {
	case math.Abs(wx) <= t.Eps*wn*xn:
		return 0
	case wx > 0:
		return 1
	}
	return -1
}

// SameLine reports whether x lies on the line through 0 spanned by the unit
// vector e: |x − (x·e)e| ≤ Eps·|x|.
func (t Tolerance) SameLine(x, e []float64) bool {
	p := dot(x, e)
	d := 0.0
	for k := range x {
		d = math.Hypot(d, x[k]-p*e[k])
	}
	return d <= t.Eps*norm2(x)
}

// ZeroResidualSum reports whether q = Σ_i r_i·t_i counts as zero, where
// terms = Σ_i |t_i|: |q| ≤ Eps·R·terms.
func (t Tolerance) ZeroResidualSum(q []float64, terms float64) bool {
	return norm2(q) <= t.Eps*t.R*terms
}

// ZeroResidual reports whether the residual r_i counts as zero.
func (t Tolerance) ZeroResidual(r []float64) bool { return norm2(r) <= t.Eps*t.R }

// ZeroCoefficient reports whether c_i = a_j·r_i counts as zero, given |a_j|.
func (t Tolerance) ZeroCoefficient(c, aNorm float64) bool {
	return math.Abs(c) <= t.Eps*aNorm*t.R
}

// QScale returns R·Rho·XSum, the bound on |Q_j(u)| for |u|∞ ≤ 1.
func (t Tolerance) QScale() float64 { return t.R * t.Rho * t.XSum }

// ZeroQ reports whether a value of Q_j on the unit box (or a column of the
// E1 matrix) counts as zero.
func (t Tolerance) ZeroQ(q []float64) bool { return norm2(q) <= t.Eps*t.QScale() }

// ZeroPhiGradient reports whether the gradient g = a_jᵀM of n·φ_j on a cell
// counts as zero, given |a_j|₁.
func (t Tolerance) ZeroPhiGradient(g []float64, aNorm1 float64) bool {
	return maxAbs(g) <= t.Eps*aNorm1*t.QScale()
}

// Feasible reports whether a normalised equality LP with least ℓ1 residual
// res counts as feasible.
func (t Tolerance) Feasible(res float64) bool { return res <= t.Eps }

// Positive reports whether v counts as positive against the scale s of its
// terms: v > Eps·s. Normalised LP values use s = 1.
func (t Tolerance) Positive(v, s float64) bool { return v > t.Eps*s }

// NonNegative reports whether v counts as non-negative against the scale s
// of its terms: v ≥ −Eps·s (a unit generator u lies in a halfspace h·u ≥ 0
// of unit normal h when NonNegative(h·u, 1)).
func (t Tolerance) NonNegative(v, s float64) bool { return v >= -t.Eps*s }

// SameDirection reports whether the unit vectors u and v count as the same
// direction: |u − v|∞ ≤ Eps.
func (t Tolerance) SameDirection(u, v []float64) bool {
	for i := range u {
		if math.Abs(u[i]-v[i]) > t.Eps {
			return false
		}
	}
	return true
}

// RankCut returns the singular-value threshold Eps·σ_max below which a
// singular value counts as zero.
func (t Tolerance) RankCut(sigmaMax float64) float64 { return t.Eps * sigmaMax }
