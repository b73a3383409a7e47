package exact

import "math/big"

// SpanCoordinates returns the pivot columns R (ascending) of the row
// echelon form of the matrix whose rows are vs (each of length d): |R| is
// the dimension of S = span vs, and the projection u ↦ (u_c)_{c∈R} is
// injective on S, so every linear question about vectors of S can be asked
// in the |R| coordinates R. It also reports whether v lies in S (true when v
// is nil).
//
// Rows are scaled to integers one by one (which changes neither S nor the
// pivots) and eliminated fraction-free (Bareiss, with row pivoting and
// columns without a pivot skipped): every division is exact and the
// entries stay minors of the scaled matrix. v is carried as a last row that
// is never a pivot, so it reduces to zero exactly when v ∈ S.
func SpanCoordinates(vs []Vec, d int, v Vec) (coords []int, inSpan bool) {
	q := len(vs)
	rows := make([][]big.Int, q, q+1)
	for i, x := range vs {
		rows[i] = intRow(x, d)
	}
	if v != nil {
		rows = append(rows, intRow(v, d))
	}
	prev := big.NewInt(1)
	var t, u big.Int
	r := 0 // rows 0..r−1 are pivot rows
	for c := 0; c < d && r < q; c++ {
		p := -1
		for i := r; i < q; i++ {
			if rows[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[r], rows[p] = rows[p], rows[r]
		coords = append(coords, c)
		piv := rows[r]
		one := prev.IsInt64() && prev.Int64() == 1
		for i := r + 1; i < len(rows); i++ {
			ri := rows[i]
			f := &ri[c]
			for cc := c + 1; cc < d; cc++ {
				// ri[cc] = (piv[c]·ri[cc] − ri[c]·piv[cc]) / prev
				switch {
				case f.Sign() == 0:
					if ri[cc].Sign() == 0 {
						continue
					}
					ri[cc].Mul(&ri[cc], &piv[c])
				case piv[cc].Sign() == 0:
					if ri[cc].Sign() == 0 {
						continue
					}
					ri[cc].Mul(&ri[cc], &piv[c])
				default:
					t.Mul(&piv[c], &ri[cc])
					u.Mul(f, &piv[cc])
					ri[cc].Sub(&t, &u)
				}
				if !one {
					ri[cc].Quo(&ri[cc], prev)
				}
			}
			f.SetInt64(0)
		}
		prev = &piv[c]
		r++
	}
	inSpan = true
	if v != nil {
		for c := range rows[q] {
			if rows[q][c].Sign() != 0 {
				inSpan = false
				break
			}
		}
	}
	return coords, inSpan
}

// intRow returns c·x as integers for the least common multiple c of x's
// denominators.
func intRow(x Vec, d int) []big.Int {
	out := make([]big.Int, d)
	// Denominators that are powers of two (float-derived data): the least
	// common multiple is the largest, and the scaling a shift.
	maxTZ, dyadic := uint(0), true
	for _, e := range x[:d] {
		if e.Sign() == 0 || e.IsInt() {
			continue
		}
		q := e.Denom()
		tz := q.TrailingZeroBits()
		if int(tz) != q.BitLen()-1 {
			dyadic = false
			break
		}
		maxTZ = max(maxTZ, tz)
	}
	if dyadic {
		for c, e := range x[:d] {
			if e.Sign() == 0 {
				continue
			}
			sh := maxTZ
			if !e.IsInt() {
				sh -= e.Denom().TrailingZeroBits()
			}
			out[c].Lsh(e.Num(), sh)
		}
		return out
	}
	l := big.NewInt(1)
	var g big.Int
	for _, e := range x[:d] {
		if !e.IsInt() {
			g.GCD(nil, nil, l, e.Denom())
			l.Mul(l, g.Quo(e.Denom(), &g))
		}
	}
	for c, e := range x[:d] {
		if e.Sign() == 0 {
			continue
		}
		out[c].Quo(l, e.Denom())
		out[c].Mul(&out[c], e.Num())
	}
	return out
}
