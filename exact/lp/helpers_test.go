package lp

import (
	"math/big"
	"math/rand/v2"

	"github.com/relucert/relucert/exact"
)

// randRat returns a small random rational, zero with probability about pz/10.
func randRat(rng *rand.Rand, pz int) *big.Rat {
	if rng.IntN(10) < pz {
		return new(big.Rat)
	}
	num := rng.Int64N(9) - 4
	den := int64(1)
	if rng.IntN(3) == 0 {
		den = rng.Int64N(4) + 1
	}
	return big.NewRat(num, den)
}

func randVec(rng *rand.Rand, n, pz int) exact.Vec {
	v := make(exact.Vec, n)
	for i := range v {
		v[i] = randRat(rng, pz)
	}
	return v
}

func randMat(rng *rand.Rand, r, c, pz int) exact.Mat {
	m := make(exact.Mat, r)
	for i := range m {
		m[i] = randVec(rng, c, pz)
	}
	return m
}

func matOf(rows ...[]int64) exact.Mat {
	m := make(exact.Mat, len(rows))
	for i, r := range rows {
		m[i] = exact.VecOf(r...)
	}
	return m
}
