package verify_test

import (
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/verify"
)

// corpusPoint reads a data case of testdata/corpus with the weights of an
// .npz file, as `relucert snap DATA --weights W` does.
func corpusPoint(t *testing.T, data, weights string) *verify.Point {
	t.Helper()
	b, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cases.Parse(data, b)
	if err != nil {
		t.Fatal(err)
	}
	w, err := cases.ReadWeights(weights)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	return c.Point()
}

// TestSnapKCorpus runs the big-float layer on PyTorch-trained k ≥ 2 points.
//   - ts2-relu-64-longer (testdata/snapk/make_longer.py: the corpus teacher
//     with 2 outputs, 400 000 more steps of its gradient descent): a box
//     proves a stationary point of its pattern (one more sample on a
//     hyperplane) within 0.005 of θ̃, and its certificate rechecks. Every
//     alive neuron escapes with a_j ≠ 0 and the second-order form is only
//     positive semidefinite, so the verdict is undetermined, with the
//     reason.
//   - ts2-over-32-end (an over-parameterised student with 2 outputs near a
//     global minimum, loss 1.3·10⁻⁸): its step-1 pattern has no stationary
//     point (Newton does not converge) until the dying neuron 1
//     (|ã||w̃| ≈ 0.005, alive on two samples) is zeroed; then three
//     multipliers outside [0, 1] send their samples off the hyperplanes,
//     and a box proves a saddle (the zero neuron escapes: Theorem E) whose
//     certificate rechecks.
//   - ts2-relu-64-transient (mid-plateau, gradient norm 0.5): no box, and
//     the first-order test's bound says θ̃ is far.
//   - linnerud-relu-64-end (the corpus's linnerud, k = 3, on a slow descent:
//     gradient norm 0.03): no stationary point of its pattern (or of the
//     two neighbouring patterns tried here) is near, and the verdict says
//     so.
func TestSnapKCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the corpus points take seconds each")
	}
	p := corpusPoint(t, "../testdata/corpus/data/ts2-relu-64.json", "../testdata/snapk/ts2-relu-64-longer.npz")
	res, err := verify.Snap(p, verify.SnapOptions{MaxNeighbours: -1})
	if err != nil {
		t.Fatal(err)
	}
	a := res.Algebraic
	v := a.Verdict
	if v.Cert == nil || a.RecheckErr != nil || !v.Stationary || v.Kind != verify.Undetermined || len(v.Escape) != 8 {
		t.Fatalf("ts2: verdict %v stationary %v escape %v recheck %v: %s", v.Kind, v.Stationary, v.Escape, a.RecheckErr, v.Reason)
	}
	if !strings.Contains(v.Reason, "positive semidefinite") {
		t.Errorf("ts2: reason %q", v.Reason)
	}
	if a.Distance.Cmp(big.NewFloat(0.01)) > 0 {
		t.Errorf("ts2: |θ* − θ̃| ≤ %v", a.Distance)
	}
	// L(θ*) agrees with the float loss of θ̃ (mse_loss = L for k = 2) to
	// the digits the two points share.
	if lo, _ := v.Loss.Lo.Float64(); lo < 0.0015312 || lo > 0.0015314 {
		t.Errorf("ts2: L(θ*) ≈ %v, float loss 0.0015313", lo)
	}

	p = corpusPoint(t, "../testdata/corpus/data/ts2-over-32.json", "../testdata/corpus/weights/ts2-over-32-end.npz")
	res, err = verify.Snap(p, verify.SnapOptions{MaxNeighbours: -1})
	if err != nil {
		t.Fatal(err)
	}
	a = res.Algebraic
	v = a.Verdict
	if v.Cert == nil || a.RecheckErr != nil || !v.Stationary || v.Kind != verify.Saddle || a.Pattern == nil ||
		!slices.Equal(a.Pattern.Zeroed, []int{1}) || !strings.Contains(v.Reason, "Theorem E: zero neuron 1 escapes") {
		t.Fatalf("ts2-over: verdict %v stationary %v recheck %v pattern %+v: %s", v.Kind, v.Stationary, a.RecheckErr, a.Pattern, v.Reason)
	}

	p = corpusPoint(t, "../testdata/corpus/data/ts2-relu-64.json", "../testdata/corpus/weights/ts2-relu-64-transient.npz")
	res, err = verify.Snap(p, verify.SnapOptions{MaxNeighbours: -1})
	if err != nil {
		t.Fatal(err)
	}
	v = res.Algebraic.Verdict
	if v.Kind != verify.Undetermined || v.Cert != nil || res.Far == nil || !strings.Contains(v.Reason, "θ̃ is not near a stationary point (bound: its gradient") {
		t.Fatalf("ts2 transient: verdict %v far %v: %s", v.Kind, res.Far, v.Reason)
	}

	p = corpusPoint(t, "../testdata/corpus/data/linnerud-relu-64.json", "../testdata/corpus/weights/linnerud-relu-64-end.npz")
	res, err = verify.Snap(p, verify.SnapOptions{MaxNeighbours: -1, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	v = res.Algebraic.Verdict
	if v.Kind != verify.Undetermined || v.Cert != nil || !strings.Contains(v.Reason, "not near") {
		t.Fatalf("linnerud: verdict %v: %s", v.Kind, v.Reason)
	}
}

// BenchmarkSnapK times the big-float layer on the trained k = 2 point of
// TestSnapKCorpus (60 unknowns after one retry: two Newton phases,
// Krawczyk with a 60×60 preconditioner, the facts, the second-order form
// and RecheckBox).
func BenchmarkSnapK(b *testing.B) {
	t := &testing.T{}
	p := corpusPoint(t, "../testdata/corpus/data/ts2-relu-64.json", "../testdata/snapk/ts2-relu-64-longer.npz")
	for b.Loop() {
		if _, err := verify.Snap(p, verify.SnapOptions{MaxNeighbours: -1}); err != nil {
			b.Fatal(err)
		}
	}
}
