package atlas_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/relucert/relucert/atlas"
	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
	"github.com/relucert/relucert/network/networktest"
	"github.com/relucert/relucert/verify"
)

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rational " + s)
	}
	return r
}

func vec(ss ...string) exact.Vec {
	v := make(exact.Vec, len(ss))
	for i, s := range ss {
		v[i] = rat(s)
	}
	return v
}

func catalogue(t *testing.T, name string) *network.Point {
	t.Helper()
	c, err := cases.Load("../cases/catalogue/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return c.Point()
}

func form(t *testing.T, p *network.Point) *atlas.Form {
	t.Helper()
	f, err := atlas.Canonical(p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCanonicalFig3Final works out the form of the final point of the
// Figure 3 run by hand: the network computes the least-squares affine fit of
// y on x (solved below from the normal equations, independently of the
// network), with one group active on every sample (w_0·(x, 1) > 0) and one
// whose hyperplane holds x = 0.7 (w_1 = (−1, 7/10): positive on the four
// other samples).
func TestCanonicalFig3Final(t *testing.T) {
	p := catalogue(t, "fig3-final")
	xs := []string{"-1", "-0.6", "-0.1", "0.3", "0.7"}
	ys := []string{"0.28", "-0.1", "0.03", "0.23", "-0.22"}
	n := big.NewRat(int64(len(xs)), 1)
	sx, sy, sxx, sxy := new(big.Rat), new(big.Rat), new(big.Rat), new(big.Rat)
	for i := range xs {
		x, y := rat(xs[i]), rat(ys[i])
		sx.Add(sx, x)
		sy.Add(sy, y)
		sxx.Add(sxx, new(big.Rat).Mul(x, x))
		sxy.Add(sxy, new(big.Rat).Mul(x, y))
	}
	// slope = (n Σxy − Σx Σy) / (n Σxx − (Σx)²), intercept = (Σy − slope Σx)/n
	num := new(big.Rat).Sub(new(big.Rat).Mul(n, sxy), new(big.Rat).Mul(sx, sy))
	den := new(big.Rat).Sub(new(big.Rat).Mul(n, sxx), new(big.Rat).Mul(sx, sx))
	slope := new(big.Rat).Quo(num, den)
	icpt := new(big.Rat).Quo(new(big.Rat).Sub(sy, new(big.Rat).Mul(slope, sx)), n)
	if slope.Cmp(rat("-693/4630")) != 0 || icpt.Cmp(rat("1067/46300")) != 0 {
		t.Fatalf("affine fit %s + %s·x, want 1067/46300 − (693/4630)x (the case's source)", icpt.RatString(), slope.RatString())
	}
	f := form(t, p)
	for i, xs := range xs {
		want := new(big.Rat).Add(icpt, new(big.Rat).Mul(slope, rat(xs)))
		if len(f.Outputs[i]) != 1 || f.Outputs[i][0].Cmp(want) != 0 {
			t.Errorf("Outputs[%d] = %v, want %s", i, f.Outputs[i], want.RatString())
		}
	}
	if want := []atlas.Pattern{"+++++", "++++0"}; !slices.Equal(f.Patterns, want) {
		t.Errorf("Patterns = %q, want %q", f.Patterns, want)
	}
	if f.OutputBias {
		t.Error("OutputBias = true for a case without output_bias")
	}
}

// copies applies to p every operation of docs/theory.md §5 that keeps the
// function on the data, one at a time and composed, and returns the copies
// with a name each. Neuron 0 must not be a zero neuron.
func copies(t *testing.T, p *network.Point, rng *rand.Rand) map[string]*network.Point {
	t.Helper()
	out := map[string]*network.Point{}
	apply := func(name string, q *network.Point, e *verify.Embedding, err error) *network.Point {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = e.To
		return e.To
	}
	m, d, k := p.M(), p.D(), p.K()
	perm := rng.Perm(m)
	e, err := verify.Permute(p, perm)
	apply("permute", p, e, err)
	e, err = verify.Rescale(p, 0, big.NewRat(7, 3))
	apply("rescale 7/3", p, e, err)
	e, err = verify.Rescale(p, m-1, big.NewRat(1, 1000))
	apply("rescale 1/1000", p, e, err)
	for _, l := range []string{"1/3", "0", "1", "2", "-5/2"} {
		e, err = verify.Split(p, 0, rat(l))
		apply("split λ = "+l, p, e, err)
	}
	e, err = verify.AddZeroOutput(p, networktest.RandVec(rng, d, 5))
	apply("add-zero-output", p, e, err)
	e, err = verify.AddZeroOutput(p, exact.NewVec(d))
	apply("add-zero-neuron", p, e, err)
	e, err = verify.AddZeroInput(p, networktest.RandVec(rng, k, 5))
	apply("add-zero-input", p, e, err)
	if p.Act.Neg.Sign() == 0 {
		// a direction negative on every nonzero sample, if there is one
		for try := 0; try < 200; try++ {
			w := networktest.RandVec(rng, d, 6)
			dead := true
			for i := range p.N() {
				if x := p.X.Row(i); !x.IsZero() && w.Dot(x).Sign() >= 0 {
					dead = false
					break
				}
			}
			if dead {
				e, err = verify.AddDead(p, w, networktest.RandVec(rng, k, 5))
				apply("add-dead", p, e, err)
				break
			}
		}
	}
	// composed: split, rescale both copies, permute, add a zero neuron
	e, err = verify.Split(p, 0, big.NewRat(2, 5))
	q := apply("composed", p, e, err)
	e, err = verify.Rescale(q, 0, big.NewRat(3, 1))
	q = apply("composed", q, e, err)
	e, err = verify.Rescale(q, q.M()-1, big.NewRat(1, 7))
	q = apply("composed", q, e, err)
	e, err = verify.Permute(q, rng.Perm(q.M()))
	q = apply("composed", q, e, err)
	e, err = verify.AddZeroOutput(q, networktest.RandVec(rng, d, 5))
	apply("composed", q, e, err)
	return out
}

// TestCanonicalIdentifiesCopies: permuted, rescaled, split, merged and
// widened copies of a point (every operation of docs/theory.md §5) have
// the form of the point itself.
func TestCanonicalIdentifiesCopies(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	points := map[string]*network.Point{"fig3-final": catalogue(t, "fig3-final")}
	for i := 0; len(points) < 40; i++ {
		p := networktest.RandomPoint(rng)
		if p.Neurons[0].W.IsZero() || p.Neurons[0].A.IsZero() {
			continue
		}
		points["random "+string(rune('A'+i%26))+string(rune('a'+i/26))] = p
	}
	for name, p := range points {
		want := form(t, p)
		for op, q := range copies(t, p, rng) {
			got := form(t, q)
			if !got.Equal(want) || got.Key() != want.Key() {
				t.Errorf("%s, %s: form %q, want %q", name, op, got.Key(), want.Key())
			}
		}
	}
}

// TestCanonicalMergesWithinPattern: two neurons with the same pattern and
// non-proportional input weights are one neuron on the data (their
// products add), and the form does not tell them apart.
func TestCanonicalMergesWithinPattern(t *testing.T) {
	// x ∈ {−1, 0, 1} with a bias coordinate; both neurons positive on every
	// sample: (1, 2)·x = 1, 2, 3 and (1/2, 3)·x = 5/2, 3, 7/2.
	base := &network.Point{Act: network.ReLU(),
		X: exact.RatMatOf([]exact.Vec{vec("-1", "1"), vec("0", "1"), vec("1", "1")}),
		Y: exact.RatMatOf([]exact.Vec{vec("1"), vec("0"), vec("2")})}
	one := cloneWith(base, network.Neuron{W: vec("3", "10"), A: vec("1/2")})
	two := cloneWith(base,
		network.Neuron{W: vec("1", "2"), A: vec("1")},
		network.Neuron{W: vec("1/2", "3"), A: vec("1")})
	// one: (1/2)·(3, 10) = (3/2, 5) = (1, 2) + (1/2, 3): the same product
	if !form(t, one).Equal(form(t, two)) {
		t.Errorf("forms differ: %q and %q", form(t, one).Key(), form(t, two).Key())
	}
	// by hand: f = (3/2)x + 5 on x = −1, 0, 1
	want := []string{"7/2", "5", "13/2"}
	for i, w := range want {
		if got := form(t, two).Outputs[i][0]; got.Cmp(rat(w)) != 0 {
			t.Errorf("Outputs[%d] = %s, want %s", i, got.RatString(), w)
		}
	}
}

func cloneWith(p *network.Point, nrs ...network.Neuron) *network.Point {
	q := p.Clone()
	q.Neurons = nrs
	return q
}

// TestCanonicalKeepsApart: points that are not copies of each other have
// different forms.
func TestCanonicalKeepsApart(t *testing.T) {
	X := []exact.Vec{vec("-1", "1"), vec("0", "1"), vec("1", "1")}
	Y := []exact.Vec{vec("1"), vec("0"), vec("2")}
	relu := func(nrs ...network.Neuron) *network.Point {
		return &network.Point{Act: network.ReLU(), X: exact.RatMatOf(X), Y: exact.RatMatOf(Y), Neurons: nrs}
	}
	abs := func(nrs ...network.Neuron) *network.Point {
		return &network.Point{Act: network.Abs(), X: exact.RatMatOf(X), Y: exact.RatMatOf(Y), Neurons: nrs}
	}
	leaky := func(nrs ...network.Neuron) *network.Point {
		return &network.Point{Act: network.Leaky(big.NewRat(1, 8)), X: exact.RatMatOf(X), Y: exact.RatMatOf(Y), Neurons: nrs}
	}
	withBias := func(p *network.Point, b string) *network.Point {
		p.OutputBias = vec(b)
		return p
	}
	nr := func(w0, w1, a string) network.Neuron { return network.Neuron{W: vec(w0, w1), A: vec(a)} }
	for _, tc := range []struct {
		name string
		p, q *network.Point
	}{
		// the same outputs 1, 2, 3 — one neuron strictly active on all samples,
		// or a neuron with x = −1 on its hyperplane plus a constant neuron
		{"same outputs, another pattern", relu(nr("1", "2", "1")), relu(nr("1", "1", "1"), nr("0", "1", "1"))},
		{"same pattern, other outputs", relu(nr("1", "2", "1")), relu(nr("1", "2", "2"))},
		{"the zero network and a network", relu(), relu(nr("1", "2", "1"))},
		{"output bias b = 0 and none", relu(nr("1", "2", "1")), withBias(relu(nr("1", "2", "1")), "0")},
		{"output bias moves the outputs", withBias(relu(nr("1", "2", "1")), "0"), withBias(relu(nr("1", "2", "1")), "1/3")},
		// leaky ReLU is not even: (−w, a) computes something else
		{"leaky: w and −w", leaky(nr("1", "2", "1")), leaky(nr("-1", "-2", "1"))},
		// a neuron with opposite output weights on opposite sides of x = 0
		{"relu: two half-lines", relu(nr("1", "0", "1")), relu(nr("-1", "0", "-1"))},
		{"abs: another pattern", abs(nr("1", "0", "1")), abs(nr("1", "1", "1"))},
	} {
		fp, fq := form(t, tc.p), form(t, tc.q)
		if fp.Equal(fq) || fp.Key() == fq.Key() {
			t.Errorf("%s: one form %q", tc.name, fp.Key())
		}
	}
	// the absolute value is even: (−w, a) is (w, a), and the form says so
	p, q := abs(nr("1", "2", "1")), abs(nr("-1", "-2", "1"))
	if !form(t, p).Equal(form(t, q)) {
		t.Errorf("abs: forms of w and −w differ: %q and %q", form(t, p).Key(), form(t, q).Key())
	}
	// a linear network: the pattern carries nothing; 2 neurons with opposite
	// signs on some sample add up to one
	lin := func(nrs ...network.Neuron) *network.Point {
		return &network.Point{Act: network.Linear(), X: exact.RatMatOf(X), Y: exact.RatMatOf(Y), Neurons: nrs}
	}
	if a, b := form(t, lin(nr("1", "0", "1"), nr("0", "1", "1"))), form(t, lin(nr("1", "1", "1"))); !a.Equal(b) {
		t.Errorf("linear: forms differ: %q and %q", a.Key(), b.Key())
	}
}

// ExampleCanonical shows the form of the Figure 3 final point widened by a
// split and a dead neuron.
func ExampleCanonical() {
	c, err := cases.Load("../cases/catalogue/fig3-final.json")
	if err != nil {
		panic(err)
	}
	p := c.Point()
	e, _ := verify.Split(p, 1, big.NewRat(1, 4))
	e, _ = verify.AddDead(e.To, exact.VecOf(-1, -2), exact.VecOf(5))
	f, _ := atlas.Canonical(e.To)
	fmt.Println(e.To.M(), "neurons")
	fmt.Println(f.Patterns)
	fmt.Println(f.Key())
	// Output:
	// 4 neurons
	// [+++++ ++++0]
	// f=7997/46300 209/1852 88/2315 -253/11575 -946/11575;patterns=+++++ ++++0
}
