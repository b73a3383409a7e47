package verify

import (
	"math/big"
	"testing"

	"github.com/relucert/relucert/exact"
)

// pointFromBytes decodes a small instance from fuzz input: the first bytes
// choose the shape and activation, the rest are small signed integers
// (entries in −4…3 over a denominator 1 or 2), with a bias towards zeros and
// towards inputs on neurons' hyperplanes so that non-differentiable points
// are common. It returns nil when the input is too short.
func pointFromBytes(b []byte) *Point {
	if len(b) < 4 {
		return nil
	}
	d := 1 + int(b[0]%3)
	n := 1 + int(b[1]%6)
	m := int(b[2] % 4)
	k := 1 + int(b[3]%2)
	acts := []Activation{ReLU(), Leaky(big.NewRat(1, 4)), Abs(), Linear(), {Pos: big.NewRat(2, 1), Neg: big.NewRat(-1, 2)}}
	p := &Point{Act: acts[int(b[0]/3)%len(acts)]}
	b = b[4:]
	next := func() *big.Rat {
		if len(b) == 0 {
			return new(big.Rat)
		}
		c := b[0]
		b = b[1:]
		num := int64(c%8) - 4
		if c&0x80 != 0 {
			return big.NewRat(num, 2)
		}
		return big.NewRat(num, 1)
	}
	vec := func(l int) exact.Vec {
		v := make(exact.Vec, l)
		for i := range v {
			v[i] = next()
		}
		return v
	}
	for j := 0; j < m; j++ {
		p.Neurons = append(p.Neurons, Neuron{W: vec(d), A: vec(k)})
	}
	for i := 0; i < n; i++ {
		x := vec(d)
		// Every third input with d = 2 is put on a neuron's hyperplane.
		if d == 2 && m > 0 && i%3 == 0 {
			w := p.Neurons[i%m].W
			x = exact.Vec{new(big.Rat).Neg(w[1]), new(big.Rat).Set(w[0])}
		}
		p.X = p.X.AppendRow(x)
		p.Y = p.Y.AppendRow(vec(k))
	}
	return p
}

// FuzzCheck runs Check on small instances decoded from the fuzz input: it
// must not panic or fail internally, and every certificate must pass
// Recheck. The seed corpus is in testdata/fuzz/FuzzCheck.
func FuzzCheck(f *testing.F) {
	f.Add([]byte{1, 3, 1, 0, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{2, 5, 2, 1, 0x84, 4, 4, 3, 2, 1, 0, 0x81, 7, 6, 5, 4, 3, 2, 1, 0, 9, 9})
	f.Add([]byte{0, 0, 3, 0, 4, 4, 4, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := pointFromBytes(b)
		if p == nil {
			return
		}
		v, err := Check(p, Options{MaxCells: 2000, MaxPivots: 5000})
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		if err := Recheck(p, v); err != nil {
			t.Fatalf("%v verdict fails Recheck: %v", v.Kind, err)
		}
	})
}
