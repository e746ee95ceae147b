package beamfit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

func TestMain(m *testing.M) {
	// Prism logs every job at level info.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	// Prism's loopback placeholders, one per pipeline, go into a
	// directory removed at the end.
	restore, err := PrivateTempDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := ptest.MainRetWithDefault(m, "prism")
	if err := restore(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// onPrism runs a pipeline on Beam's Go-native runner, in this process.
func onPrism(ctx context.Context, p *beam.Pipeline) error {
	_, err := prism.Execute(ctx, p)
	return err
}

// sharded writes x as count shards in a new folder and returns the glob
// that matches them.
func sharded(t *testing.T, x *model.Counts, count int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := model.WriteShards(dir, x, count); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "*.pfb")
}

func options(t *testing.T, in string) Options {
	return Options{In: in, Work: t.TempDir(), Run: onPrism, Workers: 2}
}

// matrices are the data of the equivalence tests: the shipped
// onlineretail and, when ../shared/data is there, cora.
func matrices(t *testing.T) map[string]*model.Counts {
	out := map[string]*model.Counts{"onlineretail": fixtures.Shipped(t, "onlineretail")}
	if dir := testutil.SharedDataDir(); dir != "" {
		if x, err := model.ReadFile(filepath.Join(dir, "cora", "matrix.mtx.gz")); err == nil {
			out["cora"] = x
		}
	}
	return out
}

// TestHPFEqualsInProcess: the Beam fit's ELBO trace equals the in-process
// CAVI's to 1e-12 relative at every sweep for 1, 2 and 8 shards, with the
// same stop and posterior and the data's labels.
func TestHPFEqualsInProcess(t *testing.T) {
	s := inference.Settings{K: 4, Seed: 7, MaxIter: 8, Tol: -1}
	for name, x := range matrices(t) {
		want, err := inference.CAVI(context.Background(), x, &s)
		if err != nil {
			t.Fatal(err)
		}
		for _, count := range []int{1, 2, 8} {
			t.Run(fmt.Sprintf("%s/%d shards", name, count), func(t *testing.T) {
				got, data, err := HPF(context.Background(), options(t, sharded(t, x, count)), &s)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Trace) != len(want.Trace) || got.BestIter != want.BestIter || got.Status != want.Status {
					t.Fatalf("%d sweeps (best %d, %v); in process %d (best %d, %v)", len(got.Trace), got.BestIter, got.Status, len(want.Trace), want.BestIter, want.Status)
				}
				for j, it := range got.Trace {
					if d := testutil.RelDiff(it.ELBO, want.Trace[j].ELBO); d > 1e-12 {
						t.Fatalf("sweep %d: ELBO %.17g, in process %.17g (%.1e)", it.Iter, it.ELBO, want.Trace[j].ELBO, d)
					}
				}
				g, w := got.Posterior.ThetaRate.RawMatrix().Data, want.Posterior.ThetaRate.RawMatrix().Data
				for e := range w {
					if d := testutil.RelDiff(g[e], w[e]); d > 1e-9 {
						t.Fatalf("θ rate %d: %v, in process %v", e, g[e], w[e])
					}
				}
				if !slices.Equal(data.RowLabels, x.RowLabels()) || !slices.Equal(data.ColLabels, x.ColLabels()) {
					t.Fatalf("labels %d and %d, want %d and %d", len(data.RowLabels), len(data.ColLabels), len(x.RowLabels()), len(x.ColLabels()))
				}
				ll, err := model.PoissonLogLik(x, want.Posterior.PointEstimate())
				if err != nil {
					t.Fatal(err)
				}
				if d := testutil.RelDiff(data.TrainLogLik, ll); d > 1e-9 || data.Rows != x.Rows() || data.NNZ != x.NNZ() {
					t.Fatalf("training log-likelihood %v, in process %v; %d rows, %d non-zeros", data.TrainLogLik, ll, data.Rows, data.NNZ)
				}
			})
		}
	}
}

// TestMUEqualsInProcess: the same for KL-NMF's divergence.
func TestMUEqualsInProcess(t *testing.T) {
	x := fixtures.Shipped(t, "onlineretail")
	s := mle.Settings{K: 4, Seed: 3, MaxIter: 8, Tol: -1}
	want, err := mle.Fit(context.Background(), x, &s)
	if err != nil {
		t.Fatal(err)
	}
	for _, count := range []int{1, 2, 8} {
		got, _, err := MU(context.Background(), options(t, sharded(t, x, count)), &s)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Trace) != len(want.Trace) {
			t.Fatalf("%d shards: %d iterations, in process %d", count, len(got.Trace), len(want.Trace))
		}
		for j, it := range got.Trace {
			if d := testutil.RelDiff(it.Divergence, want.Trace[j].Divergence); d > 1e-12 {
				t.Fatalf("%d shards, iteration %d: divergence %.17g, in process %.17g", count, it.Iter, it.Divergence, want.Trace[j].Divergence)
			}
		}
		g, w := got.W.RawMatrix().Data, want.W.RawMatrix().Data
		for e := range w {
			if math.Abs(g[e]-w[e]) > 1e-9*math.Max(math.Abs(w[e]), 1e-3) {
				t.Fatalf("%d shards: W value %d: %v, in process %v", count, e, g[e], w[e])
			}
		}
	}
}

// TestSameBitsAnyParallelism: for one sharding the Beam fit is bit for
// bit the core's sharded fit run in this process, shard by shard, and it
// does not change with the goroutines per shard.
func TestSameBitsAnyParallelism(t *testing.T) {
	x := fixtures.Shipped(t, "onlineretail")
	in := sharded(t, x, 3)
	s := inference.Settings{K: 3, Seed: 2, MaxIter: 5, Tol: -1}
	var first *inference.Result
	for _, workers := range []int{1, 3} {
		o := options(t, in)
		o.Workers = workers
		got, _, err := HPF(context.Background(), o, &s)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = got
			continue
		}
		if !slices.Equal(got.Posterior.ThetaShape.RawMatrix().Data, first.Posterior.ThetaShape.RawMatrix().Data) ||
			!slices.Equal(got.Posterior.BetaRate.RawMatrix().Data, first.Posterior.BetaRate.RawMatrix().Data) {
			t.Fatalf("%d workers per shard: another posterior", workers)
		}
		for j := range got.Trace {
			if got.Trace[j].ELBO != first.Trace[j].ELBO {
				t.Fatalf("%d workers per shard: sweep %d's ELBO differs", workers, j+1)
			}
		}
	}
	// The core's sharded fit, in process, on the same shards.
	local, err := inference.NewLocalShards(x, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	n, p := x.Dims()
	f, err := inference.FitShards(context.Background(), n, p, x.NNZ(), &s, local.Sharding())
	if err != nil {
		t.Fatal(err)
	}
	for j := range f.Trace {
		if f.Trace[j].ELBO != first.Trace[j].ELBO {
			t.Fatalf("sweep %d: the Beam fit's ELBO %.17g, the in-process sharded fit's %.17g", j+1, first.Trace[j].ELBO, f.Trace[j].ELBO)
		}
	}
}

// TestResume: a fit interrupted after sweep 3 (cancelled, or its runner
// failing) and resumed from its work folder gives the uninterrupted fit's
// result, bit for bit; a work folder with a state is not overwritten
// without Resume.
func TestResume(t *testing.T) {
	x := fixtures.Shipped(t, "onlineretail")
	in := sharded(t, x, 2)
	s := inference.Settings{K: 3, Seed: 4, MaxIter: 7, Tol: -1}
	want, _, err := HPF(context.Background(), options(t, in), &s)
	if err != nil {
		t.Fatal(err)
	}
	failed := errors.New("the runner failed")
	for _, how := range []string{"cancel", "runner"} {
		o := options(t, in)
		ctx, cancel := context.WithCancel(context.Background())
		c := s
		passes := 0
		c.Recorder = func(it inference.Iteration) {
			if it.Iter == 3 && how == "cancel" {
				cancel()
			}
		}
		run := o.Run
		o.Run = func(ctx context.Context, p *beam.Pipeline) error {
			passes++
			if how == "runner" && passes == 5 {
				return failed
			}
			return run(ctx, p)
		}
		got, _, err := HPF(ctx, o, &c)
		cancel()
		switch {
		case how == "cancel" && (err != nil || got.Status != inference.Cancelled || got.Iterations != 4):
			t.Fatalf("cancelled: %v, %+v", err, got)
		case how == "runner" && (err == nil || !strings.Contains(err.Error(), "the runner failed")):
			t.Fatalf("a failing runner gave %v", err)
		}
		o.Run = run
		if _, _, err := HPF(context.Background(), o, &s); err == nil || !strings.Contains(err.Error(), "holds a fit's state") {
			t.Fatalf("%s: a second fit into the work folder gave %v", how, err)
		}
		o.Resume = true
		got, _, err = HPF(context.Background(), o, &s)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Posterior.ThetaRate.RawMatrix().Data, want.Posterior.ThetaRate.RawMatrix().Data) ||
			!slices.Equal(got.Posterior.BetaShape.RawMatrix().Data, want.Posterior.BetaShape.RawMatrix().Data) || len(got.Trace) != len(want.Trace) {
			t.Fatalf("%s: the resumed fit differs from the uninterrupted one", how)
		}
		for j := range got.Trace {
			if got.Trace[j].ELBO != want.Trace[j].ELBO {
				t.Fatalf("%s: sweep %d's ELBO differs after resuming", how, j+1)
			}
		}
	}
}

// TestBadShards: a missing shard, a corrupt one and shards of different
// matrices each give one line naming the shard.
func TestBadShards(t *testing.T) {
	x := fixtures.Shipped(t, "onlineretail")
	s := inference.Settings{K: 2, MaxIter: 2, Tol: -1}
	fit := func(in string) error {
		_, _, err := HPF(context.Background(), options(t, in), &s)
		return err
	}
	missing := sharded(t, x, 3)
	if err := os.Remove(filepath.Join(filepath.Dir(missing), model.ShardName(1, 3))); err != nil {
		t.Fatal(err)
	}
	corrupt := sharded(t, x, 3)
	name := filepath.Join(filepath.Dir(corrupt), model.ShardName(2, 3))
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(name, b, 0o666); err != nil {
		t.Fatal(err)
	}
	mixed := sharded(t, x, 2)
	blocks, _, err := fixtures.Shipped(t, "janeausten").SplitRows(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := model.WriteFile(filepath.Join(filepath.Dir(mixed), model.ShardName(1, 2)), blocks[1]); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, in, want string
	}{
		{"missing", missing, "part-00001-of-00003.pfb is missing"},
		{"corrupt", corrupt, "part-00002-of-00003.pfb: model: malformed input"},
		{"different shapes", mixed, "part-00001-of-00002.pfb: model: invalid shape"},
		{"nothing there", filepath.Join(t.TempDir(), "*.pfb"), "no files match"},
	} {
		err := fit(c.in)
		t.Logf("%s: %v", c.name, err)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v; want one line with %q", c.name, err, c.want)
		}
	}
}
