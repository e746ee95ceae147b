package testutil

import (
	"testing"
	"time"
)

// SteadyState runs fit in the benchmark's loop and reports the steady
// state apart from the setup: fit runs one fit and calls mark after each
// of its iterations with the time since the fit started. The metrics are
// "s/"+step and "ns/nnz/factor" over the iterations after the first, and
// "s/setup" for the first (the start, the buffers and one iteration).
func SteadyState(b *testing.B, step string, nnz, k int, fit func(mark func(iter int, elapsed time.Duration))) {
	b.Helper()
	var steady, setup time.Duration
	runs, iters := 0, 0
	for b.Loop() {
		var first, last time.Duration
		n := 0
		fit(func(iter int, elapsed time.Duration) {
			if iter == 1 {
				first = elapsed
			}
			last, n = elapsed, iter
		})
		steady += last - first
		setup += first
		runs, iters = runs+1, iters+n-1
	}
	if iters == 0 {
		b.Fatal("testutil: fits of one iteration have no steady state")
	}
	per := float64(steady.Nanoseconds()) / float64(iters)
	b.ReportMetric(per/1e9, "s/"+step)
	b.ReportMetric(float64(setup.Nanoseconds())/float64(runs)/1e9, "s/setup")
	b.ReportMetric(per/float64(nnz)/float64(k), "ns/nnz/factor")
}
