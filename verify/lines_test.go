package verify

import (
	"hash/maphash"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestLineKeys: the engine's line keys (int64 words, or big integers when
// the entries exceed int64: odd trials) group samples exactly as
// exact.Vec.AppendLineKey does and as the definition says (x_i = t_i e_ℓ, distinct lines distinct),
// on random rational multiples of a few directions, with zeros, negative
// multiples and dyadic and non-dyadic denominators. The first round groups
// the few samples by pairwise comparisons (fewLineGroups), the second by
// hashed keys, the third makes every key hash alike (lineHash constant), so
// that the grouping rests on the equality of inputs and keys alone.
func TestLineKeys(t *testing.T) {
	defer func(h func(maphash.Seed, []byte) uint64, few int) { lineHash, fewLineSamples = h, few }(lineHash, fewLineSamples)
	for round := range 3 {
		if round >= 1 {
			fewLineSamples = 0
		}
		if round == 2 {
			lineHash = func(maphash.Seed, []byte) uint64 { return 7 }
		}
		testLineKeys(t)
	}
}

func testLineKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		d := 1 + rng.IntN(4)
		var dirs []exact.Vec
		for range 1 + rng.IntN(3) {
			dirs = append(dirs, randVec(rng, d, 5))
		}
		p := &Point{Act: ReLU()}
		for range 2 + rng.IntN(10) {
			x := dirs[rng.IntN(len(dirs))].Scale(big.NewRat(int64(rng.IntN(13)-6), int64(1+rng.IntN(4))))
			if rng.IntN(4) == 0 {
				x = randVec(rng, d, 5)
			}
			if trial%2 == 1 {
				// Entries beyond int64: the engine's big-integer keys.
				x = x.Scale(new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(1), 70), big.NewInt(3)))
			}
			p.X = p.X.AppendRow(x)
			p.Y = p.Y.AppendRow(exact.VecOf(1))
		}
		var idx []int
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			if !x.IsZero() {
				idx = append(idx, i)
			}
		}
		e := newEngine(p)
		lk := e.lineKey()
		fast := groupLines(p.X, idx, &lk)
		slow := groupLines(p.X, idx, nil)
		if len(fast) != len(slow) {
			t.Fatalf("trial %d: %d lines with int64 keys, %d with big keys", trial, len(fast), len(slow))
		}
		for l := range fast {
			if !slices.Equal(fast[l].samples, slow[l].samples) {
				t.Fatalf("trial %d: line %d: %v vs %v", trial, l, fast[l].samples, slow[l].samples)
			}
			// The definition: every pair on a line is parallel, t_i = x_i[c].
			for c, i := range fast[l].samples {
				if !p.X.Row(i).Equal(fast[l].rep().Scale(fast[l].t[c])) {
					t.Fatalf("trial %d: x_%d ≠ t·e_ℓ", trial, i)
				}
			}
		}
		for a := range fast {
			for b := a + 1; b < len(fast); b++ {
				if fast[a].rep().Equal(fast[b].rep()) {
					t.Fatalf("trial %d: lines %d and %d are one line", trial, a, b)
				}
			}
		}
	}
}

func TestGCD64(t *testing.T) {
	for _, tc := range [][3]uint64{{0, 0, 0}, {0, 7, 7}, {12, 18, 6}, {1 << 40, 3 << 38, 1 << 38}, {17, 5, 1}, {1<<63 - 1, 1<<63 - 1, 1<<63 - 1}} {
		if g := gcd64(tc[0], tc[1]); g != tc[2] {
			t.Errorf("gcd64(%d, %d) = %d, want %d", tc[0], tc[1], g, tc[2])
		}
	}
}

// TestLineKeysPaths: the odd trials of TestLineKeys do reach the
// big-integer path (the engine stores their inputs in more than one word).
func TestLineKeysPaths(t *testing.T) {
	big70 := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 70))
	p := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{exact.VecOf(1, 2).Scale(big70)}), Y: exact.RatMatOf([]exact.Vec{exact.VecOf(1)})}
	if w := newEngine(p).xW; w < 2 {
		t.Fatalf("inputs of 2^71 stored in %d word(s)", w)
	}
}

// TestLineSumsVanish checks the engine's integer E2 test over all lines
// (Theorem G) against Σ_{i∈ℓ} |t_i| r_i in rationals: points whose samples
// lie on a few lines through the origin (positive and negative multiples,
// repeated inputs), with residuals planted to cancel on every line (true),
// then one target moved (false), for ReLU and leaky slopes.
func TestLineSumsVanish(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 60; trial++ {
		d, k := 1+rng.IntN(4), 1+rng.IntN(3)
		p := &Point{Act: ReLU()}
		if trial%3 == 1 {
			p.Act = Activation{Pos: big.NewRat(1, 1), Neg: big.NewRat(1, 8)}
		}
		for range 1 + rng.IntN(4) {
			p.Neurons = append(p.Neurons, Neuron{W: randVec(rng, d, 5), A: randVec(rng, k, 5)})
		}
		var dirs []exact.Vec
		for range 1 + rng.IntN(4) {
			dirs = append(dirs, randVec(rng, d, 5))
		}
		if trial%4 == 2 {
			// Float data (the engine keeps no X̄: the float path of
			// lineSumsVanish): dyadic directions and multiples.
			for q := range dirs {
				for c := range dirs[q] {
					dirs[q][c].SetFrac64(int64(rng.IntN(31)-15), 1<<rng.IntN(6))
				}
			}
		}
		var r, xs []exact.Vec
		for range 2 + rng.IntN(14) {
			den := int64(1 + rng.IntN(3))
			if trial%4 == 2 {
				den = 1 << rng.IntN(3)
			}
			x := dirs[rng.IntN(len(dirs))].Scale(big.NewRat(int64(rng.IntN(9)-4), den))
			if trial%2 == 1 {
				x = x.Scale(new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(1), 70), big.NewInt(3)))
			}
			xs = append(xs, x)
			r = append(r, randVec(rng, k, 4))
		}
		p.X = exact.RatMatOf(xs)
		var idx []int
		for i, x := range xs {
			if !x.IsZero() {
				idx = append(idx, i)
			}
		}
		// Cancel on every line: the last sample's residual takes the rest.
		for _, l := range groupLines(p.X, idx, nil) {
			last := len(l.samples) - 1
			sum := exact.NewVec(k)
			for c, i := range l.samples[:last] {
				sum.AddScaled(new(big.Rat).Abs(l.t[c]), r[i])
			}
			r[l.samples[last]] = sum.Scale(new(big.Rat).Inv(new(big.Rat).Abs(l.t[last]))).Neg()
		}
		ys := make([]exact.Vec, len(xs))
		for i := range ys {
			ys[i] = exact.NewVec(k) // p.K() is read from the targets
		}
		p.Y = exact.RatMatOf(ys)
		for i, x := range xs {
			ys[i] = p.Output(x).Sub(r[i])
		}
		p.Y = exact.RatMatOf(ys)
		for round := range 2 {
			e := newEngine(p)
			if trial%4 == 2 && e.x != nil {
				t.Fatalf("trial %d: float data with a stored X̄", trial)
			}
			groups := lineGroups(idx, d, e.lineKey())
			want := true
			for _, l := range linesOf(p.X, groups) {
				if !lineSum(l, e.residual).IsZero() {
					want = false
				}
			}
			if want != (round == 0) && len(idx) > 0 {
				t.Fatalf("trial %d round %d: the planted sums vanish = %v", trial, round, want)
			}
			if got := e.lineSumsVanish(groups); got != want {
				t.Fatalf("trial %d round %d: lineSumsVanish = %v, want %v", trial, round, got, want)
			}
			if len(idx) == 0 {
				break
			}
			// Move one target of a nonzero sample: its line's sum no
			// longer vanishes.
			i := idx[rng.IntN(len(idx))]
			p.Y.SetRow(i, p.Y.Row(i).Add(randNonzeroVec(rng, k)))
		}
	}
}

// randNonzeroVec returns a random nonzero vector of length k.
func randNonzeroVec(rng *rand.Rand, k int) exact.Vec {
	for {
		if v := randVec(rng, k, 3); !v.IsZero() {
			return v
		}
	}
}
