package certfile_test

import (
	"bytes"
	"encoding/json"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/certfile"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
	nt "github.com/relucert/relucert/network/networktest"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

func f64(x float64) *big.Rat { return new(big.Rat).SetFloat64(x) }

// boxPoints are k = 2 float candidates whose exact stationary points are
// irrational or on a kink, worked out by hand in verify/snapk_test.go
// (TestSnapKIrrationalSaddle, TestSnapKTopPairUndetermined,
// TestSnapKBoundaryLocalMin, TestSnapKBoundaryNotStationary,
// TestSnapKZeroNeuronTheoremE): a saddle by the second-order test, an
// undetermined stationary point, a local minimum, a point that is not
// stationary, and a saddle by Theorem E.
func boxPoints() map[string]*network.Point {
	rankOne := func(y [2][2]int64, w, a [2]float64) *network.Point {
		return &network.Point{Act: network.ReLU(),
			X:       exact.RatMatOf([]exact.Vec{exact.VecOf(1, 0), exact.VecOf(0, 1)}),
			Y:       exact.RatMatOf([]exact.Vec{exact.VecOf(y[0][0], y[0][1]), exact.VecOf(y[1][0], y[1][1])}),
			Neurons: []network.Neuron{{W: exact.Vec{f64(w[0]), f64(w[1])}, A: exact.Vec{f64(a[0]), f64(a[1])}}},
		}
	}
	kink := func(y0 [2]int64) *network.Point {
		return &network.Point{Act: network.ReLU(),
			X:       exact.RatMatOf([]exact.Vec{exact.VecOf(-1, 1), exact.VecOf(0, 1), exact.VecOf(1, 1), exact.VecOf(2, 1)}),
			Y:       exact.RatMatOf([]exact.Vec{exact.VecOf(1, 0), exact.VecOf(y0[0], y0[1]), exact.VecOf(1, 2), exact.VecOf(3, 3)}),
			Neurons: []network.Neuron{{W: exact.Vec{f64(1.0000003), f64(2e-7)}, A: exact.Vec{f64(1.4000001), f64(1.6)}}},
		}
	}
	zero := kink([2]int64{-1, -1})
	zero.Neurons = append(zero.Neurons, network.Neuron{W: exact.Vec{f64(1e-9), f64(-2e-9)}, A: exact.Vec{f64(3e-9), f64(1e-9)}})
	return map[string]*network.Point{
		"saddle":         rankOne([2][2]int64{{1, -1}, {-1, 2}}, [2]float64{0.2763932022500210, 0.1708203932499369}, [2]float64{1, 0.6180339887498949}),
		"undetermined":   rankOne([2][2]int64{{2, 1}, {1, 1}}, [2]float64{1.894427190999916, 1.1708203932499369}, [2]float64{1, 0.6180339887498949}),
		"local-min":      kink([2]int64{-1, -1}),
		"not-stationary": kink([2]int64{1, 1}),
		"theorem-e":      zero,
	}
}

// boxCertificates snaps each box point and returns its case (the data and
// the box's center) and certificate file.
func boxCertificates(t *testing.T) (names []string, cs map[string]*cases.Case, files map[string][]byte) {
	t.Helper()
	cs, files = map[string]*cases.Case{}, map[string][]byte{}
	for name, p := range boxPoints() {
		opt := verify.SnapOptions{}
		if name == "not-stationary" {
			opt.MaxAttempts = -1 // no retry on the neighbouring pattern
		}
		res, err := verify.Snap(p, opt)
		if err != nil {
			t.Fatal(err)
		}
		a := res.Algebraic
		if a == nil || a.Verdict == nil || a.Verdict.Cert == nil || a.RecheckErr != nil {
			t.Fatalf("%s: no box certificate (%+v)", name, a)
		}
		if want := map[string]recheck.VerdictKind{"saddle": recheck.Saddle, "undetermined": recheck.Undetermined,
			"local-min": recheck.LocalMin, "not-stationary": recheck.NotStationary, "theorem-e": recheck.Saddle}[name]; a.Verdict.Kind != want {
			t.Fatalf("%s: box verdict %v, want %v", name, a.Verdict.Kind, want)
		}
		c, err := cases.FromPoint("box-"+name, "test", a.Center, false)
		if err != nil {
			t.Fatal(err)
		}
		b, err := certfile.EncodeBox(c, a.Verdict)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
		cs[name], files[name] = c, b
	}
	slices.Sort(names)
	return names, cs, files
}

// TestBoxRoundTrip: a box certificate file decodes, re-encodes to the same
// bytes, checks against its case and its embedded case; its floats are
// exact (every center coordinate reads back as the same rational); the
// decoder of exact-point files refuses it, and the box decoder the others.
func TestBoxRoundTrip(t *testing.T) {
	names, cs, files := boxCertificates(t)
	for _, name := range names {
		b := files[name]
		if !certfile.IsBox(b) {
			t.Fatalf("%s: IsBox false", name)
		}
		f, err := certfile.DecodeBox(name, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := certfile.CheckBox(cs[name], f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		emb, err := f.EmbeddedCase(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := certfile.CheckBox(emb, f); err != nil {
			t.Fatalf("%s: against the embedded case: %v", name, err)
		}
		again, err := certfile.EncodeBox(emb, f.Box)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("%s: the decoded box certificate encodes differently", name)
		}
		// Exactness: the first center coordinate, read from the text
		// independently as a rational, equals the decoded float's value.
		var raw struct {
			Box struct {
				Certificate struct {
					Center []string `json:"center"`
				} `json:"certificate"`
			} `json:"box"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		r, ok := new(big.Rat).SetString(raw.Box.Certificate.Center[0])
		got, _ := f.Box.Cert.Center[0].Rat(nil)
		if !ok || r.Cmp(got) != 0 || f.Box.Cert.Center[0].Prec() < 64 {
			t.Fatalf("%s: center[0] %q read as %v", name, raw.Box.Certificate.Center[0], got)
		}
		if _, err := certfile.Decode(name, b); err == nil {
			t.Fatalf("%s: Decode accepts a box file", name)
		}
	}
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if b := certify(t, cat[0]); certfile.IsBox(b) {
		t.Fatal("IsBox of an exact-point file")
	} else if _, err := certfile.DecodeBox("x", b); err == nil {
		t.Fatal("DecodeBox accepts an exact-point file")
	}
	// A float that is not binary is refused.
	b := files[names[0]]
	m := regexp.MustCompile(`"center": \[\s*"[^"]*"`).ReplaceAll(b, []byte(`"center": ["1/3"`))
	if _, err := certfile.DecodeBox("x", m); err == nil || !strings.Contains(err.Error(), "power of 2") {
		t.Fatalf("a center of 1/3: %v", err)
	}
}

// TestBoxEveryMutationRejected mutates every leaf of the box certificate
// files in turn (and drops every list's last entry), as
// TestEveryMutationRejected does for exact points, and requires each change
// of a claim to be rejected. The box itself — its center, radius,
// preconditioner and precision — is evidence: a change that still passes
// the Krawczyk test proves the same facts of the zero in the new box, so
// those are counted, not required to fail.
func TestBoxEveryMutationRejected(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of box rechecks")
	}
	names, cs, files := boxCertificates(t)
	evidence := func(path string) bool {
		for _, s := range []string{"box.certificate.center", "box.certificate.radius", "box.certificate.precond", "box.certificate.prec", "box.reason"} {
			if strings.HasPrefix(path, s) {
				return true
			}
		}
		return false
	}
	var tl mutationTally
	for _, name := range names {
		b := files[name]
		muts := func() (map[string]any, []mutation) {
			var tree map[string]any
			if err := json.Unmarshal(b, &tree); err != nil {
				t.Fatal(err)
			}
			ms := leaves(tree["box"], "box", nil)
			for i := range ms {
				ms[i].claim = !evidence(ms[i].path)
			}
			// A neuron added to the undecided list (a weaker claim than
			// the proof that it stays).
			box := tree["box"].(map[string]any)
			listed := map[float64]bool{}
			for _, part := range []string{"escape_neurons", "undecided"} {
				l, _ := box[part].([]any)
				for _, j := range l {
					listed[j.(float64)] = true
				}
			}
			pattern := box["certificate"].(map[string]any)["pattern"].([]any)
			for j := range pattern {
				if !listed[float64(j)] {
					ms = append(ms, mutation{path: "box.undecided (added)", claim: true, apply: func(map[string]any) {
						l, _ := box["undecided"].([]any)
						box["undecided"] = append(l, float64(j))
					}})
				}
			}
			ms = append(ms, targetMutation)
			return tree, ms
		}
		tree, all := muts()
		if _, err := checkBoxTree(cs[name], tree); err != nil {
			t.Fatalf("%s: the unmutated tree is rejected: %v", name, err)
		}
		for i := range all {
			tree, ms := muts()
			m := ms[i]
			m.apply(tree)
			f, err := checkBoxTree(cs[name], tree)
			tl.add(m.path, err != nil)
			if err != nil {
				continue
			}
			if m.claim && !boxStillTrue(cs[name].Point(), f, m.path) {
				t.Errorf("%s: mutating %s is accepted", name, m.path)
			}
		}
	}
	tl.log(t, "%-50s tried %4d rejected %4d")
	t.Logf("%d mutations of %d box certificates, %d rejected", tl.total, len(names), tl.rejected)
}

// boxStillTrue reports whether a mutated direction of a box certificate
// that RecheckBox accepted is, checked independently of the interval
// evaluation (by definition, package networktest, at the box's center c —
// the case's point, within the box's radius of θ*), another direction of
// the same kind: an escape witness (or Theorem E's) u in V_j (x_i·u = 0 on
// the pattern's boundary samples, exactly) with Q_j(u) ≠ 0; a descent
// witness with a_j·Q_j(u) < 0; a second-order segment along which the loss
// decreases. Evidence changed, the claim is the same.
func boxStillTrue(c *network.Point, f *certfile.BoxFile, path string) bool {
	r := nt.Residuals(c)
	cert := f.Box.Cert
	witness := func(j int, u exact.Vec) bool {
		if j < 0 || j >= c.M() || len(u) != c.D() {
			return false
		}
		for _, i := range cert.Pattern[j].Z {
			if c.X.Row(i).Dot(u).Sign() != 0 {
				return false
			}
		}
		return !nt.Q(c, r, j, u).IsZero()
	}
	loss := func(q *network.Point) *big.Rat {
		l := new(big.Rat)
		for _, ri := range nt.Residuals(q) {
			l.Add(l, ri.Norm2())
		}
		return l
	}
	switch {
	case strings.HasPrefix(path, "box.certificate.escapes["):
		for _, w := range cert.Escapes {
			if !witness(w.Neuron, w.U) {
				return false
			}
		}
		return true
	case strings.HasPrefix(path, "box.certificate.path.u["):
		return cert.Path != nil && witness(cert.Path.Neuron, cert.Path.U)
	case strings.HasPrefix(path, "box.certificate.descent.u["):
		d := cert.Descent
		return d != nil && d.Neuron >= 0 && d.Neuron < c.M() && len(d.U) == c.D() &&
			c.Neurons[d.Neuron].A.Dot(nt.Q(c, r, d.Neuron, d.U)).Sign() < 0
	case strings.HasPrefix(path, "box.certificate.path.delta"):
		pa := cert.Path
		if pa == nil || len(pa.Delta) != c.M() {
			return false
		}
		l0 := loss(c)
		for _, tau := range []*big.Rat{big.NewRat(1, 1), big.NewRat(1, 2), big.NewRat(1, 10)} {
			if loss(c.Add(pa.Delta.Scale(tau))).Cmp(l0) >= 0 {
				return false
			}
		}
		return true
	}
	return false
}

// checkBoxTree writes a (mutated) box file's tree in canonical form
// (through the typed BoxFile, without HTML escapes, as EncodeBox writes)
// and returns it decoded with the error of DecodeBox or CheckBox.
func checkBoxTree(c *cases.Case, tree map[string]any) (*certfile.BoxFile, error) {
	f, b, err := canonical[certfile.BoxFile](tree)
	if err != nil {
		return f, err
	}
	g, err := certfile.DecodeBox("mutated", b)
	if err != nil {
		return f, err
	}
	return g, certfile.CheckBox(c, g)
}
