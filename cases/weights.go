package cases

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path"
	"sort"
	"strings"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// This file reads network weights from where researchers keep them and
// puts them into a case whose data set they were trained on.
//
// Accepted files (the kind is read from the content, not the name):
//
//   - a PyTorch file written by torch.save(model.state_dict(), path) (zip
//     format, PyTorch ≥ 1.6; see torch.go);
//   - a NumPy .npz archive (numpy.savez, or a state dict saved array by
//     array; see npy.go);
//   - a pair of .npy files "first.npy,second.npy" (first layer, second
//     layer; no biases).
//
// Which arrays are the two layers: the first layer is a matrix m × d (one
// row per neuron, PyTorch's nn.Linear layout), the second k × m or a
// vector of length m (k = 1); each may have a bias vector (length m, length
// k). They are found, in this order,
//
//  1. from an explicit mapping (Layers, the --layers flag);
//  2. by name: W1/W2 with b1/b2; scikit-learn's coefs_0/coefs_1 with
//     intercepts_0/intercepts_1 (stored transposed, d × m and m × k); or
//     P.weight/Q.weight with P.bias/Q.bias for the module pairs (P, Q) =
//     (fc1, fc2), (0, 2), (hidden, out), (hidden, output), (layer1, layer2),
//     (linear1, linear2), (lin1, lin2), (l1, l2), after any common prefix
//     ending in "." (net.0/net.2, module.fc1/module.fc2);
//  3. by shape: exactly two arrays whose names end in "weight", whose
//     shapes chain (m × d, then k × m) in exactly one order, the other
//     arrays being their "bias" companions.
//
// Every array of the file must have a role: a file that is not a
// one-hidden-layer network is not guessed at, and errors list the arrays
// found with their shapes.
//
// Bias: relucert models a bias by a constant 1 appended to every input
// (the case's "bias": true), so the first-layer matrix of a case with a bias
// has d_in + 1 columns, the bias weight last. A separate first-layer bias
// vector is appended as that last column; it requires "bias": true in the
// case. The second-layer (output) bias is read into Weights.B.
//
// Arrays may be float64, float32, float16 (and bfloat16 in .pt files), in
// either byte order, C or Fortran order or (PyTorch) any strides, with
// finite entries; each converts to float64 exactly, and every float64 to a
// rational exactly. Declared shapes are checked against MaxEntries and
// the bytes the file holds before anything is allocated.

// WeightsError is a problem with a weights or data file: it names the
// file's role, the file and, when there is one, the array.
type WeightsError struct {
	// Role is what the file was read as: "weights" (the default when
	// empty) or "data" (set by DataCase).
	Role  string
	File  string
	Array string
	Err   error
}

// Error formats the error as "ROLE FILE: ARRAY: message", ROLE being
// "weights" or "data".
func (e *WeightsError) Error() string {
	role := e.Role
	if role == "" {
		role = "weights"
	}
	if e.Array == "" {
		return fmt.Sprintf("%s %s: %v", role, e.File, e.Err)
	}
	return fmt.Sprintf("%s %s: %s: %v", role, e.File, e.Array, e.Err)
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
	// B is the second-layer (output) bias, length k; nil when the file has
	// none.
	B []float64
	// First, Second, FirstBias and SecondBias name the arrays read
	// ("fc1.weight", …, or the .npy file); a bias name is "" when the file
	// has none.
	First, Second, FirstBias, SecondBias string
}

// Layers names the arrays of a weights file that hold the two layers, when
// their names do not say it (the --layers flag). A bias name "" means: the
// companion of the weight's name ending in "weight" with "bias" instead,
// if the file has it; "-" means none.
type Layers struct {
	First, Second, FirstBias, SecondBias string
}

// ParseLayers reads "FIRST,SECOND" or "FIRST,SECOND,FIRST_BIAS,SECOND_BIAS"
// (a bias given as "-" means none).
func ParseLayers(s string) (*Layers, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 && len(parts) != 4 {
		return nil, fmt.Errorf("%q: want FIRST,SECOND or FIRST,SECOND,FIRST_BIAS,SECOND_BIAS (array names; '-' for no bias)", s)
	}
	for i, p := range parts {
		if p == "" || i < 2 && p == "-" {
			return nil, fmt.Errorf("%q: name %d is empty", s, i+1)
		}
	}
	l := &Layers{First: parts[0], Second: parts[1]}
	if len(parts) == 4 {
		l.FirstBias, l.SecondBias = parts[2], parts[3]
	}
	return l, nil
}

// LoadWeights reads the first-layer matrix W (m×d, one row per neuron, the
// bias weight last when the file has a separate first-layer bias) and the
// second-layer matrix A (k×m) from path. See ReadWeights.
func LoadWeights(path string) (W [][]float64, A [][]float64, err error) {
	w, err := ReadWeights(path)
	if err != nil {
		return nil, nil, err
	}
	return w.W, w.A, nil
}

// ReadWeights reads a weights file, finding its layers by name or shape
// (see ReadWeightsLayers).
func ReadWeights(path string) (*Weights, error) { return ReadWeightsLayers(path, nil) }

// ReadWeightsLayers reads a weights file (see the layouts above); layers,
// when not nil, names the arrays of the two layers. Every error is a
// *WeightsError naming the file and the array. It never panics on input.
func ReadWeightsLayers(path string, layers *Layers) (w *Weights, err error) {
	defer func() {
		if r := recover(); r != nil {
			w, err = nil, &WeightsError{File: path, Err: errors.New("malformed file (the reader failed on it)")}
		}
	}()
	if first, second, ok := strings.Cut(path, ","); ok {
		if layers != nil {
			return nil, &WeightsError{File: path, Err: errors.New("--layers names arrays of one file; a pair FIRST.npy,SECOND.npy is already in order")}
		}
		return readPair(path, first, second)
	}
	arrays, closer, err := openArrays(path)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	r, err := assignRoles(path, arrays, layers)
	if err != nil {
		return nil, err
	}
	return r.weights(path)
}

// openArrays declares the named arrays of a .pt or .npz file.
func openArrays(file string) ([]*array, io.Closer, error) {
	f, size, err := OpenRegular(file)
	if err != nil {
		return nil, nil, &WeightsError{File: file, Err: err}
	}
	fail := func(err error) ([]*array, io.Closer, error) {
		f.Close()
		return nil, nil, err
	}
	var magic [8]byte
	n, _ := f.ReadAt(magic[:], 0)
	switch {
	case n >= 6 && string(magic[:6]) == "\x93NUMPY":
		return fail(&WeightsError{File: file, Err: errors.New(`one .npy array: give the two layers as "first.npy,second.npy", or an .npz or .pt file`)})
	case n >= 2 && magic[0] == 0x80 && magic[1] <= 5:
		return fail(&WeightsError{File: file, Err: errors.New("a legacy (PyTorch < 1.6, not zip) torch.save file: load it in PyTorch and save it again with torch.save(model.state_dict(), path)")})
	case n < 2 || string(magic[:2]) != "PK":
		return fail(&WeightsError{File: file, Err: errors.New("not a weights file: want a torch.save .pt file, an .npz archive, or \"first.npy,second.npy\"")})
	}
	z, err := zip.NewReader(f, size)
	if err != nil {
		return fail(&WeightsError{File: file, Err: fmt.Errorf("not a readable .npz or .pt archive (truncated or not a zip file): %v", err)})
	}
	var arrays []*array
	if isTorch(z) {
		arrays, err = torchArrays(file, z)
	} else {
		arrays, err = npzArrays(file, z)
	}
	if err != nil {
		return fail(err)
	}
	return arrays, f, nil
}

// isTorch reports whether a zip archive is a torch.save file (it has a
// data.pkl member) rather than an .npz archive.
func isTorch(z *zip.Reader) bool {
	for _, m := range z.File {
		if b := path.Base(m.Name); b == "data.pkl" || b == "constants.pkl" {
			return true
		}
	}
	return false
}

// roles are the arrays of the two layers.
type roles struct {
	first, second, firstBias, secondBias *array
	// transposed: scikit-learn's layout (d × m and m × k).
	transposed bool
}

// modulePairs are the names of the two layers' modules that say their
// order (see the layouts above).
var modulePairs = [][2]string{
	{"fc1", "fc2"}, {"0", "2"}, {"hidden", "out"}, {"hidden", "output"}, {"layer1", "layer2"},
	{"linear1", "linear2"}, {"lin1", "lin2"}, {"l1", "l2"},
}

// knownNames lists the layer names assignRoles looks for, for messages.
const knownNames = "W1/W2 (b1/b2), fc1.weight/fc2.weight, 0.weight/2.weight, hidden.weight/out.weight (and other module pairs, after any prefix such as net.), scikit-learn's coefs_0/coefs_1"

// assignRoles finds the arrays of the two layers (see the layouts above).
func assignRoles(file string, arrays []*array, layers *Layers) (*roles, error) {
	byName := map[string]*array{}
	for _, a := range arrays {
		byName[a.name] = a
	}
	found := sortedNames(arrays)
	fail := func(array, format string, args ...any) error {
		return &WeightsError{File: file, Array: array, Err: fmt.Errorf(format, args...)}
	}
	// complete checks that the mapping names every array of the file.
	complete := func(r *roles, how string) error {
		used := map[*array]bool{r.first: true, r.second: true, r.firstBias: true, r.secondBias: true}
		var extra []string
		for _, a := range arrays {
			if !used[a] {
				extra = append(extra, a.name)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			return fail(strings.Join(extra, ", "), "unknown array(s) besides the layers %s and %s (%s): a one-hidden-layer network has two weight matrices and their biases (found %s)",
				r.first.name, r.second.name, how, found)
		}
		return nil
	}
	companion := func(weight string) *array {
		if strings.HasSuffix(weight, "weight") {
			return byName[strings.TrimSuffix(weight, "weight")+"bias"]
		}
		return nil
	}
	if layers != nil {
		r := &roles{first: byName[layers.First], second: byName[layers.Second]}
		for _, x := range []struct {
			name string
			a    *array
		}{{layers.First, r.first}, {layers.Second, r.second}} {
			if x.a == nil {
				return nil, fail("", "--layers names %q, the file has no such array (found %s)", x.name, found)
			}
		}
		for _, b := range []struct {
			name, weight string
			dst          **array
		}{{layers.FirstBias, layers.First, &r.firstBias}, {layers.SecondBias, layers.Second, &r.secondBias}} {
			switch b.name {
			case "-":
			case "":
				*b.dst = companion(b.weight)
			default:
				if *b.dst = byName[b.name]; *b.dst == nil {
					return nil, fail("", "--layers names the bias %q, the file has no such array (found %s)", b.name, found)
				}
			}
		}
		if r.first == r.second || r.firstBias != nil && (r.firstBias == r.first || r.firstBias == r.second || r.firstBias == r.secondBias) ||
			r.secondBias != nil && (r.secondBias == r.first || r.secondBias == r.second) {
			return nil, fail("", "--layers names one array for two roles")
		}
		return r, complete(r, "named by --layers")
	}
	// By name.
	type candidate struct {
		r   *roles
		how string
	}
	var cands []candidate
	add := func(first, second, firstBias, secondBias string, transposed bool, how string) {
		r := &roles{first: byName[first], second: byName[second], firstBias: byName[firstBias], secondBias: byName[secondBias], transposed: transposed}
		if r.first != nil && r.second != nil {
			cands = append(cands, candidate{r, how})
		}
	}
	add("W1", "W2", "b1", "b2", false, "by name")
	add("coefs_0", "coefs_1", "intercepts_0", "intercepts_1", true, "scikit-learn's names")
	for _, a := range arrays {
		for _, p := range modulePairs {
			prefix, ok := strings.CutSuffix(a.name, p[0]+".weight")
			if ok && (prefix == "" || strings.HasSuffix(prefix, ".")) {
				add(a.name, prefix+p[1]+".weight", prefix+p[0]+".bias", prefix+p[1]+".bias", false, "by name")
			}
		}
	}
	var good []candidate
	for _, c := range cands {
		if complete(c.r, c.how) == nil {
			good = append(good, c)
		}
	}
	switch {
	case len(good) == 1:
		return good[0].r, nil
	case len(good) > 1:
		return nil, fail("", "two readings of the layers: %s/%s and %s/%s: say which with --layers FIRST,SECOND (found %s)",
			good[0].r.first.name, good[0].r.second.name, good[1].r.first.name, good[1].r.second.name, found)
	}
	// By shape: two "…weight" arrays, the rest their biases.
	var ws []*array
	for _, a := range arrays {
		if strings.HasSuffix(a.name, "weight") {
			ws = append(ws, a)
		}
	}
	if len(ws) == 2 {
		var orders []*roles
		for _, o := range [][2]*array{{ws[0], ws[1]}, {ws[1], ws[0]}} {
			r := &roles{first: o[0], second: o[1], firstBias: companion(o[0].name), secondBias: companion(o[1].name)}
			if chains(r) && complete(r, "by shape") == nil {
				orders = append(orders, r)
			}
		}
		switch len(orders) {
		case 1:
			return orders[0], nil
		case 2:
			return nil, fail("", "%s and %s chain in both orders (d = k): say which layer is first with --layers FIRST,SECOND (found %s)",
				ws[0].name, ws[1].name, found)
		}
	}
	if len(cands) > 0 {
		// A named pair with arrays left over: say which.
		return nil, complete(cands[0].r, cands[0].how)
	}
	return nil, fail("", "cannot tell which arrays are the two layers (found %s): want %s, or two arrays named …weight whose shapes chain (m × d, then k × m), with their …bias; or name them with --layers FIRST,SECOND",
		found, knownNames)
}

// chains reports whether the first layer is 2-D (m × d) and the second
// k × m or a vector of length m, in nn.Linear's layout.
func chains(r *roles) bool {
	f, s := r.first.shape, r.second.shape
	if len(f) != 2 {
		return false
	}
	switch len(s) {
	case 1:
		return s[0] == f[0]
	case 2:
		return s[1] == f[0]
	}
	return false
}

// weights reads the roles' arrays and checks their shapes against each
// other.
func (r *roles) weights(file string) (*Weights, error) {
	if err := checkTotal(file, r.first, r.second, r.firstBias, r.secondBias); err != nil {
		return nil, err
	}
	w := &Weights{File: file, First: r.first.name, Second: r.second.name}
	w1, err := readMatrix(r.first, "weights")
	if err != nil {
		return nil, err
	}
	if w1.vec {
		return nil, r.first.errorf("shape %s: the first layer must be 2-D (m × d, one row per neuron)", shapeString(r.first.shape))
	}
	w2, err := readMatrix(r.second, "weights")
	if err != nil {
		return nil, err
	}
	if r.transposed {
		w1.rows = transpose(w1.rows)
		if !w2.vec {
			w2.rows = transpose(w2.rows)
		}
	}
	w.W, w.A = w1.rows, w2.rows
	m := len(w.W)
	if len(w.A) == 0 || len(w.A[0]) != m {
		want := "k × m"
		if r.transposed {
			want = "m × k"
		}
		return nil, r.second.errorf("shape %s: the second layer must be %s with m = %d (the neurons of %s)", shapeString(r.second.shape), want, m, r.first.name)
	}
	if r.firstBias != nil {
		b, err := readMatrix(r.firstBias, "weights")
		if err != nil {
			return nil, err
		}
		if !b.vec || len(b.rows[0]) != m {
			return nil, r.firstBias.errorf("shape %s: the first-layer bias must be a vector of length m = %d (the neurons of %s)", shapeString(r.firstBias.shape), m, r.first.name)
		}
		for j := range w.W {
			w.W[j] = append(w.W[j], b.rows[0][j])
		}
		w.FirstBias = r.firstBias.name
	}
	if r.secondBias != nil {
		b, err := readMatrix(r.secondBias, "weights")
		if err != nil {
			return nil, err
		}
		if k := len(w.A); !b.vec || len(b.rows[0]) != k {
			return nil, r.secondBias.errorf("shape %s: the second-layer (output) bias must be a vector of length k = %d (the outputs of %s)", shapeString(r.secondBias.shape), k, r.second.name)
		}
		w.B, w.SecondBias = b.rows[0], r.secondBias.name
	}
	return w, nil
}

func transpose(rows [][]float64) [][]float64 {
	if len(rows) == 0 {
		return rows
	}
	out := make([][]float64, len(rows[0]))
	for j := range out {
		out[j] = make([]float64, len(rows))
		for i := range rows {
			out[j][i] = rows[i][j]
		}
	}
	return out
}

// matrix is one array as read: its rows (a 1-D array is one row) and
// whether it was 1-D.
type matrix struct {
	rows [][]float64
	vec  bool
}

// readMatrix reads a 1-D or 2-D array with no empty dimension; what names
// the role for messages ("weights", "data").
func readMatrix(a *array, what string) (*matrix, error) {
	switch len(a.shape) {
	case 1, 2:
	case 0:
		return nil, a.errorf("shape (): a scalar, want a matrix (2-D) or a vector (1-D)")
	default:
		return nil, a.errorf("shape %s: want a matrix (2-D) or a vector (1-D)", shapeString(a.shape))
	}
	for _, s := range a.shape {
		if s == 0 {
			return nil, a.errorf("shape %s: empty dimension", shapeString(a.shape))
		}
	}
	v, err := a.values(what)
	if err != nil {
		return nil, err
	}
	rows, cols := 1, a.shape[0]
	if len(a.shape) == 2 {
		rows, cols = a.shape[0], a.shape[1]
	}
	out := &matrix{vec: len(a.shape) == 1, rows: make([][]float64, rows)}
	for i := range out.rows {
		out.rows[i] = v[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return out, nil
}

// readPair reads two .npy files.
func readPair(path, first, second string) (*Weights, error) {
	if first == "" || second == "" || strings.Contains(second, ",") {
		return nil, &WeightsError{File: path, Err: errors.New(`want an .npz or .pt file or a pair "first.npy,second.npy"`)}
	}
	read := func(file string) (*matrix, error) {
		a, c, err := readNPYFile(file)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		return readMatrix(a, "weights")
	}
	w1, err := read(first)
	if err != nil {
		return nil, err
	}
	if w1.vec {
		return nil, &WeightsError{File: first, Err: fmt.Errorf("1-D array of length %d: the first layer must be 2-D (m × d, one row per neuron)", len(w1.rows[0]))}
	}
	w2, err := read(second)
	if err != nil {
		return nil, err
	}
	if m := len(w1.rows); len(w2.rows[0]) != m {
		return nil, &WeightsError{File: second, Err: fmt.Errorf("shape %s: the second layer must be k × m with m = %d (the rows of %s)", shapeOf(w2), m, first)}
	}
	return &Weights{File: path, W: w1.rows, A: w2.rows, First: first, Second: second}, nil
}

func shapeOf(m *matrix) string {
	if m.vec {
		return fmt.Sprintf("(%d,)", len(m.rows[0]))
	}
	return fmt.Sprintf("(%d, %d)", len(m.rows), len(m.rows[0]))
}

// SetWeights replaces the neurons of c by the weights w: neuron j gets
// w_j = row j of w.W and a_j = column j of w.A, each float converted to a
// rational exactly. The shapes must fit the case: w.W has d columns (d_in +
// 1 with "bias": true, the bias weight last — or d_in columns plus a
// separate bias array), w.A has k rows. The output bias becomes the case's
// trainable output bias b (even when zero: nn.Linear trains it), and a
// file without one gives a case without one: the file defines the whole
// network. Any expect block is kept and must still fit the new width.
// Errors are *WeightsError naming the file and the array.
func (c *Case) SetWeights(w *Weights) error {
	if c.Inputs.Rows() == 0 || c.Targets.Rows() == 0 {
		return &WeightsError{File: w.File, Err: fmt.Errorf("case %s has no samples", c.Name)}
	}
	din, k := c.Inputs.Cols(), c.Targets.Cols()
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
			return fail(w.First, "%d × %d: case %s has \"bias\": true, so the first layer needs d_in + 1 = %d columns (the bias weight last), or a separate bias array",
				m, len(row), c.Name, d)
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
	if w.B != nil && len(w.B) != k {
		return fail(w.SecondBias, "length %d: case %s has k = %d output(s)", len(w.B), c.Name, k)
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
	var b []*big.Rat
	if w.B != nil {
		b = make([]*big.Rat, k)
		for l, x := range w.B {
			b[l] = new(big.Rat).SetFloat64(x)
		}
	}
	oldN, oldB := c.Neurons, c.OutputBias
	c.Neurons, c.OutputBias = neurons, b
	if err := c.check(); err != nil {
		c.Neurons, c.OutputBias = oldN, oldB
		return &WeightsError{File: w.File, Err: err}
	}
	return nil
}
