package verify

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/relucert/relucert/exact"
)

// images returns, for rows of c rationals, the integer image D·rows with its
// common denominator D and bit bound (intImage), the float64 images of the
// rows (exact.ToFloatVec) and which rows are zero — in one pass over the
// rationals when every denominator is a power of two and every numerator
// fits in 63 bits (float-derived data), where the entry x = ν/2^e becomes
// ν·2^(E−e) and the float64 ν·2^(−e) (rounded once, in the conversion of ν).
// Other data take intImage and ToFloatVec. pl is polled every few rows.
func images(rows []exact.Vec, c int, pl *poller) (*exact.IntMat, *big.Int, int, []exact.FloatVec, []bool) {
	const stage = "setting up the exact engine (integer images)"
	n := len(rows)
	mant := make([]int64, n*c)
	sh := make([]int16, n*c) // e: x = mant/2^e
	E := 0
	fast := true
scan:
	for i, r := range rows {
		pl.tick(stage)
		for k, x := range r {
			if x.Sign() == 0 {
				continue
			}
			nb := x.Num().Bits()
			if len(nb) != 1 || uint64(nb[0])>>63 != 0 {
				fast = false
				break scan
			}
			e := 0
			if !x.IsInt() {
				q := x.Denom()
				e = int(q.TrailingZeroBits())
				if e != q.BitLen()-1 || e > 1<<14 {
					fast = false
					break scan
				}
			}
			v := int64(nb[0])
			if x.Sign() < 0 {
				v = -v
			}
			mant[i*c+k], sh[i*c+k] = v, int16(e)
			E = max(E, e)
		}
	}
	if !fast {
		m, D, b := intImageStop(rows, c, pl)
		fl := make([]exact.FloatVec, n)
		zero := make([]bool, n)
		for i, r := range rows {
			fl[i] = exact.ToFloatVec(r)
			zero[i] = r.IsZero()
			pl.tick(stage)
		}
		return m, D, b, fl, zero
	}
	b := 0
	for q, v := range mant {
		if v != 0 {
			b = max(b, bits.Len64(abs64(v))+E-int(sh[q]))
		}
	}
	D := new(big.Int).Lsh(big.NewInt(1), uint(E))
	W := exact.WordsFor(b + 1)
	m := exact.NewIntMat(n, c, W)
	fl := make([]exact.FloatVec, n)
	zero := make([]bool, n)
	fdata := make([]float64, n*c)
	for i := 0; i < n; i++ {
		pl.tick(stage)
		f := exact.FloatVec{F: fdata[i*c : (i+1)*c : (i+1)*c], OK: true}
		zero[i] = true
		for k := 0; k < c; k++ {
			q := i*c + k
			v := mant[q]
			if v == 0 {
				continue
			}
			zero[i] = false
			w := m.Entry(i, k)
			s := E - int(sh[q])
			mag := abs64(v)
			w[s/64] = mag << (s % 64)
			if s%64 != 0 && s/64+1 < len(w) {
				w[s/64+1] = mag >> (64 - s%64)
			}
			if v < 0 {
				exact.NegWords(w)
			}
			f.F[k] = math.Ldexp(float64(v), -int(sh[q]))
			if !exact.FilterAccepts(math.Abs(f.F[k])) {
				// Outside the filter's range (possibly subnormal, where
				// Ldexp would round a second time): the nearest float64.
				f.F[k], _ = exact.ToFloat64(rows[i][k])
				f.OK = false
			}
		}
		var s2 float64
		for _, x := range f.F {
			s2 += x * x
		}
		f.Norm = math.Sqrt(s2)
		fl[i] = f
	}
	return m, D, b, fl, zero
}
