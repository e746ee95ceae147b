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
