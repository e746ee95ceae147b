package sparse

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// TestVectorKernels checks dot and axpy, on whichever path this build and
// processor run, against the Go reference loops for every length from 1
// to 1000 (the fast paths unroll by 16 and 4 with a tail): equal to 1e-12
// relative to Σ|x·y| (the dot product's own rounding scale), and the
// dot product also against a compensated sum. Inputs are positive and
// of mixed scale, as factor rows are; the slices are offset so that no
// alignment is assumed, and the element after y must stay untouched.
func TestVectorKernels(t *testing.T) {
	t.Logf("AVX2 and FMA path: %v", useAVX2FMA)
	r := rand.New(rand.NewPCG(5, 6))
	for n := 1; n <= 1000; n++ {
		bx := make([]float64, n+1)
		by := make([]float64, n+2)
		for k := range bx {
			bx[k] = math.Exp(3 * r.NormFloat64())
		}
		for k := range by {
			by[k] = math.Exp(3 * r.NormFloat64())
		}
		x, y := bx[1:], by[1:n+1]
		var ref compensated
		var scale float64
		for k := range x {
			p := x[k] * y[k]
			scale += math.Abs(p)
			ref.add(p)
		}
		if got, want := dot(x, y), dotGo(x, y); math.Abs(got-want) > 1e-12*scale || math.Abs(got-ref.value()) > 1e-12*scale {
			t.Fatalf("n = %d: dot %v, Go loop %v, compensated %v", n, got, want, ref.value())
		}
		alpha := r.Float64() * 3
		got := append([]float64(nil), by...)
		want := append([]float64(nil), by...)
		axpy(alpha, x, got[1:n+1])
		axpyGo(alpha, x, want[1:n+1])
		for k := range want {
			if math.Abs(got[k]-want[k]) > 1e-15*math.Abs(want[k]) {
				t.Fatalf("n = %d: axpy element %d: %v, Go loop %v", n, k, got[k], want[k])
			}
		}
		if got[n+1] != by[n+1] || got[0] != by[0] {
			t.Fatalf("n = %d: axpy wrote outside y", n)
		}
	}
}

// BenchmarkDot times dot at K = 50 on this build's path.
func BenchmarkDot(b *testing.B) {
	x, y := make([]float64, 50), make([]float64, 50)
	for k := range x {
		x[k], y[k] = float64(k), 1/float64(k+1)
	}
	var s float64
	for b.Loop() {
		s += dot(x, y)
	}
	_ = s
}

// TestPathsAgreeOnShippedData runs a two-sided pass on every shipped
// matrix at K = 50 on the processor's path and on the Go loops: the
// outputs and the data term agree to 1e-12 relative. (On a build or
// processor without the assembly both runs take the Go loops.)
func TestPathsAgreeOnShippedData(t *testing.T) {
	for _, name := range testutil.ShippedMatrices {
		x, err := model.ReadFile(testutil.Testdata(name, "matrix.mtx.gz"))
		if err != nil {
			t.Fatal(err)
		}
		const K = 50
		r := rand.New(rand.NewPCG(8, 9))
		a, b := randomFactor(r, x.Rows(), K), randomFactor(r, x.Cols(), K)
		run := func() ([]float64, []float64, float64) {
			kn := New(x, K)
			outA, outB := make([]float64, len(a)), make([]float64, len(b))
			s := kn.TwoSided(2, a, b, nil, outA, outB)
			return outA, outB, s
		}
		fa, fb, fs := run()
		forceGo(true)
		ga, gb, gs := run()
		forceGo(false)
		assertClose(t, name+" A", fa, ga, 1e-12)
		assertClose(t, name+" B", fb, gb, 1e-12)
		if math.Abs(fs-gs) > 1e-12*math.Abs(gs) {
			t.Errorf("%s: data term %v on the processor's path, %v in Go", name, fs, gs)
		}
	}
}
