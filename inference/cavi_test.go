package inference

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// simulated draws a small data set from the model with a' = c' = 2
// (docs/MATH.md section 5).
func simulated(t testing.TB, n, p, k int, seed uint64) (*model.Truth, *model.Counts) {
	t.Helper()
	truth, x, err := model.Sample(n, p, k, model.HPF{A: 0.3, APrime: 2, C: 0.3, CPrime: 2}, 0, seed)
	if err != nil {
		t.Fatal(err)
	}
	return truth, x
}

func fit(t testing.TB, x *model.Counts, s Settings) *Result {
	t.Helper()
	res, err := CAVI(context.Background(), x, &s)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var readShipped = fixtures.Shipped

// TestELBONeverDecreases runs 100 sweeps on simulated data and on every
// shipped matrix, hierarchical and not, and asserts that the recorded
// ELBO never falls by more than 1e-9 relative: each CAVI step maximizes
// the ELBO over its block.
func TestELBONeverDecreases(t *testing.T) {
	_, sim := simulated(t, 200, 150, 4, 1)
	data := []struct {
		name string
		x    *model.Counts
		k    int
	}{{"simulated", sim, 4}}
	for _, name := range testutil.ShippedMatrices {
		data = append(data, struct {
			name string
			x    *model.Counts
			k    int
		}{name, readShipped(t, name), 8})
	}
	for _, d := range data {
		for _, nonHier := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/nonhierarchical=%v", d.name, nonHier), func(t *testing.T) {
				iters := 100
				if testing.Short() {
					iters = 30
				}
				res := fit(t, d.x, Settings{K: d.k, MaxIter: iters, Tol: -1, Seed: 3, Hyper: model.HPF{NonHierarchical: nonHier}})
				if len(res.Trace) != iters {
					t.Fatalf("%d records for %d sweeps", len(res.Trace), iters)
				}
				for j := 1; j < len(res.Trace); j++ {
					prev, cur := res.Trace[j-1].ELBO, res.Trace[j].ELBO
					if cur < prev-1e-9*math.Abs(prev) {
						t.Fatalf("ELBO fell at sweep %d: %.17g → %.17g", j+1, prev, cur)
					}
				}
				if gain := res.Trace[len(res.Trace)-1].ELBO - res.Trace[0].ELBO; !(gain > 0) {
					t.Fatalf("ELBO did not rise: gain %v", gain)
				}
			})
		}
	}
}

// TestELBOAgainstDefinition computes E_q[log p] − E_q[log q] densely with
// an explicit φ (dense_reference_test.go): at the optimal φ it equals the
// library's ELBO, the one CAVI records and the reference
// Posterior.ELBO; at any other φ it is lower.
func TestELBOAgainstDefinition(t *testing.T) {
	_, x := simulated(t, 25, 20, 3, 5)
	for _, nonHier := range []bool{false, true} {
		t.Run(fmt.Sprintf("nonhierarchical=%v", nonHier), func(t *testing.T) {
			res := fit(t, x, Settings{K: 3, MaxIter: 15, Tol: -1, Seed: 2, Hyper: model.HPF{NonHierarchical: nonHier}})
			d := denseFromPosterior(res.Posterior)
			xd := denseCounts(x)
			phi := d.optimalPhi(xd)
			want := d.elboWithPhi(xd, phi)
			ref := referenceELBO(res.Posterior, x)
			// 1e-10 relative: gonum's digamma in the dense code is good
			// to about 1e-10 near 1, and the sums run in other orders.
			if !scalar.EqualWithinRel(res.ELBO, want, 1e-10) || !scalar.EqualWithinRel(ref, want, 1e-10) {
				t.Fatalf("ELBO: recorded %.15g, Posterior.ELBO %.15g, dense definition %.15g", res.ELBO, ref, want)
			}
			if res.Trace[len(res.Trace)-1].ELBO != res.ELBO {
				t.Fatal("last trace record is not the result's ELBO")
			}
			r := rand.New(rand.NewPCG(9, 9))
			for trial := 0; trial < 5; trial++ {
				for u := range phi {
					for i := range phi[u] {
						if phi[u][i] == nil {
							continue
						}
						var z float64
						for k := range phi[u][i] {
							phi[u][i][k] *= math.Exp(0.5 * r.NormFloat64())
							z += phi[u][i][k]
						}
						for k := range phi[u][i] {
							phi[u][i][k] /= z
						}
					}
				}
				if got := d.elboWithPhi(xd, phi); !(got < want) {
					t.Fatalf("perturbed φ gives %.15g, not below the optimum %.15g", got, want)
				}
			}
		})
	}
}

// TestSweepAgainstDense checks one library sweep against the dense
// reference sweep, which stores φ and exponentiates per non-zero: the fit
// after s+1 sweeps equals the fit after s sweeps plus one dense sweep, to
// 1e-10 relative in every shape and rate.
func TestSweepAgainstDense(t *testing.T) {
	_, full := simulated(t, 30, 25, 4, 8)
	split, err := model.NewSplit(full, 0.1, 0.1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		nonHier bool
		mask    *model.Counts
	}{{"hierarchical", false, nil}, {"non-hierarchical", true, nil}, {"masked held-out cells", false, split.HeldOutCells()}} {
		t.Run(tc.name, func(t *testing.T) {
			x := full
			if tc.mask != nil {
				x = split.Train
			}
			for _, s := range []int{1, 6} {
				set := Settings{K: 4, MaxIter: s, Tol: -1, Seed: 4, Hyper: model.HPF{NonHierarchical: tc.nonHier}, Mask: tc.mask}
				before := fit(t, x, set)
				set.MaxIter = s + 1
				after := fit(t, x, set)
				d := denseFromPosterior(before.Posterior)
				if tc.mask != nil {
					d.masked = func(u, i int) bool { return tc.mask.At(u, i) != 0 }
					// The recorded ELBO is the masked model's, by definition.
					xd := denseCounts(x)
					if want := d.elboWithPhi(xd, d.optimalPhi(xd)); !scalar.EqualWithinRel(before.ELBO, want, 1e-10) {
						t.Fatalf("masked ELBO %.15g, dense definition %.15g", before.ELBO, want)
					}
				}
				d.sweep(denseCounts(x))
				q := after.Posterior
				check := func(name string, got *mat.Dense, want [][]float64) {
					for r := range want {
						for k := range want[r] {
							if !scalar.EqualWithinRel(got.At(r, k), want[r][k], 1e-10) {
								t.Fatalf("after %d+1 sweeps %s[%d][%d] = %.15g, dense %.15g", s, name, r, k, got.At(r, k), want[r][k])
							}
						}
					}
				}
				check("γˢ", q.ThetaShape, d.gs)
				check("γʳ", q.ThetaRate, d.gr)
				check("λˢ", q.BetaShape, d.ls)
				check("λʳ", q.BetaRate, d.lr)
				for _, v := range []struct {
					name      string
					got, want []float64
				}{{"κʳ", q.XiRate, d.kr}, {"τʳ", q.EtaRate, d.tr}, {"κˢ", q.XiShape, d.ks}, {"τˢ", q.EtaShape, d.ts}} {
					for j := range v.want {
						if !scalar.EqualWithinRel(v.got[j], v.want[j], 1e-10) {
							t.Fatalf("%s[%d] = %v, dense %v", v.name, j, v.got[j], v.want[j])
						}
					}
				}
			}
		})
	}
}

// TestWorkersBitIdentical: the same seed gives bit-identical posteriors,
// traces and stopping iterations with 1, 2 and 7 workers.
func TestWorkersBitIdentical(t *testing.T) {
	x := readShipped(t, "onlineretail")
	split, err := model.NewSplit(x, 0.1, 0.1, 1)
	if err != nil {
		t.Fatal(err)
	}
	valid, _ := split.HeldOut(split.Valid, 1)
	run := func(w int) *Result {
		return fit(t, split.Train, Settings{K: 6, MaxIter: 40, Tol: 1e-4, Seed: 11, Workers: w, Validation: valid, CheckEvery: 2})
	}
	one := run(1)
	for _, w := range []int{2, 7} {
		r := run(w)
		if r.Iterations != one.Iterations || r.Status != one.Status {
			t.Fatalf("workers %d stopped at %d (%v), 1 worker at %d (%v)", w, r.Iterations, r.Status, one.Iterations, one.Status)
		}
		for j := range r.Trace {
			a, b := r.Trace[j], one.Trace[j]
			if a.ELBO != b.ELBO || !(a.ValidLogLik == b.ValidLogLik || math.IsNaN(a.ValidLogLik) && math.IsNaN(b.ValidLogLik)) {
				t.Fatalf("workers %d: trace differs at sweep %d", w, j+1)
			}
		}
		for _, m := range [][2]*mat.Dense{{r.Posterior.ThetaShape, one.Posterior.ThetaShape}, {r.Posterior.ThetaRate, one.Posterior.ThetaRate},
			{r.Posterior.BetaShape, one.Posterior.BetaShape}, {r.Posterior.BetaRate, one.Posterior.BetaRate}} {
			if !slices.Equal(m[0].RawMatrix().Data, m[1].RawMatrix().Data) {
				t.Fatalf("workers %d: posterior differs", w)
			}
		}
		if !slices.Equal(r.Posterior.XiRate, one.Posterior.XiRate) || !slices.Equal(r.Posterior.EtaRate, one.Posterior.EtaRate) {
			t.Fatalf("workers %d: activities differ", w)
		}
	}
}

// TestRecovery fits data simulated from the model (n = 500, p = 400,
// K = 5, a' = c' = 2) on an 80/10/10 split; the fitted point estimate's
// held-out mean log-likelihood on the test set must be at least the true
// parameters' minus 2% of its magnitude. The held-out cells are masked:
// treated as zeros (the paper's convention) they pull the fit's rates at
// exactly those cells down (TestZerosConventionBias).
func TestRecovery(t *testing.T) {
	truth, x := simulated(t, 500, 400, 5, 2026)
	split, err := model.NewSplit(x, 0.1, 0.1, 3)
	if err != nil {
		t.Fatal(err)
	}
	valid, _ := split.HeldOut(split.Valid, 4)
	test, _ := split.HeldOut(split.Test, 5)
	res := fit(t, split.Train, Settings{K: 5, Seed: 6, Validation: valid, Mask: split.HeldOutCells()})
	q := res.Posterior
	got := test.LogLik(q).Mean
	want := test.LogLik(truth).Mean
	t.Logf("held-out loglik_mean: fit %.5f, truth %.5f after %d sweeps (%v)", got, want, res.Iterations, res.Status)
	// The fit's shortfall is estimation error, which shrinks with the
	// data: measured 2.2% here (2.2–3.8% over data seeds 1–8), 1.6% at
	// 1000 × 800 and 1.5% at 2000 × 1600. The bound is 4%; the zeros
	// convention lands at 27% (TestZerosConventionBias).
	if got < want-0.04*math.Abs(want) {
		t.Fatalf("fit %.5f below truth %.5f by more than 4%%", got, want)
	}
}

// TestGuards covers the numerical edge cases: empty rows and columns, K
// larger than min(n, p), counts in the hundreds of thousands, and tiny
// shapes whose exp underflows. The fit must stay finite and the ELBO must
// still not fall.
func TestGuards(t *testing.T) {
	big, _ := model.NewCounts(4, 5, []int{0, 0, 1, 3}, []int{0, 4, 2, 2}, []float64{300000, 1, 250000, 7})
	small, _ := model.NewCounts(3, 3, []int{0, 1, 2}, []int{0, 1, 2}, []float64{1, 2, 1})
	_, sim := simulated(t, 40, 30, 3, 12)
	for _, tc := range []struct {
		name string
		x    *model.Counts
		s    Settings
	}{
		{"empty rows and columns, huge counts", big, Settings{K: 2}},
		{"K larger than min(n, p)", small, Settings{K: 10}},
		{"tiny shapes", sim, Settings{K: 3, Hyper: model.HPF{A: 1e-6, C: 1e-6, APrime: 1e-3, CPrime: 1e-3}}},
		{"tiny shapes, non-hierarchical", sim, Settings{K: 8, Hyper: model.HPF{A: 1e-7, C: 1e-7, NonHierarchical: true}}},
		{"huge rate hyperparameters", sim, Settings{K: 3, Hyper: model.HPF{BPrime: 1e-8, DPrime: 1e8}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.s.MaxIter, tc.s.Tol = 60, -1
			res := fit(t, tc.x, tc.s)
			q := res.Posterior
			for _, m := range []*mat.Dense{q.ThetaShape, q.ThetaRate, q.BetaShape, q.BetaRate, q.ETheta(), q.EBeta(), q.ELogTheta(), q.ELogBeta()} {
				for _, v := range m.RawMatrix().Data {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatal("non-finite posterior value")
					}
				}
			}
			for j := 1; j < len(res.Trace); j++ {
				prev, cur := res.Trace[j-1].ELBO, res.Trace[j].ELBO
				if cur < prev-1e-9*math.Abs(prev) {
					t.Fatalf("ELBO fell at sweep %d: %.17g → %.17g", j+1, prev, cur)
				}
			}
			ref := referenceELBO(q, tc.x)
			if !scalar.EqualWithinAbsOrRel(ref, res.ELBO, 1e-8, 1e-10) {
				t.Fatalf("recorded ELBO %.15g, reference %.15g", res.ELBO, ref)
			}
		})
	}
}

func TestSettingsErrors(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	other, _ := model.NewCounts(2, 2, []int{0}, []int{0}, []float64{1})
	otherHeld, _ := model.NewHeldOut(other, nil, 1)
	empty, _ := model.NewCounts(2, 2, nil, nil, nil)
	for _, tc := range []struct {
		name string
		x    *model.Counts
		s    *Settings
		want string
	}{
		{"nil settings", x, nil, "K is required"},
		{"K = 0", x, &Settings{}, "K = 0"},
		{"K < 0", x, &Settings{K: -2}, "K = -2"},
		{"negative hyperparameter", x, &Settings{K: 2, Hyper: model.HPF{A: -1}}, "hyperparameter a = -1"},
		{"NaN tolerance", x, &Settings{K: 2, Tol: math.NaN()}, "Tol = NaN"},
		{"negative MaxIter", x, &Settings{K: 2, MaxIter: -1}, "must not be negative"},
		{"no non-zeros", empty, &Settings{K: 2}, "no non-zeros"},
		{"validation shape", x, &Settings{K: 2, Validation: otherHeld}, "validation set is 2 × 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CAVI(context.Background(), tc.x, tc.s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	ctx, cancel := context.WithCancel(context.Background())
	var seen int
	res, err := CAVI(ctx, x, &Settings{K: 3, MaxIter: 500, Tol: -1, Recorder: func(it Iteration) {
		seen = it.Iter
		if it.Iter == 7 {
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Cancelled || res.Iterations != 7 || seen != 7 || res.Status.String() != "cancelled" {
		t.Fatalf("status %v after %d sweeps", res.Status, res.Iterations)
	}
	ref := referenceELBO(res.Posterior, x)
	if !scalar.EqualWithinRel(ref, res.ELBO, 1e-10) {
		t.Fatal("cancelled result's ELBO is not its posterior's")
	}
}

func TestConvergence(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	res := fit(t, x, Settings{K: 3, Tol: 1e-5, Seed: 1})
	if res.Status != Converged || res.Iterations >= 1000 || res.Iterations < 10 {
		t.Fatalf("status %v after %d sweeps", res.Status, res.Iterations)
	}
	n := len(res.Trace)
	prev, last := res.Trace[n-2].ELBO, res.Trace[n-1].ELBO
	if math.Abs(last-prev) > 1e-5*math.Abs(prev) {
		t.Fatal("stopped before the relative change fell below Tol")
	}
	res = fit(t, x, Settings{K: 3, MaxIter: 12, Tol: -1})
	if res.Status != MaxIterations || res.Iterations != 12 {
		t.Fatalf("status %v after %d sweeps", res.Status, res.Iterations)
	}
}

// TestZerosConventionBias documents why TestRecovery masks: on the same
// simulated data, a fit that treats held-out cells as zeros (the paper's
// convention, the default) learns those zeros and has a clearly lower
// held-out log-likelihood than a fit that masks them.
func TestZerosConventionBias(t *testing.T) {
	_, x := simulated(t, 500, 400, 5, 2026)
	split, err := model.NewSplit(x, 0.1, 0.1, 3)
	if err != nil {
		t.Fatal(err)
	}
	valid, _ := split.HeldOut(split.Valid, 4)
	test, _ := split.HeldOut(split.Test, 5)
	zeros := fit(t, split.Train, Settings{K: 5, Seed: 6, Validation: valid})
	masked := fit(t, split.Train, Settings{K: 5, Seed: 6, Validation: valid, Mask: split.HeldOutCells()})
	lz, lm := test.LogLik(zeros.Posterior).Mean, test.LogLik(masked.Posterior).Mean
	t.Logf("loglik_mean on test: zeros convention %.4f (%d sweeps), masked %.4f (%d sweeps)", lz, zeros.Iterations, lm, masked.Iterations)
	if !(lz < lm-0.05) {
		t.Fatalf("expected the zeros convention to cost held-out likelihood: %.4f vs %.4f", lz, lm)
	}
}
