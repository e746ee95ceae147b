package inference

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/floats"

	"github.com/poisfact/poisfact/internal/fitting"
)

// Sharding is how FitShards reaches its shards (see fitting.Sharding).
// Pass t (from 1) runs RowShard.Step on each shard's rows as they stood
// after sweep t−1 (RowShard.Start for t = 1); with update it keeps the
// rows Step leaves as those of sweep t. A saved state needs the rows of
// its sweep (Iter) and of its best check (BestIter).
type Sharding = fitting.Sharding[Columns, ShardStats, ShardedState]

// ShardedState is a sharded fit between two passes.
type ShardedState struct {
	// Fingerprint names the data's shape and the settings.
	Fingerprint string
	// Iter is the number of sweeps done; Cols the columns after it, and
	// RowELBO and SumTheta the rows' share and sums after it, which wait
	// for the next pass's data term to give sweep Iter's ELBO.
	Iter     int
	Cols     SideParams
	RowELBO  float64
	SumTheta []float64
	// LogFactorial is Σ log x!, from the first pass.
	LogFactorial float64
	// Stopper, Trace, Best (the columns of the best check), BestIter
	// and BestELBO are the stopping rule's record.
	Stopper  fitting.StopperState
	Trace    []Iteration
	Best     *SideParams
	BestIter int
	BestELBO float64
	// Done is set when the fit has stopped, with Status saying why.
	Done   bool
	Status Status
}

// ShardedFit is the result of a sharded fit but for the rows' parameters,
// which stay with the shards; Result turns it into a Result once they are
// gathered.
type ShardedFit struct {
	// Settings are the fit's settings, defaults resolved.
	Settings Settings
	// Columns are the columns of the best check.
	Columns *Columns
	// Trace has one record per sweep; Status says why the fit stopped;
	// Iterations counts its sweeps and BestIter is the sweep of the best
	// check, whose ELBO is ELBO.
	Trace                []Iteration
	Status               Status
	Iterations, BestIter int
	ELBO                 float64
	// Elapsed is the wall time of the fit (of this call, when resumed).
	Elapsed time.Duration
}

// shardSettings resolves settings for a sharded fit of an n × p matrix
// with nnz non-zeros: the in-process defaults, less what needs the counts
// in one place or a start whose draws per row vary.
func (s *Settings) shardSettings(n, p, nnz int) (Settings, error) {
	if s == nil {
		return Settings{}, fmt.Errorf("inference: nil settings: K is required")
	}
	d := *s
	switch {
	case d.Validation != nil || d.Mask != nil || d.FixedColumns != nil || d.Checkpoint != nil:
		return d, errors.New("inference: a sharded fit takes no validation set, mask, fixed columns or Checkpoint (its runner keeps the checkpoints)")
	case d.Criterion != CriterionDefault && d.Criterion != CriterionELBO:
		return d, fmt.Errorf("inference: a sharded fit stops on the ELBO, not on %v", d.Criterion)
	case d.Restarts > 1:
		return d, fmt.Errorf("inference: a sharded fit runs one start, not %d", d.Restarts)
	}
	if err := d.resolve(n, p, nnz); err != nil {
		return d, err
	}
	d.Init = d.Init.resolved()
	if m := d.Init.Method; m != InitJitter && m != InitUniform {
		return d, fmt.Errorf("inference: a sharded fit starts from jitter or uniform, not %v", m)
	}
	return d, nil
}

// fingerprint names what a sharded state belongs to.
func shardFingerprint(n, p, nnz int, s Settings) string {
	return fmt.Sprintf("sharded %d×%d nnz %d K %d hyper %+v seed %d check %d patience %d tol %v min %d init %+v",
		n, p, nnz, s.K, s.Hyper, s.Seed, s.CheckEvery, s.Patience, s.Tol, s.MinIter, s.Init)
}

// FitShards fits HPF by CAVI to an n × p matrix with nnz non-zeros held
// as row shards, which sh.Pass reaches (see the package's sharded CAVI
// notes in sharded.go): the sweeps, ELBO, stopping rule and start of
// CAVI with the ELBO criterion, one restart, no validation set or mask.
// Settings.Recorder is called for every sweep; cancelling ctx stops the
// fit between passes with status Cancelled and the best check so far.
func FitShards(ctx context.Context, n, p, nnz int, settings *Settings, sh Sharding) (*ShardedFit, error) {
	s, err := settings.shardSettings(n, p, nnz)
	if err != nil {
		return nil, err
	}
	if sh.Pass == nil {
		return nil, errors.New("inference: a sharded fit needs a Pass")
	}
	start := time.Now()
	k, h, w := s.K, s.Hyper, s.Workers
	cols := newSide(p, k, h.C, h.CPrime, h.DPrime, h.NonHierarchical)
	stop := fitting.Stopper{Tol: s.Tol, Patience: s.Patience, MinIter: s.MinIter}
	st := &ShardedState{Fingerprint: shardFingerprint(n, p, nnz, s), BestELBO: math.Inf(-1), Status: MaxIterations}
	var before time.Duration // the resumed trace's time
	if r := sh.Resume; r != nil {
		if r.Fingerprint != st.Fingerprint {
			return nil, fmt.Errorf("inference: the saved state is of another fit (%s); this one is %s", r.Fingerprint, st.Fingerprint)
		}
		if err := r.Cols.check(p, k, !h.NonHierarchical, "the saved state's columns"); err != nil {
			return nil, err
		}
		*st = *r
		st.Trace = append([]Iteration(nil), r.Trace...)
		stop.Restore(st.Stopper)
		if len(st.Trace) > 0 {
			before = st.Trace[len(st.Trace)-1].Elapsed
		}
		copy(cols.shape, st.Cols.Shape)
		copy(cols.rate, st.Cols.Rate)
		copy(cols.actRate, st.Cols.ActRate)
	} else if s.Init.Method == InitUniform {
		cols.uniform(rand.NewPCG(s.Seed, 2), s.Init.Jitter, 0)
	} else {
		cols.jitter(rand.NewPCG(s.Seed, 2), s.Init.Jitter, 0, p)
	}
	colELBO, sumBeta := cols.sweep(w, nil, nil, nil, false)
	sumBeta = slices.Clone(sumBeta) // shipped, and kept past the next sweep
	ship := func() *Columns {
		return &Columns{Rows: n, K: k, Hyper: h, Init: s.Init, Seed: s.Seed,
			Params: SideParams{cols.shape, cols.rate, cols.actRate}, SumBeta: sumBeta}
	}
	for !st.Done {
		if ctx.Err() != nil {
			st.Status, st.Done = Cancelled, true
			break
		}
		t := st.Iter
		update := t < s.MaxIter
		stats, err := sh.Pass(ctx, t+1, ship(), update)
		if err != nil && ctx.Err() != nil {
			// Cancelled during the pass: the fit stands as after the
			// last one, whose state was saved.
			st.Status, st.Done = Cancelled, true
			break
		}
		if err != nil {
			return nil, err
		}
		if err := checkStats(stats, n, p, k, update); err != nil {
			return nil, fmt.Errorf("inference: pass %d: %w", t+1, err)
		}
		if t == 0 {
			st.LogFactorial = stats.LogFactorial
		} else {
			// The ELBO of sweep t, as CAVI's evaluate has it.
			elbo := stats.Data - st.LogFactorial - floats.Dot(st.SumTheta, sumBeta) + st.RowELBO + colELBO
			if math.IsNaN(elbo) || math.IsInf(elbo, 0) {
				return nil, fmt.Errorf("inference: the ELBO became %v at sweep %d: numerical failure (please report with the data and settings)", elbo, t)
			}
			it := Iteration{Iter: t, ELBO: elbo, ValidLogLik: math.NaN(), ValidLogLikNonzero: math.NaN(), Criterion: math.NaN()}
			if t%s.CheckEvery == 0 || !update {
				it.Criterion = elbo
				best, done := stop.Check(t, elbo)
				if best {
					b := SideParams{cols.shape, cols.rate, cols.actRate}.clone()
					st.Best, st.BestIter, st.BestELBO = &b, t, elbo
				}
				if done {
					st.Status, st.Done = Converged, true
				}
			}
			it.Elapsed = before + time.Since(start)
			st.Trace = append(st.Trace, it)
			if s.Recorder != nil {
				s.Recorder(it)
			}
		}
		if !update {
			st.Done = true
		}
		if !st.Done {
			// The columns' update of sweep t+1, from the φ of sweep t's
			// parameters and the rows of sweep t+1.
			colELBO, sumBeta = cols.sweep(w, stats.PhiCol, stats.SumTheta, nil, true)
			sumBeta = slices.Clone(sumBeta)
			st.Iter, st.RowELBO, st.SumTheta = t+1, stats.RowELBO, append([]float64(nil), stats.SumTheta...)
		}
		st.Stopper = stop.State()
		st.Cols = SideParams{cols.shape, cols.rate, cols.actRate}.clone()
		if sh.Save != nil {
			if err := sh.Save(st); err != nil {
				return nil, err
			}
		}
	}
	res := &ShardedFit{Settings: s, Trace: st.Trace, Status: st.Status, Iterations: st.Iter, BestIter: st.BestIter, ELBO: st.BestELBO, Elapsed: time.Since(start)}
	best := st.Best
	if best == nil {
		// No check yet (cancelled before the first ELBO): the current
		// columns, with the rows of the same sweep.
		c := SideParams{cols.shape, cols.rate, cols.actRate}.clone()
		best, res.BestIter, res.ELBO = &c, st.Iter, math.NaN()
	}
	res.Columns = &Columns{Rows: n, K: k, Hyper: h, Init: s.Init, Seed: s.Seed, Params: *best}
	return res, nil
}

// checkStats refuses a pass whose statistics do not cover the matrix.
func checkStats(st *ShardStats, n, p, k int, update bool) error {
	switch {
	case st == nil:
		return errors.New("no statistics")
	case st.Rows != n:
		return fmt.Errorf("the shards hold %d rows, the matrix %d (a shard missing or repeated?)", st.Rows, n)
	case len(st.PhiCol) != p*k || update && len(st.SumTheta) != k:
		return fmt.Errorf("statistics of %d column values and %d sums for %d × %d", len(st.PhiCol), len(st.SumTheta), p, k)
	}
	return nil
}

// Result returns the fit as a Result, given the rows' parameters of sweep
// BestIter of every shard in shard order.
func (f *ShardedFit) Result(rows []SideParams) (*Result, error) {
	s, c := f.Settings, f.Columns
	k, h := s.K, s.Hyper
	p := len(c.Params.Shape) / k
	var n int
	for _, r := range rows {
		n += len(r.Shape) / k
	}
	if n != c.Rows {
		return nil, fmt.Errorf("inference: the shards' rows add up to %d, the matrix has %d", n, c.Rows)
	}
	snap := &snapshot{ColShape: c.Params.Shape, ColRate: c.Params.Rate, ColAct: c.Params.ActRate}
	for i, r := range rows {
		if err := r.check(len(r.Shape)/k, k, !h.NonHierarchical, fmt.Sprintf("shard %d's rows", i)); err != nil {
			return nil, err
		}
		snap.RowShape = append(snap.RowShape, r.Shape...)
		snap.RowRate = append(snap.RowRate, r.Rate...)
		snap.RowAct = append(snap.RowAct, r.ActRate...)
	}
	q := snap.posterior(n, p, k, h)
	res := &Result{
		Posterior: q, Trace: f.Trace, Criterion: CriterionELBO, Best: f.ELBO, Status: f.Status,
		Iterations: f.Iterations, BestIter: f.BestIter, ELBO: f.ELBO, Elapsed: f.Elapsed, algorithm: "cavi",
		Restarts: []Restart{{Seed: s.Seed, Status: f.Status, Iterations: f.Iterations, BestIter: f.BestIter, Best: f.ELBO, ELBO: f.ELBO, Elapsed: f.Elapsed}},
	}
	return res, nil
}
