package exact

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
)

// RatMat is an r×c matrix over Q held compactly: an entry that is exactly a
// float64 (a dyadic rational with a 53-bit significand in float64's range —
// every number of float-derived data) is stored as that float64, 8 bytes;
// any other entry goes to a side table: a dyadic rational ν/2^e (a sum or
// product of floats, such as a target computed exactly from float data) as
// its numerator's words and e, about 16 bytes plus the words; a fraction
// whose numerator and denominator fit a word (a short decimal such as
// 0.123) as those two words, 16 bytes; any other rational as a *big.Rat. A data set read from a float32/float64 file thus
// costs what its float64 copy costs, against about 90 bytes per number as
// big.Rat.
//
// The matrix is a value of Q^{r×c}: its entries are read through At, Row
// and Float, which return fresh copies or exact float64s, never a pointer
// into the storage. The zero value and nil are the 0×0 matrix.
type RatMat struct {
	r, c int
	// f holds entry (i, j) at f[i·c+j]: the entry itself when it is a
	// float64, else a NaN whose payload names the entry in the side table
	// (the entries are rationals, never NaN, so the two cannot be
	// confused): index t of dy when the payload's dyadicBit is set, of ext
	// otherwise.
	f   []float64
	ext []*big.Rat
	dy  []dyadic
	fr  []fraction
	// words holds the numerators of dy.
	words []big.Word
	// nonFloat[i] counts the entries of row i held in the side table; live
	// counts them all (released slots are left unused).
	nonFloat []int32
	live     int
}

// dyadic is a side-table entry ±ν/2^e (e ≥ 0; ν = words[off:off+n] > 0,
// the numerator of the rational in lowest terms).
type dyadic struct {
	off uint32
	n   uint16
	neg bool
	e   int32
}

// fraction is a side-table entry num/den in lowest terms whose numerator
// and denominator fit a word (den > 1 not a power of two: a short
// decimal such as 0.123, or p/q written by hand), 16 bytes.
type fraction struct {
	num int64
	den uint64
}

// nanBox is the quiet-NaN pattern whose low 51 bits carry the side-table
// payload: dyadicBit or fractionBit (or neither: ext), and the index in
// the low 49 bits.
const (
	nanBox      = 0x7ff8_0000_0000_0000
	nanPayload  = 1<<51 - 1
	dyadicBit   = 1 << 50
	fractionBit = 1 << 49
	indexMask   = fractionBit - 1
)

// side returns the side-table entry boxed in the NaN v. It is m's own
// rational for an ext entry and a new one otherwise: the caller reads it
// and never writes into it.
func (m *RatMat) side(v float64) *big.Rat {
	t := math.Float64bits(v) & nanPayload
	switch {
	case t&fractionBit != 0:
		f := m.fr[t&indexMask]
		x := new(big.Rat).SetFrac64(1, 3) // a denominator to write into
		x.Num().SetInt64(f.num)
		x.Denom().SetUint64(f.den) // in lowest terms already
		return x
	case t&dyadicBit == 0:
		return m.ext[t]
	}
	num, neg, e := m.dyadicParts(t)
	x := new(big.Rat)
	if e == 0 {
		x.SetInt(new(big.Int).SetBits(slices.Clone(num)))
	} else {
		x.SetFrac64(1, 2) // a denominator to write into (ν odd: lowest terms)
		x.Num().SetBits(slices.Clone(num))
		x.Denom().Lsh(x.Denom().SetUint64(1), uint(e))
	}
	if neg {
		x.Neg(x)
	}
	return x
}

// dyadicParts returns the numerator's words (m's storage: read only), the
// sign and e of the dyadic side-table entry with payload t.
func (m *RatMat) dyadicParts(t uint64) ([]big.Word, bool, int) {
	d := m.dy[t&indexMask]
	return m.words[d.off : d.off+uint32(d.n) : d.off+uint32(d.n)], d.neg, int(d.e)
}

// sideParts returns, for the side-table entry boxed in v, its numerator's
// magnitude words, its sign and e when it is dyadic (x = ±ν/2^e), with ok;
// ok is false for another rational.
func (m *RatMat) sideParts(v float64) (num []big.Word, neg bool, e int, ok bool) {
	t := math.Float64bits(v) & nanPayload
	if t&dyadicBit != 0 {
		num, neg, e = m.dyadicParts(t)
		return num, neg, e, true
	}
	if t&fractionBit != 0 {
		return nil, false, 0, false // den > 1 is not a power of two
	}
	x := m.ext[t]
	if !x.IsInt() {
		den := x.Denom()
		tz := den.TrailingZeroBits()
		if int(tz) != den.BitLen()-1 {
			return nil, false, 0, false
		}
		e = int(tz)
	}
	return x.Num().Bits(), x.Sign() < 0, e, true
}

// NewRatMat returns the r×c zero matrix.
func NewRatMat(r, c int) *RatMat {
	if r < 0 || c < 0 {
		panic(fmt.Sprintf("exact: NewRatMat(%d, %d)", r, c))
	}
	return &RatMat{r: r, c: c, f: make([]float64, r*c), nonFloat: make([]int32, r)}
}

// RatMatOf returns the matrix whose rows are the given vectors (the 0×0
// matrix for none). The rows must have one length; the numbers are copied.
func RatMatOf(rows []Vec) *RatMat {
	c := 0
	if len(rows) > 0 {
		c = len(rows[0])
	}
	m := NewRatMat(len(rows), c)
	for i, v := range rows {
		m.SetRow(i, v)
	}
	return m
}

// Rows returns r, the number of rows (0 for nil).
func (m *RatMat) Rows() int {
	if m == nil {
		return 0
	}
	return m.r
}

// Cols returns c, the number of columns (0 for nil).
func (m *RatMat) Cols() int {
	if m == nil {
		return 0
	}
	return m.c
}

// Float returns entry (i, j) and true when it is exactly a float64;
// otherwise 0 and false.
func (m *RatMat) Float(i, j int) (float64, bool) {
	v := m.f[m.index(i, j)]
	if v != v {
		return 0, false
	}
	return v, true
}

// At returns entry (i, j) as a new rational.
func (m *RatMat) At(i, j int) *big.Rat {
	v := m.f[m.index(i, j)]
	if v != v {
		return new(big.Rat).Set(m.side(v))
	}
	return ratOfFloat(v)
}

// ratOfFloat returns the finite float64 v as a rational, without the gcd
// of big.Rat.SetFloat64: v = ±μ·2^q with μ odd is already in lowest terms,
// so the numerator and denominator are written in place (Num and Denom
// are references to them).
func ratOfFloat(v float64) *big.Rat {
	x := new(big.Rat)
	if v == 0 {
		return x
	}
	fr, q := math.Frexp(math.Abs(v)) // |v| = fr·2^q, fr ∈ [1/2, 1)
	mu := uint64(fr * (1 << 53))
	tz := bits.TrailingZeros64(mu)
	mu >>= tz
	q += tz - 53 // |v| = μ·2^q
	if q >= 0 {
		x.Num().Lsh(x.Num().SetUint64(mu), uint(q))
	} else {
		x.SetFrac64(1, 2) // a denominator to write into
		x.Num().SetUint64(mu)
		x.Denom().Lsh(x.Denom().SetUint64(1), uint(-q))
	}
	if v < 0 {
		x.Neg(x)
	}
	return x
}

// Row returns row i as a new vector: writing into it leaves m unchanged.
func (m *RatMat) Row(i int) Vec {
	v := make(Vec, m.c)
	for j := range v {
		v[j] = m.At(i, j)
	}
	return v
}

// Floats returns the stored row i and true when every entry of the row is
// a float64 (false otherwise). The slice is m's storage: read it, never
// write into it.
func (m *RatMat) Floats(i int) ([]float64, bool) {
	if i < 0 || i >= m.r {
		panic(fmt.Sprintf("exact: row %d of a %d×%d RatMat", i, m.r, m.c))
	}
	if m.nonFloat[i] != 0 {
		return nil, false
	}
	return m.f[i*m.c : (i+1)*m.c : (i+1)*m.c], true
}

// AllFloat reports whether every entry is a float64 (then Floats succeeds
// on every row).
func (m *RatMat) AllFloat() bool { return m == nil || m.live == 0 }

// Set sets entry (i, j) to x (copied).
func (m *RatMat) Set(i, j int, x *big.Rat) {
	q := m.index(i, j)
	m.release(i, q)
	if v, ok := exactFloat(x); ok {
		if v == 0 {
			v = 0 // never −0
		}
		m.f[q] = v
		return
	}
	m.nonFloat[i]++
	m.live++
	if num := x.Num().Bits(); len(num) <= math.MaxUint16 && len(m.words)+len(num) <= math.MaxUint32 && len(m.dy) < fractionBit {
		den := x.Denom()
		if tz := den.TrailingZeroBits(); int(tz) == den.BitLen()-1 && tz <= math.MaxInt32 {
			m.f[q] = math.Float64frombits(nanBox | dyadicBit | uint64(len(m.dy)))
			m.dy = append(m.dy, dyadic{off: uint32(len(m.words)), n: uint16(len(num)), neg: x.Sign() < 0, e: int32(tz)})
			m.words = append(m.words, num...)
			return
		}
	}
	if num, den := x.Num(), x.Denom(); num.IsInt64() && den.IsUint64() && len(m.fr) < fractionBit {
		m.f[q] = math.Float64frombits(nanBox | fractionBit | uint64(len(m.fr)))
		m.fr = append(m.fr, fraction{num.Int64(), den.Uint64()})
		return
	}
	if len(m.ext) >= fractionBit {
		panic("exact: RatMat side table full")
	}
	m.f[q] = math.Float64frombits(nanBox | uint64(len(m.ext)))
	m.ext = append(m.ext, new(big.Rat).Set(x))
}

// exactFloat returns x as a float64 and true when x is exactly one.
// big.Rat.Float64 reports a result that underflowed to 0 as exact, so
// 0 and the subnormal range are confirmed by converting back.
func exactFloat(x *big.Rat) (float64, bool) {
	if x.Sign() == 0 {
		return 0, true
	}
	// Fast path without big.Rat.Float64 (whose quotient allocates: ~180 B
	// per number when the engine converts a network's weights): ν/2^e with
	// |ν| < 2^53 and e ≤ 1022 is a normal float64 (|ν/2^e| ≥ 2^-1022), so
	// float64(ν)·2^-e is exact.
	if num, den := x.Num(), x.Denom(); num.BitLen() <= 53 && den.BitLen() <= 1023 && int(den.TrailingZeroBits()) == den.BitLen()-1 {
		return math.Ldexp(float64(num.Int64()), 1-den.BitLen()), true
	}
	v, ok := x.Float64()
	if !ok || math.IsInf(v, 0) {
		return 0, false
	}
	if math.Abs(v) < 0x1p-1022 && (v == 0) != (x.Sign() == 0) {
		return 0, false
	}
	if v != 0 && math.Abs(v) < 0x1p-1022 && ratOfFloat(v).Cmp(x) != 0 {
		return 0, false
	}
	return v, true
}

// SetFloat sets entry (i, j) to the finite float64 v.
func (m *RatMat) SetFloat(i, j int, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		panic(fmt.Sprintf("exact: RatMat.SetFloat(%d, %d, %v)", i, j, v))
	}
	q := m.index(i, j)
	m.release(i, q)
	if v == 0 {
		v = 0
	}
	m.f[q] = v
}

// release forgets the side-table entry held at flat index q of row i, if
// any (its slot in ext is left unused).
func (m *RatMat) release(i, q int) {
	if v := m.f[q]; v != v {
		if t := math.Float64bits(v) & nanPayload; t&(dyadicBit|fractionBit) == 0 {
			m.ext[t] = nil
		}
		m.nonFloat[i]--
		m.live--
	}
}

// SetRow sets row i to v (copied); len(v) must be c.
func (m *RatMat) SetRow(i int, v Vec) {
	if len(v) != m.c {
		panic(fmt.Sprintf("exact: SetRow of a length-%d vector in a %d×%d RatMat", len(v), m.r, m.c))
	}
	for j, x := range v {
		m.Set(i, j, x)
	}
}

// AppendRow returns m with v (copied) added as its last row, like the
// built-in append: m's storage is reused when it has room. A nil m becomes
// a 1×len(v) matrix; otherwise len(v) must be c.
func (m *RatMat) AppendRow(v Vec) *RatMat {
	if m == nil {
		m = &RatMat{c: len(v)}
	}
	if len(v) != m.c {
		panic(fmt.Sprintf("exact: AppendRow of a length-%d vector to a %d×%d RatMat", len(v), m.r, m.c))
	}
	m.f = append(m.f, make([]float64, m.c)...)
	m.nonFloat = append(m.nonFloat, 0)
	m.r++
	m.SetRow(m.r-1, v)
	return m
}

// Select returns rows idx[0], idx[1], … as new vectors, in that order.
func (m *RatMat) Select(idx []int) Mat {
	rows := make(Mat, len(idx))
	for r, i := range idx {
		rows[r] = m.Row(i)
	}
	return rows
}

// SetRowFrom sets row i of m to row j of src (of the same width), reading
// float64 entries as they are stored.
func (m *RatMat) SetRowFrom(i int, src *RatMat, j int) {
	if src.c != m.c {
		panic(fmt.Sprintf("exact: SetRowFrom a width-%d row into a %d×%d RatMat", src.c, m.r, m.c))
	}
	if row, ok := src.Floats(j); ok {
		for q, v := range row {
			m.SetFloat(i, q, v)
		}
		return
	}
	for q := range m.c {
		if v, ok := src.Float(j, q); ok {
			m.SetFloat(i, q, v)
		} else {
			m.Set(i, q, src.side(src.f[j*src.c+q]))
		}
	}
}

// Vecs returns the rows as new vectors.
func (m *RatMat) Vecs() []Vec {
	rows := make([]Vec, m.Rows())
	for i := range rows {
		rows[i] = m.Row(i)
	}
	return rows
}

// Slice returns rows lo ≤ i < hi as a matrix sharing m's storage (setting
// an entry of one sets it in the other; prefer not to).
func (m *RatMat) Slice(lo, hi int) *RatMat {
	if lo < 0 || hi < lo || hi > m.r {
		panic(fmt.Sprintf("exact: Slice(%d, %d) of a %d×%d RatMat", lo, hi, m.r, m.c))
	}
	s := &RatMat{r: hi - lo, c: m.c, f: m.f[lo*m.c : hi*m.c : hi*m.c], ext: m.ext, dy: m.dy, fr: m.fr, words: m.words, nonFloat: m.nonFloat[lo:hi:hi]}
	for _, k := range s.nonFloat {
		s.live += int(k)
	}
	return s
}

// Clone returns a copy of m that shares nothing with it.
func (m *RatMat) Clone() *RatMat {
	if m == nil {
		return nil
	}
	q := NewRatMat(m.r, m.c)
	for i := range m.r {
		if row, ok := m.Floats(i); ok {
			copy(q.f[i*m.c:], row)
			continue
		}
		for j := range m.c {
			if v, ok := m.Float(i, j); ok {
				q.f[i*m.c+j] = v
			} else {
				q.Set(i, j, m.side(m.f[i*m.c+j]))
			}
		}
	}
	return q
}

// Equal reports whether m and o are the same matrix (same shape, equal
// entries).
func (m *RatMat) Equal(o *RatMat) bool {
	if m.Rows() != o.Rows() || m.Cols() != o.Cols() {
		return false
	}
	for i := range m.Rows() {
		for j := range m.Cols() {
			a, aok := m.Float(i, j)
			b, bok := o.Float(i, j)
			switch {
			case aok && bok:
				if a != b {
					return false
				}
			case aok != bok:
				return false // a float64 entry and one that is not differ
			default:
				if m.side(m.f[i*m.c+j]).Cmp(o.side(o.f[i*o.c+j])) != 0 {
					return false
				}
			}
		}
	}
	return true
}

// IsZeroRow reports whether row i is 0.
func (m *RatMat) IsZeroRow(i int) bool {
	for j := range m.c {
		if !m.IsZeroAt(i, j) {
			return false
		}
	}
	return true
}

// IsZeroAt reports whether entry (i, j) is 0.
func (m *RatMat) IsZeroAt(i, j int) bool {
	v := m.f[m.index(i, j)]
	if v != v {
		return m.side(v).Sign() == 0
	}
	return v == 0
}

// DenominatorBits returns the least common multiple D of the denominators
// of the entries (1 for none) and an integer e with |x| < 2^e for every
// entry x (a very negative value when all are 0), as the function
// DenominatorBits does for vectors. Float64 entries are read from their
// bits: x = μ·2^(q−53) with an integer μ < 2^53 has denominator
// 2^max(0, 53−q−tz(μ)) and |x| < 2^q.
func (m *RatMat) DenominatorBits() (*big.Int, int) {
	e, sh := -1<<30, 0
	for _, v := range m.f {
		if v != v || v == 0 {
			continue
		}
		_, q := math.Frexp(v) // |v| < 2^q
		e = max(e, q)
		sh = max(sh, floatDenExp(v))
	}
	var live Vec
	for _, v := range m.f {
		if v != v {
			if num, _, de, ok := m.sideParts(v); ok {
				// ν/2^de, ν ≥ 1: denominator 2^de, |x| < 2^(bits(ν)−de).
				sh = max(sh, de)
				e = max(e, new(big.Int).SetBits(num).BitLen()-de)
				continue
			}
			live = append(live, m.side(v))
		}
	}
	D := new(big.Int).Lsh(big.NewInt(1), uint(sh))
	if len(live) == 0 {
		return D, e
	}
	De, ee := DenominatorBits([]Vec{live})
	g := new(big.Int).GCD(nil, nil, D, De)
	return D.Mul(D.Div(D, g), De), max(e, ee)
}

// index returns the flat index of entry (i, j), panicking out of range.
func (m *RatMat) index(i, j int) int {
	if i < 0 || i >= m.r || j < 0 || j >= m.c {
		panic(fmt.Sprintf("exact: entry (%d, %d) of a %d×%d RatMat", i, j, m.r, m.c))
	}
	return i*m.c + j
}

// ratMatGobVersion is the first byte of RatMat's gob encoding.
const ratMatGobVersion = 1

// GobEncode implements gob.GobEncoder: the shape, then each entry as a tag
// byte (0: a float64, its 8 bytes follow; 1: a rational, its big.Rat gob
// encoding follows, length-prefixed).
func (m *RatMat) GobEncode() ([]byte, error) {
	b := []byte{ratMatGobVersion}
	b = binary.AppendUvarint(b, uint64(m.Rows()))
	b = binary.AppendUvarint(b, uint64(m.Cols()))
	for i := range m.Rows() {
		for j := range m.Cols() {
			if v, ok := m.Float(i, j); ok {
				b = binary.LittleEndian.AppendUint64(append(b, 0), math.Float64bits(v))
				continue
			}
			e, err := m.side(m.f[i*m.c+j]).GobEncode()
			if err != nil {
				return nil, err
			}
			b = append(binary.AppendUvarint(append(b, 1), uint64(len(e))), e...)
		}
	}
	return b, nil
}

// GobDecode implements gob.GobDecoder.
func (m *RatMat) GobDecode(b []byte) error {
	if len(b) == 0 || b[0] != ratMatGobVersion {
		return fmt.Errorf("exact: RatMat.GobDecode: bad version")
	}
	b = b[1:]
	next := func() (uint64, error) {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return 0, fmt.Errorf("exact: RatMat.GobDecode: truncated")
		}
		b = b[k:]
		return v, nil
	}
	r, err := next()
	if err != nil {
		return err
	}
	c, err := next()
	if err != nil {
		return err
	}
	if c != 0 && r > uint64(len(b))/c || r > math.MaxInt32 || c > math.MaxInt32 {
		return fmt.Errorf("exact: RatMat.GobDecode: %d×%d does not fit the data", r, c)
	}
	q := NewRatMat(int(r), int(c))
	for i := range q.r {
		for j := range q.c {
			if len(b) == 0 {
				return fmt.Errorf("exact: RatMat.GobDecode: truncated")
			}
			tag := b[0]
			b = b[1:]
			switch tag {
			case 0:
				if len(b) < 8 {
					return fmt.Errorf("exact: RatMat.GobDecode: truncated")
				}
				v := math.Float64frombits(binary.LittleEndian.Uint64(b))
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("exact: RatMat.GobDecode: entry (%d, %d) is not finite", i, j)
				}
				q.SetFloat(i, j, v)
				b = b[8:]
			case 1:
				l, err := next()
				if err != nil || l > uint64(len(b)) {
					return fmt.Errorf("exact: RatMat.GobDecode: truncated")
				}
				x := new(big.Rat)
				if err := x.GobDecode(b[:l]); err != nil {
					return fmt.Errorf("exact: RatMat.GobDecode: entry (%d, %d): %w", i, j, err)
				}
				q.Set(i, j, x)
				b = b[l:]
			default:
				return fmt.Errorf("exact: RatMat.GobDecode: entry (%d, %d): bad tag %d", i, j, tag)
			}
		}
	}
	*m = *q
	return nil
}
