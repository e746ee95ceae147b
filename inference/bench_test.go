package inference

import (
	"context"
	"fmt"
	"testing"

	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/testutil"
)

var benchResult *Result

// BenchmarkCAVI times CAVI sweeps, the exact ELBO recorded every sweep,
// and reports nanoseconds per non-zero per factor per sweep: the figure
// to compare with hpfrec (94) and hgaprec (60) on the synthetic matrix at
// K = 50, one thread. Each timed fit runs 5 sweeps from initialization.
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
					const sweeps = 5
					for b.Loop() {
						res, err := CAVI(context.Background(), x, &Settings{K: k, MaxIter: sweeps, Tol: -1, Workers: w})
						if err != nil {
							b.Fatal(err)
						}
						benchResult = res
					}
					perSweep := float64(b.Elapsed().Nanoseconds()) / float64(b.N*sweeps)
					b.ReportMetric(perSweep/1e9, "s/sweep")
					b.ReportMetric(perSweep/float64(x.NNZ())/float64(k), "ns/nnz/factor")
				})
			}
		}
	}
}
