package verify

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/relucert/relucert/exact"
)

// snapFloatRat returns the exact rational value of the float64 nearest r.
func snapFloatRat(r *big.Rat) *big.Rat {
	f, _ := r.Float64()
	return new(big.Rat).SetFloat64(f)
}

// snapFloatVec rounds every entry to float64 and multiplies it by
// (1 + eps·N(0,1)) in float64: a float candidate near v.
func snapFloatVec(rng *rand.Rand, v exact.Vec, eps float64) exact.Vec {
	out := make(exact.Vec, len(v))
	for i, x := range v {
		f, _ := x.Float64()
		f *= 1 + eps*rng.NormFloat64()
		out[i] = new(big.Rat).SetFloat64(f)
	}
	return out
}

// snapShortDecimal draws a nonzero short decimal such as -1.25 or 0.3.
func snapShortDecimal(rng *rand.Rand) *big.Rat {
	for {
		r := big.NewRat(rng.Int64N(41)-20, 10)
		if r.Sign() != 0 {
			return r
		}
	}
}

// snapRelFar reports |w·x| > c·|w||x| (exactly, with squares).
func snapRelFar(w, x exact.Vec, c *big.Rat) bool {
	z := w.Dot(x)
	lhs := new(big.Rat).Mul(z, z)
	rhs := new(big.Rat).Mul(w.Norm2(), x.Norm2())
	rhs.Mul(rhs, new(big.Rat).Mul(c, c))
	return lhs.Cmp(rhs) > 0
}

// snapPlanted is a planted exact stationary point together with what the
// test needs to know of it.
type snapPlanted struct {
	p     *Point
	alive []int
	// unique reports that the least squares of its pattern has one
	// solution in product coordinates.
	unique bool
	v      *Verdict
}

var snapActivations = []Activation{
	ReLU(), Leaky(big.NewRat(1, 10)), Abs(),
	{Pos: big.NewRat(2, 1), Neg: big.NewRat(-1, 3)},
}

// snapPlant draws a random exact stationary point with scalar
// output: alive neurons with short-decimal output weights, some of them
// orthogonal to chosen inputs (boundary samples), optionally a dead neuron
// (ReLU) and zero neurons; the targets are the network output minus a
// residual r that makes the point stationary (r in the subspace where the
// least-squares conditions of the pattern hold, with r_i = 0 on some
// boundary samples; instances that Check does not find stationary are
// redrawn).
func snapPlant(rng *rand.Rand) *snapPlanted {
	for {
		if pc := snapTryPlant(rng); pc != nil {
			return pc
		}
	}
}

func snapTryPlant(rng *rand.Rand) *snapPlanted {
	act := snapActivations[rng.IntN(len(snapActivations))]
	d := 2 + rng.IntN(2)
	n := 6 + rng.IntN(5)
	ma := 1 + rng.IntN(3)
	p := &Point{Act: act}
	var alive []int
	for j := 0; j < ma; j++ {
		w := randVec(rng, d, 3)
		if w.IsZero() {
			return nil
		}
		p.Neurons = append(p.Neurons, Neuron{W: w, A: exact.Vec{snapShortDecimal(rng)}})
		alive = append(alive, j)
	}
	// Inputs: some orthogonal to an alive neuron, the rest generic.
	zOf := make([][]int, ma)
	for i := 0; i < n; i++ {
		var x exact.Vec
		if b := rng.IntN(3 * ma); b < ma && len(zOf[b]) < d-1 {
			x = perp(rng, p.Neurons[b].W)
			zOf[b] = append(zOf[b], i)
		} else {
			x = randVec(rng, d, 4)
		}
		if x.IsZero() {
			return nil
		}
		p.X = p.X.AppendRow(x)
	}
	// Generic: every non-planted sample is far from every hyperplane.
	far := big.NewRat(1, 100)
	for b := range alive {
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			if !slices.Contains(zOf[b], i) && !snapRelFar(p.Neurons[b].W, x, far) {
				return nil
			}
		}
	}
	// An optional dead neuron (ReLU only): w·x_i < 0 for every sample.
	if act.IsReLU() && rng.IntN(2) == 0 {
		for try := 0; try < 50; try++ {
			w := randVec(rng, d, 3)
			dead := true
			for _, x := range p.X.Vecs() {
				if w.Dot(x).Sign() >= 0 {
					dead = false
				}
			}
			if dead {
				p.Neurons = append(p.Neurons, Neuron{W: w, A: exact.Vec{snapShortDecimal(rng)}})
				break
			}
		}
	}
	// Optional zero neurons.
	for z := rng.IntN(2); z > 0; z-- {
		p.Neurons = append(p.Neurons, Neuron{W: exact.NewVec(d), A: exact.NewVec(1)})
	}
	// The residual: for every alive j, Σ_{i∉Z_j} s_ij r_i x_i ∈ span{x_i : i ∈ Z_j};
	// and, with probability 1/2 per boundary sample, r_i = 0 there.
	var rows exact.Mat
	p.Y = exact.NewRatMat(n, 1)
	pt := PatternOf(p)
	for b := range alive {
		comp := exact.Nullspace(p.X.Select(zOf[b]), d)
		for _, c := range comp {
			row := exact.NewVec(n)
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				if s := pt.Sign(b, i); s != 0 {
					row[i].Mul(act.Slope(int(s)), x.Dot(c))
				}
			}
			rows = append(rows, row)
		}
		for _, i := range zOf[b] {
			if rng.IntN(2) == 0 {
				row := exact.NewVec(n)
				row[i].SetInt64(1)
				rows = append(rows, row)
			}
		}
	}
	basis := exact.Nullspace(rows, n)
	r := exact.NewVec(n)
	for _, v := range basis {
		r.AddScaled(randRat(rng, 3), v)
	}
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		f := p.Output(x)
		p.Y.SetRow(i, exact.Vec{new(big.Rat).Sub(f[0], r[i])})
	}
	v, err := Check(p, Options{})
	if err != nil || !v.Stationary {
		return nil
	}
	// Uniqueness: K = [M; C] of full column rank.
	var K exact.Mat
	cols := ma * d
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		row := exact.NewVec(cols)
		for b := range alive {
			if s := pt.Sign(b, i); s != 0 {
				for c := 0; c < d; c++ {
					row[b*d+c].Mul(act.Slope(int(s)), x[c])
				}
			}
		}
		K = append(K, row)
	}
	for b := range alive {
		for _, i := range zOf[b] {
			row := exact.NewVec(cols)
			for c := 0; c < d; c++ {
				row[b*d+c].Set(p.X.At(i, c))
			}
			K = append(K, row)
		}
	}
	return &snapPlanted{p: p, alive: alive, unique: exact.Rank(K) == cols, v: v}
}

// candidate returns a float candidate near the planted point: alive input
// weights perturbed by relative eps, output weights the nearest floats
// (perturbed too when perturbA), dead neurons the nearest floats, zero
// neurons replaced by tiny random weights of size ~1e-10.
func (pc *snapPlanted) candidate(rng *rand.Rand, eps float64, perturbA bool) *Point {
	q := pc.p.Clone()
	for j := range q.Neurons {
		nr := &q.Neurons[j]
		switch {
		case slices.Contains(pc.alive, j):
			nr.W = snapFloatVec(rng, nr.W, eps)
			if perturbA {
				nr.A = snapFloatVec(rng, nr.A, eps)
			} else {
				nr.A = snapFloatVec(rng, nr.A, 0)
			}
		case nr.W.IsZero():
			for c := range nr.W {
				nr.W[c] = new(big.Rat).SetFloat64(1e-10 * rng.NormFloat64())
			}
			nr.A[0] = new(big.Rat).SetFloat64(1e-10 * rng.NormFloat64())
		default: // dead
			nr.W = snapFloatVec(rng, nr.W, 0)
			nr.A = snapFloatVec(rng, nr.A, 0)
		}
	}
	return q
}

func snapSameEscape(a, b *Verdict) bool { return slices.Equal(a.Escape, b.Escape) }

// TestSnapRecoversPlanted: snap finds the planted exact stationary point
// from a float perturbation of it — exactly when the least squares has a
// unique solution in product coordinates and the output weights are the
// floats of short decimals, and otherwise the same fitted values, loss,
// pattern and verdict.
func TestSnapRecoversPlanted(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	stats := map[string]int{}
	for it := 0; it < 150; it++ {
		pc := snapPlant(rng)
		perturbA := it%3 == 2
		cand := pc.candidate(rng, 1e-9, perturbA)
		res, err := Snap(cand, SnapOptions{})
		if err != nil {
			t.Fatalf("it %d: %v", it, err)
		}
		name := fmt.Sprintf("it %d (%s, n=%d, d=%d, m=%d)", it, pc.p.Act, pc.p.N(), pc.p.D(), pc.p.M())
		if res.Point == nil {
			t.Fatalf("%s: no point: %+v\nattempts %v", name, res.Failure, res.Attempts)
		}
		if res.RecheckErr != nil {
			t.Fatalf("%s: recheck: %v", name, res.RecheckErr)
		}
		got := res.Point
		if res.Verdict.Kind != pc.v.Kind || !snapSameEscape(res.Verdict, pc.v) {
			t.Fatalf("%s: verdict %v %v, planted %v %v", name, res.Verdict.Kind, res.Verdict.Escape, pc.v.Kind, pc.v.Escape)
		}
		if Loss(got).Cmp(Loss(pc.p)) != 0 {
			t.Fatalf("%s: loss %s, planted %s", name, Loss(got).RatString(), Loss(pc.p).RatString())
		}
		for i := range got.X.Rows() {
			x := got.X.Row(i)
			if got.Output(x)[0].Cmp(pc.p.Output(x)[0]) != 0 {
				t.Fatalf("%s: f(x_%d) differs", name, i)
			}
		}
		gp, pp := PatternOf(got), PatternOf(pc.p)
		for j := range got.Neurons {
			if slices.Equal(gp.Signs(j), pp.Signs(j)) || pc.p.Neurons[j].W.IsZero() {
				continue
			}
			// A planted neuron with boundary samples and no positive
			// sample (ReLU) can be strictly dead in θ̃: it is kept dead,
			// and the neighbouring choice that puts it on its hyperplane
			// is the planted pattern.
			if res.Pattern.Neurons[j].Rule != RuleDead || slices.Contains(pp.Signs(j), 1) {
				t.Fatalf("%s: neuron %d pattern %v, planted %v", name, j, gp.Signs(j), pp.Signs(j))
			}
			found := false
			for _, nb := range res.Neighbours {
				if nb.Neuron == j && strings.HasPrefix(nb.Choice, "dead neuron") {
					found = true
					if nb.Verdict == nil || nb.Verdict.Kind != pc.v.Kind {
						t.Fatalf("%s: neighbour %q: %v", name, nb.Choice, nb.Verdict)
					}
					if !slices.Equal(PatternOf(nb.Point).Signs(j), pp.Signs(j)) {
						t.Fatalf("%s: neighbour %q has pattern %v", name, nb.Choice, PatternOf(nb.Point).Signs(j))
					}
				}
			}
			if !found {
				t.Fatalf("%s: no dead-on-boundary neighbour for neuron %d", name, j)
			}
			stats["kept dead"]++
		}
		if pc.unique {
			for j := range got.Neurons {
				g, w := got.Neurons[j], pc.p.Neurons[j]
				if perturbA && slices.Contains(pc.alive, j) {
					// Products agree exactly; a_j is the float's short decimal.
					if !g.W.Scale(g.A[0]).Equal(w.W.Scale(w.A[0])) {
						t.Fatalf("%s: neuron %d product differs", name, j)
					}
					continue
				}
				if !g.W.Equal(w.W) || !g.A.Equal(w.A) {
					t.Fatalf("%s: neuron %d = (%v, %v), planted (%v, %v)", name, j, g.W, g.A, w.W, w.A)
				}
			}
			stats["exact"]++
		} else {
			stats["non-unique"]++
		}
		stats[res.Verdict.Kind.String()]++
		for j := range got.Neurons {
			if len(gp.Boundary(j)) > 0 {
				stats["non-differentiable neurons"]++
			}
		}
		if res.Distance == nil || res.Distance.Sign() < 0 {
			t.Fatalf("%s: distance %v", name, res.Distance)
		}
	}
	t.Logf("%v", stats)
	if stats["exact"] < 50 || stats["non-differentiable neurons"] < 30 {
		t.Errorf("too few informative instances: %v", stats)
	}
}

// TestSnapSplitNeurons: two copies of one neuron (a split) make the least
// squares non-unique; snap takes the optimum nearest p̃, which keeps the
// fitted function and the verdict, and moves both copies equally.
func TestSnapSplitNeurons(t *testing.T) {
	p := &Point{Act: ReLU()}
	p.X = exact.RatMatOf([]exact.Vec{vec(1, 1), vec(2, 1), vec(-1, 1), vec(-2, 1), vec(1, 0)})
	w := vec(1, 0)
	p.Neurons = []Neuron{{W: w, A: rvec("0.5")}, {W: w.Clone(), A: rvec("1.5")}, {W: vec(-1, 0), A: rvec("-1")}}
	// Targets: f minus a residual orthogonal to the features on each side.
	p.Y = exact.RatMatOf([]exact.Vec{vec(0), vec(0), vec(0), vec(0), vec(0)})
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		p.Y.SetRow(i, p.Output(x))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cand := p.Clone()
	for j := range cand.Neurons {
		cand.Neurons[j].W = snapFloatVec(rng, cand.Neurons[j].W, 1e-8)
		cand.Neurons[j].A = snapFloatVec(rng, cand.Neurons[j].A, 0)
	}
	res, err := Snap(cand, SnapOptions{})
	if err != nil || res.Point == nil {
		t.Fatalf("snap: %v %+v", err, res.Failure)
	}
	if res.Verdict.Kind != GlobalMin {
		t.Fatalf("verdict %v", res.Verdict.Kind)
	}
	// p_0 + p_1 = 2·(1, 0); the correction is nearest in the weights: with
	// a fixed, δw_j = δp_j/a_j and Σ|δw_j|² is least when δp_j ∝ a_j², i.e.
	// δw_j ∝ a_j.
	got := res.Point.Neurons
	sum := got[0].W.Scale(got[0].A[0]).Add(got[1].W.Scale(got[1].A[0]))
	if !sum.Equal(vec(2, 0)) {
		t.Fatalf("p_0 + p_1 = %v", sum)
	}
	d0 := got[0].W.Sub(cand.Neurons[0].W).Scale(got[1].A[0])
	d1 := got[1].W.Sub(cand.Neurons[1].W).Scale(got[0].A[0])
	if !d0.Equal(d1) {
		t.Fatalf("corrections not proportional to a_j: %v vs %v", d0, d1)
	}
}

// TestSnapSignFlip: a candidate far from any stationary point of its
// pattern: the least squares moves a strict sign, and snap says which.
func TestSnapSignFlip(t *testing.T) {
	p := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1, 1)}), Y: exact.RatMatOf([]exact.Vec{vec(-1)}),
		Neurons: []Neuron{{W: vec(1, 0), A: vec(1)}}}
	res, err := Snap(p, SnapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Point != nil || res.Failure == nil || len(res.Failure.Flips) != 1 {
		t.Fatalf("want a sign-flip failure, got %+v", res.Failure)
	}
	f := res.Failure.Flips[0]
	if f.Neuron != 0 || f.Sample != 0 || f.Side != 1 || f.Pre.Cmp(big.NewRat(-1, 1)) != 0 {
		t.Fatalf("flip %+v", f)
	}
	if !strings.Contains(res.Failure.Reason, "neuron 0, sample 0") {
		t.Fatalf("reason %q", res.Failure.Reason)
	}
}

// TestSnapDropsBoundarySample: the true stationary point has sample 1 at a
// relative distance 1e-6 on the positive side of the hyperplane, so τ = 1e-4
// puts it on the hyperplane; the constrained optimum is not stationary
// ((S2) fails at that sample), and the neighbouring pattern that drops it
// onto its θ̃ side recovers the planted point exactly.
func TestSnapDropsBoundarySample(t *testing.T) {
	p := &Point{Act: ReLU()}
	p.X = exact.RatMatOf([]exact.Vec{vec(1, 0), rvec("1/1000000", "1"), vec(-1, 1), vec(1, 1)})
	p.Neurons = []Neuron{{W: vec(1, 0), A: vec(1)}}
	// r ⊥ span of the P features {x0, x1, x3}: a null vector of [x0 x1 x3].
	basis := exact.Nullspace(exact.Mat{
		{p.X.At(0, 0), p.X.At(1, 0), p.X.At(3, 0)},
		{p.X.At(0, 1), p.X.At(1, 1), p.X.At(3, 1)},
	}, 3)
	r := []*big.Rat{basis[0][0], basis[0][1], big.NewRat(1, 2), basis[0][2]}
	p.Y = exact.RatMatOf([]exact.Vec{vec(0), vec(0), vec(0), vec(0)})
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		p.Y.SetRow(i, exact.Vec{new(big.Rat).Sub(p.Output(x)[0], r[i])})
	}
	v, err := Check(p, Options{})
	if err != nil || v.Kind != LocalMin {
		t.Fatalf("planted: %v %v", v.Kind, err)
	}
	cand := p.Clone()
	cand.Neurons[0].W = snapFloatVec(rand.New(rand.NewPCG(3, 4)), cand.Neurons[0].W, 1e-12)
	res, err := Snap(cand, SnapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Attempts) != 1 || !strings.Contains(res.Attempts[0], "boundary sample 1") {
		t.Fatalf("attempts %q", res.Attempts)
	}
	if res.Point == nil || res.Verdict.Kind != LocalMin || res.RecheckErr != nil {
		t.Fatalf("result %+v", res.Failure)
	}
	if !res.Point.Neurons[0].W.Equal(p.Neurons[0].W) {
		t.Fatalf("w = %v", res.Point.Neurons[0].W)
	}
	hasDrop := false
	for _, m := range res.Moves {
		hasDrop = hasDrop || (m.Rule == "drop" && m.Neuron == 0 && m.Sample == 1)
	}
	if !hasDrop {
		t.Fatalf("moves %+v", res.Moves)
	}
}

// snapFig3Final is the final point of the reference experiment (docs/theory.md §7) in
// its exact form: the least-squares affine fit of y on x, carried by one
// neuron active on all samples with a < 0 and one whose hyperplane passes
// through x = 0.7 with a > 0, plus a dead neuron of size ~1e-5 within 1e-9
// of the hyperplane of sample x = −1 (pushed there by GD). Weights are
// float64 values.
func snapFig3Final(t *testing.T) *Point {
	t.Helper()
	xs := []string{"-1", "-0.6", "-0.1", "0.3", "0.7"}
	ys := []string{"0.28", "-0.1", "0.03", "0.23", "-0.22"}
	p := &Point{Act: ReLU()}
	for i := range xs {
		p.X = p.X.AppendRow(rvec(xs[i], "1"))
		p.Y = p.Y.AppendRow(rvec(ys[i]))
	}
	// Least squares line y ≈ α x + β.
	var sx, sy, sxx, sxy big.Rat
	for i := range xs {
		x, y := p.X.At(i, 0), p.Y.At(i, 0)
		sx.Add(&sx, x)
		sy.Add(&sy, y)
		sxx.Add(&sxx, new(big.Rat).Mul(x, x))
		sxy.Add(&sxy, new(big.Rat).Mul(x, y))
	}
	n := big.NewRat(5, 1)
	alpha := new(big.Rat).Sub(new(big.Rat).Mul(n, &sxy), new(big.Rat).Mul(&sx, &sy))
	alpha.Quo(alpha, new(big.Rat).Sub(new(big.Rat).Mul(n, &sxx), new(big.Rat).Mul(&sx, &sx)))
	beta := new(big.Rat).Sub(&sy, new(big.Rat).Mul(alpha, &sx))
	beta.Quo(beta, n)
	// Neuron B: a_B = 0.5, w_B = c·(−1, 0.7) (zero at x = 0.7, positive left of it).
	// Neuron A: a_A = −0.5, active on all samples: p_A = (α, β) − p_B.
	// p_B = c_B·(−1, 0.7) with c_B > 0; p_A·(x, 1) < 0 on [−1, 0.7] needs c_B > 0.1016.
	cB := big.NewRat(1, 5)
	pB := exact.Vec{new(big.Rat).Neg(cB), new(big.Rat).Mul(cB, big.NewRat(7, 10))}
	pA := exact.Vec{new(big.Rat).Sub(alpha, pB[0]), new(big.Rat).Sub(beta, pB[1])}
	aA, aB := big.NewRat(-1, 2), big.NewRat(1, 2)
	wA := pA.Scale(new(big.Rat).Inv(aA))
	wB := pB.Scale(new(big.Rat).Inv(aB))
	fl := func(v exact.Vec) exact.Vec {
		out := make(exact.Vec, len(v))
		for i := range v {
			out[i] = snapFloatRat(v[i])
		}
		return out
	}
	// The dead neuron: w·(x, 1) = −1e-5·(x + 1 + 1e-9) < 0 on every sample,
	// within a relative 5e-10 of the hyperplane at x = −1.
	wd := exact.Vec{new(big.Rat).SetFloat64(1e-5), new(big.Rat).SetFloat64(1e-5 + 1e-14)}
	p.Neurons = []Neuron{
		{W: fl(wA), A: exact.Vec{aA}},
		{W: fl(wB), A: exact.Vec{aB}},
		{W: wd.Neg(), A: exact.Vec{new(big.Rat).SetFloat64(2e-5)}},
	}
	return p
}

// TestSnapFig3Fragile: the final point of the reference experiment snaps
// to a local minimum (non-differentiable at x = 0.7) with the linear-fit
// loss, and putting the near-boundary dead neuron on its hyperplane (a = 0,
// the neuron is tiny), or zeroing it, makes it a saddle: fragile.
func TestSnapFig3Fragile(t *testing.T) {
	p := snapFig3Final(t)
	for j := range p.X.Rows() {
		x := p.X.Row(j)
		if p.Neurons[2].W.Dot(x).Sign() >= 0 {
			t.Fatalf("dead neuron not dead at sample %d", j)
		}
	}
	res, err := Snap(p, SnapOptions{})
	if err != nil || res.Point == nil {
		t.Fatalf("%v %+v", err, res.Failure)
	}
	if res.Verdict.Kind != LocalMin || res.RecheckErr != nil {
		t.Fatalf("verdict %v (%s), recheck %v", res.Verdict.Kind, res.Verdict.Reason, res.RecheckErr)
	}
	mse := new(big.Rat).Mul(res.Verdict.Loss, big.NewRat(2, 1))
	if mse.Cmp(big.NewRat(16139, 578750)) != 0 {
		t.Fatalf("mse_loss %s, want 16139/578750", mse.RatString())
	}
	if got := res.Verdict.Neurons[1].Kind; got != NonDifferentiable {
		t.Fatalf("neuron 1 kind %v", got)
	}
	if !slices.Equal(res.Pattern.Dead, []int{2}) || !slices.Equal(res.Pattern.Neurons[2].Near, []int{0}) || !res.Pattern.Neurons[2].Tiny {
		t.Fatalf("pattern %+v", res.Pattern)
	}
	if len(res.Fragile) != 2 {
		t.Fatalf("fragile %q", res.Fragile)
	}
	for _, nb := range res.Neighbours {
		if nb.Verdict == nil || nb.Verdict.Kind != Saddle || !nb.Changes {
			t.Fatalf("neighbour %q: %v", nb.Choice, nb.Verdict)
		}
		if err := Recheck(nb.Point, nb.Verdict); err != nil {
			t.Fatalf("neighbour %q: recheck %v", nb.Choice, err)
		}
	}
	t.Logf("fragile: %q", res.Fragile)
}

// TestSnapTinyZeroed: a candidate near the origin (every neuron tiny) snaps
// to the origin, a saddle whose zero neurons escape; keeping a tiny neuron
// alive is a neighbouring choice that is re-verified.
func TestSnapTinyZeroed(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	p := snapFig3Final(t)
	for j := range p.Neurons {
		for c := range p.Neurons[j].W {
			p.Neurons[j].W[c] = new(big.Rat).SetFloat64(1e-6 * rng.NormFloat64())
		}
		p.Neurons[j].A[0] = new(big.Rat).SetFloat64(1e-6 * rng.NormFloat64())
	}
	res, err := Snap(p, SnapOptions{})
	if err != nil || res.Point == nil {
		t.Fatalf("%v %+v", err, res.Failure)
	}
	for j, nr := range res.Point.Neurons {
		if !nr.W.IsZero() || !nr.A.IsZero() {
			if res.Pattern.Neurons[j].Rule != RuleDead {
				t.Fatalf("neuron %d not zeroed: %v", j, res.Pattern.Neurons[j].Rule)
			}
		}
	}
	if res.Verdict.Kind != Saddle {
		t.Fatalf("verdict %v", res.Verdict.Kind)
	}
	mse := new(big.Rat).Mul(res.Verdict.Loss, big.NewRat(2, 1))
	if approx, _ := mse.Float64(); math.Abs(approx-0.03812) > 5e-6 {
		t.Fatalf("origin mse_loss %v", approx)
	}
	nZeroed := 0
	for _, m := range res.Moves {
		if m.Rule == "zeroed" {
			nZeroed++
		}
	}
	if nZeroed != len(res.Pattern.Zeroed) || nZeroed == 0 {
		t.Fatalf("%d zeroed moves for %v", nZeroed, res.Pattern.Zeroed)
	}
	if len(res.Neighbours) < nZeroed {
		t.Fatalf("neighbours %d", len(res.Neighbours))
	}
}

// TestSnapVectorOutput: k ≥ 2 has no exact rational snap (the big-float
// layer answers instead, snapk_test.go); the residuals are certified upper
// bounds, and L'(θ; Δ) ≥ −Bound·|Δ| on random directions.
func TestSnapVectorOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for it := 0; it < 40; it++ {
		p := randomPoint(rng)
		if p.K() < 2 {
			continue
		}
		res, err := Snap(p, SnapOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Scalar || res.Point != nil || res.Algebraic == nil || res.Algebraic.Verdict == nil {
			t.Fatalf("k = %d: %+v", p.K(), res.Failure)
		}
		snapCheckResidualBounds(t, rng, p, res.Residuals)
	}
}

// TestSnapResidualBounds checks the certified residuals on scalar points too.
func TestSnapResidualBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for it := 0; it < 40; it++ {
		p := randomPoint(rng)
		r, err := StationarityResiduals(p)
		if err != nil {
			t.Fatal(err)
		}
		snapCheckResidualBounds(t, rng, p, r)
	}
}

func snapCheckResidualBounds(t *testing.T, rng *rand.Rand, p *Point, r *Residuals) {
	t.Helper()
	s := newState(p)
	total := new(big.Rat)
	for j, nr := range r.Neurons {
		g := s.G(j)
		if !g.Equal(nr.G) {
			t.Fatalf("G_%d", j)
		}
		gn, _ := nr.GNorm.Rat(nil)
		if gn.Mul(gn, gn).Cmp(g.Norm2()) < 0 {
			t.Fatalf("|G_%d| bound too small", j)
		}
		total.Add(total, g.Norm2())
	}
	b, _ := r.Bound.Rat(nil)
	b2 := new(big.Rat).Mul(b, b)
	if b2.Cmp(total) < 0 {
		t.Fatalf("bound² %s < Σ|G|² %s", b2.RatString(), total.RatString())
	}
	for k := 0; k < 20; k++ {
		delta := randomDirection(rng, p)
		d := s.FirstOrder(delta)
		var n2 big.Rat
		for _, nr := range delta {
			n2.Add(&n2, nr.W.Norm2())
			n2.Add(&n2, nr.A.Norm2())
		}
		// d ≥ −B|Δ| ⇔ d ≥ 0 or d² ≤ B²|Δ|².
		if d.Sign() < 0 && new(big.Rat).Mul(d, d).Cmp(new(big.Rat).Mul(b2, &n2)) > 0 {
			t.Fatalf("L'(θ; Δ) = %s below −Bound·|Δ|", d.RatString())
		}
	}
}

// TestSnapRejects: malformed input and options are errors.
func TestSnapRejects(t *testing.T) {
	p := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{vec(1, 1)}), Y: exact.RatMatOf([]exact.Vec{vec(1)}), Neurons: []Neuron{{W: vec(1), A: vec(1)}}}
	if _, err := Snap(p, SnapOptions{}); err == nil {
		t.Fatal("accepted a w of the wrong length")
	}
	p.Neurons[0].W = vec(1, 0)
	for _, tol := range []float64{-1, 1, 2, math.NaN()} {
		if _, err := Snap(p, SnapOptions{Tol: tol}); err == nil {
			t.Fatalf("accepted τ = %v", tol)
		}
	}
	if _, err := Snap(nil, SnapOptions{}); err == nil {
		t.Fatal("accepted nil")
	}
}

// TestSnapShortRat: output weights become the shortest decimal of their float.
func TestSnapShortRat(t *testing.T) {
	for _, c := range []struct {
		in   *big.Rat
		want string
	}{
		{snapFloatRat(big.NewRat(1, 10)), "1/10"},
		{snapFloatRat(big.NewRat(-3, 10)), "-3/10"},
		{new(big.Rat).SetFloat64(1e-5), "1/100000"},
		{big.NewRat(1, 3), "1/3"}, // not a float: kept
	} {
		if got := snapShortRat(c.in).RatString(); got != c.want {
			t.Errorf("snapShortRat(%s) = %s, want %s", c.in.RatString(), got, c.want)
		}
	}
}

// TestSnapSqrtUp: the rounded-up square root is an upper bound, and the
// rounded-down one a lower bound, each within a relative 10⁻¹⁵ of math.Sqrt.
func TestSnapSqrtUp(t *testing.T) {
	for _, r := range []*big.Rat{big.NewRat(2, 1), big.NewRat(1, 3), big.NewRat(4, 9), new(big.Rat).SetFloat64(1e-300), big.NewRat(0, 1)} {
		s := snapSqrtUp(r)
		q, _ := s.Rat(nil)
		if q.Mul(q, q).Cmp(r) < 0 {
			t.Errorf("snapSqrtUp(%s)² < it", r.RatString())
		}
		f, _ := r.Float64()
		g, _ := s.Float64()
		if math.Abs(g-math.Sqrt(f)) > 1e-15*math.Sqrt(f) {
			t.Errorf("snapSqrtUp(%s) = %v", r.RatString(), g)
		}
		d := snapSqrt(r, big.ToNegativeInf)
		q, _ = d.Rat(nil)
		if q.Mul(q, q).Cmp(r) > 0 {
			t.Errorf("snapSqrt(%s, down)² > it", r.RatString())
		}
		if g, _ := d.Float64(); math.Abs(g-math.Sqrt(f)) > 1e-15*math.Sqrt(f) {
			t.Errorf("snapSqrt(%s, down) = %v", r.RatString(), g)
		}
	}
}

// leastSquaresReference is the direct form of step 2, to cross-check
// leastSquares (which works per distinct pattern): one KKT system over all
// alive neurons in product coordinates, then one weighted projection onto
// the optimal set, nearest the candidate in the weights
// (Σ_j |p_j − a_j w̃_j|²/a_j²).
func (sn *snapper) leastSquaresReference(pat SnapPattern, alive []int, as []*big.Rat) []exact.Vec {
	p := sn.cand
	d, n := p.D(), p.N()
	cols := len(alive) * d
	M := exact.NewMat(n, cols)
	var C exact.Mat
	for b, j := range alive {
		sj := pat.Neurons[j]
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			if sj.Side[i] == 0 {
				continue
			}
			s := p.Act.Slope(int(sj.Side[i]))
			for c := 0; c < d; c++ {
				M[i][b*d+c].Mul(s, x[c])
			}
		}
		for _, i := range sj.Z {
			row := exact.NewVec(cols)
			for c := 0; c < d; c++ {
				row[b*d+c].Set(p.X.At(i, c))
			}
			C = append(C, row)
		}
	}
	y := make(exact.Vec, n)
	for i := range y {
		y[i] = p.Y.At(i, 0)
	}
	// KKT: [MᵀM Cᵀ; C 0] [p; λ] = [Mᵀy; 0].
	sol, err := exact.ConstrainedLeastSquares(M, y, C, cols)
	if err != nil {
		panic("snap: " + err.Error())
	}
	p0 := sol[:cols]
	// The optimal set is {q : Mq = Mp0, Cq = 0}; take its point nearest
	// p̂ = (a_j w̃_j)_j in the metric Σ_j |·_j|²/a_j².
	phat := exact.NewVec(cols)
	weight := exact.NewVec(cols)
	for b, j := range alive {
		nr := p.Neurons[j]
		a2 := new(big.Rat).Mul(as[b], as[b])
		for c := 0; c < d; c++ {
			phat[b*d+c].Mul(as[b], nr.W[c])
			weight[b*d+c].Set(a2)
		}
	}
	A := append(M.Clone(), C...)
	rhs2 := append(M.MulVec(p0), exact.NewVec(len(C))...)
	q := snapProjectWeighted(A, rhs2, phat, weight)
	out := make([]exact.Vec, len(alive))
	for b := range alive {
		out[b] = q[b*d : (b+1)*d]
	}
	return out
}

// snapProjectWeighted returns the point q of {q : A q = b} (non-empty) that
// minimises Σ_c (q_c − p_c)²/γ_c for positive weights γ (all 1 when gamma is
// nil): q = p − ΓAᵀμ with (AΓAᵀ)μ = Ap − b, Γ = diag(γ).
func snapProjectWeighted(A exact.Mat, b, p, gamma exact.Vec) exact.Vec {
	if len(A) == 0 {
		return p.Clone()
	}
	GA := make(exact.Mat, len(A)) // rows of A scaled by γ: (ΓAᵀ)ᵀ
	for r, row := range A {
		if gamma == nil {
			GA[r] = row
			continue
		}
		GA[r] = make(exact.Vec, len(row))
		for c := range row {
			GA[r][c] = new(big.Rat).Mul(row[c], gamma[c])
		}
	}
	g := exact.NewMat(len(A), len(A))
	for r := range A {
		for s := r; s < len(A); s++ {
			v := A[r].Dot(GA[s])
			g[r][s].Set(v)
			g[s][r].Set(v)
		}
	}
	rhs := A.MulVec(p).Sub(b)
	mu, ok := exact.SolveLinear(g, rhs, len(A))
	if !ok {
		panic("snap: projection onto an empty affine set")
	}
	q := p.Clone()
	for r := range A {
		q.AddScaled(new(big.Rat).Neg(mu[r]), GA[r])
	}
	return q
}

// TestSnapLeastSquaresFast: the grouped solve (the planner's basis, free
// coordinates at rounded float values, an exact KKT system by Dixon
// lifting, each group split nearest θ̃) gives the nearest optimal point of
// the direct weighted projection (one KKT system over all neurons, elimination
// over Q) exactly when the least squares over the distinct patterns has one
// solution, on random patterns with repeated neurons (the same pattern for
// several neurons); otherwise an optimal point (the same fitted values) no
// further from θ̃ than the reference, up to a relative 1e-9. (A group whose
// nearest split breaks a member's side is split in proportion instead: the
// reference is then no point of the pattern, and θ* must be stationary
// when the exact stage accepts it.)
func TestSnapLeastSquaresFast(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	exactCount := 0
	for it := 0; it < 60; it++ {
		pc := snapPlant(rng)
		p := pc.candidate(rng, 1e-6, true)
		// Duplicate an alive neuron with a different scale (a split).
		j := pc.alive[rng.IntN(len(pc.alive))]
		c := p.Neurons[j].Clone()
		c.W = c.W.Scale(big.NewRat(3, 1))
		c.A = c.A.Scale(big.NewRat(1, 7))
		p.Neurons = append(p.Neurons, c)
		sn := newSnapper(p, DefaultSnapTol, SnapOptions{})
		pat, _ := sn.classify()
		var as []*big.Rat
		for _, j := range pat.Alive {
			as = append(as, snapShortRat(p.Neurons[j].A[0]))
		}
		if len(pat.Alive) == 0 {
			continue
		}
		pl := sn.newSnapSystem(pat).plan()
		ex := pl.solve()
		if ex.err != nil {
			t.Fatalf("it %d: %v", it, ex.err)
		}
		want := sn.leastSquaresReference(pat, pat.Alive, as)
		got := make([]exact.Vec, len(pat.Alive))
		for b, j := range pat.Alive {
			nr := ex.theta.Neurons[j]
			got[b] = nr.W.Scale(nr.A[0])
		}
		parallel := slices.Contains(pl.parallel, true)
		if len(pl.free) == 0 && !parallel {
			exactCount++
			for b := range got {
				if !got[b].Equal(want[b]) {
					t.Fatalf("it %d: neuron %d: %v, reference %v", it, pat.Alive[b], got[b], want[b])
				}
			}
			continue
		}
		if parallel {
			// The reference's nearest split breaks a side: it is not a
			// point of the pattern, and θ* is checked by Check instead.
			if v, err := Check(ex.theta, Options{SkipGlobal: true}); err != nil || (len(ex.flips) == 0 && ex.s2 == nil && !v.Stationary) {
				t.Fatalf("it %d: proportional split: %v, stationary %v", it, err, v != nil && v.Stationary)
			}
			continue
		}
		// Same fitted values; distance within a relative 1e-9.
		q := ex.theta.Clone()
		for b, j := range pat.Alive {
			q.Neurons[j] = Neuron{W: want[b].Scale(new(big.Rat).Inv(as[b])), A: exact.Vec{as[b]}}
		}
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			if ex.theta.Output(x)[0].Cmp(q.Output(x)[0]) != 0 {
				t.Fatalf("it %d: fitted value %d differs from the reference", it, i)
			}
		}
		dg, dw := snapDistance2(p, ex.theta), snapDistance2(p, q)
		lim := new(big.Rat).Mul(dw, big.NewRat(1+1e9, 1e9))
		lim.Add(lim, new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil)))
		if dg.Cmp(lim) > 0 {
			t.Fatalf("it %d: distance² %s, reference %s", it, snapFmtRat(dg), snapFmtRat(dw))
		}
	}
	if exactCount < 20 {
		t.Errorf("only %d instances with a unique grouped least squares", exactCount)
	}
}
