package recheck

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// Theorem G (docs/theory.md §10): the least loss L* of a network of any
// width on a point's data and activation, and how the point compares. The
// reachable outputs are the feature space S = span{ρ(Xu) : u ∈ R^d} (plus
// the constant vectors when the point has an output bias), and a matrix of
// residuals R is orthogonal to S iff
//
//	(E1) σ Σ_i r_i x_iᵀ = 0, σ = ρ₊ + ρ₋,
//	(E2) κ Σ_{i∈ℓ} |t_i| r_i = 0 on every line ℓ through 0 holding nonzero
//	     samples x_i = t_i e_ℓ, κ = ρ₊ − ρ₋,
//	(S0) Σ_i r_i = 0 when there is an output bias,
//
// a finite list of sums that covers every activation pattern at once.

// AtWidth answers whether θ is a global minimum among the networks of its
// own width m.
type AtWidth int

const (
	// WidthUndecided: L(θ) > L*, but no network of width ≤ m with a smaller
	// loss is known.
	WidthUndecided AtWidth = iota
	// WidthGlobal: L(θ) = L*, so no network of any width, m included, has a
	// smaller loss.
	WidthGlobal
	// WidthNotGlobal: a network of width ≤ m (padded with zero neurons to
	// width m) has a smaller loss than θ.
	WidthNotGlobal
)

var atWidthNames = [...]string{"undetermined", "yes", "no"}

// String returns "yes", "no" or "undetermined".
func (a AtWidth) String() string {
	if a < 0 || int(a) >= len(atWidthNames) {
		return "unknown"
	}
	return atWidthNames[a]
}

// MarshalText encodes a as its String.
func (a AtWidth) MarshalText() ([]byte, error) {
	if a < 0 || int(a) >= len(atWidthNames) {
		return nil, fmt.Errorf("at_width %d out of range", int(a))
	}
	return []byte(a.String()), nil
}

// UnmarshalText decodes "yes", "no" or "undetermined".
func (a *AtWidth) UnmarshalText(b []byte) error {
	for i, n := range atWidthNames {
		if string(b) == n {
			*a = AtWidth(i)
			return nil
		}
	}
	return fmt.Errorf("at_width %q: want yes, no or undetermined", b)
}

// Net is a network on a point's data: its neurons and, when the point has
// an output bias, its b (nil otherwise). Its width is len(Neurons); every
// neuron has w ≠ 0 and a ≠ 0.
type Net struct {
	Neurons    []network.Neuron `json:"neurons"`
	OutputBias exact.Vec        `json:"output_bias"`
}

// GlobalFit writes the optimal outputs P_S Y (row i for sample i) in the
// spanning set of the feature space: X Γ + Σ_ℓ v_ℓ β_ℓᵀ + 1·Bᵀ with
// v_ℓ = (|t_i|)_{i∈ℓ} (x_i = t_i e_ℓ, e_ℓ = x/x_c for the first nonzero
// coordinate c of any x on ℓ). X Γ lies in S when σ ≠ 0 (ρ(z) − ρ(−z) = σz),
// v_ℓ when κ ≠ 0 (a second difference across ℓ), the constant B when the
// point has an output bias; otherwise that part must be zero (nil for B).
type GlobalFit struct {
	// Gamma has d rows γ_c ∈ Q^k.
	Gamma []exact.Vec `json:"gamma"`
	// Beta has one β_ℓ ∈ Q^k per line of GlobalProof.Lines.
	Beta []exact.Vec `json:"beta"`
	// Bias is B ∈ Q^k, nil without an output bias.
	Bias exact.Vec `json:"bias"`
}

// MaxPruneEntries bounds the feature matrix (n·width entries) of a
// Theorem G witness that is pruned to linearly independent features; for a
// larger one GlobalProof.Pruned is false.
const MaxPruneEntries = 1 << 13

// GlobalProof is Theorem G's certificate: the least loss L* of any network
// of any width on the point's data and activation, and how θ compares.
// Every field is validated by exact evaluation of networks and of the
// (E1)/(E2)/(S0) sums; nothing in it depends on an enumeration of patterns.
type GlobalProof struct {
	// Reason summarises the comparison, or says why it was not made (then
	// every other field is empty).
	Reason string `json:"reason"`
	// Optimum is L* = min over all widths of the loss; nil when it was not
	// computed (a budget) — only L(θ) > L* is claimed then.
	Optimum *big.Rat `json:"optimum"`
	// IsGlobal reports L(θ) = L*: θ's residuals are orthogonal to S, and θ
	// is a global minimum among networks of every width.
	IsGlobal bool `json:"is_global"`
	// Fit certifies L* when L(θ) > L* (nil when IsGlobal, where L* = L(θ),
	// or when L* was not computed).
	Fit *GlobalFit `json:"fit"`
	// Witness is a network reaching L* (nil when IsGlobal, or when it was
	// not built: Reason says so).
	Witness *Net `json:"witness"`
	// Pruned reports that Witness has linearly independent features
	// ρ(X w_j): it is exactly that fact when Witness's feature matrix has at
	// most MaxPruneEntries entries (n·width), and false beyond (the prune is
	// not tried there, nothing is claimed), so that its value is determined
	// and Recheck decides it (an exact rank).
	Pruned bool `json:"pruned"`
	// Width answers the question at θ's own width m.
	Width AtWidth `json:"at_width"`
	// WidthWitness, when Witness is wider than m, is a network of width
	// ≤ m with loss WidthLoss < L(θ) (found by greedy feature selection),
	// or nil.
	WidthWitness *Net     `json:"width_witness"`
	WidthLoss    *big.Rat `json:"width_loss"`
	// U and Q show L(θ) > L*: Q = Σ_i r_i ρ(x_i·U) ≠ 0, so a zero neuron
	// added to θ escapes along U. Nil when IsGlobal, or when (S0) fails
	// instead (Σ_i r_i ≠ 0 with an output bias).
	U exact.Vec `json:"u"`
	Q exact.Vec `json:"q"`
	// Lines groups the nonzero samples by the line through the origin that
	// holds them (sample indices, in order of first appearance): the index
	// sets of the E2 sums and of Fit.Beta. Nil when neither needs them.
	Lines [][]int `json:"lines"`
}

// recheckGlobal validates Theorem G's proof (v.Cert.Global) by exact
// evaluation only: the lines of the samples (grouped here by their own
// keys, independently of the engine), θ's residuals (the rechecker's,
// verified against the definition), the (E1)/(E2)/(S0) sums, the fit's
// outputs and loss, the escape direction of an added zero neuron, and the
// loss of each network the proof names. A nil proof, or one with only a
// Reason, claims nothing.
func recheckGlobal(rc *rechecker, v *Verdict) error {
	g := v.Cert.Global
	if g == nil {
		return nil
	}
	p := rc.p
	bias := p.HasOutputBias()
	if g.Optimum == nil && !g.IsGlobal && g.U == nil && !(bias && !rc.resSum().IsZero()) {
		if g.Fit != nil || g.Witness != nil || g.WidthWitness != nil || g.WidthLoss != nil || g.Q != nil ||
			g.Lines != nil || g.Pruned || g.Width != WidthUndecided || g.Reason == "" {
			return fmt.Errorf("global: claims without an optimum")
		}
		return nil
	}
	if g.Witness == nil && g.Pruned {
		return fmt.Errorf("global: pruned claimed without a witness")
	}
	if (g.WidthWitness == nil) != (g.WidthLoss == nil) {
		return fmt.Errorf("global: a width witness without its loss, or a loss without a witness")
	}
	m := p.M()
	var lines [][]int
	if g.IsGlobal || g.Fit != nil || g.Lines != nil {
		lines = rc.sampleLines()
		if len(lines) != len(g.Lines) {
			return fmt.Errorf("global: %d lines listed, the samples lie on %d", len(g.Lines), len(lines))
		}
		for l := range lines {
			if !slices.Equal(lines[l], g.Lines[l]) {
				return fmt.Errorf("global: line %d lists samples %v, the samples give %v", l, g.Lines[l], lines[l])
			}
		}
	}
	if g.IsGlobal {
		if !rc.orthogonal(lines) {
			return fmt.Errorf("global: L(θ) = L* claimed, but θ's residuals fail E1/E2/S0 over all samples")
		}
		if g.Optimum == nil || g.Optimum.Cmp(rc.loss) != 0 {
			return fmt.Errorf("global: L* = %v claimed, but L(θ) = %s", g.Optimum, rc.loss.RatString())
		}
		if g.Width != WidthGlobal || g.Fit != nil || g.Witness != nil || g.WidthWitness != nil || g.U != nil || g.Q != nil {
			return fmt.Errorf("global: a global point with a better network or a width answer other than yes")
		}
		if v.Kind != GlobalMin {
			return fmt.Errorf("global: L(θ) = L* but the verdict is %v, not global-min", v.Kind)
		}
		return nil
	}
	if v.Kind == GlobalMin && v.Loss.Sign() == 0 {
		return fmt.Errorf("global: L = 0 but not global")
	}
	// L(θ) > L*: an added zero neuron escapes along U, or (S0) fails.
	if g.U != nil || !bias {
		if len(g.U) != p.D() || len(g.Q) != p.K() || !g.U.Defined() || !g.Q.Defined() || g.Q.IsZero() {
			return fmt.Errorf("global: no escape direction of an added zero neuron")
		}
		q := exact.NewVec(p.K())
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			q.AddScaled(p.Act.Apply(x.Dot(g.U)), rc.res(i))
		}
		if !q.Equal(g.Q) {
			return fmt.Errorf("global: Σ_i r_i ρ(x_i·u) = %v at the certificate's u, not its %v", q, g.Q)
		}
	} else if g.Q != nil {
		return fmt.Errorf("global: Q without its direction u")
	} else if rc.resSum().IsZero() {
		return fmt.Errorf("global: no escape direction, and (S0) holds")
	}
	if g.Fit == nil {
		// L* was not computed (budget): only L(θ) > L* is claimed.
		if g.Optimum != nil || g.Witness != nil || g.WidthWitness != nil || g.Width != WidthUndecided {
			return fmt.Errorf("global: an optimum or a better network without a fit")
		}
		return nil
	}
	if g.Optimum == nil {
		return fmt.Errorf("global: a fit without an optimum")
	}
	ts := rc.lineTs(lines)
	yhat, err := fitOutputs(p, lines, ts, g.Fit)
	if err != nil {
		return fmt.Errorf("global: fit: %w", err)
	}
	r := make([]exact.Vec, p.N())
	lstar := new(big.Rat)
	for i, y := range yhat {
		r[i] = y.Sub(p.Y.Row(i))
		lstar.Add(lstar, r[i].Norm2())
	}
	lstar.Quo(lstar, big.NewRat(2*int64(p.N()), 1))
	if !orthogonal(p, lines, ts, r) {
		return fmt.Errorf("global: the fit's residuals fail E1/E2/S0 over all samples: it is not the optimum")
	}
	if lstar.Cmp(g.Optimum) != 0 || lstar.Cmp(rc.loss) >= 0 {
		return fmt.Errorf("global: the fit has loss %s; the certificate says L* = %s < L(θ) = %s", lstar.RatString(), g.Optimum.RatString(), rc.loss.RatString())
	}
	if g.Witness != nil {
		wl, err := netLoss(p, g.Witness)
		if err != nil {
			return fmt.Errorf("global: witness: %w", err)
		}
		if wl.Cmp(g.Optimum) != 0 {
			return fmt.Errorf("global: the witness has loss %s, not L* = %s", wl.RatString(), g.Optimum.RatString())
		}
		if ind := IndependentFeatures(p, g.Witness); ind != g.Pruned {
			return fmt.Errorf("global: pruned is %v, but the witness's features linearly independent (within %d entries) is %v", g.Pruned, MaxPruneEntries, ind)
		}
	}
	// A network of width ≤ m below L(θ) decides the question at width m:
	// the answer is then no, and a width witness is only there when the
	// witness is wider than m.
	narrow := g.Witness != nil && len(g.Witness.Neurons) <= m
	if g.WidthWitness != nil {
		if g.Witness == nil || narrow || len(g.WidthWitness.Neurons) > m {
			return fmt.Errorf("global: a width witness needs a witness wider than %d and has width ≤ %d", m, m)
		}
		ll, err := netLoss(p, g.WidthWitness)
		if err != nil {
			return fmt.Errorf("global: width witness: %w", err)
		}
		if ll.Cmp(g.WidthLoss) != 0 || ll.Cmp(rc.loss) >= 0 {
			return fmt.Errorf("global: the width-%d witness has loss %s, not the certificate's %v < L(θ)", len(g.WidthWitness.Neurons), ll.RatString(), g.WidthLoss)
		}
	}
	switch no := narrow || g.WidthWitness != nil; {
	case g.Width == WidthGlobal:
		return fmt.Errorf("global: width answer yes at a point that is not global")
	case g.Width == WidthNotGlobal && !no:
		return fmt.Errorf("global: not global at width %d claimed without a network of width ≤ %d", m, m)
	case g.Width == WidthUndecided && no:
		return fmt.Errorf("global: at_width undetermined, but the certificate's network of width ≤ %d has a smaller loss: the answer is no", m)
	}
	return nil
}

// IndependentFeatures reports whether the features ρ(X w_j) of net's
// neurons on p's data are linearly independent, when its feature matrix
// has at most MaxPruneEntries entries (false beyond): the value
// GlobalProof.Pruned must have for the witness net.
func IndependentFeatures(p *network.Point, net *Net) bool {
	w := len(net.Neurons)
	if p.N()*w > MaxPruneEntries {
		return false
	}
	F := make(exact.Mat, w) // row j: the feature of neuron j on the samples
	for j, nr := range net.Neurons {
		F[j] = make(exact.Vec, p.N())
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			F[j][i] = p.Act.Apply(nr.W.Dot(x))
		}
	}
	return exact.Rank(F) == w
}

// sampleLines groups the nonzero samples by their line through 0, in
// order of first appearance (linesOf of all samples).
func (rc *rechecker) sampleLines() [][]int {
	all := make([]int, rc.n)
	for i := range all {
		all[i] = i
	}
	return rc.linesOf(all)
}

// linesOf groups the nonzero samples among idx (sample indices in
// increasing order) by their line through 0, in order of first appearance,
// each line's samples in increasing order.
//
// Two samples on one line have the same first nonzero coordinate c and
// the same x/x_c. The samples are first bucketed by a hash of c and of
// x/x_c, and only samples sharing a bucket are compared exactly
// (onLineOf): the hash only routes, it never decides. When every entry of
// X is a float64, the hash is of the float64 quotients fl(x_q/x_c): for
// y = t·x the exact quotients y_q/y_c and x_q/x_c are the same real
// number, and IEEE division rounds a real quotient of float64 operands
// correctly, so both give the same float64 (zeros normalised to +0).
// Otherwise it is of x/x_c = X̄/X̄_c (X̄ = D_X·X) modulo the prime
// p = Primes31(1)[0]; when some X̄_c ≡ 0 (mod p) the residues say nothing
// and all samples share one bucket.
func (rc *rechecker) linesOf(idx []int) [][]int {
	xs, d, n := rc.p.X, rc.d, len(idx)
	first := make([]int, n) // c, the first nonzero coordinate of idx[q]
	hash := make([]uint64, n)
	const mix = 0x9e3779b97f4a7c15
	if xs.AllFloat() {
		for q := range n {
			fs, _ := xs.Floats(idx[q])
			c := 0
			for c < d && fs[c] == 0 {
				c++
			}
			if c == d {
				first[q] = -1
				continue
			}
			first[q] = c
			h := uint64(c+1) * mix
			for _, v := range fs[c+1:] {
				x := v / fs[c]
				if x == 0 {
					x = 0 // −0 → +0
				}
				h = bits.RotateLeft64(h^math.Float64bits(x), 27) * mix
			}
			hash[q] = h
		}
	} else {
		for q := range n {
			first[q] = -1
			for c := range d {
				if !xs.IsZeroAt(idx[q], c) {
					first[q] = c
					break
				}
			}
		}
		// x/x_c = X̄/X̄_c for the integer image X̄ = D_X·X.
		pr := exact.Primes31(1)[0]
		md := exact.NewModulus(pr)
		row := make([]uint64, d)
		for q := range n {
			c := first[q]
			if c < 0 {
				continue
			}
			i := idx[q]
			for e := c; e < d; e++ {
				row[e] = wordsMod(rc.xbar.entry(i, e), pr)
			}
			if row[c] == 0 {
				clear(hash) // one bucket: exact keys for all
				break
			}
			inv := exact.ModInverse(row[c], pr)
			h := uint64(c+1) * mix
			for _, v := range row[c+1:] {
				h = bits.RotateLeft64(h^md.MulMod(v, inv), 27) * mix
			}
			hash[q] = h
		}
	}
	// Bucket the nonzero samples by hash in an open-addressing table
	// (slot: 1 + the bucket's first sample, 0 empty; its high bits pick
	// the slot), each bucket a chain in increasing order (next, −1 ends).
	lg := bits.Len(uint(2 * n))
	slot := make([]int32, 1<<lg)
	next, tail := make([]int32, n), make([]int32, n)
	for q, c := range first {
		if c < 0 {
			continue
		}
		next[q] = -1
		h := hash[q]
		for s := int(h >> (64 - lg)); ; s = (s + 1) & (len(slot) - 1) {
			if slot[s] == 0 {
				slot[s], tail[q] = int32(q+1), int32(q)
				break
			}
			if hq := slot[s] - 1; hash[hq] == h {
				next[tail[hq]], tail[hq] = int32(q), int32(q)
				break
			}
		}
	}
	// rep[q] is the position of the first sample on idx[q]'s line.
	rep := make([]int, n)
	ol := rc.newOnLine()
	var reps []int
	for _, s := range slot {
		if s == 0 {
			continue
		}
		reps = reps[:0]
		for q := int(s - 1); q >= 0; q = int(next[q]) {
			k := slices.IndexFunc(reps, func(r int) bool { return ol.onLineOf(idx[q], idx[r], first[r]) })
			if k < 0 {
				k = len(reps)
				reps = append(reps, q)
			}
			rep[q] = reps[k]
		}
	}
	// Number the lines in order of first appearance, then lay their
	// samples out in one array.
	lineOf := make([]int, n)
	var size []int
	for q, c := range first {
		if c < 0 {
			continue
		}
		if rep[q] == q {
			lineOf[q] = len(size)
			size = append(size, 0)
		}
		size[lineOf[rep[q]]]++
	}
	lines := make([][]int, len(size))
	nz := 0
	for _, sz := range size {
		nz += sz
	}
	flat := make([]int, nz)
	o := 0
	for l, sz := range size {
		lines[l] = flat[o : o : o+sz]
		o += sz
	}
	for q, c := range first {
		if c >= 0 {
			l := lineOf[rep[q]]
			lines[l] = append(lines[l], idx[q])
		}
	}
	return lines
}

// lineTs returns, for the samples of each line, t_i = x_i[c] (x_i = t_i e_ℓ,
// e_ℓ = x/x_c for the first nonzero coordinate c, the same on a line).
func (rc *rechecker) lineTs(lines [][]int) [][]*big.Rat {
	ts := make([][]*big.Rat, len(lines))
	for l, ln := range lines {
		c := 0
		for rc.p.X.IsZeroAt(ln[0], c) {
			c++
		}
		ts[l] = make([]*big.Rat, len(ln))
		for q, i := range ln {
			ts[l][q] = rc.p.X.At(i, c)
		}
	}
	return ts
}

// onLine holds the scratch words of onLineOf.
type onLine struct {
	rc               *rechecker
	acc, neg, xb, yb []uint64
}

func (rc *rechecker) newOnLine() *onLine {
	X := rc.xbar
	w := X.words()
	return &onLine{rc: rc, acc: make([]uint64, exact.WordsFor(2*X.bits+1)), neg: make([]uint64, w),
		xb: make([]uint64, rc.d*w), yb: make([]uint64, rc.d*w)}
}

// onLineOf reports whether sample y ≠ 0 lies on the line through 0 and
// sample x ≠ 0, whose first nonzero coordinate is c: for rows of float64s
// by exact.FloatCollinear (the products x_q·y_c and y_q·x_c compared
// exactly, no integer image formed), otherwise on the integer image
// X̄ = D_X·X: X̄_y = X̄_x, or X̄_xq X̄_yc = X̄_yq X̄_xc for every q (then
// X̄_yc ≠ 0, as y ≠ 0, and y = (X̄_yc/X̄_xc) x).
func (ol *onLine) onLineOf(y, x, c int) bool {
	if xf, ok := ol.rc.p.X.Floats(x); ok {
		if yf, ok := ol.rc.p.X.Floats(y); ok {
			return exact.FloatCollinear(xf, yf)
		}
	}
	X := ol.rc.xbar
	w := X.words()
	xr, yr := X.row(x, ol.xb), X.row(y, ol.yb)
	if slices.Equal(xr, yr) {
		return true
	}
	acc, neg := ol.acc, ol.neg
	copy(neg, xr[c*w:(c+1)*w])
	exact.NegWords(neg) // −X̄_xc
	yc := yr[c*w : (c+1)*w]
	for q := range ol.rc.d {
		clear(acc)
		exact.MulAddWords(acc, xr[q*w:(q+1)*w], yc)
		exact.MulAddWords(acc, yr[q*w:(q+1)*w], neg)
		if !exact.WordsIsZero(acc) {
			return false
		}
	}
	return true
}

// orthogonal decides whether the rows r_i are orthogonal to every feature
// ρ(Xu) (and to the constants when p has an output bias): (E1), (E2) on
// the lines, (S0), with the sums formed in rationals.
func orthogonal(p *network.Point, lines [][]int, ts [][]*big.Rat, r []exact.Vec) bool {
	k := p.K()
	if new(big.Rat).Add(p.Act.Pos, p.Act.Neg).Sign() != 0 { // σ ≠ 0: (E1)
		for c := 0; c < p.D(); c++ {
			s := exact.NewVec(k)
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				s.AddScaled(x[c], r[i])
			}
			if !s.IsZero() {
				return false
			}
		}
	}
	if p.Act.Kappa().Sign() != 0 {
		for l, ln := range lines {
			s := exact.NewVec(k)
			for q, i := range ln {
				s.AddScaled(new(big.Rat).Abs(ts[l][q]), r[i])
			}
			if !s.IsZero() {
				return false
			}
		}
	}
	return !p.HasOutputBias() || sumZero(r)
}

// orthogonal is the function orthogonal for θ's residuals, on the integer
// images R̄ = D_R·R and X̄ = D_X·X: (E1) is Σ_i R̄_i X̄_iᵀ = 0 (the masked
// sums' total), (E2) on a line ℓ with first nonzero coordinate c is
// Σ_{i∈ℓ} |X̄_ic| R̄_i = 0 (t_i = x_ic = X̄_ic/D_X), (S0) Σ_i R̄_i = 0.
func (rc *rechecker) orthogonal(lines [][]int) bool {
	p, k := rc.p, rc.k
	if new(big.Rat).Add(p.Act.Pos, p.Act.Neg).Sign() != 0 && !rc.totalVanishes() {
		return false
	}
	if p.Act.Kappa().Sign() != 0 && !rc.linesVanish(lines) {
		return false
	}
	if !p.HasOutputBias() {
		return true
	}
	R := rc.rbar
	w := exact.WordsFor(R.bits + bitlen(rc.n) + 1)
	acc := make([]uint64, k*w)
	one := []uint64{1}
	for i := 0; i < rc.n; i++ {
		for l := 0; l < k; l++ {
			exact.MulAddWords(acc[l*w:(l+1)*w], R.entry(i, l), one)
		}
	}
	return exact.WordsIsZero(acc)
}

// sumZero reports Σ_i r_i = 0.
func sumZero(r []exact.Vec) bool {
	if len(r) == 0 {
		return true
	}
	s := exact.NewVec(len(r[0]))
	for _, ri := range r {
		s = s.Add(ri)
	}
	return s.IsZero()
}

// fitOutputs returns X Γ + Σ_ℓ v_ℓ β_ℓᵀ (+ B), checking the fit's shape and
// that each part lies in S: Γ = 0 unless σ ≠ 0, β = 0 unless κ ≠ 0, B only
// with an output bias.
func fitOutputs(p *network.Point, lines [][]int, ts [][]*big.Rat, f *GlobalFit) ([]exact.Vec, error) {
	d, k := p.D(), p.K()
	if len(f.Gamma) != d || len(f.Beta) != len(lines) || (f.Bias != nil) != p.HasOutputBias() {
		return nil, fmt.Errorf("of the wrong shape")
	}
	sigmaZero := new(big.Rat).Add(p.Act.Pos, p.Act.Neg).Sign() == 0
	kappaZero := p.Act.Kappa().Sign() == 0
	for _, g := range f.Gamma {
		if len(g) != k || !g.Defined() || (sigmaZero && !g.IsZero()) {
			return nil, fmt.Errorf("Γ has the wrong shape, or is not 0 with ρ₊ + ρ₋ = 0")
		}
	}
	for _, b := range f.Beta {
		if len(b) != k || !b.Defined() || (kappaZero && !b.IsZero()) {
			return nil, fmt.Errorf("β has the wrong shape, or is not 0 with ρ₊ = ρ₋")
		}
	}
	if f.Bias != nil && (len(f.Bias) != k || !f.Bias.Defined()) {
		return nil, fmt.Errorf("B has the wrong shape")
	}
	out := make([]exact.Vec, p.N())
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		out[i] = exact.NewVec(k)
		for c := range x {
			out[i].AddScaled(x[c], f.Gamma[c])
		}
		if f.Bias != nil {
			out[i] = out[i].Add(f.Bias)
		}
	}
	for l, ln := range lines {
		for q, i := range ln {
			out[i].AddScaled(new(big.Rat).Abs(ts[l][q]), f.Beta[l])
		}
	}
	return out, nil
}

// netLoss checks the shapes of a network on p's data (every neuron with
// w ≠ 0 and a ≠ 0, so that its width is its length; an output bias exactly
// when p has one) and returns its exact loss, evaluated by the rechecker.
func netLoss(p *network.Point, net *Net) (*big.Rat, error) {
	for j, nr := range net.Neurons {
		if len(nr.W) != p.D() || len(nr.A) != p.K() || !nr.W.Defined() || !nr.A.Defined() {
			return nil, fmt.Errorf("neuron %d has the wrong shape", j)
		}
		if nr.W.IsZero() || nr.A.IsZero() {
			return nil, fmt.Errorf("neuron %d has w = 0 or a = 0 and does not count in a width", j)
		}
	}
	if (net.OutputBias != nil) != p.HasOutputBias() || (net.OutputBias != nil && (len(net.OutputBias) != p.K() || !net.OutputBias.Defined())) {
		return nil, fmt.Errorf("output bias does not match the point's")
	}
	q := &network.Point{Act: p.Act, X: p.X, Y: p.Y, Neurons: net.Neurons, OutputBias: net.OutputBias}
	rc, err := newRechecker(q, nil)
	if err != nil {
		return nil, err
	}
	defer rc.release()
	return rc.loss, nil
}

// totalVanishes decides Σ_i r_i x_iᵀ = 0 for θ's residuals: the masked
// sums' total, D_R·D_X times it in integers.
func (rc *rechecker) totalVanishes() bool {
	return exact.WordsIsZero(rc.sums().tot)
}
