package cases

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Hostile weights and data files (issue 12), generated small at test
// time: each must be refused with a clear message naming the file (and the
// array), before any allocation of the size it declares.

// npyBytes is an .npy file (version 1.0) with the given header dict and
// data bytes.
func npyBytes(dict string, data []byte) []byte {
	pad := 64 - (10+len(dict)+1)%64
	hdr := dict + strings.Repeat(" ", pad%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	b.Write(data)
	return b.Bytes()
}

func f64bytes(xs ...float64) []byte {
	var b bytes.Buffer
	for _, x := range xs {
		binary.Write(&b, binary.LittleEndian, x)
	}
	return b.Bytes()
}

func f64be(xs ...float64) []byte {
	var b bytes.Buffer
	for _, x := range xs {
		binary.Write(&b, binary.BigEndian, x)
	}
	return b.Bytes()
}

// member is one zip member; declared, when not 0, is the uncompressed size
// the archive claims (the data is then stored raw, deflated).
type member struct {
	name     string
	data     []byte
	declared uint64
}

func zipBytes(t *testing.T, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, m := range members {
		if m.declared == 0 {
			w, err := z.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(m.data)
			continue
		}
		var c bytes.Buffer
		fw, _ := flate.NewWriter(&c, flate.BestCompression)
		fw.Write(m.data)
		fw.Close()
		w, err := z.CreateRaw(&zip.FileHeader{Name: m.name, Method: zip.Deflate,
			CompressedSize64: uint64(c.Len()), UncompressedSize64: m.declared})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(c.Bytes())
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pickled builds a state-dict pickle (protocol 2) of tensors, each
// given as (name, storage key, dtype class, numel, offset, size, stride).
type ptTensor struct {
	name, key, class string
	numel, offset    int
	size, stride     []int
}

func pickled(ts ...ptTensor) []byte {
	var b bytes.Buffer
	str := func(s string) {
		b.WriteByte('X')
		binary.Write(&b, binary.LittleEndian, uint32(len(s)))
		b.WriteString(s)
	}
	num := func(n int) {
		if n == int(int32(n)) {
			b.WriteByte('J')
			binary.Write(&b, binary.LittleEndian, int32(n))
			return
		}
		b.WriteString("\x8a\x08") // LONG1, 8 bytes
		binary.Write(&b, binary.LittleEndian, int64(n))
	}
	tuple := func(xs []int) {
		b.WriteByte('(')
		for _, x := range xs {
			num(x)
		}
		b.WriteByte('t')
	}
	b.WriteString("\x80\x02}(")
	for _, t := range ts {
		str(t.name)
		b.WriteString("ctorch._utils\n_rebuild_tensor_v2\n((")
		str("storage")
		b.WriteString("ctorch\n" + t.class + "\n")
		str(t.key)
		str("cpu")
		num(t.numel)
		b.WriteString("tQ")
		num(t.offset)
		tuple(t.size)
		tuple(t.stride)
		b.WriteString("\x89}tR")
	}
	b.WriteString("u.")
	return b.Bytes()
}

// ptBytes is a torch.save-style zip: archive/data.pkl and the storages.
func ptBytes(t *testing.T, pkl []byte, storages map[string][]byte) []byte {
	ms := []member{{name: "archive/data.pkl", data: pkl}}
	for k, v := range storages {
		ms = append(ms, member{name: "archive/data/" + k, data: v})
	}
	return zipBytes(t, ms...)
}

func writeTemp(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

func TestHostileWeights(t *testing.T) {
	dir := t.TempDir()
	w2 := npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }", f64bytes(1, 2, 3))
	w1 := npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", f64bytes(1, 2, 3, 4, 5, 6))
	good := pickled(
		ptTensor{"fc1.weight", "0", "DoubleStorage", 6, 0, []int{3, 2}, []int{2, 1}},
		ptTensor{"fc2.weight", "1", "DoubleStorage", 3, 0, []int{1, 3}, []int{3, 1}})
	goodStorages := map[string][]byte{"0": f64bytes(1, 2, 3, 4, 5, 6), "1": f64bytes(1, 2, 3)}
	// A BINUNICODE8 string declaring 2⁴⁰ bytes.
	huge := append([]byte("\x80\x02\x8d"), binary.LittleEndian.AppendUint64(nil, 1<<40)...)
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		// The 478-byte .npz declaring (10⁶, 10⁶).
		{"huge-shape.npz", zipBytes(t,
			member{name: "W1.npy", data: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", f64bytes(1))},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "shape (1000000, 1000000): more than 2097152 entries"}},
		// (10⁸, 2) with a one-float body.
		{"long-shape.npz", zipBytes(t,
			member{name: "W1.npy", data: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 2), }", f64bytes(1))},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "shape (100000000, 2): more than 2097152 entries"}},
		// Within the limit, but the body is one float.
		{"short-body.npz", zipBytes(t,
			member{name: "W1.npy", data: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000, 1000), }", f64bytes(1))},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "shape (1000, 1000) of float64 needs 8000000 bytes of data, the file holds 8"}},
		// A zip bomb: 1 GiB declared, a few hundred bytes stored.
		{"bomb.npz", zipBytes(t,
			member{name: "W1.npy", data: make([]byte, 1<<16), declared: 1 << 30},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "declares 1073741824 bytes uncompressed"}},
		// A member that inflates past what it declares.
		{"liar.npz", zipBytes(t,
			member{name: "W1.npy", data: append(append([]byte{}, w1...), make([]byte, 1<<20)...), declared: uint64(len(w1))},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "corrupt zip member"}},
		// Header problems, never a runtime error.
		{"scalar.npz", zipBytes(t,
			member{name: "W1.npy", data: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", f64bytes(1))},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "shape (): a scalar"}},
		{"unterminated.npz", zipBytes(t,
			member{name: "W1.npy", data: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2", f64bytes(1, 2, 3, 4, 5, 6))},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "malformed .npy header"}},
		{"negative.npz", zipBytes(t,
			member{name: "W1.npy", data: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (-3, 2), }", f64bytes(1, 2, 3, 4, 5, 6))},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "negative dimension"}},
		{"overflow.npz", zipBytes(t,
			member{name: "W1.npy", data: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 2), }", f64bytes(1))},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "out of range"}},
		{"header-len.npz", zipBytes(t,
			member{name: "W1.npy", data: []byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f{")},
			member{name: "W2.npy", data: w2}),
			[]string{"W1", "longer than the file or the limit"}},
		// PyTorch files.
		{"huge-storage.pt", ptBytes(t, pickled(
			ptTensor{"fc1.weight", "0", "DoubleStorage", 1 << 40, 0, []int{1 << 20, 1 << 20}, []int{1 << 20, 1}},
			ptTensor{"fc2.weight", "1", "DoubleStorage", 3, 0, []int{1, 3}, []int{3, 1}}), goodStorages),
			[]string{"data.pkl", "storage \"0\" of 1099511627776 elements: more than the limit"}},
		{"short-storage.pt", ptBytes(t, pickled(
			ptTensor{"fc1.weight", "0", "DoubleStorage", 600, 0, []int{300, 2}, []int{2, 1}},
			ptTensor{"fc2.weight", "1", "DoubleStorage", 3, 0, []int{1, 3}, []int{3, 1}}), goodStorages),
			[]string{"data.pkl", "600 float64 elements need 4800 bytes, the member archive/data/0 holds 48"}},
		{"outside.pt", ptBytes(t, pickled(
			ptTensor{"fc1.weight", "0", "DoubleStorage", 6, 4, []int{3, 2}, []int{2, 1}},
			ptTensor{"fc2.weight", "1", "DoubleStorage", 3, 0, []int{1, 3}, []int{3, 1}}), goodStorages),
			[]string{"data.pkl", "reach element 9 of a storage of 6 elements"}},
		{"missing-storage.pt", ptBytes(t, good, map[string][]byte{"0": goodStorages["0"]}),
			[]string{"data.pkl", "no member archive/data/1"}},
		{"huge-string.pt", ptBytes(t, huge, nil),
			[]string{"data.pkl", "malformed pickle", "declares 1099511627776 bytes"}},
		{"truncated-pickle.pt", ptBytes(t, good[:len(good)/2], goodStorages),
			[]string{"data.pkl", "malformed pickle"}},
		{"big-pickle.pt", zipBytes(t, member{name: "archive/data.pkl", data: make([]byte, 1<<10), declared: 1 << 31}),
			[]string{"archive/data.pkl declares 2147483648 bytes, more than the limit of 1048576"}},
		{"garbage.pt", []byte("PK\x03\x04 not really a zip"), []string{"not a readable .npz or .pt archive"}},
		{"empty.pt", nil, []string{"not a weights file"}},
	} {
		path := writeTemp(t, dir, c.name, c.data)
		var err error
		alloc := allocated(func() { _, err = ReadWeights(path) })
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		msg := err.Error()
		for _, w := range append(c.want, c.name) {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q does not mention %q", c.name, msg, w)
			}
		}
		if strings.Contains(msg, "runtime error") || strings.Contains(msg, "panic") {
			t.Errorf("%s: %q", c.name, msg)
		}
		if alloc > 8<<20 {
			t.Errorf("%s: reading allocated %d MiB before refusing", c.name, alloc>>20)
		}
	}
	// The good files of the same builders are accepted (the generators are
	// right, so the refusals above are for the reasons tested).
	for name, data := range map[string][]byte{
		"good.npz": zipBytes(t, member{name: "W1.npy", data: w1}, member{name: "W2.npy", data: w2}),
		"good.pt":  ptBytes(t, good, goodStorages),
		// PyTorch ≥ 2.1 records the storages' byte order.
		"big-endian.pt": zipBytes(t, member{name: "archive/data.pkl", data: good},
			member{name: "archive/byteorder", data: []byte("big")},
			member{name: "archive/data/0", data: f64be(1, 2, 3, 4, 5, 6)},
			member{name: "archive/data/1", data: f64be(1, 2, 3)}),
		// numpy reads a header whose keys come in another order.
		"reordered.npz": zipBytes(t,
			member{name: "W1.npy", data: npyBytes("{'shape': (3, 2), 'fortran_order': False, 'descr': '<f8'}", f64bytes(1, 2, 3, 4, 5, 6))},
			member{name: "W2.npy", data: w2}),
	} {
		w, err := ReadWeights(writeTemp(t, dir, name, data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !equalRows(w.W, [][]float64{{1, 2}, {3, 4}, {5, 6}}) || !equalRows(w.A, [][]float64{{1, 2, 3}}) {
			t.Errorf("%s: W = %v, A = %v", name, w.W, w.A)
		}
	}
}

// TestHostileData: the same limits for data files.
func TestHostileData(t *testing.T) {
	dir := t.TempDir()
	y := npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", f64bytes(1, 2, 3))
	relu, _ := ParseActivation("relu")
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		{"huge.npz", zipBytes(t,
			member{name: "X.npy", data: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", f64bytes(1))},
			member{name: "Y.npy", data: y}),
			[]string{"X", "more than 2097152 entries"}},
		{"bomb.npz", zipBytes(t,
			member{name: "X.npy", data: make([]byte, 1<<16), declared: 1 << 30},
			member{name: "Y.npy", data: y}),
			[]string{"X", "declares 1073741824 bytes uncompressed"}},
		{"ragged.csv", []byte("1,2,3\n4,5\n"), []string{"line 2", "2 fields, the first record has 3"}},
		{"nan.csv", []byte("x,y\n1,2\nnan,3\n"), []string{"line 3, column 1", `"nan"`}},
		{"one-column.csv", []byte("1\n2\n"), []string{"line 1", "1 column(s)"}},
		{"header-only.csv", []byte("x,y\n"), []string{"no samples"}},
		{"extra.npz", zipBytes(t, member{name: "X.npy", data: y}, member{name: "Y.npy", data: y}, member{name: "Z.npy", data: y}),
			[]string{"exactly the arrays X (n × d) and Y", "Z (3,)"}},
		{"mismatch.npz", zipBytes(t,
			member{name: "X.npy", data: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f64bytes(1, 2))},
			member{name: "Y.npy", data: y}),
			[]string{"Y", "3 samples, X has 2"}},
	} {
		path := writeTemp(t, dir, c.name, c.data)
		var err error
		alloc := allocated(func() { _, err = DataCase(path, relu, false, DataOptions{}) })
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range append(c.want, c.name) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
		// A data file is named as one, not as weights, although the
		// array readers are shared.
		if strings.HasSuffix(c.name, ".npz") && !strings.HasPrefix(err.Error(), "data "+path+": ") {
			t.Errorf("%s: error %q does not start with %q", c.name, err, "data "+path+": ")
		}
		if alloc > 8<<20 {
			t.Errorf("%s: reading allocated %d MiB before refusing", c.name, alloc>>20)
		}
	}
}
