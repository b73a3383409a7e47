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
}

// Snapshot is θ at one step.
type Snapshot struct {
	Step  int
	Theta Params
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
	// Init and Final are θ_0 and θ_Steps.
	Init, Final Params
	// Loss[t] = L(θ_t) for t = 0…Steps, in the problem's loss scaling.
	Loss []float64
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
	run := &Run{Problem: p, Config: cfg, Beta: beta, Init: th.Clone(), Loss: make([]float64, cfg.Steps+1)}
	m, d, k := cfg.Width, p.d, p.k
	ws := newWorkspace(p, m)
	w, a := th.raw()
	b := th.B
	eta := cfg.LR

	angleEvery := max(cfg.Steps/cfg.AngleSamples, 1)
	progEvery := max(cfg.Steps/1000, 1)
	// candidate snapshots of the open plateau
	best, first, last := th.Clone(), th.Clone(), th.Clone()
	var bestStep, firstStep, lastStep int
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
			At:    Snapshot{bestStep, best.Clone()},
			First: Snapshot{firstStep, first.Clone()},
			End:   Snapshot{lastStep, last.Clone()},
		})
	}
	inPlateau := false
	for t := 0; ; t++ {
		loss := ws.pass(w, a, b)
		run.Loss[t] = loss
		ev := det.Push(loss)
		if ev.Closed != nil {
			keep(ev.Closed)
			inPlateau = false
		}
		if ev.Flat {
			if !inPlateau {
				inPlateau = true
				put(first, w, a)
				firstStep = t
			}
			put(last, w, a)
			lastStep = t
			if ev.Best {
				put(best, w, a)
				bestStep = t
			}
		}
		if t%angleEvery == 0 || t == cfg.Steps {
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
		if cfg.Progress != nil && (t%progEvery == 0 || t == cfg.Steps) {
			cfg.Progress(t)
		}
		if t == cfg.Steps {
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
