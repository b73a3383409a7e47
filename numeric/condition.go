package numeric

import (
	"errors"
	"fmt"
	"math"
)

// The float64 path says when it cannot answer. Its decisions compare
// computed quantities with Eps times a scale of the data (Tolerance);
// each decision is reliable only when
//
//   - its scale and the products formed on the way lie well inside the
//     float64 range, so that nothing underflows to zero or to a subnormal
//     (which has fewer significant bits) and nothing overflows: every scale
//     a decision uses must lie in [minScale, maxScale];
//   - a relative zero test (a sample, an input or output weight counted as
//     zero because it is tiny next to the largest one) drops nothing that
//     matters: the zeroed value's share of the pre-activations or of the
//     outputs must itself be negligible, else the test depends on how the
//     data happen to be scaled and it changes the network;
//   - every input coordinate is visible to the tests that normalise
//     directions to the unit box (Q_j, φ_j, the cells): a coordinate whose
//     largest entry is below Eps·max|x_i| is not, though the exact path sees
//     it;
//
// When one of these fails, Check answers undetermined with the reason
// "float64: …" instead of a verdict.

// minScale and maxScale bound the scales of the float64 decisions: a scale
// S ≥ minScale keeps Eps·S a normal number (2^−1022/Eps ≈ 2.2e−299), and
// S ≤ maxScale (2^−40 below the largest float64) leaves room for sums of
// up to 2^40 terms.
var (
	minScale = 0x1p-1022 / Eps
	maxScale = math.MaxFloat64 * 0x1p-40
)

// errRange marks the errors of NewProblem that are a limit of float64 (a
// number beyond its range, or one that underflows), not bad input.
var errRange = errors.New("beyond the range of float64")

// scale is the product of a decision's factors, kept as its base-2
// logarithm so that a product which underflows or overflows float64 is
// still seen for what it is (a product that rounds to 0 is not a quantity
// that is exactly zero). zero is set when a factor is exactly 0.
type scale struct {
	log2 float64
	zero bool
}

// scaleOf returns the product of the factors.
func scaleOf(factors ...float64) scale {
	var s scale
	for _, f := range factors {
		if f == 0 {
			return scale{zero: true}
		}
		s.log2 += math.Log2(math.Abs(f))
	}
	return s
}

// ok reports whether a scale is usable: 0 (a quantity that is exactly zero)
// or in [minScale, maxScale].
func (s scale) ok() bool {
	return s.zero || (s.log2 >= math.Log2(minScale) && s.log2 <= math.Log2(maxScale))
}

// String prints the scale in decimal, also beyond the range of float64.
func (s scale) String() string {
	if s.zero {
		return "0"
	}
	if v := math.Exp2(s.log2); v != 0 && !math.IsInf(v, 0) && v >= 0x1p-1022 {
		return fmt.Sprintf("%.3g", v)
	}
	e := s.log2 * math.Log10(2)
	ie := math.Floor(e)
	m := math.Pow(10, e-ie)
	if m >= 9.995 { // %.3g would print 10
		m, ie = m/10, ie+1
	}
	return fmt.Sprintf("%.3ge%+d", m, int(ie))
}

// limitation returns why the float64 path cannot decide this problem
// reliably ("" when it can): the first decision whose scale leaves the
// float64 range, or a relative zero test or an input coordinate that
// depends on the scaling of the data (recorded by snap in pr.scaleDep).
func (pr *Problem) limitation() string {
	if pr.scaleDep != "" {
		return pr.scaleDep
	}
	t := pr.Tol
	n := float64(pr.N())
	check := func(what string, factors ...float64) string {
		s := scaleOf(factors...)
		if s.ok() {
			return ""
		}
		dir := "below"
		if s.log2 > 0 {
			dir = "above"
		}
		return fmt.Sprintf("the scale of %s is %v, %s the range %.1e to %.1e where float64 decides with its tolerance (underflow or overflow)", what, s, dir, minScale, maxScale)
	}
	// Q_j's scale, t.QScale(), as factors.
	qs := []float64{t.R, t.Rho, t.XSum}
	with := func(fs []float64, more ...float64) []float64 { return append(append([]float64{}, fs...), more...) }
	for _, c := range []struct {
		what string
		f    []float64
	}{
		{"the inputs, max |x_i|", []float64{t.X}},
		{"the input weights, max |w_j|", []float64{t.W}},
		{"the output weights, max |a_j|", []float64{t.A}},
		{"the slopes, max |ρ±|", []float64{t.Rho}},
		{"the residuals, R", []float64{t.R}},
		{"the loss, R²", []float64{t.R, t.R}},
		{"Q_j, R·ρ·Σ|x_i|₁", qs},
	} {
		if r := check(c.what, c.f...); r != "" {
			return r
		}
	}
	for j := range pr.W {
		an := norm2(pr.A[j])
		for _, c := range []struct {
			what string
			f    []float64
		}{
			{fmt.Sprintf("the pre-activations of neuron %d, |w_%d|·max|x_i|", j, j), []float64{pr.wNorm[j], t.X}},
			{fmt.Sprintf("(S1) for neuron %d, n·R·ρ·|w_%d|·max|x_i|", j, j), []float64{n, t.R, t.Rho, pr.wNorm[j], t.X}},
			{fmt.Sprintf("a_%d·r_i, |a_%d|·R", j, j), []float64{an, t.R}},
			{fmt.Sprintf("(S2) for neuron %d, |a_%d|·R·ρ·Σ|x_i|₁", j, j), with(qs, an)},
		} {
			if r := check(c.what, c.f...); r != "" {
				return r
			}
		}
		if pr.K() >= 2 {
			for _, c := range []struct {
				what string
				f    []float64
			}{
				{fmt.Sprintf("the indefinite test of neuron %d, |Q_%d|²", j, j), with(qs, qs...)},
				{fmt.Sprintf("the indefinite test of neuron %d, n²·|a_%d|²·ρ⁴·|w_%d|²·max|x_i|⁴", j, j, j),
					[]float64{n, n, an, an, t.Rho, t.Rho, t.Rho, t.Rho, pr.wNorm[j], pr.wNorm[j], t.X, t.X, t.X, t.X}},
			} {
				if r := check(c.what, c.f...); r != "" {
					return r
				}
			}
		}
	}
	return ""
}

// scaleDependence returns why the zero tests of snap, or the tests on the
// unit box of directions, depend on the scaling of the data ("" when they do not), from the
// converted numbers before any is set to zero: X, W, A are the rows; t
// holds the scales X, W, A (the others are not known yet).
func scaleDependence(X, W, A [][]float64, pos, neg float64, t Tolerance) string {
	// P is the largest pre-activation |w_j·x_i|: a value dropped by a
	// relative zero test must be negligible next to it (or, for an output
	// weight, its contribution next to the largest output term).
	P, F := 0.0, 0.0
	pre := make([][]float64, len(W))
	for j, w := range W {
		pre[j] = make([]float64, len(X))
		for i, x := range X {
			z := dot(w, x)
			pre[j][i] = z
			P = math.Max(P, math.Abs(z))
			h := math.Max(math.Abs(pos*z), math.Abs(neg*z))
			F = math.Max(F, norm2(A[j])*h)
		}
	}
	for i, x := range X {
		if nx := norm2(x); nx == 0 || !t.ZeroSample(x) {
			continue
		}
		for j := range W {
			if math.Abs(pre[j][i]) > t.Eps*P {
				return fmt.Sprintf("sample %d counts as zero next to the largest input (|x_%d| = %.3g ≤ Eps·%.3g) but w_%d·x_%d = %.3g is not negligible: the zero test depends on the scaling of the data", i, i, norm2(x), t.X, j, i, pre[j][i])
			}
		}
	}
	for j, w := range W {
		if nw := norm2(w); nw != 0 && t.ZeroInputWeight(w) {
			for i := range X {
				if math.Abs(pre[j][i]) > t.Eps*P {
					return fmt.Sprintf("w_%d counts as zero next to the largest input weight (|w_%d| = %.3g ≤ Eps·%.3g) but w_%d·x_%d = %.3g is not negligible: the zero test depends on the scaling of the data", j, j, nw, t.W, j, i, pre[j][i])
				}
			}
		}
		if na := norm2(A[j]); na != 0 && t.ZeroOutputWeight(A[j]) {
			for i := range X {
				h := math.Max(math.Abs(pos*pre[j][i]), math.Abs(neg*pre[j][i]))
				if na*h > t.Eps*F {
					return fmt.Sprintf("a_%d counts as zero next to the largest output weight (|a_%d| = %.3g ≤ Eps·%.3g) but adds %.3g to f(x_%d): the zero test depends on the scaling of the data", j, j, na, t.A, na*h, i)
				}
			}
		}
	}
	if len(X) > 0 {
		for c := range X[0] {
			s := 0.0
			for _, x := range X {
				s = math.Max(s, math.Abs(x[c]))
			}
			if s != 0 && s <= t.Eps*t.X {
				return fmt.Sprintf("input coordinate %d is at most %.3g, below Eps·max|x_i| = %.3g: the tests on the unit box of directions cannot see it (coordinates of very different scales)", c, s, t.Eps*t.X)
			}
		}
	}
	return ""
}
