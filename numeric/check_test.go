package numeric

import (
	"math"
	"reflect"
	"testing"

	"relucert/verify"
)

// want is the hand-derived classification of a test point.
type want struct {
	kind     verify.VerdictKind
	escape   []int
	loss     float64
	kinds    []verify.NeuronKind
	boundary []int
	s1, s2   []bool
}

// checkCases are small points whose verdicts are derived by hand in the
// comments (r_i = f(x_i) − y_i, G_j = (1/n)Σ r_i ρ(w_j·x_i), L = Σ|r_i|²/2n).
func checkCases(t *testing.T) []struct {
	name string
	p    *verify.Point
	w    want
} {
	relu := verify.ReLU()
	return []struct {
		name string
		p    *verify.Point
		w    want
	}{
		{
			// Leaky ReLU α = 1/10, w = 1, a = 1: f = (1, 2, −1/10), r = (2, −1, 0).
			// G = (2·1 − 1·2 + 0)/3 = 0 and no sample on the hyperplane, so the
			// point is differentiable with zero gradient; k = 1, a ≠ 0: no
			// escape, local minimum (Theorem M). L = (4 + 1)/6.
			"leaky differentiable local min",
			point(t, leaky("1/10"), rows(row("1"), row("2"), row("-1")), rows(row("-1"), row("3"), row("-1/10")),
				[]nrn{{row("1"), row("1")}}),
			want{verify.LocalMin, []int{}, 5.0 / 6, []verify.NeuronKind{verify.Alive}, []int{0}, []bool{true}, []bool{true}},
		},
		{
			// Same with y_1 = 0: r = (1, 0, 0), G = 1/3 ≠ 0, v = ρ₊·1·1 ≠ 0.
			"leaky failed S1 and S2",
			point(t, leaky("1/10"), rows(row("1"), row("2"), row("-1")), rows(row("0"), row("2"), row("-1/10")),
				[]nrn{{row("1"), row("1")}}),
			want{verify.NotStationary, []int{}, 1.0 / 6, []verify.NeuronKind{verify.Alive}, []int{0}, []bool{false}, []bool{false}},
		},
		{
			// Zero network, y = (1, 1): r = (−1, −1), G = 0, a = 0 so (S2) holds.
			// Q(u) = −ρ(u) − ρ(2u) = −3u for u > 0: escape (E1 = ½(−1−2) ≠ 0).
			"zero network saddle",
			point(t, relu, rows(row("1"), row("2")), rows(row("1"), row("1")), []nrn{{row("0"), row("0")}}),
			want{verify.Saddle, []int{0}, 0.5, []verify.NeuronKind{verify.ZeroNeuron}, []int{2}, []bool{true}, []bool{true}},
		},
		{
			// x = ±1, r = (−1, −1): E1 = ½(−1 + 1) = 0 but the line sum of E2
			// is −2: Q(u) = −|u|. Saddle.
			"zero network saddle by E2",
			point(t, relu, rows(row("1"), row("-1")), rows(row("1"), row("1")), []nrn{{row("0"), row("0")}}),
			want{verify.Saddle, []int{0}, 0.5, []verify.NeuronKind{verify.ZeroNeuron}, []int{2}, []bool{true}, []bool{true}},
		},
		{
			// x = 1, 2, y = (−2, 1): r = (2, −1), Q(u) = (2 − 2)u = 0 for u > 0
			// and 0 for u < 0: no escape. L = (4 + 1)/4, local minimum.
			"zero network local min",
			point(t, relu, rows(row("1"), row("2")), rows(row("-2"), row("1")), []nrn{{row("0"), row("0")}}),
			want{verify.LocalMin, []int{}, 1.25, []verify.NeuronKind{verify.ZeroNeuron}, []int{2}, []bool{true}, []bool{true}},
		},
		{
			// w = 1, a = 0, y = (1, 1): r = (−1, −1), G = (−1 − 2)/2 ≠ 0 while
			// (S2) holds trivially.
			"zero-output failed S1",
			point(t, relu, rows(row("1"), row("2")), rows(row("1"), row("1")), []nrn{{row("1"), row("0")}}),
			want{verify.NotStationary, []int{}, 0.5, []verify.NeuronKind{verify.ZeroOutput}, []int{0}, []bool{false}, []bool{true}},
		},
		{
			// x_1 = (1,0) on the hyperplane of w = (0,1), x_2 = (0,1) active,
			// a = 1, y = (1, 1): r = (−1, 0), G = 0, v = 0 and
			// nφ(u) = κc_1(u_1)₊ = −(u_1)₊: a concave kink, (S2) fails.
			"concave kink not stationary",
			point(t, relu, rows(row("1", "0"), row("0", "1")), rows(row("1"), row("1")),
				[]nrn{{row("0", "1"), row("1")}}),
			want{verify.NotStationary, []int{}, 0.25, []verify.NeuronKind{verify.NonDifferentiable}, []int{1}, []bool{true}, []bool{false}},
		},
		{
			// Same with y_1 = −1: r = (1, 0), nφ(u) = (u_1)₊ ≥ 0: local minimum.
			"convex kink local min",
			point(t, relu, rows(row("1", "0"), row("0", "1")), rows(row("-1"), row("1")),
				[]nrn{{row("0", "1"), row("1")}}),
			want{verify.LocalMin, []int{}, 0.25, []verify.NeuronKind{verify.NonDifferentiable}, []int{1}, []bool{true}, []bool{true}},
		},
		{
			// w = (1,0), a = 0; x_1 = (1,0) active with r_1 = 0, x_2 = (0,1) on
			// the hyperplane with r_2 = −1: G = 0, Q(u) = −(u_2)₊ ≢ 0. Saddle.
			"zero-output escape neuron",
			point(t, relu, rows(row("1", "0"), row("0", "1")), rows(row("0"), row("1")),
				[]nrn{{row("1", "0"), row("0")}}),
			want{verify.Saddle, []int{0}, 0.25, []verify.NeuronKind{verify.ZeroOutput}, []int{1}, []bool{true}, []bool{true}},
		},
		{
			// As above with x_2 = (−1,0) inactive: ReLU ignores it, Q ≡ 0.
			"zero-output without escape",
			point(t, relu, rows(row("1", "0"), row("-1", "0")), rows(row("0"), row("1")),
				[]nrn{{row("1", "0"), row("0")}}),
			want{verify.LocalMin, []int{}, 0.25, []verify.NeuronKind{verify.ZeroOutput}, []int{0}, []bool{true}, []bool{true}},
		},
		{
			// Interpolation: f = y, L = 0.
			"global min",
			point(t, relu, rows(row("1"), row("2")), rows(row("1"), row("2")), []nrn{{row("1"), row("1")}}),
			want{verify.GlobalMin, []int{}, 0, []verify.NeuronKind{verify.Alive}, []int{0}, []bool{true}, []bool{true}},
		},
		{
			// Dead ReLU neuron beside an interpolating one: the dead one has
			// G = 0 and a zero Q-part on its side; the point is a global min.
			"dead neuron",
			point(t, relu, rows(row("1"), row("2")), rows(row("1"), row("2")),
				[]nrn{{row("1"), row("1")}, {row("-1"), row("3")}}),
			want{verify.GlobalMin, []int{}, 0, []verify.NeuronKind{verify.Alive, verify.Dead}, []int{0, 0}, []bool{true, true}, []bool{true, true}},
		},
		{
			// k = 2: w = (0,1), a = (1,0); x_1 = (1,0), x_3 = (2,0) on the
			// hyperplane with r = (0,1), x_2 = (0,1) with r_2 = 0. c_i = a·r_i = 0,
			// so φ ≡ 0; Q(u) = (0, 3(u_1)₊) ≢ 0 with a ≠ 0. At u = (1, u_2):
			// |q|² = 9 > |a|²·Σρ(w·x)²·Σρ'² = 1·1·(1 + u_2² + 4) for |u_2| ≤ 1:
			// indefinite, saddle. (Directly: 6L = 2 + 5t² − 18st + 9s² + O(4).)
			"k=2 saddle, a_j ≠ 0",
			point(t, relu, rows(row("1", "0"), row("0", "1"), row("2", "0")),
				rows(row("0", "-1"), row("1", "0"), row("0", "-1")), []nrn{{row("0", "1"), row("1", "0")}}),
			want{verify.Saddle, []int{0}, 1.0 / 3, []verify.NeuronKind{verify.NonDifferentiable}, []int{2}, []bool{true}, []bool{true}},
		},
		{
			// k = 2 with only x_1 = (1,0) on the hyperplane: escape (Q(u) =
			// (0, (u_1)₊)) but H(u) = 1 − (1 + u_2²) ≤ 0 and the second-order
			// minimum is 1/4 − 1/4 = 0: no float test shows a descent.
			"k=2 undetermined",
			point(t, relu, rows(row("1", "0"), row("0", "1")), rows(row("0", "-1"), row("1", "0")),
				[]nrn{{row("0", "1"), row("1", "0")}}),
			want{verify.Undetermined, []int{0}, 0.25, []verify.NeuronKind{verify.NonDifferentiable}, []int{1}, []bool{true}, []bool{true}},
		},
		{
			// Tolerance: x_1 = (1, 10⁻¹⁴) is at relative distance 10⁻¹⁴ of the
			// hyperplane of w = (0,1), so it counts as on it and this is the
			// convex-kink local minimum above.
			"sample at relative distance 1e-14 is on the hyperplane",
			point(t, relu, rows(row("1", "1e-14"), row("0", "1")), rows(row("-1"), row("1")),
				[]nrn{{row("0", "1"), row("1")}}),
			want{verify.LocalMin, []int{}, 0.25, []verify.NeuronKind{verify.NonDifferentiable}, []int{1}, []bool{true}, []bool{true}},
		},
		{
			// At relative distance 10⁻⁶ the sample is active: f(x_1) = 10⁻⁶,
			// r_1 ≈ 1, G ≈ 5·10⁻⁷ ≠ 0 (threshold ≈ 5·10⁻¹⁰).
			"sample at relative distance 1e-6 is off the hyperplane",
			point(t, relu, rows(row("1", "1e-6"), row("0", "1")), rows(row("-1"), row("1")),
				[]nrn{{row("0", "1"), row("1")}}),
			want{verify.NotStationary, []int{}, (1 + 1e-6) * (1 + 1e-6) / 4, []verify.NeuronKind{verify.Alive}, []int{0}, []bool{false}, []bool{false}},
		},
	}
}

func TestCheckHandCases(t *testing.T) {
	for _, tc := range checkCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Check(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != tc.w.kind {
				t.Errorf("kind = %v, want %v (reason: %s)", r.Kind, tc.w.kind, r.Reason)
			}
			if r.Escape == nil || !reflect.DeepEqual(r.Escape, tc.w.escape) {
				t.Errorf("escape = %#v, want %#v", r.Escape, tc.w.escape)
			}
			if math.Abs(r.Loss-tc.w.loss) > 1e-12 {
				t.Errorf("loss = %v, want %v", r.Loss, tc.w.loss)
			}
			wantStat := tc.w.kind != verify.NotStationary
			if r.Stationary != wantStat {
				t.Errorf("stationary = %v, want %v", r.Stationary, wantStat)
			}
			if len(r.Neurons) != len(tc.w.kinds) {
				t.Fatalf("%d neuron reports, want %d", len(r.Neurons), len(tc.w.kinds))
			}
			for j, nr := range r.Neurons {
				if nr.Kind != tc.w.kinds[j] || nr.Boundary != tc.w.boundary[j] || nr.S1 != tc.w.s1[j] || nr.S2 != tc.w.s2[j] || !nr.Decided {
					t.Errorf("neuron %d = %+v, want kind %v boundary %d S1 %v S2 %v decided", j, nr,
						tc.w.kinds[j], tc.w.boundary[j], tc.w.s1[j], tc.w.s2[j])
				}
				esc := false
				for _, e := range tc.w.escape {
					esc = esc || e == j
				}
				if nr.Escape != esc {
					t.Errorf("neuron %d escape = %v, want %v", j, nr.Escape, esc)
				}
			}
		})
	}
}
