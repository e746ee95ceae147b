package mle

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/pcg"
	"github.com/poisfact/poisfact/model"
)

// Sharded multiplicative updates: the KL-NMF fit of Fit with Method MU,
// each iteration split over row shards as inference's sharded CAVI is
// (see inference/sharded.go). A shard holds its rows of W; the driver
// holds H (p × K) and ships it. Pass t runs, per shard, the row pass at
// W and H of iteration t−1 (which gives that iteration's divergence), the
// W step, and the column pass with the new W, whose p × K numerators the
// driver adds in shard order for the H step. Pass 0 only draws the start
// and sums it, since the random start is scaled by Σ x / Σ μ over the
// whole matrix.

// Columns is H as the driver ships it to every shard, with what a shard
// needs to start and update its rows.
type Columns struct {
	// Rows is n, the rows of the whole matrix; K the number of factors;
	// Seed the start's seed and Scale the factor the start is scaled by
	// (0 in pass 0, which computes it).
	Rows, K int
	Seed    uint64
	Scale   float64
	// H is p × K, row-major; SumH its column sums.
	H, SumH []float64
}

// ShardStats are the statistics of one pass over some shards, added in
// shard order.
type ShardStats struct {
	// Shards and Rows count the shards and rows added.
	Shards, Rows int
	// XLogXOverMu is Σ x log(x/μ) at the factors the pass started from.
	XLogXOverMu float64
	// SumW is Σ_u W_uk after the W step (pass 0: of the unscaled start);
	// NumH the H step's numerators H ⊙ (Rᵀ W), p × K (nil in pass 0 and
	// in a pass that only evaluates).
	SumW, NumH []float64
	// Total and DataConstant are Σ x and C(X) (Counts.DataConstant), from
	// pass 0 only.
	Total, DataConstant float64
}

// Add adds b's statistics to a's.
func (a *ShardStats) Add(b *ShardStats) error {
	if a.Shards == 0 {
		a.SumW = make([]float64, len(b.SumW))
		if b.NumH != nil {
			a.NumH = make([]float64, len(b.NumH))
		}
	}
	if len(a.SumW) != len(b.SumW) || len(a.NumH) != len(b.NumH) {
		return fmt.Errorf("mle: adding the statistics of shards of %d and %d factor sums (%d and %d numerators)", len(a.SumW), len(b.SumW), len(a.NumH), len(b.NumH))
	}
	a.Shards += b.Shards
	a.Rows += b.Rows
	a.XLogXOverMu += b.XLogXOverMu
	floats.Add(a.SumW, b.SumW)
	floats.Add(a.NumH, b.NumH)
	a.Total += b.Total
	a.DataConstant += b.DataConstant
	return nil
}

// RowShard is one shard of a sharded MU fit: rows lo..lo+m, their counts
// and their rows of W.
type RowShard struct {
	s         *state
	lo, total int
	seed      uint64
}

// NewRowShard returns the shard of rows lo..lo+x.Rows() of the fit cols
// belongs to; x holds those rows and every column.
func NewRowShard(x *model.Counts, lo, workers int, cols *Columns) (*RowShard, error) {
	if x == nil || cols == nil {
		return nil, errors.New("mle: a row shard needs its counts and the columns")
	}
	m, p := x.Dims()
	if cols.K < 1 || lo < 0 || lo+m > cols.Rows || len(cols.H) != p*cols.K {
		return nil, fmt.Errorf("mle: rows %d to %d of %d with %d values of H for %d columns at K = %d", lo+1, lo+m, cols.Rows, len(cols.H), p, cols.K)
	}
	return &RowShard{s: newState(x, cols.K, workers, nil), lo: lo, total: cols.Rows, seed: cols.Seed}, nil
}

// Start sets the shard's W to the start's unscaled draws for its rows:
// those Fit's random start draws for them (1 − u, u uniform on [0, 1),
// one per entry in row-major order), the stream skipped past the rows
// before.
func (r *RowShard) Start() {
	src := rand.NewPCG(r.seed, 1)
	pcg.Skip(src, uint64(r.lo)*uint64(r.s.k))
	u := rand.New(src)
	for j := range r.s.w {
		r.s.w[j] = 1 - u.Float64()
	}
}

// W returns the shard's rows of W (m × K, row-major): its own array,
// valid until the next Step or SetW.
func (r *RowShard) W() []float64 { return r.s.w }

// SetW sets the shard's rows of W to a copy of w.
func (r *RowShard) SetW(w []float64) error {
	if len(w) != len(r.s.w) {
		return fmt.Errorf("mle: %d values of W for a shard of %d × %d", len(w), r.s.n, r.s.k)
	}
	copy(r.s.w, w)
	return nil
}

// Step runs the shard's share of pass t. Pass 0 returns the sums of the
// shard's unscaled start (Start) and its data's totals. A later pass
// runs the row pass at the shard's W and cols.H and, with update, the W
// step and the column pass for the H step, which leaves the shard's W at
// that of iteration t. The first of them scales the start by cols.Scale
// first. The statistics' arrays are the shard's own.
func (r *RowShard) Step(t int, cols *Columns, update bool) (*ShardStats, error) {
	s := r.s
	st := &ShardStats{Shards: 1, Rows: s.n}
	if t == 0 {
		st.SumW = s.colSums(s.w, s.rows)
		st.Total, st.DataConstant = s.x.Total(), s.x.DataConstant()
		return st, nil
	}
	if cols.K != s.k || len(cols.H) != s.p*s.k || len(cols.SumH) != s.k {
		return nil, fmt.Errorf("mle: H of %d values (%d sums) for a shard of %d columns at K = %d", len(cols.H), len(cols.SumH), s.p, s.k)
	}
	if t == 1 {
		for j := range s.w {
			s.w[j] *= cols.Scale
		}
	}
	copy(s.h, cols.H)
	st.XLogXOverMu = s.kn.RowSide(s.workers, s.w, s.h, nil, s.outW)
	if !update {
		st.SumW = s.colSums(s.w, s.rows)
		return st, nil
	}
	s.muApply(s.w, s.outW, cols.SumH, s.rows)
	st.SumW = s.colSums(s.w, s.rows)
	s.kn.ColSideProducts(s.workers, s.w, s.h, s.outH)
	st.NumH = s.outH
	return st, nil
}

// Sharding is how FitShards reaches its shards (see fitting.Sharding).
// Pass t runs RowShard.Step on each shard's W as it stood after
// iteration t−1 (RowShard.Start for t ≤ 1); with update it keeps the W
// Step leaves as that of iteration t. A saved state needs the shards' W
// of its iteration (Iter).
type Sharding = fitting.Sharding[Columns, ShardStats, ShardedState]

// ShardedState is a sharded MU fit between two passes.
type ShardedState struct {
	// Fingerprint names the data's shape and the settings.
	Fingerprint string
	// Iter is the number of iterations done (−1 before pass 0); H is H
	// after it and SumW the column sums of W after it.
	Iter    int
	H, SumW []float64
	// Scale, Total and DataConstant come from pass 0.
	Scale, Total, DataConstant float64
	// Stopper and Trace are the stopping rule's record; Divergence the
	// divergence of iteration Iter once known.
	Stopper    fitting.StopperState
	Trace      []Iteration
	Divergence float64
	// Done is set when the fit has stopped, with Status saying why.
	Done   bool
	Status Status
}

// ShardedFit is the result of a sharded MU fit but for W, which stays
// with the shards; Result turns it into a Result.
type ShardedFit struct {
	// Settings are the fit's settings, defaults resolved.
	Settings Settings
	// H is H after the last iteration (p × K), before normalization.
	H []float64
	// Trace, Status, Iterations, Divergence and LogLik are Result's.
	Trace      []Iteration
	Status     Status
	Iterations int
	Divergence float64
	LogLik     float64
	Elapsed    time.Duration
}

// FitShards fits X ≈ W Hᵀ by multiplicative updates to an n × p matrix
// with nnz non-zeros held as row shards, which sh.Pass reaches: Fit's
// iterations, divergence, stopping rule and random start with Method MU
// and maximum likelihood (no MAP prior, fold-in or NNDSVDa start). The
// divergence of iteration t is known one pass later, so the stopping rule
// runs one pass behind and the last pass only evaluates. Cancelling ctx
// stops the fit between passes with status Cancelled.
func FitShards(ctx context.Context, n, p, nnz int, settings *Settings, sh Sharding) (*ShardedFit, error) {
	if settings == nil {
		return nil, errors.New("mle: nil settings: K is required")
	}
	s := *settings
	switch {
	case s.MAP != nil || s.FixedH != nil || s.Checkpoint != nil || s.Method != MU || s.Init != InitRandom:
		return nil, errors.New("mle: a sharded fit is maximum likelihood by MU from the random start, without MAP prior, FixedH or Checkpoint (its runner keeps the checkpoints)")
	case sh.Pass == nil:
		return nil, errors.New("mle: a sharded fit needs a Pass")
	}
	if err := s.resolve(n, p, nnz); err != nil {
		return nil, err
	}
	start := time.Now()
	k := s.K
	drv := &state{p: p, k: k, workers: s.Workers}
	chunks := parallel.Balanced(p, 1, func(int) int64 { return 0 })
	fp := fmt.Sprintf("sharded mu %d×%d nnz %d K %d seed %d tol %v min %d check %d", n, p, nnz, k, s.Seed, s.Tol, s.MinIter, s.CheckEvery)
	st := &ShardedState{Fingerprint: fp, Iter: -1, Status: MaxIterations}
	stop := fitting.Stopper{Tol: s.Tol, Patience: 1, MinIter: s.MinIter}
	var before time.Duration // the resumed trace's time
	if r := sh.Resume; r != nil {
		if r.Fingerprint != fp {
			return nil, fmt.Errorf("mle: the saved state is of another fit (%s); this one is %s", r.Fingerprint, fp)
		}
		if len(r.H) != p*k && r.Iter >= 0 {
			return nil, fmt.Errorf("mle: the saved state holds %d values of H for %d × %d", len(r.H), p, k)
		}
		*st = *r
		st.Trace = slices.Clone(r.Trace)
		stop.Restore(st.Stopper)
		if len(st.Trace) > 0 {
			before = st.Trace[len(st.Trace)-1].Elapsed
		}
	} else {
		// H's unscaled start, as Fit's random start draws it.
		st.H = make([]float64, p*k)
		u := rand.New(rand.NewPCG(s.Seed, 2))
		for j := range st.H {
			st.H[j] = 1 - u.Float64()
		}
	}
	ship := func() *Columns {
		return &Columns{Rows: n, K: k, Seed: s.Seed, Scale: st.Scale, H: st.H, SumH: drv.colSums(st.H, chunks)}
	}
	for !st.Done {
		if ctx.Err() != nil {
			st.Status, st.Done = Cancelled, true
			break
		}
		t := st.Iter + 1
		update := t > 0 && t <= s.MaxIter // pass 0 only sums the start
		cols := ship()
		stats, err := sh.Pass(ctx, t, cols, update)
		if err != nil && ctx.Err() != nil {
			// Cancelled during the pass: the fit stands as after the
			// last one, whose state was saved.
			st.Status, st.Done = Cancelled, true
			break
		}
		if err != nil {
			return nil, err
		}
		if stats == nil || stats.Rows != n || len(stats.SumW) != k || update && len(stats.NumH) != p*k {
			return nil, fmt.Errorf("mle: pass %d: the shards' statistics do not cover the %d × %d matrix at K = %d (a shard missing or repeated?)", t, n, p, k)
		}
		switch {
		case t == 0:
			// Fit's scaling of the start: Σ μ = Σ x.
			st.Total, st.DataConstant = stats.Total, stats.DataConstant
			st.Scale = math.Sqrt(st.Total / floats.Dot(stats.SumW, cols.SumH))
			floats.Scale(st.Scale, st.H)
			st.SumW = stats.SumW
			floats.Scale(st.Scale, st.SumW)
			st.Iter = 0
		default:
			// The divergence of iteration t−1 (Fit's divergence).
			it := t - 1
			div := stats.XLogXOverMu - st.Total + floats.Dot(st.SumW, cols.SumH)
			if math.IsNaN(div) || math.IsInf(div, 0) {
				return nil, fmt.Errorf("mle: the objective became %v at iteration %d: numerical failure (please report with the data and settings)", div, it)
			}
			st.Divergence = div
			if it == 0 {
				stop.Check(0, -div)
			} else {
				rec := Iteration{Iter: it, Divergence: div, Objective: div, Elapsed: before + time.Since(start)}
				st.Trace = append(st.Trace, rec)
				if s.Recorder != nil {
					s.Recorder(rec)
				}
				if it%s.CheckEvery == 0 || !update {
					if _, done := stop.Check(it, -div); done {
						st.Status, st.Done = Converged, true
					}
				}
			}
			if !update {
				st.Done = true
			}
			if !st.Done {
				// The H step of iteration t.
				drv.muApply(st.H, stats.NumH, stats.SumW, chunks)
				st.SumW, st.Iter = slices.Clone(stats.SumW), t
			}
		}
		st.Stopper = stop.State()
		if sh.Save != nil {
			if err := sh.Save(st); err != nil {
				return nil, err
			}
		}
	}
	iters := max(st.Iter, 0)
	return &ShardedFit{Settings: s, H: st.H, Trace: st.Trace, Status: st.Status, Iterations: iters,
		Divergence: st.Divergence, LogLik: -(st.Divergence + st.DataConstant), Elapsed: time.Since(start)}, nil
}

// Result returns the fit as a Result given the shards' W of iteration
// Iterations in shard order, normalized as the settings say.
func (f *ShardedFit) Result(w [][]float64) (*Result, error) {
	k := f.Settings.K
	p := len(f.H) / k
	var all []float64
	for _, b := range w {
		all = append(all, b...)
	}
	if len(all)%k != 0 {
		return nil, fmt.Errorf("mle: %d values of W at K = %d", len(all), k)
	}
	s := &state{n: len(all) / k, p: p, k: k, w: all, h: slices.Clone(f.H)}
	s.normalize(f.Settings.Normalize)
	return &Result{
		W: mat.NewDense(s.n, k, s.w), H: mat.NewDense(p, k, s.h), Trace: f.Trace, Status: f.Status,
		Iterations: f.Iterations, Divergence: f.Divergence, Objective: f.Divergence, LogLik: f.LogLik, Elapsed: f.Elapsed,
	}, nil
}
