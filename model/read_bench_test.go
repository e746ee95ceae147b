package model

import (
	"path/filepath"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
)

var benchCounts *Counts

// BenchmarkReadFile reads the shared matrices into Counts, from their
// gzipped Matrix Market files and from the binary format written from
// them (the binary file is written outside the timing); it reports
// nanoseconds per non-zero. linux-6.1-bow (16 M non-zeros) is the figure
// the scale issue asks for: binary loading at least 10 times faster.
func BenchmarkReadFile(b *testing.B) {
	for _, name := range []string{"onlineretail", "pbmc3k", "linux-6.1-bow"} {
		for _, kind := range []string{"mtx.gz", "pfb"} {
			b.Run(name+"/"+kind, func(b *testing.B) {
				path := testutil.SharedMatrix(b, name)
				if kind == "pfb" {
					x, err := ReadFile(path)
					if err != nil {
						b.Fatal(err)
					}
					path = filepath.Join(b.TempDir(), "x.pfb")
					if err := WriteFile(path, x); err != nil {
						b.Fatal(err)
					}
				}
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
}
