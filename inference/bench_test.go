package inference

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/special"
	"github.com/poisfact/poisfact/internal/testutil"
)

var benchResult *Result

// BenchmarkCAVI times CAVI sweeps, the exact ELBO recorded every sweep,
// and reports the steady state apart from the setup: "ns/nnz/factor" and
// "s/sweep" from the sweeps after the first (the time between the
// recorder's first and last calls), "s/setup" for the start, the kernel's
// buffers and the first sweep. Each timed fit runs 6 sweeps.
func BenchmarkCAVI(b *testing.B) {
	type input struct{ name, path string }
	inputs := []input{{"synthetic", ""}, {"pbmc3k", ""}, {"newsgroups20", ""}}
	for _, in := range inputs {
		for _, k := range []int{50, 100} {
			for _, w := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/K=%d/workers=%d", in.name, k, w), func(b *testing.B) {
					path := testutil.BenchMatrix(b, in.name)
					x := fixtures.Load(b, path)
					testutil.SteadyState(b, "sweep", x.NNZ(), k, func(mark func(int, time.Duration)) {
						res, err := CAVI(context.Background(), x, &Settings{K: k, MaxIter: 6, Tol: -1, Workers: w,
							Recorder: func(it Iteration) { mark(it.Iter, it.Elapsed) }})
						if err != nil {
							b.Fatal(err)
						}
						benchResult = res
					})
				})
			}
		}
	}
}

// BenchmarkCAVIWorkers measures what two workers buy over one by paired
// sweeps of one fit: results are the same for any number of workers, so
// each loop runs two sweeps on one worker and two on two (which goes first
// alternating), and times the second of each pair, the first having moved
// the factors into the caches of the cores that will use them. Each timed
// sweep is followed by the best check's copy, as in a fit whose ELBO
// rises at every check. It reports the median "ns/nnz/factor" for each
// worker count and "speedup", the median over loops of the one-worker
// sweep's time over the two-worker sweep's of the same loop. Neighbours
// on a shared machine slow a sweep by up to half for seconds at a time;
// times taken a few sweeps apart see the same machine, and their ratio is
// what BenchmarkCAVI's means of separate fits blur.
//
// The first sub-benchmark, "ceiling", is the machine's own limit in the
// same run: work that shares nothing, special functions over a buffer in
// each core's first-level cache, timed the same way. On a virtual machine
// whose two cores share a host with others, it is below 2.
//
// Run it with -benchtime 20x or more.
func BenchmarkCAVIWorkers(b *testing.B) {
	b.Run("ceiling", func(b *testing.B) {
		var bufs [2][3][]float64
		for h := range bufs {
			for j := range bufs[h] {
				bufs[h][j] = parallel.Private(512)
			}
			for j := range bufs[h][0] {
				bufs[h][0][j] = 0.1 + float64(j)/64
			}
		}
		half := func(h int) {
			src, psi, lg := bufs[h][0], bufs[h][1], bufs[h][2]
			for range 4000 {
				special.DigammaLogGammaTo(psi, lg, src)
				special.ExpTo(lg, psi)
			}
		}
		_, _, ratio := pairedTimes(b, func(w int) time.Duration {
			start := time.Now()
			if w == 1 {
				half(0)
				half(1)
			} else {
				var wg sync.WaitGroup
				wg.Go(func() { half(1) })
				half(0)
				wg.Wait()
			}
			return time.Since(start)
		})
		b.ReportMetric(median(ratio), "speedup")
	})
	for _, name := range []string{"synthetic", "pbmc3k", "newsgroups20"} {
		for _, k := range []int{50, 100} {
			b.Run(fmt.Sprintf("%s/K=%d", name, k), func(b *testing.B) {
				x := fixtures.Load(b, testutil.BenchMatrix(b, name))
				s, err := (&Settings{K: k, Workers: 2}).withDefaults(x)
				if err != nil {
					b.Fatal(err)
				}
				f := newFit(x, s)
				if err := f.start(context.Background(), s.Seed); err != nil {
					b.Fatal(err)
				}
				_, _, sumBeta := f.begin(2)
				t := 0
				one, two, ratio := pairedTimes(b, func(w int) (d time.Duration) {
					for range 2 { // the second sweep's time is returned
						t++
						start := time.Now()
						var elbo float64
						elbo, _, sumBeta = f.sweep(w, sumBeta)
						f.best = f.best.take(w, f.rows, f.cols, t, elbo)
						d = time.Since(start)
					}
					return d
				})
				per := float64(x.NNZ()) * float64(k)
				b.ReportMetric(median(one)/per, "ns/nnz/factor/1w")
				b.ReportMetric(median(two)/per, "ns/nnz/factor/2w")
				b.ReportMetric(median(ratio), "speedup")
			})
		}
	}
}

// pairedTimes runs b's loop, each iteration timing one run of timed on
// one worker and one on two, in alternating order, and returns the times
// in nanoseconds and their ratios, one over two, per iteration.
func pairedTimes(b *testing.B, timed func(workers int) time.Duration) (one, two, ratio []float64) {
	for i := 0; b.Loop(); i++ {
		var d1, d2 time.Duration
		if i%2 == 0 {
			d1, d2 = timed(1), timed(2)
		} else {
			d2, d1 = timed(2), timed(1)
		}
		one, two = append(one, float64(d1)), append(two, float64(d2))
		ratio = append(ratio, float64(d1)/float64(d2))
	}
	return one, two, ratio
}

// median returns the median of v, which it sorts.
func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
