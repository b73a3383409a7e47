package numeric

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/relucert/relucert/verify"
)

func TestToleranceSide(t *testing.T) {
	tol := Tolerance{Eps: Eps}
	for _, tc := range []struct {
		name       string
		wx, wn, xn float64
		want       int8
	}{
		{"exactly on", 0, 1, 1, 0},
		{"relative 1e-14 counts as on", 1e-14, 1, 1, 0},
		{"relative 1e-14 at large scale", 1e-4, 1e5, 1e5, 0},
		{"relative 1e-14 at small scale", -1e-24, 1e-5, 1e-5, 0},
		{"relative 1e-9 is still on (≤)", 1e-9, 1, 1, 0},
		{"relative 1e-8 is off", 1e-8, 1, 1, 1},
		{"negative side", -1e-8, 1, 1, -1},
		{"absolute 1e-14 at scale 1e-10 is off", 1e-14, 1e-5, 1e-5, 1},
		{"zero weight", 0, 0, 1, 0},
	} {
		if got := tol.Side(tc.wx, tc.wn, tc.xn); got != tc.want {
			t.Errorf("%s: Side(%g, %g, %g) = %d, want %d", tc.name, tc.wx, tc.wn, tc.xn, got, tc.want)
		}
	}
}

func TestToleranceZeroTests(t *testing.T) {
	tol := Tolerance{Eps: Eps, X: 10, W: 2, A: 4, Rho: 1, R: 3, XSum: 5}
	type check struct {
		name string
		got  bool
		want bool
	}
	for _, c := range []check{
		{"sample 1e-9 of X=10 is zero", tol.ZeroSample([]float64{1e-8, 0}), true},
		{"sample 1e-7 of X=10 is not", tol.ZeroSample([]float64{1e-6, 0}), false},
		{"w below Eps·W", tol.ZeroInputWeight([]float64{1e-9}), true},
		{"w above Eps·W", tol.ZeroInputWeight([]float64{1e-8}), false},
		{"a below Eps·A", tol.ZeroOutputWeight([]float64{3e-9}), true},
		{"a above Eps·A", tol.ZeroOutputWeight([]float64{5e-9}), false},
		// |q| ≤ Eps·R·terms = 1e-9·3·2.
		{"residual sum at threshold", tol.ZeroResidualSum([]float64{6e-9}, 2), true},
		{"residual sum above", tol.ZeroResidualSum([]float64{6.1e-9}, 2), false},
		{"residual sum with zero terms must be exactly 0", tol.ZeroResidualSum([]float64{1e-300}, 0), false},
		{"residual", tol.ZeroResidual([]float64{2e-9, 2e-9}), true},
		// QScale = R·Rho·XSum = 15.
		{"Q at 1.4e-8", tol.ZeroQ([]float64{1.4e-8}), true},
		{"Q at 1.6e-8", tol.ZeroQ([]float64{1.6e-8}), false},
		{"feasible residual", tol.Feasible(1e-10), true},
		{"infeasible residual", tol.Feasible(1e-8), false},
		{"slope", tol.ZeroSlope(1e-10), true},
		{"same line", tol.SameLine([]float64{2, 2 + 1e-14}, []float64{1 / sqrt2, 1 / sqrt2}), true},
		{"not same line", tol.SameLine([]float64{2, 2.001}, []float64{1 / sqrt2, 1 / sqrt2}), false},
		{"opposite direction is the same line", tol.SameLine([]float64{-3, -3}, []float64{1 / sqrt2, 1 / sqrt2}), true},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

const sqrt2 = 1.4142135623730951

// scalePoint returns a copy of p with inputs ×cx, input weights ÷cx,
// targets and output weights ×cy: the same network up to the factor cy on
// the outputs, so every decision must be the same.
func scalePoint(p *verify.Point, cx, cy *big.Rat) *verify.Point {
	q := p.Clone()
	inv := new(big.Rat).Inv(cx)
	for i := range q.N() {
		q.X.SetRow(i, q.X.Row(i).Scale(cx))
		q.Y.SetRow(i, q.Y.Row(i).Scale(cy))
	}
	for j := range q.Neurons {
		q.Neurons[j].W = q.Neurons[j].W.Scale(inv)
		q.Neurons[j].A = q.Neurons[j].A.Scale(cy)
	}
	return q
}

// decisions compares Results up to the loss, G and reason texts.
var decisions = cmp.Options{
	cmpopts.IgnoreFields(Result{}, "Loss", "Reason"),
	cmpopts.IgnoreFields(Global{}, "Optimum"),
	cmpopts.IgnoreFields(Neuron{}, "G"),
}

func TestScaleInvariance(t *testing.T) {
	for _, tc := range checkCases(t) {
		base, err := Check(tc.p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range [][2]string{{"1000000", "1"}, {"1/1000000", "1"}, {"1", "1000000"}, {"1", "1/1000000"}, {"3", "1/7"}} {
			cx, _ := new(big.Rat).SetString(s[0])
			cy, _ := new(big.Rat).SetString(s[1])
			r, err := Check(scalePoint(tc.p, cx, cy))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(base, r, decisions); d != "" {
				t.Errorf("%s scaled by x·%s, y·%s: (-base +scaled)\n%s", tc.name, s[0], s[1], d)
			}
		}
	}
}

func TestRescaleAndPermuteNeurons(t *testing.T) {
	for _, tc := range checkCases(t) {
		base, _ := Check(tc.p)
		m := tc.p.M()
		// rescale(j, c): (c·w_j, a_j/c) for every j with c = 1000, 1/3.
		for _, c := range []*big.Rat{big.NewRat(1000, 1), big.NewRat(1, 3)} {
			q := tc.p.Clone()
			inv := new(big.Rat).Inv(c)
			for j := range q.Neurons {
				q.Neurons[j].W = q.Neurons[j].W.Scale(c)
				q.Neurons[j].A = q.Neurons[j].A.Scale(inv)
			}
			r, _ := Check(q)
			if d := cmp.Diff(base, r, decisions); d != "" {
				t.Errorf("%s rescaled by %s: (-base +rescaled)\n%s", tc.name, c.RatString(), d)
			}
		}
		if m < 2 {
			continue
		}
		q := tc.p.Clone()
		for j := range q.Neurons {
			q.Neurons[j] = tc.p.Neurons[m-1-j].Clone()
		}
		r, _ := Check(q)
		if r.Kind != base.Kind {
			t.Errorf("%s reversed: kind %v, want %v", tc.name, r.Kind, base.Kind)
		}
		for j := range r.Neurons {
			if d := cmp.Diff(base.Neurons[m-1-j], r.Neurons[j], cmpopts.IgnoreFields(Neuron{}, "G")); d != "" {
				t.Errorf("%s reversed, neuron %d: %s", tc.name, j, d)
			}
		}
	}
}
