package mle

import (
	"context"
	"slices"
	"testing"
)

// TestCheckpointResume: MU and CD stopped by MaxIter, or cancelled, and
// resumed from their checkpoint give the uninterrupted fit's result.
func TestCheckpointResume(t *testing.T) {
	x := readShipped(t, "pbmc_small")
	for _, m := range []Method{MU, CD} {
		base := Settings{K: 4, Method: m, Seed: 2, MaxIter: 60, Tol: 1e-9, Workers: 2}
		whole := fit(t, x, base)
		same := func(what string, got *Result) {
			t.Helper()
			if !slices.Equal(got.W.RawMatrix().Data, whole.W.RawMatrix().Data) || !slices.Equal(got.H.RawMatrix().Data, whole.H.RawMatrix().Data) ||
				got.Iterations != whole.Iterations || got.Status != whole.Status || got.Objective != whole.Objective || len(got.Trace) != len(whole.Trace) {
				t.Fatalf("%v %s: resumed fit differs (%d/%d iterations, %v/%v)", m, what, got.Iterations, whole.Iterations, got.Status, whole.Status)
			}
			for j := range got.Trace {
				if got.Trace[j].Objective != whole.Trace[j].Objective || got.Trace[j].Iter != whole.Trace[j].Iter {
					t.Fatalf("%v %s: trace entry %d differs", m, what, j)
				}
			}
		}
		dir := t.TempDir()
		s := base
		s.MaxIter, s.Checkpoint = 23, &Checkpoint{Dir: dir, Every: 7}
		fit(t, x, s)
		s.MaxIter, s.Checkpoint = 60, &Checkpoint{Dir: dir, Every: 7, Resume: true}
		same("stopped by MaxIter", fit(t, x, s))

		dir = t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		c := base
		c.Checkpoint = &Checkpoint{Dir: dir, Every: 5}
		c.Recorder = func(it Iteration) {
			if it.Iter == 17 {
				cancel()
			}
		}
		if res, err := Fit(ctx, x, &c); err != nil || res.Status != Cancelled {
			t.Fatalf("cancelled fit: %v", err)
		}
		cancel()
		c.Recorder, c.Checkpoint = nil, &Checkpoint{Dir: dir, Every: 5, Resume: true}
		same("cancelled", fit(t, x, c))
	}
}
