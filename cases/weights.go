package cases

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"sort"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// This file reads network weights from where researchers keep them — NumPy
// .npz archives and .npy files, as written by numpy.savez or from a PyTorch
// state dict — with the npyio library, and puts them into a case whose
// data set they were trained on.
//
// Accepted layouts:
//
//   - an .npz archive holding the first-layer matrix under one of the names
//     "W1", "fc1.weight", "0.weight" (m × d, PyTorch nn.Linear layout: one
//     row per neuron), the second-layer matrix under "W2", "fc2.weight",
//     "2.weight" (k × m, or a vector of length m when k = 1), optionally a
//     first-layer bias "b1", "fc1.bias", "0.bias" (length m) and a
//     second-layer bias "b2", "fc2.bias", "2.bias" that must be zero (the
//     networks of relucert have no output bias). Names may carry numpy's
//     ".npy" suffix. Any other array, or two names for one role, is an
//     error: a file that is not a one-hidden-layer network is not guessed
//     at.
//   - a pair of .npy files "first.npy,second.npy" (first layer, second
//     layer; no separate bias).
//
// Bias: relucert models a bias by a constant 1 appended to every input
// (the case's "bias": true), so the first-layer matrix of a case with a bias
// has d_in + 1 columns, the bias weight last. A separate first-layer bias
// vector is accepted instead and appended as that last column; it requires
// "bias": true in the case.
//
// Arrays must be float64 or float32 ('<f8', '>f8', '<f4', '>f4'), C or
// Fortran order, with finite entries. float32 values convert to float64
// exactly, and every float64 to a rational exactly.

// Accepted array names by role (without numpy's ".npy" suffix).
var (
	firstNames      = []string{"W1", "fc1.weight", "0.weight"}
	firstBiasNames  = []string{"b1", "fc1.bias", "0.bias"}
	secondNames     = []string{"W2", "fc2.weight", "2.weight"}
	secondBiasNames = []string{"b2", "fc2.bias", "2.bias"}
)

// WeightsError is a problem with a weights file: it names the file and,
// when there is one, the array.
type WeightsError struct {
	File  string
	Array string
	Err   error
}

// Error formats the error as "weights FILE: ARRAY: message".
func (e *WeightsError) Error() string {
	if e.Array == "" {
		return fmt.Sprintf("weights %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("weights %s: %s: %v", e.File, e.Array, e.Err)
}

// Unwrap returns the underlying error.
func (e *WeightsError) Unwrap() error { return e.Err }

// Weights are the two layers of a one-hidden-layer network read from a
// weights file.
type Weights struct {
	// File is the path given to ReadWeights ("a.npy,b.npy" for a pair).
	File string
	// W is the first layer, m × d: one row per neuron. When the file had a
	// separate first-layer bias, it is the last column.
	W [][]float64
	// A is the second layer, k × m.
	A [][]float64
	// First and Second name the arrays read ("W1", "fc2.weight", or the
	// .npy file); FirstBias names the separate bias ("" when none).
	First, Second, FirstBias string
}

// LoadWeights reads the first-layer matrix W (m×d, one row per neuron, the
// bias weight last when the file has a separate first-layer bias) and the
// second-layer matrix A (k×m) from path: an .npz archive, or two .npy files
// given as "first.npy,second.npy". See ReadWeights.
func LoadWeights(path string) (W [][]float64, A [][]float64, err error) {
	w, err := ReadWeights(path)
	if err != nil {
		return nil, nil, err
	}
	return w.W, w.A, nil
}

// ReadWeights reads a weights file (see the layouts above). Every error is
// a *WeightsError naming the file and the array. It never panics on input.
func ReadWeights(path string) (w *Weights, err error) {
	defer func() {
		if r := recover(); r != nil {
			w, err = nil, &WeightsError{File: path, Err: fmt.Errorf("malformed file: %v", r)}
		}
	}()
	if first, second, ok := strings.Cut(path, ","); ok {
		return readPair(path, first, second)
	}
	return readNPZ(path)
}

// matrix is one array as read: its rows (a 1-D array is one row) and
// whether it was 1-D.
type matrix struct {
	rows [][]float64
	vec  bool
}

// readNPZ reads an .npz archive.
func readNPZ(path string) (*Weights, error) {
	fail := func(array string, format string, args ...any) error {
		return &WeightsError{File: path, Array: array, Err: fmt.Errorf(format, args...)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &WeightsError{File: path, Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &WeightsError{File: path, Err: err}
	}
	r, err := npz.NewReader(f, st.Size())
	if err != nil {
		return nil, fail("", "not a readable .npz archive (truncated or not a zip file): %v", err)
	}
	keys := map[string]string{} // name without ".npy" → key in the archive
	for _, k := range r.Keys() {
		name := strings.TrimSuffix(k, ".npy")
		if _, dup := keys[name]; dup {
			return nil, fail(name, "stored twice")
		}
		keys[name] = k
	}
	used := map[string]bool{}
	find := func(role string, names []string, required bool) (string, error) {
		var found []string
		for _, n := range names {
			if _, ok := keys[n]; ok {
				found = append(found, n)
			}
		}
		switch {
		case len(found) > 1:
			return "", fail("", "two arrays for the %s: %s", role, strings.Join(found, " and "))
		case len(found) == 0 && required:
			return "", fail("", "no %s: want an array named %s (found %s)", role, orList(names), listKeys(keys))
		case len(found) == 0:
			return "", nil
		}
		used[found[0]] = true
		return found[0], nil
	}
	read := func(name string) (*matrix, error) {
		return readArray(path, name, func() (npy.Header, []float64, error) {
			rc, err := r.Open(keys[name])
			if err != nil {
				return npy.Header{}, nil, err
			}
			defer rc.Close()
			nr, err := npy.NewReader(rc)
			if err != nil {
				return npy.Header{}, nil, fmt.Errorf("not a readable .npy entry: %w", err)
			}
			data, err := readFloats(nr)
			return nr.Header, data, err
		})
	}
	firstName, err := find("first-layer matrix", firstNames, true)
	if err != nil {
		return nil, err
	}
	secondName, err := find("second-layer matrix", secondNames, true)
	if err != nil {
		return nil, err
	}
	biasName, err := find("first-layer bias", firstBiasNames, false)
	if err != nil {
		return nil, err
	}
	bias2Name, err := find("second-layer bias", secondBiasNames, false)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for name := range keys {
		if !used[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fail(strings.Join(unknown, ", "), "unknown array(s): a one-hidden-layer network has only %s, %s, %s and %s",
			orList(firstNames), orList(firstBiasNames), orList(secondNames), orList(secondBiasNames))
	}
	w1, err := read(firstName)
	if err != nil {
		return nil, err
	}
	if w1.vec {
		return nil, fail(firstName, "1-D array of length %d: the first layer must be 2-D (m × d, one row per neuron)", len(w1.rows[0]))
	}
	w2, err := read(secondName)
	if err != nil {
		return nil, err
	}
	w := &Weights{File: path, W: w1.rows, A: w2.rows, First: firstName, Second: secondName}
	m := len(w.W)
	if err := checkSecond(path, secondName, w2, m, firstName); err != nil {
		return nil, err
	}
	if biasName != "" {
		b, err := read(biasName)
		if err != nil {
			return nil, err
		}
		if !b.vec || len(b.rows[0]) != m {
			return nil, fail(biasName, "shape %s: the first-layer bias must be a vector of length m = %d (the rows of %s)", shapeOf(b), m, firstName)
		}
		for j := range w.W {
			w.W[j] = append(w.W[j], b.rows[0][j])
		}
		w.FirstBias = biasName
	}
	if bias2Name != "" {
		b, err := read(bias2Name)
		if err != nil {
			return nil, err
		}
		for _, row := range b.rows {
			for i, x := range row {
				if x != 0 {
					return nil, fail(bias2Name, "entry %d is %v: the network f(x) = Σ_j a_j ρ(w_j·x) has no output bias, so the second-layer bias must be zero", i, x)
				}
			}
		}
	}
	return w, nil
}

// readPair reads two .npy files.
func readPair(path, first, second string) (*Weights, error) {
	if first == "" || second == "" || strings.Contains(second, ",") {
		return nil, &WeightsError{File: path, Err: errors.New(`want an .npz file or a pair "first.npy,second.npy"`)}
	}
	readFile := func(file string) (*matrix, error) {
		return readArray(file, "", func() (npy.Header, []float64, error) {
			f, err := os.Open(file)
			if err != nil {
				return npy.Header{}, nil, err
			}
			defer f.Close()
			nr, err := npy.NewReader(f)
			if err != nil {
				return npy.Header{}, nil, fmt.Errorf("not a readable .npy file: %w", err)
			}
			data, err := readFloats(nr)
			return nr.Header, data, err
		})
	}
	w1, err := readFile(first)
	if err != nil {
		return nil, err
	}
	if w1.vec {
		return nil, &WeightsError{File: first, Err: fmt.Errorf("1-D array of length %d: the first layer must be 2-D (m × d, one row per neuron)", len(w1.rows[0]))}
	}
	w2, err := readFile(second)
	if err != nil {
		return nil, err
	}
	if err := checkSecond(second, "", w2, len(w1.rows), first); err != nil {
		return nil, err
	}
	return &Weights{File: path, W: w1.rows, A: w2.rows, First: first, Second: second}, nil
}

// checkSecond checks that the second layer has m columns.
func checkSecond(file, name string, w2 *matrix, m int, firstName string) error {
	if len(w2.rows) == 0 || len(w2.rows[0]) != m {
		return &WeightsError{File: file, Array: name, Err: fmt.Errorf(
			"shape %s: the second layer must be k × m with m = %d (the rows of %s)", shapeOf(w2), m, firstName)}
	}
	return nil
}

// readArray reads an array with open (which returns its header and its
// data as float64), checks the shape (one or two dimensions, none empty)
// and that every entry is finite. file and name are for messages.
func readArray(file, name string, open func() (npy.Header, []float64, error)) (*matrix, error) {
	fail := func(format string, args ...any) error {
		return &WeightsError{File: file, Array: name, Err: fmt.Errorf(format, args...)}
	}
	hdr, data, err := open()
	if err != nil {
		var te typeError
		if errors.As(err, &te) {
			return nil, fail("dtype %s: want a float array (float64 '<f8' or float32 '<f4')", te.dtype)
		}
		return nil, fail("%v", err)
	}
	shape := hdr.Descr.Shape
	switch len(shape) {
	case 1, 2:
	default:
		return nil, fail("shape %s: want a matrix (2-D) or a vector (1-D)", shapeString(shape))
	}
	n := 1
	for _, s := range shape {
		if s <= 0 {
			return nil, fail("shape %s: empty dimension", shapeString(shape))
		}
		n *= s
	}
	if len(data) != n {
		return nil, fail("shape %s holds %d numbers, the file has %d (truncated?)", shapeString(shape), n, len(data))
	}
	rows, cols := 1, shape[0]
	if len(shape) == 2 {
		rows, cols = shape[0], shape[1]
	}
	out := &matrix{vec: len(shape) == 1, rows: make([][]float64, rows)}
	for i := range out.rows {
		out.rows[i] = make([]float64, cols)
		for j := range out.rows[i] {
			k := i*cols + j
			if hdr.Descr.Fortran {
				k = j*rows + i
			}
			x := data[k]
			if math.IsNaN(x) || math.IsInf(x, 0) {
				if out.vec {
					return nil, fail("entry [%d] is %v: weights must be finite", j, x)
				}
				return nil, fail("entry [%d][%d] is %v: weights must be finite", i, j, x)
			}
			out.rows[i][j] = x
		}
	}
	return out, nil
}

// typeError reports a non-float dtype.
type typeError struct{ dtype string }

func (e typeError) Error() string { return "unsupported dtype " + e.dtype }

// readFloats reads the array of nr as float64 (float32 data converted
// exactly), according to its dtype; other dtypes are a typeError.
func readFloats(nr *npy.Reader) ([]float64, error) {
	dtype := strings.Trim(nr.Header.Descr.Type, `'"`)
	if len(dtype) < 2 {
		return nil, typeError{dtype}
	}
	switch dtype[1:] {
	case "f8":
		var v []float64
		if err := nr.Read(&v); err != nil {
			return nil, fmt.Errorf("reading the data: %w", err)
		}
		return v, nil
	case "f4":
		var v []float32
		if err := nr.Read(&v); err != nil {
			return nil, fmt.Errorf("reading the data: %w", err)
		}
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x) // exact
		}
		return out, nil
	}
	return nil, typeError{dtype}
}

func shapeOf(m *matrix) string {
	if m.vec {
		return fmt.Sprintf("(%d,)", len(m.rows[0]))
	}
	c := 0
	if len(m.rows) > 0 {
		c = len(m.rows[0])
	}
	return fmt.Sprintf("(%d, %d)", len(m.rows), c)
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = fmt.Sprint(x)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func orList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, " or ")
}

func listKeys(keys map[string]string) string {
	if len(keys) == 0 {
		return "no arrays"
	}
	var ks []string
	for k := range keys {
		ks = append(ks, fmt.Sprintf("%q", k))
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// SetWeights replaces the neurons of c by the weights w: neuron j gets
// w_j = row j of w.W and a_j = column j of w.A, each float converted to a
// rational exactly. The shapes must fit the case: w.W has d columns (d_in +
// 1 with "bias": true, the bias weight last — or d_in columns plus a
// separate bias array), w.A has k rows. Any expect block is kept and must
// still fit the new width. Errors are *WeightsError naming the file and the
// array.
func (c *Case) SetWeights(w *Weights) error {
	if len(c.Inputs) == 0 || len(c.Targets) == 0 {
		return &WeightsError{File: w.File, Err: fmt.Errorf("case %s has no samples", c.Name)}
	}
	din, k := len(c.Inputs[0]), len(c.Targets[0])
	d := din
	if c.Bias {
		d++
	}
	fail := func(array, format string, args ...any) error {
		return &WeightsError{File: w.File, Array: array, Err: fmt.Errorf(format, args...)}
	}
	m := len(w.W)
	if w.FirstBias != "" && !c.Bias {
		return fail(w.FirstBias, "the file has a separate first-layer bias, but case %s has no \"bias\": true (set it, or drop the bias)", c.Name)
	}
	for j, row := range w.W {
		if len(row) == d {
			continue
		}
		if c.Bias && w.FirstBias == "" && len(row) == din {
			return fail(w.First, "%d × %d: case %s has \"bias\": true, so the first layer needs d_in + 1 = %d columns (the bias weight last), or a separate bias array (%s)",
				m, len(row), c.Name, d, orList(firstBiasNames))
		}
		what := fmt.Sprintf("d = %d", d)
		if c.Bias {
			what = fmt.Sprintf("d = d_in + 1 = %d with the bias", d)
		}
		return fail(w.First, "row %d has %d entries, case %s wants %s", j, len(row), c.Name, what)
	}
	if len(w.A) != k {
		return fail(w.Second, "%d row(s): case %s has k = %d output(s), so the second layer must be %d × m", len(w.A), c.Name, k, k)
	}
	for l, row := range w.A {
		if len(row) != m {
			return fail(w.Second, "row %d has %d entries, want m = %d", l, len(row), m)
		}
	}
	neurons := make([]verify.Neuron, m)
	for j := range neurons {
		nr := verify.Neuron{W: make(exact.Vec, d), A: make(exact.Vec, k)}
		for c2, x := range w.W[j] {
			nr.W[c2] = new(big.Rat).SetFloat64(x)
		}
		for l := range w.A {
			nr.A[l] = new(big.Rat).SetFloat64(w.A[l][j])
		}
		neurons[j] = nr
	}
	old := c.Neurons
	c.Neurons = neurons
	if err := c.check(); err != nil {
		c.Neurons = old
		return &WeightsError{File: w.File, Err: err}
	}
	return nil
}
