package exact

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestSpanCoordinates checks SpanCoordinates against Rank (rref over
// big.Rat, an independent elimination) on random matrices with planted
// dependencies: |R| = rank, the columns R alone keep the rank, R is
// ascending, and v ∈ span exactly when appending it keeps the rank.
func TestSpanCoordinates(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	num := func() *big.Rat {
		if rng.IntN(3) == 0 {
			return new(big.Rat)
		}
		return big.NewRat(rng.Int64N(19)-9, rng.Int64N(5)+1)
	}
	for trial := 0; trial < 400; trial++ {
		d, q := 1+rng.IntN(7), rng.IntN(6)
		vs := make([]Vec, 0, q)
		for i := 0; i < q; i++ {
			x := NewVec(d)
			if i >= 2 && rng.IntN(3) == 0 {
				// A combination of two earlier rows.
				x.AddScaled(num(), vs[rng.IntN(i)]).AddScaled(num(), vs[rng.IntN(i)])
			} else {
				for c := range x {
					x[c] = num()
				}
			}
			vs = append(vs, x)
		}
		// Zero out a random column of everything now and then.
		if d > 1 && rng.IntN(2) == 0 {
			c := rng.IntN(d)
			for _, x := range vs {
				x[c] = new(big.Rat)
			}
		}
		v := NewVec(d)
		if q > 0 && rng.IntN(2) == 0 {
			for _, x := range vs {
				v.AddScaled(num(), x)
			}
		} else {
			for c := range v {
				v[c] = num()
			}
		}
		R, in := SpanCoordinates(vs, d, v)
		rank := Rank(Mat(vs))
		if len(R) != rank {
			t.Fatalf("%v: |R| = %d, rank %d", vs, len(R), rank)
		}
		for i := 1; i < len(R); i++ {
			if R[i] <= R[i-1] {
				t.Fatalf("R = %v not ascending", R)
			}
		}
		sub := make(Mat, len(vs))
		for i, x := range vs {
			for _, c := range R {
				sub[i] = append(sub[i], x[c])
			}
		}
		if len(R) > 0 && Rank(sub) != rank {
			t.Fatalf("%v: columns %v have rank %d, want %d", vs, R, Rank(sub), rank)
		}
		want := Rank(append(Mat{v}, vs...)) == rank
		if in != want {
			t.Fatalf("%v, v = %v: inSpan %v, want %v", vs, v, in, want)
		}
		if _, in := SpanCoordinates(vs, d, nil); !in {
			t.Fatal("nil v must be in the span")
		}
	}
}
