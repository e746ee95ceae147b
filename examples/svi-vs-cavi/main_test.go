package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := run(config{in: testutil.Testdata("pbmc_small", "matrix.mtx.gz"), k: 3, workers: 2, checkBatches: 2, out: dir}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.md", "svi_vs_cavi.png"} {
		if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
}
