package cases_test

import (
	"fmt"

	"github.com/relucert/relucert/cases"
)

func ExampleParse() {
	c, err := cases.Parse("tiny.json", []byte(`{
	  "name": "tiny",
	  "activation": "leaky:1/10",
	  "bias": true,
	  "inputs": [["-3/5"], [0.1], ["1e-3"]],
	  "targets": [["0.28"], ["-1"], ["2"]],
	  "neurons": [{"w": ["1", "1/2"], "a": ["-2"]}],
	  "expect": {"verdict": "not-stationary"}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p := c.Point()
	fmt.Println(c.Name, c.Activation, "n =", p.N(), "d =", p.D(), "k =", p.K(), "m =", p.M())
	fmt.Println("x_1 =", p.X.Row(1), "x_2 =", p.X.Row(2), "y_0 =", p.Y.Row(0))
	fmt.Println("expect", *c.Expect.Verdict)

	_, err = cases.Parse("broken.json", []byte(`{"activation": "relu", "inputs": [["1"], ["1/0"]], "targets": [["1"], ["2"]]}`))
	fmt.Println(err)
	// Output:
	// tiny leaky:1/10 n = 3 d = 2 k = 1 m = 1
	// x_1 = [1/10, 1] x_2 = [1/1000, 1] y_0 = [7/25]
	// expect not-stationary
	// case broken.json: inputs[1][0]: "1/0": zero denominator
}
