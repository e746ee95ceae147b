package model

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// protocolSplit returns a random 30 × 20 count matrix split 80/10/10 and
// factors for it.
func protocolSplit(t *testing.T) (*Split, Factors) {
	t.Helper()
	_, x, err := Sample(30, 20, 3, HPF{A: 0.3, APrime: 2, C: 0.3, CPrime: 2}, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSplit(x, 0.1, 0.1, 3)
	if err != nil {
		t.Fatal(err)
	}
	w, h := mat.NewDense(30, 3, nil), mat.NewDense(20, 3, nil)
	for j := range w.RawMatrix().Data {
		w.RawMatrix().Data[j] = 0.1 + float64(j%7)/5
	}
	for j := range h.RawMatrix().Data {
		h.RawMatrix().Data[j] = 0.2 + float64(j%5)/4
	}
	return s, Factors{W: w, H: h}
}

// TestHeldOutExactZeroMean compares the exact zero-cell mean with a
// dense loop over every cell.
func TestHeldOutExactZeroMean(t *testing.T) {
	s, f := protocolSplit(t)
	valid, test, err := s.HeldOutSets(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		h     *HeldOut
		parts []*Counts
	}{{"test", test, []*Counts{s.Train, s.Valid, s.Test}}, {"validation", valid, []*Counts{s.Train, s.Valid}}} {
		var sum float64
		zeros := 0
		for u := 0; u < 30; u++ {
			for i := 0; i < 20; i++ {
				zero := true
				for _, m := range tc.parts {
					zero = zero && m.At(u, i) == 0
				}
				if zero {
					sum -= f.Rate(u, i)
					zeros++
				}
			}
		}
		r := tc.h.Evaluate(f)
		if want := sum / float64(zeros); math.Abs(r.ZeroMeanExact-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s: exact zero mean %v, dense %v", tc.name, r.ZeroMeanExact, want)
		}
		if want := (r.MeanNonzero + sum/float64(zeros)) / 2; math.Abs(r.MeanExact-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s: exact mean %v, want %v", tc.name, r.MeanExact, want)
		}
		if ll := tc.h.LogLik(f); ll.Mean != r.Mean || ll.MeanNonzero != r.MeanNonzero {
			t.Errorf("%s: Evaluate and LogLik disagree", tc.name)
		}
	}
}

// TestValidationKnowsNothingOfTest: the validation set, which a fit may
// use, is the same whatever the test part holds, and both sets' zero
// cells depend on the split's seed alone.
func TestValidationKnowsNothingOfTest(t *testing.T) {
	s, _ := protocolSplit(t)
	empty, _ := NewCounts(30, 20, nil, nil, nil)
	other := &Split{Train: s.Train, Valid: s.Valid, Test: empty}
	v1, t1, err := s.HeldOutSets(1)
	if err != nil {
		t.Fatal(err)
	}
	v2, t2, _ := other.HeldOutSets(1)
	if !slices.Equal(v1.Zeros, v2.Zeros) || t2 != nil {
		t.Fatal("the validation zero cells depend on the test part")
	}
	for _, c := range t1.Zeros {
		if s.Train.At(int(c.Row), int(c.Col)) != 0 || s.Valid.At(int(c.Row), int(c.Col)) != 0 || s.Test.At(int(c.Row), int(c.Col)) != 0 {
			t.Fatalf("test zero cell %v is a non-zero of the data", c)
		}
	}
	v3, t3, _ := s.HeldOutSets(1)
	if !slices.Equal(v1.Zeros, v3.Zeros) || !slices.Equal(t1.Zeros, t3.Zeros) {
		t.Fatal("the same split seed gave other zero cells")
	}
	_, t4, _ := s.HeldOutSets(2)
	if slices.Equal(t1.Zeros, t4.Zeros) {
		t.Fatal("another split seed gave the same zero cells")
	}
}

// TestHeldOutZeroRate: a test non-zero with rate 0 makes the means −Inf,
// counted, with the finite part computed by hand.
func TestHeldOutZeroRate(t *testing.T) {
	x, _ := NewCounts(2, 3, []int{0, 1, 1}, []int{1, 0, 2}, []float64{2, 1, 3})
	h := &HeldOut{X: x, Zeros: []Cell{{0, 0}, {1, 1}}}
	mu := [][]float64{{0.5, 4, 1}, {0, 2, 3}} // (1, 0) holds a count 1 at rate 0
	r := h.LogLik(rateFunc{2, 3, func(u, i int) float64 { return mu[u][i] }})
	nz := (2*math.Log(4) - 4 - math.Log(2)) + (3*math.Log(3) - 3 - math.Log(6))
	z := -0.5 - 2.0
	if !math.IsInf(r.Mean, -1) || !math.IsInf(r.MeanNonzero, -1) || r.RateZero != 1 {
		t.Fatalf("%+v", r)
	}
	if math.Abs(r.MeanNonzeroFinite-nz/2) > 1e-14 || math.Abs(r.MeanFinite-(nz+z)/4) > 1e-14 {
		t.Fatalf("finite parts %v %v, want %v %v", r.MeanNonzeroFinite, r.MeanFinite, nz/2, (nz+z)/4)
	}
}

// TestHeldOutLogLikWorkers: on a set of several chunks of rows and of
// zero cells, the held-out log-likelihood is the same bits for 1, 2 and 7
// workers and agrees with a direct serial sum of its definition.
func TestHeldOutLogLikWorkers(t *testing.T) {
	const n, p, k = 9000, 40, 3
	_, x, err := Sample(n, p, k, HPF{A: 0.3, APrime: 2, C: 0.3, CPrime: 2}, 0, 8)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSplit(x, 0.2, 0.1, 4)
	if err != nil {
		t.Fatal(err)
	}
	valid, _, err := s.HeldOutSets(2)
	if err != nil {
		t.Fatal(err)
	}
	if valid.X.NNZ() < 3*4096 || len(valid.Zeros) < 3*4096 {
		t.Fatalf("the set has %d non-zeros and %d zero cells: want several chunks of each", valid.X.NNZ(), len(valid.Zeros))
	}
	w, h := mat.NewDense(n, k, nil), mat.NewDense(p, k, nil)
	for j := range w.RawMatrix().Data {
		w.RawMatrix().Data[j] = 0.05 + float64(j%11)/7
	}
	for j := range h.RawMatrix().Data {
		h.RawMatrix().Data[j] = 0.1 + float64(j%5)/3
	}
	f := Factors{W: w, H: h}
	var nz, z float64
	for u := 0; u < n; u++ {
		cols, vals := valid.X.Row(u)
		for e, i := range cols {
			mu := f.Rate(u, int(i))
			lg, _ := math.Lgamma(vals[e] + 1)
			nz += vals[e]*math.Log(mu) - mu - lg
		}
	}
	for _, c := range valid.Zeros {
		z -= f.Rate(int(c.Row), int(c.Col))
	}
	wantNonzero := nz / float64(valid.X.NNZ())
	want := (nz + z) / float64(valid.X.NNZ()+len(valid.Zeros))
	first := valid.LogLikWorkers(f, 1)
	if math.Abs(first.MeanNonzero-wantNonzero) > 1e-12*math.Abs(wantNonzero) || math.Abs(first.Mean-want) > 1e-12*math.Abs(want) {
		t.Errorf("means %v, %v; direct sums give %v, %v", first.MeanNonzero, first.Mean, wantNonzero, want)
	}
	for _, workers := range []int{2, 7} {
		// Compared as printed, which also tells NaN from a number.
		if got := valid.LogLikWorkers(f, workers); fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", first) || got.Mean != first.Mean {
			t.Errorf("%d workers: %+v, one worker %+v", workers, got, first)
		}
	}
}
