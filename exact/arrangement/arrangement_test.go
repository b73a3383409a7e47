package arrangement

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/exact/lp"
)

// binom returns C(n, k) (0 when k < 0 or k > n).
func binom(n, k int) int {
	if k < 0 || k > n {
		return 0
	}
	r := 1
	for i := 0; i < k; i++ {
		r = r * (n - i) / (i + 1)
	}
	return r
}

// genericCount is the number of cells of m ≥ 1 central hyperplanes in
// general position in R^d: 2·Σ_{i<d} C(m−1, i).
func genericCount(m, d int) int {
	s := 0
	for i := 0; i < d; i++ {
		s += binom(m-1, i)
	}
	return 2 * s
}

// inGeneralPosition reports whether every min(d, m) of the normals are
// linearly independent.
func inGeneralPosition(normals []exact.Vec, d int) bool {
	k := min(d, len(normals))
	var rec func(start int, picked exact.Mat) bool
	rec = func(start int, picked exact.Mat) bool {
		if len(picked) == k {
			return exact.Rank(picked) == k
		}
		for i := start; i < len(normals); i++ {
			if !rec(i+1, append(picked, normals[i])) {
				return false
			}
		}
		return true
	}
	return rec(0, nil)
}

func randIntVec(rng *rand.Rand, d, r int) exact.Vec {
	v := make(exact.Vec, d)
	for i := range v {
		v[i] = big.NewRat(rng.Int64N(int64(2*r+1))-int64(r), 1)
	}
	return v
}

// checkCells verifies every cell's interior point, that the sign vectors are
// distinct and sorted.
func checkCells(t *testing.T, normals []exact.Vec, cells []Cell) {
	t.Helper()
	seen := map[string]bool{}
	for ci, c := range cells {
		if !c.Check(normals) {
			t.Fatalf("cell %d: point %v does not realise signs %v", ci, c.Point, c.Signs)
		}
		key := fmt.Sprint(c.Signs)
		if seen[key] {
			t.Fatalf("sign vector %v repeated", c.Signs)
		}
		seen[key] = true
		if ci > 0 {
			a, b := cells[ci-1].Signs, c.Signs
			for i := range a {
				if a[i] != b[i] {
					if a[i] > b[i] {
						t.Fatalf("cells not sorted: %v before %v", a, b)
					}
					break
				}
			}
		}
	}
}

// bruteSigns returns the number of sign vectors s ∈ {±1}^m (m small, no
// zero normals) realised by some u with s_i h_i·u ≥ 1, decided one LP each.
func bruteSigns(t *testing.T, normals []exact.Vec, d int) int {
	m := len(normals)
	count := 0
	for mask := 0; mask < 1<<m; mask++ {
		p := lp.Program{N: d}
		for i, h := range normals {
			a := h.Clone()
			if mask&(1<<i) == 0 {
				a = h.Neg()
			}
			p.Cons = append(p.Cons, lp.Constraint{A: a, Sense: lp.GE, B: big.NewRat(1, 1)})
		}
		st, _, _, err := p.Solve()
		if err != nil {
			t.Fatal(err)
		}
		if st == lp.Optimal {
			count++
		}
	}
	return count
}

func TestCellsGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 19))
	for _, d := range []int{2, 3, 4} {
		for _, m := range []int{1, 2, 3, 5, 7, 9} {
			for rep := 0; rep < 3; rep++ {
				var normals []exact.Vec
				for {
					normals = normals[:0]
					for i := 0; i < m; i++ {
						normals = append(normals, randIntVec(rng, d, 5))
					}
					if inGeneralPosition(normals, d) {
						break
					}
				}
				cells, err := Cells(normals, d, 0)
				if err != nil {
					t.Fatal(err)
				}
				checkCells(t, normals, cells)
				if want := genericCount(m, d); len(cells) != want {
					t.Fatalf("d=%d m=%d: %d cells, want %d\n%v", d, m, len(cells), want, normals)
				}
			}
		}
	}
}

// TestCellsBruteForce compares the cell count with all 2^m sign vectors
// decided by LP, on random (often degenerate) small arrangements with
// rational normals.
func TestCellsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 29))
	for it := 0; it < 120; it++ {
		d := rng.IntN(4) + 1
		m := rng.IntN(7) + 1
		var normals []exact.Vec
		for len(normals) < m {
			h := randIntVec(rng, d, 2)
			if h.IsZero() {
				continue
			}
			if rng.IntN(2) == 0 { // a rational multiple, to exercise denominators
				c := big.NewRat(rng.Int64N(7)-3, rng.Int64N(5)+1)
				if c.Sign() != 0 {
					h = h.Scale(c)
				}
			}
			normals = append(normals, h)
		}
		cells, err := Cells(normals, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		checkCells(t, normals, cells)
		if want := bruteSigns(t, normals, d); len(cells) != want {
			t.Fatalf("d=%d: %d cells, brute force %d\n%v", d, len(cells), want, normals)
		}
	}
}

func TestCellsKnown(t *testing.T) {
	v := func(xs ...int64) exact.Vec { return exact.VecOf(xs...) }
	braid4 := []exact.Vec{}
	for i := 0; i < 4; i++ {
		for j := i + 1; j < 4; j++ {
			h := exact.NewVec(4)
			h[i].SetInt64(1)
			h[j].SetInt64(-1)
			braid4 = append(braid4, h)
		}
	}
	tests := []struct {
		name    string
		normals []exact.Vec
		d       int
		want    int
	}{
		{"no normals d=3", nil, 3, 1},
		{"zero normals", []exact.Vec{v(0, 0), v(0, 0)}, 2, 1},
		{"d=1 one", []exact.Vec{v(3)}, 1, 2},
		{"d=1 many", []exact.Vec{v(3), v(-1), v(0), v(2)}, 1, 2},
		{"repeated", []exact.Vec{v(1, 2), v(1, 2), v(1, 2)}, 2, 2},
		{"negated and scaled", []exact.Vec{v(1, 2), v(-2, -4), v(3, 1), v(-3, -1), v(0, 0)}, 2, 4},
		// Coordinate hyperplanes of Q^3: the 8 open orthants.
		{"orthants", []exact.Vec{v(1, 0, 0), v(0, 1, 0), v(0, 0, 1)}, 3, 8},
		// Braid arrangement x_i = x_j in Q^4: one cell per ordering, 4! = 24.
		{"braid A3", braid4, 4, 24},
		// Braid arrangement in Q^3: 3! = 6.
		{"braid A2", []exact.Vec{v(1, -1, 0), v(1, 0, -1), v(0, 1, -1)}, 3, 6},
		// Normals in the plane z = 0 with m' = 3 distinct directions: the
		// arrangement is 3 lines through 0 in the (x, y)-plane times the z-axis,
		// 2m' = 6 cells.
		{"lower-dim", []exact.Vec{v(1, 0, 0), v(0, 1, 0), v(1, 1, 0), v(2, 2, 0), v(-1, 0, 0)}, 3, 6},
		// Adding z = 0 to that cuts each of the 6 cells in two.
		{"lower-dim plus z", []exact.Vec{v(1, 0, 0), v(0, 1, 0), v(1, 1, 0), v(0, 0, 1)}, 3, 12},
		// Four planes through a common line (the z-axis) in Q^3 are 4 lines in
		// the plane: 8 cells.
		{"pencil", []exact.Vec{v(1, 0, 0), v(0, 1, 0), v(1, 1, 0), v(1, -1, 0)}, 3, 8},
		// The same pencil with z = 0 added: each of the 8 cells splits, 16.
		{"pencil plus z", []exact.Vec{v(1, 0, 0), v(0, 1, 0), v(1, 1, 0), v(1, -1, 0), v(0, 0, 5)}, 3, 16},
		// All normals in a line of Q^4: two half-spaces.
		{"rank one d=4", []exact.Vec{v(1, 2, 0, -1), v(-2, -4, 0, 2), v(0, 0, 0, 0)}, 4, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cells, err := Cells(tc.normals, tc.d, 0)
			if err != nil {
				t.Fatal(err)
			}
			checkCells(t, tc.normals, cells)
			if len(cells) != tc.want {
				t.Fatalf("%d cells, want %d", len(cells), tc.want)
			}
			for _, c := range cells {
				if len(c.Point) != tc.d || len(c.Signs) != len(tc.normals) {
					t.Fatalf("bad shape %v", c)
				}
			}
		})
	}
}

func TestCellsNoNormalPoint(t *testing.T) {
	cells, err := Cells([]exact.Vec{exact.VecOf(0, 0, 0)}, 3, 0)
	if err != nil || len(cells) != 1 || !cells[0].Point.IsZero() || cells[0].Signs[0] != 0 {
		t.Fatalf("got %v, %v", cells, err)
	}
}

func TestCellsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 37))
	var normals []exact.Vec
	for i := 0; i < 8; i++ {
		normals = append(normals, randIntVec(rng, 3, 3))
	}
	a, err1 := Cells(normals, 3, 0)
	b, err2 := Cells(normals, 3, 0)
	if err1 != nil || err2 != nil || len(a) != len(b) {
		t.Fatalf("%v %v", err1, err2)
	}
	for i := range a {
		if fmt.Sprint(a[i].Signs) != fmt.Sprint(b[i].Signs) || !a[i].Point.Equal(b[i].Point) {
			t.Fatalf("cell %d differs between runs", i)
		}
	}
}

func TestCellsBudgetAndErrors(t *testing.T) {
	normals := []exact.Vec{exact.VecOf(1, 0), exact.VecOf(0, 1), exact.VecOf(1, 1)}
	if _, err := Cells(normals, 2, 5); !errors.Is(err, exact.ErrBudget) {
		t.Errorf("maxCells 5 for 6 cells: err = %v", err)
	}
	if cells, err := Cells(normals, 2, 6); err != nil || len(cells) != 6 {
		t.Errorf("maxCells 6: %d cells, %v", len(cells), err)
	}
	if _, err := Cells(normals, 3, 0); err == nil {
		t.Errorf("wrong dimension accepted")
	}
	if _, err := Cells(nil, 0, 0); err == nil {
		t.Errorf("d = 0 accepted")
	}
	if _, err := Cells([]exact.Vec{{nil, nil}}, 2, 0); err == nil {
		t.Errorf("nil entry accepted")
	}
}

// TestCellsWithinStop: a stop function that answers true ends the
// enumeration with exact.ErrBudget after that many hyperplanes; one that never
// does gives exactly the cells of Cells.
func TestCellsWithinStop(t *testing.T) {
	normals := []exact.Vec{exact.VecOf(1, 0, 0), exact.VecOf(0, 1, 0), exact.VecOf(0, 0, 1), exact.VecOf(1, 1, 1), exact.VecOf(1, -2, 3)}
	asked := 0
	_, err := CellsWithin(normals, 3, 0, func() bool { asked++; return asked >= 3 })
	if !errors.Is(err, exact.ErrBudget) || asked != 3 {
		t.Errorf("stop after 3 questions: err = %v after %d", err, asked)
	}
	want, err := Cells(normals, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := CellsWithin(normals, 3, 0, func() bool { return false })
	if err != nil || len(got) != len(want) {
		t.Fatalf("never stop: %d cells (%v), want %d", len(got), err, len(want))
	}
	for i := range got {
		if fmt.Sprint(got[i].Signs) != fmt.Sprint(want[i].Signs) || !got[i].Point.Equal(want[i].Point) {
			t.Errorf("cell %d differs from Cells", i)
		}
	}
}

func TestCellCheckRejects(t *testing.T) {
	normals := []exact.Vec{exact.VecOf(1, 0), exact.VecOf(0, 0)}
	good := Cell{Signs: []int8{1, 0}, Point: exact.VecOf(2, 5)}
	if !good.Check(normals) {
		t.Fatalf("good cell rejected")
	}
	bad := []Cell{
		{Signs: []int8{-1, 0}, Point: exact.VecOf(2, 5)}, // wrong sign
		{Signs: []int8{0, 0}, Point: exact.VecOf(0, 5)},  // on the hyperplane
		{Signs: []int8{1, 1}, Point: exact.VecOf(2, 5)},  // sign for a zero normal
		{Signs: []int8{1}, Point: exact.VecOf(2, 5)},     // too few signs
		{Signs: []int8{1, 0}, Point: exact.VecOf(2)},     // wrong dimension
	}
	for i, c := range bad {
		if c.Check(normals) {
			t.Errorf("bad cell %d accepted", i)
		}
	}
}
