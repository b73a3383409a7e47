package verify

import (
	"hash/maphash"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/relucert/relucert/exact"
)

// linesByDefinition groups the nonzero float rows rows[i], i ∈ idx, by
// line the slow way: x and y are on one line iff x_c·y_p = y_c·x_p for all
// c (p the first nonzero coordinate of x), in big.Rat; lines in order of
// first appearance, samples ascending.
func linesByDefinition(rows [][]float64, idx []int) [][]int {
	rat := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	parallel := func(x, y []float64) bool {
		p := 0
		for x[p] == 0 {
			p++
		}
		for c := range x {
			if new(big.Rat).Mul(rat(x[c]), rat(y[p])).Cmp(new(big.Rat).Mul(rat(y[c]), rat(x[p]))) != 0 {
				return false
			}
		}
		return true
	}
	var groups [][]int
next:
	for _, i := range idx {
		for g := range groups {
			if parallel(rows[groups[g][0]], rows[i]) {
				groups[g] = append(groups[g], i)
				continue next
			}
		}
		groups = append(groups, []int{i})
	}
	return groups
}

// TestFloatLineKey: lineGroups with the float quotient keys (floatLineKey)
// groups float rows as the definition does, on multiples of a few
// directions by powers of two and by small odd integers of either sign
// (a negative multiple is on the same line through the origin, as with
// the integer keys), with zero coordinates, with directions whose
// quotients overflow to ±Inf or underflow to 0 (entries 2⁻¹⁰⁷⁴ beside 2¹⁰⁰⁰),
// and with pairs on different lines whose quotients round alike — (2⁵²+1,
// 2⁵²) and (2⁵²+3, 2⁵²+2), and (2¹⁰⁰⁰, 2⁻¹⁰⁷⁴) beside (2¹⁰⁰⁰, 2⁻¹⁰⁷³) and
// (2¹⁰⁰⁰, 0) — so that the exact test and the exact keys decide. The
// first round groups by pairwise exact tests (fewLineGroups: at most 13
// rows), the second by the hashed keys, the third makes every hash alike.
func TestFloatLineKey(t *testing.T) {
	p52 := math.Ldexp(1, 52)
	near := [][]float64{{p52 + 1, p52}, {p52 + 3, p52 + 2}}
	tiny := [][]float64{{math.Ldexp(1, 1000), math.Ldexp(1, -1074)}, {math.Ldexp(1, 1000), math.Ldexp(1, -1073)}, {math.Ldexp(1, 1000), 0}}
	key := floatLineKey(func(i int) []float64 { return near[i] }, nil).key
	if string(key(nil, 0)) != string(key(nil, 1)) {
		t.Fatal("the near pair's quotients do not round alike: the test does not reach the exact fallback")
	}
	key = floatLineKey(func(i int) []float64 { return tiny[i] }, nil).key
	if string(key(nil, 0)) != string(key(nil, 1)) || string(key(nil, 0)) != string(key(nil, 2)) {
		t.Fatal("the tiny quotients do not all underflow to 0")
	}
	// By hand: x, −x and 3x on one line, (1, 2) and (2, 1) not.
	hand := [][]float64{{1, 2, 0}, {2, 1, 0}, {-1, -2, 0}, {3, 6, 0}, {0, 0, -5}, {0, 0, 7}, {-2, 1, 0}}
	if got, want := floatGroups(hand), [][]int{{0, 2, 3}, {1}, {4, 5}, {6}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("hand rows: %v, want %v", got, want)
	}
	defer func(h func(maphash.Seed, []byte) uint64, few int) { lineHash, fewLineSamples = h, few }(lineHash, fewLineSamples)
	for round := range 3 {
		if round >= 1 {
			fewLineSamples = 0 // the hashed keys, not pairwise comparisons
		}
		if round == 2 {
			lineHash = func(maphash.Seed, []byte) uint64 { return 7 }
		}
		rng := rand.New(rand.NewPCG(7, 8))
		for trial := range 300 {
			d := 1 + rng.IntN(5)
			if trial%7 == 6 {
				d = 2 // with the near and tiny rows
			}
			var dirs [][]float64
			for range 1 + rng.IntN(4) {
				dir := make([]float64, d)
				for c := range dir {
					switch rng.IntN(4) {
					case 0:
					case 1:
						dir[c] = math.Ldexp(float64(rng.IntN(15)-7), rng.IntN(20)-10)
					default:
						dir[c] = rng.NormFloat64()
					}
				}
				if trial%5 == 4 && d >= 2 {
					// Quotients beyond float64's range: 2⁻¹⁰⁷⁴·odd beside 2¹⁰⁰⁰·odd.
					dir[rng.IntN(d)] = math.Ldexp(float64(1+2*rng.IntN(3)), -1074)
					dir[rng.IntN(d)] = math.Ldexp(float64(1+2*rng.IntN(3)), 1000)
				}
				dirs = append(dirs, dir)
			}
			if trial%7 == 6 {
				dirs = append(append(dirs, near...), tiny...)
			}
			var rows [][]float64
			for range 2 + rng.IntN(12) {
				dir := dirs[rng.IntN(len(dirs))]
				// An exact multiple: ±2^s, ±3·2^s or ±5·2^s (s ≤ 0 only
				// when nothing underflows).
				lam := float64([]int{1, 3, 5}[rng.IntN(3)] * (1 - 2*rng.IntN(2)))
				x := make([]float64, len(dir))
				s := rng.IntN(8)
				for c, v := range dir {
					x[c] = math.Ldexp(v*lam, s)
					if math.IsInf(x[c], 0) || new(big.Rat).SetFloat64(x[c]).Cmp(new(big.Rat).Mul(new(big.Rat).SetFloat64(v), new(big.Rat).SetFrac64(int64(lam)<<s, 1))) != 0 {
						x = nil // not an exact multiple: take the direction
						break
					}
				}
				if x == nil {
					x = slices.Clone(dir)
				}
				rows = append(rows, x)
			}
			got := floatGroups(rows)
			var idx []int
			for i, x := range rows {
				if slices.ContainsFunc(x, func(v float64) bool { return v != 0 }) {
					idx = append(idx, i)
				}
			}
			if want := linesByDefinition(rows, idx); !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("round %d trial %d: rows %v: groups %v, want %v", round, trial, rows, got, want)
			}
		}
	}
}

// floatGroups returns lineGroups of the nonzero rows with the float
// quotient keys (exact keys by exact.Vec.AppendLineKey).
func floatGroups(rows [][]float64) [][]int {
	var idx []int
	for i, x := range rows {
		if slices.ContainsFunc(x, func(v float64) bool { return v != 0 }) {
			idx = append(idx, i)
		}
	}
	exactKey := func(buf []byte, i int) []byte {
		v := exact.NewVec(len(rows[i]))
		for c, f := range rows[i] {
			v[c].SetFloat64(f)
		}
		return v.AppendLineKey(buf)
	}
	return lineGroups(idx, len(rows[0]), floatLineKey(func(i int) []float64 { return rows[i] }, exactKey))
}

// TestEngineFloatLineKey: for float data (the engine keeps no integer
// image, e.x == nil) the engine's lineKey is the float quotient key, and
// groupLines with it gives the definition's lines.
func TestEngineFloatLineKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 100 {
		d := 1 + rng.IntN(4)
		var dirs [][]float64
		for range 1 + rng.IntN(3) {
			dir := make([]float64, d)
			for c := range dir {
				if rng.IntN(3) > 0 {
					dir[c] = math.Ldexp(float64(rng.IntN(31)-15), rng.IntN(9)-4)
				}
			}
			dirs = append(dirs, dir)
		}
		var rows [][]float64
		var xs []exact.Vec
		var ys []exact.Vec
		for range 2 + rng.IntN(12) {
			dir := dirs[rng.IntN(len(dirs))]
			lam := math.Ldexp(float64(rng.IntN(9)-4), rng.IntN(5)-2) // exact: ≤ 9 bits
			x := make([]float64, d)
			v := exact.NewVec(d)
			for c := range x {
				x[c] = dir[c] * lam
				v[c].SetFloat64(x[c])
			}
			rows, xs, ys = append(rows, x), append(xs, v), append(ys, exact.VecOf(1))
		}
		p := &Point{Act: ReLU(), X: exact.RatMatOf(xs), Y: exact.RatMatOf(ys)}
		e := newEngine(p)
		if e.x != nil {
			t.Fatalf("trial %d: float data with a stored integer image", trial)
		}
		var idx []int
		for i := range rows {
			if !p.X.IsZeroRow(i) {
				idx = append(idx, i)
			}
		}
		lk := e.lineKey()
		got := groupLines(p.X, idx, &lk)
		want := linesByDefinition(rows, idx)
		if len(got) != len(want) {
			t.Fatalf("trial %d: %d lines, want %d", trial, len(got), len(want))
		}
		for l := range got {
			if !slices.Equal(got[l].samples, want[l]) {
				t.Fatalf("trial %d: line %d: %v, want %v", trial, l, got[l].samples, want[l])
			}
		}
	}
}
