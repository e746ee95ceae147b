package sparse

import (
	"math"
	"math/rand/v2"
	"testing"
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
		var scale, sum, comp float64
		for k := range x {
			p := x[k] * y[k]
			scale += math.Abs(p)
			s := sum + p
			if math.Abs(sum) >= math.Abs(p) {
				comp += (sum - s) + p
			} else {
				comp += (p - s) + sum
			}
			sum = s
		}
		if got, want := dot(x, y), dotGo(x, y); math.Abs(got-want) > 1e-12*scale || math.Abs(got-(sum+comp)) > 1e-12*scale {
			t.Fatalf("n = %d: dot %v, Go loop %v, compensated %v", n, got, want, sum+comp)
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
