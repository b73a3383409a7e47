package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/relucert/relucert/internal/atomicfile"
)

// verdictColors colour the points of an atlas plot by verdict.
var verdictColors = map[string]color.Color{
	"saddle":         color.NRGBA{R: 230, G: 120, B: 0, A: 255},
	"local-min":      color.NRGBA{R: 30, G: 60, B: 200, A: 255},
	"global-min":     color.NRGBA{R: 20, G: 150, B: 50, A: 255},
	"not-stationary": color.NRGBA{R: 200, G: 30, B: 30, A: 255},
	"undetermined":   color.NRGBA{R: 120, G: 120, B: 120, A: 255},
}

// verdictOrder is the legend's order.
var verdictOrder = []string{"saddle", "local-min", "global-min", "not-stationary", "undetermined"}

// muColor returns the i-th of n colours for the loss curves of one μ.
func muColor(i, n int) color.Color {
	palette := []color.NRGBA{{R: 31, G: 119, B: 180}, {R: 255, G: 127, B: 14}, {R: 44, G: 160, B: 44}, {R: 214, G: 39, B: 40},
		{R: 148, G: 103, B: 189}, {R: 140, G: 86, B: 75}, {R: 227, G: 119, B: 194}, {R: 127, G: 127, B: 127}}
	c := palette[i%len(palette)]
	c.A = 110
	return c
}

// plotAtlas draws the atlas as a PNG at path: above, every distinct point
// at (runs that reach it, its loss), coloured by verdict and labelled with
// its id; below, every run's loss curve on a log scale, coloured by μ.
func plotAtlas(doc *jsonAtlas, path string) error {
	half := doc.Config.LossScaling == "half"
	lossName := "mse_loss"
	if half {
		lossName = "(1/2n)Σ|r|²"
	}
	top := plot.New()
	top.Title.Text = fmt.Sprintf("atlas of %s: %d distinct certified points in %d runs (widths %s; μ %v)", doc.Config.Data,
		doc.Summary.Points, doc.Summary.Runs, joinInts(doc.Config.Widths), doc.Config.Mu)
	top.X.Label.Text = "runs that reach the point"
	top.Y.Label.Text = "exact loss (" + lossName + ")"
	top.Legend.Top = true
	top.Legend.Left = true
	byVerdict := map[string]plotter.XYs{}
	var labels plotter.XYLabels
	maxRuns, maxLoss := 1.0, 0.0
	for _, p := range doc.Points {
		yp := p.MSELossApprox
		if half {
			yp = p.LossApprox
		}
		if yp == nil {
			continue // beyond float64: not drawn
		}
		y := *yp
		xy := plotter.XY{X: float64(p.Runs), Y: y}
		byVerdict[p.Verdict] = append(byVerdict[p.Verdict], xy)
		labels.XYs = append(labels.XYs, xy)
		labels.Labels = append(labels.Labels, " "+strconv.Itoa(p.ID))
		maxRuns = math.Max(maxRuns, float64(p.Runs))
		maxLoss = math.Max(maxLoss, y)
	}
	for _, v := range verdictOrder {
		xy := byVerdict[v]
		if len(xy) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color = verdictColors[v]
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Radius = vg.Points(4)
		top.Add(sc)
		top.Legend.Add(v, sc)
	}
	if len(labels.Labels) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(9)
		}
		top.Add(l)
	}
	top.X.Min, top.X.Max = 0, maxRuns*1.1+0.5
	top.X.Tick.Marker = integerTicks{}
	if maxLoss > 0 {
		top.Y.Min, top.Y.Max = 0, maxLoss*1.25 // room for the legend
	}

	bottom := plot.New()
	bottom.Title.Text = "loss curves of the runs"
	bottom.X.Label.Text = "step"
	bottom.Y.Label.Text = "loss (" + lossName + ")"
	bottom.Y.Scale = plot.LogScale{}
	bottom.Y.Tick.Marker = plot.DefaultTicks{}
	bottom.Legend.Top = true
	muIndex := map[string]int{}
	for i, mu := range doc.Config.Mu {
		muIndex[mu] = i
	}
	legend := map[string]bool{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range doc.Runs {
		var xy plotter.XYs
		for i, s := range r.Curve.Steps {
			if l := r.Curve.Loss[i]; l > 0 {
				xy = append(xy, plotter.XY{X: float64(s), Y: l})
				lo, hi = math.Min(lo, l), math.Max(hi, l)
			}
		}
		if len(xy) < 2 {
			continue
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		line.Color = muColor(muIndex[r.Mu], len(doc.Config.Mu))
		line.Width = vg.Points(0.8)
		bottom.Add(line)
		if !legend[r.Mu] {
			legend[r.Mu] = true
			bottom.Legend.Add("μ = "+r.Mu, line)
		}
	}
	if lo < hi {
		bottom.Y.Min, bottom.Y.Max = lo, hi*math.Pow(hi/lo, 0.15)
		if hi/lo >= 10 {
			bottom.Y.Tick.Marker = decadeTicks{}
		}
	}
	bottom.X.Min, bottom.X.Max = 0, float64(doc.Config.Steps)

	img := vgimg.New(9*vg.Inch, 9*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: 6 * vg.Millimeter, PadTop: 2 * vg.Millimeter,
		PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter}
	plots := [][]*plot.Plot{{top}, {bottom}}
	cs := plot.Align(plots, tiles, dc)
	top.Draw(cs[0][0])
	bottom.Draw(cs[1][0])
	return atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w)
		return err
	})
}

// integerTicks marks the integers of an axis (about ten of them).
type integerTicks struct{}

// Ticks returns ticks at multiples of a step 1, 2, 5, 10, … between min
// and max.
func (integerTicks) Ticks(min, max float64) []plot.Tick {
	step := 1.0
	for (max-min)/step > 10 {
		switch {
		case math.Log10(step) == math.Floor(math.Log10(step)):
			step *= 2
		case math.Log10(step/2) == math.Floor(math.Log10(step/2)):
			step = step / 2 * 5
		default:
			step *= 2
		}
	}
	var ts []plot.Tick
	for x := math.Ceil(min/step) * step; x <= max; x += step {
		ts = append(ts, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'f', 0, 64)})
	}
	return ts
}

// decadeTicks marks the powers of ten of a log axis, labelled 1e-05 etc.,
// with unlabelled minor ticks at 2…9 times them.
type decadeTicks struct{}

// Ticks returns the ticks between min and max (both > 0).
func (decadeTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for e := int(math.Floor(math.Log10(min))); e <= int(math.Ceil(math.Log10(max))); e++ {
		p := math.Pow10(e)
		for m := 1; m <= 9; m++ {
			v := float64(m) * p
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 {
				t.Label = strconv.FormatFloat(p, 'g', -1, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}
