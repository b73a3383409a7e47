package numeric

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/relucert/relucert/verify"
)

// want is the hand-derived classification of a test point.
type want struct {
	kind     verify.VerdictKind
	escape   []int
	loss     float64
	kinds    []verify.NeuronKind
	boundary []int
	s1, s2   []bool
	reason   string // a substring the reason must contain, if not empty
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
			// escape, local minimum (Theorem M). L = (4 + 1)/6. Global
			// (Theorem G): all x on one line, σΣr_i x_i = 0 and
			// Σ|x_i|r_i = 2 − 2 + 0 = 0, so r ⊥ every feature ρ(xu).
			"leaky differentiable local min",
			point(t, leaky("1/10"), rows(row("1"), row("2"), row("-1")), rows(row("-1"), row("3"), row("-1/10")),
				[]nrn{{row("1"), row("1")}}),
			want{verify.GlobalMin, []int{}, 5.0 / 6, []verify.NeuronKind{verify.Alive}, []int{0}, []bool{true}, []bool{true}, ""},
		},
		{
			// Same with y_1 = 0: r = (1, 0, 0), G = 1/3 ≠ 0, v = ρ₊·1·1 ≠ 0.
			"leaky failed S1 and S2",
			point(t, leaky("1/10"), rows(row("1"), row("2"), row("-1")), rows(row("0"), row("2"), row("-1/10")),
				[]nrn{{row("1"), row("1")}}),
			want{verify.NotStationary, []int{}, 1.0 / 6, []verify.NeuronKind{verify.Alive}, []int{0}, []bool{false}, []bool{false}, ""},
		},
		{
			// Zero network, y = (1, 1): r = (−1, −1), G = 0, a = 0 so (S2) holds.
			// Q(u) = −ρ(u) − ρ(2u) = −3u for u > 0: escape (E1 = ½(−1−2) ≠ 0).
			"zero network saddle",
			point(t, relu, rows(row("1"), row("2")), rows(row("1"), row("1")), []nrn{{row("0"), row("0")}}),
			want{verify.Saddle, []int{0}, 0.5, []verify.NeuronKind{verify.ZeroNeuron}, []int{2}, []bool{true}, []bool{true}, ""},
		},
		{
			// x = ±1, r = (−1, −1): E1 = ½(−1 + 1) = 0 but the line sum of E2
			// is −2: Q(u) = −|u|. Saddle.
			"zero network saddle by E2",
			point(t, relu, rows(row("1"), row("-1")), rows(row("1"), row("1")), []nrn{{row("0"), row("0")}}),
			want{verify.Saddle, []int{0}, 0.5, []verify.NeuronKind{verify.ZeroNeuron}, []int{2}, []bool{true}, []bool{true}, ""},
		},
		{
			// x = 1, 2, y = (−2, 1): r = (2, −1), Q(u) = (2 − 2)u = 0 for u > 0
			// and 0 for u < 0: no escape. L = (4 + 1)/4, local minimum, and
			// global (Theorem G: the zero neuron's Q ≡ 0 is r ⊥ every feature).
			"zero network local min",
			point(t, relu, rows(row("1"), row("2")), rows(row("-2"), row("1")), []nrn{{row("0"), row("0")}}),
			want{verify.GlobalMin, []int{}, 1.25, []verify.NeuronKind{verify.ZeroNeuron}, []int{2}, []bool{true}, []bool{true}, ""},
		},
		{
			// w = 1, a = 0, y = (1, 1): r = (−1, −1), G = (−1 − 2)/2 ≠ 0 while
			// (S2) holds trivially.
			"zero-output failed S1",
			point(t, relu, rows(row("1"), row("2")), rows(row("1"), row("1")), []nrn{{row("1"), row("0")}}),
			want{verify.NotStationary, []int{}, 0.5, []verify.NeuronKind{verify.ZeroOutput}, []int{0}, []bool{false}, []bool{true}, ""},
		},
		{
			// x_1 = (1,0) on the hyperplane of w = (0,1), x_2 = (0,1) active,
			// a = 1, y = (1, 1): r = (−1, 0), G = 0, v = 0 and
			// nφ(u) = κc_1(u_1)₊ = −(u_1)₊: a concave kink, (S2) fails.
			"concave kink not stationary",
			point(t, relu, rows(row("1", "0"), row("0", "1")), rows(row("1"), row("1")),
				[]nrn{{row("0", "1"), row("1")}}),
			want{verify.NotStationary, []int{}, 0.25, []verify.NeuronKind{verify.NonDifferentiable}, []int{1}, []bool{true}, []bool{false}, ""},
		},
		{
			// Same with y_1 = −1: r = (1, 0), nφ(u) = (u_1)₊ ≥ 0: local minimum.
			"convex kink local min",
			point(t, relu, rows(row("1", "0"), row("0", "1")), rows(row("-1"), row("1")),
				[]nrn{{row("0", "1"), row("1")}}),
			want{verify.LocalMin, []int{}, 0.25, []verify.NeuronKind{verify.NonDifferentiable}, []int{1}, []bool{true}, []bool{true}, ""},
		},
		{
			// w = (1,0), a = 0; x_1 = (1,0) active with r_1 = 0, x_2 = (0,1) on
			// the hyperplane with r_2 = −1: G = 0, Q(u) = −(u_2)₊ ≢ 0. Saddle.
			"zero-output escape neuron",
			point(t, relu, rows(row("1", "0"), row("0", "1")), rows(row("0"), row("1")),
				[]nrn{{row("1", "0"), row("0")}}),
			want{verify.Saddle, []int{0}, 0.25, []verify.NeuronKind{verify.ZeroOutput}, []int{1}, []bool{true}, []bool{true}, ""},
		},
		{
			// As above with x_2 = (−1,0) inactive: ReLU ignores it, Q ≡ 0.
			"zero-output without escape",
			point(t, relu, rows(row("1", "0"), row("-1", "0")), rows(row("0"), row("1")),
				[]nrn{{row("1", "0"), row("0")}}),
			want{verify.LocalMin, []int{}, 0.25, []verify.NeuronKind{verify.ZeroOutput}, []int{0}, []bool{true}, []bool{true}, ""},
		},
		{
			// Interpolation: f = y, L = 0.
			"global min",
			point(t, relu, rows(row("1"), row("2")), rows(row("1"), row("2")), []nrn{{row("1"), row("1")}}),
			want{verify.GlobalMin, []int{}, 0, []verify.NeuronKind{verify.Alive}, []int{0}, []bool{true}, []bool{true}, ""},
		},
		{
			// Dead ReLU neuron beside an interpolating one: the dead one has
			// G = 0 and a zero Q-part on its side; the point is a global min.
			"dead neuron",
			point(t, relu, rows(row("1"), row("2")), rows(row("1"), row("2")),
				[]nrn{{row("1"), row("1")}, {row("-1"), row("3")}}),
			want{verify.GlobalMin, []int{}, 0, []verify.NeuronKind{verify.Alive, verify.Dead}, []int{0, 0}, []bool{true, true}, []bool{true, true}, ""},
		},
		{
			// A zero sample x_1 = 0 (in every Z_j, but not counted in Boundary
			// and not stopping "dead") and a dead neuron w = −1, a = 2: f = 0,
			// r = (−1, −1), L = 2/4. G = 0 (ρ(0) = ρ(−1) = 0), and φ ≡ 0 since
			// x_2 = 1 is inactive with ρ₋ = 0: stationary, k = 1: local min.
			"zero sample and dead neuron",
			point(t, relu, rows(row("0"), row("1")), rows(row("1"), row("1")), []nrn{{row("-1"), row("2")}}),
			want{verify.LocalMin, []int{}, 0.5, []verify.NeuronKind{verify.Dead}, []int{0}, []bool{true}, []bool{true}, ""},
		},
		{
			// k = 2: w = (0,1), a = (1,0); x_1 = (1,0), x_3 = (2,0) on the
			// hyperplane with r = (0,1), x_2 = (0,1) with r_2 = 0. c_i = a·r_i = 0,
			// so φ ≡ 0; Q(u) = (0, 3(u_1)₊) ≢ 0 with a ≠ 0. At u = (1, u_2):
			// |q|² = 9 > |a|²·Σρ(w·x)²·Σρ'² = 1·1·(1 + u_2² + 4) for |u_2| ≤ 1:
			// indefinite, saddle, already at every LP witness (all have u_1 = 1).
			// (Directly, δw = (t,0), δa = (0,−3s): 6L = 2 + 5t² − 18st + 9s² + O(4).)
			"k=2 saddle, a_j ≠ 0",
			point(t, relu, rows(row("1", "0"), row("0", "1"), row("2", "0")),
				rows(row("0", "-1"), row("1", "0"), row("0", "-1")), []nrn{{row("0", "1"), row("1", "0")}}),
			want{verify.Saddle, []int{0}, 1.0 / 3, []verify.NeuronKind{verify.NonDifferentiable}, []int{2}, []bool{true}, []bool{true},
				"indefinite test on a critical face"},
		},
		{
			// k = 2 with only x_1 = (1,0) on the hyperplane: escape (Q(u) =
			// (0, (u_1)₊)) but H(u) = 1 − (1 + u_2²) ≤ 0 and the second-order
			// minimum is 1/4 − 1/4 = 0: no float test shows a descent.
			"k=2 undetermined",
			point(t, relu, rows(row("1", "0"), row("0", "1")), rows(row("0", "-1"), row("1", "0")),
				[]nrn{{row("0", "1"), row("1", "0")}}),
			want{verify.Undetermined, []int{0}, 0.25, []verify.NeuronKind{verify.NonDifferentiable}, []int{1}, []bool{true}, []bool{true}, ""},
		},
		{
			// The undetermined point with its neuron split with λ = 2:
			// a = (2,0) and (−1,0), same w. φ ≡ 0 still, both neurons escape
			// (Q_j = (0, (u_1)₊) depends on w and r only). Test 1 fails for both
			// (H = u_1² − 4|u|² and u_1² − |u|²), but Φ has two equal columns,
			// so e_0 has a null-space component and c₂ is unbounded below:
			// moving a_0 alone activates x_1 while a_1 keeps f(x_2) = y_2.
			"k=2 split copies, saddle by the second-order test",
			point(t, relu, rows(row("1", "0"), row("0", "1")), rows(row("0", "-1"), row("1", "0")),
				[]nrn{{row("0", "1"), row("2", "0")}, {row("0", "1"), row("-1", "0")}}),
			want{verify.Saddle, []int{0, 1}, 0.25, []verify.NeuronKind{verify.NonDifferentiable, verify.NonDifferentiable},
				[]int{1, 1}, []bool{true, true}, []bool{true, true}, "second-order"},
		},
		{
			// abs, zero neuron, x = ±1, r = (1, −1): Q(u) = |u| − |u| = 0. E1
			// uses (ρ₊+ρ₋)/2 = 0 on the boundary, E2's line sum is 1 − 1 = 0.
			// f = (s, s) with s = a|w|: 4L = (s+1)² + (s−1)² ≥ 2. Local min,
			// and global: every network has f = (s, s), as the bound shows.
			"abs zero neuron without escape",
			point(t, verify.Abs(), rows(row("1"), row("-1")), rows(row("-1"), row("1")), []nrn{{row("0"), row("0")}}),
			want{verify.GlobalMin, []int{}, 0.5, []verify.NeuronKind{verify.ZeroNeuron}, []int{2}, []bool{true}, []bool{true}, ""},
		},
		{
			// abs, zero neuron, x = 1, 2, r = (1, −1): E1 = 0 (ρ₊+ρ₋ = 0) but the
			// line sum is 1·1 − 2·1 ≠ 0: Q(u) = |u| − 2|u| = −|u|. Saddle.
			"abs zero neuron, escape by E2",
			point(t, verify.Abs(), rows(row("1"), row("2")), rows(row("-1"), row("1")), []nrn{{row("0"), row("0")}}),
			want{verify.Saddle, []int{0}, 0.5, []verify.NeuronKind{verify.ZeroNeuron}, []int{2}, []bool{true}, []bool{true}, "Theorem E"},
		},
		{
			// Tolerance: x_1 = (1, 10⁻¹⁴) is at relative distance 10⁻¹⁴ of the
			// hyperplane of w = (0,1), so it counts as on it and this is the
			// convex-kink local minimum above.
			"sample at relative distance 1e-14 is on the hyperplane",
			point(t, relu, rows(row("1", "1e-14"), row("0", "1")), rows(row("-1"), row("1")),
				[]nrn{{row("0", "1"), row("1")}}),
			want{verify.LocalMin, []int{}, 0.25, []verify.NeuronKind{verify.NonDifferentiable}, []int{1}, []bool{true}, []bool{true}, ""},
		},
		{
			// At relative distance 10⁻⁶ the sample is active: f(x_1) = 10⁻⁶,
			// r_1 ≈ 1, G ≈ 5·10⁻⁷ ≠ 0 (threshold ≈ 5·10⁻¹⁰).
			"sample at relative distance 1e-6 is off the hyperplane",
			point(t, relu, rows(row("1", "1e-6"), row("0", "1")), rows(row("-1"), row("1")),
				[]nrn{{row("0", "1"), row("1")}}),
			want{verify.NotStationary, []int{}, (1 + 1e-6) * (1 + 1e-6) / 4, []verify.NeuronKind{verify.Alive}, []int{0}, []bool{false}, []bool{false}, ""},
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
			if !strings.Contains(r.Reason, tc.w.reason) {
				t.Errorf("reason %q does not mention %q", r.Reason, tc.w.reason)
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

// manyKinks builds the point of TestCheckCellMethod: ReLU, d = 3, neuron
// w = (0,0,1), a = 1, the sample (0,0,1) with r = 0, and for k = −6…6 the
// boundary sample (1,k,0) twice, once with y = 1 (r = −1: c < 0, Z⁻) and,
// unless k = drop, once with y = −1 (r = +1: Z⁺). Then
// nφ(u) = Σ_{Z⁺}(x_i·u)₊ − Σ_{Z⁻}(x_i·u)₊: matched pairs cancel, so (S2)
// holds iff nothing is dropped; with k = drop unmatched, φ((1,drop,0)) < 0.
func manyKinks(t *testing.T, drop int) *verify.Point {
	xs, ys := rows(row("0", "0", "1")), rows(row("1"))
	for k := -6; k <= 6; k++ {
		x := row("1", fmt.Sprint(k), "0")
		xs, ys = append(xs, x), append(ys, row("1"))
		if k != drop {
			xs, ys = append(xs, x), append(ys, row("-1"))
		}
	}
	return point(t, verify.ReLU(), xs, ys, []nrn{{row("0", "0", "1"), row("1")}})
}

// TestCheckCellMethod exercises (S2) with |Z⁻| = 13 > subsetLimit, decided
// by the cells of the Z⁻ arrangement (13 planes through one axis: 26 cells)
// unless quickWitness finds the descent first.
func TestCheckCellMethod(t *testing.T) {
	for _, tc := range []struct {
		drop int
		kind verify.VerdictKind
		s2   bool
	}{
		{100, verify.GlobalMin, true}, // every input's residuals cancel (Theorem G)
		{3, verify.NotStationary, false},
		{-6, verify.NotStationary, false},
	} {
		p := manyKinks(t, tc.drop)
		pr, err := NewProblem(p)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := pr.s2Setup(0)
		if len(s.minus) != 13 || useSubsets(len(s.minus), s.d) {
			t.Fatalf("|Z⁻| = %d, want 13 and the cell method", len(s.minus))
		}
		r := pr.Check()
		if r.Kind != tc.kind || r.Neurons[0].S2 != tc.s2 || !r.Neurons[0].S1 || r.Neurons[0].Boundary != p.N()-1 {
			t.Errorf("drop %d: %v %+v (%s), want %v with S2 = %v", tc.drop, r.Kind, r.Neurons[0], r.Reason, tc.kind, tc.s2)
		}
	}
}

func TestCheckRejects(t *testing.T) {
	huge, _ := new(big.Rat).SetString("1e400")
	good := point(t, verify.ReLU(), rows(row("1")), rows(row("1")), []nrn{{row("1"), row("1")}})
	bad1 := good.Clone()
	bad1.Neurons[0].W = rv("1", "2")
	bad2 := good.Clone()
	bad2.Y.Set(0, 0, huge)
	for name, p := range map[string]*verify.Point{"nil": nil, "shape": bad1, "empty": {Act: verify.ReLU()}} {
		if r, err := Check(p); err == nil {
			t.Errorf("%s: no error, result %+v", name, r)
		}
	}
	// A number beyond float64 is a limit of the path, not bad input.
	if r, err := Check(bad2); err != nil || r.Kind != verify.Undetermined || !strings.HasPrefix(r.Reason, "float64: targets[0][0]") {
		t.Errorf("overflow: %v, %+v; want undetermined (float64: targets[0][0] …)", err, r)
	}
	// No neurons: f = 0, r = −y; nothing to move, a local minimum.
	r, err := Check(point(t, verify.ReLU(), rows(row("1")), rows(row("2")), nil))
	if err != nil || r.Kind != verify.LocalMin || r.Loss != 2 || r.Escape == nil || len(r.Neurons) != 0 {
		t.Errorf("no neurons: %+v, %v", r, err)
	}
}
