package evaluation

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/poisfact/poisfact/internal/fixtures"
)

// cancelAfter is a context whose Err turns to context.Canceled after a
// number of calls: the fits ask it once a sweep, so it cancels a fit in
// the middle, at a sweep fixed in advance.
type cancelAfter struct {
	context.Context
	calls, after atomic.Int64
}

func newCancelAfter(n int64) *cancelAfter {
	c := &cancelAfter{Context: context.Background()}
	c.after.Store(n)
	return c
}

func (c *cancelAfter) Err() error {
	if c.calls.Add(1) > c.after.Load() {
		return context.Canceled
	}
	return nil
}

// TestCancelMidway: cancelling SelectK or SideBySide in the middle of a
// fit returns the context's error at once (SelectK with the K finished
// before), not a table of unfitted models.
func TestCancelMidway(t *testing.T) {
	x := fixtures.Shipped(t, "pbmc_small")
	ctx := newCancelAfter(5)
	res, err := SelectK(ctx, x, SelectKSettings{Ks: []int{2, 3, 4}, Seed: 1, MaxIter: 500})
	if !errors.Is(err, context.Canceled) || res == nil || len(res.Rows) != 0 {
		t.Fatalf("SelectK: %v, %+v", err, res)
	}
	if calls := ctx.calls.Load(); calls > 7 {
		t.Errorf("SelectK asked the context %d times after it was cancelled at the 6th", calls)
	}
	ctx = newCancelAfter(5)
	table, err := SideBySide(ctx, x, SideBySideSettings{K: 3, Seed: 1, MaxIter: 500})
	if !errors.Is(err, context.Canceled) || table != nil {
		t.Fatalf("SideBySide: %v, %+v", err, table)
	}
	if calls := ctx.calls.Load(); calls > 7 {
		t.Errorf("SideBySide asked the context %d times after it was cancelled at the 6th", calls)
	}
	// Cancelled after the first K's fit: its row is kept.
	full, err := SelectK(context.Background(), x, SelectKSettings{Ks: []int{2}, Seed: 1, MaxIter: 500})
	if err != nil {
		t.Fatal(err)
	}
	ctx = newCancelAfter(int64(full.Rows[0].Iterations) + 3)
	res, err = SelectK(ctx, x, SelectKSettings{Ks: []int{2, 3}, Seed: 1, MaxIter: 500})
	if !errors.Is(err, context.Canceled) || len(res.Rows) != 1 || res.Rows[0].ValidLogLik != full.Rows[0].ValidLogLik {
		t.Fatalf("SelectK cancelled in its second K: %v, %+v", err, res)
	}
}
