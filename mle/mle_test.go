package mle

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

var readShipped = fixtures.Shipped

// simulatedNMF draws X ~ Poisson(W Hᵀ) for known W, H with entries
// Gamma(0.5, 1) (so the factors are sparse-ish and identifiable).
func simulatedNMF(t testing.TB, n, p, k int, seed uint64) (w, h *mat.Dense, x *model.Counts) {
	r := rand.New(rand.NewPCG(seed, 99))
	w, h = mat.NewDense(n, k, nil), mat.NewDense(p, k, nil)
	gamma := func() float64 { // Gamma(0.5, 1) = χ²₁ / 2
		z := r.NormFloat64()
		return z * z / 2
	}
	for _, m := range []*mat.Dense{w, h} {
		rows, cols := m.Dims()
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				m.Set(i, j, 2*gamma())
			}
		}
	}
	var ri, ci []int
	var vals []float64
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			mu := mat.Dot(w.RowView(u), h.RowView(i))
			// Knuth's product method is exact and fine for these small rates.
			var c float64
			for prod := r.Float64(); prod > math.Exp(-mu); prod *= r.Float64() {
				c++
			}
			if c > 0 {
				ri, ci, vals = append(ri, u), append(ci, i), append(vals, c)
			}
		}
	}
	x, err := model.NewCounts(n, p, ri, ci, vals)
	if err != nil {
		t.Fatal(err)
	}
	return w, h, x
}

// divergenceDirect computes D(X ‖ W Hᵀ) cell by cell over the dense
// matrix, 0 log 0 = 0, written out from docs/MATH.md section 1.
func divergenceDirect(x *model.Counts, w, h []float64, k int) float64 {
	n, p := x.Dims()
	var d float64
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			var mu float64
			for j := 0; j < k; j++ {
				mu += w[u*k+j] * h[i*k+j]
			}
			xv := x.At(u, i)
			if xv > 0 {
				d += xv * math.Log(xv/mu)
			}
			d += mu - xv
		}
	}
	return d
}

func fit(t testing.TB, x *model.Counts, s Settings) *Result {
	t.Helper()
	res, err := Fit(context.Background(), x, &s)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestMUHalfSteps runs MU one half-step at a time and checks, with the
// divergence computed independently over the dense matrix, that no
// half-step increases D, and that after every H step Σ μ = Σ x.
func TestMUHalfSteps(t *testing.T) {
	_, _, sim := simulatedNMF(t, 60, 50, 3, 1)
	data := map[string]*model.Counts{"simulated": sim, "pbmc_small": readShipped(t, "pbmc_small")}
	if !testing.Short() {
		// The two larger shipped matrices, over fewer iterations: the dense
		// check costs n·p·K per half-step.
		for _, name := range []string{"janeausten", "onlineretail"} {
			data[name] = readShipped(t, name)
		}
	}
	for name, x := range data {
		t.Run(name, func(t *testing.T) {
			const k = 4
			s := newState(x, k, 2, nil)
			s.initRandom(3)
			iters := 12
			if x.NNZ() > 100000 {
				iters = 3
			}
			prev := divergenceDirect(x, s.w, s.h, k)
			for it := 0; it < iters; it++ {
				s.kn.RowSide(s.workers, s.w, s.h, nil, s.outW)
				s.muApply(s.w, s.outW, s.colSums(s.h, s.cols), s.rows)
				d := divergenceDirect(x, s.w, s.h, k)
				if d > prev*(1+1e-12) {
					t.Fatalf("iteration %d: W step raised D from %.15g to %.15g", it+1, prev, d)
				}
				prev = d
				sumW := s.colSums(s.w, s.rows)
				s.kn.ColSide(s.workers, s.w, s.h, nil, s.outH)
				s.muApply(s.h, s.outH, sumW, s.cols)
				d = divergenceDirect(x, s.w, s.h, k)
				if d > prev*(1+1e-12) {
					t.Fatalf("iteration %d: H step raised D from %.15g to %.15g", it+1, prev, d)
				}
				prev = d
				// Σ μ over all n·p cells, from the dense matrix.
				var total float64
				for u := 0; u < s.n; u++ {
					for i := 0; i < s.p; i++ {
						for j := 0; j < k; j++ {
							total += s.w[u*k+j] * s.h[i*k+j]
						}
					}
				}
				if !scalar.EqualWithinRel(total, x.Total(), 1e-12) {
					t.Fatalf("after the H step Σ μ = %.15g, Σ x = %v", total, x.Total())
				}
			}
		})
	}
}

// denseMU is an independent Lee–Seung implementation over full n × p
// arrays (docs/MATH.md section 2), μ recomputed between the half-steps;
// with a prior (α, b) it applies the MAP update
// W_ik ← (α − 1 + W_ik Σ_j H_jk x_ij/μ_ij) / (b + Σ_j H_jk).
func denseMU(x [][]float64, w, h [][]float64, iters int, prior *Prior) {
	a1, b := 0.0, 0.0
	if prior != nil {
		a1, b = prior.Shape-1, prior.Rate
	}
	n, p, k := len(w), len(h), len(w[0])
	mu := func() [][]float64 {
		m := make([][]float64, n)
		for u := range m {
			m[u] = make([]float64, p)
			for i := range m[u] {
				for j := 0; j < k; j++ {
					m[u][i] += w[u][j] * h[i][j]
				}
			}
		}
		return m
	}
	for it := 0; it < iters; it++ {
		m := mu()
		nw := make([][]float64, n)
		for u := range w {
			nw[u] = make([]float64, k)
			for j := 0; j < k; j++ {
				var num, den float64
				for i := 0; i < p; i++ {
					num += h[i][j] * x[u][i] / m[u][i]
					den += h[i][j]
				}
				nw[u][j] = (a1 + w[u][j]*num) / (b + den)
			}
		}
		copy(w, nw)
		m = mu()
		nh := make([][]float64, p)
		for i := range h {
			nh[i] = make([]float64, k)
			for j := 0; j < k; j++ {
				var num, den float64
				for u := 0; u < n; u++ {
					num += w[u][j] * x[u][i] / m[u][i]
					den += w[u][j]
				}
				nh[i][j] = (a1 + h[i][j]*num) / (b + den)
			}
		}
		copy(h, nh)
	}
}

func TestMUAgainstDense(t *testing.T) {
	_, _, x := simulatedNMF(t, 25, 20, 3, 2)
	const k, iters = 3, 15
	for _, prior := range []*Prior{nil, {Shape: 1.7, Rate: 0.3}} {
		s := newState(x, k, 2, nil)
		s.initRandom(5)
		toNested := func(f []float64, m int) [][]float64 {
			out := make([][]float64, m)
			for r := range out {
				out[r] = slices.Clone(f[r*k : (r+1)*k])
			}
			return out
		}
		w, h := toNested(s.w, 25), toNested(s.h, 20)
		xd := make([][]float64, 25)
		for u := range xd {
			xd[u] = make([]float64, 20)
			for i := range xd[u] {
				xd[u][i] = x.At(u, i)
			}
		}
		denseMU(xd, w, h, iters, prior)
		res := fit(t, x, Settings{K: k, Seed: 5, MaxIter: iters, Tol: -1, Normalize: NormalizeNone, MAP: prior})
		for u := range w {
			for j := range w[u] {
				if !scalar.EqualWithinRel(res.W.At(u, j), w[u][j], 1e-12) {
					t.Fatalf("prior %v: W[%d][%d] = %.17g, dense %.17g", prior, u, j, res.W.At(u, j), w[u][j])
				}
			}
		}
		for i := range h {
			for j := range h[i] {
				if !scalar.EqualWithinRel(res.H.At(i, j), h[i][j], 1e-12) {
					t.Fatalf("prior %v: H[%d][%d] = %.17g, dense %.17g", prior, i, j, res.H.At(i, j), h[i][j])
				}
			}
		}
		// The recorded divergence is that of the returned factors.
		if d := divergenceDirect(x, res.W.RawMatrix().Data, res.H.RawMatrix().Data, k); !scalar.EqualWithinRel(d, res.Divergence, 1e-12) {
			t.Fatalf("recorded divergence %.15g, direct %.15g", res.Divergence, d)
		}
	}
}

func TestWorkersBitIdentical(t *testing.T) {
	x := readShipped(t, "onlineretail")
	for _, m := range []Method{MU, CD} {
		t.Run(m.String(), func(t *testing.T) {
			run := func(w int) *Result {
				return fit(t, x, Settings{K: 6, Method: m, MaxIter: 15, Tol: 1e-4, Seed: 9, Workers: w, Init: InitNNDSVDa})
			}
			one := run(1)
			for _, w := range []int{2, 7} {
				r := run(w)
				if r.Iterations != one.Iterations || !slices.Equal(r.W.RawMatrix().Data, one.W.RawMatrix().Data) || !slices.Equal(r.H.RawMatrix().Data, one.H.RawMatrix().Data) {
					t.Fatalf("workers %d differ from 1 worker", w)
				}
				for j := range r.Trace {
					if r.Trace[j].Divergence != one.Trace[j].Divergence {
						t.Fatalf("workers %d: trace differs at %d", w, j+1)
					}
				}
			}
		})
	}
}

// TestIndependenceModel: at K = 1 the maximum likelihood rates are the
// independence model μ_ij = r_i c_j / N (row totals, column totals, grand
// total). MU reaches it after one iteration from any positive start (the W
// step gives W_i = r_i / Σ H, then the H step H_j = c_j Σ H / N); CD
// reaches it by iterating.
func TestIndependenceModel(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	n, p := x.Dims()
	check := func(name string, res *Result, tol float64) {
		for u := 0; u < n; u += 7 {
			for i := 0; i < p; i += 5 {
				want := x.RowSum(u) * x.ColSum(i) / x.Total()
				if got := res.W.At(u, 0) * res.H.At(i, 0); !scalar.EqualWithinRel(got, want, tol) {
					t.Fatalf("%s: μ(%d,%d) = %.15g, independence model %.15g", name, u, i, got, want)
				}
			}
		}
	}
	for seed := uint64(1); seed <= 3; seed++ {
		check(fmt.Sprintf("MU seed %d", seed), fit(t, x, Settings{K: 1, Seed: seed, MaxIter: 1, Tol: -1}), 1e-12)
	}
	check("MU from NNDSVDa", fit(t, x, Settings{K: 1, Init: InitNNDSVDa, MaxIter: 1, Tol: -1}), 1e-12)
	check("CD", fit(t, x, Settings{K: 1, Method: CD, Seed: 4, MaxIter: 100, Tol: -1}), 1e-9)
}

// TestObjectiveNeverIncreases: the recorded objective (the divergence, or
// the MAP objective) never rises over a fit, for both solvers.
func TestObjectiveNeverIncreases(t *testing.T) {
	_, _, sim := simulatedNMF(t, 100, 80, 4, 3)
	data := map[string]*model.Counts{"simulated": sim}
	for _, name := range testutil.ShippedMatrices {
		data[name] = readShipped(t, name)
	}
	for name, x := range data {
		for _, m := range []Method{MU, CD} {
			for _, prior := range []*Prior{nil, {Shape: 1.5, Rate: 0.5}, {Shape: 1, Rate: 2}} {
				label := "MLE"
				if prior != nil {
					label = fmt.Sprintf("MAP(%v,%v)", prior.Shape, prior.Rate)
				}
				t.Run(fmt.Sprintf("%s/%v/%s", name, m, label), func(t *testing.T) {
					iters := 60
					if testing.Short() {
						iters = 20
					}
					res := fit(t, x, Settings{K: 5, Method: m, MAP: prior, MaxIter: iters, Tol: -1, Seed: 2})
					for j := 1; j < len(res.Trace); j++ {
						prev, cur := res.Trace[j-1].Objective, res.Trace[j].Objective
						if cur > prev+1e-12*math.Abs(prev) {
							t.Fatalf("objective rose at iteration %d: %.17g → %.17g", j+1, prev, cur)
						}
					}
					if prior == nil && res.Objective != res.Divergence {
						t.Fatal("MLE objective is not the divergence")
					}
					if prior != nil && prior.Shape > 1 && mat.Min(res.W) <= 0 {
						t.Fatal("MAP with α > 1 left an exact zero")
					}
				})
			}
		}
	}
}

// TestRecoveryAndCDSpeed fits data simulated from known W, H: the fit's
// divergence is below the truth's (it is the maximum likelihood), and
// coordinate descent from the same start comes within 0.1% of MU's
// 2000-iteration divergence in at most 200 passes.
func TestRecoveryAndCDSpeed(t *testing.T) {
	w, h, x := simulatedNMF(t, 120, 90, 4, 4)
	truth := divergenceDirect(x, w.RawMatrix().Data, h.RawMatrix().Data, 4)
	mu := fit(t, x, Settings{K: 4, Seed: 1, MaxIter: 2000, Tol: -1})
	if !(mu.Divergence < truth) {
		t.Fatalf("MU divergence %.6f not below the truth's %.6f", mu.Divergence, truth)
	}
	cd := fit(t, x, Settings{K: 4, Seed: 1, Method: CD, MaxIter: 200, Tol: -1})
	passes := -1
	for _, it := range cd.Trace {
		if it.Divergence <= mu.Divergence*(1+1e-3) {
			passes = it.Iter
			break
		}
	}
	t.Logf("truth D = %.4f; MU after 2000 iterations %.4f; CD after 200 %.4f, within 0.1%% of MU after %d passes", truth, mu.Divergence, cd.Divergence, passes)
	if passes < 0 {
		t.Fatalf("CD did not come within 0.1%% of MU's %.6f in 200 passes (reached %.6f)", mu.Divergence, cd.Divergence)
	}
}

func TestNormalizeKeepsProduct(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	base := fit(t, x, Settings{K: 3, Seed: 1, MaxIter: 20, Tol: -1, Normalize: NormalizeNone})
	for _, nm := range []Normalize{NormalizeW, NormalizeH, NormalizeDefault} {
		r := fit(t, x, Settings{K: 3, Seed: 1, MaxIter: 20, Tol: -1, Normalize: nm})
		var a, b mat.Dense
		a.Mul(base.W, base.H.T())
		b.Mul(r.W, r.H.T())
		if !mat.EqualApprox(&a, &b, 1e-10) {
			t.Fatalf("normalize %d changed W Hᵀ", nm)
		}
		f := r.W
		if nm == NormalizeH {
			f = r.H
		}
		for j := 0; j < 3; j++ {
			if s := mat.Sum(f.ColView(j)); !scalar.EqualWithinRel(s, 1, 1e-12) {
				t.Fatalf("normalize %d: column %d sums to %v", nm, j, s)
			}
		}
	}
	// The log-likelihood reported is −(D + C(X)); check against the dense
	// Poisson log-pmf written out in model.PoissonLogLik's test.
	if ll, _ := model.PoissonLogLik(x, model.Factors{W: base.W, H: base.H}); !scalar.EqualWithinRel(ll, base.LogLik, 1e-10) {
		t.Fatalf("LogLik %.12g, direct %.12g", base.LogLik, ll)
	}
}

// TestRandomizedSVD forces the randomized range finder on a matrix small
// enough for the exact SVD and compares the leading singular values.
func TestRandomizedSVD(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	_, exact, _, err := truncatedSVD(x, 5, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	old := denseSVDCells
	denseSVDCells = 0
	defer func() { denseSVDCells = old }()
	u, approx, v, err := truncatedSVD(x, 5, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	// With 10 columns of oversampling and 4 power iterations the leading
	// values agree closely on a matrix with a decaying spectrum.
	for j := range exact {
		if !scalar.EqualWithinRel(approx[j], exact[j], 1e-6) {
			t.Fatalf("σ_%d: randomized %v, exact %v", j+1, approx[j], exact[j])
		}
	}
	// U and V have orthonormal columns.
	for _, f := range []struct {
		m    []float64
		rows int
	}{{u, 80}, {v, 230}} {
		for a := 0; a < 5; a++ {
			for b := 0; b < 5; b++ {
				var dot float64
				for r := 0; r < f.rows; r++ {
					dot += f.m[r*5+a] * f.m[r*5+b]
				}
				want := 0.0
				if a == b {
					want = 1
				}
				if math.Abs(dot-want) > 1e-10 {
					t.Fatalf("columns %d, %d: dot %v", a, b, dot)
				}
			}
		}
	}
}

func TestSettingsErrors(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	empty, _ := model.NewCounts(2, 2, nil, nil, nil)
	for _, tc := range []struct {
		name string
		x    *model.Counts
		s    *Settings
		want string
	}{
		{"nil", x, nil, "K is required"},
		{"K = 0", x, &Settings{}, "K = 0"},
		{"α < 1", x, &Settings{K: 2, MAP: &Prior{Shape: 0.5, Rate: 1}}, "α = 0.5"},
		{"b = 0", x, &Settings{K: 2, MAP: &Prior{Shape: 2}}, "rate b = 0"},
		{"unknown method", x, &Settings{K: 2, Method: 7}, "unknown method"},
		{"NaN tolerance", x, &Settings{K: 2, Tol: math.NaN()}, "Tol = NaN"},
		{"empty", empty, &Settings{K: 2}, "no non-zeros"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fit(context.Background(), tc.x, tc.s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Fit(ctx, x, &Settings{K: 2, MaxIter: 100, Tol: -1, Recorder: func(it Iteration) {
		if it.Iter == 4 {
			cancel()
		}
	}})
	if err != nil || res.Status != Cancelled || res.Iterations != 4 {
		t.Fatalf("%v %v %d", err, res.Status, res.Iterations)
	}
}
