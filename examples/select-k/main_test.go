package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := run(config{data: "pbmc_small", ks: []int{1, 3}, restarts: 1, maxIter: 30, out: dir}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.md", "selectk.png"} {
		if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
}
