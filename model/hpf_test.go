package model

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/poisfact/poisfact/internal/testutil"
)

func TestHPFDefaults(t *testing.T) {
	h := HPF{C: 2}.WithDefaults()
	want := HPF{A: 1, APrime: 0.3, BPrime: 1, C: 2, CPrime: 0.3, DPrime: 1}
	if h != want {
		t.Fatalf("%+v, want %+v", h, want)
	}
	for _, bad := range []HPF{{A: -1}, {DPrime: math.Inf(1)}, {CPrime: math.NaN()}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestSample checks the sampler against its model: the sample means of
// the activities and weights match the Gamma means (E ξ = b', and
// θ_uk ξ_u ~ Gamma(a, 1) has mean a), draws repeat for a seed, and
// heavy-tailed settings give an error rather than a wrapped count.
func TestSample(t *testing.T) {
	h := HPF{A: 0.3, APrime: 2, C: 0.3, CPrime: 2}
	truth, x, err := Sample(2000, 30, 3, h, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	// E[ξ] = b' = 1 (sd 1/√2 per draw); θ_uk ξ_u ~ Gamma(0.3, 1) has mean
	// 0.3 and sd 0.55. Tolerances: about five standard errors for 2000
	// and 6000 draws.
	if m := stat.Mean(truth.Xi, nil); math.Abs(m-1) > 0.08 {
		t.Errorf("mean ξ %v, want 1", m)
	}
	var scaled float64
	for u := 0; u < 2000; u++ {
		for j := 0; j < 3; j++ {
			scaled += truth.Theta.At(u, j) * truth.Xi[u]
		}
	}
	if m := scaled / 6000; math.Abs(m-0.3) > 0.035 {
		t.Errorf("mean θξ %v, want 0.3", m)
	}
	// Σ x has mean Σ μ; the Poisson noise has sd √Σμ.
	var mu float64
	for u := 0; u < 2000; u++ {
		for i := 0; i < 30; i++ {
			mu += truth.Rate(u, i)
		}
	}
	if math.Abs(x.Total()-mu) > 5*math.Sqrt(mu) {
		t.Errorf("total %v, Σ μ %v", x.Total(), mu)
	}
	_, again, _ := Sample(2000, 30, 3, h, 0, 7)
	if !sameCounts(x, again) {
		t.Error("same seed, different draw")
	}
	_, sparse, _ := Sample(2000, 30, 3, h, 0.01, 7)
	if !(sparse.Total() < x.Total()/20) {
		t.Error("scale did not scale the rates")
	}
	// Rates beyond the count range are an error, not a wrapped count.
	if _, _, err := Sample(500, 400, 5, HPF{}, 1e16, 1); err == nil || !strings.Contains(err.Error(), "exceeds the count range") {
		t.Errorf("want a count-range error, got %v", err)
	}
	for _, bad := range []struct {
		n, p, k int
		scale   float64
	}{{0, 3, 1, 1}, {3, 3, 0, 1}, {3, 3, 1, -1}} {
		if _, _, err := Sample(bad.n, bad.p, bad.k, h, bad.scale, 1); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	nh, _, err := Sample(5, 4, 2, HPF{NonHierarchical: true, BPrime: 3}, 0, 1)
	if err != nil || nh.Xi[0] != 3 || nh.Eta[0] != 1 {
		t.Errorf("non-hierarchical activities %v %v (%v)", nh.Xi, nh.Eta, err)
	}
}

// TestPoissonLogLik compares with a dense per-cell sum of the Poisson
// log-pmf x log μ − μ − log Γ(x+1), written out here.
func TestPoissonLogLik(t *testing.T) {
	x, err := ReadFile(testutil.Testdata("pbmc_small", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	n, p := x.Dims()
	w, h := mat.NewDense(n, 2, nil), mat.NewDense(p, 2, nil)
	for j := 0; j < 2; j++ {
		for u := 0; u < n; u++ {
			w.Set(u, j, 0.1+float64((u*7+j)%5))
		}
		for i := 0; i < p; i++ {
			h.Set(i, j, 0.05+float64((i*3+j)%4)/3)
		}
	}
	var want float64
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			mu := w.At(u, 0)*h.At(i, 0) + w.At(u, 1)*h.At(i, 1)
			xv := x.At(u, i)
			lg, _ := math.Lgamma(xv + 1)
			want += xv*math.Log(mu) - mu - lg
		}
	}
	if got, _ := PoissonLogLik(x, Factors{W: w, H: h}); !scalar.EqualWithinRel(got, want, 1e-12) {
		t.Fatalf("%v, dense %v", got, want)
	}
	// A non-zero with μ = 0 is −Inf, not NaN.
	h.Set(1, 0, 0)
	h.Set(1, 1, 0)
	if got, _ := PoissonLogLik(x, Factors{W: w, H: h}); !math.IsInf(got, -1) {
		t.Fatalf("want −Inf, got %v", got)
	}
}

// TestHeldOut checks the held-out zero cells (zero in every part,
// distinct, as many as the non-zeros) and the log-likelihood means
// against a hand computation.
func TestHeldOut(t *testing.T) {
	x, err := ReadFile(testutil.Testdata("onlineretail", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSplit(x, 0.1, 0.1, 3)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.HeldOut(s.Test, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Zeros) != s.Test.NNZ() {
		t.Fatalf("%d zeros for %d non-zeros", len(h.Zeros), s.Test.NNZ())
	}
	seen := map[Cell]bool{}
	for _, c := range h.Zeros {
		if seen[c] || x.At(int(c.Row), int(c.Col)) != 0 {
			t.Fatalf("cell %v repeated or not zero", c)
		}
		seen[c] = true
	}
	// Hand computation on a 2 × 2 example: held-out x = [[2, 0], [0, 0]]
	// with the rate μ = 1 everywhere. The non-zero term is
	// 2 log 1 − 1 − log 2! = −1 − log 2; a zero cell's is −1.
	small, _ := NewCounts(2, 2, []int{0}, []int{0}, []float64{2})
	hs, _ := NewHeldOut(small, nil, 1)
	ll := hs.LogLik(rateFunc{2, 2, func(int, int) float64 { return 1 }})
	if len(hs.Zeros) != 1 || !scalar.EqualWithinAbs(ll.MeanNonzero, -1-math.Ln2, 1e-15) || !scalar.EqualWithinAbs(ll.Mean, (-1-math.Ln2-1)/2, 1e-15) {
		t.Fatalf("%+v", ll)
	}
	if ll := hs.LogLik(rateFunc{2, 2, func(int, int) float64 { return 0 }}); !math.IsInf(ll.Mean, -1) {
		t.Fatalf("μ = 0 at a non-zero: %+v", ll)
	}
	if _, err := NewHeldOut(small, []*Counts{x}, 1); !errors.Is(err, ErrShape) {
		t.Fatalf("shape mismatch: %v", err)
	}
}

func TestPosteriorMeans(t *testing.T) {
	q := NewPosterior(2, 3, 2, HPF{})
	for _, m := range []*mat.Dense{q.ThetaShape, q.ThetaRate, q.BetaShape, q.BetaRate} {
		r, c := m.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				m.Set(i, j, 1+float64(i+2*j))
			}
		}
	}
	for u := range q.XiShape {
		q.XiShape[u], q.XiRate[u] = 2, 4
	}
	et, eb := q.ETheta(), q.EBeta()
	rows := make([]float64, 3)
	q.RowRates(1, rows)
	for i := 0; i < 3; i++ {
		want := et.At(1, 0)*eb.At(i, 0) + et.At(1, 1)*eb.At(i, 1)
		if q.Rate(1, i) != want || !scalar.EqualWithinRel(rows[i], want, 1e-15) {
			t.Fatalf("rate (1, %d): %v %v, want %v", i, q.Rate(1, i), rows[i], want)
		}
	}
	if q.Rate(1, 2) != q.PointEstimate().Rate(1, 2) || !scalar.EqualWithinRel(q.Total(), q.PointEstimate().Total(), 0) {
		t.Fatal("the posterior's rates differ from its point estimate's")
	}
	// E[log θ] = ψ(s) − log r; at s = 1, ψ(1) = −γ (Euler's constant).
	if got, want := q.ELogTheta().At(0, 0), -0.5772156649015329; !scalar.EqualWithinAbs(got, want, 1e-15) {
		t.Fatalf("E log θ = %v, want %v", got, want)
	}
	if q.EXi()[0] != 0.5 {
		t.Fatalf("E ξ = %v", q.EXi())
	}
	nh := NewPosterior(2, 3, 2, HPF{NonHierarchical: true, BPrime: 2})
	if nh.XiShape != nil || nh.EXi()[1] != 2 || nh.EEta()[0] != 1 {
		t.Fatal("non-hierarchical activities")
	}
	other, _ := NewCounts(3, 3, nil, nil, nil)
	if _, err := PoissonLogLik(other, q); !errors.Is(err, ErrShape) {
		t.Fatal("shape mismatch accepted")
	}
}
