package verify

import (
	"math/big"

	"github.com/relucert/relucert/exact"
)

// ResidualsOf returns r_i = f_θ(x_i) − y_i for every sample of p, evaluated
// exactly by the engine of fast.go (common-denominator integers, filtered
// signs with exact fallback).
func ResidualsOf(p *Point) []exact.Vec { return newEngine(p).residualList() }

// Loss returns L(θ) = (1/2n) Σ_i |f_θ(x_i) − y_i|² of p, evaluated exactly
// from the definition of the network (the residuals of ResidualsOf, summed
// in integers over their common denominator).
func Loss(p *Point) *big.Rat { return newEngine(p).loss() }
