// Package parallel splits index ranges into fixed chunks and runs them on
// a number of goroutines such that results never depend on that number.
//
// The chunk boundaries depend only on the data (balanced by a weight such
// as non-zeros per row), never on the worker count. Every output is owned
// by one chunk, and every reduction is a per-chunk partial summed in chunk
// order. So a fit gives bit-for-bit the same numbers on 1, 2 or 7 workers.
package parallel

import "runtime"

// MaxChunks is the number of chunks a range is cut into at most: enough
// for dynamic load balance on a many-core machine, few enough that the
// per-chunk partial sums cost nothing.
const MaxChunks = 256

// Chunks is a partition of [0, n) into consecutive chunks: chunk c covers
// [Bounds[c], Bounds[c+1]).
type Chunks struct {
	Bounds []int
}

// Balanced cuts [0, n) into at most MaxChunks chunks of about equal total
// weight, where item j weighs weight(j) plus a fixed cost base (so that
// items with zero weight still spread out).
func Balanced(n int, base int64, weight func(j int) int64) Chunks {
	return Cut(n, MaxChunks, base, weight)
}

// Cut is Balanced with at most parts chunks: for passes whose per-chunk
// state is large (one counter per column, say), where a few chunks, one
// per worker, are what pays.
func Cut(n, parts int, base int64, weight func(j int) int64) Chunks {
	if n == 0 {
		return Chunks{Bounds: []int{0}}
	}
	var total int64
	for j := 0; j < n; j++ {
		total += base + weight(j)
	}
	m := int64(max(1, min(n, parts)))
	bounds := []int{0}
	var acc int64
	next := int64(1)
	for j := 0; j < n; j++ {
		acc += base + weight(j)
		// Close a chunk once the running weight passes the next fraction
		// of the total, keeping at least one item per chunk.
		for next < m && acc*m >= next*total {
			if j+1 > bounds[len(bounds)-1] && j+1 < n {
				bounds = append(bounds, j+1)
			}
			next++
		}
	}
	bounds = append(bounds, n)
	return Chunks{Bounds: bounds}
}

// Len returns the number of chunks.
func (c Chunks) Len() int { return len(c.Bounds) - 1 }

// Workers returns w, or runtime.GOMAXPROCS(0) when w ≤ 0.
func Workers(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// Run calls fn(worker, chunk, lo, hi) once for every chunk, on at most
// workers goroutines that take chunks in turn. worker is in [0, workers)
// and lets fn use per-goroutine scratch space; which worker runs which
// chunk varies, so results must not depend on it.
func (c Chunks) Run(workers int, fn func(worker, chunk, lo, hi int)) {
	NewReducer(c, 0, func(w, k, lo, hi int, _ []float64) float64 {
		fn(w, k, lo, hi)
		return 0
	}).Run(workers)
}

// Sum runs fn over every chunk and returns the sum of its results added in
// chunk order, so that the result does not depend on workers.
func (c Chunks) Sum(workers int, fn func(worker, lo, hi int) float64) float64 {
	s, _ := NewReducer(c, 0, func(w, _, lo, hi int, _ []float64) float64 {
		return fn(w, lo, hi)
	}).Run(workers)
	return s
}

// SumVec runs fn over every chunk, each filling a vector of length m
// (zeroed before the call), and returns the element-wise sum of those
// vectors in chunk order.
func (c Chunks) SumVec(workers, m int, fn func(worker, lo, hi int, dst []float64)) []float64 {
	_, v := NewReducer(c, m, func(w, _, lo, hi int, dst []float64) float64 {
		fn(w, lo, hi, dst)
		return 0
	}).Run(workers)
	return v
}
