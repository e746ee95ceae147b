package inference

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/poisfact/poisfact/internal/fixtures"
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
					var path string
					if in.name == "synthetic" {
						path = testutil.SynthMatrix(b)
					} else {
						path = testutil.SharedMatrix(b, in.name)
					}
					x := fixtures.Load(b, path)
					const sweeps = 6
					var steady, setup time.Duration
					runs := 0
					for b.Loop() {
						var first, last time.Duration
						res, err := CAVI(context.Background(), x, &Settings{K: k, MaxIter: sweeps, Tol: -1, Workers: w,
							Recorder: func(it Iteration) {
								if it.Iter == 1 {
									first = it.Elapsed
								}
								last = it.Elapsed
							}})
						if err != nil {
							b.Fatal(err)
						}
						benchResult = res
						steady += last - first
						setup += first
						runs++
					}
					perSweep := float64(steady.Nanoseconds()) / float64(runs*(sweeps-1))
					b.ReportMetric(perSweep/1e9, "s/sweep")
					b.ReportMetric(float64(setup.Nanoseconds())/float64(runs)/1e9, "s/setup")
					b.ReportMetric(perSweep/float64(x.NNZ())/float64(k), "ns/nnz/factor")
				})
			}
		}
	}
}
