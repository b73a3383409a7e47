package atlas

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Task is one training run of a sweep: a width, an initialisation exponent
// μ and a seed. Index is its place in the sweep's order (Tasks).
type Task struct {
	Index int
	Width int
	Mu    *big.Rat
	Seed  uint64
}

// Tasks enumerates the sweep widths × μ × seeds, seeds seed0, seed0+1, …,
// seed0+runs−1, in that nesting order (the width varies slowest), with
// Index 0, 1, … .
func Tasks(widths []int, mus []*big.Rat, seed0 uint64, runs int) []Task {
	var out []Task
	for _, w := range widths {
		for _, mu := range mus {
			for s := range runs {
				out = append(out, Task{Index: len(out), Width: w, Mu: mu, Seed: seed0 + uint64(s)})
			}
		}
	}
	return out
}

// Shard is part I (0-based) of a sweep cut into N parts: it owns the tasks
// whose Index is I modulo N, so that every part gets every width and μ in
// turn.
type Shard struct {
	I, N int
}

// ParseShard reads "I/N" with 0 ≤ I < N.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want I/N, e.g. 0/4", s)
	}
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: I and N must be integers", s)
	}
	sh := Shard{I: i, N: n}
	return sh, sh.Validate()
}

// Validate checks N ≥ 1 and 0 ≤ I < N.
func (s Shard) Validate() error {
	if s.N < 1 {
		return fmt.Errorf("shard %d/%d: the number of shards must be at least 1", s.I, s.N)
	}
	if s.I < 0 || s.I >= s.N {
		return fmt.Errorf("shard %d/%d: the index must be in 0…%d", s.I, s.N, s.N-1)
	}
	return nil
}

// String returns "I/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// Owns reports whether task index t belongs to the shard.
func (s Shard) Owns(t int) bool { return t%s.N == s.I }

// Missing checks that the shards seen are exactly 0/N … (N−1)/N, each once:
// it returns the indices never seen and those seen more than once, both
// ascending. seen lists the index of every part.
func Missing(n int, seen []int) (missing, duplicated []int) {
	count := make([]int, n)
	for _, i := range seen {
		if i >= 0 && i < n {
			count[i]++
		}
	}
	for i, c := range count {
		switch {
		case c == 0:
			missing = append(missing, i)
		case c > 1:
			duplicated = append(duplicated, i)
		}
	}
	return missing, duplicated
}
