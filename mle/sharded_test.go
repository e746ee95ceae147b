package mle

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// memShards runs a sharded MU fit's passes in this process, keeping each
// iteration's W per shard as a runner keeps it in files, and building the
// shards afresh every pass as a worker reading them would.
type memShards struct {
	blocks  []*model.Counts
	starts  []int
	w       map[int][][]float64 // iteration → each shard's W after it
	workers int
	reverse bool
	passes  int
}

func newMemShards(t *testing.T, x *model.Counts, count, workers int) *memShards {
	t.Helper()
	blocks, starts, err := x.SplitRows(count)
	if err != nil || len(blocks) != count {
		t.Fatalf("%d shards: %d made, %v", count, len(blocks), err)
	}
	return &memShards{blocks: blocks, starts: starts, w: map[int][][]float64{}, workers: workers}
}

func (m *memShards) pass(_ context.Context, t int, cols *Columns, update bool) (*ShardStats, error) {
	m.passes++
	stats := make([]*ShardStats, len(m.blocks))
	kept := make([][]float64, len(m.blocks))
	for j := range m.blocks {
		s := j
		if m.reverse {
			s = len(m.blocks) - 1 - j
		}
		sh, err := NewRowShard(m.blocks[s], m.starts[s], m.workers, cols)
		if err != nil {
			return nil, err
		}
		if t <= 1 {
			sh.Start()
		} else if err := sh.SetW(m.w[t-1][s]); err != nil {
			return nil, err
		}
		st, err := sh.Step(t, cols, update)
		if err != nil {
			return nil, err
		}
		c := *st
		c.SumW, c.NumH = slices.Clone(st.SumW), slices.Clone(st.NumH)
		stats[s] = &c
		kept[s] = slices.Clone(sh.W())
	}
	if update {
		m.w[t] = kept
	}
	var total ShardStats
	for _, st := range stats {
		if err := total.Add(st); err != nil {
			return nil, err
		}
	}
	return &total, nil
}

func shardedFit(t *testing.T, x *model.Counts, s Settings, m *memShards, sh *Sharding) *Result {
	t.Helper()
	n, p := x.Dims()
	if sh == nil {
		sh = &Sharding{Pass: m.pass}
	}
	f, err := FitShards(context.Background(), n, p, x.NNZ(), &s, *sh)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Result(m.w[f.Iterations])
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestShardedMUEqualsFit: the sharded MU fit's divergence equals Fit's to
// 1e-12 relative at every iteration for 1, 2 and 8 shards, it stops at
// the same iteration, and its factors agree.
func TestShardedMUEqualsFit(t *testing.T) {
	x := shardData(t)
	for _, s := range []Settings{
		{K: 5, Seed: 4, MaxIter: 30, Tol: -1},
		{K: 3, Seed: 1, MaxIter: 500, Tol: 1e-5},
	} {
		want, err := Fit(context.Background(), x, &s)
		if err != nil {
			t.Fatal(err)
		}
		for _, count := range []int{1, 2, 8} {
			t.Run(fmt.Sprintf("K%d/%d shards", s.K, count), func(t *testing.T) {
				got := shardedFit(t, x, s, newMemShards(t, x, count, 2), nil)
				if got.Iterations != want.Iterations || got.Status != want.Status || len(got.Trace) != len(want.Trace) {
					t.Fatalf("%d iterations (%v), Fit %d (%v)", got.Iterations, got.Status, want.Iterations, want.Status)
				}
				for j, it := range got.Trace {
					if d := testutil.RelDiff(it.Divergence, want.Trace[j].Divergence); d > 1e-12 {
						t.Fatalf("iteration %d: divergence %.17g, Fit %.17g (%.1e)", it.Iter, it.Divergence, want.Trace[j].Divergence, d)
					}
				}
				if d := testutil.RelDiff(got.LogLik, want.LogLik); d > 1e-12 {
					t.Fatalf("log-likelihood %v, Fit %v", got.LogLik, want.LogLik)
				}
				for _, pair := range [][2][]float64{{got.W.RawMatrix().Data, want.W.RawMatrix().Data}, {got.H.RawMatrix().Data, want.H.RawMatrix().Data}} {
					for e := range pair[1] {
						if d := math.Abs(pair[0][e] - pair[1][e]); d > 1e-9*math.Max(math.Abs(pair[1][e]), 1e-3) {
							t.Fatalf("factor value %d: %v, Fit %v", e, pair[0][e], pair[1][e])
						}
					}
				}
			})
		}
	}
}

// TestShardedMURunnerAndResume: for one sharding the fit does not depend
// on the workers per shard or the order the shards run in, and a fit
// stopped after pass 3 and resumed ends bit for bit as one uninterrupted.
func TestShardedMURunnerAndResume(t *testing.T) {
	x := shardData(t)
	n, p := x.Dims()
	s := Settings{K: 4, Seed: 2, MaxIter: 400, Tol: 1e-5}
	whole := newMemShards(t, x, 3, 1)
	want := shardedFit(t, x, s, whole, nil)
	same := func(what string, got *Result) {
		t.Helper()
		if got.Iterations != want.Iterations || len(got.Trace) != len(want.Trace) || !slices.Equal(got.W.RawMatrix().Data, want.W.RawMatrix().Data) ||
			!slices.Equal(got.H.RawMatrix().Data, want.H.RawMatrix().Data) || got.Divergence != want.Divergence {
			t.Fatalf("%s: the fit differs (%d iterations, want %d)", what, got.Iterations, want.Iterations)
		}
		for j := range got.Trace {
			if got.Trace[j].Divergence != want.Trace[j].Divergence {
				t.Fatalf("%s: iteration %d differs", what, j+1)
			}
		}
	}
	m := newMemShards(t, x, 3, 7)
	m.reverse = true
	same("7 workers, reversed", shardedFit(t, x, s, m, nil))

	failed := errors.New("the runner failed")
	m = newMemShards(t, x, 3, 2)
	var saved *ShardedState
	sh := Sharding{Pass: m.pass, Save: func(st *ShardedState) error {
		c := *st
		c.H, c.SumW = slices.Clone(st.H), slices.Clone(st.SumW)
		saved = &c
		if st.Iter == 3 {
			return failed
		}
		return nil
	}}
	if _, err := FitShards(context.Background(), n, p, x.NNZ(), &s, sh); !errors.Is(err, failed) {
		t.Fatalf("the failing Save gave %v", err)
	}
	same("resumed", shardedFit(t, x, s, m, &Sharding{Pass: m.pass, Resume: saved}))
	if m.passes != whole.passes {
		t.Fatalf("%d passes in all, the uninterrupted fit ran %d", m.passes, whole.passes)
	}
	for _, bad := range []Settings{{K: 3, MAP: &Prior{Shape: 1, Rate: 1}}, {K: 3, Method: CD}, {K: 3, Init: InitNNDSVDa}} {
		if _, err := FitShards(context.Background(), n, p, x.NNZ(), &bad, Sharding{Pass: m.pass}); err == nil {
			t.Errorf("settings %+v accepted", bad)
		}
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
