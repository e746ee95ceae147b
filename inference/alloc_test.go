package inference

import (
	"context"
	"testing"

	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// TestSweepAllocatesNothing: after the first, a CAVI sweep (both sides'
// updates and the ratio pass with the exact ELBO) allocates nothing, for
// one worker and for two, with and without a mask. The record and the
// checks that follow a sweep are not part of it.
func TestSweepAllocatesNothing(t *testing.T) {
	x := fixtures.Load(t, testutil.Testdata("pbmc_small", "matrix.mtx.gz"))
	for _, w := range []int{1, 2} {
		for _, masked := range []bool{false, true} {
			set := &Settings{K: 10, Workers: w}
			if masked {
				set.Mask = zeroCells(t, x, 3)
			}
			s, err := set.withDefaults(x)
			if err != nil {
				t.Fatal(err)
			}
			f := newFit(x, s)
			if err := f.start(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			_, _, sumBeta := f.begin(w)
			sweep := func() {
				_, _, sumBeta = f.sweep(w, sumBeta)
			}
			sweep()
			if a := testing.AllocsPerRun(10, sweep); a != 0 {
				t.Errorf("workers %d, masked %v: %v allocations per sweep", w, masked, a)
			}
		}
	}
}

// zeroCells returns a mask of the first per cells of every row of x that
// hold no count.
func zeroCells(t *testing.T, x *model.Counts, per int) *model.Counts {
	var rows, cols []int
	var vals []float64
	for u := range x.Rows() {
		for i, got := 0, 0; i < x.Cols() && got < per; i++ {
			if x.At(u, i) == 0 {
				rows, cols, vals = append(rows, u), append(cols, i), append(vals, 1)
				got++
			}
		}
	}
	m, err := model.NewCounts(x.Rows(), x.Cols(), rows, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
