// Package parallel runs the loops of the exact engines over GOMAXPROCS
// goroutines: static chunks (Chunks) or one index at a time (Dynamic).
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers returns the number of goroutines for work of the given size
// (1 below 2¹⁶ units, GOMAXPROCS otherwise).
func Workers(work int) int {
	w := runtime.GOMAXPROCS(0)
	if work < 1<<16 || w < 1 {
		return 1
	}
	return w
}

// Chunks runs f(t, lo, hi) for the chunks t < w of a partition of [0, n),
// concurrently when w > 1.
func Chunks(n, w int, f func(t, lo, hi int)) {
	if w < 1 {
		w = 1
	}
	if w == 1 || n < 2 {
		f(0, 0, n)
		for t := 1; t < w; t++ {
			f(t, n, n)
		}
		return
	}
	var wg sync.WaitGroup
	for t := 0; t < w; t++ {
		lo, hi := t*n/w, (t+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(t, lo, hi)
		}()
	}
	wg.Wait()
}

// Dynamic runs f(j) for every j < n on w goroutines that take the next
// index as they finish (for work of uneven size).
func Dynamic(n, w int, f func(j int)) {
	if w <= 1 || n < 2 {
		for j := 0; j < n; j++ {
			f(j)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for t := 0; t < w; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1) - 1)
				if j >= n {
					return
				}
				f(j)
			}
		}()
	}
	wg.Wait()
}
