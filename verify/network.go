package verify

import (
	"math/big"

	"github.com/relucert/relucert/exact"
)

// Output returns f_θ(x) = Σ_j a_j ρ(w_j·x) ∈ Q^k.
func (p *Point) Output(x exact.Vec) exact.Vec {
	f := exact.NewVec(p.K())
	for _, nr := range p.Neurons {
		f.AddScaled(p.Act.Apply(nr.W.Dot(x)), nr.A)
	}
	return f
}

// Residuals returns r_i = f_θ(x_i) − y_i for every sample, evaluated
// exactly by the engine of fast.go (common-denominator integers, filtered
// signs with exact fallback).
func (p *Point) Residuals() []exact.Vec { return newEngine(p).r }

// Loss returns L(θ) = (1/2n) Σ_i |f_θ(x_i) − y_i|², evaluated exactly from
// the definition of the network (the residuals of Residuals, summed in
// integers over their common denominator).
func (p *Point) Loss() *big.Rat { return newEngine(p).loss() }

// Add returns θ + Δ as a new point on the same data.
func (p *Point) Add(delta Direction) *Point {
	q := &Point{Act: p.Act, X: p.X, Y: p.Y, Neurons: make([]Neuron, len(p.Neurons))}
	for j, nr := range p.Neurons {
		q.Neurons[j] = Neuron{W: nr.W.Add(delta[j].W), A: nr.A.Add(delta[j].A)}
	}
	return q
}

// ZeroDirection returns Δ = 0 with the shapes of p's neurons.
func (p *Point) ZeroDirection() Direction {
	d := make(Direction, p.M())
	for j := range d {
		d[j] = Neuron{W: exact.NewVec(p.D()), A: exact.NewVec(p.K())}
	}
	return d
}

// Scale returns c·Δ.
func (d Direction) Scale(c *big.Rat) Direction {
	e := make(Direction, len(d))
	for j, nr := range d {
		e[j] = Neuron{W: nr.W.Scale(c), A: nr.A.Scale(c)}
	}
	return e
}
