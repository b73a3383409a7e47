package certfile_test

import (
	"fmt"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/certfile"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

// The library's main path: load a case, classify the point (verify.Check),
// re-check its certificate independently (recheck.Recheck), save it as a
// certificate file and load it back, and check the file against the case.
//
// The case is the catalogue's nonglobal-local-min: data x ∈ {−1, 0, 1, 2}
// with a bias, y = (1, −2, 3, 1), two ReLU neurons; residuals
// r = (0, 2, −2, 1), L = (0 + 4 + 4 + 1)/8 = 9/8, stationary with no escape
// neuron (Theorem M), not global (L > 0 while four ReLU neurons can fit).
func Example() {
	c, err := cases.Parse("nonglobal-local-min.json", []byte(`{
	  "name": "nonglobal-local-min",
	  "activation": "relu",
	  "bias": true,
	  "inputs":  [["-1"], ["0"], ["1"], ["2"]],
	  "targets": [["1"], ["-2"], ["3"], ["1"]],
	  "neurons": [{"w": ["1", "0"], "a": ["1"]}, {"w": ["-1", "-1/2"], "a": ["2"]}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p := c.Point()
	v, err := verify.Check(p, verify.Options{SkipGlobal: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("verdict:", v.Kind, "escape neurons:", v.Escape, "L =", v.Loss.RatString())
	fmt.Println("recheck:", recheck.Recheck(p, v))

	file, err := certfile.Encode(c, v) // what "check --cert" writes
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := certfile.Decode("nonglobal-local-min.cert.json", file)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The hash: printf '%s' "$canonical" | sha256sum, with the canonical
	// form of certfile.Canonical written by hand.
	fmt.Println("loaded:", f.Kind, "for the case with sha256", f.CaseSHA256[:12])
	fmt.Println("file check:", certfile.Check(c, f)) // what "relucert recheck" does
	// Output:
	// verdict: local-min escape neurons: [] L = 9/8
	// recheck: <nil>
	// loaded: local-min for the case with sha256 2e02c20be068
	// file check: <nil>
}
