package verify

import (
	"math/big"

	"github.com/relucert/relucert/exact"
)

type exactVec = exact.Vec

// exactRatMatOf is exact.RatMatOf for the test files that do not import exact.
var exactRatMatOf = exact.RatMatOf

// vec builds an integer vector.
func vec(xs ...int64) exact.Vec { return exact.VecOf(xs...) }

// rvec builds a rational vector from "p/q" strings.
func rvec(ss ...string) exact.Vec {
	v := make(exact.Vec, len(ss))
	for i, s := range ss {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			panic("bad rational " + s)
		}
		v[i] = r
	}
	return v
}
