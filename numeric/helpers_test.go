package numeric

import (
	"math/big"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// rv parses exact numbers ("1/3", "1e-14") into a vector; it panics on bad
// input (test data only).
func rv(xs ...string) exact.Vec {
	v := make(exact.Vec, len(xs))
	for i, s := range xs {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			panic("bad number " + s)
		}
		v[i] = r
	}
	return v
}

// nrn is a neuron (w, a) for test points.
type nrn struct{ w, a []string }

// point builds a verify.Point from rows of exact numbers.
func point(t *testing.T, act verify.Activation, xs, ys [][]string, ns []nrn) *verify.Point {
	t.Helper()
	p := &verify.Point{Act: act}
	for _, x := range xs {
		p.X = p.X.AppendRow(rv(x...))
	}
	for _, y := range ys {
		p.Y = p.Y.AppendRow(rv(y...))
	}
	for _, n := range ns {
		p.Neurons = append(p.Neurons, verify.Neuron{W: rv(n.w...), A: rv(n.a...)})
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("test point invalid: %v", err)
	}
	return p
}

func leaky(s string) verify.Activation {
	r, _ := new(big.Rat).SetString(s)
	return verify.Leaky(r)
}

func rows(xs ...[]string) [][]string { return xs }
func row(xs ...string) []string      { return xs }
