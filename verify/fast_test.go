package verify

import (
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/exact/arrangement"
	"github.com/relucert/relucert/exact/lp"
	nt "github.com/relucert/relucert/network/networktest"
)

// slowResiduals evaluates r_i = Σ_j a_j ρ(w_j·x_i) + b − y_i in big.Rat,
// from the definition.
func slowResiduals(p *Point) []exact.Vec { return nt.Residuals(p) }

// floatPoint draws a point with float-derived (dyadic) numbers, including
// tiny and huge magnitudes, planted boundary samples and zero neurons.
func floatPoint(rng *rand.Rand, n, d, m, k int) *Point { return nt.FloatPoint(rng, n, d, m, k) }

func TestEngineAgainstDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	oldR, oldS, oldAW, oldG := residualBlock, sumsBlock, residualAWWords, sumsGroupWords
	defer func() { residualBlock, sumsBlock, residualAWWords, sumsGroupWords = oldR, oldS, oldAW, oldG }()
	modes := map[bool]int{} // X̄ formed from the floats / stored
	defer func() {
		if modes[true] == 0 || modes[false] == 0 {
			t.Errorf("engines with X̄ from the floats: %d, stored: %d; want both", modes[true], modes[false])
		}
	}()
	for trial := 0; trial < 200; trial++ {
		var p *Point
		residualBlock, sumsBlock, residualAWWords, sumsGroupWords = oldR, oldS, oldAW, oldG
		switch {
		case trial%2 == 0:
			p = randomPoint(rng)
		case trial%8 != 3:
			p = floatPoint(rng, 1+rng.IntN(12), 1+rng.IntN(4), 1+rng.IntN(5), 1+rng.IntN(3))
		default:
			// Wider points cut into many sample blocks, so that the passes
			// of datapass.go run several blocks, partial last blocks and
			// chunks of up to 8 rows, the residual pass takes the outputs
			// in groups of every size (down to one at a time) and the sums
			// pass the neurons in groups of every size (down to one).
			p = floatPoint(rng, 1+rng.IntN(30), 1+rng.IntN(4), 8+rng.IntN(10), 1+rng.IntN(3))
			residualBlock, sumsBlock = 1+rng.IntN(20), 1+rng.IntN(30)
			residualAWWords = 1 + rng.IntN(400)
			sumsGroupWords = 1 + rng.IntN(600)
		}
		e := newEngine(p)
		modes[e.x == nil]++
		want := slowResiduals(p)
		for i := range want {
			if !want[i].Equal(e.residual(i)) {
				t.Fatalf("trial %d: residual %d = %v, want %v", trial, i, e.residual(i), want[i])
			}
		}
		for j, nr := range p.Neurons {
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				z := nr.W.Dot(x)
				if int8(z.Sign()) != e.sg.sign(j, i) {
					t.Fatalf("trial %d: sign (%d, %d) = %d, want %d", trial, j, i, e.sg.sign(j, i), z.Sign())
				}
				if e.pre(j, i).Cmp(z) != 0 {
					t.Fatalf("trial %d: pre (%d, %d)", trial, j, i)
				}
			}
			// G_j, Q_j(u), E1 and the (S2) vector v against their definitions.
			st := newState(p)
			g := exact.NewVec(p.K())
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				g.AddScaled(p.Act.Apply(nr.W.Dot(x)), want[i])
			}
			for _, c := range g {
				c.Quo(c, big.NewRat(int64(p.N()), 1))
			}
			if !g.Equal(st.G(j)) {
				t.Fatalf("trial %d: G_%d = %v, want %v", trial, j, st.G(j), g)
			}
			for rep := 0; rep < 3; rep++ {
				u := randVec(rng, p.D(), 3)
				if rep == 0 && p.X.Rows() > 0 {
					u = p.X.Row(rng.IntN(p.N())).Clone() // often on a boundary hyperplane
				}
				q := exact.NewVec(p.K())
				for i := range p.X.Rows() {
					x := p.X.Row(i)
					q.AddScaled(p.Act.Dir(nr.W.Dot(x), x.Dot(u)), want[i])
				}
				if !q.Equal(st.Q(j, u)) {
					t.Fatalf("trial %d: Q_%d(%v) = %v, want %v", trial, j, u, st.Q(j, u), q)
				}
			}
			half := new(big.Rat).Add(p.Act.Pos, p.Act.Neg)
			half.Quo(half, big.NewRat(2, 1))
			e1 := exact.NewMat(p.K(), p.D())
			v := exact.NewVec(p.D())
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				z := nr.W.Dot(x).Sign()
				c := p.Act.Slope(z)
				if z == 0 {
					c = half
				}
				for l := range e1 {
					e1[l].AddScaled(new(big.Rat).Mul(c, want[i][l]), x)
				}
				sl := p.Act.Slope(z)
				if z == 0 {
					sl = p.Act.Neg
				}
				v.AddScaled(new(big.Rat).Mul(sl, nr.A.Dot(want[i])), x)
			}
			got := st.E1Matrix(j)
			for l := range e1 {
				if !e1[l].Equal(got[l]) {
					t.Fatalf("trial %d: E1 of %d = %v, want %v", trial, j, got, e1)
				}
			}
			two := big.NewInt(2)
			ev := st.ev
			if z := ev.comboIsZero(j, new(big.Int).Mul(ev.sp, two), new(big.Int).Mul(ev.sn, two), new(big.Int).Add(ev.sp, ev.sn)); z != e1.IsZero() {
				t.Fatalf("trial %d: E1 of %d = %v, comboIsZero %v", trial, j, e1, z)
			}
			if bt := st.boundary(j); !bt.v.Equal(v) {
				t.Fatalf("trial %d: v of %d = %v, want %v", trial, j, bt.v, v)
			}
			// S⁺, S⁻, S⁰ against direct sums.
			sp, sn, sz := exact.NewMat(p.K(), p.D()), exact.NewMat(p.K(), p.D()), exact.NewMat(p.K(), p.D())
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				var dst exact.Mat
				switch nr.W.Dot(x).Sign() {
				case 1:
					dst = sp
				case -1:
					dst = sn
				default:
					dst = sz
				}
				for l := range dst {
					dst[l].AddScaled(want[i][l], x)
				}
			}
			one := big.NewRat(1, 1)
			for _, c := range []struct {
				got, want exact.Mat
			}{{e.sumMat(j, one, nil, nil), sp}, {e.sumMat(j, nil, one, nil), sn}, {e.sumMat(j, nil, nil, one), sz}} {
				for l := range c.want {
					if !c.want[l].Equal(c.got[l]) {
						t.Fatalf("trial %d neuron %d: sum %v, want %v", trial, j, c.got, c.want)
					}
				}
			}
		}
	}
}

// TestBoxCellsAgainstSimplex decides (S2) with the verified float-guided
// cell LPs (lp.BoxLP) forced on every neuron and compares the verdicts
// with the exact simplex on random points, including planted zero-input
// neurons; every certificate must pass Recheck.
func TestBoxCellsAgainstSimplex(t *testing.T) {
	old, oldBlock := boxMinColumns, boxBlock
	defer func() { boxMinColumns, boxBlock = old, oldBlock }()
	rng := rand.New(rand.NewPCG(15, 16))
	for trial := 0; trial < 200; trial++ {
		var p *Point
		switch trial % 3 {
		case 0:
			p = randomPoint(rng)
		case 1:
			p = floatPoint(rng, 2+rng.IntN(8), 2+rng.IntN(2), 1+rng.IntN(3), 1)
		default:
			var err error
			kind := GenZeroInput
			if rng.IntN(2) == 0 {
				kind = GenZeroInputFail
			}
			p, _, err = Generate(GenConfig{Kind: kind, N: 3 + rng.IntN(20), D: 2 + rng.IntN(2), M: 1 + rng.IntN(2), K: 1,
				Act: testActivations[rng.IntN(4)], Dyadic: rng.IntN(2) == 0, Seed: rng.Uint64()})
			if err != nil {
				t.Fatal(err)
			}
		}
		// Options.Cells: the planted zero-input neurons have Q_j ≡ 0 and
		// would otherwise need no cell.
		boxMinColumns = 1 << 30
		want, err := Check(p, Options{Cells: true})
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		boxMinColumns = 0
		boxBlock = 1 + trial%4 // blocks of cells in parallel
		got, err := Check(p, Options{Cells: true})
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if got.Kind != want.Kind || got.Stationary != want.Stationary || !slicesEqual(got.Escape, want.Escape) {
			t.Fatalf("trial %d: box %v %v, simplex %v %v", trial, got.Kind, got.Escape, want.Kind, want.Escape)
		}
		for j := range got.Neurons {
			if got.Neurons[j].S2 != want.Neurons[j].S2 {
				t.Fatalf("trial %d: neuron %d: (S2) %v by box, %v by simplex", trial, j, got.Neurons[j].S2, want.Neurons[j].S2)
			}
		}
		if err := Recheck(p, got); err != nil {
			t.Fatalf("trial %d: Recheck: %v", trial, err)
		}
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// slowExpansion is (★) evaluated in big.Rat, term by term.
func slowExpansion(p *Point, delta Direction) exact.Poly {
	k := p.K()
	r := slowResiduals(p)
	c := exact.Poly{new(big.Rat), new(big.Rat), new(big.Rat), new(big.Rat), new(big.Rat)}
	var t big.Rat
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		alpha, beta := exact.NewVec(k), exact.NewVec(k)
		for j, nr := range p.Neurons {
			z := nr.W.Dot(x)
			e := p.Act.Dir(z, delta[j].W.Dot(x))
			alpha.AddScaled(p.Act.Apply(z), delta[j].A)
			alpha.AddScaled(e, nr.A)
			beta.AddScaled(e, delta[j].A)
		}
		c[1].Add(c[1], r[i].Dot(alpha))
		c[2].Add(c[2], r[i].Dot(beta))
		t.Quo(alpha.Norm2(), big.NewRat(2, 1))
		c[2].Add(c[2], &t)
		c[3].Add(c[3], alpha.Dot(beta))
		t.Quo(beta.Norm2(), big.NewRat(2, 1))
		c[4].Add(c[4], &t)
	}
	n := big.NewRat(int64(p.N()), 1)
	for _, x := range c {
		x.Quo(x, n)
	}
	return c
}

func TestExpansionAgainstBigRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for trial := 0; trial < 200; trial++ {
		var p *Point
		if trial%2 == 0 {
			p = randomPoint(rng)
		} else {
			p = floatPoint(rng, 1+rng.IntN(10), 1+rng.IntN(4), 1+rng.IntN(4), 1+rng.IntN(2))
		}
		delta := randomDirection(rng, p)
		for j := range delta {
			switch rng.IntN(3) {
			case 0:
				delta[j] = Neuron{W: exact.NewVec(p.D()), A: exact.NewVec(p.K())}
			case 1:
				if p.N() > 0 {
					delta[j].W = p.X.Row(rng.IntN(p.N())).Clone() // t = 0 on boundary samples
				}
			}
		}
		st := newState(p)
		var wantR *big.Rat
		for j, nr := range p.Neurons {
			for _, x := range p.X.Vecs() {
				z, dz := nr.W.Dot(x), delta[j].W.Dot(x)
				if z.Sign() == 0 || dz.Sign() == 0 {
					continue
				}
				q := new(big.Rat).Quo(z, dz)
				q.Abs(q)
				if wantR == nil || q.Cmp(wantR) < 0 {
					wantR = q
				}
			}
		}
		if gotR := st.SafeRadius(delta); (gotR == nil) != (wantR == nil) || (gotR != nil && gotR.Cmp(wantR) != 0) {
			t.Fatalf("trial %d: safe radius %v, want %v", trial, gotR, wantR)
		}
		got := st.Expansion(delta)
		want := slowExpansion(p, delta)
		for q := range want {
			if got[q].Cmp(want[q]) != 0 {
				t.Fatalf("trial %d: coefficient %d = %s, want %s", trial, q, got[q].RatString(), want[q].RatString())
			}
		}
	}
}

// TestS2ShortcutSameCertificate: for neurons without boundary terms, the
// shortcut's proof is the one the exact simplex gives.
func TestS2ShortcutSameCertificate(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	checked := 0
	for trial := 0; trial < 200; trial++ {
		p := randomPoint(rng)
		if trial%2 == 0 {
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				p.Y.SetRow(i, p.Output(x))
			}
		}
		s := newState(p)
		for j := range p.Neurons {
			bt := s.boundary(j)
			if p.Neurons[j].A.IsZero() || len(bt.zPlus)+len(bt.zMinus) > 0 || !bt.v.IsZero() {
				continue
			}
			got, err := s.TheoremS2(j, Options{})
			if err != nil {
				t.Fatal(err)
			}
			cells, _ := arrangement.Cells(nil, p.D(), 0)
			sol, err := s.cellLP(bt, map[int]bool{}).Solve()
			if err != nil || sol.Status != lp.Optimal {
				t.Fatalf("trial %d: simplex %v %v", trial, sol.Status, err)
			}
			want := CellProof{Point: cells[0].Point, Lambda: sol.X[:0], Mu: sol.X[0:]}
			if !got.holds || len(got.proof.Cells) != 1 || !reflect.DeepEqual(got.proof.Cells[0], want) {
				t.Fatalf("trial %d: %+v, want %+v", trial, got.proof.Cells, want)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no neuron without boundary terms")
	}
}

// sumRat returns entry q of a sum vector as a rational, divided by
// extra·dr·dx (extra may be nil for 1).
func (e *engine) sumRat(words []uint64, q int, extra *big.Int) *big.Rat {
	var z big.Int
	exact.WordsInt(&z, words[q*e.sumW:(q+1)*e.sumW])
	den := new(big.Int).Mul(e.dr, e.dx)
	if extra != nil {
		den.Mul(den, extra)
	}
	return new(big.Rat).SetFrac(&z, den)
}

// sumMat returns c₊S⁺ + c₋S⁻ + c₀S⁰ for neuron j as a k×d rational matrix
// (coefficients may be nil for 0).
func (e *engine) sumMat(j int, cp, cn, cz *big.Rat) exact.Mat {
	s := e.neuronSums(j)
	out := exact.NewMat(e.k, e.d)
	var t big.Rat
	for l := 0; l < e.k; l++ {
		for c := 0; c < e.d; c++ {
			q := l*e.d + c
			for _, term := range []struct {
				c *big.Rat
				w []uint64
			}{{cp, s.pos}, {cn, s.negInto(make([]uint64, len(s.tot)))}, {cz, s.zero}} {
				if term.c == nil || term.c.Sign() == 0 {
					continue
				}
				v := e.sumRat(term.w, q, nil)
				if v.Sign() == 0 {
					continue
				}
				t.Mul(v, term.c)
				out[l][c].Add(out[l][c], &t)
			}
		}
	}
	return out
}

// pre returns w_j·x_i exactly.
func (e *engine) pre(j, i int) *big.Rat {
	switch e.sg.sign(j, i) {
	case 0:
		return new(big.Rat)
	}
	acc := make([]uint64, exact.WordsFor(e.bx+e.bw+bitlen(e.d)+1))
	exact.DotWords(acc, e.w.Row(j), e.w.W, e.xRow(i, make([]uint64, e.d*e.xW)), e.xW)
	var z big.Int
	exact.WordsInt(&z, acc)
	den := new(big.Int).Mul(e.dw, e.dx)
	return new(big.Rat).SetFrac(&z, den)
}

// TestComboIsZeroPlanted: on planted local minima every Q_j ≡ 0, so (E1)
// holds for every neuron (the integer test says so), and moving one target
// of a sample with a nonzero input breaks it for some neuron whose
// E1Matrix is then nonzero.
func TestComboIsZeroPlanted(t *testing.T) {
	for _, act := range []Activation{ReLU(), {Pos: big.NewRat(1, 1), Neg: big.NewRat(1, 4)}} {
		p, _, err := Generate(GenConfig{Kind: GenLocalMin, N: 40, D: 3, M: 4, K: 2, Act: act, Boundary: 6, Dyadic: true, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		two := big.NewInt(2)
		e1Zero := func(st *state, j int) bool {
			ev := st.ev
			return ev.comboIsZero(j, new(big.Int).Mul(ev.sp, two), new(big.Int).Mul(ev.sn, two), new(big.Int).Add(ev.sp, ev.sn))
		}
		st := newState(p)
		for j := range p.Neurons {
			if !e1Zero(st, j) || !st.E1Matrix(j).IsZero() {
				t.Fatalf("%v: planted neuron %d has E1 ≠ 0", act, j)
			}
		}
		p.Y.SetRow(0, p.Y.Row(0).Add(exact.VecOf(1, 0)))
		st = newState(p)
		broken := false
		for j := range p.Neurons {
			if z := e1Zero(st, j); z != st.E1Matrix(j).IsZero() {
				t.Fatalf("%v: neuron %d: comboIsZero %v, E1 %v", act, j, z, st.E1Matrix(j))
			} else if !z {
				broken = true
			}
		}
		if !broken {
			t.Fatalf("%v: a moved target left every E1 zero", act)
		}
	}
}
