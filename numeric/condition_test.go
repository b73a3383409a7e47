package numeric

import (
	"strings"
	"testing"

	"github.com/relucert/relucert/verify"
)

// TestLimitations: each detector of condition.go fires on a point built
// for it, with a reason naming what float64 cannot decide, and none fires
// on the same points at scale 1. (The exact verdicts of the scaled points
// equal the unscaled ones: TestFloatRescaledCatalogue checks that on the
// catalogue.)
func TestLimitations(t *testing.T) {
	relu := verify.ReLU()
	for _, tc := range []struct {
		name string
		p    *verify.Point
		want string // "" for no limitation
	}{
		// s2-gradient-fail with y and a times 10^-300: below the range.
		{"tiny", point(t, relu, rows(row("1", "1"), row("1", "-1"), row("-1", "0")), rows(row("1e-300"), row("3e-300"), row("-3e-300")),
			[]nrn{{row("1", "0"), row("2e-300")}}), "max |a_j| is 2e-300, below the range"},
		// Times 10^-160: every number is in range, but the loss ≈ 10^-320.
		{"loss underflow", point(t, relu, rows(row("1", "1"), row("1", "-1"), row("-1", "0")), rows(row("1e-160"), row("3e-160"), row("-3e-160")),
			[]nrn{{row("1", "0"), row("2e-160")}}), "the loss, R² is 2.5e-319"},
		// Times 10^-200: the loss ≈ 10^-400 rounds to 0 in float64, which is
		// not a loss that is exactly zero (float-catastrophic-cancellation
		// times 10^-300 answered local-min through this hole).
		{"loss rounds to zero", point(t, relu, rows(row("1")), rows(row("1e-200")), []nrn{{row("1"), row("0")}}), "the loss, R² is 1e-400, below the range"},
		// y of 10^-100 and a of 10^-200: a_j·r_i ≈ 10^-300.
		{"product underflow", point(t, relu, rows(row("1", "1"), row("1", "-1"), row("-1", "0")), rows(row("1e-100"), row("3e-100"), row("-3e-100")),
			[]nrn{{row("1", "0"), row("2e-200")}}), "a_0·r_i, |a_0|·R is"},
		{"unscaled", point(t, relu, rows(row("1", "1"), row("1", "-1"), row("-1", "0")), rows(row("1"), row("3"), row("-3")),
			[]nrn{{row("1", "0"), row("2")}}), ""},
		// y and a times 10^200: the loss, R², is 10^400.
		{"overflow", point(t, relu, rows(row("1")), rows(row("1e200")), []nrn{{row("1"), row("2e200")}}), "the loss overflows float64"},
		// A number beyond float64 or below its normal range.
		{"not representable", point(t, relu, rows(row("1")), rows(row("1e400")), nil), "targets[0][0]"},
		{"subnormal", point(t, relu, rows(row("1")), rows(row("1e-320")), nil), "underflows float64"},
		// nonglobal-local-min's inputs times 10^12 (w's first coordinate
		// divided by it): |w_0| = 10^-12 counts as zero next to |w_1| ≈ 0.5,
		// but w_0·x_i = x is as large as any pre-activation.
		{"zero input weight", point(t, relu, rows(row("-1e12", "1"), row("1e12", "1"), row("2e12", "1")), rows(row("1"), row("3"), row("1")),
			[]nrn{{row("1e-12", "0"), row("1")}, {row("-1e-12", "-1/2"), row("2")}}), "w_0 counts as zero"},
		// a_1 = 10^-12 next to a_0 = 1, but a_1·ρ(w_1·x) = 1.
		{"zero output weight", point(t, relu, rows(row("1")), rows(row("2")), []nrn{{row("1"), row("1")}, {row("1e12"), row("1e-12")}}), "a_1 counts as zero"},
		// x_0 = (10^-12, 0) next to |x_1| = 1, but w_0·x_0 = 1.
		{"zero sample", point(t, relu, rows(row("1e-12", "0"), row("0", "1")), rows(row("1"), row("1")),
			[]nrn{{row("1e12", "0"), row("1")}, {row("0", "1"), row("1")}}), "sample 0 counts as zero"},
		// The first coordinate is 10^-12 of the second.
		{"coordinate", point(t, relu, rows(row("1e-12", "1"), row("-1e-12", "1")), rows(row("1"), row("1")), []nrn{{row("0", "0"), row("0")}}), "input coordinate 0"},
	} {
		r, err := Check(tc.p)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		limited := strings.HasPrefix(r.Reason, "float64: ")
		switch {
		case tc.want == "" && limited:
			t.Errorf("%s: %s, want no limitation", tc.name, r.Reason)
		case tc.want != "" && (!limited || r.Kind != verify.Undetermined || !strings.Contains(r.Reason, tc.want)):
			t.Errorf("%s: %v (%s), want undetermined (float64: … %s …)", tc.name, r.Kind, r.Reason, tc.want)
		}
	}
}
