package sparse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// TestVectorKernels checks ratioAccum, on each path this build and
// processor run (the Go loop itself, AVX2, AVX-512), against the Go reference loop and a compensated sum,
// for every K from 1 to 1000 (the assembly steps by 16, 4 and 1). Each
// call has nine entries over five factor rows with repeats, one row so
// small that its rates underflow (added nothing, counted as missed). Values
// are positive and of mixed scale, as factor rows are; the slices are
// offset so that no alignment is assumed, and the element after each
// output must stay untouched. The assembly takes entries two at a time
// and the last alone; the two ways must agree bit for bit.
func TestVectorKernels(t *testing.T) { onEachPath(t, testVectorKernels) }

// onEachPath runs test as a subtest on each kernel path this build and
// processor have (kernelPaths), the processor's best restored after.
func onEachPath(t *testing.T, test func(*testing.T)) {
	for _, path := range kernelPaths() {
		t.Run(path, func(t *testing.T) {
			usePath(path)
			defer usePath("")
			test(t)
		})
	}
}

func testVectorKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	idx := []int32{3, 0, 4, 2, 2, 1, 0, 3, 4}
	const tiny = 2 // the row whose rates underflow
	for k := 1; k <= 1000; k++ {
		f := mixed(r, k+1)[1:]
		m := mixed(r, 5*k+1)[1:]
		for j := tiny * k; j < (tiny+1)*k; j++ {
			m[j] *= 1e-300
		}
		x := make([]float64, len(idx))
		for j := range x {
			x[j] = float64(1 + r.IntN(4))
		}
		acc0 := mixed(r, k+1)

		got, want := slices.Clone(acc0), slices.Clone(acc0)
		sGot, sWant := make([]float64, len(idx)+1), make([]float64, len(idx)+1)
		sGot[len(idx)], sWant[len(idx)] = 7, 7
		mGot := ratioAccum(f, m, idx, x, got[:k], sGot, underflow)
		mWant := ratioAccumGo(f, m, idx, x, want[:k], sWant, underflow)
		if mGot != 2 || mWant != 2 {
			t.Fatalf("K = %d: ratioAccum missed %d entries, Go loop %d, want 2", k, mGot, mWant)
		}
		for j, i := range idx {
			row := m[int(i)*k : (int(i)+1)*k]
			var ref compensated
			var scale float64
			for q := range row {
				ref.add(f[q] * row[q])
				scale += math.Abs(f[q] * row[q])
			}
			if math.Abs(sGot[j]-sWant[j]) > 1e-12*scale || math.Abs(sGot[j]-ref.value()) > 1e-12*scale {
				t.Fatalf("K = %d, entry %d: rate %v, Go loop %v, compensated %v", k, j, sGot[j], sWant[j], ref.value())
			}
		}
		if sGot[len(idx)] != 7 {
			t.Fatalf("K = %d: ratioAccum wrote past its entries", k)
		}
		assertNear(t, fmt.Sprintf("K = %d: ratioAccum", k), got, want, acc0, 1e-12)

		// One entry per call takes the one-entry path of the assembly:
		// the pairs must give the same bits.
		one, sOne := slices.Clone(acc0), make([]float64, len(idx))
		for j := range idx {
			ratioAccum(f, m, idx[j:j+1], x[j:j+1], one[:k], sOne[j:j+1], underflow)
		}
		if !slices.Equal(one, got) || !slices.Equal(sOne, sGot[:len(idx)]) {
			t.Fatalf("K = %d: entries two at a time differ from one at a time", k)
		}
	}
}

// TestVectorKernelsNaN: a NaN rate is missed by ratioAccum, on both
// paths, and so left to the caller, whose clamp keeps it NaN (a NaN in
// the factors must reach the output instead of vanishing; the kernel's
// test checks that end).
func TestVectorKernelsNaN(t *testing.T) {
	for _, path := range kernelPaths() {
		usePath(path)
		const k = 9
		f, m := make([]float64, k), make([]float64, 2*k)
		for j := range f {
			f[j] = 1
		}
		for j := range m {
			m[j] = 1
		}
		m[k+3] = math.NaN()
		acc, s := make([]float64, k), make([]float64, 2)
		if missed := ratioAccum(f, m, []int32{0, 1}, []float64{1, 1}, acc, s, underflow); missed != 1 || !math.IsNaN(s[1]) || acc[0] != 1.0/k {
			t.Errorf("%s path: ratioAccum missed %d, rates %v, acc %v", path, missed, s, acc)
		}
	}
	usePath("")
}

// mixed returns n positive values spread over many orders of magnitude.
func mixed(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for j := range v {
		v[j] = math.Exp(3 * r.NormFloat64())
	}
	return v
}

// assertNear checks that got and want, both started from start, agree
// to tol relative to the size of each element's start and of what was
// added to it, over the first len(start)−1 elements; the last must still
// equal start's.
func assertNear(t *testing.T, name string, got, want, start []float64, tol float64) {
	t.Helper()
	k := len(start) - 1
	for q := range k {
		scale := math.Abs(want[q]-start[q]) + math.Abs(start[q])
		if math.Abs(got[q]-want[q]) > tol*scale {
			t.Fatalf("%s element %d: %v, Go loop %v", name, q, got[q], want[q])
		}
	}
	if got[k] != start[k] {
		t.Fatalf("%s wrote outside its accumulator", name)
	}
}

// BenchmarkRatioAccum times ratioAccum at K = 50 over 64 entries of a
// 5000-row factor (2 MB, as the synthetic matrix's columns) on this
// build's path.
func BenchmarkRatioAccum(b *testing.B) {
	const k, rows = 50, 5000
	r := rand.New(rand.NewPCG(1, 2))
	f, m := mixed(r, k), mixed(r, rows*k)
	idx := make([]int32, 64)
	for j := range idx {
		idx[j] = int32(r.IntN(rows))
	}
	x, acc, s := make([]float64, len(idx)), make([]float64, k), make([]float64, len(idx))
	for j := range x {
		x[j] = 1
	}
	for b.Loop() {
		ratioAccum(f, m, idx, x, acc, s, underflow)
	}
}

// TestPathsAgreeOnShippedData runs a two-sided pass on every shipped
// matrix at K = 50 on each assembly path this processor has and on the Go
// loops: the outputs and the data term agree to 1e-12 relative. (On a
// build or processor without the assembly only the Go loops run.)
func TestPathsAgreeOnShippedData(t *testing.T) {
	defer usePath("")
	for _, name := range testutil.ShippedMatrices {
		x, err := model.ReadFile(testutil.Testdata(name, "matrix.mtx.gz"))
		if err != nil {
			t.Fatal(err)
		}
		const K = 50
		r := rand.New(rand.NewPCG(8, 9))
		a, b := randomFactor(r, x.Rows(), K), randomFactor(r, x.Cols(), K)
		run := func(path string) ([]float64, []float64, float64) {
			usePath(path)
			kn := New(x, K)
			outA, outB := make([]float64, len(a)), make([]float64, len(b))
			s := kn.TwoSided(2, a, b, nil, outA, outB)
			return outA, outB, s
		}
		ga, gb, gs := run("go")
		for _, path := range kernelPaths()[1:] {
			fa, fb, fs := run(path)
			assertClose(t, name+" "+path+" A", fa, ga, 1e-12)
			assertClose(t, name+" "+path+" B", fb, gb, 1e-12)
			if math.Abs(fs-gs) > 1e-12*math.Abs(gs) {
				t.Errorf("%s: data term %v on the %s path, %v in Go", name, fs, path, gs)
			}
		}
	}
}

// compensated is Neumaier's compensated sum, the reference the tests of
// this package compare sums with.
type compensated struct{ sum, comp float64 }

func (c *compensated) add(v float64) {
	s := c.sum + v
	if math.Abs(c.sum) >= math.Abs(v) {
		c.comp += (c.sum - s) + v
	} else {
		c.comp += (v - s) + c.sum
	}
	c.sum = s
}

func (c compensated) value() float64 { return c.sum + c.comp }
