package model

import (
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
)

var benchCounts *Counts

// BenchmarkReadFile reads the shared matrices into Counts; it reports
// nanoseconds per non-zero. linux-6.1-bow (16 M non-zeros) is the figure
// the foundation issue asks for.
func BenchmarkReadFile(b *testing.B) {
	for _, name := range []string{"onlineretail", "pbmc3k", "linux-6.1-bow"} {
		b.Run(name, func(b *testing.B) {
			path := testutil.SharedMatrix(b, name)
			for b.Loop() {
				c, err := ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				benchCounts = c
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(benchCounts.NNZ()), "ns/nnz")
		})
	}
}
