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
// Data whose every entry is a float64 (floatImages) are read once.
func images(data *exact.RatMat, pl *poller) (*exact.IntMat, *big.Int, int, []exact.FloatVec, []bool) {
	if m, D, b, fl, zero, ok := floatImages(data, true, pl); ok {
		return m, D, b, fl, zero
	}
	rows, c := data.Vecs(), data.Cols()
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

// floatImages is images for data whose every nonzero entry is a float64
// in the filter's range (exact.FilterAccepts): x = ν/2^e with |ν| < 2⁵³ and
// e ≤ 1022, a normal float64. The float images are the matrix's own rows
// (no copy); the integer image D·x = x·2^E is formed from each float64's
// mantissa and exponent — unless ints is false: then m is nil and the
// engine forms the entries it needs from the floats (engine.xRow). ok is
// false, with nothing returned, when an entry is not such a float64;
// images then takes its general paths (which give these same images).
func floatImages(data *exact.RatMat, ints bool, pl *poller) (m *exact.IntMat, D *big.Int, b int, fl []exact.FloatVec, zero []bool, ok bool) {
	const stage = "setting up the exact engine (integer images)"
	if !data.AllFloat() {
		return nil, nil, 0, nil, nil, false
	}
	n, c := data.Rows(), data.Cols()
	fl = make([]exact.FloatVec, n)
	zero = make([]bool, n)
	E, top := 0, math.MinInt // E = max e; top = max(bitlen(ν) − e)
	for i := range n {
		pl.tick(stage)
		row, _ := data.Floats(i)
		zero[i] = true
		var s2 float64
		for _, x := range row {
			if x == 0 {
				continue
			}
			if !exact.FilterAccepts(math.Abs(x)) {
				return nil, nil, 0, nil, nil, false
			}
			zero[i] = false
			s2 += x * x
			// x = mant·2^(ex−1075) = ν·2^(−e) with ν = mant/2^tz odd.
			u := math.Float64bits(x)
			mant := u&(1<<52-1) | 1<<52
			tz := bits.TrailingZeros64(mant)
			e := 1075 - int(u>>52&0x7ff) - tz
			E, top = max(E, e), max(top, 53-tz-e)
		}
		fl[i] = exact.FloatVec{F: row, OK: true, Norm: math.Sqrt(s2)}
	}
	if top != math.MinInt {
		b = top + E
	}
	D = new(big.Int).Lsh(big.NewInt(1), uint(E))
	if !ints {
		return nil, D, b, fl, zero, true
	}
	W := exact.WordsFor(b + 1)
	m = exact.NewIntMat(n, c, W)
	parallel(n, workers(n*c*8), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if pl.stopNow() {
				return
			}
			for k, x := range fl[i].F {
				// x = ν·2^(−e), e ≤ E: the image ν·2^(E−e).
				exact.FloatImageWords(m.Entry(i, k), x, E)
			}
		}
	})
	pl.now(stage)
	return m, D, b, fl, zero, true
}
