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

// TestAppendLineKeyDyadic: a vector with power-of-two denominators (keyed
// by shifts) and its multiples by ±2^s/3 (denominators 3·2^e: keyed by the
// lcm and the gcd) get the same key; changing one entry changes the key.
// Entries span 2^−300 … 2^200, with even numerators.
func TestAppendLineKeyDyadic(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for trial := 0; trial < 500; trial++ {
		d := 1 + rng.IntN(6)
		u := make(Vec, d)
		for i := range u {
			num := big.NewInt(rng.Int64N(1<<20) - 1<<19)
			if rng.IntN(4) == 0 {
				num.SetInt64(0)
			}
			num.Lsh(num, uint(rng.IntN(200)))
			u[i] = new(big.Rat).SetFrac(num, new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(300))))
		}
		if u.IsZero() {
			continue
		}
		s := new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(100))), big.NewInt(3))
		if rng.IntN(2) == 0 {
			s.Neg(s)
		}
		ku := string(u.AppendLineKey(nil))
		if kw := string(u.Scale(s).AppendLineKey(nil)); kw != ku {
			t.Fatalf("trial %d: u = %v and %v·u have different keys", trial, u, s)
		}
		if d > 1 {
			w := u.Clone()
			w[0] = new(big.Rat).Add(w[0], big.NewRat(1, 1<<20))
			if eu, _ := u.OnLine(); func() bool { ew, _ := w.OnLine(); return !eu.Equal(ew) }() &&
				string(w.AppendLineKey(nil)) == ku {
				t.Fatalf("trial %d: u = %v and w = %v: same key, not parallel", trial, u, w)
			}
		}
	}
}
