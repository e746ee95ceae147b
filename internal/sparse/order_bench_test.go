package sparse

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// BenchmarkColumnOrder measures what a cache-aware column order would buy
// the kernel: one two-sided pass, one worker, on each shared matrix as it
// comes and with its columns renumbered by falling popularity (so the
// factor rows that most non-zeros read sit together), in interleaved
// rounds. On this project's machine (2026-12-01) the renumbering took
// newsgroups20 from 1.40–1.43 to 1.28–1.33 ns per non-zero per factor at
// K = 50 and 1.23–1.26 to 1.20–1.21 at K = 100, and moved pbmc3k and
// linux-6.1-bow by less than the rounds differ: too little for the
// kernel to keep a renumbered copy of the factors, so it reads the
// columns as the data numbers them.
func BenchmarkColumnOrder(b *testing.B) {
	for _, name := range []string{"newsgroups20", "pbmc3k", "linux-6.1-bow"} {
		x0 := fixtures.Load(b, testutil.SharedMatrix(b, name))
		n, p := x0.Dims()
		perm := make([]int, p)
		for i := range perm {
			perm[i] = i
		}
		slices.SortStableFunc(perm, func(i, j int) int { return cmp.Compare(x0.ColNNZ(j), x0.ColNNZ(i)) })
		newID := make([]int, p)
		for r, i := range perm {
			newID[i] = r
		}
		var rows, cols []int
		var vals []float64
		for u := range n {
			c, v := x0.Row(u)
			for e, i := range c {
				rows, cols, vals = append(rows, u), append(cols, newID[i]), append(vals, v[e])
			}
		}
		x1, err := model.NewCounts(n, p, rows, cols, vals)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range []int{50, 100} {
			for round := range 2 {
				for o, x := range []*model.Counts{x0, x1} {
					b.Run(fmt.Sprintf("%s/K=%d/popular=%v/round=%d", name, k, o == 1, round), func(b *testing.B) {
						r := rand.New(rand.NewPCG(1, 2))
						a, bb := randomFactor(r, n, k), randomFactor(r, p, k)
						logs := &Logs{LogA: make([]float64, n*k), LogB: make([]float64, p*k), MaxA: make([]float64, n), MaxB: make([]float64, p)}
						outA, outB := make([]float64, n*k), make([]float64, p*k)
						kn := New(x, k)
						kn.TwoSided(1, a, bb, logs, outA, outB)
						b.ResetTimer()
						for b.Loop() {
							kn.TwoSided(1, a, bb, logs, outA, outB)
						}
						b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(x.NNZ())/float64(k), "ns/nnz/factor")
					})
				}
			}
		}
	}
}
