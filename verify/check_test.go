package verify

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestCheckRandomRecheck runs Check on random small instances and requires
// every certificate to pass Recheck.
func TestCheckRandomRecheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	count := map[VerdictKind]int{}
	for trial := 0; trial < 300; trial++ {
		p := randomPoint(rng)
		if rng.IntN(2) == 0 {
			// Make the point more often stationary: targets = outputs.
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				p.Y.SetRow(i, p.Output(x))
				if rng.IntN(3) == 0 {
					p.Y.Set(i, 0, new(big.Rat).Add(p.Y.At(i, 0), big.NewRat(1, 1)))
				}
			}
		}
		v, err := Check(p, Options{})
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		count[v.Kind]++
		if err := Recheck(p, v); err != nil {
			t.Fatalf("trial %d: %v verdict fails Recheck: %v", trial, v.Kind, err)
		}
	}
	t.Logf("verdicts: %v", count)
	for _, k := range []VerdictKind{NotStationary, Saddle, GlobalMin} {
		if count[k] == 0 {
			t.Errorf("no %v verdict among random instances", k)
		}
	}
}
