package exact

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestRankKnown(t *testing.T) {
	tests := []struct {
		name string
		m    Mat
		rank int
	}{
		{"empty", nil, 0},
		{"zero 2x3", NewMat(2, 3), 0},
		{"identity 3", matOf([]int64{1, 0, 0}, []int64{0, 1, 0}, []int64{0, 0, 1}), 3},
		{"repeated row", matOf([]int64{1, 2, 3}, []int64{2, 4, 6}), 1},
		{"sum row", matOf([]int64{1, 2, 3}, []int64{0, 1, 1}, []int64{1, 3, 4}), 2},
		{"wide", matOf([]int64{1, 0, 2, 0}, []int64{0, 0, 0, 5}), 2},
		{"tall", matOf([]int64{1, 1}, []int64{1, -1}, []int64{2, 0}, []int64{0, 3}), 2},
		{"vandermonde 3", matOf([]int64{1, 1, 1}, []int64{1, 2, 4}, []int64{1, 3, 9}), 3},
		{"zero column first", matOf([]int64{0, 1, 2}, []int64{0, 2, 4}, []int64{0, 0, 1}), 2},
		{"rational", Mat{{fracOf(1, 2), fracOf(1, 3)}, {fracOf(3, 2), fracOf(1, 1)}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.m.Clone()
			if got := Rank(tc.m); got != tc.rank {
				t.Errorf("Rank = %d, want %d", got, tc.rank)
			}
			for i := range before {
				if !before[i].Equal(tc.m[i]) {
					t.Fatalf("Rank modified its input")
				}
			}
		})
	}
}

func TestRowEchelonKnown(t *testing.T) {
	m := matOf([]int64{0, 2, 4, 2}, []int64{1, 1, 1, 1}, []int64{1, 2, 3, 2})
	// Row 3 = row 2 + row 1/2, so rank 2. By hand:
	//   [1 0 -1 0]
	//   [0 1  2 1]
	//   [0 0  0 0]
	want := matOf([]int64{1, 0, -1, 0}, []int64{0, 1, 2, 1}, []int64{0, 0, 0, 0})
	r, piv := RowEchelon(m)
	if len(piv) != 2 || piv[0] != 0 || piv[1] != 1 {
		t.Fatalf("pivots = %v, want [0 1]", piv)
	}
	for i := range want {
		if !r[i].Equal(want[i]) {
			t.Errorf("row %d = %v, want %v", i, r[i], want[i])
		}
	}
	if m[0][0].Sign() != 0 {
		t.Errorf("RowEchelon modified its input")
	}
}

func TestNullspaceNoRows(t *testing.T) {
	b := Nullspace(nil, 3)
	if len(b) != 3 {
		t.Fatalf("nullspace of 0x3 has %d vectors, want 3", len(b))
	}
	if Rank(Mat(b)) != 3 {
		t.Errorf("basis not independent")
	}
	if Nullspace(matOf([]int64{1, 0}, []int64{0, 1}), 2) != nil {
		t.Errorf("nullspace of identity not empty")
	}
}

func TestElimRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 400; it++ {
		r, c := rng.IntN(5), rng.IntN(6)+1
		m := randMat(rng, r, c, 3+rng.IntN(5))
		// Sometimes force dependent rows.
		if r >= 2 && rng.IntN(2) == 0 {
			m[r-1] = m[0].Scale(randRat(rng, 0)).Add(m[1].Scale(randRat(rng, 0)))
		}
		rank := Rank(m)
		null := Nullspace(m, c)
		if rank+len(null) != c {
			t.Fatalf("rank %d + nullity %d != cols %d for %v", rank, len(null), c, m)
		}
		if rank > r || rank > c {
			t.Fatalf("rank %d too large for %dx%d", rank, r, c)
		}
		for _, v := range null {
			for i, row := range m {
				if row.Dot(v).Sign() != 0 {
					t.Fatalf("row %d · null vector %v ≠ 0 in %v", i, v, m)
				}
			}
		}
		if len(null) > 0 && Rank(Mat(null)) != len(null) {
			t.Fatalf("nullspace basis dependent")
		}
		// Rank via the transpose agrees (row rank = column rank).
		if r > 0 && Rank(m.T()) != rank {
			t.Fatalf("rank(mᵀ) ≠ rank(m) for %v", m)
		}
		// A consistent right-hand side b = m x0 has a solution.
		x0 := randVec(rng, c, 2)
		b := m.MulVec(x0)
		x, ok := SolveLinear(m, b, c)
		if !ok {
			t.Fatalf("SolveLinear says inconsistent for b = m x0")
		}
		if !m.MulVec(x).Equal(b) {
			t.Fatalf("m x ≠ b")
		}
		// A right-hand side outside the column space is inconsistent: with
		// rank < rows, perturb b along a left-null vector.
		if rank < r {
			left := Nullspace(m.T(), r)
			bad := b.Add(left[0])
			if _, ok := SolveLinear(m, bad, c); ok {
				t.Fatalf("SolveLinear accepted an inconsistent system")
			}
		}
	}
}

func TestSolveLinearKnown(t *testing.T) {
	// x + y = 3, x − y = 1 → (2, 1).
	m := matOf([]int64{1, 1}, []int64{1, -1})
	x, ok := SolveLinear(m, VecOf(3, 1), 2)
	if !ok || !x.Equal(VecOf(2, 1)) {
		t.Fatalf("got %v %v, want [2 1]", x, ok)
	}
	// 2x = 1 → 1/2.
	x, ok = SolveLinear(matOf([]int64{2}), VecOf(1), 1)
	if !ok || x[0].Cmp(big.NewRat(1, 2)) != 0 {
		t.Fatalf("got %v %v, want [1/2]", x, ok)
	}
	// 0 = 1 is inconsistent; 0x = 0 with no rows gives x = 0.
	if _, ok := SolveLinear(matOf([]int64{0, 0}), VecOf(1), 2); ok {
		t.Fatalf("0 = 1 accepted")
	}
	x, ok = SolveLinear(nil, nil, 2)
	if !ok || !x.IsZero() || len(x) != 2 {
		t.Fatalf("empty system: %v %v", x, ok)
	}
}

// TestSolveInt compares the fraction-free integer solver with SolveLinear
// (Gaussian elimination over Q) on random square integer systems, singular
// ones included (every third has a repeated row).
func TestSolveInt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	nonsingular := 0
	for it := 0; it < 300; it++ {
		d := 1 + rng.IntN(6)
		B := make([][]big.Int, d)
		m := NewMat(d, d)
		rhs := make([]big.Int, d)
		b := NewVec(d)
		for r := 0; r < d; r++ {
			B[r] = make([]big.Int, d)
			for c := 0; c < d; c++ {
				v := rng.Int64N(11) - 5
				if it%3 == 0 && r == d-1 && d > 1 {
					v = B[0][c].Int64()
				}
				B[r][c].SetInt64(v)
				m[r][c].SetInt64(v)
			}
			v := rng.Int64N(11) - 5
			rhs[r].SetInt64(v)
			b[r].SetInt64(v)
		}
		num, den, ok := SolveInt(B, rhs)
		if ok != (Rank(m) == d) {
			t.Fatalf("%v: SolveInt ok = %v, rank %d", B, ok, Rank(m))
		}
		if !ok {
			continue
		}
		nonsingular++
		want, _ := SolveLinear(m, b, d)
		for k := range num {
			got := new(big.Rat).SetFrac(&num[k], den)
			if got.Cmp(want[k]) != 0 {
				t.Fatalf("%v x = %v: x[%d] = %s, want %s", B, rhs, k, got.RatString(), want[k].RatString())
			}
		}
		// B and rhs are left as they were.
		for r := 0; r < d; r++ {
			for c := 0; c < d; c++ {
				if B[r][c].Cmp(m[r][c].Num()) != 0 {
					t.Fatalf("B modified")
				}
			}
		}
	}
	if nonsingular < 100 {
		t.Errorf("only %d nonsingular systems", nonsingular)
	}
}

// laplaceDet is the cofactor expansion along the first row, the reference
// for DetInt.
func laplaceDet(m [][]int64) int64 {
	if len(m) == 0 {
		return 1
	}
	var det int64
	for c := range m {
		var sub [][]int64
		for _, row := range m[1:] {
			var r []int64
			r = append(r, row[:c]...)
			sub = append(sub, append(r, row[c+1:]...))
		}
		term := m[0][c] * laplaceDet(sub)
		if c%2 == 1 {
			term = -term
		}
		det += term
	}
	return det
}

// TestDetIntCrossInt checks DetInt against cofactor expansion and CrossInt
// for orthogonality to its rows and for vanishing exactly on dependent
// rows, on random small integer matrices (every fourth with a repeated row).
func TestDetIntCrossInt(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	zero, nonzero := 0, 0
	for it := 0; it < 400; it++ {
		d := 1 + rng.IntN(5)
		m := make([][]int64, d)
		B := make([][]big.Int, d)
		for r := range m {
			m[r] = make([]int64, d)
			B[r] = make([]big.Int, d)
			for c := range m[r] {
				m[r][c] = rng.Int64N(9) - 4
				if it%4 == 0 && r == d-1 && d > 1 {
					m[r][c] = m[0][c]
				}
				B[r][c].SetInt64(m[r][c])
			}
		}
		if got, want := DetInt(B), laplaceDet(m); got.Int64() != want {
			t.Fatalf("det %v = %v, want %d", m, got, want)
		}
		if d < 2 {
			continue
		}
		R := B[:d-1]
		u := CrossInt(R, d)
		isZero := true
		for c := range u {
			isZero = isZero && u[c].Sign() == 0
		}
		rows := NewMat(d-1, d)
		for r := range rows {
			for c := range rows[r] {
				rows[r][c].SetInt64(m[r][c])
			}
		}
		if isZero != (Rank(rows) < d-1) {
			t.Fatalf("cross %v = %v with rank %d", m[:d-1], u, Rank(rows))
		}
		if isZero {
			zero++
			continue
		}
		nonzero++
		for r := range R {
			var s, p big.Int
			for c := range u {
				s.Add(&s, p.Mul(&R[r][c], &u[c]))
			}
			if s.Sign() != 0 {
				t.Fatalf("cross %v = %v is not orthogonal to row %d", m[:d-1], u, r)
			}
		}
	}
	if zero == 0 || nonzero < 100 {
		t.Errorf("%d dependent and %d independent row sets: the sample does not test both", zero, nonzero)
	}
}
