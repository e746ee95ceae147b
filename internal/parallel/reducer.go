package parallel

import (
	"sync"
	"sync/atomic"
)

// A Reducer is chunked work bound once and run many times, such as one
// pass of a sweep: Run calls fn(worker, chunk, lo, hi, vec) for every
// chunk, each with the chunk's own vector of length m (zeroed before the
// call), and returns the sum of fn's results and the element-wise sum of
// the vectors, both added in chunk order, so that neither depends on the
// number of workers. After the first Run, Run allocates nothing: the
// partial sums live in the Reducer, the helpers are the package's
// (below), and the hand-off is a pointer to the Reducer. A Reducer runs
// one Run at a time; fn must not depend on which worker runs a chunk.
//
// The package keeps, for the life of the process, as many helper
// goroutines as the most workers any Run has asked for, minus one (the
// caller works too), each waiting for a Reducer to help with. A Run hands
// itself only to helpers that are idle at that moment and does the rest
// of its chunks itself, so Runs from several goroutines, or a Run inside
// fn, never wait for one another.
type Reducer struct {
	c  Chunks
	m  int
	fn func(worker, chunk, lo, hi int, vec []float64) float64

	partial []float64 // per chunk
	vecs    []float64 // per chunk × m
	out     []float64 // m

	next, joined atomic.Int64
	wg           sync.WaitGroup
}

// NewReducer returns a Reducer of fn over c's chunks with vectors of
// length m (0 for none).
func NewReducer(c Chunks, m int, fn func(worker, chunk, lo, hi int, vec []float64) float64) *Reducer {
	return &Reducer{c: c, m: m, fn: fn,
		partial: make([]float64, c.Len()), vecs: make([]float64, c.Len()*m), out: make([]float64, m)}
}

// Run runs the work on at most workers goroutines (workers ≤ 0: one per
// processor) and returns the sum of fn's results and the sum of the
// vectors, the latter the Reducer's own slice, valid until the next Run.
func (r *Reducer) Run(workers int) (float64, []float64) {
	workers = min(Workers(workers), r.c.Len())
	r.next.Store(0)
	r.joined.Store(0)
	if workers > 1 {
		helpers.ensure(workers - 1)
		for h := 1; h < workers; h++ {
			r.wg.Add(1)
			select {
			case helpers.work <- r:
			default: // no helper idle: the caller does its share
				r.wg.Done()
			}
		}
	}
	r.do(0)
	r.wg.Wait()
	var s float64
	for _, v := range r.partial {
		s += v
	}
	clear(r.out)
	for k := range r.c.Len() {
		for j, v := range r.vecs[k*r.m : (k+1)*r.m] {
			r.out[j] += v
		}
	}
	return s, r.out
}

// do takes chunks in turn until none are left, as worker w.
func (r *Reducer) do(w int) {
	for {
		k := int(r.next.Add(1) - 1)
		if k >= r.c.Len() {
			return
		}
		vec := r.vecs[k*r.m : (k+1)*r.m]
		clear(vec)
		r.partial[k] = r.fn(w, k, r.c.Bounds[k], r.c.Bounds[k+1], vec)
	}
}

// helpers is the package's pool of helper goroutines.
var helpers = &pool{work: make(chan *Reducer)}

type pool struct {
	mu   sync.Mutex
	n    int
	work chan *Reducer
}

// ensure starts helpers until there are at least n.
func (p *pool) ensure(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for ; p.n < n; p.n++ {
		go func() {
			for r := range p.work {
				r.do(int(r.joined.Add(1)))
				r.wg.Done()
			}
		}()
	}
}
