package inference

import (
	"context"
	"fmt"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/poisfact/poisfact/model"
)

// rowOf returns row u of x as a 1 × p matrix.
func rowOf(t *testing.T, x *model.Counts, u int) *model.Counts {
	cols, vals := x.Row(u)
	ri, ci := make([]int, len(cols)), make([]int, len(cols))
	for e, i := range cols {
		ci[e] = int(i)
	}
	r, err := model.NewCounts(1, x.Cols(), ri, ci, append([]float64(nil), vals...))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFoldIn fits a small matrix to convergence, then folds some of its
// rows in again from a fresh start with the columns fixed: the folded
// E[θ_u] must equal the fit's to 1e-6 relative. The fit's tolerance is
// 1e-14 on the ELBO: near the optimum the ELBO's change is quadratic in
// the parameters' (measured: at 1e-12 on the ELBO, E[θ] is still 1.2e-6
// from its limit; at 1e-14, under 1e-9).
func TestFoldIn(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	for _, nonHier := range []bool{false, true} {
		t.Run(fmt.Sprintf("nonhierarchical=%v", nonHier), func(t *testing.T) {
			res := fit(t, x, Settings{K: 4, Tol: 1e-14, MaxIter: 50000, Seed: 3, Hyper: model.HPF{NonHierarchical: nonHier}})
			if res.Status != Converged {
				t.Fatalf("fit did not converge: %v after %d", res.Status, res.Iterations)
			}
			et := res.Posterior.ETheta()
			for _, u := range []int{0, 17, 79} {
				f, err := FoldIn(context.Background(), res.Posterior, rowOf(t, x, u), &FoldInSettings{Seed: 99, Tol: 1e-13, MaxIter: 100000})
				if err != nil {
					t.Fatal(err)
				}
				got := f.ETheta()
				for k := 0; k < 4; k++ {
					if !scalar.EqualWithinRel(got.At(0, k), et.At(u, k), 1e-6) {
						t.Fatalf("row %d factor %d: folded E[θ] %.10g, fit %.10g (%d iterations, converged %v)", u, k, got.At(0, k), et.At(u, k), f.Iterations, f.Converged)
					}
				}
			}
		})
	}
	res := fit(t, x, Settings{K: 2, MaxIter: 5})
	other, _ := model.NewCounts(1, 3, []int{0}, []int{0}, []float64{1})
	if _, err := FoldIn(context.Background(), res.Posterior, other, nil); err == nil {
		t.Fatal("column mismatch accepted")
	}
}
