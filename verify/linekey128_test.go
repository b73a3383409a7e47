package verify

import (
	"math/big"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestLineKeys128: with two-word entries, a row whose gcd is a power of two
// is keyed by shifts (appendKey128) and a parallel row with an odd common
// factor from big integers; the keys must be equal, and differ from a row
// on another line.
func TestLineKeys128(t *testing.T) {
	x := exact.VecOf(3, 5, -7).Scale(new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 70)))
	y := exact.VecOf(3, 5, 7).Scale(new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 70)))
	p := &Point{Act: ReLU(), X: exact.RatMatOf([]exact.Vec{x, x.Scale(big.NewRat(3, 1)), x.Scale(big.NewRat(-5, 2)), y}),
		Y: exact.RatMatOf([]exact.Vec{exact.VecOf(1), exact.VecOf(1), exact.VecOf(1), exact.VecOf(1)})}
	e := newEngine(p)
	if e.xW != 2 {
		t.Fatalf("X̄ has %d words per entry, want 2", e.xW)
	}
	buf := make([]uint64, e.d*e.xW)
	if _, ok := appendKey128(nil, e.xRow(0, buf)); !ok {
		t.Fatal("row 0 (gcd a power of two) not keyed by shifts")
	}
	if _, ok := appendKey128(nil, e.xRow(1, buf)); ok {
		t.Fatal("row 1 (odd factor 3) keyed by shifts")
	}
	key := e.lineKeys()
	k := func(i int) string { return string(key(nil, i)) }
	if k(0) != k(1) || k(0) != k(2) {
		t.Error("parallel rows have different keys")
	}
	if k(0) == k(3) {
		t.Error("rows on different lines have equal keys")
	}
}
