package numeric

import (
	"math"
	"math/rand/v2"

	"github.com/relucert/relucert/verify"
)

// perturbStream is the second PCG seed word of Perturb (the first is the
// caller's seed).
const perturbStream = 0x9e3779b97f4a7c15

// PerturbResult is what Perturb found. It is a heuristic observation, not a
// verdict: a decrease shows the point is not a local minimum (up to float64
// rounding of the loss), but no decrease in n trials proves nothing — a
// saddle's descent directions can be a set of small measure, and the
// amplitude may be too large or too small.
type PerturbResult struct {
	// Trials is the number of perturbations tried (0 when the point was
	// invalid or n ≤ 0).
	Trials int
	// Decreases counts the trials with L(θ+Δ) < L(θ).
	Decreases int
	// MinChange is the smallest L(θ+Δ) − L(θ) seen (NaN when Trials = 0).
	MinChange float64
	// Loss is L(θ) = (1/2n) Σ_i |f(x_i) − y_i|² in float64 (NaN when the point
	// was invalid).
	Loss float64
}

// Perturb is the paper's baseline test of a candidate minimum: n times, it
// perturbs all parameters at once (every entry of every w_j and a_j, and of
// the output bias b when there is one) by
// independent uniform noise in [−amplitude, amplitude] and evaluates the
// float64 loss directly (no tolerance, no pattern). The noise comes from
// math/rand/v2's PCG seeded with (seed, perturbStream), so equal arguments
// give equal results. See PerturbResult for what the answer does not mean.
func Perturb(p *verify.Point, n int, amplitude float64, seed uint64) PerturbResult {
	out := PerturbResult{MinChange: math.NaN(), Loss: math.NaN()}
	if p == nil || p.Validate() != nil {
		return out
	}
	pos, err := ratFloat(p.Act.Pos, "")
	if err != nil {
		return out
	}
	neg, err := ratFloat(p.Act.Neg, "")
	if err != nil {
		return out
	}
	X, Y := make([][]float64, p.N()), make([][]float64, p.N())
	for i := range X {
		if X[i], err = rowFloats(p.X, "", i); err != nil {
			return out
		}
		if Y[i], err = rowFloats(p.Y, "", i); err != nil {
			return out
		}
	}
	W, A := make([][]float64, p.M()), make([][]float64, p.M())
	for j, nr := range p.Neurons {
		if W[j], err = toFloats(nr.W, "", j); err != nil {
			return out
		}
		if A[j], err = toFloats(nr.A, "", j); err != nil {
			return out
		}
	}
	var B []float64 // the output bias, nil without one
	if p.HasOutputBias() {
		if B, err = toFloats(p.OutputBias, "", 0); err != nil {
			return out
		}
	}
	out.Loss = lossOf(pos, neg, X, Y, W, A, B)
	if n <= 0 {
		return out
	}
	rng := rand.New(rand.NewPCG(seed, perturbStream))
	noisy := func(v [][]float64) [][]float64 {
		c := make([][]float64, len(v))
		for j, row := range v {
			c[j] = make([]float64, len(row))
			for k, x := range row {
				c[j][k] = x + amplitude*(2*rng.Float64()-1)
			}
		}
		return c
	}
	out.MinChange = math.Inf(1)
	for trial := 0; trial < n; trial++ {
		pw := noisy(W)
		pa := noisy(A)
		var pb []float64
		if B != nil {
			pb = noisy([][]float64{B})[0]
		}
		change := lossOf(pos, neg, X, Y, pw, pa, pb) - out.Loss
		if change < 0 {
			out.Decreases++
		}
		out.MinChange = math.Min(out.MinChange, change)
		out.Trials++
	}
	return out
}
