package sparse

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/testutil"
)

// BenchmarkTwoSided times one two-sided pass, with log factors as CAVI
// gives them, on the synthetic matrix and the shared pbmc3k and
// newsgroups20, at K = 50 and 100 for 1 and 2 workers, in ns per
// non-zero per factor.
func BenchmarkTwoSided(b *testing.B) {
	for _, name := range []string{"synthetic", "pbmc3k", "newsgroups20"} {
		for _, k := range []int{50, 100} {
			for _, w := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/K=%d/workers=%d", name, k, w), func(b *testing.B) {
					path := testutil.BenchMatrix(b, name)
					x := fixtures.Load(b, path)
					r := rand.New(rand.NewPCG(1, 2))
					n, p := x.Dims()
					a, bb := randomFactor(r, n, k), randomFactor(r, p, k)
					logs := &Logs{LogA: make([]float64, n*k), LogB: make([]float64, p*k), MaxA: make([]float64, n), MaxB: make([]float64, p)}
					outA, outB := make([]float64, n*k), make([]float64, p*k)
					kn := New(x, k)
					kn.TwoSided(w, a, bb, logs, outA, outB)
					b.ResetTimer()
					for b.Loop() {
						kn.TwoSided(w, a, bb, logs, outA, outB)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(x.NNZ())/float64(k), "ns/nnz/factor")
				})
			}
		}
	}
}
