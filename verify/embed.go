package verify

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/relucert/relucert/exact"
)

// This file implements network embedding (docs/theory.md §5): operations that widen
// a point θ without changing the network function f_θ on the data, the
// exact proof that f_θ and L are unchanged (SameFunction), and the
// prediction, from the theory of §3–5, of what the operation does to
// stationarity, escape neurons and the verdict (Predict).

// OpKind names an embedding operation of docs/theory.md §5.
type OpKind int

const (
	// OpSplit replaces neuron j by (w_j, λa_j) and appends (w_j, (1−λ)a_j).
	OpSplit OpKind = iota
	// OpAddZeroOutput appends the neuron (w, 0).
	OpAddZeroOutput
	// OpAddZeroInput appends the neuron (0, a).
	OpAddZeroInput
	// OpAddDead appends the neuron (w, a) with w·x_i < 0 for every nonzero
	// sample; it needs ρ₋ = 0 (ReLU, or any ρ₊ with ρ₋ = 0), so that the
	// neuron is dead in the sense of docs/theory.md §1.
	OpAddDead
	// OpRescale replaces neuron j by (c·w_j, a_j/c), c > 0.
	OpRescale
	// OpPermute reorders the neurons.
	OpPermute
)

var opNames = [...]string{"split", "add-zero-output", "add-zero-input", "add-dead", "rescale", "permute"}

// String returns the operation's name as the command line spells it.
func (k OpKind) String() string {
	if k < 0 || int(k) >= len(opNames) {
		return "unknown"
	}
	return opNames[k]
}

// Op is one embedding operation with its arguments. Which fields are used
// depends on Kind:
//   - OpSplit: J and Lambda;
//   - OpAddZeroOutput: W (length d, including a bias coordinate);
//   - OpAddZeroInput: A (length k);
//   - OpAddDead: W and A;
//   - OpRescale: J and C (C > 0);
//   - OpPermute: Perm, a permutation of 0…m−1: neuron i of the new point is
//     neuron Perm[i] of the old one.
type Op struct {
	Kind   OpKind
	J      int
	Lambda *big.Rat
	C      *big.Rat
	W, A   exact.Vec
	Perm   []int
}

// String formats the operation with its arguments, for example
// "split(1, λ = 1/2)" or "add-zero-output(w = [0, 0])".
func (o Op) String() string {
	switch o.Kind {
	case OpSplit:
		return fmt.Sprintf("split(%d, λ = %s)", o.J, ratText(o.Lambda))
	case OpAddZeroOutput:
		return fmt.Sprintf("add-zero-output(w = %s)", vecText(o.W))
	case OpAddZeroInput:
		return fmt.Sprintf("add-zero-input(a = %s)", vecText(o.A))
	case OpAddDead:
		return fmt.Sprintf("add-dead(w = %s, a = %s)", vecText(o.W), vecText(o.A))
	case OpRescale:
		return fmt.Sprintf("rescale(%d, c = %s)", o.J, ratText(o.C))
	case OpPermute:
		return fmt.Sprintf("permute(%v)", o.Perm)
	}
	return "unknown operation"
}

// ratText is exact.Text, with "<nil>" for nil.
func ratText(r *big.Rat) string {
	if r == nil {
		return "<nil>"
	}
	return exact.Text(r)
}

func vecText(v exact.Vec) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = ratText(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Embedding is the result of an operation: the new point and the exact
// proof that it computes the same function on the data.
type Embedding struct {
	Op       Op
	From, To *Point
	// Origin[i] is the neuron of From that neuron i of To comes from (both
	// copies of a split neuron have Origin j), or −1 for a neuron the
	// operation added.
	Origin []int
	// Identity is the algebraic identity that keeps f_θ unchanged, for
	// example "λa_jρ(w_j·x) + (1−λ)a_jρ(w_j·x) = a_jρ(w_j·x)".
	Identity string
	// Outputs[i] = f(x_i) at From and at To, and Loss = L at both:
	// SameFunction compared them exactly, sample by sample.
	Outputs []exact.Vec
	Loss    *big.Rat
}

// Apply performs op on p and returns the widened (or reordered) point with
// the exact proof that f_θ on every sample and L are unchanged. Errors name
// the operation and its argument; p is not modified.
func Apply(p *Point, op Op) (*Embedding, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", op, fmt.Sprintf(format, args...))
	}
	if p == nil {
		return nil, fail("nil point")
	}
	if err := p.Validate(); err != nil {
		return nil, fail("%v", err)
	}
	m, d, k := p.M(), p.D(), p.K()
	q := p.Clone()
	e := &Embedding{Op: op, From: p, To: q}
	for j := 0; j < m; j++ {
		e.Origin = append(e.Origin, j)
	}
	checkJ := func() error {
		if op.J < 0 || op.J >= m {
			return fail("neuron %d out of range [0, %d)", op.J, m)
		}
		return nil
	}
	checkVec := func(v exact.Vec, name string, want int, what string) error {
		if len(v) != want {
			return fail("%s has %d entries, want %s = %d", name, len(v), what, want)
		}
		for i, x := range v {
			if x == nil {
				return fail("%s[%d] is missing", name, i)
			}
		}
		return nil
	}
	switch op.Kind {
	case OpSplit:
		if err := checkJ(); err != nil {
			return nil, err
		}
		if op.Lambda == nil {
			return nil, fail("λ is missing")
		}
		a := p.Neurons[op.J].A
		rest := new(big.Rat).Sub(big.NewRat(1, 1), op.Lambda)
		q.Neurons[op.J].A = a.Scale(op.Lambda)
		q.Neurons = append(q.Neurons, Neuron{W: p.Neurons[op.J].W.Clone(), A: a.Scale(rest)})
		e.Origin = append(e.Origin, op.J)
		e.Identity = fmt.Sprintf("λa_%dρ(w_%d·x) + (1−λ)a_%dρ(w_%d·x) = a_%dρ(w_%d·x)", op.J, op.J, op.J, op.J, op.J, op.J)
	case OpAddZeroOutput:
		if err := checkVec(op.W, "w", d, "d"); err != nil {
			return nil, err
		}
		q.Neurons = append(q.Neurons, Neuron{W: op.W.Clone(), A: exact.NewVec(k)})
		e.Origin = append(e.Origin, -1)
		e.Identity = "0·ρ(w·x) = 0"
	case OpAddZeroInput:
		if err := checkVec(op.A, "a", k, "k"); err != nil {
			return nil, err
		}
		q.Neurons = append(q.Neurons, Neuron{W: exact.NewVec(d), A: op.A.Clone()})
		e.Origin = append(e.Origin, -1)
		e.Identity = "a·ρ(0·x) = a·ρ(0) = 0"
	case OpAddDead:
		if p.Act.Neg.Sign() != 0 {
			return nil, fail("add-dead needs ρ₋ = 0 (ReLU), not %s: with ρ₋ = %s ≠ 0 a sample with w·x_i < 0 contributes ρ₋·w·x_i ≠ 0", p.Act, exact.Text(p.Act.Neg))
		}
		if err := checkVec(op.W, "w", d, "d"); err != nil {
			return nil, err
		}
		if err := checkVec(op.A, "a", k, "k"); err != nil {
			return nil, err
		}
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			if x.IsZero() {
				continue
			}
			if z := op.W.Dot(x); z.Sign() >= 0 {
				return nil, fail("w·x_%d = %s ≥ 0 on the nonzero sample x_%d = %s: the neuron is not dead", i, exact.Text(z), i, x)
			}
		}
		q.Neurons = append(q.Neurons, Neuron{W: op.W.Clone(), A: op.A.Clone()})
		e.Origin = append(e.Origin, -1)
		e.Identity = "a·ρ(w·x_i) = a·ρ₋·w·x_i = 0 with ρ₋ = 0 (and ρ(0) = 0 on zero samples)"
	case OpRescale:
		if err := checkJ(); err != nil {
			return nil, err
		}
		if op.C == nil || op.C.Sign() <= 0 {
			return nil, fail("c must be > 0 (ρ(c·z) = c·ρ(z) needs c ≥ 0, and c = 0 loses the neuron)")
		}
		nr := p.Neurons[op.J]
		q.Neurons[op.J] = Neuron{W: nr.W.Scale(op.C), A: nr.A.Scale(new(big.Rat).Inv(op.C))}
		e.Identity = fmt.Sprintf("(a_%d/c)·ρ(c·w_%d·x) = a_%dρ(w_%d·x) for c > 0 (positive homogeneity)", op.J, op.J, op.J, op.J)
	case OpPermute:
		if len(op.Perm) != m {
			return nil, fail("%d entries for %d neurons", len(op.Perm), m)
		}
		seen := make([]bool, m)
		for i, j := range op.Perm {
			if j < 0 || j >= m {
				return nil, fail("entry %d: neuron %d out of range [0, %d)", i, j, m)
			}
			if seen[j] {
				return nil, fail("entry %d: neuron %d listed twice", i, j)
			}
			seen[j] = true
		}
		for i, j := range op.Perm {
			q.Neurons[i] = p.Neurons[j].Clone()
			e.Origin[i] = j
		}
		e.Identity = "Σ_j a_jρ(w_j·x) does not depend on the order of the terms"
	default:
		return nil, fail("unknown operation kind %d", int(op.Kind))
	}
	if err := SameFunction(p, q); err != nil {
		return nil, fail("internal error: the operation changed the function: %v", err)
	}
	for i := range q.N() {
		e.Outputs = append(e.Outputs, q.Output(q.X.Row(i)))
	}
	e.Loss = Loss(q)
	return e, nil
}

// Split is Apply with split(j, λ): neuron j becomes (w_j, λa_j) and the new
// last neuron m is (w_j, (1−λ)a_j).
func Split(p *Point, j int, lambda *big.Rat) (*Embedding, error) {
	return Apply(p, Op{Kind: OpSplit, J: j, Lambda: lambda})
}

// AddZeroOutput is Apply with add-zero-output(w): the new last neuron is
// (w, 0). w has length d (including a bias coordinate).
func AddZeroOutput(p *Point, w exact.Vec) (*Embedding, error) {
	return Apply(p, Op{Kind: OpAddZeroOutput, W: w})
}

// AddZeroInput is Apply with add-zero-input(a): the new last neuron is
// (0, a).
func AddZeroInput(p *Point, a exact.Vec) (*Embedding, error) {
	return Apply(p, Op{Kind: OpAddZeroInput, A: a})
}

// AddDead is Apply with add-dead(w, a) (ρ₋ = 0 only): the new last neuron is
// (w, a) and must satisfy w·x_i < 0 for every nonzero sample.
func AddDead(p *Point, w, a exact.Vec) (*Embedding, error) {
	return Apply(p, Op{Kind: OpAddDead, W: w, A: a})
}

// Rescale is Apply with rescale(j, c), c > 0: neuron j becomes
// (c·w_j, a_j/c).
func Rescale(p *Point, j int, c *big.Rat) (*Embedding, error) {
	return Apply(p, Op{Kind: OpRescale, J: j, C: c})
}

// Permute is Apply with permute(perm): neuron i of the new point is neuron
// perm[i] of p.
func Permute(p *Point, perm []int) (*Embedding, error) {
	return Apply(p, Op{Kind: OpPermute, Perm: perm})
}

// SameFunction is the exact proof that q computes what p computes: the same
// activation and data, f_p(x_i) = f_q(x_i) for every sample i (compared in
// exact rational arithmetic, evaluated from the definition of the network)
// and L(p) = L(q). The error names the first difference.
func SameFunction(p, q *Point) error {
	if p == nil || q == nil {
		return fmt.Errorf("nil point")
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("first point: %v", err)
	}
	if err := q.Validate(); err != nil {
		return fmt.Errorf("second point: %v", err)
	}
	if p.Act.Pos.Cmp(q.Act.Pos) != 0 || p.Act.Neg.Cmp(q.Act.Neg) != 0 {
		return fmt.Errorf("activations differ: %s and %s", p.Act, q.Act)
	}
	if p.HasOutputBias() != q.HasOutputBias() {
		return fmt.Errorf("one network has an output bias and the other has none")
	}
	if p.N() != q.N() || p.D() != q.D() || p.K() != q.K() {
		return fmt.Errorf("data shapes differ: (n, d, k) = (%d, %d, %d) and (%d, %d, %d)", p.N(), p.D(), p.K(), q.N(), q.D(), q.K())
	}
	for i := range p.X.Rows() {
		if !p.X.Row(i).Equal(q.X.Row(i)) {
			return fmt.Errorf("inputs[%d] differ: %s and %s", i, p.X.Row(i), q.X.Row(i))
		}
		if !p.Y.Row(i).Equal(q.Y.Row(i)) {
			return fmt.Errorf("targets[%d] differ: %s and %s", i, p.Y.Row(i), q.Y.Row(i))
		}
	}
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		fp, fq := p.Output(x), q.Output(x)
		if !fp.Equal(fq) {
			return fmt.Errorf("sample %d: f(x_%d) = %s before and %s after", i, i, fp, fq)
		}
	}
	if lp, lq := Loss(p), Loss(q); lp.Cmp(lq) != 0 {
		return fmt.Errorf("loss %s before and %s after", exact.Text(lp), exact.Text(lq))
	}
	return nil
}

// NeuronPrediction is what the theory says of one neuron of the new point.
type NeuronPrediction struct {
	// S1 and S2 are the conditions of Theorem S for the neuron.
	S1, S2 bool
	// Escape reports an escape neuron; set only when the new point is
	// predicted stationary.
	Escape bool
}

// Prediction is what docs/theory.md §5 says an embedding does, derived from the
// verdict before and from the quantities G, Q and φ of the theory — not
// from running Check on the new point.
type Prediction struct {
	Op Op
	// Known is false when the verdict before left a neuron undecided (a
	// budget ran out); then nothing else is set but Reason.
	Known bool
	// Stationary is Theorem S's answer at the new point.
	Stationary bool
	// Neurons is indexed like the neurons of the new point.
	Neurons []NeuronPrediction
	// Escape lists the escape neurons of the new point (empty unless
	// Stationary).
	Escape []int
	// Verdicts lists the verdicts Check may return. It has one element when
	// the theory decides the verdict; two ({saddle, undetermined}) when only
	// neurons with a ≠ 0 escape (k ≥ 2), which §4 decides by tests that may
	// leave the point undetermined. The first is the expected one.
	Verdicts []VerdictKind
	// Loss is L at the new point (equal to L before).
	Loss *big.Rat
	// Reason explains the prediction in terms of the facts of docs/theory.md §5.
	Reason string
}

// VerdictText formats the predicted verdicts: "saddle" or "saddle or
// undetermined"; "unknown" when the prediction is not Known.
func (pr *Prediction) VerdictText() string {
	if !pr.Known || len(pr.Verdicts) == 0 {
		return "unknown"
	}
	parts := make([]string, len(pr.Verdicts))
	for i, v := range pr.Verdicts {
		parts[i] = v.String()
	}
	return strings.Join(parts, " or ")
}

// Compare checks Check's verdict v on the new point against the
// prediction: the loss, (S1) and (S2) of every neuron, stationarity, the
// escape set and the verdict. A nil error means they agree (or the
// prediction is not Known); otherwise the error lists every difference —
// which means a bug in verify or in docs/theory.md §5.
func (pr *Prediction) Compare(v *Verdict) error {
	if !pr.Known {
		return nil
	}
	if v == nil {
		return fmt.Errorf("no verdict")
	}
	var diffs []string
	if v.Loss == nil || v.Loss.Cmp(pr.Loss) != 0 {
		diffs = append(diffs, fmt.Sprintf("loss %s, predicted %s", ratText(v.Loss), exact.Text(pr.Loss)))
	}
	if len(v.Neurons) != len(pr.Neurons) {
		return fmt.Errorf("%d neurons in the verdict, %d predicted", len(v.Neurons), len(pr.Neurons))
	}
	undecided := false
	for l, nr := range v.Neurons {
		if !nr.Decided {
			undecided = true
			continue
		}
		want := pr.Neurons[l]
		if nr.S1 != want.S1 {
			diffs = append(diffs, fmt.Sprintf("neuron %d: (S1) %v, predicted %v", l, nr.S1, want.S1))
		}
		if nr.S2 != want.S2 {
			diffs = append(diffs, fmt.Sprintf("neuron %d: (S2) %v, predicted %v", l, nr.S2, want.S2))
		}
	}
	if undecided && v.Kind == Undetermined {
		// A budget ran out in Check: nothing more to compare.
		if len(diffs) > 0 {
			return fmt.Errorf("Check disagrees with docs/theory.md §5: %s", strings.Join(diffs, "; "))
		}
		return nil
	}
	if v.Stationary != pr.Stationary {
		diffs = append(diffs, fmt.Sprintf("stationary %v, predicted %v", v.Stationary, pr.Stationary))
	}
	if !slices.Equal(v.Escape, pr.Escape) {
		diffs = append(diffs, fmt.Sprintf("escape neurons %v, predicted %v", v.Escape, pr.Escape))
	}
	ok := false
	for _, k := range pr.Verdicts {
		if v.Kind == k {
			ok = true
		}
	}
	if !ok {
		diffs = append(diffs, fmt.Sprintf("verdict %v, predicted %s", v.Kind, pr.VerdictText()))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("Check disagrees with docs/theory.md §5: %s", strings.Join(diffs, "; "))
	}
	return nil
}

// phiWitness decides whether φ_j ≡ 0 by the test of docs/theory.md §4 (E1, E2)
// applied to the scalar map n·φ_j(u) = a_j·Q_j(u) = Σ_i c_i ρ'(w_j·x_i; x_i·u)
// with c_i = a_j·r_i: it is the response map of a zero-output neuron with
// input weight w_j on the same inputs with scalar residuals c_i (targets
// −c_i for the network whose only neuron is (w_j, 0)). It returns nil when
// φ_j ≡ 0 and otherwise an exact u with φ_j(u) ≠ 0.
func (s *state) phiWitness(j int) (exact.Vec, error) {
	a := s.p.Neurons[j].A
	aux := &Point{Act: s.p.Act, X: s.p.X, Neurons: []Neuron{{W: s.p.Neurons[j].W, A: exact.NewVec(1)}}}
	for _, r := range s.ev.residualList() {
		aux.Y = aux.Y.AppendRow(exact.Vec{new(big.Rat).Neg(a.Dot(r))})
	}
	u, err := newState(aux).QZeroWitness(0)
	if err != nil || u == nil {
		return nil, err
	}
	if s.Phi(j, u).Sign() == 0 {
		return nil, fmt.Errorf("neuron %d: internal error: φ_j witness %s has φ_j(u) = 0", j, u)
	}
	return u, nil
}

// s2With decides (S2) for a neuron with input weight w_j and output weight
// a at the residuals of s (a hypothetical neuron: the copy of a split
// neuron with a negative multiple of a_j). It runs Theorem S2 on the
// network (w_j, a), (w_j, −a), which computes 0, with targets −r_i, so that
// its residuals are those of s.
func (s *state) s2With(j int, a exact.Vec, opt Options) (s2Result, error) {
	w := s.p.Neurons[j].W
	aux := &Point{Act: s.p.Act, X: s.p.X, Neurons: []Neuron{{W: w, A: a}, {W: w, A: a.Neg()}}}
	for _, r := range s.ev.residualList() {
		aux.Y = aux.Y.AppendRow(r.Neg())
	}
	return newState(aux).TheoremS2(0, opt)
}

// firstFailure names the first neuron failing (S1) or (S2) in rs, or "".
func firstFailure(rs []NeuronPrediction) string {
	for l, r := range rs {
		if !r.S1 {
			return fmt.Sprintf("(S1) fails for neuron %d", l)
		}
		if !r.S2 {
			return fmt.Sprintf("(S2) fails for neuron %d", l)
		}
	}
	return ""
}

// qText describes the outcome of the Q ≡ 0 test for neuron l at s.
func qText(s *state, l int, u exact.Vec) string {
	if u == nil {
		return fmt.Sprintf("Q_%d ≡ 0 (E1 and E2 hold)", l)
	}
	return fmt.Sprintf("Q_%d(u) = %s ≠ 0 at u = %s", l, s.Q(l, u), u)
}

// Predict derives from docs/theory.md §5 what the embedding e does to the point
// e.From whose verdict (from Check) is before: (S1) and (S2) of every
// neuron of the new point, its stationarity, its escape neurons and its
// verdict, with the reason. The facts used:
//   - the residuals r_i are unchanged (f_θ is), so every neuron that is
//     not touched keeps G, Q and φ, hence (S1), (S2) and escape;
//   - split(j, λ): both copies have G = G_j and Q = Q_j, and φ = λφ_j and
//     (1−λ)φ_j; a copy with output weight 0 escapes iff Q_j ≢ 0, a copy
//     with a nonzero multiple of a_j escapes iff j did;
//   - add-zero-output(w): the new neuron has G = (1/n)Σ r_i ρ(w·x_i), φ ≡ 0
//     and escapes iff its Q ≢ 0;
//   - add-zero-input(a): G = 0, and (S2) iff Σ_i (a·r_i)ρ(x_i·u) ≥ 0 for all u;
//   - add-dead: G = 0 and Q ≡ 0 (ρ₋ = 0, no active or boundary sample);
//   - rescale(j, c): the pattern and Q_j are unchanged, G_j and φ_j are
//     scaled by c and 1/c; permute: everything is permuted;
//   - the verdict follows from Theorems S, M and E.
//
// The few decisions this needs (φ_j ≡ 0, Q ≡ 0, (S2) of a new zero-input
// neuron) are made on the old point or on the new neuron alone, exactly.
func Predict(e *Embedding, before *Verdict, opt Options) (*Prediction, error) {
	if e == nil || e.From == nil || e.To == nil {
		return nil, fmt.Errorf("predict: no embedding")
	}
	p, q, op := e.From, e.To, e.Op
	if before == nil {
		return nil, fmt.Errorf("predict %s: no verdict for the point before", op)
	}
	if len(before.Neurons) != p.M() {
		return nil, fmt.Errorf("predict %s: the verdict has %d neurons, the point %d", op, len(before.Neurons), p.M())
	}
	pr := &Prediction{Op: op, Loss: e.Loss, Neurons: make([]NeuronPrediction, q.M()), Escape: []int{}}
	for j, nr := range before.Neurons {
		if !nr.Decided {
			pr.Reason = fmt.Sprintf("no prediction: the verdict before left neuron %d undecided (%s)", j, before.Reason)
			return pr, nil
		}
	}
	old := before.Neurons
	for j := range old {
		pr.Neurons[j] = NeuronPrediction{S1: old[j].S1, S2: old[j].S2, Escape: old[j].Escape}
	}
	s := newState(p)
	m := p.M()
	var why []string
	say := func(format string, args ...any) { why = append(why, fmt.Sprintf(format, args...)) }
	// Sentences about escape matter only at a stationary point.
	var escWhy []string
	sayEsc := func(format string, args ...any) { escWhy = append(escWhy, fmt.Sprintf(format, args...)) }
	oldFailure := firstFailure(pr.Neurons[:m])
	budget := func(err error) (*Prediction, error) {
		pr.Reason = fmt.Sprintf("no prediction: %v", err)
		return pr, nil
	}

	switch op.Kind {
	case OpSplit:
		j, lam := op.J, op.Lambda
		rest := new(big.Rat).Sub(big.NewRat(1, 1), lam)
		aj := p.Neurons[j].A
		qw, err := s.QZeroWitness(j)
		if err != nil {
			return nil, err
		}
		type copyOf struct {
			pos  int
			mu   *big.Rat
			name string
		}
		copies := []copyOf{{j, lam, "λa_j"}, {m, rest, "(1−λ)a_j"}}
		if old[j].S1 {
			say("split keeps (S1): both copies have G = G_%d = 0", j)
		} else {
			say("both copies have G = G_%d = %s ≠ 0: (S1) fails for both, as it did for neuron %d", j, old[j].G, j)
		}
		if aj.IsZero() {
			for _, c := range copies {
				pr.Neurons[c.pos] = NeuronPrediction{S1: old[j].S1, S2: true, Escape: qw != nil}
			}
			say("a_%d = 0: both copies have output weight 0, so φ ≡ 0 and (S2) holds for every λ; each copy escapes iff Q_%d ≢ 0: %s", j, j, qText(s, j, qw))
			break
		}
		pw, err := s.phiWitness(j)
		if err != nil {
			return nil, err
		}
		phiDesc := fmt.Sprintf("φ_%d ≡ 0 (E1 and E2 hold for a_%d·Q_%d)", j, j, j)
		if pw != nil {
			phiDesc = fmt.Sprintf("φ_%d ≢ 0 (φ_%d(u) = %s at u = %s)", j, j, exact.Text(s.Phi(j, pw)), pw)
		}
		for _, c := range copies {
			np := NeuronPrediction{S1: old[j].S1}
			switch c.mu.Sign() {
			case 0:
				np.S2, np.Escape = true, qw != nil
			case 1:
				np.S2, np.Escape = old[j].S2, old[j].Escape
			default:
				if old[j].S2 {
					np.S2 = pw == nil // φ_j ≥ 0 and −φ_j ≥ 0 iff φ_j ≡ 0
				} else {
					res, err := s.s2With(j, aj.Neg(), opt)
					if err != nil {
						return budget(err)
					}
					np.S2 = res.holds
				}
				np.Escape = old[j].Escape
			}
			pr.Neurons[c.pos] = np
		}
		inUnit := lam.Sign() >= 0 && rest.Sign() >= 0
		switch {
		case !old[j].S2:
			say("(S2) fails for neuron %d before: φ_%d(u) < 0 somewhere, and at such a u at least one of λφ_%d(u), (1−λ)φ_%d(u) is < 0 (both unless λ ∈ {0, 1})", j, j, j, j)
		case pw != nil && !inUnit:
			bad := copies[0]
			if c := copies[1]; c.mu.Sign() < 0 {
				bad = c
			}
			phiU := s.Phi(j, pw)
			coef := strings.TrimSuffix(bad.name, "a_j")
			say("split with λ = %s ∉ [0, 1] of a neuron with %s: (S2) fails for the copy %d with output weight %sa_%d = %s: its φ(u) = %sφ_%d(u) = %s < 0, with descent direction δw_%d = u = %s",
				exact.Text(lam), phiDesc, bad.pos, coef, j, aj.Scale(bad.mu), coef, j, exact.Text(new(big.Rat).Mul(bad.mu, phiU)), bad.pos, pw)
		case pw != nil:
			say("split with λ = %s ∈ [0, 1] of a neuron with %s: λφ_%d ≥ 0 and (1−λ)φ_%d ≥ 0, so (S2) is kept", exact.Text(lam), phiDesc, j, j)
		default:
			say("%s, so λφ_%d ≥ 0 and (1−λ)φ_%d ≥ 0 for every λ: (S2) is kept (λ = %s)", phiDesc, j, j, exact.Text(lam))
		}
		if oldFailure != "" && old[j].S2 && old[j].S1 {
			say("θ was not stationary (%s), and that neuron is unchanged", oldFailure)
		}
		zero := -1
		for _, c := range copies {
			if c.mu.Sign() == 0 {
				zero = c.pos
			}
		}
		switch {
		case zero >= 0:
			verb := "it escapes"
			if qw == nil {
				verb = "it does not escape"
			}
			sayEsc("λ = %s ∈ {0, 1}: the copy %d has output weight 0 and escapes iff Q_%d ≢ 0: %s: %s", exact.Text(lam), zero, j, qText(s, j, qw), verb)
		case p.K() == 1:
			sayEsc("both copies have a nonzero output weight, so (k = 1) neither escapes: no new escape neuron")
		default:
			sayEsc("both copies have a nonzero multiple of a_%d as output weight and φ proportional to φ_%d: each escapes iff neuron %d did (%v)", j, j, j, old[j].Escape)
		}

	case OpAddZeroOutput:
		sq := newState(q)
		l := m
		g := sq.G(l)
		qw, err := sq.QZeroWitness(l)
		if err != nil {
			return nil, err
		}
		pr.Neurons[l] = NeuronPrediction{S1: g.IsZero(), S2: true, Escape: qw != nil}
		ng := g.Scale(big.NewRat(int64(p.N()), 1))
		if g.IsZero() {
			say("add-zero-output(w) keeps stationarity iff Σ_i r_i ρ(w·x_i) = 0: here it is 0")
		} else {
			say("add-zero-output(w) keeps stationarity iff Σ_i r_i ρ(w·x_i) = 0: here it is %s ≠ 0, so (S1) fails for the new neuron %d, with descent direction δa_%d = −G_%d = %s", ng, l, l, l, g.Neg())
		}
		if oldFailure != "" {
			say("θ was not stationary (%s), and that neuron is unchanged", oldFailure)
		}
		verb := "it escapes"
		if qw == nil {
			verb = "it does not escape"
		}
		sayEsc("the new neuron %d has output weight 0 and escapes iff its Q ≢ 0: %s: %s", l, qText(sq, l, qw), verb)

	case OpAddZeroInput:
		sq := newState(q)
		l := m
		if g := sq.G(l); !g.IsZero() {
			return nil, fmt.Errorf("predict %s: internal error: G = %s ≠ 0 for a neuron with w = 0", op, g)
		}
		res, err := sq.TheoremS2(l, opt)
		if err != nil {
			return budget(err)
		}
		np := NeuronPrediction{S1: true, S2: res.holds}
		say("add-zero-input(a) keeps (S1): the new neuron %d has G = (1/n)Σ_i r_i ρ(0) = 0", l)
		if res.holds {
			say("it keeps (S2) iff Σ_i (a·r_i) ρ(x_i·u) ≥ 0 for all u: this holds (cell method of §3)")
		} else {
			sum := sq.Phi(l, res.u)
			sum.Mul(sum, big.NewRat(int64(p.N()), 1))
			say("it keeps (S2) iff Σ_i (a·r_i) ρ(x_i·u) ≥ 0 for all u: at u = %s the sum is %s < 0, so (S2) fails for the new neuron %d, with descent direction δw_%d = u", res.u, exact.Text(sum), l, l)
		}
		if oldFailure != "" {
			say("θ was not stationary (%s), and that neuron is unchanged", oldFailure)
		}
		switch {
		case op.A.IsZero():
			qw, err := sq.QZeroWitness(l)
			if err != nil {
				return nil, err
			}
			np.Escape = qw != nil
			sayEsc("a = 0: the new neuron is a zero neuron and escapes iff Σ_i r_i ρ(x_i·u) ≢ 0: %s", qText(sq, l, qw))
		case p.K() == 1:
			sayEsc("a ≠ 0 and k = 1: the new neuron does not escape")
		case oldFailure == "" && res.holds:
			faces, _, err := sq.faceWitnesses(l, opt)
			if err != nil {
				return budget(err)
			}
			np.Escape = len(faces) > 0
			sayEsc("a ≠ 0, k ≥ 2: the face method of §4 says the new neuron escapes: %v", np.Escape)
		}
		pr.Neurons[l] = np

	case OpAddDead:
		l := m
		pr.Neurons[l] = NeuronPrediction{S1: true, S2: true}
		say("add-dead: w·x_i < 0 on every nonzero sample, so ρ(w·x_i) = 0 and, with ρ₋ = 0, the new neuron %d has G = 0 and Q ≡ 0 (no sample active or on its hyperplane): (S1) and (S2) hold and it does not escape", l)
		if oldFailure != "" {
			say("θ was not stationary (%s), and that neuron is unchanged", oldFailure)
		}

	case OpRescale:
		say("rescale(%d, c): the pattern and Q_%d are unchanged, G_%d becomes c·G_%d and φ_%d becomes φ_%d/c: (S1), (S2) and escape are invariant", op.J, op.J, op.J, op.J, op.J, op.J)

	case OpPermute:
		for i, j := range op.Perm {
			pr.Neurons[i] = NeuronPrediction{S1: old[j].S1, S2: old[j].S2, Escape: old[j].Escape}
		}
		say("permute: neuron i of the new point is neuron %v[i] of the old one; every condition and the escape set are permuted", op.Perm)

	default:
		return nil, fmt.Errorf("predict: unknown operation %s", op)
	}

	// Theorems S, M and E. The operation keeps f, hence the residuals and
	// ∂L/∂b = (1/n) Σ_i r_i: (S0) is as it was.
	pr.Known = true
	s0 := before.BiasGradient == nil || before.BiasGradient.IsZero()
	if !s0 {
		say("(S0) fails as before: the operation keeps f, so ∂L/∂b = (1/n) Σ_i r_i = %v ≠ 0", before.BiasGradient)
	}
	failure := firstFailure(pr.Neurons)
	if !s0 {
		failure = "(S0) fails for the output bias"
	}
	pr.Stationary = failure == ""
	zeroEscape := -1
	for l := range pr.Neurons {
		if !pr.Stationary {
			pr.Neurons[l].Escape = false
			continue
		}
		if pr.Neurons[l].Escape {
			pr.Escape = append(pr.Escape, l)
			if zeroEscape < 0 && q.Neurons[l].A.IsZero() {
				zeroEscape = l
			}
		}
	}
	var concl string
	switch {
	case !pr.Stationary:
		pr.Verdicts = []VerdictKind{NotStationary}
		concl = fmt.Sprintf("not-stationary: %s (Theorem S)", failure)
	case zeroEscape >= 0:
		pr.Verdicts = []VerdictKind{Saddle}
		concl = fmt.Sprintf("saddle: neuron %d escapes with a = 0 (Theorem E)", zeroEscape)
	case len(pr.Escape) == 0 && e.Loss.Sign() == 0:
		pr.Verdicts = []VerdictKind{GlobalMin}
		concl = "global-min: stationary with L = 0"
	case before != nil && before.Cert != nil && before.Cert.Global != nil && before.Cert.Global.IsGlobal:
		pr.Verdicts = []VerdictKind{GlobalMin}
		concl = "global-min: the embedding keeps f, hence L = L*, the least loss of any width (Theorem G before)"
	case len(pr.Escape) == 0:
		pr.Verdicts = []VerdictKind{LocalMin}
		concl = "local-min: stationary and no escape neuron (Theorem M)"
	case op.Kind == OpRescale || op.Kind == OpPermute:
		pr.Verdicts = []VerdictKind{before.Kind}
		concl = fmt.Sprintf("%v as before: only neurons with a ≠ 0 escape (k ≥ 2), and rescaling or permuting must not change the verdict", before.Kind)
	case before.Kind == Saddle:
		pr.Verdicts = []VerdictKind{Saddle, Undetermined}
		concl = "saddle (an embedding of a saddle is not a local minimum); only neurons with a ≠ 0 escape (k ≥ 2), so Check's tests of §4 may leave it undetermined"
	default:
		pr.Verdicts = []VerdictKind{Undetermined, Saddle}
		concl = "only neurons with a ≠ 0 escape (k ≥ 2): the tests of §4 decide, saddle or undetermined"
	}
	if pr.Stationary {
		why = append(why, escWhy...)
	}
	pr.Reason = strings.Join(why, "; ") + " ⇒ " + concl
	return pr, nil
}
