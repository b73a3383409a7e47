package cases

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path/filepath"
	"strings"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// This file reads a data set (inputs and targets, no neurons) from the
// files a training script leaves behind, so that a point can be checked
// from --data and --weights without writing a case file.
//
// Accepted files:
//
//   - an .npz archive with the arrays X (n × d, or a vector of n numbers
//     when d = 1) and Y (n × k, or a vector of n numbers when k = 1);
//   - a pair of .npy files "X.npy,Y.npy" with the same arrays;
//   - a CSV file (name ending in .csv): comma-separated, one sample per
//     record, the last DataOptions.Targets columns (default 1) the targets
//     and the others the inputs. Lines starting with '#' are comments
//     (numpy.savetxt writes its header so); the first record is a header of
//     column names when any of its fields is not a number. Fields may be
//     quoted and padded with spaces. A .txt file is the same with fields
//     separated by spaces or tabs (numpy.savetxt's default) and '#'
//     starting a comment anywhere on a line. Numbers are read as the
//     case format reads them (decimal or p/q text, exactly) unless
//     DataOptions.Numbers says to take the nearest float64 or float32.
//
// Binary arrays (float64, float32 or float16) are taken exactly as stored:
// a float32 data set is the float32 values the network was trained on.
// Entries must be finite; shapes are checked against MaxEntries
// before allocating, and a CSV file against MaxFileSize.

// DataOptions say how a data file is read.
type DataOptions struct {
	// Targets is the number of target columns of a CSV file, the last ones
	// (0 means 1).
	Targets int
	// Numbers says how the text numbers of a CSV file are read.
	Numbers Numbers
}

// DataCase reads the data set of path (see the formats above) and returns
// a case with that data, the activation act, the input bias flag and no
// neurons (weights come from a file: see SetWeights). The case is named
// after the file. Errors are *WeightsError (binary files) or *Error (CSV)
// naming the file, the array or the line and column.
func DataCase(path string, act verify.Activation, bias bool, opt DataOptions) (c *Case, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, &WeightsError{File: path, Err: errors.New("malformed file (the reader failed on it)")}
		}
		// The array readers are shared with the weights files: name
		// the role this file was read in.
		var we *WeightsError
		if errors.As(err, &we) {
			we.Role = "data"
		}
	}()
	var inputs, targets *exact.RatMat
	switch ext := strings.ToLower(filepath.Ext(path)); {
	case strings.Contains(path, ","):
		inputs, targets, err = readDataPair(path)
	case ext == ".csv" || ext == ".txt":
		inputs, targets, err = readCSV(path, opt)
	default:
		inputs, targets, err = readDataNPZ(path)
	}
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	c = &Case{
		Name: name, File: path,
		Source:     "data read from " + path,
		Activation: act, Bias: bias,
		Inputs: inputs, Targets: targets,
	}
	if opt.Numbers != NumbersExact && (strings.HasSuffix(strings.ToLower(path), ".csv") || strings.HasSuffix(strings.ToLower(path), ".txt")) {
		c.Source += fmt.Sprintf(" (numbers read as the nearest %s values)", opt.Numbers)
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// readDataNPZ reads X and Y from an .npz archive.
func readDataNPZ(path string) (inputs, targets *exact.RatMat, err error) {
	arrays, closer, err := openArrays(path)
	if err != nil {
		return nil, nil, err
	}
	defer closer.Close()
	var x, y *array
	var other []string
	for _, a := range arrays {
		switch a.name {
		case "X":
			x = a
		case "Y":
			y = a
		default:
			other = append(other, a.name)
		}
	}
	if x == nil || y == nil || len(other) > 0 {
		return nil, nil, &WeightsError{File: path, Err: fmt.Errorf("a data file holds exactly the arrays X (n × d) and Y (n × k, or a vector of length n); found %s", sortedNames(arrays))}
	}
	return dataArrays(x, y)
}

// readDataPair reads "X.npy,Y.npy".
func readDataPair(path string) (inputs, targets *exact.RatMat, err error) {
	xf, yf, _ := strings.Cut(path, ",")
	if xf == "" || yf == "" || strings.Contains(yf, ",") {
		return nil, nil, &WeightsError{File: path, Err: errors.New(`want an .npz or .csv file or a pair "X.npy,Y.npy"`)}
	}
	x, xc, err := readNPYFile(xf)
	if err != nil {
		return nil, nil, err
	}
	defer xc.Close()
	y, yc, err := readNPYFile(yf)
	if err != nil {
		return nil, nil, err
	}
	defer yc.Close()
	x.name, y.name = "X", "Y"
	return dataArrays(x, y)
}

// dataArrays reads X and Y: a vector X is n samples of one input, a vector
// Y n targets of one output.
func dataArrays(x, y *array) (inputs, targets *exact.RatMat, err error) {
	if err := checkTotal(x.file, x, y); err != nil {
		return nil, nil, err
	}
	read := func(a *array) (*exact.RatMat, error) {
		m, err := readMatrix(a, "data")
		if err != nil {
			return nil, err
		}
		if m.vec { // n samples of one number
			out := exact.NewRatMat(len(m.rows[0]), 1)
			for i, v := range m.rows[0] {
				out.SetFloat(i, 0, v)
			}
			return out, nil
		}
		out := exact.NewRatMat(len(m.rows), len(m.rows[0]))
		for i, r := range m.rows {
			for j, v := range r {
				out.SetFloat(i, j, v) // exact: the stored float itself
			}
		}
		return out, nil
	}
	if inputs, err = read(x); err != nil {
		return nil, nil, err
	}
	if targets, err = read(y); err != nil {
		return nil, nil, err
	}
	if inputs.Rows() != targets.Rows() {
		return nil, nil, y.errorf("shape %s: %d samples, X has %d", shapeString(y.shape), targets.Rows(), inputs.Rows())
	}
	return inputs, targets, nil
}

// lineError is a syntax error at a line and column (0: the whole line).
type lineError struct {
	line, col int
	err       error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }

// csvRecords returns the records of a CSV stream with their line numbers
// (comments '#', quoted fields, leading spaces trimmed), io.EOF at the end.
func csvRecords(r io.Reader) func() ([]string, int, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1 // checked by the caller, with its message
	return func() ([]string, int, error) {
		rec, err := cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, 0, &lineError{pe.Line, pe.Column, pe.Err}
			}
			return nil, 0, err
		}
		line, _ := cr.FieldPos(0)
		return rec, line, nil
	}
}

// textRecords returns the records of a whitespace-separated stream
// (numpy.savetxt's default): fields split at runs of spaces and tabs,
// '#' starting a comment, blank lines skipped.
func textRecords(r io.Reader) func() ([]string, int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), MaxFileSize)
	line := 0
	return func() ([]string, int, error) {
		for sc.Scan() {
			line++
			text, _, _ := strings.Cut(sc.Text(), "#")
			if rec := strings.Fields(text); len(rec) > 0 {
				return rec, line, nil
			}
		}
		if err := sc.Err(); err != nil {
			return nil, 0, err
		}
		return nil, 0, io.EOF
	}
}

// readCSV reads a CSV data file (see the format above).
func readCSV(path string, opt DataOptions) (inputs, targets *exact.RatMat, err error) {
	k := opt.Targets
	if k == 0 {
		k = 1
	}
	if k < 0 {
		return nil, nil, &Error{File: path, Err: fmt.Errorf("%d target columns: want at least 1", k)}
	}
	f, size, err := OpenRegular(path)
	if err != nil {
		return nil, nil, &Error{File: path, Err: err}
	}
	defer f.Close()
	if size > MaxFileSize {
		return nil, nil, &Error{File: path, Err: fmt.Errorf("file is %.1f MiB, larger than the limit of %d MiB for a data file", float64(size)/(1<<20), MaxFileSize>>20)}
	}
	fail := func(line, col int, format string, args ...any) error {
		field := fmt.Sprintf("line %d", line)
		if col > 0 {
			field += fmt.Sprintf(", column %d", col)
		}
		return &Error{File: path, Field: field, Err: fmt.Errorf(format, args...)}
	}
	next := csvRecords(io.LimitReader(f, MaxFileSize))
	if strings.EqualFold(filepath.Ext(path), ".txt") {
		next = textRecords(io.LimitReader(f, MaxFileSize))
	}
	cols, count, rows := 0, 0, 0
	first := true
	var xb, yb matrixBuilder
	for {
		rec, line, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var le *lineError
			if errors.As(err, &le) {
				return nil, nil, fail(le.line, le.col, "%v", le.err)
			}
			return nil, nil, &Error{File: path, Err: err}
		}
		if !first && len(rec) != cols {
			return nil, nil, fail(line, 0, "%d fields, the first record has %d", len(rec), cols)
		}
		// Each number is a float64 (fs) when Numbers.readFloat reads it
		// without a big.Rat, else the exact rational (rs).
		fs, rs := make([]float64, len(rec)), make([]*big.Rat, len(rec))
		var bad error
		badCol := 0
		for j, s := range rec {
			s = strings.TrimSpace(s)
			if v, ok := opt.Numbers.readFloat(s); ok {
				fs[j] = v
				continue
			}
			x, err := ParseNumber(s)
			if err == nil {
				x, err = opt.Numbers.Read(x)
			}
			if err != nil && bad == nil {
				bad, badCol = err, j+1
			}
			rs[j] = x
		}
		if first {
			first = false
			cols = len(rec)
			if cols <= k {
				return nil, nil, fail(line, 0, "%d column(s): want the inputs and then %d target column(s) (--targets)", cols, k)
			}
			if bad != nil {
				continue // a header of column names
			}
		}
		if bad != nil {
			return nil, nil, fail(line, badCol, "%q: %v", strings.TrimSpace(rec[badCol-1]), bad)
		}
		if count += cols; count > MaxEntries {
			return nil, nil, fail(line, 0, "more than %d numbers (the limit for a data set)", MaxEntries)
		}
		for j, x := range rs {
			b := &xb
			if j >= cols-k {
				b = &yb
			}
			if x == nil {
				b.addFloat(fs[j])
			} else {
				b.addRat(x) // a float64 value is stored as one (exact.RatMat.Set)
			}
		}
		rows++
	}
	if rows == 0 {
		return nil, nil, &Error{File: path, Err: errors.New("no samples")}
	}
	return xb.matrix(rows, cols-k), yb.matrix(rows, k), nil
}
