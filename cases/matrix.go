package cases

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/relucert/relucert/exact"
)

// This file holds the data matrices of a case (exact.RatMat): building one
// as its rows are read, copying columns of one, and writing its entries.

// matrixBuilder collects the entries of a matrix row by row, before the
// number of rows is known: float64 entries as they are, in chunks (no
// copy as the matrix grows), the others as rationals with their place.
type matrixBuilder struct {
	chunks [][]float64
	n      int
	rats   []ratEntry
}

// builderChunk is the length of a chunk of entries.
const builderChunk = 1 << 15

// ratEntry is an entry that is not a float64, at flat index at.
type ratEntry struct {
	at int
	r  *big.Rat
}

func (b *matrixBuilder) addFloat(v float64) {
	if b.n%builderChunk == 0 {
		b.chunks = append(b.chunks, make([]float64, 0, builderChunk))
	}
	last := &b.chunks[len(b.chunks)-1]
	*last = append(*last, v)
	b.n++
}

func (b *matrixBuilder) addRat(r *big.Rat) {
	b.rats = append(b.rats, ratEntry{b.n, r})
	b.addFloat(0)
}

// matrix returns the rows×cols matrix of the entries collected, row
// after row (rats are copied: exact.RatMat.Set stores the ones that are
// float64s as float64s).
func (b *matrixBuilder) matrix(rows, cols int) *exact.RatMat {
	m := exact.NewRatMat(rows, cols)
	if cols == 0 {
		return m
	}
	q, next := 0, 0
	for _, chunk := range b.chunks {
		for _, v := range chunk {
			i, j := q/cols, q%cols
			if next < len(b.rats) && b.rats[next].at == q {
				m.Set(i, j, b.rats[next].r)
				next++
			} else {
				m.SetFloat(i, j, v)
			}
			q++
		}
	}
	return m
}

// copyColumns returns the matrix of the first cols columns of src followed
// by extra columns of ones, sharing nothing with src.
func copyColumns(src *exact.RatMat, cols, extra int) *exact.RatMat {
	if cols == src.Cols() && extra == 0 {
		return src.Clone()
	}
	m := exact.NewRatMat(src.Rows(), cols+extra)
	for i := range src.Rows() {
		if row, ok := src.Floats(i); ok {
			for j, v := range row[:cols] {
				m.SetFloat(i, j, v)
			}
		} else {
			for j := range cols {
				if v, ok := src.Float(i, j); ok {
					m.SetFloat(i, j, v)
				} else {
					m.Set(i, j, src.At(i, j))
				}
			}
		}
		for j := cols; j < cols+extra; j++ {
			m.SetFloat(i, j, 1)
		}
	}
	return m
}

// FormatEntry returns entry (i, j) of m as FormatNumber writes it ("p/q"
// or "p").
func FormatEntry(m *exact.RatMat, i, j int) string {
	return string(appendEntry(nil, m, i, j))
}

// appendEntry appends FormatEntry(m, i, j) to b.
func appendEntry(b []byte, m *exact.RatMat, i, j int) []byte {
	if v, ok := m.Float(i, j); ok {
		return appendFloat(b, v)
	}
	return append(b, FormatNumber(m.At(i, j))...)
}

// appendFloat appends the finite float64 v as big.Rat.RatString writes
// it: v = ±μ·2^e with μ odd is "±μ·2^e" when e ≥ 0 and "±μ/2^−e"
// otherwise, in lowest terms.
func appendFloat(b []byte, v float64) []byte {
	if v == 0 {
		return append(b, '0')
	}
	fr, q := math.Frexp(math.Abs(v)) // |v| = fr·2^q, fr ∈ [1/2, 1)
	x := reduced(uint64(fr*(1<<53)), q-53, v < 0)
	if x.neg {
		b = append(b, '-')
	}
	switch {
	case x.e >= 0 && x.e+bits.Len64(x.mu) <= 64:
		return strconv.AppendUint(b, x.mu<<x.e, 10)
	case x.e < 0 && -x.e < 64:
		b = strconv.AppendUint(b, x.mu, 10)
		return strconv.AppendUint(append(b, '/'), uint64(1)<<uint(-x.e), 10)
	}
	r := new(big.Rat).SetFloat64(math.Abs(v))
	return append(b, r.RatString()...)
}
