package exact

import "math/bits"

// AddSelectedSums adds to each destination row t < T of dst the sum of the
// source rows of src selected for it. The S source rows are taken in
// chunks of g consecutive rows; sel[t·nc + c] (nc = ⌈S/g⌉) has bit b set
// when source row c·g + b is selected for destination t. Rows are width
// words long (entries of w words, two's complement, wrapping), at strides
// dstStride and srcStride. table is scratch of at least 2^g·width words.
//
// Per chunk it forms the 2^g sums of the subsets of the chunk's rows, one
// row addition each, and then adds one of them to each destination row (the
// method of the Four Russians): T·⌈S/g⌉ + ⌈S/g⌉·2^g row additions instead
// of up to T·S.
func AddSelectedSums(dst []uint64, dstStride, T int, src []uint64, srcStride, S, width int, sel []uint8, g, w int, table []uint64) {
	if T == 0 || S == 0 || width == 0 {
		return
	}
	nc := (S + g - 1) / g
	for c := 0; c < nc; c++ {
		rows := min(g, S-c*g)
		for s := 1; s < 1<<rows; s++ {
			b := bits.TrailingZeros(uint(s))
			prev := s &^ (1 << b)
			r := src[(c*g+b)*srcStride : (c*g+b)*srcStride+width]
			ts := table[s*width : (s+1)*width]
			if prev == 0 {
				copy(ts, r)
			} else {
				addWordsTo(ts, table[prev*width:(prev+1)*width], r, w)
			}
		}
		for t := 0; t < T; t++ {
			s := int(sel[t*nc+c])
			if s == 0 {
				continue
			}
			AddWords(dst[t*dstStride:t*dstStride+width], table[s*width:(s+1)*width], w)
		}
	}
}

// addWordsTo sets dst ← a + b entrywise for rows of entries of w words.
func addWordsTo(dst, a, b []uint64, w int) {
	switch w {
	case 1:
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
	case 2:
		a, b = a[:len(dst)], b[:len(dst)]
		for i := 0; i+1 < len(dst); i += 2 {
			var c uint64
			dst[i], c = bits.Add64(a[i], b[i], 0)
			dst[i+1], _ = bits.Add64(a[i+1], b[i+1], c)
		}
	default:
		for o := 0; o+w <= len(dst); o += w {
			var c uint64
			for q := 0; q < w; q++ {
				dst[o+q], c = bits.Add64(a[o+q], b[o+q], c)
			}
		}
	}
}
