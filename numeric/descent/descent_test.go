package descent

import (
	"image/png"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// rats parses decimal or fraction strings exactly.
func rats(t *testing.T, ss ...string) exact.Vec {
	t.Helper()
	v := make(exact.Vec, len(ss))
	for i, s := range ss {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("bad number %q", s)
		}
		v[i] = r
	}
	return v
}

// fig3 is the data of docs/theory.md §7: x_i = (x, 1), ReLU, scalar targets.
func fig3(t *testing.T) *verify.Point {
	t.Helper()
	p := &verify.Point{Act: verify.ReLU()}
	xs := []string{"-1", "-0.6", "-0.1", "0.3", "0.7"}
	ys := []string{"0.28", "-0.1", "0.03", "0.23", "-0.22"}
	for i := range xs {
		p.X = p.X.AppendRow(rats(t, xs[i], "1"))
		p.Y = p.Y.AppendRow(rats(t, ys[i]))
	}
	return p
}

// tiny2 is a small leaky-ReLU case with k = 2 outputs.
func tiny2(t *testing.T) *verify.Point {
	t.Helper()
	return &verify.Point{
		Act: verify.Leaky(big.NewRat(1, 10)),
		X:   exact.RatMatOf([]exact.Vec{rats(t, "1", "0.5"), rats(t, "-0.3", "1"), rats(t, "0.2", "-0.7")}),
		Y:   exact.RatMatOf([]exact.Vec{rats(t, "0.4", "-1"), rats(t, "0.1", "0.3"), rats(t, "-0.5", "0.2")}),
	}
}

func mustProblem(t *testing.T, p *verify.Point, l LossKind) *Problem {
	t.Helper()
	pr, err := NewProblem(p, l)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func TestGradientFiniteDifferences(t *testing.T) {
	for _, l := range []LossKind{MSE, HalfN} {
		pr := mustProblem(t, tiny2(t), l)
		th, _, err := pr.Init(3, big.NewRat(0, 1), 7) // β = 1: O(1) weights
		if err != nil {
			t.Fatal(err)
		}
		// a differentiable point: every pre-activation well away from 0
		for j := range 3 {
			for i := range pr.N() {
				z := th.W.At(j, 0)*pr.X.At(i, 0) + th.W.At(j, 1)*pr.X.At(i, 1)
				if math.Abs(z) < 1e-2 {
					t.Fatalf("seed gives a pre-activation %g near 0; pick another", z)
				}
			}
		}
		_, g, err := pr.Gradient(th)
		if err != nil {
			t.Fatal(err)
		}
		const h = 1e-6
		check := func(name string, params, grad []float64) {
			for i := range params {
				old := params[i]
				params[i] = old + h
				lp, _ := pr.Loss(th)
				params[i] = old - h
				lm, _ := pr.Loss(th)
				params[i] = old
				fd := (lp - lm) / (2 * h)
				if math.Abs(fd-grad[i]) > 1e-7*math.Max(1, math.Abs(fd)) {
					t.Errorf("%v: ∂L/∂%s[%d] = %.12g, finite difference %.12g", l, name, i, grad[i], fd)
				}
			}
		}
		w, a := th.raw()
		gw, ga := g.raw()
		check("W", w, gw)
		check("A", a, ga)
	}
}

func TestLossScalings(t *testing.T) {
	pr := mustProblem(t, tiny2(t), MSE)
	th, _, _ := pr.Init(4, big.NewRat(0, 1), 3)
	r, _ := pr.Residuals(th)
	s := 0.0
	for _, v := range r {
		s += v * v
	}
	mse, half, _ := pr.Losses(th)
	if math.Abs(mse-s/6) > 1e-15 || math.Abs(half-s/6) > 1e-15 { // n = 3, k = 2: n·k = 2n = 6
		t.Errorf("mse %g half %g, want both %g", mse, half, s/6)
	}
	pr1 := mustProblem(t, fig3(t), MSE)
	th1, _, _ := pr1.Init(4, big.NewRat(0, 1), 3)
	mse, half, _ = pr1.Losses(th1)
	if math.Abs(half-mse/2) > 1e-16 { // k = 1: half = mse/2
		t.Errorf("k = 1: half %g, mse %g", half, mse)
	}
	// the zero network: mse_loss = mean y² = 0.03812 (docs/theory.md §7)
	if l, _ := pr1.Loss(pr1.NewParams(3)); math.Abs(l-0.03812) > 1e-15 {
		t.Errorf("loss at the origin %.17g, want 0.03812", l)
	}
}

// At a pre-activation exactly 0 the gradient takes ρ'(0) = ρ₋ (PyTorch).
func TestSlopeAtZero(t *testing.T) {
	p := &verify.Point{
		Act: verify.Leaky(big.NewRat(1, 4)),
		X:   exact.RatMatOf([]exact.Vec{rats(t, "0", "1"), rats(t, "1", "1")}),
		Y:   exact.RatMatOf([]exact.Vec{rats(t, "1"), rats(t, "0")}),
	}
	pr := mustProblem(t, p, HalfN)
	th := pr.NewParams(1)
	th.W.Set(0, 0, 1) // w = (1, -1): w·x_0 = -1, w·x_1 = 0 exactly
	th.W.Set(0, 1, -1)
	th.A.Set(0, 0, 2)
	_, g, _ := pr.Gradient(th)
	// f = (2·(-1/4), 0) = (-1/2, 0), r = (-3/2, 0): only sample 0 counts, at slope ρ₋
	// ∂L/∂w = (1/n) a r_0 ρ'(−1) x_0 + (1/n) a r_1 ρ'(0) x_1 = (1/2)·2·(−3/2)·(1/4)·(0,1) + 0
	if g.W.At(0, 0) != 0 || g.W.At(0, 1) != -0.375 {
		t.Fatalf("∂L/∂w = (%g, %g), want (0, -0.375)", g.W.At(0, 0), g.W.At(0, 1))
	}
	// now make sample 1 carry a residual: y_1 = 1, so r_1 = −1 and its term is ρ₋-weighted
	p.Y.SetRow(1, rats(t, "1"))
	pr = mustProblem(t, p, HalfN)
	_, g, _ = pr.Gradient(th)
	// extra term (1/2)·2·(−1)·ρ'(0)·(1,1) with ρ'(0) = ρ₋ = 1/4
	if g.W.At(0, 0) != -0.25 || g.W.At(0, 1) != -0.625 {
		t.Fatalf("∂L/∂w = (%g, %g), want (-0.25, -0.625): ρ'(0) must be ρ₋", g.W.At(0, 0), g.W.At(0, 1))
	}
}

func TestBeta(t *testing.T) {
	cases := []struct {
		width int
		mu    *big.Rat
		want  float64
	}{
		{50, big.NewRat(-3, 1), 8e-6},                   // 1/125000
		{50, big.NewRat(-1, 2), 0.14142135623730950488}, // 1/√50 = √2/10, rounded
		{4, big.NewRat(-1, 2), 0.5},
		{8, big.NewRat(-1, 3), 0.5}, // exactly 1/2: needs a correctly rounded cube root
		{1000, big.NewRat(-1, 3), 0.1},
		{50, big.NewRat(0, 1), 1},
		{2, big.NewRat(-1074, 1), math.SmallestNonzeroFloat64},
	}
	for _, c := range cases {
		got, _, err := Beta(c.width, c.mu)
		if err != nil {
			t.Errorf("Beta(%d, %s): %v", c.width, c.mu.RatString(), err)
			continue
		}
		if got != c.want {
			t.Errorf("Beta(%d, %s) = %.17g, want %.17g", c.width, c.mu.RatString(), got, c.want)
		}
	}
	if _, _, err := Beta(0, big.NewRat(-1, 2)); err == nil {
		t.Error("width 0 accepted")
	}
	if _, _, err := Beta(2, big.NewRat(-2000, 1)); err == nil {
		t.Error("an underflowing β accepted")
	}
}

func TestInit(t *testing.T) {
	pr := mustProblem(t, fig3(t), MSE)
	th, beta, err := pr.Init(2000, big.NewRat(-1, 2), 42)
	if err != nil {
		t.Fatal(err)
	}
	w, a := th.raw()
	for name, v := range map[string][]float64{"W": w, "A": a} {
		s, s2 := 0.0, 0.0
		for _, x := range v {
			s += x
			s2 += x * x
		}
		n := float64(len(v))
		mean, sd := s/n, math.Sqrt(s2/n-(s/n)*(s/n))
		if math.Abs(mean) > 4*beta/math.Sqrt(n) || math.Abs(sd/beta-1) > 0.05 {
			t.Errorf("%s: mean %g, sd %g, want ≈ 0 and β = %g", name, mean, sd, beta)
		}
	}
	th2, _, _ := pr.Init(2000, big.NewRat(-1, 2), 42)
	th3, _, _ := pr.Init(2000, big.NewRat(-1, 2), 43)
	if th2.W.At(17, 1) != th.W.At(17, 1) || th2.A.At(1999, 0) != th.A.At(1999, 0) {
		t.Error("same seed, different initialisation")
	}
	if th3.W.At(17, 1) == th.W.At(17, 1) {
		t.Error("different seeds, same initialisation")
	}
}

func TestShortRunDecreases(t *testing.T) {
	pr := mustProblem(t, fig3(t), MSE)
	run, err := pr.Train(Config{Width: 20, Mu: big.NewRat(-1, 2), LR: 0.05, Steps: 3000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Loss) != 3001 {
		t.Fatalf("%d losses recorded, want 3001", len(run.Loss))
	}
	l0, l1 := run.Loss[0], run.Loss[3000]
	if !(l1 < 0.7*l0) {
		t.Errorf("loss %g → %g: did not decrease by 30%%", l0, l1)
	}
	if l, _ := pr.Loss(run.Final); l != l1 {
		t.Errorf("recorded final loss %g, recomputed %g", l1, l)
	}
	// Init is the seed's initialisation, untouched by training
	th, _, _ := pr.Init(20, big.NewRat(-1, 2), 5)
	if th.W.At(3, 1) != run.Init.W.At(3, 1) || run.Final.W.At(3, 1) == th.W.At(3, 1) {
		t.Error("Init/Final bookkeeping")
	}
	if len(run.Angles) != len(run.AngleSteps) || run.AngleSteps[len(run.AngleSteps)-1] != 3000 {
		t.Errorf("angles recorded at %d steps, last %d", len(run.AngleSteps), run.AngleSteps[len(run.AngleSteps)-1])
	}
	w := run.Final.W
	if got, want := run.Angles[len(run.Angles)-1][7], math.Atan2(w.At(7, 1), w.At(7, 0)); got != want {
		t.Errorf("final angle of neuron 7: %g, want %g", got, want)
	}
}

// synthetic builds a loss curve from pieces: flat levels joined by ramps
// that are linear in ln L.
func synthetic(levels []float64, flat, ramp []int) []float64 {
	var out []float64
	for i, lv := range levels {
		for range flat[i] {
			out = append(out, lv)
		}
		if i+1 < len(levels) {
			a, b := math.Log(lv), math.Log(levels[i+1])
			for s := 1; s <= ramp[i]; s++ {
				out = append(out, math.Exp(a+(b-a)*float64(s)/float64(ramp[i])))
			}
		}
	}
	return out
}

func TestDetectPlateaus(t *testing.T) {
	rule := PlateauRule{Window: 100, Eps: 1e-3}
	// steps 0–999 at 1, ramp to 0.5 over 1000–1199, 0.5 on 1200–2999,
	// ramp 3000–3199, 0.2 on 3200–4999
	L := synthetic([]float64{1, 0.5, 0.2}, []int{1000, 1800, 1800}, []int{200, 200})
	if len(L) != 5000 {
		t.Fatalf("curve has %d steps", len(L))
	}
	// a blip of 2ε inside the first plateau (steps 500…) is not a plateau
	// boundary: the windows before and after it touch and merge
	for t := 500; t < 1000; t++ {
		L[t] *= math.Exp(-2e-3)
	}
	got, err := DetectPlateaus(L, rule)
	if err != nil {
		t.Fatal(err)
	}
	want := []Plateau{
		{Start: 0, End: 999, At: 999, Loss: L[999]},
		{Start: 1199, End: 2999, At: 2999, Loss: 0.5},
		{Start: 3199, End: 4999, At: 4999, Loss: 0.2},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Start != w.Start || g.End != w.End || g.At != w.At || math.Abs(g.Loss-w.Loss) > 1e-12 {
			t.Errorf("plateau %d: got %+v, want %+v", i, g, w)
		}
	}

	// a dip lasting 200 steps (two single-step jumps) merges too, and a
	// tail that is still descending is not a plateau
	L2 := synthetic([]float64{1, 0.5}, []int{1000, 0}, []int{300})
	for t := 400; t < 600; t++ {
		L2[t] *= math.Exp(-2e-3)
	}
	got, _ = DetectPlateaus(L2, rule)
	if len(got) != 1 || got[0].Start != 0 || got[0].End != 999 {
		t.Errorf("dip and descending tail: got %+v, want one plateau 0–999", got)
	}
	// a drop spread over two steps splits: the windows before and after no
	// longer touch
	L4 := synthetic([]float64{1, 0.99}, []int{500, 500}, []int{2})
	got, _ = DetectPlateaus(L4, rule)
	want = []Plateau{{Start: 0, End: 499, At: 499, Loss: 1}, {Start: 501, End: 1001, At: 1001, Loss: 0.99}}
	if len(got) != 2 || got[0] != want[0] || got[1].Start != 501 || got[1].End != 1001 || math.Abs(got[1].Loss-0.99) > 1e-15 {
		t.Errorf("two-step drop: got %+v, want %+v", got, want)
	}

	// At is the flattest step, not the last
	L3 := make([]float64, 400)
	for t := range L3 {
		L3[t] = 1 + 1e-7*math.Abs(float64(t-250)) // flattest window ends near 250 (+W/2)
	}
	got, _ = DetectPlateaus(L3, rule)
	if len(got) != 1 || got[0].Start != 0 || got[0].End != 399 || got[0].At < 250 || got[0].At > 300 {
		t.Errorf("V-shaped curve: got %+v, want one plateau 0–399 with At in [250, 300]", got)
	}

	for _, bad := range []PlateauRule{{0, 1e-3}, {10, 0}, {10, math.NaN()}, {10, -1}} {
		if _, err := DetectPlateaus(L, bad); err == nil {
			t.Errorf("rule %+v accepted", bad)
		}
	}
	// zero and NaN losses are never flat
	got, _ = DetectPlateaus(make([]float64, 500), rule)
	if len(got) != 0 {
		t.Errorf("zero loss: %+v", got)
	}
}

// The reference experiment, shortened: from μ = −3 the first plateau is
// the origin (loss mean y² = 0.03812), the zero neurons escape at the rate
// γ = 2λ that the escape analysis predicts, and they point where it says.
func TestOriginPlateauEscapeRate(t *testing.T) {
	pr := mustProblem(t, fig3(t), MSE)
	const steps = 30000
	run, err := pr.Train(Config{Width: 50, Mu: big.NewRat(-3, 1), LR: 1e-3, Steps: steps, Seed: 1,
		Rule: PlateauRule{Window: 3000, Eps: 1e-3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Plateaus) != 1 || run.Plateaus[0].Start != 0 || run.Plateaus[0].End != steps {
		t.Fatalf("plateaus %+v, want one from 0 to the end", run.Plateaus)
	}
	if math.Abs(run.Plateaus[0].Loss-0.03812) > 1e-8 {
		t.Errorf("origin plateau loss %g, want 0.03812", run.Plateaus[0].Loss)
	}
	// the online detector and DetectPlateaus agree
	again, _ := DetectPlateaus(run.Loss, run.Config.Rule)
	if len(again) != 1 || again[0] != run.Plateaus[0] {
		t.Errorf("DetectPlateaus %+v, Train %+v", again, run.Plateaus)
	}
	an := run.Analyse(1e-3)[0]
	e := an.Escape
	// brute force: |Q(u)|/n on a fine grid never beats λ, and comes close
	r, _ := pr.Residuals(run.Points[0].At.Theta)
	best := 0.0
	q := make([]float64, 1)
	for s := range 200000 {
		phi := 2 * math.Pi * float64(s) / 200000
		pr.q(r, []float64{math.Cos(phi), math.Sin(phi)}, q)
		best = math.Max(best, math.Abs(q[0])/5)
	}
	if best > e.Lambda*(1+1e-12) || best < e.Lambda*(1-1e-8) {
		t.Errorf("λ = %.12g, grid maximum %.12g", e.Lambda, best)
	}
	if math.Abs(e.Rate-2*e.Lambda) > 0 {
		t.Errorf("mse rate %g, want 2λ = %g", e.Rate, 2*e.Lambda)
	}
	// measured growth of the largest neuron between steps 15000 and 30000
	idx := func(step int) int {
		for i, st := range run.AngleSteps {
			if st >= step {
				return i
			}
		}
		return len(run.AngleSteps) - 1
	}
	i0, i1 := idx(15000), idx(30000)
	big0, big1 := 0.0, 0.0
	for j := range 50 {
		big0 = math.Max(big0, run.Scales[i0][j])
		big1 = math.Max(big1, run.Scales[i1][j])
	}
	rate := math.Log(big1/big0) / (float64(run.AngleSteps[i1]-run.AngleSteps[i0]) * 1e-3)
	if math.Abs(rate/e.Rate-1) > 0.02 {
		t.Errorf("measured growth rate %.5g, predicted γ = %.5g", rate, e.Rate)
	}
	// the largest neurons point along the best escape direction
	w := run.Final.W
	for j := range 50 {
		if run.Scales[i1][j] < big1/2 {
			continue
		}
		if a := angleBetween([]float64{w.At(j, 0), w.At(j, 1)}, e.Dirs[0]); a > 0.02 {
			t.Errorf("neuron %d at %.4g rad from the escape direction", j, a)
		}
	}
}

func TestPredictedSteps(t *testing.T) {
	// ln(e^3)/(0.5·2) = 3
	r := new(big.Float).SetPrec(200).SetFloat64(math.Exp(3))
	if got := PredictedSteps(r, 0.5, 2); math.Abs(got-3) > 1e-12 {
		t.Errorf("PredictedSteps = %g, want 3", got)
	}
	// a ratio beyond float64: 10^400
	huge := new(big.Float).SetPrec(200).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(400), nil))
	if got := PredictedSteps(huge, 1, 1); math.Abs(got-400*math.Ln10) > 1e-9 {
		t.Errorf("PredictedSteps(1e400) = %g, want %g", got, 400*math.Ln10)
	}
	if !math.IsInf(PredictedSteps(r, 1, 0), 1) || !math.IsNaN(PredictedSteps(new(big.Float), 1, 1)) {
		t.Error("edge cases")
	}
}

func TestEscapeDirectionsHigherDim(t *testing.T) {
	// d = 3, ReLU: residual only on one sample ⇒ Q(u) = r_0 (x_0·u)₊, so
	// |Q|/n is maximal at u = x_0/|x_0| with value |r_0||x_0|/n.
	p := &verify.Point{
		Act: verify.ReLU(),
		X:   exact.RatMatOf([]exact.Vec{rats(t, "1", "2", "2"), rats(t, "0", "1", "0")}),
		Y:   exact.RatMatOf([]exact.Vec{rats(t, "-3"), rats(t, "0")}),
	}
	pr := mustProblem(t, p, HalfN)
	e := pr.EscapeOf([]float64{3, 0})
	if e.Exact || math.Abs(e.Lambda-4.5) > 1e-9 {
		t.Fatalf("λ = %g (exact %v), want 3·3/2 = 4.5", e.Lambda, e.Exact)
	}
	if a := angleBetween(e.Dirs[0], []float64{1, 2, 2}); a > 1e-6 {
		t.Errorf("direction %v is %g rad off x_0", e.Dirs[0], a)
	}
}

func TestClassify(t *testing.T) {
	pr := mustProblem(t, fig3(t), MSE)
	th := pr.NewParams(4)
	set := func(j int, w0, w1, a float64) { th.W.Set(j, 0, w0); th.W.Set(j, 1, w1); th.A.Set(j, 0, a) }
	set(0, 0, -1, 1)         // w·x = -1 < 0 on every sample: dead
	set(1, 1e-4, 1e-4, 1e-4) // |a||w| ≈ 1.4e-8 ≤ τ²·scale ≈ 1.7e-7: tiny
	set(2, 1, -0.7, 1)       // w·x_4 = 0: on the hyperplane of x = 0.7
	set(3, 0, 1, 1)          // alive
	got := pr.Classify(th, 1e-3)
	want := []Kind{DeadKind, Tiny, NearBoundary, AliveKind}
	for j := range want {
		if got[j] != want[j] {
			t.Errorf("neuron %d: %v, want %v", j, got[j], want[j])
		}
	}
}

func TestPlot(t *testing.T) {
	pr := mustProblem(t, fig3(t), MSE)
	run, err := pr.Train(Config{Width: 50, Mu: big.NewRat(-3, 1), LR: 0.01, Steps: 20000, Seed: 2,
		Rule: PlateauRule{Window: 500, Eps: 1e-3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Plateaus) == 0 {
		t.Fatal("no plateau to draw")
	}
	path := filepath.Join(t.TempDir(), "run.png")
	if err := Plot(run, []string{"saddle"}, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width < 500 || cfg.Height <= cfg.Width*3/4 { // two stacked panels
		t.Errorf("image %d×%d: want two stacked panels", cfg.Width, cfg.Height)
	}
}
