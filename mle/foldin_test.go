package mle

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/poisfact/poisfact/model"
)

// TestFoldIn: on a small matrix fitted to convergence, folding a row in
// again with H fixed recovers its W_u to 1e-6 relative (entries that are
// not negligible: MU drives some toward zero, where relative error is
// meaningless).
func TestFoldIn(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	res := fit(t, x, Settings{K: 3, Method: CD, MaxIter: 20000, Tol: 1e-15, Seed: 2})
	for _, u := range []int{0, 40, 79} {
		cols, vals := x.Row(u)
		ri, ci := make([]int, len(cols)), make([]int, len(cols))
		for e, i := range cols {
			ci[e] = int(i)
		}
		row, _ := model.NewCounts(1, x.Cols(), ri, ci, append([]float64(nil), vals...))
		w, err := FoldIn(context.Background(), res.H, row, &FoldInSettings{Seed: 5, Tol: 1e-15, MaxIter: 200000})
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 3; k++ {
			got, want := w.At(0, k), res.W.At(u, k)
			if want < 1e-6*res.W.At(u, 0)+1e-12 && got < 1e-4 {
				continue
			}
			t.Logf("row %d factor %d: folded %.12g fit %.12g (fit %d iterations, %v)", u, k, got, want, res.Iterations, res.Status)
			if !scalar.EqualWithinRel(got, want, 1e-6) {
				t.Fatalf("row %d factor %d: folded %.10g, fit %.10g", u, k, got, want)
			}
		}
	}
}
