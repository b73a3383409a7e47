package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/relucert/relucert/cases"
)

// inputSynopsis is the part of check's and snap's synopsis that says
// where the point comes from.
const inputSynopsis = "(CASE.json | --data D.npz|D.csv|X.npy,Y.npy --activation A [--bias] [--targets K]) [--weights W.pt|W.npz|FIRST.npy,SECOND.npy [--layers FIRST,SECOND]] [--numbers exact|float64|float32]"

// inputFlags say where the point of check and snap comes from: a case
// file, or a data file with --activation and --bias; the neurons from the
// case or from --weights; how text numbers are read.
type inputFlags struct {
	weights, layers, data, activation, numbers *string
	bias                                       *bool
	targets                                    *int
}

func addInputFlags(fs *flag.FlagSet) *inputFlags {
	return &inputFlags{
		weights:    fs.String("weights", "", "read the neurons (and an output bias) from a torch.save state dict (.pt), an .npz file or a pair FIRST.npy,SECOND.npy"),
		layers:     fs.String("layers", "", "the weights file's arrays for the two layers: FIRST,SECOND or FIRST,SECOND,FIRST_BIAS,SECOND_BIAS ('-': none), when their names or shapes do not say it"),
		data:       fs.String("data", "", "read the data set instead of a case file: an .npz with arrays X and Y, a pair X.npy,Y.npy, or a .csv (commas) or .txt (spaces) file whose last --targets columns are the targets"),
		activation: fs.String("activation", "", "with --data: the activation (relu, leaky:1/10, abs, linear)"),
		bias:       fs.Bool("bias", false, "with --data: append a constant 1 to every input (the first layer's bias)"),
		targets:    fs.Int("targets", 1, "with --data FILE.csv or .txt: the number of target columns (the last ones)"),
		numbers:    fs.String("numbers", "exact", "how decimal text numbers (case file, CSV) are read: exact, or the nearest float64 / float32 (what the network trained on when it read them into floats)"),
	}
}

// usage checks the positional arguments and the flags that go together;
// its error is a usage error (exit 2 with the synopsis).
func (in *inputFlags) usage(fs *flag.FlagSet, pos []string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *in.data != "" {
		if len(pos) != 0 {
			return fmt.Errorf("give a case file or --data, not both (got %d arguments and --data)", len(pos))
		}
		if *in.activation == "" {
			return errors.New("--data needs --activation (relu, leaky:P/Q, abs, linear)")
		}
		if *in.targets < 1 {
			return fmt.Errorf("--targets %d: want at least 1", *in.targets)
		}
	} else {
		for _, f := range []string{"activation", "bias", "targets"} {
			if set[f] {
				return fmt.Errorf("--%s goes with --data (a case file says it itself)", f)
			}
		}
		if len(pos) != 1 {
			return fmt.Errorf("want exactly one case file (or --data), got %d arguments", len(pos))
		}
	}
	if set["layers"] && *in.weights == "" {
		return errors.New("--layers goes with --weights")
	}
	if _, err := cases.ParseNumbers(*in.numbers); err != nil {
		return fmt.Errorf("--numbers %v", err)
	}
	return nil
}

// file names the input for reports: the case file or the data file.
func (in *inputFlags) file(pos []string) string {
	if *in.data != "" {
		return *in.data
	}
	return pos[0]
}

// load reads the case (streaming, within lim) or the data set, and the
// weights. expectsError reports a case file whose expect block says it
// must be rejected.
func (in *inputFlags) load(pos []string, lim cases.Limits) (c *cases.Case, expectsError bool, err error) {
	numbers, _ := cases.ParseNumbers(*in.numbers) // checked by usage
	if *in.data != "" {
		act, err := cases.ParseActivation(*in.activation)
		if err != nil {
			return nil, false, fmt.Errorf("--activation %q: %v", *in.activation, err)
		}
		c, err = cases.DataCase(*in.data, act, *in.bias, cases.DataOptions{Targets: *in.targets, Numbers: numbers})
		if err != nil {
			return nil, false, err
		}
	} else {
		e := cases.LoadEntry(pos[0], lim)
		if e.Err != nil {
			return nil, e.ExpectsError, e.Err
		}
		c = e.Case
		if err := c.ReadNumbersAs(numbers); err != nil {
			return nil, false, err
		}
	}
	if *in.weights != "" {
		var layers *cases.Layers
		if *in.layers != "" {
			if layers, err = cases.ParseLayers(*in.layers); err != nil {
				return nil, false, fmt.Errorf("--layers %v", err)
			}
		}
		w, err := cases.ReadWeightsLayers(*in.weights, layers)
		if err != nil {
			return nil, false, err
		}
		if err := c.SetWeights(w); err != nil {
			return nil, false, err
		}
	}
	fitMemoryLimit()
	return c, false, nil
}
