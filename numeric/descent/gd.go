package descent

import (
	"errors"
	"fmt"
	"math"
	"math/big"
)

// workspace holds the buffers of one forward/backward pass, allocated once.
type workspace struct {
	p       *Problem
	m       int
	pre, h  []float64 // m×n: pre[j*n+i] = w_j·x_i, h = ρ(pre)
	r       []float64 // n×k: c·(f(x_i) − y_i), c = dL/df
	res     []float64 // n×k: f(x_i) − y_i
	gw, ga  []float64 // m×d and m×k gradients
	gb      []float64 // k: the output bias's gradient (with an output bias)
	sumsq   float64   // Σ_i |r_i|² of the last pass (unscaled residuals)
	outCoef float64   // c = dL/df: 2/(n·k) for MSE, 1/n for HalfN
	lossFac float64   // L = lossFac·Σ|r|²: 1/(n·k) or 1/(2n)
}

func newWorkspace(p *Problem, m int) *workspace {
	ws := &workspace{
		p: p, m: m,
		pre: make([]float64, m*p.n), h: make([]float64, m*p.n),
		r: make([]float64, p.n*p.k), res: make([]float64, p.n*p.k), gw: make([]float64, m*p.d), ga: make([]float64, m*p.k),
		gb: make([]float64, p.k),
	}
	n, k := float64(p.n), float64(p.k)
	if p.Scaling == HalfN {
		ws.outCoef, ws.lossFac = 1/n, 1/(2*n)
	} else {
		ws.outCoef, ws.lossFac = 2/(n*k), 1/(n*k)
	}
	return ws
}

// pass computes L(θ) and its gradient (into ws.gw, ws.ga, and ws.gb for
// the output bias) for θ = (w, a, b) in row-major slices (b nil: no output
// bias), with ρ'(0) = ρ₋. No allocation.
func (ws *workspace) pass(w, a, b []float64) float64 {
	p := ws.p
	n, d, k, m := p.n, p.d, p.k, ws.m
	x, y := p.x, p.y
	pos, neg := p.Pos, p.Neg
	pre, h, r := ws.pre, ws.h, ws.r
	// forward: pre-activations, activations, outputs f(x_i) into r
	for i := range r {
		r[i] = 0
		if b != nil {
			r[i] = b[i%k]
		}
	}
	for j := range m {
		wj := w[j*d : j*d+d]
		aj := a[j*k : j*k+k]
		pj := pre[j*n : j*n+n]
		hj := h[j*n : j*n+n]
		for i := range n {
			xi := x[i*d : i*d+d]
			z := 0.0
			for c, wc := range wj {
				z += wc * xi[c]
			}
			pj[i] = z
			v := neg * z
			if z > 0 {
				v = pos * z
			}
			hj[i] = v
			ri := r[i*k : i*k+k]
			for o, ao := range aj {
				ri[o] += ao * v
			}
		}
	}
	// residuals, loss, and r ← c·(f − y) = dL/df
	sumsq := 0.0
	for i := range r {
		e := r[i] - y[i]
		ws.res[i] = e
		sumsq += e * e
		r[i] = ws.outCoef * e
	}
	ws.sumsq = sumsq
	// backward: ∂L/∂b = Σ_i c·(f(x_i) − y_i)
	if b != nil {
		for o := range ws.gb {
			ws.gb[o] = 0
		}
		for i, ri := range r {
			ws.gb[i%k] += ri
		}
	}
	for j := range m {
		aj := a[j*k : j*k+k]
		gwj := ws.gw[j*d : j*d+d]
		gaj := ws.ga[j*k : j*k+k]
		for c := range gwj {
			gwj[c] = 0
		}
		for o := range gaj {
			gaj[o] = 0
		}
		pj := pre[j*n : j*n+n]
		hj := h[j*n : j*n+n]
		for i := range n {
			ri := r[i*k : i*k+k]
			hv := hj[i]
			ar := 0.0
			for o, ro := range ri {
				gaj[o] += ro * hv
				ar += aj[o] * ro
			}
			s := neg
			if pj[i] > 0 {
				s = pos
			}
			ar *= s
			if ar != 0 {
				xi := x[i*d : i*d+d]
				for c := range gwj {
					gwj[c] += ar * xi[c]
				}
			}
		}
	}
	return ws.lossFac * sumsq
}

// Loss returns L(θ) with the problem's loss scaling.
func (p *Problem) Loss(th Params) (float64, error) {
	l, _, err := p.Gradient(th)
	return l, err
}

// Losses returns both scalings of the loss at θ: PyTorch's mse_loss
// (1/(n·k))Σ|r_i|² and docs/theory.md §1's (1/2n)Σ|r_i|².
func (p *Problem) Losses(th Params) (mse, half float64, err error) {
	if err := p.check(th); err != nil {
		return 0, 0, err
	}
	ws := newWorkspace(p, th.M())
	w, a := th.raw()
	ws.pass(w, a, th.B)
	return ws.sumsq / float64(p.n*p.k), ws.sumsq / float64(2*p.n), nil
}

// Gradient returns L(θ) and its gradient ∇L = (∂L/∂W, ∂L/∂A, ∂L/∂b) as new
// parameters of the same shape, with ρ'(0) = ρ₋.
func (p *Problem) Gradient(th Params) (float64, Params, error) {
	if err := p.check(th); err != nil {
		return 0, Params{}, err
	}
	ws := newWorkspace(p, th.M())
	w, a := th.raw()
	l := ws.pass(w, a, th.B)
	g := p.NewParams(th.M())
	gw, ga := g.raw()
	copy(gw, ws.gw)
	copy(ga, ws.ga)
	copy(g.B, ws.gb)
	return l, g, nil
}

// Residuals returns r_i = f_θ(x_i) − y_i, row-major n×k.
func (p *Problem) Residuals(th Params) ([]float64, error) {
	if err := p.check(th); err != nil {
		return nil, err
	}
	ws := newWorkspace(p, th.M())
	w, a := th.raw()
	ws.pass(w, a, th.B)
	return append([]float64(nil), ws.res...), nil
}

// Config is one training run.
type Config struct {
	// Width is the number of neurons m; Mu the exponent μ of β = width^μ.
	Width int
	Mu    *big.Rat
	// LR is the learning rate η; Steps the number of gradient steps.
	LR    float64
	Steps int
	// Seed seeds the initialisation.
	Seed uint64
	// Rule is the plateau rule (DefaultRule(Steps) when Window is 0).
	Rule PlateauRule
	// AngleSamples is how many times the neurons' directions are recorded
	// (d = 2 only), evenly spaced, plus step 0 and the last step; 0 means
	// 1000.
	AngleSamples int
	// Progress, when not nil, is called with the number of steps done
	// about every Steps/1000 steps and once at the end.
	Progress func(done int)
	// Stop, when not nil, is asked every 1024 steps; when it says stop
	// (a time budget ran out) the run ends at that step, with
	// Run.Stopped set.
	Stop func() bool
}

// Limits of a run, so that memory stays bounded whatever the flags: the
// loss curve keeps at most MaxCurve+1 values (every LossStride-th step),
// and at most MaxPlateaus plateaus are kept — the run ends at the next one
// (Run.Stopped says so). The plateau detector holds one window of losses.
const (
	MaxCurve    = 1 << 16
	MaxPlateaus = 32
)

// Snapshot is θ at one step, with the loss there.
type Snapshot struct {
	Step  int
	Theta Params
	Loss  float64
}

// PlateauPoints are the points kept for one plateau.
type PlateauPoints struct {
	// At is θ at the plateau's step At (where the loss is flattest).
	At Snapshot
	// First is θ at the plateau's first flat step (Start + Window).
	First Snapshot
	// End is θ at the plateau's last step, where the loss starts to leave.
	End Snapshot
}

// Run is a finished training run.
type Run struct {
	Problem *Problem
	Config  Config
	// Beta is the initialisation scale β = width^μ.
	Beta float64
	// Init and Final are θ_0 and θ at the last step (Steps, or the step
	// the run stopped at).
	Init, Final Params
	// Loss[i] = L(θ_t) at step t = LossStep(i), in the problem's loss
	// scaling: every LossStride-th step and the last one (every step when
	// Steps ≤ MaxCurve).
	Loss       []float64
	LossStride int
	// LastStep is the last step done: Config.Steps, or less when Stopped.
	LastStep int
	// Stopped, when not empty, says why the run ended before
	// Config.Steps (a time budget, too many plateaus).
	Stopped string
	// AngleSteps are the steps at which Angles and Scales were recorded.
	AngleSteps []int
	// Angles[s][j] = atan2(w_j[1], w_j[0]) at step AngleSteps[s]; only for
	// d = 2 (nil otherwise).
	Angles [][]float64
	// Scales[s][j] = sqrt(|a_j|·|w_j|), neuron j's scale (invariant under
	// the rescaling symmetry), at step AngleSteps[s].
	Scales [][]float64
	// Plateaus are the plateaus found (Config.Rule), Points their θ.
	Plateaus []Plateau
	Points   []PlateauPoints
}

// Train runs full-batch gradient descent from Init(width, μ, seed) for
// cfg.Steps steps.
func (p *Problem) Train(cfg Config) (*Run, error) {
	if cfg.Mu == nil {
		return nil, errors.New("descent: no mu")
	}
	if cfg.Steps < 0 {
		return nil, fmt.Errorf("steps %d: want at least 0", cfg.Steps)
	}
	if !(cfg.LR > 0) || math.IsInf(cfg.LR, 0) {
		return nil, fmt.Errorf("learning rate %g: want a positive number", cfg.LR)
	}
	if cfg.Rule.Window == 0 {
		cfg.Rule = DefaultRule(cfg.Steps)
	}
	det, err := NewDetector(cfg.Rule)
	if err != nil {
		return nil, err
	}
	if cfg.AngleSamples <= 0 {
		cfg.AngleSamples = 1000
	}
	th, beta, err := p.Init(cfg.Width, cfg.Mu, cfg.Seed)
	if err != nil {
		return nil, err
	}
	stride := max(1, (cfg.Steps+MaxCurve-1)/MaxCurve)
	run := &Run{Problem: p, Config: cfg, Beta: beta, Init: th.Clone(), LossStride: stride,
		Loss: make([]float64, 0, cfg.Steps/stride+2)}
	m, d, k := cfg.Width, p.d, p.k
	ws := newWorkspace(p, m)
	w, a := th.raw()
	b := th.B
	eta := cfg.LR

	// The directions are kept at most 2²¹ numbers: fewer samples for wide
	// networks.
	angleEvery := max(cfg.Steps/min(cfg.AngleSamples, max(1, (1<<21)/max(m, 1))), 1)
	progEvery := max(cfg.Steps/1000, 1)
	// candidate snapshots of the open plateau
	best, first, last := th.Clone(), th.Clone(), th.Clone()
	var bestStep, firstStep, lastStep int
	var bestLoss, firstLoss, lastLoss float64
	put := func(dst Params, src []float64, srcA []float64) {
		dw, da := dst.raw()
		copy(dw, src)
		copy(da, srcA)
		copy(dst.B, b)
	}
	keep := func(c *Plateau) {
		if c.At != bestStep || c.End != lastStep || c.Start+cfg.Rule.Window != firstStep {
			panic("descent: plateau bookkeeping out of step")
		}
		run.Points = append(run.Points, PlateauPoints{
			At:    Snapshot{bestStep, best.Clone(), bestLoss},
			First: Snapshot{firstStep, first.Clone(), firstLoss},
			End:   Snapshot{lastStep, last.Clone(), lastLoss},
		})
	}
	inPlateau := false
	for t := 0; ; t++ {
		loss := ws.pass(w, a, b)
		final := t == cfg.Steps
		if t%1024 == 0 && t > 0 && cfg.Stop != nil && cfg.Stop() {
			run.Stopped = fmt.Sprintf("the time budget ran out at step %d of %d", t, cfg.Steps)
			final = true
		}
		if t%stride == 0 || final {
			run.Loss = append(run.Loss, loss)
		}
		ev := det.Push(loss)
		if ev.Closed != nil {
			if len(run.Points) == MaxPlateaus {
				run.Stopped = fmt.Sprintf("more than %d plateaus by step %d (a smaller --flat-eps or a larger --window merges them)", MaxPlateaus, t)
				run.LastStep = t
				run.Final = th
				run.Plateaus = det.Close()[:len(run.Points)] // the plateaus kept are complete
				return run, nil
			}
			keep(ev.Closed)
			inPlateau = false
		}
		if ev.Flat {
			if !inPlateau {
				inPlateau = true
				put(first, w, a)
				firstStep, firstLoss = t, loss
			}
			put(last, w, a)
			lastStep, lastLoss = t, loss
			if ev.Best {
				put(best, w, a)
				bestStep, bestLoss = t, loss
			}
		}
		if t%angleEvery == 0 || final {
			run.AngleSteps = append(run.AngleSteps, t)
			sc := make([]float64, m)
			var an []float64
			if d == 2 {
				an = make([]float64, m)
			}
			for j := range m {
				nw, na := 0.0, 0.0
				for c := range d {
					nw += w[j*d+c] * w[j*d+c]
				}
				for o := range k {
					na += a[j*k+o] * a[j*k+o]
				}
				sc[j] = math.Sqrt(math.Sqrt(nw * na))
				if d == 2 {
					an[j] = math.Atan2(w[j*d+1], w[j*d])
				}
			}
			run.Scales = append(run.Scales, sc)
			if d == 2 {
				run.Angles = append(run.Angles, an)
			}
		}
		if cfg.Progress != nil && (t%progEvery == 0 || final) {
			cfg.Progress(t)
		}
		if final {
			run.LastStep = t
			break
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return nil, fmt.Errorf("descent: the loss diverged at step %d (learning rate %g too large?)", t, eta)
		}
		for i, g := range ws.gw {
			w[i] -= eta * g
		}
		for i, g := range ws.ga {
			a[i] -= eta * g
		}
		for i := range b {
			b[i] -= eta * ws.gb[i]
		}
	}
	run.Plateaus = det.Close()
	if len(run.Points) < len(run.Plateaus) {
		keep(&run.Plateaus[len(run.Plateaus)-1])
	}
	run.Final = th
	return run, nil
}

// LossStep returns the step of Loss[i]: i·LossStride, and LastStep for the
// last value.
func (r *Run) LossStep(i int) int {
	if i == len(r.Loss)-1 {
		return r.LastStep
	}
	return i * r.LossStride
}
