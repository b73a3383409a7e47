package verify

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestOutputBiasNetwork checks f(x) = Σ_j a_j ρ(w_j·x) + b, the residuals
// and the loss on points worked out by hand.
func TestOutputBiasNetwork(t *testing.T) {
	// k = 1: x = 1, 2; y = 1, 0; w = 1, a = 1, b = 1/2 (ReLU):
	// f = 3/2, 5/2; r = 1/2, 5/2; L = (1/4)(1/4 + 25/4) = 13/8.
	p := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1), vec(2)}), Y: exact.RatMatOf([]exact.Vec{vec(1), vec(0)}),
		Neurons: []Neuron{{W: vec(1), A: vec(1)}}, OutputBias: rvec("1/2")}
	// k = 2: x = 1, −1; y = (0, 0), (1, 1); w = 2, a = (1, 3), b = (1, −1):
	// f(1) = (2, 6) + b = (3, 5), f(−1) = b = (1, −1);
	// r = (3, 5), (0, −2); L = (1/4)(9 + 25 + 0 + 4) = 19/2.
	q := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1), vec(-1)}), Y: exact.RatMatOf([]exact.Vec{vec(0, 0), vec(1, 1)}),
		Neurons: []Neuron{{W: vec(2), A: vec(1, 3)}}, OutputBias: vec(1, -1)}
	// No neurons at all: f = b; x = 0 (a zero sample), y = 3, b = 1: r = −2, L = 2.
	z := &Point{Act: Abs(), X: exact.RatMatOf([]exact.Vec{vec(0)}), Y: exact.RatMatOf([]exact.Vec{vec(3)}), OutputBias: vec(1)}
	for _, tc := range []struct {
		name string
		p    *Point
		f, r []exact.Vec
		loss string
	}{
		{"k=1", p, []exact.Vec{rvec("3/2"), rvec("5/2")}, []exact.Vec{rvec("1/2"), rvec("5/2")}, "13/8"},
		{"k=2", q, []exact.Vec{vec(3, 5), vec(1, -1)}, []exact.Vec{vec(3, 5), vec(0, -2)}, "19/2"},
		{"m=0", z, []exact.Vec{vec(1)}, []exact.Vec{vec(-2)}, "2"},
	} {
		for i := range tc.p.X.Rows() {
			x := tc.p.X.Row(i)
			if got := tc.p.Output(x); !got.Equal(tc.f[i]) {
				t.Errorf("%s: f(x_%d) = %v, want %v", tc.name, i, got, tc.f[i])
			}
		}
		r := ResidualsOf(tc.p)
		for i := range r {
			if !r[i].Equal(tc.r[i]) {
				t.Errorf("%s: r_%d = %v, want %v", tc.name, i, r[i], tc.r[i])
			}
		}
		if got := Loss(tc.p); got.RatString() != tc.loss {
			t.Errorf("%s: L = %s, want %s", tc.name, got.RatString(), tc.loss)
		}
		// Without the output bias the same weights give other residuals.
		nb := tc.p.Clone()
		nb.OutputBias = nil
		if Loss(nb).Cmp(Loss(tc.p)) == 0 {
			t.Errorf("%s: the output bias does not change the loss", tc.name)
		}
	}
	// Clone is deep; AddBias moves b only.
	c := p.Clone()
	c.OutputBias[0].SetInt64(9)
	if p.OutputBias[0].Cmp(big.NewRat(1, 2)) != 0 {
		t.Errorf("Clone shares the output bias")
	}
	m := p.AddBias(rvec("-1/2"))
	if !m.OutputBias.IsZero() || p.OutputBias[0].Cmp(big.NewRat(1, 2)) != 0 {
		t.Errorf("AddBias: %v (from %v)", m.OutputBias, p.OutputBias)
	}
	// b = 0: f = 1, 2; r = 0, 2; L = (1/4)(0 + 4) = 1.
	if got := Loss(m); got.RatString() != "1" {
		t.Errorf("L at b = 0: %s, want 1", got.RatString())
	}
}

func TestOutputBiasValidate(t *testing.T) {
	p := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1)}), Y: exact.RatMatOf([]exact.Vec{vec(1, 2)}),
		Neurons: []Neuron{{W: vec(1), A: vec(1, 1)}}, OutputBias: vec(1)}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "output_bias: length 1, want k = 2") {
		t.Errorf("short output bias: %v", err)
	}
	p.OutputBias = exact.Vec{big.NewRat(1, 1), nil}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "output_bias[1]") {
		t.Errorf("nil entry: %v", err)
	}
	p.OutputBias = vec(0, 0)
	if err := p.Validate(); err != nil {
		t.Errorf("zero output bias rejected: %v", err)
	}
}

// naiveLoss evaluates L = (1/2n) Σ_i |f(x_i) − y_i|² from Output, the plain
// big.Rat definition of the network (not the integer engine).
func naiveLoss(p *Point) *big.Rat {
	s := new(big.Rat)
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		s.Add(s, p.Output(x).Sub(p.Y.Row(i)).Norm2())
	}
	return s.Quo(s, big.NewRat(2*int64(p.N()), 1))
}

// TestExpansionWithOutputBias checks (★) with an output bias: moving
// (δw, δa, δb), L(θ+σΔ) − L(θ) = σ(δb·ḡ + Σ_j …) + … matches the exact loss
// evaluated from the definition at random rational perturbations, and its
// linear coefficient is δb·(1/n)Σ_i r_i + Σ_j [δa_j·G_j + φ_j(δw_j)].
func TestExpansionWithOutputBias(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 5))
	for trial := 0; trial < 200; trial++ {
		p := randomPoint(rng)
		p.OutputBias = randVec(rng, p.K(), 3)
		s := newState(p)
		delta := randomDirection(rng, p)
		if trial%4 == 0 {
			delta = p.ZeroDirection() // δb alone
		}
		db := randVec(rng, p.K(), 3)
		poly := s.ExpansionBias(delta, db)
		sigma := big.NewRat(1, 1)
		if r := s.SafeRadius(delta); r != nil && r.Cmp(sigma) <= 0 {
			sigma = new(big.Rat).Mul(r, big.NewRat(int64(1+rng.IntN(9)), 10))
		}
		q := p.Add(delta.Scale(sigma)).AddBias(db.Scale(sigma))
		want := new(big.Rat).Sub(naiveLoss(q), naiveLoss(p))
		if got := poly.Eval(sigma); got.Cmp(want) != 0 {
			t.Fatalf("trial %d: (★) with δb gives %s, direct evaluation %s (σ = %s)", trial, got.RatString(), want.RatString(), sigma.RatString())
		}
		fo := s.FirstOrder(delta)
		fo.Add(fo, db.Dot(s.BiasGradient()))
		if fo.Cmp(poly[1]) != 0 {
			t.Fatalf("trial %d: L'(θ;Δ) = %s but (★) linear coefficient %s", trial, fo.RatString(), poly[1].RatString())
		}
		if naiveLoss(p).Cmp(Loss(p)) != 0 {
			t.Fatalf("trial %d: Loss %s, definition %s", trial, Loss(p).RatString(), naiveLoss(p).RatString())
		}
	}
}

// TestTheoremS0 works one point by hand in three models. ReLU, x = 1, 2,
// y = 1, 3, one dead neuron (w = −1, a = 1), so f ≡ b near θ:
//   - no output bias: f = 0, r = (−1, −3); (S1), (S2) hold trivially and
//     no neuron escapes: a local minimum (L = 5/2 is constant nearby, since
//     the neuron stays dead);
//   - b = 0 trainable: (S0) fails, ∂L/∂b = (1/2)(−1 − 3) = −2, δb = 2,
//     L'(θ; δb) = −4; along b = 2τ, L − 5/2 = 2τ² − 4τ < 0 on (0, 1]
//     (L(b) = ((b−1)² + (b−3)²)/4), and L(2) = 1/2;
//   - b = 2 trainable: r = (1, −1), Σ r_i = 0: a local minimum, not global
//     (L = 1/2): near θ the network is the constant b + δb and
//     ((c−1)² + (c−3)²)/4 ≥ 1/2 with equality only at c = 2.
func TestTheoremS0(t *testing.T) {
	base := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1), vec(2)}), Y: exact.RatMatOf([]exact.Vec{vec(1), vec(3)}),
		Neurons: []Neuron{{W: vec(-1), A: vec(1)}}}
	v, err := Check(base, Options{})
	if err != nil || v.Kind != LocalMin || v.Loss.RatString() != "5/2" || v.BiasGradient != nil {
		t.Fatalf("no output bias: %v %v (L = %v, ∂L/∂b = %v)", v, err, v.Loss, v.BiasGradient)
	}
	p := base.Clone()
	p.OutputBias = vec(0)
	v, err = Check(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := v.Cert.Descent
	if v.Kind != NotStationary || d == nil || d.Condition != "S0" || d.Neuron != -1 ||
		!v.BiasGradient.Equal(vec(-2)) || !d.Bias.Equal(vec(2)) || d.Derivative.RatString() != "-4" {
		t.Fatalf("b = 0: %v %s, descent %+v, ∂L/∂b = %v", v.Kind, v.Reason, d, v.BiasGradient)
	}
	if !d.Path.Bias.Equal(vec(2)) || d.Path.Loss0.RatString() != "5/2" || d.Path.Loss1.RatString() != "1/2" {
		t.Errorf("b = 0: path δb = %v, L %v → %v; want 2, 5/2 → 1/2", d.Path.Bias, d.Path.Loss0, d.Path.Loss1)
	}
	if err := Recheck(p, v); err != nil {
		t.Errorf("b = 0: Recheck: %v", err)
	}
	p.OutputBias = vec(2)
	v, err = Check(p, Options{})
	if err != nil || v.Kind != LocalMin || v.Loss.RatString() != "1/2" || !v.BiasGradient.IsZero() {
		t.Fatalf("b = 2: %v %v", v, err)
	}
	if err := Recheck(p, v); err != nil {
		t.Errorf("b = 2: Recheck: %v", err)
	}
	// The same certificate does not pass for b = 1 (Σ r_i = −2 ≠ 0; the
	// loss is corrected so that only (S0) is wrong).
	p.OutputBias = vec(1)
	w := *v
	w.Loss = Loss(p)
	if err := Recheck(p, &w); err == nil || !strings.Contains(err.Error(), "(S0)") {
		t.Errorf("b = 1 with a local-min certificate: %v", err)
	}
}

// TestRecheckRejectsBadBiasMoves tampers with the output-bias parts of
// certificates.
func TestRecheckRejectsBadBiasMoves(t *testing.T) {
	p := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1), vec(2)}), Y: exact.RatMatOf([]exact.Vec{vec(1), vec(3)}),
		Neurons: []Neuron{{W: vec(-1), A: vec(1)}}, OutputBias: vec(0)}
	fresh := func() *Verdict {
		v, err := Check(p, Options{})
		if err != nil || v.Kind != NotStationary {
			t.Fatal(v, err)
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		tamper func(v *Verdict)
		want   string
	}{
		{"reversed", func(v *Verdict) { v.Cert.Descent.Bias = vec(-2); v.Cert.Descent.Path.Bias = vec(-2) }, ""},
		{"path not along", func(v *Verdict) { v.Cert.Descent.Path.Bias = vec(1) }, ""},
		{"no path bias", func(v *Verdict) { v.Cert.Descent.Path.Bias = nil }, ""},
		{"wrong length", func(v *Verdict) { v.Cert.Descent.Path.Bias = vec(1, 1) }, "shape"},
		{"too far", func(v *Verdict) { v.Cert.Descent.Bias = vec(4); v.Cert.Descent.Path.Bias = vec(4) }, ""},
		{"wrong L1", func(v *Verdict) { v.Cert.Descent.Path.Loss1 = big.NewRat(1, 3) }, "L(θ+Δ)"},
	} {
		v := fresh()
		tc.tamper(v)
		err := Recheck(p, v)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Recheck gave %v", tc.name, err)
		}
	}
	// A bias move on a network without an output bias.
	q := p.Clone()
	q.OutputBias = nil
	q.Neurons[0].A = vec(0)
	q.Neurons[0].W = vec(1)
	v, err := Check(q, Options{})
	if err != nil || v.Kind != NotStationary {
		t.Fatal(v, err)
	}
	v.Cert.Descent.Bias = vec(1)
	if err := Recheck(q, v); err == nil || !strings.Contains(err.Error(), "output bias") {
		t.Errorf("bias move without an output bias: %v", err)
	}
}

// TestEmbedKeepsOutputBias: the embedding operations keep b (the network
// function includes it), and SameFunction tells a network with an output
// bias from one without, even when b = 0.
func TestEmbedKeepsOutputBias(t *testing.T) {
	p := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1), vec(2)}), Y: exact.RatMatOf([]exact.Vec{vec(1), vec(3)}),
		Neurons: []Neuron{{W: vec(-1), A: vec(1)}}, OutputBias: vec(2)}
	for _, op := range []Op{
		{Kind: OpSplit, J: 0, Lambda: big.NewRat(1, 3)},
		{Kind: OpAddZeroOutput, W: vec(1)},
		{Kind: OpAddZeroInput, A: vec(5)},
		{Kind: OpRescale, J: 0, C: big.NewRat(3, 1)},
	} {
		e, err := Apply(p, op)
		if err != nil {
			t.Fatal(err)
		}
		if !e.To.OutputBias.Equal(vec(2)) {
			t.Errorf("%s: output bias %v, want [2]", op, e.To.OutputBias)
		}
		v, err := Check(e.To, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := Recheck(e.To, v); err != nil {
			t.Errorf("%s: %v", op, err)
		}
	}
	z := p.Clone()
	z.OutputBias = vec(0)
	nb := z.Clone()
	nb.OutputBias = nil
	if err := SameFunction(z, nb); err == nil || !strings.Contains(err.Error(), "output bias") {
		t.Errorf("SameFunction(b = 0, no b) = %v", err)
	}
	if err := SameFunction(z, p); err == nil {
		t.Errorf("SameFunction(b = 0, b = 2) = nil")
	}
}

// TestSnapOutputBias: snap treats b as one more unknown of its least
// squares, so the snapped point satisfies (S0) exactly. Expected values by
// hand: a dead neuron leaves f ≡ b, whose best value is the mean of y; on
// the Figure 3 data the zero network's b is mean y = 11/250; with the
// Figure 3 final plateau the network is the affine least-squares fit, whose
// residuals sum to 0.
func TestSnapOutputBias(t *testing.T) {
	f := func(s string) *big.Rat {
		x, _ := new(big.Rat).SetString(s)
		g, _ := x.Float64()
		return new(big.Rat).SetFloat64(g) // the float64 a training run would hold
	}
	fig3 := func() *Point {
		p := &Point{Act: ReLU()}
		for i, x := range []string{"-1", "-3/5", "-1/10", "3/10", "7/10"} {
			p.X = p.X.AppendRow(rvec(x, "1")) // exact data, float weights (as train has them)
			p.Y = p.Y.AppendRow(rvec([]string{"7/25", "-1/10", "3/100", "23/100", "-11/50"}[i]))
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		p     *Point
		kind  VerdictKind
		wantB string // "" when only (S0) is checked
	}{
		{"dead", &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1), vec(2)}), Y: exact.RatMatOf([]exact.Vec{vec(1), vec(3)}),
			Neurons: []Neuron{{W: exact.Vec{f("-1.0000003")}, A: exact.Vec{f("0.9999")}}}, OutputBias: exact.Vec{f("2.0000001")}}, LocalMin, "2"},
		{"fig3 origin", func() *Point {
			p := fig3()
			p.Neurons = []Neuron{{W: exact.Vec{f("1e-9"), f("2e-9")}, A: exact.Vec{f("-3e-9")}}, {W: exact.Vec{f("-2e-9"), f("1e-9")}, A: exact.Vec{f("1e-9")}}}
			p.OutputBias = exact.Vec{f("0.04400003")}
			return p
		}(), Saddle, "11/250"},
		{"fig3 final", func() *Point {
			p := fig3()
			p.Neurons = []Neuron{{W: exact.Vec{f("-0.8503239"), f("0.6769546")}, A: exact.Vec{f("-1.0000001")}},
				{W: exact.Vec{f("-1.0000002"), f("0.7000001")}, A: exact.Vec{f("0.9999999")}}}
			p.OutputBias = exact.Vec{f("0.0000002")}
			return p
		}(), LocalMin, ""},
	} {
		res, err := Snap(tc.p, SnapOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Failure != nil || res.Verdict == nil {
			t.Fatalf("%s: snap failed: %+v", tc.name, res.Failure)
		}
		q := res.Point
		if q.OutputBias == nil || (tc.wantB != "" && q.OutputBias[0].RatString() != tc.wantB) {
			t.Errorf("%s: snapped b = %v, want %s", tc.name, q.OutputBias, tc.wantB)
		}
		sum := new(big.Rat)
		for _, r := range ResidualsOf(q) {
			sum.Add(sum, r[0])
		}
		if sum.Sign() != 0 || res.Verdict.Kind != tc.kind || res.RecheckErr != nil {
			t.Errorf("%s: Σ r_i = %s, verdict %v (%s), recheck %v; want Σ r_i = 0, %v", tc.name, sum.RatString(), res.Verdict.Kind, res.Verdict.Reason, res.RecheckErr, tc.kind)
		}
		if res.Residuals.BiasGradient == nil {
			t.Errorf("%s: the float point's residuals lack ∂L/∂b", tc.name)
		}
	}
}

// TestSecondOrderWithOutputBias works test 2 by hand on
// bias-k2-completes-escape-saddle at the critical direction u = (−1, 0):
// e = (ρ'(w·x_i; u·x_i))_i = (−1, 0), q = Q(u) = (0, 1), Φ = (1, 1)ᵀ, n = 2.
// Without b, c₂(b) = (1/2) b·q + (1/4)(|b + a e_1|² + |b + a e_2|²) is least
// at b = (1, −1/2) with c₂ = −1/4 + 5/8 = 3/8 ≥ 0: no descent. With b, the
// ones column equals Φ's column, so c₂(b, β) = (1/2) b·q + (1/4) Σ_i |b + β + a e_i|²
// is unbounded below along b = −τq, β = τq: the test returns a move of b
// with c₂ < 0.
func TestSecondOrderWithOutputBias(t *testing.T) {
	p := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1, 0), vec(0, 1)}), Y: exact.RatMatOf([]exact.Vec{vec(2, 1), vec(2, -1)}),
		Neurons: []Neuron{{W: vec(1, 1), A: vec(2, 0)}}}
	u := vec(-1, 0)
	s := newState(p)
	s.preAll()
	d, db, consistent := s.secondOrderMinQ(0, u)
	if !consistent || db != nil || s.Expansion(d)[2].RatString() != "3/8" || !d[0].A.Equal(rvec("1", "-1/2")) {
		t.Errorf("without b: min c₂ = %s at b = %v (consistent %t, δb %v); want 3/8 at (1, −1/2)", s.Expansion(d)[2].RatString(), d[0].A, consistent, db)
	}
	if d, _ := s.SecondOrderTest(0, u); d != nil {
		t.Errorf("without b: test 2 found a descent")
	}
	p.OutputBias = vec(0, 0)
	s = newState(p)
	s.preAll()
	d, db, consistent = s.secondOrderMinQ(0, u)
	if consistent || db == nil || s.ExpansionBias(d, db)[2].Sign() >= 0 {
		t.Errorf("with b: consistent %t, δb %v, c₂ = %v; want an unbounded c₂ and a negative value along a move of b", consistent, db, s.ExpansionBias(d, db)[2])
	}
	if d, db := s.SecondOrderTest(0, u); d == nil || db == nil {
		t.Errorf("with b: test 2 found no descent")
	}
}
