package inference

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// newMemShards cuts x into count shards run in this process.
func newMemShards(t *testing.T, x *model.Counts, count, workers int) *LocalShards {
	t.Helper()
	m, err := NewLocalShards(x, count, workers)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Blocks) != count {
		t.Fatalf("%d shards asked, %d made", count, len(m.Blocks))
	}
	return m
}

// shardedResult runs FitShards and gathers the rows of its best sweep.
func shardedResult(t *testing.T, x *model.Counts, s Settings, m *LocalShards) *Result {
	t.Helper()
	n, p := x.Dims()
	f, err := FitShards(context.Background(), n, p, x.NNZ(), &s, m.Sharding())
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Result(m.Rows[f.BestIter])
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestShardedEqualsCAVI: the sharded fit's ELBO trace equals the
// in-process CAVI's to 1e-12 relative at every sweep, for 1, 2 and 8
// shards, both starts, and stops at the same sweep with the same
// posterior; and the first and last shard taking a few rows or many does
// not matter.
func TestShardedEqualsCAVI(t *testing.T) {
	x := shardData(t)
	cases := []struct {
		name string
		s    Settings
	}{
		{"jitter, to convergence", Settings{K: 6, Seed: 5, MinIter: 5, Tol: 1e-4, MaxIter: 200}},
		{"uniform, MaxIter", Settings{K: 4, Seed: 2, Init: Init{Method: InitUniform}, MaxIter: 25, Tol: -1}},
		{"non-hierarchical", Settings{K: 3, Seed: 9, Hyper: model.HPF{NonHierarchical: true}, MaxIter: 15, Tol: -1}},
	}
	for _, c := range cases {
		want, err := CAVI(context.Background(), x, &c.s)
		if err != nil {
			t.Fatal(err)
		}
		for _, count := range []int{1, 2, 8} {
			t.Run(fmt.Sprintf("%s/%d shards", c.name, count), func(t *testing.T) {
				got := shardedResult(t, x, c.s, newMemShards(t, x, count, 2))
				if len(got.Trace) != len(want.Trace) || got.Iterations != want.Iterations || got.BestIter != want.BestIter || got.Status != want.Status {
					t.Fatalf("%d sweeps (best %d, %v), CAVI %d (best %d, %v)", got.Iterations, got.BestIter, got.Status, want.Iterations, want.BestIter, want.Status)
				}
				for j, it := range got.Trace {
					if d := testutil.RelDiff(it.ELBO, want.Trace[j].ELBO); d > 1e-12 {
						t.Fatalf("sweep %d: ELBO %.17g, CAVI %.17g (relative %.1e)", it.Iter, it.ELBO, want.Trace[j].ELBO, d)
					}
					if it.IsCheck() != want.Trace[j].IsCheck() {
						t.Fatalf("sweep %d: checked %v, CAVI %v", it.Iter, it.IsCheck(), want.Trace[j].IsCheck())
					}
				}
				if d := testutil.RelDiff(got.ELBO, want.ELBO); d > 1e-12 {
					t.Fatalf("ELBO %v, CAVI %v", got.ELBO, want.ELBO)
				}
				for _, pair := range [][2][]float64{
					{got.Posterior.ThetaShape.RawMatrix().Data, want.Posterior.ThetaShape.RawMatrix().Data},
					{got.Posterior.ThetaRate.RawMatrix().Data, want.Posterior.ThetaRate.RawMatrix().Data},
					{got.Posterior.BetaRate.RawMatrix().Data, want.Posterior.BetaRate.RawMatrix().Data},
					{got.Posterior.XiRate, want.Posterior.XiRate},
					{got.Posterior.EtaShape, want.Posterior.EtaShape},
				} {
					if len(pair[0]) != len(pair[1]) {
						t.Fatalf("posterior arrays of %d and %d values", len(pair[0]), len(pair[1]))
					}
					for e := range pair[0] {
						if d := testutil.RelDiff(pair[0][e], pair[1][e]); d > 1e-9 {
							t.Fatalf("posterior value %d: %v, CAVI %v", e, pair[0][e], pair[1][e])
						}
					}
				}
			})
		}
	}
}

// TestShardedIndependentOfRunner: for one sharding the fit is bit for bit
// the same whatever the number of workers per shard and the order the
// shards run in.
func TestShardedIndependentOfRunner(t *testing.T) {
	x := shardData(t)
	s := Settings{K: 5, Seed: 1, MaxIter: 12, Tol: -1}
	want := shardedResult(t, x, s, newMemShards(t, x, 4, 1))
	for _, workers := range []int{2, 7} {
		for _, reverse := range []bool{false, true} {
			m := newMemShards(t, x, 4, workers)
			m.Reverse = reverse
			sameFit(t, fmt.Sprintf("%d workers, reversed %v", workers, reverse), want, shardedResult(t, x, s, m))
		}
	}
}

// TestShardedResume: a sharded fit interrupted after pass 3 (its runner
// failing, or the context cancelled) and resumed from the state it saved
// ends as the uninterrupted fit, bit for bit, without redoing a pass.
func TestShardedResume(t *testing.T) {
	x := shardData(t)
	n, p := x.Dims()
	s := Settings{K: 4, Seed: 3, MinIter: 5, Tol: 1e-4, MaxIter: 200}
	whole := newMemShards(t, x, 3, 2)
	want := shardedResult(t, x, s, whole)
	failed := errors.New("the runner failed")
	for _, how := range []string{"error", "cancel", "cancel during a pass"} {
		m := newMemShards(t, x, 3, 2)
		var saved *ShardedState
		ctx, cancel := context.WithCancel(context.Background())
		sh := m.Sharding()
		if how == "cancel during a pass" {
			// The runner sees the cancellation in pass 4 and fails it.
			sh.Pass = func(ctx context.Context, t int, cols *Columns, update bool) (*ShardStats, error) {
				if t == 4 {
					cancel()
					return nil, ctx.Err()
				}
				return m.Pass(ctx, t, cols, update)
			}
		}
		sh.Save = func(st *ShardedState) error {
			c := *st
			saved = &c
			if st.Iter == 3 {
				switch how {
				case "cancel":
					cancel()
				case "error":
					return failed
				}
			}
			return nil
		}
		f, err := FitShards(ctx, n, p, x.NNZ(), &s, sh)
		cancel()
		switch how {
		case "error":
			if !errors.Is(err, failed) {
				t.Fatalf("the failing Save gave %v", err)
			}
		default:
			if err != nil || f.Status != Cancelled {
				t.Fatalf("%s: %v, %+v", how, err, f)
			}
		}
		if saved == nil || saved.Iter != 3 {
			t.Fatalf("%s: saved state %+v", how, saved)
		}
		sh = m.Sharding()
		sh.Resume = saved
		g, err := FitShards(context.Background(), n, p, x.NNZ(), &s, sh)
		if err != nil {
			t.Fatal(err)
		}
		got, err := g.Result(m.Rows[g.BestIter])
		if err != nil {
			t.Fatal(err)
		}
		sameFit(t, how, want, got)
		if m.Passes != whole.Passes {
			t.Fatalf("%s: %d passes in all, the uninterrupted fit ran %d", how, m.Passes, whole.Passes)
		}
	}
}

// TestShardedRefuses: settings a sharded fit cannot honour, and shards
// that do not cover the matrix, are errors, not wrong fits.
func TestShardedRefuses(t *testing.T) {
	x := shardData(t)
	n, p := x.Dims()
	for _, s := range []Settings{
		{K: 3, Restarts: 2},
		{K: 3, Init: Init{Method: InitPrior}},
		{K: 3, Init: Init{Method: InitNMF}},
		{K: 3, Criterion: CriterionTrainLogLik},
		{K: 3, Mask: x},
		{K: 0},
	} {
		if _, err := FitShards(context.Background(), n, p, x.NNZ(), &s, newMemShards(t, x, 2, 1).Sharding()); err == nil {
			t.Errorf("settings %+v accepted", s)
		}
	}
	// A shard missing: the pass sees fewer rows than the matrix has.
	m := newMemShards(t, x, 3, 1)
	m.Blocks, m.Starts = m.Blocks[:2], m.Starts[:2]
	if _, err := FitShards(context.Background(), n, p, x.NNZ(), &Settings{K: 3}, m.Sharding()); err == nil {
		t.Error("a missing shard was not noticed")
	}
}

// shardData is the matrix of the sharded-fit tests: onlineretail, or under
// -short (the race detector's run in CI) the 80 × 230 pbmc_small, on which
// every case runs the same code in a fraction of the time.
func shardData(t *testing.T) *model.Counts {
	if testing.Short() {
		return readShipped(t, "pbmc_small")
	}
	return readShipped(t, "onlineretail")
}
