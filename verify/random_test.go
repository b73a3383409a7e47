package verify

import (
	"math/big"
	"math/rand/v2"

	"github.com/relucert/relucert/exact"
)

// randRat returns a small random rational p/q with |p| ≤ lim, 1 ≤ q ≤ 3.
func randRat(rng *rand.Rand, lim int64) *big.Rat {
	return big.NewRat(rng.Int64N(2*lim+1)-lim, rng.Int64N(3)+1)
}

func randVec(rng *rand.Rand, d int, lim int64) exact.Vec {
	v := make(exact.Vec, d)
	for i := range v {
		v[i] = randRat(rng, lim)
	}
	return v
}

// perp returns a nonzero rational vector orthogonal to w (d ≥ 2), a random
// combination of a basis of w^⊥.
func perp(rng *rand.Rand, w exact.Vec) exact.Vec {
	basis := exact.Nullspace(exact.Mat{w}, len(w))
	for {
		u := exact.NewVec(len(w))
		for _, b := range basis {
			u.AddScaled(randRat(rng, 3), b)
		}
		if !u.IsZero() {
			return u
		}
	}
}

var testActivations = []Activation{
	ReLU(), Leaky(big.NewRat(1, 10)), Abs(), Linear(),
	{Pos: big.NewRat(2, 1), Neg: big.NewRat(1, 3)},
	{Pos: big.NewRat(-1, 2), Neg: big.NewRat(1, 1)},
}

// randomPoint draws a small instance with boundary samples planted: some
// inputs are chosen orthogonal to some neurons' input weights, some neurons
// are zero or have a zero output weight, and some inputs are zero.
func randomPoint(rng *rand.Rand) *Point {
	d := 2 + rng.IntN(2)
	n := 3 + rng.IntN(5)
	m := 1 + rng.IntN(3)
	k := 1 + rng.IntN(2)
	p := &Point{Act: testActivations[rng.IntN(len(testActivations))]}
	for j := 0; j < m; j++ {
		nr := Neuron{W: randVec(rng, d, 3), A: randVec(rng, k, 3)}
		switch rng.IntN(6) {
		case 0:
			nr.A = exact.NewVec(k)
		case 1:
			nr.W, nr.A = exact.NewVec(d), exact.NewVec(k)
		}
		p.Neurons = append(p.Neurons, nr)
	}
	for i := 0; i < n; i++ {
		x := randVec(rng, d, 4)
		switch c := rng.IntN(10); {
		case c < 4:
			w := p.Neurons[rng.IntN(m)].W
			if !w.IsZero() {
				x = perp(rng, w)
			}
		case c == 4:
			x = exact.NewVec(d)
		}
		p.X = append(p.X, x)
		p.Y = append(p.Y, randVec(rng, k, 3))
	}
	return p
}

// randomDirection draws a small perturbation with the shapes of p.
func randomDirection(rng *rand.Rand, p *Point) Direction {
	d := p.ZeroDirection()
	for j := range d {
		d[j].W = randVec(rng, p.D(), 2)
		d[j].A = randVec(rng, p.K(), 2)
	}
	return d
}
