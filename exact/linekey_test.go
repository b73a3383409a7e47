package exact

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestAppendLineKey: equal keys iff the vectors are parallel, decided by
// the definition (OnLine's representatives are equal), on random rational
// vectors and their rational multiples of either sign.
func TestAppendLineKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	randVec := func(d int) Vec {
		v := make(Vec, d)
		for i := range v {
			v[i] = big.NewRat(int64(rng.IntN(7)-3), int64(1+rng.IntN(5)))
		}
		return v
	}
	for trial := 0; trial < 2000; trial++ {
		d := 1 + rng.IntN(4)
		u := randVec(d)
		if u.IsZero() {
			continue
		}
		w := u.Scale(big.NewRat(int64(rng.IntN(11)-5), int64(1+rng.IntN(9))))
		if rng.IntN(2) == 0 {
			w = randVec(d)
		}
		if w.IsZero() {
			continue
		}
		eu, _ := u.OnLine()
		ew, _ := w.OnLine()
		same := string(u.AppendLineKey(nil)) == string(w.AppendLineKey(nil))
		if same != eu.Equal(ew) {
			t.Fatalf("u = %v, w = %v: same key %v, parallel %v", u, w, same, eu.Equal(ew))
		}
	}
}
