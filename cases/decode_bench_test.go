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
