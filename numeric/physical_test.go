package numeric

import (
	"math"
	"math/big"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// TestLossGradient compares Dense.LossGradient with the loss and gradient
// evaluated from their definitions in exact rationals (docs/theory.md §1: r_i =
// f(x_i) − y_i, ∂L/∂a_j = (1/n) Σ r_i ρ(w_j·x_i), ∂L/∂w_j = (1/n) Σ (a_j·r_i)
// ρ'(w_j·x_i) x_i, ∂L/∂b = (1/n) Σ r_i) on planted points of several shapes
// and activations, with and without an output bias.
func TestLossGradient(t *testing.T) {
	for _, tc := range []struct {
		n, d, m, k int
		act        verify.Activation
		bias       bool
	}{
		{7, 3, 2, 1, verify.ReLU(), false},
		{20, 4, 5, 2, verify.Leaky(big.NewRat(1, 10)), true},
		{15, 5, 3, 3, verify.Abs(), true},
	} {
		p, _, err := verify.Generate(verify.GenConfig{Kind: verify.GenLocalMin, N: tc.n, D: tc.d, M: tc.m, K: tc.k, Act: tc.act, Dyadic: true, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		// Move the targets off the planted minimum so the gradient is not 0.
		for i := range p.N() {
			p.Y.Set(i, 0, new(big.Rat).Add(p.Y.At(i, 0), big.NewRat(int64(i%3), 4)))
		}
		if tc.bias {
			p.OutputBias = exact.NewVec(tc.k)
			p.OutputBias[0].SetFrac64(-3, 8)
		}
		q, err := NewDense(p)
		if err != nil {
			t.Fatal(err)
		}
		gw, ga := make([]float64, tc.m*tc.d), make([]float64, tc.m*tc.k)
		var gb []float64
		if tc.bias {
			gb = make([]float64, tc.k)
		}
		loss := q.LossGradient(gw, ga, gb)

		// Exact reference.
		n := big.NewRat(int64(tc.n), 1)
		rho := func(z *big.Rat) (*big.Rat, *big.Rat) { // ρ(z), ρ'(z) (ρ₋ at 0)
			s := p.Act.Neg
			if z.Sign() > 0 {
				s = p.Act.Pos
			}
			return new(big.Rat).Mul(s, z), s
		}
		wantW, wantA, wantB := make([]exact.Vec, tc.m), make([]exact.Vec, tc.m), exact.NewVec(tc.k)
		for j := range wantW {
			wantW[j], wantA[j] = exact.NewVec(tc.d), exact.NewVec(tc.k)
		}
		sum := new(big.Rat)
		for i := range p.N() {
			x := p.X.Row(i)
			f := exact.NewVec(tc.k)
			if tc.bias {
				f = p.OutputBias.Clone()
			}
			for _, nr := range p.Neurons {
				h, _ := rho(nr.W.Dot(x))
				f.AddScaled(h, nr.A)
			}
			r := f.Sub(p.Y.Row(i))
			sum.Add(sum, r.Norm2())
			wantB = wantB.Add(r)
			for j, nr := range p.Neurons {
				h, s := rho(nr.W.Dot(x))
				wantA[j].AddScaled(h, r)
				wantW[j].AddScaled(new(big.Rat).Mul(s, nr.A.Dot(r)), x)
			}
		}
		near := func(what string, got float64, want *big.Rat) {
			t.Helper()
			w, _ := new(big.Rat).Quo(want, n).Float64()
			if math.Abs(got-w) > 1e-12*(1+math.Abs(w)) {
				t.Errorf("%v: %s = %v, want %v", tc, what, got, w)
			}
		}
		near("loss", 2*loss, sum)
		for j := 0; j < tc.m; j++ {
			for c := 0; c < tc.d; c++ {
				near("∂L/∂w", gw[j*tc.d+c], wantW[j][c])
			}
			for o := 0; o < tc.k; o++ {
				near("∂L/∂a", ga[j*tc.k+o], wantA[j][o])
			}
		}
		for o := range gb {
			near("∂L/∂b", gb[o], wantB[o])
		}
		if want := int64(8 * (tc.n*(tc.d+tc.k) + tc.m*(tc.d+tc.k))); tc.bias {
			if q.Bytes() != want+8*int64(tc.k) {
				t.Errorf("Bytes = %d", q.Bytes())
			}
		} else if q.Bytes() != want {
			t.Errorf("Bytes = %d, want %d", q.Bytes(), want)
		}
	}
}
