package exact

import (
	"math/big"
	"testing"
)

// packCases are vectors of numbers written as strings: integers, fractions
// of one word and of several (2^130+1 over 3^50), signs, zeros.
var packCases = [][]string{
	{"0", "1", "-1", "3/4", "-5/8"},
	{},
	{"1361129467683753853853498429727072845825/717897987691852588770249", "-18446744073709551616", "18446744073709551617/2"},
	{"0.1", "-0.000123", "1e30", "7"},
}

func TestPack(t *testing.T) {
	rat := func(s string) *big.Rat {
		x, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("bad test number %q", s)
		}
		return x
	}
	vs := make([]Vec, len(packCases))
	var old []*big.Rat
	for i, c := range packCases {
		for _, s := range c {
			vs[i] = append(vs[i], rat(s))
		}
		old = append(old, vs[i]...)
	}
	// Numbers set in ways that leave math/big's internals unusual: a zero
	// value (denominator not a reference) and a zero value whose numerator
	// was set through Num (value −7, denominator still implicit).
	z, n := new(big.Rat), new(big.Rat)
	n.Num().SetInt64(-7)
	vs = append(vs, Vec{z, n})
	old = append(old, z, n)
	want := append(append([][]string{}, packCases...), []string{"0", "-7"})

	Pack(vs)
	olds := old
	defer func() {
		// The old numbers keep their values (Pack and the arithmetic
		// above changed only the packed ones).
		k := 0
		for i := range want {
			for j := range want[i] {
				if w := rat(want[i][j]); olds[k].Cmp(w) != 0 {
					t.Errorf("old vs[%d][%d] = %v, want %v", i, j, olds[k], w)
				}
				k++
			}
		}
	}()
	for i, v := range vs {
		for j, x := range v {
			if w := rat(want[i][j]); x.Cmp(w) != 0 {
				t.Errorf("vs[%d][%d] = %v, want %v", i, j, x, w)
			}
			if x == old[0] {
				t.Errorf("vs[%d][%d] is the old pointer", i, j)
			}
			old = old[1:]
			if b := x.Num().Bits(); cap(b) != len(b) {
				t.Errorf("vs[%d][%d]: numerator cap %d, len %d", i, j, cap(b), len(b))
			}
			if b := x.Denom().Bits(); cap(b) != len(b) {
				t.Errorf("vs[%d][%d]: denominator cap %d, len %d", i, j, cap(b), len(b))
			}
		}
	}
	// Arithmetic on a packed number changes it alone: square every number
	// (in place, growing) and add 1/3 to it (in place), then check all.
	third := big.NewRat(1, 3)
	for i, v := range vs {
		for j, x := range v {
			x.Mul(x, x)
			x.Add(x, third)
			for i2, v2 := range vs {
				for j2, y := range v2 {
					w := rat(want[i2][j2])
					if i2 < i || i2 == i && j2 <= j {
						w.Mul(w, w)
						w.Add(w, third)
					}
					if y.Cmp(w) != 0 {
						t.Fatalf("after changing vs[%d][%d]: vs[%d][%d] = %v, want %v", i, j, i2, j2, y, w)
					}
				}
			}
		}
	}
}

func TestPackAllocations(t *testing.T) {
	v := NewVec(1000)
	for i := range v {
		v[i].SetFloat64(float64(i) / 7)
	}
	vs := []Vec{v, v.Clone()}
	// One array of numbers and one of words, whatever the length.
	if a := testing.AllocsPerRun(5, func() { Pack(vs) }); a != 2 {
		t.Errorf("Pack allocates %v times, want 2", a)
	}
	for i, x := range vs[1] {
		if w := new(big.Rat).SetFloat64(float64(i) / 7); x.Cmp(w) != 0 || vs[0][i].Cmp(w) != 0 {
			t.Fatalf("entry %d = %v, %v, want %v", i, vs[0][i], x, w)
		}
	}
}
