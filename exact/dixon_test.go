package exact

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
)

// randIntMat returns an n×n matrix of random integers of up to bits bits
// (both signs; a fraction zero, as in the sparse rows of a KKT system).
func randIntMat(rng *rand.Rand, n, bits int, zeros float64) [][]big.Int {
	A := make([][]big.Int, n)
	for r := range A {
		A[r] = make([]big.Int, n)
		for c := range A[r] {
			if rng.Float64() < zeros {
				continue
			}
			randInt(rng, &A[r][c], bits)
		}
	}
	return A
}

func randInt(rng *rand.Rand, z *big.Int, bits int) {
	z.SetInt64(0)
	for b := 0; b < bits; b += 62 {
		z.Lsh(z, 62)
		z.Add(z, big.NewInt(rng.Int64N(1<<62)))
	}
	z.Rsh(z, uint(max(0, (bits+61)/62*62-bits)))
	if rng.IntN(2) == 0 {
		z.Neg(z)
	}
}

// ratSystem converts an integer system to big.Rat for SolveLinear.
func ratSystem(A [][]big.Int, b []big.Int) (Mat, Vec) {
	m := NewMat(len(A), len(A))
	v := NewVec(len(b))
	for r := range A {
		for c := range A[r] {
			m[r][c].SetInt(&A[r][c])
		}
		v[r].SetInt(&b[r])
	}
	return m, v
}

// TestSolveDixonAgainstElimination: on random nonsingular systems of sizes
// 1–40 with entries of 1–300 bits, Dixon's solution equals the one of
// exact elimination over Q (SolveLinear), in lowest terms.
func TestSolveDixonAgainstElimination(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 80; it++ {
		n := 1 + rng.IntN(16)
		bitsA := 1 + rng.IntN(200)
		bitsB := 1 + rng.IntN(200)
		A := randIntMat(rng, n, bitsA, rng.Float64()*0.5)
		b := make([]big.Int, n)
		for i := range b {
			randInt(rng, &b[i], bitsB)
		}
		m, v := ratSystem(A, b)
		want, ok := SolveLinear(m, v, n)
		num, den, dok := SolveDixon(A, b)
		if !dok {
			if Rank(m) == n {
				t.Fatalf("it %d (n=%d, %d bits): SolveDixon reports singular", it, n, bitsA)
			}
			continue
		}
		if !ok {
			t.Fatalf("it %d: SolveLinear failed where Dixon solved", it)
		}
		if den.Sign() <= 0 {
			t.Fatalf("it %d: den %v not positive", it, den)
		}
		g := new(big.Int).Set(den)
		for i := range num {
			got := new(big.Rat).SetFrac(&num[i], den)
			if got.Cmp(want[i]) != 0 {
				t.Fatalf("it %d (n=%d): x_%d = %s, want %s", it, n, i, got.RatString(), want[i].RatString())
			}
			g.GCD(nil, nil, g, new(big.Int).Abs(&num[i]))
		}
		if g.Cmp(big.NewInt(1)) != 0 {
			t.Fatalf("it %d: not in lowest terms (common factor %v)", it, g)
		}
	}
}

// TestSolveDixonSmallSolutions: systems whose solution is far smaller than
// Hadamard's bound (a planted solution with small entries, A of large
// entries) stop early and are still exact.
func TestSolveDixonSmallSolutions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for it := 0; it < 30; it++ {
		n := 2 + rng.IntN(30)
		A := randIntMat(rng, n, 150, 0)
		x := make([]big.Int, n)
		for i := range x {
			x[i].SetInt64(rng.Int64N(2001) - 1000)
		}
		b := make([]big.Int, n)
		var t1 big.Int
		for r := range A {
			for c := range A[r] {
				b[r].Add(&b[r], t1.Mul(&A[r][c], &x[c]))
			}
		}
		num, den, ok := SolveDixon(A, b)
		if !ok || den.Cmp(big.NewInt(1)) != 0 {
			t.Fatalf("it %d: ok %v den %v", it, ok, den)
		}
		for i := range num {
			if num[i].Cmp(&x[i]) != 0 {
				t.Fatalf("it %d: x_%d = %v, want %v", it, i, &num[i], &x[i])
			}
		}
	}
}

// TestSolveDixonSingular: singular systems (a repeated row, a zero column)
// are reported as such; a nonsingular matrix that is singular modulo every
// prime Dixon tries first (its determinant is their product) is still
// solved, by the fallback.
func TestSolveDixonSingular(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for it := 0; it < 20; it++ {
		n := 2 + rng.IntN(10)
		A := randIntMat(rng, n, 40, 0)
		i, j := rng.IntN(n), rng.IntN(n-1)
		if j >= i {
			j++
		}
		if it%2 == 0 {
			for c := range A[i] {
				A[j][c].Mul(&A[i][c], big.NewInt(3))
			}
		} else {
			for r := range A {
				A[r][i].SetInt64(0)
			}
		}
		b := make([]big.Int, n)
		for k := range b {
			b[k].SetInt64(int64(k))
		}
		if _, _, ok := SolveDixon(A, b); ok {
			t.Fatalf("it %d: singular system solved", it)
		}
	}
	// diag(p₁p₂p₃p₄, 1, 1) with a coupling: det = Π p, singular mod each.
	ps := Primes31(dixonPrimes)
	prod := big.NewInt(1)
	for _, p := range ps {
		prod.Mul(prod, new(big.Int).SetUint64(p))
	}
	A := make([][]big.Int, 3)
	for r := range A {
		A[r] = make([]big.Int, 3)
		A[r][r].SetInt64(1)
	}
	A[0][0].Set(prod)
	A[1][0].SetInt64(5)
	A[2][1].SetInt64(-7)
	b := []big.Int{*big.NewInt(1), *big.NewInt(2), *big.NewInt(3)}
	num, den, ok := SolveDixon(A, b)
	if !ok {
		t.Fatal("fallback did not solve")
	}
	m, v := ratSystem(A, b)
	want, _ := SolveLinear(m, v, 3)
	for i := range num {
		if new(big.Rat).SetFrac(&num[i], den).Cmp(want[i]) != 0 {
			t.Fatalf("x_%d wrong", i)
		}
	}
}

// TestRatRecon: the reconstruction recovers a/b from a·b⁻¹ mod m when
// 2|a|b < m, and refuses when no fraction within the bounds exists.
func TestRatRecon(t *testing.T) {
	m := new(big.Int).Lsh(big.NewInt(1), 80)
	m.Add(m, big.NewInt(13)) // odd, so small b are invertible
	N := new(big.Int).Sqrt(new(big.Int).Rsh(m, 1))
	for _, c := range []struct{ a, b int64 }{{1, 1}, {-3, 7}, {123456789, 987654321}, {0, 5}, {-1, 1 << 39}} {
		a, b := big.NewInt(c.a), big.NewInt(c.b)
		u := new(big.Int).ModInverse(b, m)
		u.Mul(u, a).Mod(u, m)
		ga, gb, ok := ratRecon(u, m, N, N)
		if !ok || new(big.Rat).SetFrac(ga, gb).Cmp(new(big.Rat).SetFrac(a, b)) != 0 {
			t.Errorf("%d/%d: got %v/%v ok %v", c.a, c.b, ga, gb, ok)
		}
	}
	// A "random" residue has no small representation.
	u := new(big.Int).Rsh(m, 3)
	u.Add(u, big.NewInt(987654321987))
	small := big.NewInt(1000)
	if _, _, ok := ratRecon(u, m, small, small); ok {
		t.Error("reconstructed a residue with no small fraction")
	}
}

// BenchmarkSolveDixon measures Dixon against Bareiss (SolveInt) on random
// systems with 130-bit entries, the size of a snap's KKT matrix built
// from float64 data.
func BenchmarkSolveDixon(b *testing.B) {
	for _, n := range []int{25, 50, 100, 200} {
		rng := rand.New(rand.NewPCG(7, uint64(n)))
		A := randIntMat(rng, n, 130, 0)
		rhs := make([]big.Int, n)
		for i := range rhs {
			randInt(rng, &rhs[i], 130)
		}
		b.Run(fmt.Sprintf("dixon/n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, _, ok := SolveDixon(A, rhs); !ok {
					b.Fatal("singular")
				}
			}
		})
		if n > 50 {
			continue
		}
		b.Run(fmt.Sprintf("bareiss/n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, _, ok := SolveInt(A, rhs); !ok {
					b.Fatal("singular")
				}
			}
		})
	}
}

// TestIndependentColumns: the columns chosen are a basis of the column
// space (their number is the rank over Q) and respect the order given:
// a column dependent on earlier ones is skipped.
func TestIndependentColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for it := 0; it < 40; it++ {
		rows, cols := 1+rng.IntN(8), 1+rng.IntN(8)
		rank := 1 + rng.IntN(min(rows, cols))
		// A = U·V with U rows×rank, V rank×cols: rank ≤ that.
		U := randIntMat(rng, max(rows, rank), 20, 0)[:rows]
		V := randIntMat(rng, max(rank, cols), 20, 0)[:rank]
		A := make([][]big.Int, rows)
		for r := range A {
			A[r] = make([]big.Int, cols)
			for c := 0; c < cols; c++ {
				for k := 0; k < rank; k++ {
					A[r][c].Add(&A[r][c], new(big.Int).Mul(&U[r][k], &V[k][c]))
				}
			}
		}
		order := rng.Perm(cols)
		got := IndependentColumns(A, order)
		m := NewMat(rows, cols)
		for r := range A {
			for c := range A[r] {
				m[r][c].SetInt(&A[r][c])
			}
		}
		if len(got) != Rank(m) {
			t.Fatalf("it %d: %d columns for rank %d", it, len(got), Rank(m))
		}
		// Greedy in order: each chosen column raises the rank of the
		// prefix, each skipped one does not.
		var chosen []int
		for _, c := range order {
			sub := NewMat(rows, len(chosen)+1)
			for r := 0; r < rows; r++ {
				for k, cc := range append(append([]int{}, chosen...), c) {
					sub[r][k].Set(m[r][cc])
				}
			}
			if Rank(sub) == len(chosen)+1 {
				chosen = append(chosen, c)
			}
		}
		for k := range chosen {
			if k >= len(got) || got[k] != chosen[k] {
				t.Fatalf("it %d: chose %v, greedy %v", it, got, chosen)
			}
		}
	}
}
