package sparse

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/poisfact/poisfact/model"
)

// randomCounts draws an n × p matrix with about density·n·p non-zeros and
// small positive counts.
func randomCounts(t testing.TB, n, p int, density float64, seed uint64) *model.Counts {
	r := rand.New(rand.NewPCG(seed, 1))
	var rows, cols []int
	var vals []float64
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			if r.Float64() < density {
				rows = append(rows, u)
				cols = append(cols, i)
				vals = append(vals, float64(1+r.IntN(5)))
			}
		}
	}
	c, err := model.NewCounts(n, p, rows, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func randomFactor(r *rand.Rand, m, k int) []float64 {
	f := make([]float64, m*k)
	for j := range f {
		f[j] = 0.1 + r.Float64()
	}
	return f
}

// denseReference computes, cell by cell over the dense matrix, the
// products A ⊙ (R B), B ⊙ (Rᵀ A) and Σ x log(x/S), with r = 0 where
// x = 0.
func denseReference(x *model.Counts, a, b []float64, k int) (outA, outB []float64, xlogS float64) {
	n, p := x.Dims()
	outA = make([]float64, n*k)
	outB = make([]float64, p*k)
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			xv := x.At(u, i)
			if xv == 0 {
				continue
			}
			var s float64
			for q := 0; q < k; q++ {
				s += a[u*k+q] * b[i*k+q]
			}
			xlogS += xv * math.Log(xv/s)
			for q := 0; q < k; q++ {
				outA[u*k+q] += a[u*k+q] * xv / s * b[i*k+q]
				outB[i*k+q] += b[i*k+q] * xv / s * a[u*k+q]
			}
		}
	}
	return outA, outB, xlogS
}

func assertClose(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	for j := range got {
		if !scalar.EqualWithinAbsOrRel(got[j], want[j], tol, tol) {
			t.Fatalf("%s[%d] = %v, want %v", name, j, got[j], want[j])
		}
	}
}

func TestPassesAgainstDense(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, p, k int
		density float64
	}{
		{"square", 30, 30, 4, 0.2},
		{"wide, empty rows", 12, 80, 7, 0.05},
		{"K=1", 20, 10, 1, 0.5},
		{"K larger than shape", 5, 6, 9, 0.6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := randomCounts(t, tc.n, tc.p, tc.density, 3)
			r := rand.New(rand.NewPCG(4, 5))
			a, b := randomFactor(r, tc.n, tc.k), randomFactor(r, tc.p, tc.k)
			wantA, wantB, wantS := denseReference(x, a, b, tc.k)
			kn := New(x, tc.k)
			outA, outB := make([]float64, len(a)), make([]float64, len(b))
			s := kn.TwoSided(2, a, b, nil, outA, outB)
			// 1e-12: the sums differ only in the order of a few dozen terms.
			assertClose(t, "two-sided A", outA, wantA, 1e-12)
			assertClose(t, "two-sided B", outB, wantB, 1e-12)
			assertClose(t, "two-sided Σ x log(x/S)", []float64{s}, []float64{wantS}, 1e-12)
			clear(outA)
			clear(outB)
			sa := kn.RowSide(3, a, b, nil, outA)
			sb := kn.ColSide(3, a, b, nil, outB)
			products := make([]float64, len(b))
			kn.ColSideProducts(3, a, b, products)
			if !slices.Equal(products, outB) {
				t.Fatal("ColSideProducts differs from ColSide")
			}
			assertClose(t, "row side", outA, wantA, 1e-12)
			assertClose(t, "col side", outB, wantB, 1e-12)
			assertClose(t, "one-sided sums", []float64{sa, sb}, []float64{wantS, wantS}, 1e-12)
		})
	}
}

// TestLogDomainFallback builds factors whose shifted products underflow
// (row maximum and column maximum at different k, 800 apart) and checks
// the pass against the log-domain answer written out by hand: with
// log A_u = (0, −800) and log B_i = (−800, 0) both terms of
// Σ_k exp(log A + log B) equal e^−800, so φ = (½, ½) and
// log Σ = −800 + log 2.
func TestLogDomainFallback(t *testing.T) {
	x, err := model.NewCounts(2, 2, []int{0, 0, 1}, []int{0, 1, 1}, []float64{3, 2, 5})
	if err != nil {
		t.Fatal(err)
	}
	const K = 2
	logs := &Logs{
		LogA: []float64{0, -800, 1, 2}, // row 1 is ordinary
		LogB: []float64{-800, 0, 0.5, -0.5},
		MaxA: []float64{0, 2},
		MaxB: []float64{0, 0.5},
	}
	a := make([]float64, 4)
	b := make([]float64, 4)
	for j := range a {
		a[j] = math.Exp(logs.LogA[j] - logs.MaxA[j/K])
		b[j] = math.Exp(logs.LogB[j] - logs.MaxB[j/K])
	}
	// Exact answers in the log domain, per non-zero.
	lse := func(u, i int) float64 {
		v0 := logs.LogA[u*K] + logs.LogB[i*K]
		v1 := logs.LogA[u*K+1] + logs.LogB[i*K+1]
		m := math.Max(v0, v1)
		return m + math.Log(math.Exp(v0-m)+math.Exp(v1-m))
	}
	phi := func(u, i, k int) float64 { return math.Exp(logs.LogA[u*K+k] + logs.LogB[i*K+k] - lse(u, i)) }
	wantA := make([]float64, 4)
	wantB := make([]float64, 4)
	var wantS float64
	for _, e := range [][3]int{{0, 0, 3}, {0, 1, 2}, {1, 1, 5}} {
		u, i, xv := e[0], e[1], float64(e[2])
		wantS += xv * lse(u, i)
		for k := 0; k < K; k++ {
			wantA[u*K+k] += xv * phi(u, i, k)
			wantB[i*K+k] += xv * phi(u, i, k)
		}
	}
	if math.Abs(lse(0, 0)-(-800+math.Ln2)) > 1e-12 {
		t.Fatal("test setup: expected the (0,0) entry to sit at −800 + log 2")
	}
	kn := New(x, K)
	outA, outB := make([]float64, 4), make([]float64, 4)
	s := kn.TwoSided(1, a, b, logs, outA, outB)
	assertClose(t, "A", outA, wantA, 1e-12)
	assertClose(t, "B", outB, wantB, 1e-12)
	assertClose(t, "Σ x log Σ exp", []float64{s}, []float64{wantS}, 1e-12)
	for _, v := range append(outA, outB...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatal("non-finite output")
		}
	}
	clear(outA)
	clear(outB)
	sa := kn.RowSide(1, a, b, logs, outA)
	sb := kn.ColSide(1, a, b, logs, outB)
	assertClose(t, "row side A", outA, wantA, 1e-12)
	assertClose(t, "col side B", outB, wantB, 1e-12)
	assertClose(t, "one-sided sums", []float64{sa, sb}, []float64{wantS, wantS}, 1e-12)
}

func TestWorkersBitIdentical(t *testing.T) {
	x := randomCounts(t, 700, 500, 0.03, 11)
	const K = 13
	r := rand.New(rand.NewPCG(7, 7))
	a, b := randomFactor(r, 700, K), randomFactor(r, 500, K)
	kn := New(x, K)
	run := func(w int) ([]float64, []float64, float64) {
		outA, outB := make([]float64, len(a)), make([]float64, len(b))
		s := kn.TwoSided(w, a, b, nil, outA, outB)
		return outA, outB, s
	}
	a1, b1, s1 := run(1)
	for _, w := range []int{2, 7} {
		aw, bw, sw := run(w)
		if !slices.Equal(aw, a1) || !slices.Equal(bw, b1) || sw != s1 {
			t.Fatalf("workers %d differ from 1 worker", w)
		}
	}
}

// TestNaNShows: a NaN in one factor row reaches the outputs of every
// pass (its own row, and the columns that row has non-zeros in) and the
// data term, with and without log factors, on both kernel paths, rather
// than being dropped as an underflowed rate.
func TestNaNShows(t *testing.T) {
	x, err := model.NewCounts(2, 2, []int{0, 0, 1}, []int{0, 1, 1}, []float64{3, 2, 5})
	if err != nil {
		t.Fatal(err)
	}
	const K = 5
	for _, path := range kernelPaths() {
		usePath(path)
		for _, withLogs := range []bool{false, true} {
			a, b := make([]float64, 2*K), make([]float64, 2*K)
			for j := range a {
				a[j], b[j] = 1, 1
			}
			a[1] = math.NaN() // row 0
			var logs *Logs
			if withLogs {
				logs = &Logs{LogA: make([]float64, 2*K), LogB: make([]float64, 2*K), MaxA: make([]float64, 2), MaxB: make([]float64, 2)}
			}
			kn := New(x, K)
			outA, outB := make([]float64, 2*K), make([]float64, 2*K)
			s := kn.TwoSided(1, a, b, logs, outA, outB)
			if !math.IsNaN(s) || !math.IsNaN(outA[0]) || !math.IsNaN(outB[0]) || !math.IsNaN(outB[K]) {
				t.Errorf("%s path, logs %v: NaN lost: data term %v, A row 0 %v, B %v", path, withLogs, s, outA[:K], outB)
			}
			if math.IsNaN(outA[K]) {
				t.Errorf("%s path, logs %v: row 1 has no NaN factor but got %v", path, withLogs, outA[K:])
			}
		}
	}
	usePath("")
}
