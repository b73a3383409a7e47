// Package networktest draws random points for tests and evaluates the
// quantities of docs/theory.md §1 straight from their definitions in
// big.Rat, as the independent reference the fast engines are compared with.
package networktest

import (
	"math/big"
	"math/rand/v2"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// RandRat returns a small random rational p/q with |p| ≤ lim, 1 ≤ q ≤ 3.
func RandRat(rng *rand.Rand, lim int64) *big.Rat {
	return big.NewRat(rng.Int64N(2*lim+1)-lim, rng.Int64N(3)+1)
}

// RandVec returns a vector of d RandRat entries.
func RandVec(rng *rand.Rand, d int, lim int64) exact.Vec {
	v := make(exact.Vec, d)
	for i := range v {
		v[i] = RandRat(rng, lim)
	}
	return v
}

// Perp returns a nonzero rational vector orthogonal to w (d ≥ 2), a random
// combination of a basis of w^⊥.
func Perp(rng *rand.Rand, w exact.Vec) exact.Vec {
	basis := exact.Nullspace(exact.Mat{w}, len(w))
	for {
		u := exact.NewVec(len(w))
		for _, b := range basis {
			u.AddScaled(RandRat(rng, 3), b)
		}
		if !u.IsZero() {
			return u
		}
	}
}

// Activations are the activations random points draw from: ReLU, leaky
// ReLU, absolute value, linear, and two general slope pairs.
var Activations = []network.Activation{
	network.ReLU(), network.Leaky(big.NewRat(1, 10)), network.Abs(), network.Linear(),
	{Pos: big.NewRat(2, 1), Neg: big.NewRat(1, 3)},
	{Pos: big.NewRat(-1, 2), Neg: big.NewRat(1, 1)},
}

// RandomPoint draws a small instance with boundary samples planted: some
// inputs are chosen orthogonal to some neurons' input weights, some neurons
// are zero or have a zero output weight, and some inputs are zero.
func RandomPoint(rng *rand.Rand) *network.Point {
	d := 2 + rng.IntN(2)
	n := 3 + rng.IntN(5)
	m := 1 + rng.IntN(3)
	k := 1 + rng.IntN(2)
	p := &network.Point{Act: Activations[rng.IntN(len(Activations))]}
	for j := 0; j < m; j++ {
		nr := network.Neuron{W: RandVec(rng, d, 3), A: RandVec(rng, k, 3)}
		switch rng.IntN(6) {
		case 0:
			nr.A = exact.NewVec(k)
		case 1:
			nr.W, nr.A = exact.NewVec(d), exact.NewVec(k)
		}
		p.Neurons = append(p.Neurons, nr)
	}
	for i := 0; i < n; i++ {
		x := RandVec(rng, d, 4)
		switch c := rng.IntN(10); {
		case c < 4:
			w := p.Neurons[rng.IntN(m)].W
			if !w.IsZero() {
				x = Perp(rng, w)
			}
		case c == 4:
			x = exact.NewVec(d)
		}
		p.X = p.X.AppendRow(x)
		p.Y = p.Y.AppendRow(RandVec(rng, k, 3))
	}
	return p
}

// FloatPoint draws a point with float-derived (dyadic) numbers, including
// tiny and huge magnitudes, planted boundary samples and zero neurons.
func FloatPoint(rng *rand.Rand, n, d, m, k int) *network.Point {
	fl := func() *big.Rat {
		v := rng.NormFloat64()
		switch rng.IntN(20) {
		case 0:
			v *= 1e-30
		case 1:
			v *= 1e40
		case 2:
			v = 0
		}
		return new(big.Rat).SetFloat64(v)
	}
	vec := func(l int) exact.Vec {
		v := make(exact.Vec, l)
		for i := range v {
			v[i] = fl()
		}
		return v
	}
	p := &network.Point{Act: Activations[rng.IntN(len(Activations))]}
	for j := 0; j < m; j++ {
		nr := network.Neuron{W: vec(d), A: vec(k)}
		if rng.IntN(5) == 0 {
			nr.W = exact.NewVec(d)
		}
		p.Neurons = append(p.Neurons, nr)
	}
	for i := 0; i < n; i++ {
		x := vec(d)
		if rng.IntN(4) == 0 && d >= 2 {
			x = Orthogonal(rng, p.Neurons[rng.IntN(m)].W)
		}
		p.X = p.X.AppendRow(x)
		p.Y = p.Y.AppendRow(vec(k))
	}
	return p
}

// Residuals evaluates r_i = Σ_j a_j ρ(w_j·x_i) + b − y_i from the
// definition.
func Residuals(p *network.Point) []exact.Vec {
	r := make([]exact.Vec, p.N())
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		r[i] = p.Output(x).Sub(p.Y.Row(i))
	}
	return r
}

// G returns the output-weight gradient G_j = (1/n) Σ_i r_i ρ(w_j·x_i).
func G(p *network.Point, r []exact.Vec, j int) exact.Vec {
	g := exact.NewVec(p.K())
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		g.AddScaled(p.Act.Apply(p.Neurons[j].W.Dot(x)), r[i])
	}
	return g.Scale(big.NewRat(1, int64(p.N())))
}

// Q returns the response Q_j(u) = Σ_i r_i ρ'(w_j·x_i; x_i·u).
func Q(p *network.Point, r []exact.Vec, j int, u exact.Vec) exact.Vec {
	q := exact.NewVec(p.K())
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		q.AddScaled(p.Act.Dir(p.Neurons[j].W.Dot(x), x.Dot(u)), r[i])
	}
	return q
}

// E1 returns the k×d matrix Σ_{P_j} ρ₊ r_i x_iᵀ + Σ_{N_j} ρ₋ r_i x_iᵀ +
// ((ρ₊+ρ₋)/2) Σ_{Z_j} r_i x_iᵀ.
func E1(p *network.Point, r []exact.Vec, j int) exact.Mat {
	M := exact.NewMat(p.K(), p.D())
	mid := new(big.Rat).Add(p.Act.Pos, p.Act.Neg)
	mid.Quo(mid, big.NewRat(2, 1))
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		c := mid
		switch p.Neurons[j].W.Dot(x).Sign() {
		case 1:
			c = p.Act.Pos
		case -1:
			c = p.Act.Neg
		}
		for l := range M {
			M[l].AddScaled(new(big.Rat).Mul(c, r[i][l]), x)
		}
	}
	return M
}

// V returns the (S2) vector v = Σ_{P_j} ρ₊ c_i x_i + Σ_{N_j} ρ₋ c_i x_i +
// ρ₋ Σ_{Z_j} c_i x_i with c_i = a_j·r_i.
func V(p *network.Point, r []exact.Vec, j int) exact.Vec {
	v := exact.NewVec(p.D())
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		slope := p.Act.Neg // N_j and Z_j
		if p.Neurons[j].W.Dot(x).Sign() > 0 {
			slope = p.Act.Pos
		}
		c := p.Neurons[j].A.Dot(r[i])
		v.AddScaled(c.Mul(c, slope), x)
	}
	return v
}

// Orthogonal returns a point x with w·x = 0 (len(w) ≥ 2): x_a = w_b,
// x_b = −w_a for a random pair of coordinates a ≠ b, 0 elsewhere — a
// sample on the boundary of a neuron with input weights w.
func Orthogonal(rng *rand.Rand, w exact.Vec) exact.Vec {
	d := len(w)
	a, b := rng.IntN(d), rng.IntN(d-1)
	if b >= a {
		b++
	}
	x := exact.NewVec(d)
	x[a].Set(w[b])
	x[b].Neg(w[a])
	return x
}
