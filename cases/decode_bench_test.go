package cases

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// largeCase writes a case of n samples with d = 1, bias, k = 1, numbers
// with three decimals (like the 14.6 MB, n = 10⁶ example).
func largeCase(n int) []byte {
	var b bytes.Buffer
	rng := rand.New(rand.NewPCG(1, 2))
	b.WriteString(`{"name": "large", "activation": "relu", "bias": true, "inputs": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `["0.%03d"]`, rng.IntN(1000))
	}
	b.WriteString(`], "targets": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `["-0.%03d"]`, rng.IntN(1000))
	}
	b.WriteString(`], "neurons": [{"w": ["1", "0"], "a": ["1"]}]}`)
	return b.Bytes()
}

// BenchmarkDecodeLarge decodes a case of n = 10⁶ samples (about 20 MB)
// and reports the live heap of the parsed case and the peak heap during
// decoding, per byte of the file (the goal of issue 12: at most 4× the
// file plus 50 MB).
func BenchmarkDecodeLarge(b *testing.B) {
	data := largeCase(1_000_000)
	b.SetBytes(int64(len(data)))
	var peak, live float64
	for b.Loop() {
		runtime.GC()
		var before, during, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c, err := Decode("large.json", bytes.NewReader(data), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&during)
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(c)
		peak = float64(during.HeapInuse-before.HeapInuse) / float64(len(data))
		live = float64(after.HeapInuse-before.HeapInuse) / float64(len(data))
	}
	b.ReportMetric(live, "live-heap/file-byte")
	b.ReportMetric(peak, "heap-at-end/file-byte")
}

// floatCase writes a case of n samples, d inputs and one target, every
// number a float64 written as gen writes it ("p/q", q a power of two).
func floatCase(n, d int) []byte {
	var b bytes.Buffer
	rng := rand.New(rand.NewPCG(3, 4))
	b.WriteString(`{"name": "floats", "activation": "relu", "inputs": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n  [")
		for j := range d {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, `"%s"`, appendFloat(nil, rng.NormFloat64()))
		}
		b.WriteByte(']')
	}
	b.WriteString(`], "targets": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `["%s"]`, appendFloat(nil, rng.NormFloat64()))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// BenchmarkDecodeFloats decodes a case of 10⁵ samples with d = 16, every
// number a float64 as "p/q" (issue 15 item 7: the gen files), and reports
// the time and the live heap per number (goal: at most 1 µs; 8 bytes as
// the float64 itself plus little).
func BenchmarkDecodeFloats(b *testing.B) {
	const n, d = 100_000, 16
	data := floatCase(n, d)
	b.SetBytes(int64(len(data)))
	var live float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c, err := Decode("floats.json", bytes.NewReader(data), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(c)
		live = float64(after.HeapInuse-before.HeapInuse) / (n * (d + 1))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(n*(d+1)), "ns/number")
	b.ReportMetric(live, "live-heap-B/number")
}
