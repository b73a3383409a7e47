package cases

import (
	"fmt"
	"time"
)

// Default limits of Limits: far above what a real case needs, low enough
// that one hostile or mistyped file cannot exhaust memory or make a check
// run for minutes. README "Limits" lists them with the flags that raise
// them.
const (
	// DefaultMaxBits bounds the bit size of the numerator and of the
	// denominator of every number, and of the common denominator of each
	// group of numbers (inputs, targets, the neurons' w, their a, the output
	// bias, the activation's slopes): 4096 bits, about 1233 decimal digits.
	// Every float64 written exactly (subnormals included: denominators up
	// to 2^1074) is well inside it.
	DefaultMaxBits = 4096
	// DefaultMaxValues bounds how many values a case file holds: every
	// number counts one, and so does every row of inputs and targets and
	// every neuron. 2^22 values, about 4.2 million: a data set of a
	// million samples with d = 1 (three million values) fits.
	DefaultMaxValues = 1 << 22
	// bytesPerValue scales the file-size limit with MaxValues: a case file
	// may hold up to bytesPerValue bytes per allowed value (MaxFileSize,
	// 64 MiB, with the default).
	bytesPerValue = 16
)

// MaxFileSize bounds the size of a case file with the default limits (see
// Limits.FileSize).
const MaxFileSize = bytesPerValue * DefaultMaxValues

// Limits bounds what a case file may hold. A zero field means its default;
// Load, Parse and the catalogue use the defaults. An input over a limit is
// rejected with an *Error naming the file, the field and the index, and
// the limit.
type Limits struct {
	// MaxBits bounds the bits of every numerator and denominator, and of
	// the common denominator of each group of numbers, which is what the
	// exact engine's integer arithmetic works with (DefaultMaxBits when 0).
	MaxBits int
	// MaxValues bounds the numbers, rows and neurons of a file
	// (DefaultMaxValues when 0). It also sets the file-size limit.
	MaxValues int
	// Deadline, when not zero, is when reading gives up: the error then
	// names the field reached and wraps exact.ErrBudget (a time budget ran
	// out; the file is not known to be bad).
	Deadline time.Time
}

// resolved returns l with every zero field set to its default.
func (l Limits) resolved() Limits {
	if l.MaxBits <= 0 {
		l.MaxBits = DefaultMaxBits
	}
	if l.MaxValues <= 0 {
		l.MaxValues = DefaultMaxValues
	}
	return l
}

// FileSize is the largest case file, in bytes, that l allows: 16 bytes
// per allowed value, and never less than MaxFileSize (64 MiB).
func (l Limits) FileSize() int64 {
	l = l.resolved()
	return max(int64(MaxFileSize), int64(bytesPerValue)*int64(l.MaxValues))
}

// String describes l as the flags that set it.
func (l Limits) String() string {
	l = l.resolved()
	return fmt.Sprintf("--max-bits %d --max-values %d", l.MaxBits, l.MaxValues)
}

// tooLarge formats the file-size limit message.
func (l Limits) tooLarge(size int64) error {
	return fmt.Errorf("file is %.1f MiB, larger than the limit of %d MiB for a case file (--max-values raises it: %d bytes per value)",
		float64(size)/(1<<20), l.FileSize()>>20, bytesPerValue)
}
