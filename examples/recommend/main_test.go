package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := run(config{data: "pbmc_small", k: 3, maxIter: 30, customers: 1, out: dir}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.md", "elbo.png", "validation.png", "ranking.png"} {
		if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
}
