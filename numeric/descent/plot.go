package descent

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/relucert/relucert/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var (
	shade     = color.NRGBA{R: 255, G: 200, B: 80, A: 70}
	posColor  = color.NRGBA{R: 200, G: 30, B: 30, A: 255}
	negColor  = color.NRGBA{R: 30, G: 60, B: 200, A: 255}
	deadColor = color.NRGBA{R: 150, G: 150, B: 150, A: 160}
)

// Plot draws the run as a PNG at path (the paper's Figure 3 layout): the
// loss curve on a log scale with every plateau shaded, its point At marked
// and labelled "P<i>: <labels[i]>" (labels may be shorter than the plateau
// list), and, when d = 2, a second panel below with the angle
// atan2(w_j[1], w_j[0]) of every neuron's input weight over time — red for
// a final output weight a_j > 0, blue for a_j < 0, grey for neurons dead or
// tiny at the end (Classify with τ = 1e-3) — with dashed lines at the
// directions orthogonal to a training input (where a neuron's hyperplane
// passes through that sample).
func Plot(run *Run, labels []string, path string) error {
	lp, err := lossPlot(run, labels)
	if err != nil {
		return err
	}
	if run.Angles == nil {
		wt, err := lp.WriterTo(9*vg.Inch, 4.5*vg.Inch, "png")
		if err != nil {
			return err
		}
		return atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
			_, err := wt.WriteTo(w)
			return err
		})
	}
	ap, err := anglePlot(run)
	if err != nil {
		return err
	}
	img := vgimg.New(9*vg.Inch, 8*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: 4 * vg.Millimeter, PadTop: 2 * vg.Millimeter,
		PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter}
	plots := [][]*plot.Plot{{lp}, {ap}}
	cs := plot.Align(plots, tiles, dc)
	lp.Draw(cs[0][0])
	ap.Draw(cs[1][0])
	return atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w)
		return err
	})
}

// bands adds a shaded band per plateau spanning [lo, hi] in y.
func bands(p *plot.Plot, run *Run, lo, hi float64) error {
	for _, pl := range run.Plateaus {
		poly, err := plotter.NewPolygon(plotter.XYs{
			{X: float64(pl.Start), Y: lo}, {X: float64(pl.End), Y: lo},
			{X: float64(pl.End), Y: hi}, {X: float64(pl.Start), Y: hi},
		})
		if err != nil {
			return err
		}
		poly.Color = shade
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
	return nil
}

func lossPlot(run *Run, labels []string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("loss (%s) — width %d, μ = %s, η = %g, seed %d", lossName(run.Problem.Scaling),
		run.Config.Width, run.Config.Mu.RatString(), run.Config.LR, run.Config.Seed)
	p.X.Label.Text = "step"
	p.Y.Label.Text = "loss"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.DefaultTicks{}
	stride := max(len(run.Loss)/4000, 1)
	var xy plotter.XYs
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < len(run.Loss); i++ {
		if i%stride != 0 && i != len(run.Loss)-1 {
			continue
		}
		l := run.Loss[i]
		if !(l > 0) || math.IsInf(l, 0) {
			continue
		}
		xy = append(xy, plotter.XY{X: float64(run.LossStep(i)), Y: l})
		lo, hi = math.Min(lo, l), math.Max(hi, l)
	}
	if len(xy) == 0 {
		return nil, fmt.Errorf("plot: no positive finite loss to draw on a log scale")
	}
	if lo == hi {
		lo, hi = lo/1.01, hi*1.01
	}
	top := hi * math.Pow(hi/lo, 0.2) // room for the labels
	if err := bands(p, run, lo, top); err != nil {
		return nil, err
	}
	line, err := plotter.NewLine(xy)
	if err != nil {
		return nil, err
	}
	line.Width = vg.Points(1.2)
	p.Add(line)
	var at plotter.XYs
	var lab plotter.XYLabels
	for i, pl := range run.Plateaus {
		if pl.Loss > 0 {
			at = append(at, plotter.XY{X: float64(pl.At), Y: pl.Loss})
		}
		text := fmt.Sprintf("P%d", i+1)
		if i < len(labels) && labels[i] != "" {
			text += ": " + labels[i]
		}
		// three rows of labels, so that neighbouring plateaus do not overlap
		lab.XYs = append(lab.XYs, plotter.XY{X: float64(pl.Start), Y: hi * math.Pow(hi/lo, 0.02+0.06*float64(i%3))})
		lab.Labels = append(lab.Labels, text)
	}
	if len(at) > 0 {
		sc, err := plotter.NewScatter(at)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Radius = vg.Points(3)
		p.Add(sc)
	}
	if len(lab.Labels) > 0 {
		l, err := plotter.NewLabels(lab)
		if err != nil {
			return nil, err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(9)
		}
		p.Add(l)
	}
	p.Y.Min, p.Y.Max = lo, top
	p.X.Min, p.X.Max = 0, float64(run.LastStep)
	return p, nil
}

func lossName(l LossKind) string {
	if l == HalfN {
		return "(1/2n)Σ|r|²"
	}
	return "mse_loss"
}

func anglePlot(run *Run) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "direction of w_j: atan2(w_j2, w_j1)"
	p.X.Label.Text = "step"
	p.Y.Label.Text = "angle (rad)"
	p.Y.Min, p.Y.Max = -math.Pi, math.Pi
	p.X.Min, p.X.Max = 0, float64(run.LastStep)
	if err := bands(p, run, -math.Pi, math.Pi); err != nil {
		return nil, err
	}
	pr := run.Problem
	// directions orthogonal to a training input
	for i := range pr.n {
		x0, x1 := pr.x[2*i], pr.x[2*i+1]
		if x0 == 0 && x1 == 0 {
			continue
		}
		for _, s := range []float64{1, -1} {
			phi := wrap(math.Atan2(x1, x0) + s*math.Pi/2)
			l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: phi}, {X: p.X.Max, Y: phi}})
			if err != nil {
				return nil, err
			}
			l.Color = color.Gray{Y: 120}
			l.Width = vg.Points(0.5)
			l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
			p.Add(l)
		}
	}
	kinds := pr.Classify(run.Final, 1e-3)
	m := run.Config.Width
	groups := map[color.Color]plotter.XYs{}
	order := []color.Color{deadColor, negColor, posColor}
	for j := range m {
		c := posColor
		switch {
		case kinds[j] == DeadKind || kinds[j] == Tiny:
			c = deadColor
		case run.Final.A.At(j, 0) < 0:
			c = negColor
		}
		for s, step := range run.AngleSteps {
			groups[c] = append(groups[c], plotter.XY{X: float64(step), Y: run.Angles[s][j]})
		}
	}
	for _, c := range order {
		xy := groups[c]
		if len(xy) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Color = c
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Radius = vg.Points(0.8)
		p.Add(sc)
	}
	return p, nil
}
