package recheck

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// dyadic returns a random dyadic rational j/16, j ∈ [−40, 40]: exactly
// representable, so thin intervals stay exact.
func dyadic(rng *rand.Rand) *big.Rat { return big.NewRat(rng.Int64N(81)-40, 16) }

// randomBoxCase returns a random point (data, activation, output bias or
// not), a random box pattern on it — alive neurons with random sides and at
// most one boundary sample, a dead and a zero neuron — and a random dyadic
// value of the unknowns.
func randomBoxCase(rng *rand.Rand) (*network.Point, []BoxNeuron, []*big.Rat) {
	n, d, k := 4+rng.IntN(4), 2+rng.IntN(2), 2+rng.IntN(2)
	acts := []network.Activation{network.ReLU(), network.Leaky(big.NewRat(1, 5)), network.Abs()}
	p := &network.Point{Act: acts[rng.IntN(len(acts))]}
	for i := 0; i < n; i++ {
		x, y := exact.NewVec(d), exact.NewVec(k)
		for r := range x {
			x[r] = dyadic(rng)
		}
		x[0] = big.NewRat(int64(1+i), 3) // nonzero, and non-dyadic data too
		x[d-1].SetInt64(1)               // a bias column
		for l := range y {
			y[l] = dyadic(rng)
		}
		p.X, p.Y = p.X.AppendRow(x), p.Y.AppendRow(y)
	}
	if rng.IntN(2) == 0 {
		p.OutputBias = exact.NewVec(k)
	}
	var nb []BoxNeuron
	alive := 1 + rng.IntN(3)
	for j := 0; j < alive; j++ {
		bn := BoxNeuron{Rule: BoxAlive, Side: make([]int8, n)}
		for i := range bn.Side {
			bn.Side[i] = int8(2*rng.IntN(2) - 1)
		}
		if rng.IntN(2) == 0 {
			i := rng.IntN(n)
			bn.Side[i] = 0
			bn.Z = []int{i}
		}
		if j == 1 && rng.IntN(3) == 0 {
			// A group: neuron 1 has neuron 0's pattern.
			bn.Side = append([]int8(nil), nb[0].Side...)
			bn.Z = append([]int(nil), nb[0].Z...)
		}
		for c := 0; c < j && j == 2; c++ {
			if fmt.Sprint(bn.Side, bn.Z) == fmt.Sprint(nb[c].Side, nb[c].Z) {
				bn.Side = make([]int8, n) // no other groups: all on one side
				for i := range bn.Side {
					bn.Side[i] = int8(2*(c%2) - 1)
				}
				bn.Z = nil
			}
		}
		if p.OutputBias != nil && j == alive-1 && j > 1 && rng.IntN(2) == 0 {
			// Active on every sample with one slope: the output bias
			// absorbs w_j's bias coordinate, fixed by BiasDir.
			for i := range bn.Side {
				bn.Side[i] = 1
			}
			bn.Z = nil
			bn.BiasDir = exact.NewVec(d)
			bn.BiasDir[d-1].SetInt64(1)
			bn.BiasValue = dyadic(rng)
		}
		// S_j^⊥ and its values.
		var rows exact.Mat
		for i, sd := range bn.Side {
			if sd != 0 && p.Act.Slope(int(sd)).Sign() != 0 {
				rows = append(rows, p.X.Row(i))
			}
		}
		for _, i := range bn.Z {
			rows = append(rows, p.X.Row(i))
		}
		bn.Perp = exact.Nullspace(rows, d)
		for range bn.Perp {
			bn.PerpValue = append(bn.PerpValue, dyadic(rng))
		}
		nb = append(nb, bn)
	}
	// Gauges: a group of g neurons fixes outputs 0..g−1 with an invertible
	// matrix of values.
	g := 1
	if alive > 1 && fmt.Sprint(nb[0].Side, nb[0].Z) == fmt.Sprint(nb[1].Side, nb[1].Z) {
		g = 2
	}
	for {
		for j := range nb {
			nb[j].Gauge, nb[j].GaugeValue = nil, nil
			gj := 1
			if j < 2 {
				gj = g
			}
			for l := 0; l < gj; l++ {
				nb[j].Gauge = append(nb[j].Gauge, l)
				nb[j].GaugeValue = append(nb[j].GaugeValue, big.NewRat(rng.Int64N(7)+1, 4))
			}
		}
		if g == 1 || new(big.Rat).Sub(new(big.Rat).Mul(nb[0].GaugeValue[0], nb[1].GaugeValue[1]), new(big.Rat).Mul(nb[0].GaugeValue[1], nb[1].GaugeValue[0])).Sign() != 0 {
			break
		}
	}
	if p.Act.Neg.Sign() == 0 {
		// A dead neuron: w = −(large)·e_0 with every x_i[0] > 0.
		w := exact.NewVec(d)
		w[0].SetInt64(-1000)
		nb = append(nb, BoxNeuron{Rule: BoxDead, W: w, A: exact.VecOf(make([]int64, k)...)})
		nb[len(nb)-1].A[0].SetInt64(3)
	}
	nb = append(nb, BoxNeuron{Rule: BoxZero, W: exact.NewVec(d), A: exact.NewVec(k)})
	for range nb {
		p.Neurons = append(p.Neurons, network.Neuron{W: exact.NewVec(d), A: exact.NewVec(k)})
	}
	N := 0
	for _, bn := range nb {
		if bn.Rule == BoxAlive {
			N += d + k - len(bn.Gauge) + len(bn.Z)
		}
	}
	if p.OutputBias != nil {
		N += k
	}
	z := make([]*big.Rat, N)
	for i := range z {
		z[i] = dyadic(rng)
	}
	return p, nb, z
}

// directF evaluates the system of boxsystem.go straight from its
// definition, sample by sample, in exact rationals: r_i from the network,
// then F2, F1 (without the gauge output), F3 and F0.
func directF(p *network.Point, nb []BoxNeuron, z []*big.Rat) []*big.Rat {
	d, k := p.D(), p.K()
	type alive struct {
		j     int
		w, a  exact.Vec
		nu    exact.Vec
		slope []*big.Rat
	}
	var as []alive
	pos := 0
	for j, bn := range nb {
		if bn.Rule != BoxAlive {
			continue
		}
		al := alive{j: j, w: exact.Vec(z[pos : pos+d]).Clone(), a: exact.NewVec(k)}
		pos += d
		for l := 0; l < k; l++ {
			if c := slices.Index(bn.Gauge, l); c >= 0 {
				al.a[l].Set(bn.GaugeValue[c])
				continue
			}
			al.a[l].Set(z[pos])
			pos++
		}
		al.nu = exact.Vec(z[pos : pos+len(bn.Z)]).Clone()
		pos += len(bn.Z)
		for i := range p.X.Rows() {
			sl := new(big.Rat)
			if bn.Side[i] != 0 {
				sl = p.Act.Slope(int(bn.Side[i]))
			}
			al.slope = append(al.slope, sl)
		}
		as = append(as, al)
	}
	var b exact.Vec
	if p.OutputBias != nil {
		b = exact.Vec(z[pos : pos+k])
	}
	r := make([]exact.Vec, p.N())
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		ri := p.Y.Row(i).Neg()
		if b != nil {
			ri = ri.Add(b)
		}
		for _, bn := range nb {
			if bn.Rule != BoxAlive {
				ri.AddScaled(p.Act.Apply(bn.W.Dot(x)), bn.A)
			}
		}
		for _, al := range as {
			ri.AddScaled(new(big.Rat).Mul(al.slope[i], al.w.Dot(x)), al.a)
		}
		r[i] = ri
	}
	var F []*big.Rat
	for _, al := range as {
		bn := nb[al.j]
		F2 := exact.NewVec(d)
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			F2.AddScaled(new(big.Rat).Mul(al.slope[i], al.a.Dot(r[i])), x)
		}
		for c, i := range bn.Z {
			F2.AddScaled(al.nu[c], p.X.Row(i))
		}
		// Off the pivots of the samples the neuron sees: Perp·w − value.
		var rows exact.Mat
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			if al.slope[i].Sign() != 0 || slices.Contains(bn.Z, i) {
				rows = append(rows, x)
			}
		}
		pivot := make([]bool, d)
		if len(rows) > 0 {
			_, piv := exact.RowEchelon(rows)
			for _, c := range piv {
				pivot[c] = true
			}
		}
		c := 0
		for r := range F2 {
			if !pivot[r] {
				F2[r] = new(big.Rat).Sub(bn.Perp[c].Dot(al.w), bn.PerpValue[c])
				c++
			}
		}
		if v := bn.BiasDir; v != nil {
			// The first echelon row not orthogonal to v: its pivot row.
			ech, _ := exact.RowEchelon(rows)
			for _, row := range ech {
				if row.Dot(v).Sign() == 0 {
					continue
				}
				lead := slices.IndexFunc(row, func(x *big.Rat) bool { return x.Sign() != 0 })
				F2[lead] = new(big.Rat).Sub(v.Dot(al.w), bn.BiasValue)
				break
			}
		}
		F1 := exact.NewVec(k)
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			F1.AddScaled(new(big.Rat).Mul(al.slope[i], al.w.Dot(x)), r[i])
		}
		F = append(F, F2...)
		for l := 0; l < k; l++ {
			if !slices.Contains(bn.Gauge, l) {
				F = append(F, F1[l])
			}
		}
		for _, i := range bn.Z {
			F = append(F, al.w.Dot(p.X.Row(i)))
		}
	}
	if b != nil {
		F0 := exact.NewVec(k)
		for _, ri := range r {
			F0 = F0.Add(ri)
		}
		F = append(F, F0...)
	}
	return F
}

func thinRats(s *BoxSystem, z []*big.Rat) []*exact.Interval {
	out := make([]*exact.Interval, len(z))
	for i, x := range z {
		out[i] = exact.IntervalOfRat(x, s.Prec())
	}
	return out
}

// TestBoxSystemEvalContainsDirect: the Gram-matrix evaluation of F encloses
// the sample-by-sample exact value, on random patterns and points.
func TestBoxSystemEvalContainsDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 60; trial++ {
		p, nb, z := randomBoxCase(rng)
		s, err := NewBoxSystem(p, nb, 200)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if s.Unknowns() != len(z) {
			t.Fatalf("trial %d: %d unknowns, test made %d", trial, s.Unknowns(), len(z))
		}
		F, _ := s.Eval(thinRats(s, z), false)
		want := directF(p, nb, z)
		if len(F) != len(want) {
			t.Fatalf("trial %d: %d equations, want %d", trial, len(F), len(want))
		}
		for i := range F {
			if !F[i].Contains(want[i]) {
				t.Fatalf("trial %d: F[%d] = %v does not contain the direct value %s", trial, i, F[i], want[i].RatString())
			}
		}
	}
}

// TestBoxSystemJacobianContainsExact: along a coordinate line F is a
// polynomial of degree ≤ 3, so the five-point stencil
// (8(F(z+h) − F(z−h)) − (F(z+2h) − F(z−2h)))/12h is its exact derivative;
// computed from the direct exact F it must lie in the Jacobian's interval.
func TestBoxSystemJacobianContainsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	h := big.NewRat(1, 8)
	for trial := 0; trial < 30; trial++ {
		p, nb, z := randomBoxCase(rng)
		s, err := NewBoxSystem(p, nb, 200)
		if err != nil {
			t.Fatal(err)
		}
		_, J := s.Eval(thinRats(s, z), true)
		at := func(c int, m int64) []*big.Rat {
			zz := make([]*big.Rat, len(z))
			for i := range z {
				zz[i] = new(big.Rat).Set(z[i])
			}
			zz[c].Add(zz[c], new(big.Rat).Mul(h, big.NewRat(m, 1)))
			return directF(p, nb, zz)
		}
		for c := range z {
			p1, m1, p2, m2 := at(c, 1), at(c, -1), at(c, 2), at(c, -2)
			for i := range p1 {
				d := new(big.Rat).Sub(p1[i], m1[i])
				d.Mul(d, big.NewRat(8, 1))
				d.Sub(d, new(big.Rat).Sub(p2[i], m2[i]))
				d.Quo(d, new(big.Rat).Mul(h, big.NewRat(12, 1)))
				if !J[i][c].Contains(d) {
					t.Fatalf("trial %d: J[%d][%d] = %v does not contain the exact derivative %s", trial, i, c, J[i][c], d.RatString())
				}
			}
		}
	}
}

// TestNewBoxSystemRejects: malformed patterns (as a certificate file could
// hold) are errors naming the neuron and field, never panics.
func TestNewBoxSystemRejects(t *testing.T) {
	p := &network.Point{Act: network.ReLU(),
		X:       exact.RatMatOf([]exact.Vec{exact.VecOf(1, 0), exact.VecOf(2, 0), exact.VecOf(0, 1)}),
		Y:       exact.RatMatOf([]exact.Vec{exact.VecOf(1, 1), exact.VecOf(0, 1), exact.VecOf(1, 0)}),
		Neurons: []network.Neuron{{W: exact.VecOf(0, 0), A: exact.VecOf(0, 0)}},
	}
	alive := func() BoxNeuron {
		// It sees x_0 and x_1, which span the line of e_1: S^⊥ = span(e_2).
		return BoxNeuron{Rule: BoxAlive, Side: []int8{1, 1, -1}, Gauge: []int{0}, GaugeValue: []*big.Rat{big.NewRat(1, 1)},
			Perp: []exact.Vec{exact.VecOf(0, 1)}, PerpValue: []*big.Rat{new(big.Rat)}}
	}
	tests := []struct {
		name string
		nb   BoxNeuron
		want string
	}{
		{"side length", BoxNeuron{Rule: BoxAlive, Side: []int8{1}}, "side: length"},
		{"gauge range", func() BoxNeuron { b := alive(); b.Gauge = []int{2}; return b }(), "gauge"},
		{"gauge zero", func() BoxNeuron { b := alive(); b.GaugeValue[0] = new(big.Rat); return b }(), "singular"},
		{"gauge missing", func() BoxNeuron { b := alive(); b.Gauge = nil; return b }(), "gauge"},
		{"perp wrong", func() BoxNeuron {
			b := alive()
			b.Side = []int8{1, 1, 1}
			b.Perp, b.PerpValue = []exact.Vec{exact.VecOf(0, 1)}, []*big.Rat{new(big.Rat)}
			return b
		}(), "perp"},
		{"z with side", func() BoxNeuron { b := alive(); b.Z = []int{0}; return b }(), "z[0]"},
		{"side 0 off z", func() BoxNeuron { b := alive(); b.Side[2] = 0; return b }(), "not in z"},
		{"dependent z", func() BoxNeuron { b := alive(); b.Side[0], b.Side[1] = 0, 0; b.Z = []int{0, 1}; return b }(), "linearly dependent"},
		{"z not ascending", func() BoxNeuron { b := alive(); b.Side[0], b.Side[2] = 0, 0; b.Z = []int{2, 0}; return b }(), "ascending"},
		{"dead not dead", BoxNeuron{Rule: BoxDead, W: exact.VecOf(1, 0), A: exact.VecOf(1, 1)}, "w·x_0 ≥ 0"},
		{"zero with weights", BoxNeuron{Rule: BoxZero, W: exact.VecOf(1, 0), A: exact.VecOf(0, 0)}, "nonzero weights"},
		{"fixed shape", BoxNeuron{Rule: BoxZero, W: exact.VecOf(0), A: exact.VecOf(0, 0)}, "lengths"},
		{"rule", BoxNeuron{Rule: BoxRule(7)}, "unknown rule"},
	}
	for _, tc := range tests {
		_, err := NewBoxSystem(p, []BoxNeuron{tc.nb}, 128)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "neurons[0]") {
			t.Errorf("%s: err = %v, want one naming neurons[0] and %q", tc.name, err, tc.want)
		}
	}
	if _, err := NewBoxSystem(p, nil, 128); err == nil {
		t.Error("a pattern with no neurons for a point with one was accepted")
	}
}
