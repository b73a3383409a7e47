package descent

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/ALTree/bigfloat"
	"gonum.org/v1/gonum/mat"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// LossKind selects the scaling of the squared loss.
type LossKind int

const (
	// MSE is PyTorch's mse_loss: (1/(n·k)) Σ_i |f(x_i) − y_i|², the default.
	MSE LossKind = iota
	// HalfN is docs/theory.md §1's (1/2n) Σ_i |f(x_i) − y_i|².
	HalfN
)

// String returns "mse" or "half".
func (l LossKind) String() string {
	if l == HalfN {
		return "half"
	}
	return "mse"
}

// ParseLossKind reads "mse" or "half".
func ParseLossKind(s string) (LossKind, error) {
	switch s {
	case "mse":
		return MSE, nil
	case "half":
		return HalfN, nil
	}
	return 0, fmt.Errorf("loss %q: want mse or half", s)
}

// Problem is a data set, an activation and a loss scaling in float64: what
// gradient descent minimises.
type Problem struct {
	// X holds the n inputs as rows (n×d), with the constant 1 of a bias
	// already appended when the case has one.
	X *mat.Dense
	// Y holds the n targets as rows (n×k).
	Y *mat.Dense
	// Pos and Neg are the activation slopes ρ₊ and ρ₋.
	Pos, Neg float64
	// Scaling is the loss scaling.
	Scaling LossKind
	// OutputBias makes the network f(x) = Σ_j a_j ρ(w_j·x) + b with a
	// trainable output bias b ∈ R^k (nn.Linear's default); Params then
	// carry B. Set it before the first NewParams, Init or Train.
	OutputBias bool

	n, d, k int
	x, y    []float64 // row-major copies of X and Y
	data    *verify.Point
}

// NewProblem converts the data and activation of p to float64 (its neurons
// are ignored: training initialises its own). Every number must be finite
// in float64.
func NewProblem(p *verify.Point, loss LossKind) (*Problem, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	n, d, k := p.N(), p.D(), p.K()
	pr := &Problem{Scaling: loss, n: n, d: d, k: k, x: make([]float64, n*d), y: make([]float64, n*k)}
	var err error
	conv := func(r *big.Rat, what string) float64 {
		f, _ := r.Float64()
		if err == nil && (math.IsInf(f, 0) || math.IsNaN(f)) {
			err = fmt.Errorf("%s: %s is not representable in float64", what, r.RatString())
		}
		return f
	}
	for i := range n {
		for c := range d {
			pr.x[i*d+c] = conv(p.X.At(i, c), fmt.Sprintf("inputs[%d][%d]", i, c))
		}
		for o := range k {
			pr.y[i*k+o] = conv(p.Y.At(i, o), fmt.Sprintf("targets[%d][%d]", i, o))
		}
	}
	pr.Pos = conv(p.Act.Pos, "activation pos")
	pr.Neg = conv(p.Act.Neg, "activation neg")
	if err != nil {
		return nil, err
	}
	pr.X = mat.NewDense(n, d, append([]float64(nil), pr.x...))
	pr.Y = mat.NewDense(n, k, append([]float64(nil), pr.y...))
	data := p.Clone()
	data.Neurons = nil
	pr.data = data
	return pr, nil
}

// N, D and K return the number of samples, the input dimension (with the
// bias coordinate) and the output dimension.
func (p *Problem) N() int { return p.n }

// D returns the input dimension d, including a bias coordinate.
func (p *Problem) D() int { return p.d }

// K returns the output dimension k.
func (p *Problem) K() int { return p.k }

// rho returns ρ(z).
func (p *Problem) rho(z float64) float64 {
	if z > 0 {
		return p.Pos * z
	}
	return p.Neg * z
}

// Params is a parameter point θ in float64: W is m×d (row j is w_j), A is
// m×k (row j is a_j ∈ R^k, the output weight of neuron j), and B the output
// bias b ∈ R^k (nil when the problem has none).
type Params struct {
	W, A *mat.Dense
	B    []float64
}

// NewParams returns the zero point of width m for p.
func (p *Problem) NewParams(m int) Params {
	th := Params{W: mat.NewDense(m, p.d, nil), A: mat.NewDense(m, p.k, nil)}
	if p.OutputBias {
		th.B = make([]float64, p.k)
	}
	return th
}

// M returns the width m.
func (th Params) M() int {
	if th.W == nil {
		return 0
	}
	r, _ := th.W.Dims()
	return r
}

// Clone returns a deep copy.
func (th Params) Clone() Params {
	c := Params{W: mat.DenseCopyOf(th.W), A: mat.DenseCopyOf(th.A)}
	if th.B != nil {
		c.B = append([]float64(nil), th.B...)
	}
	return c
}

// raw returns the row-major backing slices of W and A (NewParams and Clone
// allocate them contiguous: stride = columns).
func (th Params) raw() (w, a []float64) {
	return th.W.RawMatrix().Data, th.A.RawMatrix().Data
}

// check reports a shape mismatch between th and p.
func (p *Problem) check(th Params) error {
	if th.W == nil || th.A == nil {
		return errors.New("descent: nil parameters")
	}
	mw, dw := th.W.Dims()
	ma, ka := th.A.Dims()
	if mw != ma || dw != p.d || ka != p.k {
		return fmt.Errorf("descent: parameters %d×%d and %d×%d do not fit d = %d, k = %d", mw, dw, ma, ka, p.d, p.k)
	}
	if th.W.RawMatrix().Stride != dw || th.A.RawMatrix().Stride != ka {
		return errors.New("descent: parameters must be contiguous (use NewParams or Clone)")
	}
	if p.OutputBias != (th.B != nil) || (th.B != nil && len(th.B) != p.k) {
		return fmt.Errorf("descent: output bias %v does not fit the problem (output bias %t, k = %d)", th.B, p.OutputBias, p.k)
	}
	return nil
}

// Point returns θ as an exact verify.Point on the problem's exact data: each
// float64 weight is converted to the rational it denotes, exactly.
func (p *Problem) Point(th Params) *verify.Point {
	q := p.data.Clone()
	m := th.M()
	for j := range m {
		nr := verify.Neuron{}
		for c := range p.d {
			nr.W = append(nr.W, new(big.Rat).SetFloat64(th.W.At(j, c)))
		}
		for o := range p.k {
			nr.A = append(nr.A, new(big.Rat).SetFloat64(th.A.At(j, o)))
		}
		q.Neurons = append(q.Neurons, nr)
	}
	if th.B != nil {
		q.OutputBias = make(exact.Vec, p.k)
		for o, b := range th.B {
			q.OutputBias[o] = new(big.Rat).SetFloat64(b)
		}
	}
	return q
}

// betaPrec is the precision of the big-float computation of β.
const betaPrec = 256

// Beta returns the initialisation scale β = width^μ, computed as
// bigfloat.Pow(width, μ) = exp(μ·ln width) with 256-bit precision and then
// rounded to the nearest float64 (also returned as the big.Float).
//
// bigfloat is used for every μ, integer or fractional, on purpose: one
// formula means the scale does not depend on whether μ happens to be an
// integer, and it does not depend on the platform either — math.Pow is not
// correctly rounded and Go fuses multiply-adds on some architectures (arm64,
// ppc64le, s390x, not amd64), so math.Pow(50, -1.0/3) may differ in the last
// bit between machines and the whole trajectory with it. μ is a rational read
// exactly ("-1/2", "-0.3"), so −1/3 is really −1/3, not its float64 rounding.
func Beta(width int, mu *big.Rat) (float64, *big.Float, error) {
	if width < 1 {
		return 0, nil, fmt.Errorf("width %d: want at least 1", width)
	}
	z := new(big.Float).SetPrec(betaPrec).SetInt64(int64(width))
	w := new(big.Float).SetPrec(betaPrec).SetRat(mu)
	b := bigfloat.Pow(z, w)
	f, _ := b.Float64()
	if f == 0 || math.IsInf(f, 0) {
		return 0, nil, fmt.Errorf("width^mu = %d^%s is not a normal float64 (%s)", width, mu.RatString(), b.Text('g', 10))
	}
	return f, b, nil
}

// Init returns the initial point of width m: every entry of W and A is an
// independent N(0,1) draw times β = width^μ (Beta), from math/rand/v2's PCG
// seeded with (seed, 0); W is drawn row by row first, then A, then the
// output bias b when the problem has one (the same scale: training starts
// from a small network, b included; runs without b draw the same W and A).
func (p *Problem) Init(width int, mu *big.Rat, seed uint64) (Params, float64, error) {
	beta, _, err := Beta(width, mu)
	if err != nil {
		return Params{}, 0, err
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	th := p.NewParams(width)
	w, a := th.raw()
	for i := range w {
		w[i] = rng.NormFloat64() * beta
	}
	for i := range a {
		a[i] = rng.NormFloat64() * beta
	}
	for i := range th.B {
		th.B[i] = rng.NormFloat64() * beta
	}
	return th, beta, nil
}
