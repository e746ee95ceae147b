package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestRun runs the notebook on the small pbmc_small counts into a
// temporary directory and checks that it writes its report and plots.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := run(config{data: "pbmc_small", k: 3, iters: 20, out: dir}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.md", "nll_minus_d.png", "objectives.png"} {
		if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
}
