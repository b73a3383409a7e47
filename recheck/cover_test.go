package recheck_test

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/exact/arrangement"
	"github.com/relucert/relucert/recheck"
)

// TestCoverEssentialDimension: an arrangement in Q^d whose normals span
// only r < d dimensions is covered in its essential dimension. Its cells and
// coverage certificate, computed by the search either in all d coordinates
// or in the pivot coordinates R of the normals' span (points padded with
// zeros, as Check does), must both pass the checker; with a cell removed,
// or a flat of the pivot-coordinate certificate dropped, they must not.
func TestCoverEssentialDimension(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	num := func() *big.Rat { return big.NewRat(rng.Int64N(11)-5, 1) }
	for trial := 0; trial < 60; trial++ {
		d, r, m := 3+rng.IntN(4), 1+rng.IntN(3), 1+rng.IntN(5)
		basis := make([]exact.Vec, r)
		for q := range basis {
			basis[q] = exact.NewVec(d)
			for c := range basis[q] {
				basis[q][c] = num()
			}
		}
		var hs []exact.Vec
		for len(hs) < m {
			h := exact.NewVec(d)
			for _, b := range basis {
				h.AddScaled(num(), b)
			}
			if !h.IsZero() {
				hs = append(hs, h)
			}
		}
		R, _ := exact.SpanCoordinates(hs, d, nil)
		pick := func(u exact.Vec) exact.Vec {
			out := make(exact.Vec, len(R))
			for q, c := range R {
				out[q] = u[c]
			}
			return out
		}
		lift := func(u exact.Vec) exact.Vec {
			out := exact.NewVec(d)
			for q, c := range R {
				out[c] = u[q]
			}
			return out
		}
		reduced := make([]exact.Vec, len(hs))
		for i, h := range hs {
			reduced[i] = pick(h)
		}
		for _, tc := range []struct {
			name   string
			normal []exact.Vec
			dim    int
			lift   func(exact.Vec) exact.Vec
		}{
			{"all coordinates", hs, d, func(u exact.Vec) exact.Vec { return u }},
			{"pivot coordinates", reduced, len(R), lift},
		} {
			cells, cv, err := arrangement.CellsCovered(tc.normal, tc.dim, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			cover := &recheck.Cover{Parallel: cv.Parallel}
			for _, fl := range cv.Flats {
				f := recheck.Flat{On: fl.On, Parallel: fl.Parallel}
				for _, p := range fl.Points {
					f.Points = append(f.Points, tc.lift(p))
				}
				cover.Flats = append(cover.Flats, f)
			}
			signs := make([][]int8, len(cells))
			for c, cell := range cells {
				p := tc.lift(cell.Point)
				signs[c] = make([]int8, len(hs))
				for i, h := range hs {
					signs[c][i] = int8(h.Dot(p).Sign())
					if signs[c][i] != cell.Signs[i] {
						t.Fatalf("%s: cell %d: point has sign %d on h_%d, want %d", tc.name, c, signs[c][i], i, cell.Signs[i])
					}
				}
			}
			if err := recheck.CheckCover(hs, d, signs, cover); err != nil {
				t.Fatalf("trial %d (d = %d, r = %d, m = %d), %s: genuine cover rejected: %v", trial, d, r, m, tc.name, err)
			}
			if len(signs) > 1 {
				drop := rng.IntN(len(signs))
				fewer := append(append([][]int8{}, signs[:drop]...), signs[drop+1:]...)
				if recheck.CheckCover(hs, d, fewer, cover) == nil {
					t.Fatalf("trial %d, %s: a cell removed, the cover still passes", trial, tc.name)
				}
			}
			// (A search in all d coordinates may list flats that are lines
			// of the essential arrangement, which the checker works out
			// itself; the pivot-coordinate search lists only what it needs.)
			if tc.name == "pivot coordinates" && len(cover.Flats) > 0 {
				short := *cover
				short.Flats = cover.Flats[1:]
				if recheck.CheckCover(hs, d, signs, &short) == nil {
					t.Fatalf("trial %d, %s: a flat dropped, the cover still passes", trial, tc.name)
				}
			}
		}
	}
}
