package network

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// Activation is the ReLU-like activation ρ(z) = Pos·z for z ≥ 0 and Neg·z for
// z < 0, with rational slopes ρ₊ = Pos and ρ₋ = Neg. ReLU is (1, 0), leaky
// ReLU (1, α), absolute value (1, −1); Pos = Neg is a linear network.
type Activation struct {
	Pos, Neg *big.Rat
}

// ReLU returns ρ(z) = max(z, 0).
func ReLU() Activation { return Activation{big.NewRat(1, 1), new(big.Rat)} }

// Leaky returns the leaky ReLU with negative slope alpha.
func Leaky(alpha *big.Rat) Activation {
	return Activation{big.NewRat(1, 1), new(big.Rat).Set(alpha)}
}

// Abs returns ρ(z) = |z|.
func Abs() Activation { return Activation{big.NewRat(1, 1), big.NewRat(-1, 1)} }

// Linear returns ρ(z) = z.
func Linear() Activation { return Activation{big.NewRat(1, 1), big.NewRat(1, 1)} }

// Kappa returns κ = ρ₊ − ρ₋, the jump of ρ' at 0.
func (a Activation) Kappa() *big.Rat { return new(big.Rat).Sub(a.Pos, a.Neg) }

// Slope returns ρ'(z) for z ≠ 0 (ρ₊ for z > 0, ρ₋ for z < 0) and ρ₊ at z = 0.
func (a Activation) Slope(sign int) *big.Rat {
	if sign < 0 {
		return a.Neg
	}
	return a.Pos
}

// Apply returns ρ(z) as a new rational.
func (a Activation) Apply(z *big.Rat) *big.Rat {
	return new(big.Rat).Mul(a.Slope(z.Sign()), z)
}

// Dir returns the one-sided directional derivative ρ'(z; t): ρ'(z)·t for
// z ≠ 0 and ρ(t) for z = 0.
func (a Activation) Dir(z, t *big.Rat) *big.Rat {
	if z.Sign() == 0 {
		return a.Apply(t)
	}
	return new(big.Rat).Mul(a.Slope(z.Sign()), t)
}

// IsReLU reports whether ρ is the ReLU (ρ₊ = 1, ρ₋ = 0).
func (a Activation) IsReLU() bool { return a.Pos.Cmp(big.NewRat(1, 1)) == 0 && a.Neg.Sign() == 0 }

// String names the activation in the case-file syntax.
func (a Activation) String() string {
	one := big.NewRat(1, 1)
	switch {
	case a.Pos.Cmp(one) == 0 && a.Neg.Sign() == 0:
		return "relu"
	case a.Pos.Cmp(one) == 0 && a.Neg.Cmp(one) == 0:
		return "linear"
	case a.Pos.Cmp(one) == 0 && a.Neg.Cmp(big.NewRat(-1, 1)) == 0:
		return "abs"
	case a.Pos.Cmp(one) == 0:
		return "leaky:" + a.Neg.RatString()
	}
	return fmt.Sprintf("{pos: %s, neg: %s}", a.Pos.RatString(), a.Neg.RatString())
}

// Neuron is one hidden unit: input weight W ∈ Q^d and output weight A ∈ Q^k.
type Neuron struct {
	W exact.Vec `json:"w"`
	A exact.Vec `json:"a"`
}

// Clone returns a deep copy of the neuron.
func (nr Neuron) Clone() Neuron { return Neuron{W: nr.W.Clone(), A: nr.A.Clone()} }

// Point is a parameter point θ = (w_j, a_j)_{j<m} of a network with
// activation Act, together with the data set (x_i, y_i), i < n, it is
// trained on: x_i is row i of the n×d matrix X (it already includes the
// constant 1 of a bias when the case asks for one), y_i row i of the n×k
// matrix Y. The data are held compactly (exact.RatMat: 8 bytes per number
// of float-derived data); X.Row(i) and Y.Row(i) give them as vectors.
//
// OutputBias, when not nil, is a trainable output bias b ∈ Q^k: the network
// is f_θ(x) = Σ_j a_j ρ(w_j·x) + b and θ = (w_j, a_j, b) has k more
// parameters, so stationarity gains the condition Σ_i r_i = 0 (docs/theory.md,
// "Output bias"). A nil OutputBias is the network without an output bias.
// It computes the same function as b = 0 but is a different model: a
// non-nil b, even b = 0, is a parameter the landscape has a direction for.
type Point struct {
	Act        Activation
	X          *exact.RatMat
	Y          *exact.RatMat
	Neurons    []Neuron
	OutputBias exact.Vec
}

// HasOutputBias reports whether the network has a trainable output bias b.
func (p *Point) HasOutputBias() bool { return p.OutputBias != nil }

// PackWeights moves the numbers of the weights w_j, a_j and of the output
// bias into shared storage (exact.Pack): the same values in about half the
// memory, with one allocation instead of three per number. The vectors get
// new numbers; pointers to the old ones keep the old values.
func (p *Point) PackWeights() {
	vs := make([]exact.Vec, 0, 2*len(p.Neurons)+1)
	for _, nr := range p.Neurons {
		vs = append(vs, nr.W, nr.A)
	}
	if p.OutputBias != nil {
		vs = append(vs, p.OutputBias)
	}
	exact.Pack(vs)
}

// N returns the number of samples n.
func (p *Point) N() int { return p.X.Rows() }

// D returns the input dimension d (including a bias coordinate).
func (p *Point) D() int { return p.X.Cols() }

// K returns the output dimension k.
func (p *Point) K() int { return p.Y.Cols() }

// M returns the width m (number of neurons).
func (p *Point) M() int { return len(p.Neurons) }

// Clone returns a deep copy of the point.
func (p *Point) Clone() *Point {
	q := &Point{Act: Activation{new(big.Rat).Set(p.Act.Pos), new(big.Rat).Set(p.Act.Neg)}}
	q.X, q.Y = p.X.Clone(), p.Y.Clone()
	for _, nr := range p.Neurons {
		q.Neurons = append(q.Neurons, nr.Clone())
	}
	if p.OutputBias != nil {
		q.OutputBias = p.OutputBias.Clone()
	}
	return q
}

// Validate checks the shapes of p: n ≥ 1 samples, every input of length d ≥ 1,
// every target of length k ≥ 1, every neuron with len(W) = d and len(A) = k,
// and an output bias (when there is one) of length k. Errors name the field
// and index.
func (p *Point) Validate() error {
	if p.N() == 0 {
		return fmt.Errorf("inputs: no samples")
	}
	if p.Y.Rows() != p.N() {
		return fmt.Errorf("targets: %d rows for %d inputs", p.Y.Rows(), p.N())
	}
	d, k := p.D(), p.K()
	if d == 0 {
		return fmt.Errorf("inputs[0]: empty row")
	}
	if k == 0 {
		return fmt.Errorf("targets[0]: empty row")
	}
	for j, nr := range p.Neurons {
		if len(nr.W) != d {
			return fmt.Errorf("neurons[%d].w: length %d, want %d", j, len(nr.W), d)
		}
		if len(nr.A) != k {
			return fmt.Errorf("neurons[%d].a: length %d, want %d", j, len(nr.A), k)
		}
	}
	if p.OutputBias != nil {
		if len(p.OutputBias) != k {
			return fmt.Errorf("output_bias: length %d, want k = %d", len(p.OutputBias), k)
		}
		for l, b := range p.OutputBias {
			if b == nil {
				return fmt.Errorf("output_bias[%d]: nil entry", l)
			}
		}
	}
	if p.Act.Pos == nil || p.Act.Neg == nil {
		return fmt.Errorf("activation: missing slope")
	}
	return nil
}
