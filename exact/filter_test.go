package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// nearZeroPair builds vectors whose exact inner product is zero or tiny
// compared with its terms: b is chosen so that a·b cancels up to one last
// term of the given relative size (possibly exactly zero).
func nearZeroPair(rng *rand.Rand, d int, rel float64) (Vec, Vec) {
	a, b := make(Vec, d), make(Vec, d)
	for i := range a {
		a[i] = new(big.Rat).SetFloat64(rng.NormFloat64() * math.Ldexp(1, rng.IntN(40)-20))
		b[i] = new(big.Rat).SetFloat64(rng.NormFloat64() * math.Ldexp(1, rng.IntN(40)-20))
	}
	// Make a·b = rel·|a||b| (exactly 0 when rel = 0) by adjusting the last
	// entry of b in exact arithmetic, then perturb by rel.
	s := new(big.Rat)
	for i := 0; i < d-1; i++ {
		s.Add(s, new(big.Rat).Mul(a[i], b[i]))
	}
	if a[d-1].Sign() == 0 {
		a[d-1].SetInt64(1)
	}
	last := new(big.Rat).Quo(s, a[d-1])
	last.Neg(last)
	last.Add(last, new(big.Rat).SetFloat64(rel))
	b[d-1] = last
	return a, b
}

func TestDotSignAgainstExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	decided, total := 0, 0
	for trial := 0; trial < 6000; trial++ {
		d := 1 + rng.IntN(20)
		var a, b Vec
		switch trial % 4 {
		case 0:
			a, b = randVec(rng, d, 3), randVec(rng, d, 3)
		case 1:
			a, b = nearZeroPair(rng, d, 0)
		case 2:
			a, b = nearZeroPair(rng, d, math.Ldexp(rng.Float64(), -rng.IntN(120)))
		default:
			a, b = nearZeroPair(rng, d, -math.Ldexp(rng.Float64(), -rng.IntN(60)))
		}
		want := a.Dot(b).Sign()
		total++
		s, ok := DotSign(ToFloatVec(a), ToFloatVec(b))
		if !ok {
			continue
		}
		decided++
		if s != want {
			t.Fatalf("trial %d: DotSign = %d, exact sign %d for a = %v, b = %v", trial, s, want, a, b)
		}
	}
	t.Logf("filter decided %d of %d", decided, total)
	if decided < total/4 {
		t.Errorf("filter decided only %d of %d", decided, total)
	}
}

func TestDotSignRejectsOutOfRange(t *testing.T) {
	tiny := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 2000))
	if ToFloatVec(Vec{tiny}).OK {
		t.Errorf("2^-2000 accepted")
	}
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 600))
	if ToFloatVec(Vec{huge}).OK {
		t.Errorf("2^600 accepted")
	}
	if _, ok := DotSign(ToFloatVec(Vec{huge}), ToFloatVec(Vec{tiny})); ok {
		t.Errorf("decided with out-of-range entries")
	}
	// An exactly zero product is decided.
	if s, ok := DotSign(ToFloatVec(VecOf(0, 3)), ToFloatVec(VecOf(5, 0))); !ok || s != 0 {
		t.Errorf("zero products: %d %v", s, ok)
	}
}

func TestSignMatrixAgainstExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	d := 6
	var w, x []Vec
	for j := 0; j < 8; j++ {
		w = append(w, randVec(rng, d, 3))
	}
	w = append(w, NewVec(d))
	for i := 0; i < 40; i++ {
		a, b := nearZeroPair(rng, d, 0)
		if i%3 == 0 {
			w = append(w, a)
		}
		x = append(x, b, randVec(rng, d, 2))
	}
	wf, xf := make([]FloatVec, len(w)), make([]FloatVec, len(x))
	for j := range w {
		wf[j] = ToFloatVec(w[j])
	}
	for i := range x {
		xf[i] = ToFloatVec(x[i])
	}
	out := make([][]int8, len(w))
	for j := range out {
		out[j] = make([]int8, len(x))
		for i := range out[j] {
			out[j][i] = 7
		}
	}
	und := SignMatrix(wf, xf, out)
	isUnd := map[[2]int]bool{}
	for _, u := range und {
		isUnd[u] = true
	}
	for j := range w {
		for i := range x {
			if isUnd[[2]int{j, i}] {
				continue
			}
			if int(out[j][i]) != w[j].Dot(x[i]).Sign() {
				t.Fatalf("(%d, %d): %d, exact %d", j, i, out[j][i], w[j].Dot(x[i]).Sign())
			}
		}
	}
}

func TestToFloat64Nearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 20000; trial++ {
		var x *big.Rat
		switch trial % 3 {
		case 0:
			x = new(big.Rat).SetFloat64(rng.NormFloat64() * math.Ldexp(1, rng.IntN(200)-100))
		case 1:
			x = big.NewRat(rng.Int64N(1<<62)-1<<61, 1+rng.Int64N(1<<40))
		default:
			x = new(big.Rat).SetFrac(big.NewInt(rng.Int64N(1<<53)), new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(1100))))
		}
		want, _ := x.Float64()
		got, _ := ToFloat64(x)
		if got != want {
			t.Fatalf("ToFloat64(%s) = %g, want %g", x.RatString(), got, want)
		}
	}
}

// TestFloatVecOf: on vectors of float64s (normals, zeros, and entries
// outside the filter's range [2⁻⁵⁰⁰, 2⁵⁰⁰]) FloatVecOf gives the image
// ToFloatVec gives for the same numbers as rationals: the same F, OK and
// Norm.
func TestFloatVecOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	special := []float64{0, math.Ldexp(1, -600), -math.Ldexp(3, 700), math.Ldexp(1, -500), math.Ldexp(1, 500)}
	oks := map[bool]int{}
	for trial := 0; trial < 200; trial++ {
		f := make([]float64, 1+rng.IntN(6))
		v := make(Vec, len(f))
		for i := range f {
			f[i] = rng.NormFloat64()
			if rng.IntN(4) == 0 {
				f[i] = special[rng.IntN(len(special))]
			}
			v[i] = new(big.Rat).SetFloat64(f[i])
		}
		got, want := FloatVecOf(f), ToFloatVec(v)
		if !slices.Equal(got.F, want.F) || got.OK != want.OK || got.Norm != want.Norm {
			t.Fatalf("trial %d: FloatVecOf(%v) = %+v, ToFloatVec %+v", trial, f, got, want)
		}
		oks[got.OK]++
	}
	if oks[true] == 0 || oks[false] == 0 {
		t.Fatalf("OK outcomes %v: both must occur", oks)
	}
}
