package compare

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

var readShipped = fixtures.Shipped

// TestEvaluateAgainstDense compares the objectives with a dense per-cell
// sum of the Poisson log-pmf, x log μ − μ − lgamma(x+1), and of the
// divergence x log(x/μ) − x + μ, written out here, for factor rates, an
// HPF posterior and a plain rate function.
func TestEvaluateAgainstDense(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	n, p := x.Dims()
	w, h := randomFactors(x, 3, rand.New(rand.NewPCG(1, 1)))
	post := model.NewPosterior(n, p, 3, model.HPF{})
	for _, m := range []*mat.Dense{post.ThetaShape, post.ThetaRate, post.BetaShape, post.BetaRate} {
		m.Apply(func(i, j int, _ float64) float64 { return 0.5 + float64((3*i+j)%5) }, m)
	}
	for name, r := range map[string]model.Rates{
		"factors":   model.Factors{W: w, H: h},
		"posterior": post,
		"function":  FuncRates(func(u, i int) float64 { return 0.5 + float64((u+i)%3) }, n, p),
	} {
		t.Run(name, func(t *testing.T) {
			var ll, div, c float64
			for u := 0; u < n; u++ {
				for i := 0; i < p; i++ {
					xv, mu := x.At(u, i), r.Rate(u, i)
					lg, _ := math.Lgamma(xv + 1)
					ll += xv*math.Log(mu) - mu - lg
					if xv > 0 {
						div += xv*math.Log(xv/mu) - xv + mu
						c += lg - xv*math.Log(xv) + xv
					} else {
						div += mu
					}
				}
			}
			o := Evaluate(x, r)
			// 1e-12 relative: the dense sums run over 18400 cells in
			// another order, without compensation.
			for _, v := range []struct {
				name      string
				got, want float64
			}{{"NLL", o.NLL, -ll}, {"D", o.Divergence, div}, {"C(X)", o.C, c}, {"C(X) alone", x.DataConstant(), c}} {
				if !scalar.EqualWithinRel(v.got, v.want, 1e-12) {
					t.Errorf("%s = %.15g, dense %.15g", v.name, v.got, v.want)
				}
			}
			var lg float64
			_, _, val := x.CSR()
			for _, v := range val {
				l, _ := math.Lgamma(v + 1)
				lg += l
			}
			if !scalar.EqualWithinRel(o.NLL-o.NLLNoFactorial, lg, 1e-12) {
				t.Errorf("NLL − NLL without log x! = %v, Σ log x! = %v", o.NLL-o.NLLNoFactorial, lg)
			}
		})
	}
	// A zero rate at a non-zero is +Inf, not NaN.
	w.Set(0, 0, 0)
	w.Set(0, 1, 0)
	w.Set(0, 2, 0)
	if o := Evaluate(x, model.Factors{W: w, H: h}); !math.IsInf(o.NLL, 1) || !math.IsInf(o.Divergence, 1) {
		t.Fatalf("zero rate: NLL %v, D %v", o.NLL, o.Divergence)
	}
}

// TestIdentity: NLL − D − C(X) below 1e-9 relative to C(X) for 100 random
// factorizations and along a 200-iteration MU fit, on every shipped
// matrix and on newsgroups20 (skipped under -short).
func TestIdentity(t *testing.T) {
	data := map[string]func(t *testing.T) *model.Counts{}
	for _, name := range testutil.ShippedMatrices {
		data[name] = func(t *testing.T) *model.Counts { return readShipped(t, name) }
	}
	data["newsgroups20"] = func(t *testing.T) *model.Counts {
		if testing.Short() {
			t.Skip("newsgroups20 (2.4 M non-zeros) runs without -short")
		}
		x, err := model.ReadFile(testutil.SharedMatrix(t, "newsgroups20"))
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for name, load := range data {
		t.Run(name, func(t *testing.T) {
			x := load(t)
			random := CheckIdentityRandom(x, &Settings{K: 5, Trials: 100, Seed: 1, Tol: 1e-9})
			along, err := CheckIdentityAlongFit(context.Background(), x, &Settings{K: 5, FitIterations: 200, Seed: 1, Tol: 1e-9})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []Check{random, along} {
				t.Logf("%s: max rel %.3g over %d trials", c.Name, c.MaxRelDeviation, c.Trials)
				if !c.Passed || c.Trials < 100 {
					t.Errorf("%s failed: %+v", c.Name, c)
				}
			}
		})
	}
}

// TestRunSmall runs every check on the smallest shipped matrix; each must
// pass, and each must be able to fail: at a tolerance of zero the checks
// whose deviations are rounding-sized fail.
func TestRunSmall(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	rep, err := Run(context.Background(), x, &Settings{Trials: 20, FitIterations: 50})
	if err != nil {
		t.Fatal(err)
	}
	rep.Print(os.Stderr)
	if !rep.Passed || len(rep.Checks) != 6 {
		t.Fatalf("report: %+v", rep)
	}
	if g := CheckGradients(x, &Settings{K: 4, Seed: 2, GradTol: 1e-12}); g.Passed {
		t.Fatalf("a gradient check at 1e-12 cannot pass with finite differences: %+v", g)
	}
}

// TestNormalizedAgainstGonum compares NormalizedKL with gonum's
// stat.KullbackLeibler over the dense distributions, an independent
// implementation of the ordinary KL.
func TestNormalizedAgainstGonum(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	n, p := x.Dims()
	w, h := randomFactors(x, 2, rand.New(rand.NewPCG(3, 3)))
	r := model.Factors{W: w, H: h}
	pd, qd := make([]float64, n*p), make([]float64, n*p)
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			pd[u*p+i] = x.At(u, i) / x.Total()
			qd[u*p+i] = r.Rate(u, i) / r.Total()
		}
	}
	if got, want := NormalizedKL(x, r), stat.KullbackLeibler(pd, qd); !scalar.EqualWithinRel(got, want, 1e-12) {
		t.Fatalf("NormalizedKL %.15g, gonum %.15g", got, want)
	}
	if c := CheckNormalized(x, &Settings{K: 2, Seed: 3, Tol: 1e-12}); !c.Passed {
		t.Fatalf("%+v", c)
	}
}

// fakeTB records failures so that AssertEquivalent's failing path can be
// tested.
type fakeTB struct {
	testing.TB
	failed []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, a ...any) {
	f.failed = append(f.failed, fmt.Sprintf(format, a...))
}
func (f *fakeTB) Fatalf(format string, a ...any) {
	f.failed = append(f.failed, fmt.Sprintf(format, a...))
}

func TestAssertEquivalent(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	fit, err := mle.Fit(context.Background(), x, &mle.Settings{K: 4, MaxIter: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	AssertEquivalent(t, x, fit.W, fit.H, 1e-9)
	var f fakeTB
	AssertEquivalent(&f, x, fit.W, mat.NewDense(3, 4, nil), 1e-9)
	if len(f.failed) != 1 || !strings.Contains(f.failed[0], "do not fit") {
		t.Fatalf("shape mismatch: %q", f.failed)
	}
	// A negative rate breaks the identity's premise (log of a negative
	// number is NaN): the helper must fail, not pass silently.
	bad := mat.DenseCopyOf(fit.H)
	bad.Set(0, 0, -1e3)
	f.failed = nil
	AssertEquivalent(&f, x, fit.W, bad, 1e-9)
	if len(f.failed) == 0 {
		t.Fatal("AssertEquivalent passed factors with a negative rate")
	}
}

// heavyTailed returns a 300 × 120 matrix of Pareto-like counts (tail
// exponent 1/2) with a few counts of 352,698, the largest play count of
// the listening data on which the K = 1 check once failed only because
// its optimizer stopped early.
func heavyTailed(t *testing.T) *model.Counts {
	t.Helper()
	r := rand.New(rand.NewPCG(11, 12))
	var rows, cols []int
	var vals []float64
	for u := 0; u < 300; u++ {
		for i := 0; i < 120; i++ {
			if r.Float64() > 0.15 {
				continue
			}
			v := math.Floor(1 / math.Pow(r.Float64()+1e-12, 2))
			if r.Float64() < 0.002 {
				v = 352698
			}
			rows, cols, vals = append(rows, u), append(cols, i), append(vals, min(v, 352698))
		}
	}
	x, err := model.NewCounts(300, 120, rows, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestIndependenceHeavyTails: on counts from 1 to 352,698 the K = 1
// argmin check passes at its default tolerance (before the L-BFGS leg was
// scaled and restarted it stopped at 3.5e-4 relative on such data), and a
// 1 × 1 matrix gives no NaN.
func TestIndependenceHeavyTails(t *testing.T) {
	for name, x := range map[string]*model.Counts{"heavy": heavyTailed(t)} {
		c, err := CheckArgminIndependence(context.Background(), x, &Settings{Seed: 3, GradTol: 1e-6})
		if err != nil {
			t.Fatal(err)
		}
		if !c.Passed {
			t.Errorf("%s: max rel %.3g above %.3g", name, c.MaxRelDeviation, c.Tolerance)
		}
	}
	one, err := model.NewCounts(1, 1, []int{0}, []int{0}, []float64{5})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), one, &Settings{K: 2, Seed: 1, Trials: 5, FitIterations: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if math.IsNaN(c.MaxRelDeviation) || !c.Passed {
			t.Errorf("1 × 1: %s: passed %v, max rel %v", c.Name, c.Passed, c.MaxRelDeviation)
		}
	}
}
