package poisfact_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// edgeMatrices are the matrices every fitting entry point must survive.
func edgeMatrices(t *testing.T) map[string]*model.Counts {
	t.Helper()
	type cell struct {
		u, i int
		v    float64
	}
	build := func(n, p int, cells []cell) *model.Counts {
		var r, c []int
		var v []float64
		for _, e := range cells {
			r, c, v = append(r, e.u), append(c, e.i), append(v, e.v)
		}
		x, err := model.NewCounts(n, p, r, c, v)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	var ones, ident, big, zeroRowCol []cell
	for u := 0; u < 12; u++ {
		ident = append(ident, cell{u, u, 1})
		for i := 0; i < 9; i++ {
			if (u+2*i)%3 == 0 {
				ones = append(ones, cell{u, i, 1})
				big = append(big, cell{u, i, float64(1<<31 - 1 - u - i)})
			}
			if u != 4 && i != 6 && (u*i)%2 == 0 {
				zeroRowCol = append(zeroRowCol, cell{u, i, float64(1 + (u+i)%4)})
			}
		}
	}
	million := append([]cell{}, ones...)
	million[5].v = 1e6
	return map[string]*model.Counts{
		"1 × 1":                    build(1, 1, []cell{{0, 0, 3}}),
		"one non-zero":             build(6, 5, []cell{{2, 3, 2}}),
		"identity":                 build(12, 12, ident),
		"all-zero row and column":  build(12, 9, zeroRowCol),
		"one count of 1e6 in ones": build(12, 9, million),
		"counts near 2^31":         build(12, 9, big),
	}
}

// TestEdgeMatrices runs every fitting entry point (CAVI, MU, CD, MAP,
// both fold-ins, select-K, side by side) on the edge matrices, with K
// below, at and above min(n, p): each returns an error or a finite
// result, never panics, and CAVI's ELBO never falls.
func TestEdgeMatrices(t *testing.T) {
	ctx := context.Background()
	finite := func(t *testing.T, what string, vs ...float64) {
		t.Helper()
		for _, v := range vs {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: %v", what, v)
			}
		}
	}
	for name, x := range edgeMatrices(t) {
		n, p := x.Dims()
		for _, k := range []int{1, min(n, p), min(n, p) + 3} {
			t.Run(fmt.Sprintf("%s/K=%d", name, k), func(t *testing.T) {
				// Every edge matrix is valid data: the fits themselves must
				// succeed; only the split-based entry points may refuse.
				hpf, err := inference.CAVI(ctx, x, &inference.Settings{K: k, MaxIter: 40, Seed: 1})
				if err != nil {
					t.Errorf("CAVI: %v", err)
				} else {
					finite(t, "CAVI ELBO", hpf.ELBO)
					// The ELBO is a sum of terms as large as Σ x log x
					// (about 5e12 for the counts near 2^31, whose ELBO is
					// -4e3): rounding makes it wobble by a few ulp of
					// that, which the tolerance allows.
					roundoff := 1e-14 * x.Total() * (1 + math.Log(x.Total()))
					for j := 1; j < len(hpf.Trace); j++ {
						prev, cur := hpf.Trace[j-1].ELBO, hpf.Trace[j].ELBO
						if cur < prev-1e-9*math.Abs(prev)-roundoff {
							t.Errorf("ELBO fell at sweep %d: %.12g → %.12g", j+1, prev, cur)
						}
					}
					finite(t, "E θ", hpf.Posterior.ETheta().RawMatrix().Data...)
					finite(t, "E β", hpf.Posterior.EBeta().RawMatrix().Data...)
					folded, err := inference.FoldIn(ctx, hpf.Posterior, x, &inference.FoldInSettings{MaxIter: 50, Seed: 2})
					if err != nil {
						t.Errorf("HPF fold-in: %v", err)
					} else {
						finite(t, "HPF fold-in", folded.ETheta().RawMatrix().Data...)
					}
				}
				for _, s := range []mle.Settings{
					{K: k, Method: mle.MU, MaxIter: 40, Seed: 1},
					{K: k, Method: mle.CD, MaxIter: 40, Seed: 1},
					{K: k, Method: mle.MU, MaxIter: 40, Seed: 1, MAP: &mle.Prior{Shape: 1.5, Rate: 1}},
				} {
					fit, err := mle.Fit(ctx, x, &s)
					if err != nil {
						t.Errorf("mle %v: %v", s.Method, err)
						continue
					}
					finite(t, "MLE objective", fit.Objective, fit.Divergence)
					finite(t, "W", fit.W.RawMatrix().Data...)
					finite(t, "H", fit.H.RawMatrix().Data...)
					w, err := mle.FoldIn(ctx, fit.H, x, &mle.FoldInSettings{MAP: s.MAP, MaxIter: 50, Seed: 2})
					if err != nil {
						t.Errorf("MLE fold-in: %v", err)
					} else {
						finite(t, "MLE fold-in", w.RawMatrix().Data...)
					}
				}
				if sel, err := evaluation.SelectK(ctx, x, evaluation.SelectKSettings{Ks: []int{k}, MaxIter: 20, Seed: 1}); err == nil {
					for _, r := range sel.Rows {
						finite(t, "select-K validation", r.ValidLogLik)
					}
				}
				if table, err := evaluation.SideBySide(ctx, x, evaluation.SideBySideSettings{K: k, MaxIter: 20, Seed: 1}); err == nil {
					for _, r := range table.Rows {
						if math.IsNaN(r.HeldOut.Mean) {
							t.Errorf("side by side %s: NaN held-out log-likelihood", r.Model)
						}
					}
				}
			})
		}
	}
}
