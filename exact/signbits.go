package exact

// This file holds SignBits, the float64 filter of SignMatrix for many
// inner products w_j·x_i at once, written straight into bitsets.

// FloatRows is the float64 image of the rows of a rational matrix, stored
// row-major in one slice for kernels that read several rows at once: row j
// is F[j·D : (j+1)·D], with the OK and Norm of its FloatVec.
type FloatRows struct {
	D    int
	F    []float64
	OK   []bool
	Norm []float64
	// T holds the rows in groups of 16 (the last ⌊rows/16⌋·16 rows
	// excepted), each group column by column: entry c of row 16G + q is
	// T[16·D·G + 16c + q], for dots16.
	T []float64
}

// NewFloatRows packs the float64 images v (all of length d) into one
// FloatRows.
func NewFloatRows(v []FloatVec, d int) *FloatRows {
	r := &FloatRows{D: d, F: make([]float64, len(v)*d), OK: make([]bool, len(v)), Norm: make([]float64, len(v))}
	for j, f := range v {
		copy(r.F[j*d:(j+1)*d], f.F)
		r.OK[j], r.Norm[j] = f.OK, f.Norm
	}
	r.T = make([]float64, len(v)/16*16*d)
	for j := range len(v) / 16 * 16 {
		G, q := j/16, j%16
		for c := range d {
			r.T[16*d*G+16*c+q] = r.F[j*d+c]
		}
	}
	return r
}

// dots16Go sets out[q] = Σ_c wt[16c + q]·x[c] (c < len(x)) for q < 16,
// each sum recursive in c from +0, every product rounded before it is
// added (the conversions forbid fused multiply-adds). len(wt) ≥ 16·len(x).
func dots16Go(wt []float64, x []float64, out *[16]float64) {
	var s [16]float64
	wt = wt[:16*len(x)]
	for c, v := range x {
		w := wt[16*c : 16*c+16]
		for q := range 16 {
			s[q] += float64(w[q] * v)
		}
	}
	*out = s
}

// Rows returns the number of rows.
func (r *FloatRows) Rows() int { return len(r.OK) }

// SignBits computes the signs of w_j·x_t for every row j of w and every
// sample x_t of x (t < len(x), all of length w.D) in float64, with the
// bound of SignMatrix, and records them in bitsets: with i = i0 + t, bit
// i mod 64 of pos[j·stride + i/64] is set when w_j·x_t > 0 and that of
// neg[j·stride + i/64] when w_j·x_t < 0 (the bits are or-ed in, so they
// must start clear). A zero product leaves both clear, and so does a pair
// the filter cannot decide, which is appended to und as (j, i) (in no
// particular order) for the caller to decide exactly; rows or samples
// whose image is not OK are undecided whole.
//
// The bound is SignMatrix's: the same products and the same threshold
// τ = fl(fl(c_d·N_w)·N_x), c_d = DotFilterFactor(d), the norms those of
// ToFloatVec, and each inner product summed recursively (every product
// meets at most d − 1 additions, the order SignMatrix's argument covers;
// every product rounded before it is added), sixteen rows at a time by
// dots16 (in SSE2 on amd64: the same operations, two lanes at a time),
// then four, then one, so that x_t is read once for them. When both norms
// are nonzero τ > 0, so a sum within [−τ, τ] is undecided; when one is
// zero the vector is zero, the sum and τ are exactly 0, and the product
// is 0.
func SignBits(w *FloatRows, x []FloatVec, i0 int, pos, neg []uint64, stride int, und [][2]int) [][2]int {
	d, m := w.D, w.Rows()
	c := DotFilterFactor(d)
	j := 0
	var sums [16]float64
	var cw [16]float64
	for ; j+16 <= m; j += 16 {
		ok := true
		for q := range 16 {
			ok = ok && w.OK[j+q]
			cw[q] = c * w.Norm[j+q]
		}
		if !ok {
			for q := j; q < j+16; q++ {
				und = signBitsRow(w, q, c, x, i0, pos, neg, stride, und)
			}
			continue
		}
		wt := w.T[j*d : (j+16)*d]
		for t := range x {
			xt := &x[t]
			i := i0 + t
			if !xt.OK {
				for q := j; q < j+16; q++ {
					und = append(und, [2]int{q, i})
				}
				continue
			}
			dots16(wt, xt.F[:d], &sums)
			xn := xt.Norm
			o, sh := j*stride+i>>6, uint(i&63)
			for q := range 16 {
				tq := cw[q] * xn
				p, n := cmpBits(sums[q], tq)
				pos[o+q*stride] |= p << sh
				neg[o+q*stride] |= n << sh
				if p|n == 0 && tq > 0 {
					und = append(und, [2]int{j + q, i})
				}
			}
		}
	}
	for ; j+4 <= m; j += 4 {
		if !w.OK[j] || !w.OK[j+1] || !w.OK[j+2] || !w.OK[j+3] {
			for q := j; q < j+4; q++ {
				und = signBitsRow(w, q, c, x, i0, pos, neg, stride, und)
			}
			continue
		}
		w0 := w.F[j*d : (j+1)*d]
		w1 := w.F[(j+1)*d : (j+2)*d]
		w2 := w.F[(j+2)*d : (j+3)*d]
		w3 := w.F[(j+3)*d : (j+4)*d]
		c0, c1, c2, c3 := c*w.Norm[j], c*w.Norm[j+1], c*w.Norm[j+2], c*w.Norm[j+3]
		o0, o1, o2, o3 := j*stride, (j+1)*stride, (j+2)*stride, (j+3)*stride
		for t := range x {
			xt := &x[t]
			i := i0 + t
			if !xt.OK {
				for q := j; q < j+4; q++ {
					und = append(und, [2]int{q, i})
				}
				continue
			}
			xs := xt.F[:d]
			w0, w1, w2, w3 := w0[:len(xs)], w1[:len(xs)], w2[:len(xs)], w3[:len(xs)]
			var s0, s1, s2, s3 float64
			for q, v := range xs {
				s0 += float64(w0[q] * v)
				s1 += float64(w1[q] * v)
				s2 += float64(w2[q] * v)
				s3 += float64(w3[q] * v)
			}
			xn := xt.Norm
			t0, t1, t2, t3 := c0*xn, c1*xn, c2*xn, c3*xn
			wd, sh := i>>6, uint(i&63)
			p0, n0 := cmpBits(s0, t0)
			p1, n1 := cmpBits(s1, t1)
			p2, n2 := cmpBits(s2, t2)
			p3, n3 := cmpBits(s3, t3)
			pos[o0+wd] |= p0 << sh
			neg[o0+wd] |= n0 << sh
			pos[o1+wd] |= p1 << sh
			neg[o1+wd] |= n1 << sh
			pos[o2+wd] |= p2 << sh
			neg[o2+wd] |= n2 << sh
			pos[o3+wd] |= p3 << sh
			neg[o3+wd] |= n3 << sh
			if p0|n0 == 0 && t0 > 0 {
				und = append(und, [2]int{j, i})
			}
			if p1|n1 == 0 && t1 > 0 {
				und = append(und, [2]int{j + 1, i})
			}
			if p2|n2 == 0 && t2 > 0 {
				und = append(und, [2]int{j + 2, i})
			}
			if p3|n3 == 0 && t3 > 0 {
				und = append(und, [2]int{j + 3, i})
			}
		}
	}
	for ; j < m; j++ {
		und = signBitsRow(w, j, c, x, i0, pos, neg, stride, und)
	}
	return und
}

// cmpBits returns (1, 0) for s > τ, (0, 1) for s < −τ and (0, 0)
// otherwise, without a branch on s (the signs of data in general position
// are unpredictable).
func cmpBits(s, tau float64) (p, n uint64) {
	if s > tau {
		p = 1
	}
	if s < -tau {
		n = 1
	}
	return p, n
}

// signBitsRow is SignBits for the single row j (c = DotFilterFactor(d)).
func signBitsRow(w *FloatRows, j int, c float64, x []FloatVec, i0 int, pos, neg []uint64, stride int, und [][2]int) [][2]int {
	d := w.D
	if !w.OK[j] {
		for t := range x {
			und = append(und, [2]int{j, i0 + t})
		}
		return und
	}
	wj := w.F[j*d : (j+1)*d]
	cw := c * w.Norm[j]
	o := j * stride
	for t := range x {
		xt := &x[t]
		i := i0 + t
		if !xt.OK {
			und = append(und, [2]int{j, i})
			continue
		}
		xs := xt.F[:d]
		wj := wj[:len(xs)]
		var s float64
		for q, v := range xs {
			s += float64(wj[q] * v)
		}
		tau := cw * xt.Norm
		p, n := cmpBits(s, tau)
		pos[o+i>>6] |= p << uint(i&63)
		neg[o+i>>6] |= n << uint(i&63)
		if p|n == 0 && tau > 0 {
			und = append(und, [2]int{j, i})
		}
	}
	return und
}
