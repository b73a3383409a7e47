package exact

import (
	"math/big"
	"math/bits"
)

// RowResidues reduces rows of rationals modulo a fixed list of primes
// (odd, < 2³¹) into one slice per prime, by Barrett reduction.
type RowResidues struct {
	*Residues
	mod []Modulus
}

// NewRowResidues prepares reduction modulo the given primes.
func NewRowResidues(ps []uint64) *RowResidues {
	r := &RowResidues{Residues: NewResidues(ps), mod: make([]Modulus, len(ps))}
	for t, p := range ps {
		r.mod[t] = NewModulus(p)
	}
	return r
}

// Row writes the residues of the entries of v modulo every prime:
// dst[t][off+c] = v[c] mod P[t]. Every prime must divide no denominator
// of v (the result is unspecified otherwise). An entry whose numerator
// fits in one word and whose denominator is a power of two (float-derived
// data) is reduced by one word remainder and a table of inverse powers of
// two; any other entry goes through Rat.
func (r *RowResidues) Row(v Vec, dst [][]uint64, off int) {
	var buf []uint64
	var bad []bool
	for c, x := range v {
		num, den := x.Num(), x.Denom()
		nw, dw := num.Bits(), den.Bits()
		if len(nw) <= 1 && len(dw) == 1 && bits.OnesCount(uint(dw[0])) == 1 {
			var a uint64
			if len(nw) == 1 {
				a = uint64(nw[0])
			}
			e := bits.TrailingZeros(uint(dw[0]))
			neg := num.Sign() < 0
			for t, md := range r.mod {
				p := md.P
				u := md.Reduce(a)
				if e > 0 {
					u = md.MulMod(u, r.invPow2(t, e))
				}
				if neg && u != 0 {
					u = p - u
				}
				dst[t][off+c] = u
			}
			continue
		}
		if buf == nil {
			buf, bad = make([]uint64, len(r.P)), make([]bool, len(r.P))
		}
		r.Rat(x, buf, bad)
		for t := range r.P {
			dst[t][off+c] = buf[t]
		}
	}
}

// DenominatorBits returns the least common multiple D of the denominators
// of the entries of vs (1 for none) and an integer e with |x| < 2^e for
// every entry x (a very negative value when all are 0), as
// CommonDenominator and MagnitudeBits would, in one pass without copying
// the entries.
func DenominatorBits(vs []Vec) (*big.Int, int) {
	e := -1 << 30
	maxTZ := uint(0)
	dyadic := true
	for _, v := range vs {
		for _, x := range v {
			if x.Sign() == 0 {
				continue
			}
			num, den := x.Num(), x.Denom()
			if b := num.BitLen() - den.BitLen() + 1; b > e {
				e = b
			}
			if !dyadic {
				continue
			}
			if dw := den.Bits(); len(dw) == 1 {
				if dw[0] == 1 {
					continue
				}
				if bits.OnesCount(uint(dw[0])) == 1 {
					maxTZ = max(maxTZ, uint(bits.TrailingZeros(uint(dw[0]))))
					continue
				}
			}
			if tz := den.TrailingZeroBits(); int(tz) == den.BitLen()-1 {
				maxTZ = max(maxTZ, tz)
				continue
			}
			dyadic = false
		}
	}
	if dyadic {
		return new(big.Int).Lsh(big.NewInt(1), maxTZ), e
	}
	var all []*big.Rat
	for _, v := range vs {
		all = append(all, v...)
	}
	return CommonDenominator(all), e
}
