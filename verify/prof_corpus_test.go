package verify_test

import (
	"os"
	"testing"

	"github.com/relucert/relucert/cases"
	. "github.com/relucert/relucert/verify"
)

func TestProfCorpus(t *testing.T) {
	dir := "../testdata/corpus/"
	data, err := os.ReadFile(dir + "data/ts2-relu-32.json")
	if err != nil {
		t.Skip(err)
	}
	c, err := cases.Parse("x", data)
	if err != nil {
		t.Fatal(err)
	}
	w, err := cases.ReadWeights(dir + "weights/ts2-relu-32-end.npz")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	res, err := Snap(c.Point(), SnapOptions{MaxNeighbours: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Algebraic.Verdict.Reason)
}
