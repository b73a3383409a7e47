package verify

import (
	"math/big"
	"math/rand/v2"

	"github.com/relucert/relucert/exact"
	nt "github.com/relucert/relucert/network/networktest"
)

// The random points of the tests are those of package networktest.

func randRat(rng *rand.Rand, lim int64) *big.Rat { return nt.RandRat(rng, lim) }

func randVec(rng *rand.Rand, d int, lim int64) exact.Vec { return nt.RandVec(rng, d, lim) }

func perp(rng *rand.Rand, w exact.Vec) exact.Vec { return nt.Perp(rng, w) }

var testActivations = nt.Activations

func randomPoint(rng *rand.Rand) *Point { return nt.RandomPoint(rng) }

// randomDirection draws a small perturbation with the shapes of p.
func randomDirection(rng *rand.Rand, p *Point) Direction {
	d := p.ZeroDirection()
	for j := range d {
		d[j].W = randVec(rng, p.D(), 2)
		d[j].A = randVec(rng, p.K(), 2)
	}
	return d
}
