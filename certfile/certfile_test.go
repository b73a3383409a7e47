package certfile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
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

// certify checks a case and returns its certificate file.
func certify(t *testing.T, c *cases.Case) []byte {
	t.Helper()
	v, err := verify.Check(c.Point(), verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := certfile.Encode(c, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRoundTrip: for every catalogue case, the certificate file decodes,
// re-encodes to the same bytes, and checks against the case.
func TestRoundTrip(t *testing.T) {
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cat {
		b := certify(t, c)
		f, err := certfile.Decode(c.Name, b)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := certfile.Check(c, f); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		emb, err := f.EmbeddedCase(c.Name)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := certfile.Check(emb, f); err != nil {
			t.Fatalf("%s: against the embedded case: %v", c.Name, err)
		}
		again, err := certfile.Encode(emb, &f.Verdict)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("%s: the decoded certificate encodes differently", c.Name)
		}
	}
}

// TestCaseHash: the hash is SHA-256 of the canonical form, worked out here
// by hand for a one-sample case (and checked against sha256sum), and does
// not depend on the name, source or expect block.
func TestCaseHash(t *testing.T) {
	c, err := cases.Parse("h.json", []byte(`{"name": "h", "source": "s", "activation": "leaky:1/10", "bias": true,
		"inputs": [["0.5"]], "targets": [["-2"]], "neurons": [{"w": ["1", "2/4"], "a": ["3"]}], "expect": {"verdict": "saddle"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"activation":{"pos":"1","neg":"1/10"},"bias":true,"inputs":[["1/2"]],"targets":[["-2"]],"neurons":[{"w":["1","1/2"],"a":["3"]}],"output_bias":null}`
	if got := string(certfile.Canonical(c)); got != want {
		t.Fatalf("canonical form\n%s\nwant\n%s", got, want)
	}
	// printf '%s' "$want" | sha256sum (coreutils, outside Go)
	const sum = "f0cacdc8df76d439a4465cc3350e4ce8b230709874bb0591b81ad49353561684"
	if got := certfile.CaseHash(c); got != sum {
		t.Fatalf("hash %s, want %s", got, sum)
	}
	c2 := *c
	c2.Name, c2.Source, c2.Expect = "other", "", nil
	if certfile.CaseHash(&c2) != certfile.CaseHash(c) {
		t.Fatal("the hash depends on the name, source or expect block")
	}
	c2.Targets = exact.RatMatOf([]exact.Vec{{big.NewRat(-3, 1)}})
	if certfile.CaseHash(&c2) == certfile.CaseHash(c) {
		t.Fatal("the hash does not depend on the targets")
	}
}

// TestDecodeRejects: malformed files are rejected with the field named.
func TestDecodeRejects(t *testing.T) {
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	b := certify(t, cat[0])
	for _, tc := range []struct {
		name, old, new, field string
	}{
		{"format", `"relucert-certificate"`, `"other"`, "format"},
		{"version", `"format_version": 1`, `"format_version": 2`, "format_version"},
		{"hash form", `"case_sha256": "`, `"case_sha256": "x`, "case_sha256"},
		{"unknown field", `"reason":`, `"extra": 1, "reason":`, ""},
		{"decimal number", `"loss": "1/2"`, `"loss": "0.5"`, "loss"},
		{"octal-looking number", `"loss": "1/2"`, `"loss": "01/2"`, "loss"},
		{"missing field", `"stationary": true,`, ``, "stationary"},
		{"verdict name", `"verdict": "saddle"`, `"verdict": "minimum"`, ""},
		{"trailing data", "}\n", "} {}\n", ""},
	} {
		// The last occurrence: the verdict's fields come after the case.
		i := strings.LastIndex(string(b), tc.old)
		if i < 0 {
			t.Fatalf("%s: %q not in the file", tc.name, tc.old)
		}
		m := string(b)[:i] + tc.new + string(b)[i+len(tc.old):]
		if m == string(b) {
			t.Fatalf("%s: %q not in the file", tc.name, tc.old)
		}
		_, err := certfile.Decode("x.cert.json", []byte(m))
		var ce *certfile.Error
		if !errors.As(err, &ce) || !strings.Contains(ce.Field, tc.field) {
			t.Errorf("%s: Decode gave %v", tc.name, err)
		}
	}
}

// mutation is one change of one leaf of a certificate file's JSON tree.
type mutation struct {
	path string
	// claim is false for evidence whose change may leave every claim true
	// (interior points, β, free text); those mutations are counted, not
	// required to fail.
	claim bool
	apply func(tree map[string]any)
}

// targetMutation changes the case's first target, so that the file's case
// hash no longer matches: every mutation test's last mutation.
var targetMutation = mutation{path: "case.targets[0][0]", claim: true, apply: func(tree map[string]any) {
	ys := tree["case"].(map[string]any)["targets"].([]any)
	ys[0].([]any)[0] = "12345/7"
}}

// mutationTally counts the mutations tried and rejected, in all and per
// class: the mutated path without indices and values.
type mutationTally struct {
	total, rejected int
	classes         map[string]*[2]int // tried, rejected
}

var mutationIndices = regexp.MustCompile(`\[[0-9]+\]| → .*`)

// add counts one mutation of path, rejected or not.
func (m *mutationTally) add(path string, rejected bool) {
	if m.classes == nil {
		m.classes = map[string]*[2]int{}
	}
	cl := mutationIndices.ReplaceAllString(path, "")
	if m.classes[cl] == nil {
		m.classes[cl] = new([2]int)
	}
	m.total++
	m.classes[cl][0]++
	if rejected {
		m.rejected++
		m.classes[cl][1]++
	}
}

// log writes one line per class, sorted, in format (class, tried,
// rejected).
func (m *mutationTally) log(t *testing.T, format string) {
	t.Helper()
	cls := make([]string, 0, len(m.classes))
	for cl := range m.classes {
		cls = append(cls, cl)
	}
	slices.Sort(cls)
	for _, cl := range cls {
		t.Logf(format, cl, m.classes[cl][0], m.classes[cl][1])
	}
}

// canonical writes a (mutated) file tree as Encode and EncodeBox write
// it — through the typed T (a map encodes its keys sorted), without HTML
// escapes — and returns the typed value and the bytes; the value is nil
// when the tree does not fit T.
func canonical[T any](tree map[string]any) (*T, []byte, error) {
	raw, err := json.Marshal(tree)
	if err != nil {
		return nil, nil, err
	}
	var f T
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&f); err != nil {
		return &f, nil, err
	}
	return &f, b.Bytes(), nil
}

// leaves walks the tree and returns one mutation per leaf (and one per
// list element: dropping it).
func leaves(tree any, path string, set func(any)) []mutation {
	var out []mutation
	evidence := func(p string) bool {
		for _, s := range []string{".point", ".points", ".beta", "reason", ".rule"} {
			if strings.Contains(p, s) {
				return true
			}
		}
		return false
	}
	switch x := tree.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if k == "case" {
				continue // mutated separately
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, leaves(x[k], p, func(v any) { x[k] = v })...)
		}
	case []any:
		for i := range x {
			p := path + "[" + strconv.Itoa(i) + "]"
			out = append(out, leaves(x[i], p, func(v any) { x[i] = v })...)
		}
		if len(x) > 0 {
			out = append(out, mutation{path: path + " (drop last)", claim: !evidence(path), apply: func(map[string]any) { set(x[:len(x)-1]) }})
		}
	case string:
		// Every other value of a name (a verdict relabelled to each other
		// kind, a weaker one included; each other neuron kind, condition,
		// width answer), x + 1/3 for a number, x + "!" for text.
		var next []string
		others := func(names ...string) {
			for _, n := range names {
				if n != x {
					next = append(next, n)
				}
			}
		}
		verdicts := []string{"not-stationary", "saddle", "local-min", "global-min", "undetermined"}
		kinds := []string{"zero", "zero-output", "zero-input", "dead", "non-differentiable", "alive"}
		if r, ok := new(big.Rat).SetString(x); ok && !strings.ContainsAny(x, " ") {
			next = []string{new(big.Rat).Add(r, big.NewRat(1, 3)).RatString()}
		} else if slices.Contains(verdicts, x) {
			others(verdicts...)
		} else if strings.HasPrefix(path, "box.certificate.pattern") && strings.HasSuffix(path, ".rule") {
			others("alive", "dead", "zero")
		} else if path == "box.certificate.path.rule" {
			others("theorem-e", "second-order")
		} else if slices.Contains(kinds, x) {
			others(kinds...)
		} else if x == "S0" || x == "S1" || x == "S2" {
			others("S0", "S1", "S2")
		} else if strings.HasSuffix(path, "at_width") {
			others("yes", "no", "undetermined")
		} else {
			next = []string{x + "!"}
		}
		for _, n := range next {
			out = append(out, mutation{path: path + " → " + n, claim: !evidence(path), apply: func(map[string]any) { set(n) }})
		}
	case float64:
		out = append(out, mutation{path: path, claim: !evidence(path), apply: func(map[string]any) { set(x + 1) }})
	case bool:
		out = append(out, mutation{path: path, claim: !evidence(path), apply: func(map[string]any) { set(!x) }})
	}
	return out
}

// stillTrue reports whether a mutated witness direction or path step still
// makes the certificate's claim true by the definitions (package
// networktest): Q_j(u) unchanged for a witness, L(θ + Δ) unchanged for a
// path. Such a change alters evidence, not a claimed fact.
func stillTrue(p *network.Point, f *certfile.File, path string) bool {
	c := f.Cert
	if c == nil {
		return false
	}
	r := nt.Residuals(p)
	switch {
	case strings.HasPrefix(path, "certificate.escapes[") && strings.Contains(path, ".u["):
		for _, w := range c.Escapes {
			if len(w.U) != p.D() || !w.U.Defined() || !nt.Q(p, r, w.Neuron, w.U).Equal(w.Q) {
				return false
			}
		}
		return true
	case strings.HasPrefix(path, "certificate.path.delta"):
		// A step of a neuron that moves nothing (w_j = δw_j = 0 or
		// a_j = δa_j = 0 and ρ(0) = 0) leaves L along the path unchanged.
		pa := c.Path
		if pa == nil || len(pa.Delta) != p.M() || pa.Loss1 == nil {
			return false
		}
		for _, tau := range []*big.Rat{big.NewRat(1, 1), big.NewRat(1, 2), big.NewRat(1, 5)} {
			q := p.Add(pa.Delta.Scale(tau))
			if pa.Bias != nil {
				q = q.AddBias(pa.Bias.Scale(tau))
			}
			l := new(big.Rat)
			for _, ri := range nt.Residuals(q) {
				l.Add(l, ri.Norm2())
			}
			l.Quo(l, big.NewRat(2*int64(p.N()), 1))
			if tau.Cmp(big.NewRat(1, 1)) == 0 && l.Cmp(pa.Loss1) != 0 || l.Cmp(f.Loss) >= 0 {
				return false
			}
		}
		return true
	case strings.HasPrefix(path, "certificate.global.u["):
		// Another u with the same Q = Σ_i r_i ρ(x_i·u) ≠ 0.
		g := c.Global
		if g == nil || len(g.U) != p.D() || !g.U.Defined() || len(g.Q) != p.K() {
			return false
		}
		q := exact.NewVec(p.K())
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			q.AddScaled(p.Act.Apply(x.Dot(g.U)), r[i])
		}
		return q.Equal(g.Q)
	case strings.HasPrefix(path, "certificate.global.witness.") || strings.HasPrefix(path, "certificate.global.width_witness."):
		// Another network with the same loss, its features as independent
		// as before (pruned).
		g := c.Global
		net, want := g.Witness, g.Optimum
		if strings.HasPrefix(path, "certificate.global.width_witness.") {
			net, want = g.WidthWitness, g.WidthLoss
		}
		if net == nil || want == nil || len(net.OutputBias) != len(p.OutputBias) {
			return false
		}
		q := &network.Point{Act: p.Act, X: p.X, Y: p.Y, Neurons: net.Neurons, OutputBias: net.OutputBias}
		l := new(big.Rat)
		for _, nr := range net.Neurons {
			if len(nr.W) != p.D() || len(nr.A) != p.K() || !nr.W.Defined() || !nr.A.Defined() || nr.W.IsZero() || nr.A.IsZero() {
				return false
			}
		}
		for _, ri := range nt.Residuals(q) {
			l.Add(l, ri.Norm2())
		}
		l.Quo(l, big.NewRat(2*int64(p.N()), 1))
		if l.Cmp(want) != 0 {
			return false
		}
		if net != g.Witness {
			return true
		}
		// pruned: F c = 0 only for c = 0, F the n×w feature matrix (its
		// nullspace, not recheck's rank of Fᵀ).
		w := len(net.Neurons)
		F := exact.NewMat(p.N(), w)
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			for j, nr := range net.Neurons {
				F[i][j] = p.Act.Apply(x.Dot(nr.W))
			}
		}
		ind := p.N()*w <= recheck.MaxPruneEntries && len(exact.Nullspace(F, w)) == 0
		return ind == g.Pruned
	case strings.HasPrefix(path, "certificate.s2_failures[") && strings.Contains(path, ".u["):
		for _, w := range c.S2Failures {
			if len(w.U) != p.D() || !w.U.Defined() || !nt.Q(p, r, w.Neuron, w.U).Equal(w.Q) {
				return false
			}
		}
		return true
	}
	return false
}

// TestEveryMutationRejected mutates every leaf of the certificate files of
// catalogue cases of every verdict kind in turn — a multiplier, a witness
// coordinate, Δ, the loss, the verdict, every flag, every index, the cell
// lists (dropping an entry), the case hash and the case — and requires
// that each mutation of a claimed fact is rejected (by Decode or by
// Check). Mutations of pure evidence (interior points, β, free text) are
// only counted.
func TestEveryMutationRejected(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of rechecks")
	}
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	perKind := map[recheck.VerdictKind]int{}
	var tl mutationTally
	evidence := 0
	for _, c := range cat {
		b := certify(t, c)
		f0, err := certfile.Decode(c.Name, b)
		if err != nil {
			t.Fatal(err)
		}
		perKind[f0.Kind]++
		// muts lists the mutations of a fresh copy of the tree (the same
		// order every time: keys sorted); the case's mutation changes a
		// target, so the hash no longer matches.
		muts := func() (map[string]any, []mutation) {
			var tree map[string]any
			if err := json.Unmarshal(b, &tree); err != nil {
				t.Fatal(err)
			}
			ms := leaves(tree, "", nil)
			// q_zero is written only when true: claim it for every proof
			// that does not.
			if cert, ok := tree["certificate"].(map[string]any); ok {
				for _, part := range []string{"stationarity", "no_escape"} {
					list, _ := cert[part].([]any)
					for i, pr := range list {
						pr := pr.(map[string]any)
						if _, ok := pr["q_zero"]; !ok {
							ms = append(ms, mutation{path: fmt.Sprintf("certificate.%s[%d].q_zero (added)", part, i), claim: true,
								apply: func(map[string]any) { pr["q_zero"] = true }})
						}
					}
				}
			}
			ms = append(ms, targetMutation)
			return tree, ms
		}
		_, all := muts()
		for i := range all {
			tree, ms := muts()
			m := ms[i]
			m.apply(tree)
			err := rejectMutated(c, tree)
			tl.add(m.path, err != nil)
			if err != nil {
				continue
			}
			if !m.claim {
				evidence++
				continue
			}
			// Still accepted: allowed only when the claim is still true by
			// the definitions.
			mt, _ := json.Marshal(tree)
			var f certfile.File
			if json.Unmarshal(mt, &f) == nil && stillTrue(c.Point(), &f, m.path) {
				evidence++
				continue
			}
			t.Errorf("%s: mutating %s is accepted", c.Name, m.path)
		}
	}
	for k := recheck.NotStationary; k <= recheck.Undetermined; k++ {
		if perKind[k] == 0 {
			t.Errorf("no %v certificate mutated", k)
		}
	}
	tl.log(t, "%-55s tried %5d rejected %5d")
	t.Logf("%d mutations, %d rejected, %d of evidence accepted (still true)", tl.total, tl.rejected, evidence)
	if tl.rejected+evidence != tl.total || tl.rejected == 0 {
		t.Fatalf("%d mutations: %d rejected, %d accepted as evidence", tl.total, tl.rejected, evidence)
	}
}

// rejectMutated writes the mutated tree in canonical form (through the
// typed File, since a map encodes its keys sorted) and returns the error
// of Decode or Check, nil when the certificate is accepted.
func rejectMutated(c *cases.Case, tree map[string]any) error {
	_, b, err := canonical[certfile.File](tree)
	if err != nil {
		return err
	}
	g, err := certfile.Decode("mutated", b)
	if err != nil {
		return err
	}
	return certfile.Check(c, g)
}
