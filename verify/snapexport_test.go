package verify

import "github.com/relucert/relucert/exact"

// OptionsWithStop returns opt whose pollers ask stop instead of the
// deadline's clock: a deterministic work budget for the external tests.
func OptionsWithStop(opt Options, stop exact.Stop) Options {
	opt.stop = stop
	return opt
}
