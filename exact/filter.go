package exact

import (
	"math"
	"math/big"
	"sort"
)

// This file holds the floating-point filter for signs of inner products: a
// sign is computed in float64 together with a rigorous bound on the error of
// that computation, and is trusted only when the computed value exceeds the
// bound. When it does not, the caller must decide exactly (the filter says
// so); the filter never guesses.

// filterMin and filterMax bound the magnitudes of the float64 images the
// filter accepts: every nonzero entry must lie in [2⁻⁵⁰⁰, 2⁵⁰⁰], so that its
// conversion is a correctly rounded normal number and no product of two
// entries underflows or overflows.
var (
	filterMin = math.Ldexp(1, -500)
	filterMax = math.Ldexp(1, 500)
)

// FilterAccepts reports whether a float64 magnitude a (≥ 0) lies in the
// range the filter accepts for a nonzero entry, [2⁻⁵⁰⁰, 2⁵⁰⁰].
func FilterAccepts(a float64) bool { return a >= filterMin && a <= filterMax }

// IntFloat64 converts x to the nearest float64 (±Inf beyond the range).
func IntFloat64(x *big.Int) float64 {
	f, _ := new(big.Float).SetInt(x).Float64()
	return f
}

// FloatVec is the float64 image of a rational vector for the filtered
// predicates of this file: F[i] is v[i] rounded to the nearest float64
// (big.Rat.Float64). OK reports that every nonzero F[i] has magnitude in
// [2⁻⁵⁰⁰, 2⁵⁰⁰] (so each is v[i]·(1+δ) with |δ| ≤ 2⁻⁵³ and nonzero exactly
// when v[i] is); a vector that is not OK must be handled exactly.
type FloatVec struct {
	F  []float64
	OK bool
	// Norm is fl(√(Σ F[i]²)), used by SignMatrix's error bound.
	Norm float64
}

// ToFloatVec returns the float64 image of v.
func ToFloatVec(v Vec) FloatVec {
	f := FloatVec{F: make([]float64, len(v)), OK: true}
	for i, x := range v {
		var ok bool
		if f.F[i], ok = ToFloat64(x); !ok {
			f.OK = false
		}
	}
	f.Norm = floatNorm(f.F)
	return f
}

// FloatVecOf returns the float64 image of a rational vector whose entries
// are exactly the float64s f (a row of an exact.RatMat stored as floats):
// F is f itself, not a copy, and must not be written into; OK and Norm
// are as ToFloatVec's for that vector.
func FloatVecOf(f []float64) FloatVec {
	v := FloatVec{F: f, OK: true, Norm: floatNorm(f)}
	for _, x := range f {
		if x != 0 && !FilterAccepts(math.Abs(x)) {
			v.OK = false
		}
	}
	return v
}

// floatNorm returns fl(√(Σ f_i²)) in recursive summation.
func floatNorm(f []float64) float64 {
	var s float64
	for _, x := range f {
		s += x * x
	}
	return math.Sqrt(s)
}

// ToFloat64 is ToFloatVec for a single rational: its image (the nearest
// float64) and whether the filter accepts it.
func ToFloat64(x *big.Rat) (float64, bool) {
	if x.Sign() == 0 {
		return 0, true
	}
	f, ok := dyadicFloat(x)
	if !ok {
		f, _ = x.Float64()
	}
	a := math.Abs(f)
	return f, a >= filterMin && a <= filterMax
}

// dyadicFloat converts x = num/2^e with |num| < 2^53 exactly (the common
// case of float-derived numbers), without the general rounding of
// big.Rat.Float64; ok is false for any other x or when the result would be
// subnormal.
func dyadicFloat(x *big.Rat) (float64, bool) {
	num, den := x.Num(), x.Denom()
	if num.BitLen() > 53 {
		return 0, false
	}
	e := 0
	if !x.IsInt() {
		tz := den.TrailingZeroBits()
		if int(tz) != den.BitLen()-1 || tz > 1000 {
			return 0, false
		}
		e = int(tz)
	}
	return math.Ldexp(float64(num.Int64()), -e), true
}

// DotFilterFactor returns c_d = (2d+8)·2⁻⁵³, the factor of the error bound
// of DotSign for vectors of length d (exact in float64).
func DotFilterFactor(d int) float64 { return float64(2*d+8) * 0x1p-53 }

// DotSign returns the sign of the exact inner product a·b of two rational
// vectors of length d from their float64 images fa and fb (both OK), or
// ok = false when the filter cannot decide it.
//
// The argument (Higham, Accuracy and Stability of Numerical Algorithms,
// §2.2 and §3.1, with u = 2⁻⁵³ and γ_n = nu/(1−nu)): every nonzero image is
// a normal number â = a(1+δ), |δ| ≤ u, so a = â(1+α) with |α| ≤ γ₁ and
// a_i b_i = â_i b̂_i (1+η_i), |η_i| ≤ γ₂. No product â_i b̂_i underflows or
// overflows (magnitudes in [2⁻¹⁰⁰⁰, 2¹⁰⁰⁰]) and additions are exact in the
// subnormal range, so the recursively summed s = fl(Σ fl(â_i b̂_i)) is
// Σ â_i b̂_i (1+θ_i) with |θ_i| ≤ γ_d. Hence
// |a·b − s| ≤ γ_{d+2} Σ|â_i b̂_i| ≤ γ_{d+2}/(1−γ_d) · μ, where
// μ = fl(Σ |fl(â_i b̂_i)|) is computed alongside. For d·u ≤ 2⁻²⁰ this is at
// most 1.01·(d+2)u·μ, and the threshold τ = fl(c_d·μ) ≥ (2d+8)u(1−u)·μ
// exceeds it. So |s| > τ proves sign(a·b) = sign(s). When μ = 0 every
// product is exactly zero (nonzero images of nonzero entries), so a·b = 0.
func DotSign(fa, fb FloatVec) (sign int, ok bool) {
	if !fa.OK || !fb.OK || len(fa.F) != len(fb.F) || len(fa.F) > 1<<30 {
		return 0, false
	}
	var s, mu float64
	b := fb.F
	for i, x := range fa.F {
		p := x * b[i]
		s += p
		mu += math.Abs(p)
	}
	return filterDecide(s, mu, DotFilterFactor(len(fa.F)))
}

// filterDecide turns a filtered value s with error scale mu and factor c
// into a sign, or ok = false.
func filterDecide(s, mu, c float64) (int, bool) {
	if mu == 0 {
		return 0, true
	}
	tau := c * mu
	switch {
	case s > tau:
		return 1, true
	case s < -tau:
		return -1, true
	}
	return 0, false
}

// SignMatrix computes the signs of w_j·x_i for all j < len(w), i < len(x)
// in float64, writing them to out[j][i] (rows of len(x)), and returns the
// pairs it could not decide as (j, i) in row-major order (out[j][i] of such
// a pair is 0, or left as it was in a row whose image is not OK: the
// caller decides it). Rows whose image is not OK are returned whole. The vectors must all have length d, and
// their Norm fields must be those of ToFloatVec.
//
// Its bound is DotSign's with Σ|â_i b̂_i| replaced by the larger ‖â‖₂‖b̂‖₂
// (Cauchy–Schwarz), so the inner loop is a plain dot product: the norms
// are computed once per vector, with relative error below (d/2+2)u, and
// τ = fl(c_d·N_a·N_b) with c_d = (2d+8)u still exceeds
// γ_{d+2}·‖â‖₂‖b̂‖₂ ≥ |a·b − s| for d·u ≤ 2⁻²⁰ (squares of entries in
// [2⁻⁵⁰⁰, 2⁵⁰⁰] neither underflow nor overflow). A zero norm means a zero
// vector, hence a zero product. The dot product is summed in four
// interleaved partial sums (dot4): a summation tree in which each product
// meets at most d − 1 additions, like recursive summation, so the bound
// γ_{d+2} on its error is the same (Higham, §4.2: the bound holds for any
// order of summation). Samples are taken in blocks that stay in the cache
// while every w_j passes over them.
func SignMatrix(w, x []FloatVec, out [][]int8) (undecided [][2]int) {
	if len(w) == 0 || len(x) == 0 {
		return nil
	}
	d := len(x[0].F)
	c := DotFilterFactor(d)
	block := max(1, (16<<10)/(8*max(d, 1)))
	for i0 := 0; i0 < len(x); i0 += block {
		xs := x[i0:min(i0+block, len(x))]
		for j, wj := range w {
			row := out[j][i0 : i0+len(xs)]
			if !wj.OK {
				for i := range xs {
					undecided = append(undecided, [2]int{j, i0 + i})
				}
				continue
			}
			if wj.Norm == 0 {
				for i, xi := range xs {
					if xi.OK {
						row[i] = 0
					} else {
						undecided = append(undecided, [2]int{j, i0 + i})
					}
				}
				continue
			}
			wf := wj.F[:d]
			cw := c * wj.Norm
			for i, xi := range xs {
				if !xi.OK {
					undecided = append(undecided, [2]int{j, i0 + i})
					continue
				}
				s := dot4(wf, xi.F)
				tau := cw * xi.Norm
				// The sign without a branch on it (the signs of data
				// in general position are unpredictable).
				var pos, neg int8
				if s > tau {
					pos = 1
				}
				if s < -tau {
					neg = 1
				}
				row[i] = pos - neg
				if pos|neg == 0 && xi.Norm != 0 {
					undecided = append(undecided, [2]int{j, i0 + i})
				}
			}
		}
	}
	sortPairs(undecided)
	return undecided
}

// sortPairs sorts (j, i) pairs in row-major order.
func sortPairs(p [][2]int) {
	sort.Slice(p, func(a, b int) bool {
		if p[a][0] != p[b][0] {
			return p[a][0] < p[b][0]
		}
		return p[a][1] < p[b][1]
	})
}

// dot4 returns fl(Σ_k a_k b_k) summed in four interleaved partial sums,
// ((s₀ + s₁) + (s₂ + s₃)) with s_r the recursive sum of the products of the
// indices ≡ r mod 4: every product meets at most d − 1 additions (d =
// len(a) ≥ 1; the sums of zeros are exact).
func dot4(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+3 < len(a); k += 4 {
		s0 += a[k] * b[k]
		s1 += a[k+1] * b[k+1]
		s2 += a[k+2] * b[k+2]
		s3 += a[k+3] * b[k+3]
	}
	for ; k < len(a); k++ {
		s0 += a[k] * b[k]
	}
	return (s0 + s1) + (s2 + s3)
}
