package verify

import (
	"bytes"
	"encoding/binary"
	"math"
	"sync"

	"github.com/relucert/relucert/exact"
)

// lineKey tells lineGroups how to group nonzero samples by the line
// through the origin that holds them: key(buf, i) appends a key that is
// equal for any two samples on one line (equal keys need not mean one
// line), and same(i, j) decides exactly whether samples i and j are on one
// line; exact(buf, i) appends a key that is equal iff the samples are on
// one line (for the rare samples whose keys are equal off their line).
type lineKey struct {
	key, exact func(buf []byte, i int) []byte
	same       func(i, j int) bool
}

// exactLineKey returns the lineKey of keys that are equal iff the samples
// are on one line (same compares the keys); eq, when not nil, is a quicker
// test that may only say true for samples on one line (equal inputs).
func exactLineKey(key func(buf []byte, i int) []byte, eq func(i, j int) bool) lineKey {
	pool := sync.Pool{New: func() any { return new([2][]byte) }}
	return lineKey{key: key, exact: key, same: func(i, j int) bool {
		if eq != nil && eq(i, j) {
			return true
		}
		b := pool.Get().(*[2][]byte)
		b[0], b[1] = key(b[0][:0], i), key(b[1][:0], j)
		on := bytes.Equal(b[0], b[1])
		pool.Put(b)
		return on
	}}
}

// floatLineKey returns the lineKey of float rows (rows(i): sample i's
// entries, all float64s, not all zero; exact: a key equal iff one line,
// computed only for samples whose quick keys are equal off their line,
// which is rare — x and y on different lines whose every quotient x_c/x_p
// and y_c/y_p rounds alike): the key is the first nonzero
// coordinate p and the quotients fl(x_c/x_p), c > p; same tests x_c·y_p =
// y_c·x_p for every c in integers (exact.FloatCollinear).
//
// The key is equal on a line. If y = λx (λ ≠ 0, either sign) then x and y
// have the same zero coordinates, so the same p, and y_c/y_p = x_c/x_p as
// rationals. IEEE 754 division is correctly rounded: fl(a/b) is round(a/b),
// a function of the exact rational a/b alone — including a quotient that
// overflows (round gives ±Inf for every rational of magnitude at least
// MaxFloat64 + ½ulp) or underflows (gradual underflow rounds the rational
// to a subnormal or to ±0, again a function of the rational). So
// fl(y_c/y_p) = fl(x_c/x_p) bit for bit, NaN cannot occur (x_p ≠ 0 and the
// entries are finite), and writing every zero quotient as +0 only merges
// keys. The quotient is converted explicitly (float64(…)) so that the
// compiler cannot fuse it with anything (the Go spec rounds an explicit
// conversion to the type's precision). The key is a hash filter only:
// equal keys go to same, which decides.
func floatLineKey(rows func(i int) []float64, exactKey func(buf []byte, i int) []byte) lineKey {
	return lineKey{
		exact: exactKey,
		key: func(buf []byte, i int) []byte {
			x := rows(i)
			p := 0
			for p < len(x) && x[p] == 0 {
				p++
			}
			buf = binary.LittleEndian.AppendUint32(buf, uint32(p))
			if p == len(x) {
				return buf
			}
			xp := x[p]
			for _, xc := range x[p+1:] {
				q := float64(xc / xp)
				if q == 0 {
					q = 0 // −0 → +0
				}
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(q))
			}
			return buf
		},
		same: func(i, j int) bool {
			return exact.FloatCollinear(rows(i), rows(j))
		},
	}
}
