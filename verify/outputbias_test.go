package verify

import (
	"math/big"
	"strings"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestOutputBiasNetwork checks f(x) = Σ_j a_j ρ(w_j·x) + b, the residuals
// and the loss on points worked out by hand.
func TestOutputBiasNetwork(t *testing.T) {
	// k = 1: x = 1, 2; y = 1, 0; w = 1, a = 1, b = 1/2 (ReLU):
	// f = 3/2, 5/2; r = 1/2, 5/2; L = (1/4)(1/4 + 25/4) = 13/8.
	p := &Point{Act: ReLU(), X: []exact.Vec{vec(1), vec(2)}, Y: []exact.Vec{vec(1), vec(0)},
		Neurons: []Neuron{{W: vec(1), A: vec(1)}}, OutputBias: rvec("1/2")}
	// k = 2: x = 1, −1; y = (0, 0), (1, 1); w = 2, a = (1, 3), b = (1, −1):
	// f(1) = (2, 6) + b = (3, 5), f(−1) = b = (1, −1);
	// r = (3, 5), (0, −2); L = (1/4)(9 + 25 + 0 + 4) = 19/2.
	q := &Point{Act: ReLU(), X: []exact.Vec{vec(1), vec(-1)}, Y: []exact.Vec{vec(0, 0), vec(1, 1)},
		Neurons: []Neuron{{W: vec(2), A: vec(1, 3)}}, OutputBias: vec(1, -1)}
	// No neurons at all: f = b; x = 0 (a zero sample), y = 3, b = 1: r = −2, L = 2.
	z := &Point{Act: Abs(), X: []exact.Vec{vec(0)}, Y: []exact.Vec{vec(3)}, OutputBias: vec(1)}
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
		for i, x := range tc.p.X {
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
	p := &Point{Act: ReLU(), X: []exact.Vec{vec(1)}, Y: []exact.Vec{vec(1, 2)},
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

// TestOutputBiasNotYetChecked: until Theorem S has its (S0) condition,
// Check and Recheck refuse a point with an output bias instead of judging
// it as a network without one.
func TestOutputBiasNotYetChecked(t *testing.T) {
	p := &Point{Act: ReLU(), X: []exact.Vec{vec(1)}, Y: []exact.Vec{vec(1)}, OutputBias: vec(0)}
	if _, err := Check(p, Options{}); err == nil || !strings.Contains(err.Error(), "output_bias") {
		t.Errorf("Check: %v", err)
	}
}
