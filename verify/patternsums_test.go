package verify

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
	nt "github.com/relucert/relucert/network/networktest"
)

// patternPoint draws a point with float data whose images fit in a word
// (the pattern pass's domain): inputs of 8 to 40 bits scaled by 2^0…2^4,
// weights and targets of a few bits (so that r̄ is one word), zeros, zero
// rows, zero neurons and samples planted on a neuron's boundary; with
// wideWeights set, weights and targets are standard normals (of 53 bits:
// Ā_j ⊗ W̄_j then takes two words, r̄ more than one); with extreme set,
// the inputs are ±(2 − 2^−52)·2^3 and ±2^(3−63), so that
// the largest |X̄_ic| is (2^53 − 1)·2^11, of 64 bits, the most a word
// holds.
func patternPoint(rng *rand.Rand, n, d, m, k int, extreme, wideWeights bool) *Point {
	fl := func(wide bool) *big.Rat {
		v := float64(rng.IntN(33)-16) / 16
		if wideWeights && !wide {
			v = rng.NormFloat64()
		}
		if wide {
			s := 8 + rng.IntN(33)
			v = math.Ldexp(math.Round(math.Ldexp(rng.NormFloat64(), s)), rng.IntN(5)-s)
		}
		if wide && extreme {
			v = math.Ldexp(2-math.Ldexp(1, -52), 3)
			if rng.IntN(2) == 0 {
				v = math.Ldexp(1, 3-63)
			}
			if rng.IntN(2) == 0 {
				v = -v
			}
		}
		if rng.IntN(12) == 0 {
			v = 0
		}
		return new(big.Rat).SetFloat64(v)
	}
	vec := func(l int, wide bool) exact.Vec {
		v := make(exact.Vec, l)
		for i := range v {
			v[i] = fl(wide)
		}
		return v
	}
	p := &Point{Act: nt.Activations[rng.IntN(len(nt.Activations))]}
	for range m {
		nr := network.Neuron{W: vec(d, false), A: vec(k, false)}
		if rng.IntN(6) == 0 {
			nr.W = exact.NewVec(d)
		}
		p.Neurons = append(p.Neurons, nr)
	}
	for range n {
		x := vec(d, true)
		switch r := rng.IntN(8); {
		case r == 0:
			x = exact.NewVec(d)
		case r <= 2 && d >= 2:
			x = nt.Orthogonal(rng, p.Neurons[rng.IntN(m)].W)
		}
		p.X = p.X.AppendRow(x)
		p.Y = p.Y.AppendRow(vec(k, false))
	}
	return p
}

// TestPatternSums checks the residuals (the pattern path of the residual
// pass included) against their definition, and the pattern pass against
// direct big.Int sums
// S⁺_j = Σ_{i : w_j·x_i > 0} r̄_i ⊗ X̄_i (signs by big.Rat dot products,
// X̄_ic = x_ic·2^xE by big.Float, r̄ the engine's) and the total, for
// neuron ranges j0..j1 of 1 to 64 neurons (one and several chunks of 1 to
// 8 neurons, a last chunk of any size), tiles and sample parts forced small, and — in the
// extreme trials — every r̄_il replaced by −2^63, 2^63 − 1 or a random word
// with br = 64 and |X̄| of 64 bits: the largest values the word bound of
// patternsums.go admits. More than patternMaxM neurons must be refused.
func TestPatternSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	oldB, oldP, oldM := patternBlockWords, patternPart, patternMinBuckets
	defer func() { patternBlockWords, patternPart, patternMinBuckets = oldB, oldP, oldM }()
	ran, extremes, resPat := 0, 0, 0
	for trial := range 120 {
		extreme := trial%3 == 0
		m := []int{1, 3, 8, 9, 16, 17, 30, 64}[rng.IntN(8)]
		p := patternPoint(rng, 1+rng.IntN(200), 1+rng.IntN(6), m, 1+rng.IntN(3), extreme, trial%3 == 1)
		patternBlockWords, patternPart, patternMinBuckets = oldB, oldP, oldM
		if trial%2 == 1 {
			patternBlockWords, patternPart = 1+rng.IntN(3000), 1+rng.IntN(60)
		}
		if trial%4 < 2 {
			patternMinBuckets = 1 << 12 // chunks of 8 (or of all the neurons, when fewer)
		}
		e := newEngine(p)
		n, d, k := e.n, e.d, e.k
		// The residuals (by subset-sum tables when the pass took them)
		// against their definition.
		if e.resTables {
			resPat++
		}
		for i, want := range slowResiduals(p) {
			if !want.Equal(e.residualNew(i)) {
				t.Fatalf("trial %d: residual %d = %v, want %v", trial, i, e.residualNew(i), want)
			}
		}
		if extreme && e.xOneWord() {
			e.rbar = exact.NewIntMat(n, k, 1)
			for q := range e.rbar.Data {
				e.rbar.Data[q] = []uint64{1 << 63, 1<<63 - 1, rng.Uint64()}[rng.IntN(3)]
			}
			e.br = 64
			extremes++
		}
		if !e.xOneWord() || e.rbar.W != 1 {
			t.Logf("trial %d skipped: bx = %d, r̄ of %d words", trial, e.bx, e.rbar.W)
			continue
		}
		e.sumW = max(exact.WordsFor(e.br+e.bx+bitlen(n)+2), e.rbar.W+1) // as computeSums sets it
		j0 := rng.IntN(m)
		j1 := j0 + 1 + rng.IntN(m-j0)
		dst := exact.NewIntMat(j1-j0, k*d, e.sumW)
		tot := make([]uint64, k*d*e.sumW)
		if !e.patternSums(j0, j1, dst, tot) {
			t.Fatalf("trial %d: pattern pass refused %d neurons", trial, j1-j0)
		}
		ran++
		xbar := make([][]*big.Int, n)
		for i := range xbar {
			xbar[i] = make([]*big.Int, d)
			for c := range xbar[i] {
				x, _ := p.X.Row(i)[c].Float64()
				xbar[i][c], _ = new(big.Float).SetMantExp(new(big.Float).SetFloat64(x), e.xE).Int(nil)
			}
		}
		var r, got big.Int
		check := func(what string, want []*big.Int, row []uint64) {
			for q := range want {
				if exact.WordsInt(&got, row[q*e.sumW:(q+1)*e.sumW]).Cmp(want[q]) != 0 {
					t.Fatalf("trial %d (n=%d d=%d m=%d k=%d, neurons %d..%d): %s entry %d = %v, want %v", trial, n, d, m, k, j0, j1, what, q, &got, want[q])
				}
			}
		}
		sum := func(keep func(i int) bool) []*big.Int {
			out := make([]*big.Int, k*d)
			for q := range out {
				out[q] = new(big.Int)
			}
			for i := range n {
				if !keep(i) {
					continue
				}
				for l := range k {
					e.rbar.Get(i, l, &r)
					for c := range d {
						out[l*d+c].Add(out[l*d+c], new(big.Int).Mul(&r, xbar[i][c]))
					}
				}
			}
			return out
		}
		for j := j0; j < j1; j++ {
			w := p.Neurons[j].W
			check("S⁺", sum(func(i int) bool { return w.Dot(p.X.Row(i)).Sign() > 0 }), dst.Row(j-j0))
		}
		check("total", sum(func(int) bool { return true }), tot)
	}
	if ran < 60 || extremes < 20 || resPat < 10 {
		t.Errorf("pattern pass ran on %d trials (%d extreme), residuals by patterns on %d; want ≥ 60 (≥ 20), ≥ 10", ran, extremes, resPat)
	}
	e := newEngine(patternPoint(rng, 10, 2, patternMaxM+1, 1, false, false))
	e.sumW = 3
	if e.patternSums(0, patternMaxM+1, nil, nil) {
		t.Errorf("pattern pass took %d neurons", patternMaxM+1)
	}
}
