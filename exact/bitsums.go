package exact

// AddBitSums adds to each destination row b < g of dst (rows at stride
// dstStride) the sum of the buckets s, 0 < s < 2^g, whose bit b is set:
// dst_b += Σ_{s : bit b of s is 1} bucket_s, where bucket s is row s of
// buckets (rows of width words, entries of w words, two's complement,
// wrapping). It is the transpose of the subset-sum table of
// AddSelectedSums: when bucket s holds the sum of the source rows whose g
// selection bits are s, dst_b receives the sum of the source rows that
// select b.
//
// It folds the buckets in place (their contents are lost): for b from
// g − 1 down to 0, dst_b takes the buckets in [2^b, 2^(b+1)), and then
// bucket s < 2^b takes bucket s + 2^b, so that bucket s holds the rows
// whose low b bits are s. Fewer than 2^(g+1) row additions in all, against
// g·2^(g−1) for the sums taken one by one.
func AddBitSums(dst []uint64, dstStride, g int, buckets []uint64, width, w int) {
	for b := g - 1; b >= 0; b-- {
		h := 1 << b
		d := dst[b*dstStride : b*dstStride+width]
		for s := h; s < 2*h; s++ {
			AddWords(d, buckets[s*width:(s+1)*width], w)
		}
		for s := 1; s < h; s++ {
			AddWords(buckets[s*width:(s+1)*width], buckets[(s+h)*width:(s+h+1)*width], w)
		}
	}
}
