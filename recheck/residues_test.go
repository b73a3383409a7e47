package recheck

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
	nt "github.com/relucert/relucert/network/networktest"
)

// tiny returns 2^-e.
func tiny(e int) *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(e)))
}

// plantResiduals replaces the targets of p so that its residuals are a
// random vector r with Σ_i r_i ρ(w_j·x_i) = 0 for every neuron (G_j = 0) or,
// when e1 is set, with every (E1) matrix zero: r is a random combination of
// a basis of the nullspace of those linear conditions (one output
// coordinate at a time), and y_i = f_θ(x_i) − r_i.
func plantResiduals(rng *rand.Rand, p *network.Point, e1 bool) {
	n, k := p.N(), p.K()
	var rows exact.Mat
	mid := new(big.Rat).Add(p.Act.Pos, p.Act.Neg)
	mid.Quo(mid, big.NewRat(2, 1))
	for _, nr := range p.Neurons {
		if !e1 {
			row := exact.NewVec(n)
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				row[i] = p.Act.Apply(nr.W.Dot(x))
			}
			rows = append(rows, row)
			continue
		}
		for c := 0; c < p.D(); c++ {
			row := exact.NewVec(n)
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				s := mid
				switch nr.W.Dot(x).Sign() {
				case 1:
					s = p.Act.Pos
				case -1:
					s = p.Act.Neg
				}
				row[i] = new(big.Rat).Mul(s, x[c])
			}
			rows = append(rows, row)
		}
	}
	basis := exact.Nullspace(rows, n)
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		p.Y.SetRow(i, p.Output(x))
	}
	for l := 0; l < k; l++ {
		for _, b := range basis {
			c := nt.RandRat(rng, 3)
			for i := range p.Y.Rows() {
				p.Y.Set(i, l, new(big.Rat).Sub(p.Y.At(i, l), new(big.Rat).Mul(c, b[i])))
			}
		}
	}
}

// TestRecheckerAgainstDefinitions compares the residue-based arithmetic of
// the checker (residuals by Chinese remaindering, the zero tests of (S1),
// (E1), the (S2) vector and Q_j(u), and the matrices of faceBase) with
// big.Rat evaluations of the definitions (package networktest) on random
// points, float-derived points, and points whose residuals are planted to
// make G_j or (E1) vanish, each also as a near miss (a target moved by
// 2^-e with e up to 600, far below float64 resolution).
func TestRecheckerAgainstDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	held := map[string]int{}
	for trial := 0; trial < 240; trial++ {
		var p *network.Point
		switch trial % 4 {
		case 0:
			p = nt.RandomPoint(rng)
		case 1:
			p = nt.FloatPoint(rng, 1+rng.IntN(10), 1+rng.IntN(4), 1+rng.IntN(4), 1+rng.IntN(2))
		default:
			p = nt.RandomPoint(rng)
			for p.X.Rows() < 12 {
				p.X = p.X.AppendRow(nt.RandVec(rng, p.D(), 4))
				p.Y = p.Y.AppendRow(nt.RandVec(rng, p.K(), 3))
			}
			plantResiduals(rng, p, trial%4 == 3)
			if trial%8 >= 6 {
				p.Y.Set(0, 0, new(big.Rat).Add(p.Y.At(0, 0), tiny(1+rng.IntN(600))))
			}
		}
		if trial%5 == 0 {
			p.OutputBias = nt.RandVec(rng, p.K(), 2)
		}
		rc, err := newRechecker(p, nil)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		r := nt.Residuals(p)
		sum := exact.NewVec(p.K())
		for i := range r {
			if !r[i].Equal(rc.res(i)) {
				t.Fatalf("trial %d: residual %d is %v, definition %v", trial, i, rc.res(i), r[i])
			}
			sum = sum.Add(r[i])
		}
		if !sum.Equal(rc.resSum()) {
			t.Fatalf("trial %d: Σ r_i is %v, definition %v", trial, rc.resSum(), sum)
		}
		for j := range p.Neurons {
			g := nt.G(p, r, j)
			if got, want := rc.s1Holds(j), g.IsZero(); got != want {
				t.Fatalf("trial %d: s1Holds(%d) = %v, G = %v", trial, j, got, g)
			} else if got {
				held["S1"]++
			}
			e1 := nt.E1(p, r, j)
			if got, want := rc.e1Vanishes(j), e1.IsZero(); got != want {
				t.Fatalf("trial %d: e1Vanishes(%d) = %v, E1 = %v", trial, j, got, e1)
			} else if got {
				held["E1"]++
			}
			w := nt.V(p, r, j).Neg()
			if !rc.vEquals(j, w) {
				t.Fatalf("trial %d: vEquals(%d, −v) false", trial, j)
			}
			c := rng.IntN(len(w))
			w[c].Add(w[c], tiny(rng.IntN(700)))
			if rc.vEquals(j, w) {
				t.Fatalf("trial %d: vEquals(%d) true for a perturbed vector", trial, j)
			}
			u := nt.RandVec(rng, p.D(), 3)
			if rng.IntN(2) == 0 {
				u = p.X.Row(rng.IntN(p.N())).Clone()
			}
			q := nt.Q(p, r, j, u)
			if !rc.responseEquals(j, u, q) {
				t.Fatalf("trial %d: responseEquals(%d, %v, Q) false", trial, j, u)
			}
			q2 := q.Clone()
			q2[0].Add(q2[0], tiny(rng.IntN(700)))
			if rc.responseEquals(j, u, q2) {
				t.Fatalf("trial %d: responseEquals true for a perturbed value", trial)
			}
			// faceBase: Q_j at a u off every boundary hyperplane of j, minus
			// nothing, equals (ρ₊S⁺_j + ρ₋S⁻_j)·u plus the boundary terms;
			// compare the off-hyperplane part with the definition directly.
			M := rc.faceBase(j)
			want := exact.NewMat(p.K(), p.D())
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				if s := p.Neurons[j].W.Dot(x).Sign(); s != 0 {
					for l := range want {
						want[l].AddScaled(new(big.Rat).Mul(p.Act.Slope(s), r[i][l]), x)
					}
				}
			}
			for l := range want {
				if !want[l].Equal(M[l]) {
					t.Fatalf("trial %d: faceBase(%d) row %d = %v, definition %v", trial, j, l, M[l], want[l])
				}
			}
		}
	}
	t.Logf("zero tests that held: %v", held)
	// The planted points must exercise the true side of the zero tests.
	if held["S1"] < 100 || held["E1"] < 50 {
		t.Fatalf("too few planted zeros: %v", held)
	}
}

// TestLossAlongAgainstDefinition compares lossAlong with L(θ + τΔ) evaluated
// from the definition (the residuals of the moved point, summed in big.Rat)
// for random directions moving one neuron, several or none, at several τ.
func TestLossAlongAgainstDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 100; trial++ {
		p := nt.RandomPoint(rng)
		if trial%3 == 0 {
			p = nt.FloatPoint(rng, 2+rng.IntN(8), 1+rng.IntN(3), 1+rng.IntN(3), 1+rng.IntN(2))
		}
		rc, err := newRechecker(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		delta := p.ZeroDirection()
		for j := range delta {
			if rng.IntN(2) == 0 || trial%5 == 0 {
				continue
			}
			delta[j].W = nt.RandVec(rng, p.D(), 2)
			delta[j].A = nt.RandVec(rng, p.K(), 2)
		}
		var db exact.Vec
		if trial%2 == 0 {
			p.OutputBias = nt.RandVec(rng, p.K(), 2)
			rc, err = newRechecker(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if trial%4 == 0 {
				db = nt.RandVec(rng, p.K(), 2)
			}
		}
		for _, tau := range []*big.Rat{big.NewRat(0, 1), big.NewRat(1, 3), big.NewRat(1, 1), big.NewRat(-5, 2)} {
			q := p.Add(delta.Scale(tau))
			if db != nil {
				q = q.AddBias(db.Scale(tau))
			}
			want := new(big.Rat)
			for _, r := range nt.Residuals(q) {
				want.Add(want, r.Norm2())
			}
			want.Quo(want, big.NewRat(2*int64(p.N()), 1))
			if got := rc.lossAlong(delta, db, tau); got.Cmp(want) != 0 {
				t.Fatalf("trial %d, τ = %v: lossAlong = %v, definition %v", trial, tau, got, want)
			}
		}
	}
}

// TestNeuronSums checks the masked sums that sums forms for all neurons at
// once — subset sums over chunks of g samples (g from the width m) in
// blocks split between the cores (gatherSums), and by pattern buckets
// (scatterSums) in column tiles of every width down to one entry and in
// parts of the samples — against Σ_{i∈P_j} r_i x_iᵀ,
// Σ_{i∈Z_j} r_i x_iᵀ and Σ_i r_i x_iᵀ evaluated in big.Rat from the
// definition (residuals of package networktest, signs of w_j·x_i), on
// float-derived points with a zero input and boundary samples (x = e_1 and
// neurons with w_j1 = 0), once with n and d large enough for several
// blocks of both passes and column tiles of the residual pass, and with
// small dyadic numbers (R̄ and X̄ of one word: scatterSums adds two-word
// products straight into its buckets, in tiles of all entries, of one
// entry and in between); and the
// residuals and (S1) agree with their definitions.
func TestNeuronSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	defer func(b int) { sumsMethod, scatterBudget = "", b }(scatterBudget)
	type method struct {
		name   string
		budget int
	}
	gather, scatter := method{"gather", 1 << 17}, method{"scatter", 1 << 17}
	narrow, mid := method{"scatter", 1}, method{"scatter", 3000}
	for _, tr := range []struct {
		m     int
		mt    method
		words bool // small dyadic numbers: R̄ and X̄ of one word each
	}{{1, gather, false}, {5, gather, false}, {16, gather, false}, {64, gather, false}, {70, gather, false}, {512, gather, false}, {530, gather, false},
		{1, scatter, false}, {5, scatter, false}, {16, scatter, false}, {70, scatter, false}, {530, scatter, false},
		{5, narrow, false}, {70, narrow, false}, {64, mid, false}, {530, mid, false},
		{16, scatter, true}, {16, mid, true}, {5, narrow, true}, {70, mid, true}, {16, gather, true}} {
		m, mt := tr.m, tr.mt
		sumsMethod, scatterBudget = mt.name, mt.budget
		n, d := 37, 3
		if m == 16 {
			n, d = 1100, 20 // blocks and column tiles of the residual pass
		}
		p := nt.FloatPoint(rng, n, d, m, 2)
		if tr.words {
			smallDyadics(rng, p)
		}
		e1 := exact.NewVec(d)
		e1[0].SetInt64(3)
		p.X.SetRow(0, exact.NewVec(d))
		p.X.SetRow(1, e1)
		for j := 0; j < m; j += 2 {
			p.Neurons[j].W[0].SetInt64(0)
		}
		rc, err := newRechecker(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tr.words && (!rc.xOneWord() || rc.rbar.m.W != 1) {
			t.Fatalf("m = %d (%v): X̄ or R̄ wider than a word", m, mt)
		}
		ns := rc.sums()
		r := nt.Residuals(p)
		for i := range r {
			if !r[i].Equal(rc.res(i)) {
				t.Fatalf("m = %d: residual %d is %v, definition %v", m, i, rc.res(i), r[i])
			}
		}
		D := new(big.Rat).SetInt(new(big.Int).Mul(rc.dR, rc.dX))
		kd := p.K() * p.D()
		got := func(w []uint64, q int) *big.Rat {
			if w == nil {
				return new(big.Rat)
			}
			v := new(big.Rat).SetInt(exact.WordsInt(new(big.Int), w[q*ns.w:(q+1)*ns.w]))
			return v.Quo(v, D)
		}
		// r_i x_iᵀ (row-major) times the common denominator Dp of all of
		// them, summed in integers.
		prod := make([]exact.Vec, n)
		var all []*big.Rat
		for i := range n {
			x := p.X.Row(i)
			prod[i] = exact.NewVec(kd)
			for l := 0; l < p.K(); l++ {
				for c := 0; c < d; c++ {
					prod[i][l*d+c].Mul(r[i][l], x[c])
				}
			}
			all = append(all, prod[i]...)
		}
		Dp := exact.CommonDenominator(all)
		iprod := make([][]big.Int, n)
		for i := range prod {
			iprod[i] = make([]big.Int, kd)
			for q, v := range prod[i] {
				exact.ScaleInt(&iprod[i][q], v, Dp)
			}
		}
		want := func(keep func(i int) bool) exact.Vec {
			s := make([]big.Int, kd)
			for i := range iprod {
				if keep(i) {
					for q := range s {
						s[q].Add(&s[q], &iprod[i][q])
					}
				}
			}
			out := exact.NewVec(kd)
			for q := range out {
				out[q].SetFrac(&s[q], Dp)
			}
			return out
		}
		tot := want(func(int) bool { return true })
		zeros := 0
		for q := range tot {
			if got(ns.tot, q).Cmp(tot[q]) != 0 {
				t.Fatalf("m = %d (%v): total entry %d is %v, definition %v", m, mt, q, got(ns.tot, q), tot[q])
			}
		}
		for j, nr := range p.Neurons {
			sign := make([]int, n)
			for i := range n {
				sign[i] = nr.W.Dot(p.X.Row(i)).Sign()
			}
			pos := want(func(i int) bool { return sign[i] > 0 })
			zero := want(func(i int) bool { return sign[i] == 0 })
			if !zero.IsZero() {
				zeros++
			}
			for q := range pos {
				if got(ns.pos[j*kd*ns.w:(j+1)*kd*ns.w], q).Cmp(pos[q]) != 0 || got(ns.zero[j], q).Cmp(zero[q]) != 0 {
					t.Fatalf("m = %d (%v), neuron %d, entry %d: sums %v and %v, definition %v and %v", m, mt, j, q,
						got(ns.pos[j*kd*ns.w:(j+1)*kd*ns.w], q), got(ns.zero[j], q), pos[q], zero[q])
				}
			}
		}
		if zeros == 0 {
			t.Fatalf("m = %d: no boundary sums to compare", m)
		}
		for j := 0; j < m; j += max(m/8, 1) {
			if got, want := rc.s1Holds(j), nt.G(p, r, j).IsZero(); got != want {
				t.Fatalf("m = %d: s1Holds(%d) = %v, definition %v", m, j, got, want)
			}
		}
	}
}

// smallDyadics replaces every nonzero input, target and weight of p by a
// multiple of 2^-6 of magnitude below 2^4 (zeros stay zero): float data
// whose integer images R̄ and X̄ fit a word.
func smallDyadics(rng *rand.Rand, p *network.Point) {
	small := func(x *big.Rat) {
		if x.Sign() != 0 {
			x.SetFloat64(float64(rng.IntN(2048)-1024) / 64)
		}
	}
	for i := range p.X.Rows() {
		x, y := p.X.Row(i).Clone(), p.Y.Row(i).Clone()
		for _, v := range x {
			small(v)
		}
		for _, v := range y {
			small(v)
		}
		p.X.SetRow(i, x)
		p.Y.SetRow(i, y)
	}
	for _, nr := range p.Neurons {
		for _, v := range nr.W {
			small(v)
		}
		for _, v := range nr.A {
			small(v)
		}
	}
}

// TestResidualPatterns checks the residual pass by subset-sum tables of
// chunks of neurons (float data whose images fit a word: the inputs are
// multiples of 2^-10 below 2^10, the weights float64s of any size) against
// the residuals of the definition (package networktest, big.Rat), for
// ReLU-like and leaky activations (the negative sides summed through the
// same tables), one to several chunks (m up to 40: chunks of 8, a short
// last one), several blocks of samples (of 64), k = 1 and 3, with an output bias,
// a zero input and boundary samples; and once more with the tables
// forced off (the tiled subset sums), which must agree as well.
func TestResidualPatterns(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	defer func(w, b int) { residualTableWords, residualPatternBlock = w, b }(residualTableWords, residualPatternBlock)
	residualPatternBlock = 64
	for trial, c := range []struct{ n, d, m, k int }{{200, 5, 16, 1}, {150, 3, 40, 3}, {100, 4, 5, 2}, {70, 2, 1, 1}, {129, 6, 9, 3}} {
		for ai, act := range nt.Activations[:5] {
			p := nt.FloatPoint(rng, c.n, c.d, c.m, c.k)
			p.Act = act
			for i := range c.n {
				x := exact.NewVec(c.d)
				for q := range x {
					x[q].SetFloat64(float64(rng.IntN(1<<20)-1<<19) / 1024)
				}
				if i%7 == 3 { // on the hyperplanes of the neurons with w_j1 = 0
					x = exact.NewVec(c.d)
					x[0].SetInt64(int64(i%5) - 2)
				}
				p.X.SetRow(i, x)
			}
			p.X.SetRow(0, exact.NewVec(c.d))
			for j := 0; j < c.m; j += 3 {
				p.Neurons[j].W[0].SetInt64(0)
			}
			if trial%2 == 0 {
				p.OutputBias = nt.RandVec(rng, c.k, 2)
			}
			r := nt.Residuals(p)
			for _, words := range []int{1 << 17, 0} {
				residualTableWords = words
				rc, err := newRechecker(p, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !rc.xOneWord() {
					t.Fatalf("case %v: the inputs' image is not one word", c)
				}
				for i := range r {
					if !r[i].Equal(rc.res(i)) {
						t.Fatalf("case %v, activation %d, table words %d: residual %d is %v, definition %v", c, ai, words, i, rc.res(i), r[i])
					}
				}
			}
		}
	}
}

// TestLossOneWordResiduals: a zero network (w = 0, a = 0) on integer
// targets y_i = ±(2^63 − 1 − i), i < 8, has r_i = −y_i and R̄ = r (every
// denominator 1) of one word each, whose squares (near 2^126) sum past
// 2^128: L = Σ y_i²/(2n), summed here in big.Int, must be the loss, and
// R̄_i = −y_i, for k = 1 and for k = 2 with the second output ⌊y_i/2^40⌋;
// and the same with y_i = ±(2^63 + 2^62 − i), just past one word (R̄ of
// two words).
func TestLossOneWordResiduals(t *testing.T) {
	for _, c := range []struct {
		base  *big.Int
		words int
	}{{new(big.Int).Lsh(big.NewInt(1), 63), 1}, {new(big.Int).Lsh(big.NewInt(3), 62), 2}} {
		for _, k := range []int{1, 2} {
			p := &network.Point{Act: network.ReLU(), Neurons: []network.Neuron{{W: exact.VecOf(0, 0), A: exact.NewVec(k)}}}
			var xs, ys []exact.Vec
			want := new(big.Int)
			for i := 0; i < 8; i++ {
				y := new(big.Int).Sub(c.base, big.NewInt(int64(1+i)))
				if i%3 == 1 {
					y.Neg(y)
				}
				row := exact.Vec{new(big.Rat).SetInt(y)}
				want.Add(want, new(big.Int).Mul(y, y))
				if k == 2 {
					y2 := new(big.Int).Rsh(y, 40) // floor: an integer
					row = append(row, new(big.Rat).SetInt(y2))
					want.Add(want, new(big.Int).Mul(y2, y2))
				}
				xs = append(xs, exact.VecOf(int64(i), 1))
				ys = append(ys, row)
			}
			p.X, p.Y = exact.RatMatOf(xs), exact.RatMatOf(ys)
			rc, err := newRechecker(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rc.rbar.m.W != c.words {
				t.Fatalf("k = %d: R̄ is %d words, want %d", k, rc.rbar.m.W, c.words)
			}
			for i, y := range ys {
				if !rc.res(i).Equal(y.Neg()) {
					t.Fatalf("k = %d: r_%d = %v, want %v", k, i, rc.res(i), y.Neg())
				}
			}
			wantL := new(big.Rat).SetFrac(want, big.NewInt(2*8))
			if rc.loss.Cmp(wantL) != 0 {
				t.Fatalf("k = %d: loss %v, want %v", k, rc.loss, wantL)
			}
		}
	}
}

// TestFloatBounds compares floatBounds with exact.RatMat.DenominatorBits
// (its definition through math.Frexp and big.Int) on matrices of float64s
// of every kind (zeros of both signs, subnormals, integers, normal
// numbers over a wide range of exponents), one row to 300, and on an
// all-zero matrix.
func TestFloatBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	for trial := range 300 {
		r, c := 1+rng.IntN(300), 1+rng.IntN(6)
		rows := make([]exact.Vec, r)
		for i := range rows {
			rows[i] = make(exact.Vec, c)
			for q := range rows[i] {
				var v float64
				switch rng.IntN(6) {
				case 0:
					v = math.Copysign(0, float64(rng.IntN(2)*2-1))
				case 1:
					v = math.Float64frombits(1 + rng.Uint64N(1<<52-1)) // subnormal
				case 2:
					v = float64(rng.IntN(2001) - 1000)
				default:
					v = rng.NormFloat64() * math.Ldexp(1, rng.IntN(400)-200)
				}
				if trial%50 == 0 {
					v = 0
				}
				rows[i][q] = new(big.Rat).SetFloat64(v)
			}
		}
		x := exact.RatMatOf(rows)
		if !x.AllFloat() {
			t.Fatalf("trial %d: not all floats", trial)
		}
		den, we := x.DenominatorBits()
		e, tz := floatBounds(x)
		if e != we || den.Cmp(new(big.Int).Lsh(big.NewInt(1), uint(tz))) != 0 {
			t.Fatalf("trial %d: floatBounds = (%d, 2^%d), DenominatorBits = (%d, %v)", trial, e, tz, we, den)
		}
	}
}

// TestLinesVanishPerOutput: (E2) on one line must hold for each output on
// its own. ReLU, k = 2, one neuron w = (0, 1), a = (1, 1): every sample
// x = (t, 0) is on its hyperplane, f = 0 and r_i = −y_i. Samples
// x₁ = (1, 0), x₂ = (2, 0), x₃ = (−1, 0) lie on one line with |t| = 1, 2,
// 1. By hand: with r₁ = (1, −1), r₂ = r₃ = 0 the sum Σ|t_i| r_i = (1, −1)
// is not 0, though its entries add up to 0; with r₂ = (−1/4, 1/4),
// r₃ = (−1/2, 1/2) it is (1 − 1/2 − 1/2, −1 + 1/2 + 1/2) = 0.
func TestLinesVanishPerOutput(t *testing.T) {
	for _, tc := range []struct {
		r    [][2]int64 // r_i = (r[0], r[1])/4
		want bool
	}{
		{[][2]int64{{4, -4}, {0, 0}, {0, 0}}, false},
		{[][2]int64{{4, -4}, {-1, 1}, {-2, 2}}, true},
	} {
		ys := make([]exact.Vec, 3)
		for i, r := range tc.r {
			ys[i] = exact.Vec{big.NewRat(-r[0], 4), big.NewRat(-r[1], 4)}
		}
		p := &network.Point{Act: network.ReLU(),
			X:       exact.RatMatOf([]exact.Vec{exact.VecOf(1, 0), exact.VecOf(2, 0), exact.VecOf(-1, 0)}),
			Y:       exact.RatMatOf(ys),
			Neurons: []network.Neuron{{W: exact.VecOf(0, 1), A: exact.VecOf(1, 1)}}}
		rc, err := newRechecker(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(rc.bnd[0]) != 3 {
			t.Fatalf("boundary %v, want all three samples", rc.bnd[0])
		}
		if got := rc.e2Vanishes(0); got != tc.want {
			t.Errorf("r = %v/4: (E2) vanishes %v, want %v", tc.r, got, tc.want)
		}
	}
}
