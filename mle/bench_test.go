package mle

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/testutil"
)

var benchResult *Result

// BenchmarkFit times iterations of MU and CD at K = 50 and reports the
// steady state apart from the setup: "ns/nnz/factor" and "s/iter" from
// the iterations after the first, "s/setup" for the start and the first
// iteration. Each timed fit runs 6 iterations from a random start.
func BenchmarkFit(b *testing.B) {
	for _, name := range []string{"synthetic", "pbmc3k"} {
		for _, m := range []Method{MU, CD} {
			for _, w := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%v/K=50/workers=%d", name, m, w), func(b *testing.B) {
					path := testutil.BenchMatrix(b, name)
					x := fixtures.Load(b, path)
					const k = 50
					testutil.SteadyState(b, "iter", x.NNZ(), k, func(mark func(int, time.Duration)) {
						res, err := Fit(context.Background(), x, &Settings{K: k, Method: m, MaxIter: 6, Tol: -1, Workers: w,
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

// BenchmarkConvergence times how long each solver takes, from the same
// start, to come within 0.1% of the divergence MU reaches in 2000
// iterations, on the simulated 120 × 90 matrix of TestRecoveryAndCDSpeed.
func BenchmarkConvergence(b *testing.B) {
	_, _, x := simulatedNMF(b, 120, 90, 4, 4)
	ref, err := Fit(context.Background(), x, &Settings{K: 4, Seed: 1, MaxIter: 2000, Tol: -1, Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	target := ref.Divergence * (1 + 1e-3)
	for _, m := range []Method{MU, CD} {
		b.Run(m.String(), func(b *testing.B) {
			var iters int
			for b.Loop() {
				ctx, cancel := context.WithCancel(context.Background())
				res, err := Fit(ctx, x, &Settings{K: 4, Seed: 1, Method: m, MaxIter: 2000, Tol: -1, Workers: 1, Recorder: func(it Iteration) {
					if it.Divergence <= target {
						cancel()
					}
				}})
				cancel()
				if err != nil {
					b.Fatal(err)
				}
				iters = res.Iterations
			}
			b.ReportMetric(float64(iters), "iterations")
		})
	}
}
