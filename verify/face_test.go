package verify

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestGeneratorsCrossMatchesNullspace: the integer cross-product path of
// face.generators gives exactly the generators (same primitive vectors, same
// order) and dimension of the general nullspace path, on random faces
// {h·u ≥ 0, g·u = 0} in d = 2 … 5, zero g and repeated halfspaces included;
// and every generator lies in the face.
func TestGeneratorsCrossMatchesNullspace(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	randVec := func(d int) exact.Vec {
		v := exact.NewVec(d)
		for c := range v {
			v[c].SetInt64(rng.Int64N(7) - 3)
		}
		return v
	}
	compared := 0
	for it := 0; it < 300; it++ {
		d := 2 + rng.IntN(4)
		f := face{g: randVec(d)}
		if it%10 == 0 {
			f.g = exact.NewVec(d)
		}
		for h := rng.IntN(6); h > 0; h-- {
			f.halfspaces = append(f.halfspaces, randVec(d))
		}
		if len(f.halfspaces) > 1 && it%5 == 0 {
			f.halfspaces = append(f.halfspaces, f.halfspaces[0].Scale(big.NewRat(2, 1)))
		}
		crossLines = true
		got, gotDim, gotOK := f.generators(d)
		crossLines = false
		want, wantDim, wantOK := f.generators(d)
		crossLines = true
		if gotOK != wantOK || gotDim != wantDim || len(got) != len(want) {
			t.Fatalf("face %+v: cross %v dim %d ok %v; nullspace %v dim %d ok %v", f, got, gotDim, gotOK, want, wantDim, wantOK)
		}
		for i := range got {
			if !got[i].Equal(want[i]) {
				t.Fatalf("face %+v: generator %d: cross %v, nullspace %v", f, i, got[i], want[i])
			}
			if f.g.Dot(got[i]).Sign() != 0 {
				t.Fatalf("face %+v: generator %v off g·u = 0", f, got[i])
			}
			for _, h := range f.halfspaces {
				if h.Dot(got[i]).Sign() < 0 {
					t.Fatalf("face %+v: generator %v outside h = %v", f, got[i], h)
				}
			}
		}
		compared += len(got)
	}
	if compared < 300 {
		t.Errorf("only %d generators compared", compared)
	}
}
