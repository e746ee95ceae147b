package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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
// caller works too), each waiting for a Reducer to help with. A Run
// offers itself to the idle helpers and does its chunks itself meanwhile;
// a helper that comes late finds no chunk left, and a helper busy
// elsewhere is not waited for, so Runs from several goroutines, or a Run
// inside fn, never wait for one another.
//
// A helper that has just finished work watches for the next offer for a
// while (spinWait) before it parks: a sweep runs six short Runs back to
// back, and waking a parked goroutine on an idle processor cost about
// 100 µs each, a tenth of a pass on a small matrix.
type Reducer struct {
	c  Chunks
	m  int
	fn func(worker, chunk, lo, hi int, vec []float64) float64

	partial []float64 // per chunk
	// vecs holds each chunk's vector, stride apart from an offset of
	// guard: workers fill neighbouring chunks' vectors at the same time,
	// and the padding keeps them off each other's cache lines.
	vecs   []float64
	stride int
	out    []float64 // m

	next, joined atomic.Int64
	// want is the number of helpers the current Run still takes: a
	// helper joins by taking one (claim), and the caller takes what is
	// left once its own share is done.
	want atomic.Int64
	wg   sync.WaitGroup
}

// NewReducer returns a Reducer of fn over c's chunks with vectors of
// length m (0 for none).
func NewReducer(c Chunks, m int, fn func(worker, chunk, lo, hi int, vec []float64) float64) *Reducer {
	stride := 0
	if m > 0 {
		stride = m + guard
	}
	return &Reducer{c: c, m: m, fn: fn, stride: stride,
		partial: make([]float64, c.Len()), vecs: make([]float64, guard+c.Len()*stride), out: make([]float64, m)}
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
		r.wg.Add(workers - 1)
		r.want.Store(int64(workers - 1))
		helpers.offer.Store(r) // for the spinning helpers
		for h := 1; h < workers; h++ {
			select {
			case helpers.work <- r: // wake a parked one
			default: // none parked: the spinning ones, or the caller, do it
			}
		}
	}
	r.do(0)
	if workers > 1 {
		helpers.offer.CompareAndSwap(r, nil)
		// The helpers that did not join are not waited for.
		r.wg.Add(-int(r.want.Swap(0)))
	}
	r.wg.Wait()
	var s float64
	for _, v := range r.partial {
		s += v
	}
	clear(r.out)
	for k := range r.c.Len() {
		for j, v := range r.vec(k) {
			r.out[j] += v
		}
	}
	return s, r.out
}

// vec returns chunk k's vector.
func (r *Reducer) vec(k int) []float64 {
	lo := guard + k*r.stride
	return r.vecs[lo : lo+r.m : lo+r.m]
}

// claim takes one of the helpers the current Run wants, reporting false
// when it wants none (it is complete, or enough have joined).
func (r *Reducer) claim() bool {
	for {
		v := r.want.Load()
		if v <= 0 {
			return false
		}
		if r.want.CompareAndSwap(v, v-1) {
			return true
		}
	}
}

// help runs r's chunks as a helper if r still wants one.
func (r *Reducer) help() {
	if !r.claim() {
		return
	}
	r.do(int(r.joined.Add(1)))
	r.wg.Done()
}

// do takes chunks in turn until none are left, as worker w.
func (r *Reducer) do(w int) {
	for {
		k := int(r.next.Add(1) - 1)
		if k >= r.c.Len() {
			return
		}
		vec := r.vec(k)
		clear(vec)
		r.partial[k] = r.fn(w, k, r.c.Bounds[k], r.c.Bounds[k+1], vec)
	}
}

// helpers is the package's pool of helper goroutines.
var helpers = &pool{work: make(chan *Reducer)}

type pool struct {
	mu   sync.Mutex
	n    int
	work chan *Reducer // to parked helpers
	// offer is the latest Run that wants helpers, for the spinning ones
	// (nil once its caller has finished its share).
	offer atomic.Pointer[Reducer]
}

// spinWait is how long a helper watches for offers after its last work
// before it parks: longer than the serial gaps between a sweep's Runs,
// short enough that an idle library does not hold a processor.
const spinWait = 200 * time.Microsecond

// ensure starts helpers until there are at least n.
func (p *pool) ensure(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for ; p.n < n; p.n++ {
		go p.helper()
	}
}

// helper helps the Runs it is offered, spinning for spinWait after each
// before it parks on the channel.
func (p *pool) helper() {
	for {
		deadline := time.Now().Add(spinWait)
		for i := 0; ; i++ {
			if r := p.offer.Load(); r != nil && r.want.Load() > 0 {
				r.help()
				deadline = time.Now().Add(spinWait)
				continue
			}
			if i%64 == 63 {
				if time.Now().After(deadline) {
					break
				}
				runtime.Gosched() // let the caller's goroutine run on a busy machine
			}
		}
		r := <-p.work
		r.help()
	}
}
