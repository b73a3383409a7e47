package verify

import (
	"math/big"

	"relucert/exact"
)

// Pattern is the activation pattern of a point: for neuron j and sample i,
// Pre[j][i] = w_j·x_i and Sign[j][i] its sign, so sample i is in P_j (+1),
// N_j (−1) or Z_j (0). Zero samples (x_i = 0) lie in every Z_j and are
// flagged in ZeroX; they take part in no G_j, Q_j or φ_j.
type Pattern struct {
	Pre   [][]*big.Rat
	Sign  [][]int8
	ZeroX []bool
}

// PatternOf computes the activation pattern of p.
func PatternOf(p *Point) *Pattern {
	pt := &Pattern{
		Pre:   make([][]*big.Rat, p.M()),
		Sign:  make([][]int8, p.M()),
		ZeroX: make([]bool, p.N()),
	}
	for i, x := range p.X {
		pt.ZeroX[i] = x.IsZero()
	}
	for j, nr := range p.Neurons {
		pt.Pre[j] = make([]*big.Rat, p.N())
		pt.Sign[j] = make([]int8, p.N())
		for i, x := range p.X {
			z := nr.W.Dot(x)
			pt.Pre[j][i] = z
			pt.Sign[j][i] = int8(z.Sign())
		}
	}
	return pt
}

// Boundary returns Z_j without the zero samples: the nonzero samples on the
// hyperplane orthogonal to w_j.
func (pt *Pattern) Boundary(j int) []int {
	var z []int
	for i, s := range pt.Sign[j] {
		if s == 0 && !pt.ZeroX[i] {
			z = append(z, i)
		}
	}
	return z
}

// Kind classifies neuron j of p (DESIGN §1), the first kind that applies.
func (pt *Pattern) Kind(p *Point, j int) NeuronKind {
	nr := p.Neurons[j]
	wz, az := nr.W.IsZero(), nr.A.IsZero()
	switch {
	case wz && az:
		return ZeroNeuron
	case az:
		return ZeroOutput
	case wz:
		return ZeroInput
	}
	if p.Act.Neg.Sign() == 0 {
		dead := true
		for i, s := range pt.Sign[j] {
			if !pt.ZeroX[i] && s >= 0 {
				dead = false
				break
			}
		}
		if dead {
			return Dead
		}
	}
	if len(pt.Boundary(j)) > 0 {
		return NonDifferentiable
	}
	return Alive
}

// state is what every test of the theory needs at θ: the point, its
// pattern, residuals and n as a rational.
type state struct {
	p   *Point
	pt  *Pattern
	r   []exact.Vec
	n   *big.Rat
	rho Activation
}

func newState(p *Point) *state {
	return &state{p: p, pt: PatternOf(p), r: p.Residuals(), n: big.NewRat(int64(p.N()), 1), rho: p.Act}
}
