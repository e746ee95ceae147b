// Package testutil locates the data that tests read: the small matrices
// shipped in the repository's testdata/ and the larger ones in the
// project's shared data folder, which tests skip when it is absent.
package testutil

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// RepoRoot returns the repository's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Testdata returns the path of a file under the repository's testdata/.
func Testdata(elem ...string) string {
	return filepath.Join(append([]string{RepoRoot(), "testdata"}, elem...)...)
}

// ShippedMatrices names the matrices in testdata/, each a folder with
// matrix.mtx.gz, rows.txt and cols.txt.
var ShippedMatrices = []string{"onlineretail", "janeausten", "pbmc_small"}

// SharedDataDir returns the shared data folder: $POISFACT_SHARED_DATA, or
// ../shared/data beside the repository.
func SharedDataDir() string {
	if d := os.Getenv("POISFACT_SHARED_DATA"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(), "..", "shared", "data")
}

// SharedMatrix returns the path of matrix.mtx.gz of the named shared data
// set, skipping the test with a message when it is absent.
func SharedMatrix(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join(SharedDataDir(), name, "matrix.mtx.gz")
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared data set %s not found at %s (set POISFACT_SHARED_DATA)", name, p)
	}
	return p
}

// SharedMatrices lists the shared data sets that hold a matrix.mtx.gz, or
// none when the folder is absent.
func SharedMatrices() []string {
	entries, err := os.ReadDir(SharedDataDir())
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(SharedDataDir(), e.Name(), "matrix.mtx.gz")); err == nil {
			names = append(names, e.Name())
		}
	}
	return names
}

// LargeShared names the shared data sets too large for the default test
// run's time budget; tests over them run only without -short.
var LargeShared = map[string]bool{"linux-6.1-bow": true, "newsgroups20": true, "pbmc3k": true}

// SynthMatrix returns the path of the synthetic 10000 × 5000 HPF draw with
// 1,499,013 non-zeros that the peer libraries were timed on, from
// $POISFACT_SYNTH_MTX or /tmp/medium.mtx, skipping when absent. Make it
// with:
//
//	/usr/bin/python3 ../shared/bench/gen_synth.py 10000 5000 50 1 /tmp/medium.mtx --target-nnz 1500000
func SynthMatrix(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv("POISFACT_SYNTH_MTX")
	if p == "" {
		p = "/tmp/medium.mtx"
	}
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("synthetic matrix %s absent: /usr/bin/python3 ../shared/bench/gen_synth.py 10000 5000 50 1 %s --target-nnz 1500000", p, p)
	}
	return p
}

// BenchMatrix returns the path of a benchmark's matrix by name: the
// synthetic draw for "synthetic" (SynthMatrix), a shared data set
// otherwise (SharedMatrix), skipping when it is absent.
func BenchMatrix(tb testing.TB, name string) string {
	tb.Helper()
	if name == "synthetic" {
		return SynthMatrix(tb)
	}
	return SharedMatrix(tb, name)
}

// RelDiff returns |a − b| / |b|, the relative difference of a from the
// reference b (b = 0 counts as the smallest positive float64).
func RelDiff(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(math.Abs(b), 1e-300)
}
