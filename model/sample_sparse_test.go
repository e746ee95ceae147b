package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSampleSparseLaw: the sparse sampler's row and column totals, and a
// block of cells, match the true rates to five standard deviations of a
// Poisson count (an independent check: the expectations are computed
// here from Truth, cell by cell).
func TestSampleSparseLaw(t *testing.T) {
	truth, x, err := SampleSparse(60, 40, 3, HPF{APrime: 2, CPrime: 2}, 0, 400000, 9)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, x)
	n, p := x.Dims()
	expRow, expCol := make([]float64, n), make([]float64, p)
	var total float64
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			mu := truth.Rate(u, i)
			expRow[u] += mu
			expCol[i] += mu
			total += mu
			if u < 10 && i < 10 && math.Abs(x.At(u, i)-mu) > 5*math.Sqrt(mu)+1 {
				t.Errorf("cell (%d, %d): %v, rate %.1f", u, i, x.At(u, i), mu)
			}
		}
	}
	if math.Abs(total-400000) > 1e-6*400000 {
		t.Fatalf("expected total %v, want 400000", total)
	}
	for u := 0; u < n; u++ {
		if d := math.Abs(x.RowSum(u) - expRow[u]); d > 5*math.Sqrt(expRow[u])+1 {
			t.Errorf("row %d: total %v, expected %.1f", u, x.RowSum(u), expRow[u])
		}
	}
	for i := 0; i < p; i++ {
		if d := math.Abs(x.ColSum(i) - expCol[i]); d > 5*math.Sqrt(expCol[i])+1 {
			t.Errorf("column %d: total %v, expected %.1f", i, x.ColSum(i), expCol[i])
		}
	}
}

// TestAliasTable: the alias table draws each index with its probability.
func TestAliasTable(t *testing.T) {
	w := []float64{1, 0, 3, 6, 0.5, 9.5}
	a := newAlias(w, 0, 1)
	r := rand.New(rand.NewPCG(1, 2))
	counts := make([]float64, len(w))
	const draws = 200000
	for d := 0; d < draws; d++ {
		counts[a.draw(r)]++
	}
	for j, v := range w {
		want := v / 20 * draws
		if math.Abs(counts[j]-want) > 5*math.Sqrt(want)+1 {
			t.Errorf("index %d: %v draws, want %.0f", j, counts[j], want)
		}
	}
}
