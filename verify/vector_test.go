package verify

import (
	"strings"
	"testing"
)

// TestVectorEscape works DESIGN §4's k ≥ 2 tests out by hand on one ReLU
// neuron w = (1, 0), a = (1, 0) with x_1 = (1, 0), y_1 = (1, 0) (fitted,
// r_1 = 0) and x_2 = (0, 1) on the hyperplane with y_2 = (0, −c), so
// r_2 = (0, c). Then G = 0, a·r_2 = 0 so φ ≡ 0 and the point is stationary,
// and Q(u) = (0, c·(u₂)₊) ≠ 0 on the critical half-plane u₂ ≥ 0: the neuron
// escapes with a ≠ 0. With A = Σρ(w·x_i)² = 1 and B(u) = u₁² + u₂²,
// H(u) = c²u₂² − (u₁² + u₂²): positive at u = (0, 1) iff c > 1.
//   - c = 2: the indefinite test certifies a saddle.
//   - c = 1: H = −u₁² ≤ 0 on the face; the second-order minimum is
//     min_b ½[b₂u₂ + ½(|b + (u₁, 0)|² + u₂²)] = 0 (at b = (−u₁, −u₂)), so
//     neither test certifies a descent: undetermined.
func TestVectorEscape(t *testing.T) {
	for _, tt := range []struct {
		c    int64
		want VerdictKind
		rule string
	}{{2, Saddle, "indefinite test"}, {1, Undetermined, ""}} {
		p := &Point{
			Act:     ReLU(),
			X:       []exactVec{vec(1, 0), vec(0, 1)},
			Y:       []exactVec{vec(1, 0), vec(0, -tt.c)},
			Neurons: []Neuron{{W: vec(1, 0), A: vec(1, 0)}},
		}
		v, err := Check(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if v.Kind != tt.want || len(v.Escape) != 1 || v.Escape[0] != 0 {
			t.Fatalf("c = %d: %v escape %v (%s); want %v escape [0]", tt.c, v.Kind, v.Escape, v.Reason, tt.want)
		}
		if tt.rule != "" && !strings.Contains(v.Cert.Path.Rule, tt.rule) {
			t.Errorf("c = %d: path rule %q, want the %s", tt.c, v.Cert.Path.Rule, tt.rule)
		}
		if tt.want == Undetermined && !strings.Contains(v.Reason, "dimension ≤ 2") {
			t.Errorf("c = %d: reason %q should say the 2-dimensional face was searched exhaustively", tt.c, v.Reason)
		}
		if err := Recheck(p, v); err != nil {
			t.Errorf("c = %d: Recheck: %v", tt.c, err)
		}
	}
}
