package main

import (
	"flag"
	"fmt"
	"math"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/numeric/descent"
	"github.com/relucert/relucert/verify"
)

// Maxima of the training flags of train and explore (README "Limits"):
// 10⁹ steps, 65536 neurons, and the memory of the network and of one
// gradient pass bounded by width·n ≤ 2²⁴ (two float64 arrays of that size)
// and width·(d+k) ≤ 2¹⁸ (the parameters, kept at up to three points per
// plateau).
const (
	maxTrainSteps        = 1_000_000_000
	maxTrainWidth        = 1 << 16
	maxTrainWidthSamples = 1 << 24
	maxTrainWidthDims    = 1 << 18
)

// trainFlags are the flags of one gradient-descent run and of how its
// plateaus are found and certified, shared by train and explore so that
// both read, check and bound them the same way.
type trainFlags struct {
	lr      *float64
	steps   *int
	loss    *string
	window  *int
	flatEps *float64
	tol     *float64
	certAt  *string
	outBias *bool
}

// addTrainFlags defines the training flags on fs.
func addTrainFlags(fs *flag.FlagSet) *trainFlags {
	return &trainFlags{
		lr:      fs.Float64("lr", 1e-3, "learning rate η"),
		steps:   fs.Int("steps", 600000, fmt.Sprintf("number of full-batch gradient steps (of each run; at most %d)", maxTrainSteps)),
		loss:    fs.String("loss", "mse", "loss scaling of training and of the report: mse (PyTorch mse_loss, mean over n·k entries) or half ((1/2n)Σ|r|², docs/theory.md §1)"),
		window:  fs.Int("window", 0, "plateau window W in steps: step t is flat when |ln L_t − ln L_{t−W}| < flat-eps (0: steps/200, at least 10)"),
		flatEps: fs.Float64("flat-eps", 1e-3, "relative loss change allowed over a window for it to count as flat"),
		tol:     fs.Float64("tol", verify.DefaultSnapTol, "snap tolerance τ (docs/theory.md §6): samples within angle ~τ of a hyperplane go on it, |a||w| ≤ τ²·scale is tiny"),
		certAt:  fs.String("certify-at", "flat", "which point of a plateau to snap and certify: flat (where the loss is flattest), first (its first flat step) or end (its last step)"),
		outBias: fs.Bool("output-bias", false, "train f(x) = Σ a_j ρ(w_j·x) + b with a trainable output bias b (nn.Linear's default), initialised like the weights; also on when DATA.json has \"output_bias\" (its value, like its neurons, is not used)"),
	}
}

// settings checks the flags' values against their ranges and returns the
// loss scaling and the plateau rule they ask for; the error names the flag.
func (tf *trainFlags) settings() (descent.LossKind, descent.PlateauRule, error) {
	var rule descent.PlateauRule
	scaling, err := descent.ParseLossKind(*tf.loss)
	if err != nil {
		return scaling, rule, fmt.Errorf("--loss: %v", err)
	}
	switch {
	case *tf.steps < 1 || *tf.steps > maxTrainSteps:
		return scaling, rule, fmt.Errorf("--steps %d: want 1 to %d", *tf.steps, maxTrainSteps)
	case !(*tf.lr > 0) || math.IsInf(*tf.lr, 0):
		return scaling, rule, fmt.Errorf("--lr %g: want a positive number", *tf.lr)
	case *tf.window < 0 || *tf.window > *tf.steps:
		return scaling, rule, fmt.Errorf("--window %d: want 0 (the default) to --steps (%d)", *tf.window, *tf.steps)
	case !(*tf.tol > 0 && *tf.tol < 1):
		return scaling, rule, fmt.Errorf("--tol %g: want a number in (0, 1)", *tf.tol)
	case *tf.certAt != "flat" && *tf.certAt != "first" && *tf.certAt != "end":
		return scaling, rule, fmt.Errorf("--certify-at %q: want flat, first or end", *tf.certAt)
	}
	rule = descent.DefaultRule(*tf.steps)
	if *tf.window > 0 {
		rule.Window = *tf.window
	}
	rule.Eps = *tf.flatEps
	return scaling, rule, rule.Validate()
}

// checkTrainWidth refuses a width beyond training's memory maxima: width ≤
// 2¹⁶ and, for the data of c (nil: before it is read), width·n ≤ 2²⁴ and
// width·(d+k) ≤ 2¹⁸.
func checkTrainWidth(width int, c *cases.Case) error {
	if width < 1 || width > maxTrainWidth {
		return fmt.Errorf("--width %d: want 1 to %d", width, maxTrainWidth)
	}
	if c == nil {
		return nil
	}
	if n, dk := c.Inputs.Rows(), c.Inputs.Cols()+c.Targets.Cols()+1; width*n > maxTrainWidthSamples || width*dk > maxTrainWidthDims {
		return fmt.Errorf("--width %d: with n = %d samples and d + k = %d, the network needs width·n ≤ %d and width·(d+k) ≤ %d (train's memory limits)",
			width, n, dk-1, maxTrainWidthSamples, maxTrainWidthDims)
	}
	return nil
}
