package descent

import (
	"math"
	"math/big"
	"testing"
)

// TestOutputBiasGradient checks ∂L/∂W, ∂L/∂A and ∂L/∂b against central
// finite differences, for both loss scalings, with a trainable output bias.
func TestOutputBiasGradient(t *testing.T) {
	for _, l := range []LossKind{MSE, HalfN} {
		pr := mustProblem(t, tiny2(t), l)
		pr.OutputBias = true
		th, _, err := pr.Init(3, big.NewRat(0, 1), 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(th.B) != 2 || th.B[0] == 0 {
			t.Fatalf("output bias not initialised: %v", th.B)
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
		check("b", th.B, g.B)
		// ∂L/∂b is the mean residual times dL/df's constant.
		r, _ := pr.Residuals(th)
		for o := range 2 {
			s := 0.0
			for i := range pr.N() {
				s += r[i*2+o]
			}
			want := s / float64(pr.N())
			if l == MSE {
				want *= 2.0 / float64(pr.K()) // (2/(n·k))·Σ_i r_i = (2/k)·mean
			}
			if math.Abs(g.B[o]-want) > 1e-15 {
				t.Errorf("%v: ∂L/∂b[%d] = %g, mean residual gives %g", l, o, g.B[o], want)
			}
		}
	}
}

// TestOutputBiasInit: with an output bias the weights are drawn exactly as
// without one (b is drawn after them), and b has the same scale.
func TestOutputBiasInit(t *testing.T) {
	plain := mustProblem(t, fig3(t), MSE)
	withB := mustProblem(t, fig3(t), MSE)
	withB.OutputBias = true
	a, _, _ := plain.Init(50, big.NewRat(-3, 1), 9)
	b, beta, _ := withB.Init(50, big.NewRat(-3, 1), 9)
	if a.B != nil || len(b.B) != 1 {
		t.Fatalf("output bias %v without, %v with", a.B, b.B)
	}
	for j := range 50 {
		if a.W.At(j, 1) != b.W.At(j, 1) || a.A.At(j, 0) != b.A.At(j, 0) {
			t.Fatalf("neuron %d drawn differently with an output bias", j)
		}
	}
	if b.B[0] == 0 || math.Abs(b.B[0]) > 6*beta {
		t.Errorf("b = %g, want a N(0,1)·β draw (β = %g)", b.B[0], beta)
	}
	if _, _, err := plain.Gradient(b); err == nil {
		t.Error("parameters with an output bias accepted by a problem without one")
	}
	p := withB.Point(b)
	if p.OutputBias == nil || new(big.Rat).SetFloat64(b.B[0]).Cmp(p.OutputBias[0]) != 0 {
		t.Errorf("Point: output bias %v, want the float %g exactly", p.OutputBias, b.B[0])
	}
}

// TestOutputBiasOriginPlateau: from small initialisation on the data of
// the Figure 3 experiment with an output bias, b fits the mean first (its gradient is
// 2(b − ȳ) under mse_loss, while the neurons' are O(β)), so the first
// plateau's loss is (1/n)Σ(y_i − ȳ)² = 0.036184 (by hand: ȳ = 0.044,
// Σ(y_i − ȳ)² = 0.18092), not the 0.03812 = (1/n)Σy_i² of the run without b.
func TestOutputBiasOriginPlateau(t *testing.T) {
	pr := mustProblem(t, fig3(t), MSE)
	pr.OutputBias = true
	run, err := pr.Train(Config{Width: 50, Mu: big.NewRat(-3, 1), LR: 1e-2, Steps: 5000, Seed: 1,
		Rule: PlateauRule{Window: 300, Eps: 1e-3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Plateaus) == 0 {
		t.Fatal("no plateau")
	}
	if l := run.Plateaus[0].Loss; math.Abs(l-0.036184) > 1e-7 {
		t.Errorf("first plateau at loss %.9g, want 0.036184", l)
	}
	if b := run.Points[0].At.Theta.B[0]; math.Abs(b-0.044) > 1e-6 {
		t.Errorf("b = %g on the first plateau, want ȳ = 0.044", b)
	}
}
