package arrangement

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestIndependentCells: for q linearly independent normals in Q^d every
// one of the 2^q sign vectors is a cell, listed in lexicographic order with
// an interior point checked by substitution; well-conditioned normals get
// points of about 30 bits per entry, and nearly dependent ones (where the
// rounded inverse is not diagonally dominant) still get correct points from
// the adjugate. Dependent or zero normals are left to the enumeration.
func TestIndependentCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for trial := 0; trial < 200; trial++ {
		d := 1 + rng.IntN(6)
		q := 1 + rng.IntN(d)
		var normals []exact.Vec
		for i := 0; i < q; i++ {
			h := exact.NewVec(d)
			for c := range h {
				h[c] = new(big.Rat).SetFloat64(rng.NormFloat64() * float64(int64(1)<<rng.IntN(30)))
			}
			if trial%4 == 3 && i > 0 {
				// Nearly parallel to the previous normal.
				h = normals[i-1].Clone()
				h[rng.IntN(d)].Add(h[rng.IntN(d)], big.NewRat(1, 1<<50))
			}
			normals = append(normals, h)
		}
		cells, ok, err := independentCells(normals, d, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			if exact.Rank(exact.Mat(normals)) == q {
				t.Fatalf("trial %d: independent normals not taken", trial)
			}
			continue
		}
		if len(cells) != 1<<q {
			t.Fatalf("trial %d: %d cells, want %d", trial, len(cells), 1<<q)
		}
		for c, cell := range cells {
			if !cell.Check(normals) {
				t.Fatalf("trial %d: cell %d %v: point %v not interior", trial, c, cell.Signs, cell.Point)
			}
			if c > 0 && slices.Compare(cells[c-1].Signs, cell.Signs) >= 0 {
				t.Fatalf("trial %d: cells %d, %d out of order", trial, c-1, c)
			}
			if trial%4 != 3 {
				for _, x := range cell.Point {
					if x.Num().BitLen() > 40 {
						t.Fatalf("trial %d: point entry %v has %d bits", trial, x, x.Num().BitLen())
					}
				}
			}
		}
	}
	// Dependent normals and zero normals are not this function's.
	dep := []exact.Vec{exact.VecOf(1, 2, 3), exact.VecOf(2, 4, 6)}
	if _, ok, _ := independentCells(dep, 3, 0, nil); ok {
		t.Error("parallel normals taken")
	}
	zero := []exact.Vec{exact.VecOf(1, 0), exact.VecOf(0, 0)}
	if _, ok, _ := independentCells(zero, 2, 0, nil); ok {
		t.Error("zero normal taken")
	}
	if _, ok, err := independentCells([]exact.Vec{exact.VecOf(1, 0), exact.VecOf(0, 1)}, 2, 3, nil); !ok || err == nil {
		t.Error("4 cells with a budget of 3: want exact.ErrBudget")
	}
}
