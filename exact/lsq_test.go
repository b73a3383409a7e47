package exact

import (
	"math/big"
	"testing"
)

// TestConstrainedLeastSquares on hand-worked problems: fit y = (1, 2, 4) at
// x = 0, 1, 2 by a line c0 + c1·x (least squares: c0 = 5/6, c1 = 3/2), and
// the same with the constraint c0 = 0 (then c1 = Σxy/Σx² = 10/5 = 2).
func TestConstrainedLeastSquares(t *testing.T) {
	M := Mat{VecOf(1, 0), VecOf(1, 1), VecOf(1, 2)}
	y := VecOf(1, 2, 4)
	tests := []struct {
		name string
		C    Mat
		want Vec
	}{
		{"unconstrained", nil, Vec{big.NewRat(5, 6), big.NewRat(3, 2)}},
		{"c0 = 0", Mat{VecOf(1, 0)}, Vec{big.NewRat(0, 1), big.NewRat(2, 1)}},
	}
	for _, tt := range tests {
		got, err := ConstrainedLeastSquares(M, y, tt.C, 2)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := ConstrainedLeastSquares(M, VecOf(1, 2), nil, 2); err == nil {
		t.Errorf("shape mismatch accepted")
	}
}
