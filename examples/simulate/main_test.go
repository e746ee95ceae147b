package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := run(config{n: 60, p: 50, k: 2, seed: 1, out: dir}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.md", "theta.png", "calibration.png"} {
		if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
}

// TestMatchFactors: a permuted, rescaled copy is matched back.
func TestMatchFactors(t *testing.T) {
	truth := mat.NewDense(5, 3, []float64{1, 2, 3, 4, 1, 9, 2, 8, 1, 7, 3, 2, 5, 5, 5})
	fitted := mat.NewDense(5, 3, nil)
	for i := 0; i < 5; i++ {
		fitted.Set(i, 2, 3*truth.At(i, 0))
		fitted.Set(i, 0, truth.At(i, 1)/2)
		fitted.Set(i, 1, truth.At(i, 2))
	}
	if got := matchFactors(truth, fitted); !slices.Equal(got, []int{2, 0, 1}) {
		t.Fatalf("got %v", got)
	}
}
