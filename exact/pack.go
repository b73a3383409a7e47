package exact

import "math/big"

// Pack moves the numbers of the vectors vs into shared storage: one array
// of big.Rat for all of them and one array of words for all their
// numerators and denominators, each number's words without spare capacity.
// The values are unchanged; the vectors hold new pointers (a pointer to an
// old entry keeps the old number, which Pack does not change).
//
// A vector of numbers made one at a time (big.Rat.SetFloat64, SetString,
// arithmetic) holds, per number, a pointer (8 bytes), the big.Rat (64
// bytes) and two word slices that math/big allocates with spare capacity
// (48 bytes each for one-word numbers): 168 bytes for a float's 8, and a
// million weights cost 160 MiB. Packed they cost 88 bytes each (the
// pointer, the big.Rat and their words).
//
// Arithmetic on a packed number stays its own: an operation that fits
// writes into the number's own words, one that does not allocates new
// ones (the slices have no capacity beyond their length), as for any
// big.Rat.
func Pack(vs []Vec) {
	nr, nw := 0, 0
	for _, v := range vs {
		nr += len(v)
		for _, x := range v {
			nw += len(x.Num().Bits()) + len(x.Denom().Bits())
		}
	}
	rats := make([]big.Rat, nr)
	words := make([]big.Word, nw)
	// own gives z its own copy of its words, from words, without spare
	// capacity (SetBits keeps the slice it is given; it clears the sign).
	own := func(z *big.Int) {
		ws := z.Bits()
		t := words[:len(ws):len(ws)]
		words = words[len(ws):]
		copy(t, ws)
		neg := z.Sign() < 0
		z.SetBits(t)
		if neg {
			z.Neg(z)
		}
	}
	for _, v := range vs {
		for i, x := range v {
			z := &rats[0]
			rats = rats[1:]
			// z shares x's words until own replaces them: the numerator
			// always, the denominator when it is a reference to z's (it
			// is not only for a zero-value x, whose denominator is 1).
			*z = *x
			own(z.Num())
			own(z.Denom())
			v[i] = z
		}
	}
}
