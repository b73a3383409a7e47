package network

import (
	"math/big"
	"testing"

	"github.com/relucert/relucert/exact"
)

func TestPackWeights(t *testing.T) {
	r := func(s string) *big.Rat {
		x, _ := new(big.Rat).SetString(s)
		return x
	}
	w0, a0 := exact.Vec{r("1/3"), r("-2"), r("0")}, exact.Vec{r("5/7")}
	w1, a1 := exact.Vec{r("0.25"), r("340282366920938463463374607431768211457"), r("-1/18446744073709551617")}, exact.Vec{r("-9")}
	b := exact.Vec{r("-3/2")}
	p := &Point{Neurons: []Neuron{{W: w0, A: a0}, {W: w1, A: a1}}, OutputBias: b}
	old := []*big.Rat{w0[0], w1[1], a1[0], b[0]}
	p.PackWeights()
	want := [][]string{{"1/3", "-2", "0"}, {"5/7"}, {"1/4", "340282366920938463463374607431768211457", "-1/18446744073709551617"}, {"-9"}, {"-3/2"}}
	got := []exact.Vec{p.Neurons[0].W, p.Neurons[0].A, p.Neurons[1].W, p.Neurons[1].A, p.OutputBias}
	for i, v := range got {
		for j, x := range v {
			if x.Cmp(r(want[i][j])) != 0 {
				t.Errorf("vector %d entry %d = %v, want %s", i, j, x, want[i][j])
			}
		}
	}
	// Every number is new (the vectors share their arrays with p), and
	// the old ones keep their values.
	for i, x := range []*big.Rat{p.Neurons[0].W[0], p.Neurons[1].W[1], p.Neurons[1].A[0], p.OutputBias[0]} {
		if x == old[i] {
			t.Errorf("number %d not moved", i)
		}
	}
	if old[1].Cmp(r("340282366920938463463374607431768211457")) != 0 || old[3].Cmp(r("-3/2")) != 0 {
		t.Errorf("old numbers changed: %v, %v", old[1], old[3])
	}
}
