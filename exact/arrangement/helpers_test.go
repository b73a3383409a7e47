package arrangement

import (
	"math/big"
	"math/rand/v2"

	"github.com/relucert/relucert/exact"
)

// randVec returns a vector of small random rationals, each zero with
// probability about pz/10.
func randVec(rng *rand.Rand, n, pz int) exact.Vec {
	v := make(exact.Vec, n)
	for i := range v {
		if rng.IntN(10) < pz {
			v[i] = new(big.Rat)
			continue
		}
		den := int64(1)
		if rng.IntN(3) == 0 {
			den = rng.Int64N(4) + 1
		}
		v[i] = big.NewRat(rng.Int64N(9)-4, den)
	}
	return v
}
