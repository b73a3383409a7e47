package cases

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path"
	"sort"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// This file reads the tensors of a torch.save file in PyTorch's zip format
// (the default since PyTorch 1.6): a zip archive whose members are
// ARCHIVE/data.pkl, a pickle of the saved object in which every tensor is
// torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …) and
// every storage a persistent id ('storage', torch.FloatStorage, key,
// location, numel), and ARCHIVE/data/KEY, the storage's bytes (little
// endian). The pickle is interpreted by github.com/nlpodyssey/gopickle, after
// a scan of its opcodes that bounds every length it declares by the bytes
// that follow (gopickle allocates what a length says before reading), and
// with our own classes for storages and tensors, so no storage is read
// until the shapes, strides and offsets have been checked against the
// member's real size and MaxEntries.

// MaxPickleBytes bounds the data.pkl member of a .pt file: the pickle of a
// state dict of a few tensors is well under a kilobyte.
const MaxPickleBytes = 1 << 20

// storageDtypes are the storage classes a float tensor is saved with.
var storageDtypes = map[string]dtype{
	"DoubleStorage":   {kind: "float64", size: 8},
	"FloatStorage":    {kind: "float32", size: 4},
	"HalfStorage":     {kind: "float16", size: 2},
	"BFloat16Storage": {kind: "bfloat16", size: 2},
}

// storageClass is a torch.*Storage class named in the pickle; name is
// "FloatStorage", …; ok is false for a non-float storage.
type storageClass struct {
	name  string
	dtype dtype
	ok    bool
}

// storageRef is a storage the pickle refers to: its class, its member of
// the archive and its number of elements.
type storageRef struct {
	class  *storageClass
	member *zip.File
	numel  int
}

// tensorRef is a tensor rebuilt by the pickle: a view of a storage.
type tensorRef struct {
	storage *storageRef
	offset  int
	shape   []int
	strides []int
}

// rebuildTensor is torch._utils._rebuild_tensor_v2.
type rebuildTensor struct{}

// Call checks the view against its storage.
func (rebuildTensor) Call(args ...any) (any, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments", len(args))
	}
	st, ok := args[0].(*storageRef)
	if !ok {
		return nil, errors.New("_rebuild_tensor_v2: the first argument is not a storage")
	}
	off, ok := args[1].(int)
	if !ok || off < 0 {
		return nil, errors.New("_rebuild_tensor_v2: bad storage offset")
	}
	shape, err := intTuple(args[2], "size")
	if err != nil {
		return nil, err
	}
	strides, err := intTuple(args[3], "stride")
	if err != nil {
		return nil, err
	}
	if len(strides) != len(shape) {
		return nil, fmt.Errorf("_rebuild_tensor_v2: size %s and stride %s differ in length", shapeString(shape), shapeString(strides))
	}
	n, err := entries(shape)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		// The last element's position must lie inside the storage.
		last := off
		for i, s := range shape {
			if strides[i] < 0 || strides[i] > st.numel {
				return nil, fmt.Errorf("_rebuild_tensor_v2: stride %s outside the storage of %d elements", shapeString(strides), st.numel)
			}
			last += (s - 1) * strides[i]
		}
		if last >= st.numel {
			return nil, fmt.Errorf("size %s, stride %s at offset %d reach element %d of a storage of %d elements",
				shapeString(shape), shapeString(strides), off, last, st.numel)
		}
	}
	return &tensorRef{storage: st, offset: off, shape: shape, strides: strides}, nil
}

// rebuildParameter is torch._utils._rebuild_parameter (a saved
// nn.Parameter): the tensor itself.
type rebuildParameter struct{}

// Call returns the parameter's tensor.
func (rebuildParameter) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, errors.New("_rebuild_parameter without arguments")
	}
	t, ok := args[0].(*tensorRef)
	if !ok {
		return nil, errors.New("_rebuild_parameter of something that is not a tensor")
	}
	return t, nil
}

// intTuple reads a tuple of non-negative ints.
func intTuple(v any, what string) ([]int, error) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: %s is not a tuple", what)
	}
	out := make([]int, t.Len())
	for i := range out {
		x, ok := t.Get(i).(int)
		if !ok || x < 0 {
			return nil, fmt.Errorf("_rebuild_tensor_v2: %s entry %d is not a non-negative integer", what, i)
		}
		out[i] = x
	}
	return out, nil
}

// torchArrays declares the tensors of a torch.save zip archive z (read
// from file), in the order the saved dict lists them.
func torchArrays(file string, z *zip.Reader) ([]*array, error) {
	fail := func(format string, args ...any) error {
		return &WeightsError{File: file, Err: fmt.Errorf(format, args...)}
	}
	members := map[string]*zip.File{}
	var pkl *zip.File
	for _, m := range z.File {
		members[m.Name] = m
		switch path.Base(m.Name) {
		case "data.pkl":
			if pkl != nil {
				return nil, fail("two data.pkl members (%s, %s): not a torch.save file", pkl.Name, m.Name)
			}
			pkl = m
		case "constants.pkl":
			return nil, fail("a TorchScript archive (torch.jit.save): save the weights with torch.save(model.state_dict(), path)")
		}
	}
	if pkl == nil {
		return nil, fail("a zip archive without data.pkl: neither an .npz archive of .npy arrays nor a torch.save file")
	}
	if pkl.UncompressedSize64 > MaxPickleBytes {
		return nil, fail("%s declares %d bytes, more than the limit of %d for the pickle of a state dict", pkl.Name, pkl.UncompressedSize64, MaxPickleBytes)
	}
	prefix := strings.TrimSuffix(pkl.Name, "data.pkl")
	// PyTorch ≥ 2.1 records the byte order of the storages; without the
	// record they are little endian.
	bigEndian := false
	if m := members[prefix+"byteorder"]; m != nil {
		order, err := readSmall(m, 16)
		switch {
		case err != nil:
			return nil, fail("%s: %v", m.Name, err)
		case order == "big":
			bigEndian = true
		case order != "little":
			return nil, fail("%s: byte order %q: want little or big", m.Name, order)
		}
	}
	rc, err := pkl.Open()
	if err != nil {
		return nil, fail("%s: %v", pkl.Name, err)
	}
	data, err := io.ReadAll(io.LimitReader(rc, MaxPickleBytes+1))
	rc.Close()
	if err != nil {
		return nil, fail("%s: %v", pkl.Name, err)
	}
	if err := scanPickle(data); err != nil {
		return nil, fail("%s: malformed pickle: %v", pkl.Name, err)
	}
	obj, err := unpickle(data, func(class *storageClass, key string, numel int) (*storageRef, error) {
		m := members[prefix+"data/"+key]
		if m == nil {
			return nil, fmt.Errorf("the pickle refers to storage %q, the archive has no member %sdata/%s", key, prefix, key)
		}
		if !class.ok {
			return &storageRef{class: class, member: m, numel: numel}, nil
		}
		if numel < 0 || numel > MaxEntries {
			return nil, fmt.Errorf("storage %q of %d elements: more than the limit of %d entries", key, numel, MaxEntries)
		}
		if bigEndian {
			c := *class
			c.dtype.big = true
			class = &c
		}
		if need := uint64(numel) * uint64(class.dtype.size); m.UncompressedSize64 != need {
			return nil, fmt.Errorf("storage %q: %d %s elements need %d bytes, the member %s holds %d",
				key, numel, class.dtype.kind, need, m.Name, m.UncompressedSize64)
		}
		return &storageRef{class: class, member: m, numel: numel}, nil
	})
	if err != nil {
		return nil, fail("%s: %v", pkl.Name, err)
	}
	return stateDict(file, obj)
}

// readSmall reads a zip member of at most limit bytes as text.
func readSmall(m *zip.File, limit uint64) (string, error) {
	if m.UncompressedSize64 > limit {
		return "", fmt.Errorf("%d bytes, more than %d", m.UncompressedSize64, limit)
	}
	rc, err := m.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(limit)))
	return strings.TrimSpace(string(b)), err
}

// stateDict turns the unpickled object — a dict of tensors — into arrays.
func stateDict(file string, obj any) ([]*array, error) {
	var keys, vals []any
	switch d := obj.(type) {
	case *types.OrderedDict:
		for e := d.List.Front(); e != nil; e = e.Next() {
			ent := e.Value.(*types.OrderedDictEntry)
			keys, vals = append(keys, ent.Key), append(vals, ent.Value)
		}
	case *types.Dict:
		for _, ent := range *d {
			keys, vals = append(keys, ent.Key), append(vals, ent.Value)
		}
	case *tensorRef:
		return nil, &WeightsError{File: file, Err: errors.New("the file holds one tensor, not a state dict: save model.state_dict() (a dict of the two layers' tensors)")}
	default:
		return nil, &WeightsError{File: file, Err: fmt.Errorf("the file holds a %s, not a state dict (a dict of tensors): save model.state_dict()", pyTypeName(obj))}
	}
	var out []*array
	seen := map[string]bool{}
	for i, k := range keys {
		name, ok := k.(string)
		if !ok {
			return nil, &WeightsError{File: file, Err: fmt.Errorf("key %d of the state dict is a %s, not a string", i, pyTypeName(k))}
		}
		if seen[name] {
			return nil, &WeightsError{File: file, Array: name, Err: errors.New("stored twice")}
		}
		seen[name] = true
		t, ok := vals[i].(*tensorRef)
		if !ok {
			return nil, &WeightsError{File: file, Array: name, Err: fmt.Errorf("a %s, not a tensor", pyTypeName(vals[i]))}
		}
		if !t.storage.class.ok {
			return nil, &WeightsError{File: file, Array: name, Err: fmt.Errorf(
				"dtype %s: want a float tensor (float64, float32, float16 or bfloat16)", t.storage.class.name)}
		}
		st := t.storage
		out = append(out, &array{
			file: file, name: name, shape: t.shape, dtype: st.class.dtype,
			strides: t.strides, offset: t.offset,
			read: func() ([]float64, error) {
				rc, err := st.member.Open()
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				return readValues(rc, st.numel, st.class.dtype)
			},
		})
	}
	return out, nil
}

// pyTypeName names the Python type of an unpickled value, for messages.
func pyTypeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case string:
		return "str"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case *types.Tuple:
		return "tuple"
	case *types.List:
		return "list"
	case *types.Dict, *types.OrderedDict:
		return "dict"
	case *storageRef:
		return "storage"
	case *types.GenericClass:
		return v.Module + "." + v.Name
	}
	return fmt.Sprintf("%T", v)
}

// unpickle runs gopickle on data (already scanned) with the classes of a
// state dict: OrderedDict (gopickle's own), the tensor and parameter
// rebuilders and the storage classes. Any other class is an error naming
// it: the file is not a state dict (torch.save(model) pickles the module's
// class). storage resolves a persistent id.
func unpickle(data []byte, storage func(class *storageClass, key string, numel int) (*storageRef, error)) (obj any, err error) {
	defer func() {
		if r := recover(); r != nil {
			obj, err = nil, errors.New("not a pickle that torch.save writes (the unpickler failed)")
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(data))
	u.FindClass = func(module, name string) (any, error) {
		switch module + "." + name {
		case "torch._utils._rebuild_tensor_v2":
			return rebuildTensor{}, nil
		case "torch._utils._rebuild_parameter":
			return rebuildParameter{}, nil
		}
		if module == "torch" && strings.HasSuffix(name, "Storage") {
			t, ok := storageDtypes[name]
			return &storageClass{name: name, dtype: t, ok: ok}, nil
		}
		return nil, fmt.Errorf("the pickle names the Python class %s.%s: not a state dict of tensors (torch.save(model) pickles the module: save model.state_dict() instead)", module, name)
	}
	u.PersistentLoad = func(id any) (any, error) {
		t, ok := id.(*types.Tuple)
		if !ok || t.Len() < 5 {
			return nil, errors.New("a persistent id that is not a storage tuple")
		}
		if s, _ := t.Get(0).(string); s != "storage" {
			return nil, fmt.Errorf("a persistent id of type %v, want 'storage'", t.Get(0))
		}
		class, ok1 := t.Get(1).(*storageClass)
		key, ok2 := t.Get(2).(string)
		numel, ok3 := t.Get(4).(int)
		if !ok1 || !ok2 || !ok3 {
			return nil, errors.New("a storage persistent id with unexpected fields")
		}
		return storage(class, key, numel)
	}
	return u.Load()
}

// pickleArg is how an opcode's argument is encoded.
type pickleArg int8

const (
	argNone  pickleArg = iota
	argFixed           // a fixed number of bytes (pickleFixed)
	argLine            // up to a newline
	argTwoLines
	argLen1 // a 1-byte length, then that many bytes
	argLen4
	argLen8
)

// pickleOps gives, for every opcode of protocols 0–5, how its argument is
// encoded (Python's pickletools), and pickleFixed the fixed sizes.
var (
	pickleOps   = map[byte]pickleArg{}
	pickleFixed = map[byte]int{}
)

func init() {
	for _, c := range []byte("(.012NRabd}el]ostu)Q\x81\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x97\x98") {
		pickleOps[c] = argNone
	}
	for c, n := range map[byte]int{'h': 1, 'q': 1, 'K': 1, 0x80: 1, 0x82: 1, 'M': 2, 0x83: 2, 'J': 4, 'j': 4, 'r': 4, 0x84: 4, 'G': 8, 0x95: 8} {
		pickleOps[c], pickleFixed[c] = argFixed, n
	}
	for _, c := range "ILFSVPgp" {
		pickleOps[byte(c)] = argLine
	}
	pickleOps['c'], pickleOps['i'] = argTwoLines, argTwoLines
	for _, c := range []byte{'U', 0x8c, 'C', 0x8a} {
		pickleOps[c] = argLen1
	}
	for _, c := range []byte{'T', 'X', 'B', 0x8b} {
		pickleOps[c] = argLen4
	}
	for _, c := range []byte{0x8d, 0x8e, 0x96} {
		pickleOps[c] = argLen8
	}
}

// scanPickle walks the opcodes of a pickle up to STOP and checks that every
// argument, and every length an opcode declares, fits in the bytes that
// follow; an unknown opcode is an error. After it, gopickle allocates no
// more than the pickle's own size per opcode.
func scanPickle(b []byte) error {
	i := 0
	for i < len(b) {
		op := b[i]
		at := i
		i++
		kind, ok := pickleOps[op]
		if !ok {
			return fmt.Errorf("unknown opcode 0x%02x at byte %d", op, at)
		}
		need := 0
		switch kind {
		case argFixed:
			need = pickleFixed[op]
		case argLine, argTwoLines:
			lines := 1
			if kind == argTwoLines {
				lines = 2
			}
			for ; lines > 0; lines-- {
				j := bytes.IndexByte(b[i:], '\n')
				if j < 0 {
					return fmt.Errorf("opcode 0x%02x at byte %d: no end of line", op, at)
				}
				i += j + 1
			}
		case argLen1, argLen4, argLen8:
			w := map[pickleArg]int{argLen1: 1, argLen4: 4, argLen8: 8}[kind]
			if len(b)-i < w {
				return fmt.Errorf("opcode 0x%02x at byte %d: truncated length", op, at)
			}
			var n uint64
			for k := w - 1; k >= 0; k-- {
				n = n<<8 | uint64(b[i+k])
			}
			i += w
			if n > uint64(len(b)-i) {
				return fmt.Errorf("opcode 0x%02x at byte %d declares %d bytes, %d remain", op, at, n, len(b)-i)
			}
			need = int(n)
		}
		if len(b)-i < need {
			return fmt.Errorf("opcode 0x%02x at byte %d: truncated argument", op, at)
		}
		if op == 0x95 { // FRAME: its size must fit too; its opcodes follow inline
			var n uint64
			for k := 7; k >= 0; k-- {
				n = n<<8 | uint64(b[i+k])
			}
			if n > uint64(len(b)-i-8) {
				return fmt.Errorf("frame at byte %d declares %d bytes, %d remain", at, n, len(b)-i-8)
			}
		}
		i += need
		if op == '.' {
			return nil
		}
	}
	return errors.New("no STOP opcode (truncated)")
}

// sortedNames lists the arrays' names with their shapes, for messages.
func sortedNames(arrays []*array) string {
	if len(arrays) == 0 {
		return "no arrays"
	}
	parts := make([]string, len(arrays))
	for i, a := range arrays {
		parts[i] = fmt.Sprintf("%s %s", a.name, shapeString(a.shape))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
