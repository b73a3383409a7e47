package network

import (
	"math/big"

	"github.com/relucert/relucert/exact"
)

// Output returns f_θ(x) = Σ_j a_j ρ(w_j·x) + b ∈ Q^k (b = 0 when the
// network has no output bias).
func (p *Point) Output(x exact.Vec) exact.Vec {
	f := exact.NewVec(p.K())
	if p.OutputBias != nil {
		f = p.OutputBias.Clone()
	}
	for _, nr := range p.Neurons {
		f.AddScaled(p.Act.Apply(nr.W.Dot(x)), nr.A)
	}
	return f
}

// ShiftedTarget returns y_i − b (a new vector; y_i when there is no output
// bias), so that r_i = Σ_j a_j ρ(w_j·x_i) − (y_i − b).
func (p *Point) ShiftedTarget(i int) exact.Vec {
	y := p.Y.Row(i)
	if p.OutputBias == nil || p.OutputBias.IsZero() {
		return y
	}
	return y.Sub(p.OutputBias)
}

// ShiftedTargets returns y_i − b for every sample as new vectors.
func (p *Point) ShiftedTargets() []exact.Vec {
	ys := make([]exact.Vec, p.N())
	for i := range ys {
		ys[i] = p.ShiftedTarget(i)
	}
	return ys
}

// Add returns θ + Δ as a new point on the same data (with the same output
// bias; see AddBias).
func (p *Point) Add(delta Direction) *Point {
	q := &Point{Act: p.Act, X: p.X, Y: p.Y, Neurons: make([]Neuron, len(p.Neurons)), OutputBias: p.OutputBias}
	for j, nr := range p.Neurons {
		q.Neurons[j] = Neuron{W: nr.W.Add(delta[j].W), A: nr.A.Add(delta[j].A)}
	}
	return q
}

// AddBias returns the point with output bias b + db, sharing everything
// else with p (db = nil returns p; p must have an output bias otherwise).
func (p *Point) AddBias(db exact.Vec) *Point {
	if db == nil {
		return p
	}
	q := *p
	q.OutputBias = p.OutputBias.Add(db)
	return &q
}

// ZeroDirection returns Δ = 0 with the shapes of p's neurons.
func (p *Point) ZeroDirection() Direction {
	d := make(Direction, p.M())
	for j := range d {
		d[j] = Neuron{W: exact.NewVec(p.D()), A: exact.NewVec(p.K())}
	}
	return d
}

// Direction is a perturbation Δ = (δw_j, δa_j)_j of a point, one entry per
// neuron, with the shapes of the point's neurons.
type Direction []Neuron

// Scale returns c·Δ.
func (d Direction) Scale(c *big.Rat) Direction {
	e := make(Direction, len(d))
	for j, nr := range d {
		e[j] = Neuron{W: nr.W.Scale(c), A: nr.A.Scale(c)}
	}
	return e
}
