package numeric

import (
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// Problem is a verify.Point converted to float64 and snapped to the pattern
// the tolerance policy sees: samples, input weights and output weights that
// count as zero (Tolerance) are set to exactly zero, and pre-activations
// w_j·x_i of samples on a hyperplane are set to exactly zero, so that every
// later quantity (outputs, residuals, G_j, Q_j, φ_j) is computed on one
// consistent pattern. The fields must not be modified.
type Problem struct {
	// Pos and Neg are the slopes ρ₊ and ρ₋.
	Pos, Neg float64
	// X (n×d), Y (n×k), W (m×d) and A (m×k) hold the samples, targets, input
	// and output weights, one row each.
	X, Y, W, A [][]float64
	// B is the output bias b (k entries), nil when the network has none.
	B []float64
	// Tol is the tolerance policy with this problem's scales.
	Tol Tolerance
	// SkipGlobal turns off the comparison with the least loss of any width
	// (Check's Theorem G step), as verify.Options.SkipGlobal does.
	SkipGlobal bool

	xZero, wZero, aZero []bool
	xNorm, wNorm        []float64
	side                [][]int8    // side[j][i] ∈ {−1, 0, +1}
	pre                 [][]float64 // pre[j][i] = w_j·x_i, 0 on the hyperplane
	out, res            [][]float64 // outputs f(x_i) and residuals r_i
	// scaleDep says why a zero test of snap or an input coordinate depends
	// on the scaling of the data (condition.go); "" when none does.
	scaleDep string
}

// toFloats converts an exact vector; name and index locate it in errors.
func toFloats(v exact.Vec, name string, idx int) ([]float64, error) {
	f := make([]float64, len(v))
	for i, x := range v {
		f[i], _ = x.Float64()
		if math.IsInf(f[i], 0) || math.IsNaN(f[i]) {
			return nil, fmt.Errorf("%s[%d][%d]: %s is not representable in float64 (%w)", name, idx, i, shortRatString(x), errRange)
		}
		if x.Sign() != 0 && math.Abs(f[i]) < 0x1p-1022 {
			return nil, fmt.Errorf("%s[%d][%d]: %s underflows float64 to %g (%w)", name, idx, i, shortRatString(x), f[i], errRange)
		}
	}
	return f, nil
}

// rowFloats is toFloats of row i of a data matrix (name "inputs" or
// "targets"), read straight from the matrix when the row is stored as
// float64s that are normal or 0.
func rowFloats(m *exact.RatMat, name string, i int) ([]float64, error) {
	if row, ok := m.Floats(i); ok {
		normal := true
		for _, v := range row {
			if v != 0 && math.Abs(v) < 0x1p-1022 {
				normal = false
				break
			}
		}
		if normal {
			return slices.Clone(row), nil
		}
	}
	return toFloats(m.Row(i), name, i)
}

func ratFloat(r *big.Rat, name string) (float64, error) {
	f, _ := r.Float64()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%s: %s is not representable in float64 (%w)", name, shortRatString(r), errRange)
	}
	if r.Sign() != 0 && math.Abs(f) < 0x1p-1022 {
		return 0, fmt.Errorf("%s: %s underflows float64 to %g (%w)", name, shortRatString(r), f, errRange)
	}
	return f, nil
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// NewProblem converts p to float64 (big.Rat.Float64, rounding to nearest),
// computes the scales of the tolerance policy from the converted numbers,
// snaps zeros and the activation pattern, and computes outputs and
// residuals. It fails when p is malformed or a number overflows float64.
func NewProblem(p *verify.Point) (*Problem, error) {
	if p == nil {
		return nil, fmt.Errorf("numeric: nil point")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	pr := &Problem{}
	var err error
	if pr.Pos, err = ratFloat(p.Act.Pos, "activation.pos"); err != nil {
		return nil, err
	}
	if pr.Neg, err = ratFloat(p.Act.Neg, "activation.neg"); err != nil {
		return nil, err
	}
	n, m := p.N(), p.M()
	pr.X, pr.Y = make([][]float64, n), make([][]float64, n)
	for i := 0; i < n; i++ {
		if pr.X[i], err = rowFloats(p.X, "inputs", i); err != nil {
			return nil, err
		}
		if pr.Y[i], err = rowFloats(p.Y, "targets", i); err != nil {
			return nil, err
		}
	}
	pr.W, pr.A = make([][]float64, m), make([][]float64, m)
	for j, nr := range p.Neurons {
		if pr.W[j], err = toFloats(nr.W, "neurons.w", j); err != nil {
			return nil, err
		}
		if pr.A[j], err = toFloats(nr.A, "neurons.a", j); err != nil {
			return nil, err
		}
	}
	if p.HasOutputBias() {
		if pr.B, err = toFloats(p.OutputBias, "output_bias", 0); err != nil {
			return nil, err
		}
	}
	pr.snap()
	if l := pr.Loss(); math.IsInf(l, 0) || math.IsNaN(l) {
		return nil, fmt.Errorf("numeric: the loss overflows float64 (%w)", errRange)
	}
	return pr, nil
}

// snap computes the scales, zeroes what counts as zero and fixes the pattern,
// then computes outputs, residuals and the residual scale.
func (pr *Problem) snap() {
	n, m := len(pr.X), len(pr.W)
	t := Tolerance{Eps: Eps, Rho: math.Max(math.Abs(pr.Pos), math.Abs(pr.Neg))}
	for _, x := range pr.X {
		t.X = math.Max(t.X, norm2(x))
	}
	for j := range pr.W {
		t.W = math.Max(t.W, norm2(pr.W[j]))
		t.A = math.Max(t.A, norm2(pr.A[j]))
	}
	pr.scaleDep = scaleDependence(pr.X, pr.W, pr.A, pr.Pos, pr.Neg, t)
	zero := func(v []float64) {
		for i := range v {
			v[i] = 0
		}
	}
	pr.xZero, pr.xNorm = make([]bool, n), make([]float64, n)
	for i, x := range pr.X {
		if pr.xZero[i] = t.ZeroSample(x); pr.xZero[i] {
			zero(x)
		} else {
			t.XSum += norm1(x)
		}
		pr.xNorm[i] = norm2(x)
	}
	pr.wZero, pr.aZero, pr.wNorm = make([]bool, m), make([]bool, m), make([]float64, m)
	pr.side, pr.pre = make([][]int8, m), make([][]float64, m)
	for j := range pr.W {
		if pr.wZero[j] = t.ZeroInputWeight(pr.W[j]); pr.wZero[j] {
			zero(pr.W[j])
		}
		if pr.aZero[j] = t.ZeroOutputWeight(pr.A[j]); pr.aZero[j] {
			zero(pr.A[j])
		}
		pr.wNorm[j] = norm2(pr.W[j])
		pr.side[j], pr.pre[j] = make([]int8, n), make([]float64, n)
		for i, x := range pr.X {
			z := dot(pr.W[j], x)
			pr.side[j][i] = t.Side(z, pr.wNorm[j], pr.xNorm[i])
			if pr.side[j][i] != 0 {
				pr.pre[j][i] = z
			}
		}
	}
	k := len(pr.Y[0])
	pr.out, pr.res = make([][]float64, n), make([][]float64, n)
	for i := range pr.X {
		pr.out[i] = make([]float64, k)
		size := norm2(pr.Y[i])
		if pr.B != nil {
			copy(pr.out[i], pr.B)
			size += norm2(pr.B)
		}
		for j := range pr.W {
			h := pr.rho(pr.pre[j][i])
			if h == 0 {
				continue
			}
			for c := range pr.out[i] {
				pr.out[i][c] += pr.A[j][c] * h
			}
			size += norm2(pr.A[j]) * math.Abs(h)
		}
		pr.res[i] = make([]float64, k)
		for c := range pr.res[i] {
			pr.res[i][c] = pr.out[i][c] - pr.Y[i][c]
		}
		t.R = math.Max(t.R, size)
	}
	pr.Tol = t
}

// rho returns ρ(z).
func (pr *Problem) rho(z float64) float64 {
	if z < 0 {
		return pr.Neg * z
	}
	return pr.Pos * z
}

// slope returns ρ₊ for side ≥ 0 and ρ₋ for side < 0.
func (pr *Problem) slope(side int8) float64 {
	if side < 0 {
		return pr.Neg
	}
	return pr.Pos
}

// N returns the number of samples.
func (pr *Problem) N() int { return len(pr.X) }

// D returns the input dimension (bias coordinate included).
func (pr *Problem) D() int { return len(pr.X[0]) }

// K returns the output dimension.
func (pr *Problem) K() int { return len(pr.Y[0]) }

// M returns the number of neurons.
func (pr *Problem) M() int { return len(pr.W) }

// Sides returns neuron j's pattern, one entry per sample: +1 for P_j, −1 for
// N_j and 0 for Z_j (zero samples included) as the tolerance policy decides
// it. The slice is a copy.
func (pr *Problem) Sides(j int) []int8 { return append([]int8(nil), pr.side[j]...) }

// Residuals returns r_i = f(x_i) − y_i, one row per sample (a copy).
func (pr *Problem) Residuals() [][]float64 {
	r := make([][]float64, len(pr.res))
	for i := range r {
		r[i] = append([]float64(nil), pr.res[i]...)
	}
	return r
}

// Loss returns L = (1/2n) Σ_i |r_i|² (docs/theory.md §1; not PyTorch's mse_loss).
func (pr *Problem) Loss() float64 {
	s := 0.0
	for _, r := range pr.res {
		s += dot(r, r)
	}
	return s / (2 * float64(len(pr.res)))
}

// BiasGradient returns ∂L/∂b = (1/n) Σ_i r_i, nil without an output bias.
func (pr *Problem) BiasGradient() []float64 {
	if pr.B == nil {
		return nil
	}
	g := make([]float64, pr.K())
	for _, r := range pr.res {
		for c := range g {
			g[c] += r[c]
		}
	}
	for c := range g {
		g[c] /= float64(pr.N())
	}
	return g
}

// s0 reports (S0) of Theorem S: with an output bias, ∂L/∂b ≈ 0 within
// |Σ_i r_i|/n ≤ Eps·R (the tolerance of ZeroResidualSum with unit terms);
// true without one.
func (pr *Problem) s0() bool {
	g := pr.BiasGradient()
	return g == nil || pr.Tol.ZeroResidualSum(g, 1)
}

// G returns the output-weight gradient G_j = (1/n) Σ_i r_i ρ(w_j·x_i).
func (pr *Problem) G(j int) []float64 {
	g := make([]float64, pr.K())
	for i, r := range pr.res {
		h := pr.rho(pr.pre[j][i])
		for c := range g {
			g[c] += r[c] * h
		}
	}
	for c := range g {
		g[c] /= float64(pr.N())
	}
	return g
}

// boundary returns |Z_j| counted over nonzero samples.
func (pr *Problem) boundary(j int) int {
	b := 0
	for i, s := range pr.side[j] {
		if s == 0 && !pr.xZero[i] {
			b++
		}
	}
	return b
}

// kind classifies neuron j as docs/theory.md §1 does: the first of zero, zero-output,
// zero-input, dead, non-differentiable, alive.
func (pr *Problem) kind(j int) verify.NeuronKind {
	switch {
	case pr.aZero[j] && pr.wZero[j]:
		return verify.ZeroNeuron
	case pr.aZero[j]:
		return verify.ZeroOutput
	case pr.wZero[j]:
		return verify.ZeroInput
	}
	if pr.Tol.ZeroSlope(pr.Neg) {
		dead := true
		for i, s := range pr.side[j] {
			if !pr.xZero[i] && s >= 0 {
				dead = false
				break
			}
		}
		if dead {
			return verify.Dead
		}
	}
	if pr.boundary(j) > 0 {
		return verify.NonDifferentiable
	}
	return verify.Alive
}

// lossOf evaluates L = (1/2n) Σ_i |Σ_j a_j ρ(w_j·x_i) + b − y_i|² directly,
// without tolerances (used by Perturb); B = nil is b = 0.
func lossOf(pos, neg float64, X, Y, W, A [][]float64, B []float64) float64 {
	s := 0.0
	for i, x := range X {
		for c := range Y[i] {
			f := 0.0
			if B != nil {
				f = B[c]
			}
			for j := range W {
				z := dot(W[j], x)
				if z < 0 {
					z *= neg
				} else {
					z *= pos
				}
				f += A[j][c] * z
			}
			f -= Y[i][c]
			s += f * f
		}
	}
	return s / (2 * float64(len(X)))
}

// shortRatString is r as "p/q", abbreviated in the middle when long (a
// number of 10^300 has 301 digits).
func shortRatString(r *big.Rat) string {
	s := r.RatString()
	if len(s) > 40 {
		return fmt.Sprintf("%s…%s (%d characters)", s[:16], s[len(s)-16:], len(s))
	}
	return s
}
