package mle

import (
	"context"
	"fmt"
	"testing"

	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/testutil"
)

var benchResult *Result

// BenchmarkFit times iterations of MU and CD at K = 50 and reports
// nanoseconds per non-zero per factor per iteration, the figure to compare
// with scikit-learn's KL-MU (28 ns on the synthetic matrix, one thread).
// Each timed fit runs 5 iterations from a random start.
func BenchmarkFit(b *testing.B) {
	for _, name := range []string{"synthetic", "pbmc3k"} {
		for _, m := range []Method{MU, CD} {
			for _, w := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%v/K=50/workers=%d", name, m, w), func(b *testing.B) {
					path := testutil.SynthMatrix(b)
					if name != "synthetic" {
						path = testutil.SharedMatrix(b, name)
					}
					x := fixtures.Load(b, path)
					const iters, k = 5, 50
					for b.Loop() {
						res, err := Fit(context.Background(), x, &Settings{K: k, Method: m, MaxIter: iters, Tol: -1, Workers: w})
						if err != nil {
							b.Fatal(err)
						}
						benchResult = res
					}
					per := float64(b.Elapsed().Nanoseconds()) / float64(b.N*iters)
					b.ReportMetric(per/1e9, "s/iter")
					b.ReportMetric(per/float64(x.NNZ())/k, "ns/nnz/factor")
				})
			}
		}
	}
}
