package numeric_test

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/numeric"
	"github.com/relucert/relucert/verify"
)

// rescaling is a change of a point that leaves the exact verdict as it is
// (docs/theory.md §1, §5: every condition is homogeneous in the outputs,
// invariant under a linear change of the input coordinates, and ρ is
// positively homogeneous), written exactly.
type rescaling struct {
	name  string
	apply func(p *verify.Point, bias bool, c *big.Rat)
}

// scaleVec multiplies the entries of v from lo to hi (exclusive) by c.
func scaleVec(v exact.Vec, lo, hi int, c *big.Rat) {
	for i := lo; i < hi; i++ {
		v[i] = new(big.Rat).Mul(v[i], c)
	}
}

var rescalings = []rescaling{
	// y, a and b times c: the residuals scale by c, the loss by c².
	{"outputs", func(p *verify.Point, _ bool, c *big.Rat) {
		for i := range p.N() {
			y := p.Y.Row(i)
			scaleVec(y, 0, len(y), c)
			p.Y.SetRow(i, y)
		}
		for _, nr := range p.Neurons {
			scaleVec(nr.A, 0, len(nr.A), c)
		}
		if p.OutputBias != nil {
			scaleVec(p.OutputBias, 0, len(p.OutputBias), c)
		}
	}},
	// Input coordinates (not the bias coordinate) times c and the input
	// weights' by 1/c: every w_j·x_i is unchanged.
	{"inputs", func(p *verify.Point, bias bool, c *big.Rat) {
		d := p.D()
		if bias {
			d--
		}
		inv := new(big.Rat).Inv(c)
		for i := range p.N() {
			x := p.X.Row(i)
			scaleVec(x, 0, d, c)
			p.X.SetRow(i, x)
		}
		for _, nr := range p.Neurons {
			scaleVec(nr.W, 0, d, inv)
		}
	}},
	// Every neuron rescaled, (c·w_j, a_j/c): the network is unchanged.
	{"neurons", func(p *verify.Point, _ bool, c *big.Rat) {
		inv := new(big.Rat).Inv(c)
		for _, nr := range p.Neurons {
			scaleVec(nr.W, 0, len(nr.W), c)
			scaleVec(nr.A, 0, len(nr.A), inv)
		}
	}},
}

// TestFloatRescaledCatalogue (issue 12): on the catalogue cases rescaled
// by 10^±300 (written exactly), the exact verdict does not change, and
// the float64 path either answers it rightly or says undetermined
// (float64: …) — never a wrong verdict, not even on the catalogue's float-*
// cases, which float64 gets wrong at scale 1 (there a rounding or a
// tolerance decision no float64 test can see; rescaled, their scales leave
// float64's range and the path must say so).
func TestFloatRescaledCatalogue(t *testing.T) {
	cs, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	ten300 := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(300), nil))
	scales := []*big.Rat{ten300, new(big.Rat).Inv(ten300)}
	limited, right := 0, 0
	for _, c := range cs {
		base := c.Point()
		v0, err := verify.Check(base, verify.Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		f0, err0 := numeric.Check(c.Point())
		if err0 == nil && strings.HasPrefix(f0.Reason, "float64: ") {
			t.Errorf("%s at scale 1: %s (the detectors must not fire on well-scaled data)", c.Name, f0.Reason)
		}
		for _, rs := range rescalings {
			for si, sc := range scales {
				name := fmt.Sprintf("%s %s×10^%d", c.Name, rs.name, []int{300, -300}[si])
				p := c.Point()
				rs.apply(p, c.Bias, sc)
				v, err := verify.Check(p, verify.Options{})
				if err != nil {
					t.Fatalf("%s: exact: %v", name, err)
				}
				if v.Kind != v0.Kind || !slices.Equal(v.Escape, v0.Escape) {
					t.Errorf("%s: exact %v %v, unscaled %v %v", name, v.Kind, v.Escape, v0.Kind, v0.Escape)
				}
				f, err := numeric.Check(p)
				switch {
				case err != nil:
					t.Errorf("%s: float64: error %v, want a result", name, err)
				case f.Kind == verify.Undetermined && strings.HasPrefix(f.Reason, "float64: "):
					limited++
				case f.Kind == v.Kind && slices.Equal(f.Escape, v.Escape):
					right++
				default:
					t.Errorf("%s: float64 %v %v (%s), exact %v %v", name, f.Kind, f.Escape, f.Reason, v.Kind, v.Escape)
				}
			}
		}
	}
	t.Logf("%d rescaled cases: %d right, %d undetermined (float64: …)", len(cs)*len(rescalings)*len(scales), right, limited)
}
