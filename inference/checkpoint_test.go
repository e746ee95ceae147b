package inference

import (
	"context"
	"math"
	"testing"
)

// sameFit compares two results but for their times.
func sameFit(t *testing.T, what string, a, b *Result) {
	t.Helper()
	if !samePosterior(a.Posterior, b.Posterior) || a.Iterations != b.Iterations || a.BestIter != b.BestIter ||
		a.Status != b.Status || a.Restart != b.Restart || a.Best != b.Best || a.ELBO != b.ELBO || len(a.Trace) != len(b.Trace) {
		t.Fatalf("%s: resumed fit differs: %d/%d sweeps, best %d/%d, %v/%v, %d/%d trace entries", what,
			a.Iterations, b.Iterations, a.BestIter, b.BestIter, a.Status, b.Status, len(a.Trace), len(b.Trace))
	}
	eq := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	for j := range a.Trace {
		p, q := a.Trace[j], b.Trace[j]
		if p.Restart != q.Restart || p.Iter != q.Iter || !eq(p.ELBO, q.ELBO) || !eq(p.ValidLogLik, q.ValidLogLik) || !eq(p.Criterion, q.Criterion) {
			t.Fatalf("%s: trace entry %d differs: %+v against %+v", what, j, p, q)
		}
	}
}

// TestCheckpointResume: a fit stopped by MaxIter, or cancelled, and then
// resumed from its checkpoint gives the same result as one uninterrupted
// fit, with one restart and with two.
func TestCheckpointResume(t *testing.T) {
	train, valid := validationSplit(t)
	base := Settings{K: 4, Validation: valid, Seed: 3, MaxIter: 60, Workers: 2}
	whole := fit(t, train, base)

	// Stopped by MaxIter at a sweep that is neither a check nor a
	// checkpoint, then resumed.
	dir := t.TempDir()
	s := base
	s.MaxIter, s.Checkpoint = 23, &Checkpoint{Dir: dir, Every: 7}
	fit(t, train, s)
	s.MaxIter, s.Checkpoint = 60, &Checkpoint{Dir: dir, Every: 7, Resume: true}
	sameFit(t, "stopped by MaxIter", whole, fit(t, train, s))

	// Cancelled, then resumed; two restarts, cancelled in the second.
	for _, restarts := range []int{1, 2} {
		b := base
		b.Restarts = restarts
		want := fit(t, train, b)
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		c := b
		c.Checkpoint = &Checkpoint{Dir: dir, Every: 4}
		c.Recorder = func(it Iteration) {
			if it.Restart == restarts-1 && it.Iter == 17 {
				cancel()
			}
		}
		res, err := CAVI(ctx, train, &c)
		if err != nil || res.Restarts[len(res.Restarts)-1].Status != Cancelled {
			t.Fatalf("cancelled fit: %v, %+v", err, res.Restarts)
		}
		cancel()
		c.Recorder, c.Checkpoint = nil, &Checkpoint{Dir: dir, Every: 4, Resume: true}
		sameFit(t, "cancelled", want, fit(t, train, c))
	}

	// A checkpoint of other settings is refused; none at all starts afresh.
	other := base
	other.K, other.Checkpoint = 5, &Checkpoint{Dir: dir, Resume: true}
	if _, err := CAVI(context.Background(), train, &other); err == nil {
		t.Fatal("a checkpoint of K = 4 resumed a fit of K = 5")
	}
	fresh := base
	fresh.Checkpoint = &Checkpoint{Dir: t.TempDir(), Resume: true}
	sameFit(t, "no checkpoint", whole, fit(t, train, fresh))
}

// TestSVICheckpointResume: SVI stopped by MaxIter or cancelled, then
// resumed, gives the uninterrupted fit's result.
func TestSVICheckpointResume(t *testing.T) {
	train, valid := validationSplit(t)
	st := &Stochastic{BatchRows: 700, CheckBatches: 3}
	base := Settings{K: 3, Validation: valid, Seed: 5, MaxIter: 6, Tol: -1, Workers: 2, Init: Init{Method: InitJitter}}
	svi := func(ctx context.Context, s Settings) *Result {
		t.Helper()
		res, err := SVI(ctx, train, &s, st)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	whole := svi(context.Background(), base)
	dir := t.TempDir()
	s := base
	s.MaxIter, s.Checkpoint = 2, &Checkpoint{Dir: dir, Every: 4}
	svi(context.Background(), s)
	s.MaxIter, s.Checkpoint = 6, &Checkpoint{Dir: dir, Every: 4, Resume: true}
	sameFit(t, "SVI stopped by MaxIter", whole, svi(context.Background(), s))

	dir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	c := base
	c.Checkpoint = &Checkpoint{Dir: dir, Every: 5}
	c.Recorder = func(it Iteration) {
		if it.Iter == 4 {
			cancel()
		}
	}
	svi(ctx, c)
	cancel()
	c.Recorder, c.Checkpoint = nil, &Checkpoint{Dir: dir, Every: 5, Resume: true}
	sameFit(t, "SVI cancelled", whole, svi(context.Background(), c))
	// A CAVI fit does not resume from an SVI checkpoint.
	cv := base
	cv.Checkpoint = &Checkpoint{Dir: dir, Resume: true}
	if _, err := CAVI(context.Background(), train, &cv); err == nil {
		t.Fatal("CAVI resumed an SVI checkpoint")
	}
}
