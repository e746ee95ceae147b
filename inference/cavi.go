package inference

import (
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/internal/sparse"
	"github.com/poisfact/poisfact/model"
)

// Result is a fitted HPF model with the record of its fit.
type Result struct {
	// Posterior holds every variational shape and rate: those of the best
	// check of the best restart.
	Posterior *model.Posterior
	// Trace has one record per sweep of every restart, in the order they
	// ran (Iteration.Restart, Iteration.Iter).
	Trace []Iteration
	// Criterion is the criterion that stopped the fit and chose the
	// parameters, defaults resolved.
	Criterion Criterion
	// Best is the criterion's value for Posterior.
	Best float64
	// Restart is the index of the restart Posterior comes from, and
	// Restarts the summary of every restart.
	Restart  int
	Restarts []Restart
	// Status says why the chosen restart stopped.
	Status Status
	// Iterations is the number of complete sweeps of the chosen restart,
	// and BestIter the sweep Posterior was checked at.
	Iterations, BestIter int
	// ELBO is the exact ELBO of Posterior on the training counts.
	ELBO float64
	// Elapsed is the wall time of the whole fit, restarts included.
	Elapsed time.Duration

	algorithm string // "cavi" or "svi", for Record
}

// Restart summarizes one restart of a fit.
type Restart struct {
	// Seed is the seed of its start, RestartSeed(Settings.Seed, r).
	Seed uint64
	// Status says why it stopped.
	Status Status
	// Iterations is its number of sweeps, BestIter the sweep of its best
	// check, Best the criterion there and ELBO the ELBO there.
	Iterations, BestIter int
	Best, ELBO           float64
	// Elapsed is its wall time, the start included.
	Elapsed time.Duration
}

// RestartSeed returns the seed of restart r of a fit seeded by seed: seed
// itself for r = 0, so that one restart is the plain fit, and a SplitMix64
// hash of (seed, r) for the others, so that restarts of nearby seeds do
// not share starts.
func RestartSeed(seed uint64, r int) uint64 {
	if r == 0 {
		return seed
	}
	z := seed + uint64(r)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// CAVI fits HPF to x by coordinate-ascent variational inference
// (docs/MATH.md section 3). Each sweep updates, in order, φ, the row
// weights γ, the row activities κ, the column weights λ and the column
// popularities τ; each step maximizes the ELBO over its block, so the ELBO
// never decreases. The ELBO recorded for sweep t is that of the parameters
// after sweep t, computed exactly from the ratio pass that also serves
// sweep t+1. Held-out cells of a split are zeros of x, as in the paper,
// unless Settings.Mask leaves them out of the likelihood.
//
// Every CheckEvery sweeps the criterion is computed; the parameters of
// the best check are kept, and the fit stops after Patience checks
// without improvement (docs/MATH.md section 6). With Restarts > 1 the fit
// runs from that many seeded starts, one after the other on all workers,
// and returns the restart whose best check is best.
//
// Cancelling ctx stops the fit after the current sweep with status
// Cancelled and the best check so far (the last complete sweep is
// checked).
func CAVI(ctx context.Context, x *model.Counts, settings *Settings) (*Result, error) {
	s, err := settings.withDefaults(x)
	if err != nil {
		return nil, err
	}
	f := newFit(x, s)
	return f.restarts(ctx, "cavi", f.run)
}

// runFunc runs one restart of a fit: CAVI's run or SVI's.
type runFunc func(ctx context.Context, restart int, seed uint64, fitStart time.Time, res *Result, resume *caviState, save func(*caviState) error) (Restart, error)

// restarts runs the fit's restarts one after the other and keeps the best,
// resuming from Settings.Checkpoint when asked and giving run a function
// that writes a checkpoint with the restarts finished so far.
func (f *fitState) restarts(ctx context.Context, algorithm string, run runFunc) (*Result, error) {
	s := f.s
	start := time.Now()
	res := &Result{Criterion: s.Criterion, Best: math.Inf(-1), algorithm: algorithm}
	var chosen *snapshot
	first := 0
	var resume *caviState
	if cp := s.Checkpoint; cp != nil && cp.Resume {
		var err error
		if resume, err = f.loadCheckpoint(cp); err != nil {
			return nil, err
		}
		if resume != nil {
			first, res.Restarts, res.Trace, chosen = resume.Restart, resume.Done, resume.Trace, resume.Chosen
			if chosen != nil {
				r := resume.Result
				res.Restart, res.Best, res.Status, res.Iterations, res.BestIter, res.ELBO = r.Restart, r.Best, r.Status, r.Iterations, r.BestIter, r.ELBO
			}
		}
	}
	save := func(st *caviState) error {
		if s.Checkpoint == nil {
			return nil
		}
		st.Fingerprint, st.Done, st.Chosen = f.fingerprint(), res.Restarts, chosen
		st.Result.Restart, st.Result.Best, st.Result.Status = res.Restart, res.Best, res.Status
		st.Result.Iterations, st.Result.BestIter, st.Result.ELBO = res.Iterations, res.BestIter, res.ELBO
		return saveCheckpoint(s.Checkpoint, st)
	}
	for r := first; r < s.Restarts; r++ {
		var from *caviState
		if r == first {
			from = resume
		}
		run, err := run(ctx, r, RestartSeed(s.Seed, r), start, res, from, save)
		if err != nil {
			return nil, err
		}
		res.Restarts = append(res.Restarts, run)
		if chosen == nil || run.Best > res.Best {
			chosen, f.best = f.best, chosen
			res.Restart, res.Best, res.Status = r, run.Best, run.Status
			res.Iterations, res.BestIter, res.ELBO = run.Iterations, run.BestIter, run.ELBO
		}
		if run.Status == Cancelled {
			break
		}
	}
	res.Posterior = chosen.posterior(f.rows.m, f.cols.m, s.K, s.Hyper)
	res.Elapsed = time.Since(start)
	return res, nil
}

// fitState holds the buffers of a CAVI fit, shared by its restarts.
type fitState struct {
	x       *model.Counts
	s       Settings
	kn      *sparse.Kernel
	rows    *side
	cols    *side
	logs    *sparse.Logs
	lgammaX float64 // Σ log Γ(x_ui + 1), a constant of the ELBO
	// phiRow and phiCol are Σ_i x_ui φ_uik and Σ_u x_ui φ_uik from the
	// latest ratio pass.
	phiRow, phiCol []float64
	// best is the current restart's best check (nil until one is taken).
	best *snapshot
	// fixedCols holds the columns (Settings.FixedColumns): only the rows
	// are updated.
	fixedCols bool
	// variant names the algorithm and its own settings for checkpoints
	// ("" for CAVI).
	variant string
}

func newFit(x *model.Counts, s Settings) *fitState {
	n, p := x.Dims()
	k, h := s.K, s.Hyper
	kn := sparse.New(x, k)
	f := &fitState{
		x: x, s: s, kn: kn,
		rows:   newSide(n, k, h.A, h.APrime, h.BPrime, h.NonHierarchical),
		cols:   newSide(p, k, h.C, h.CPrime, h.DPrime, h.NonHierarchical),
		phiRow: make([]float64, n*k), fixedCols: s.FixedColumns != nil,
	}
	if !f.fixedCols {
		f.phiCol = make([]float64, p*k)
	}
	if s.Mask != nil {
		ptr, idx, _ := s.Mask.CSR()
		f.rows.setMask(ptr, idx)
		ptr, idx, _ = s.Mask.CSC()
		f.cols.setMask(ptr, idx)
	}
	f.logs = &sparse.Logs{LogA: f.rows.logF, LogB: f.cols.logF, MaxA: f.rows.shift, MaxB: f.cols.shift}
	f.lgammaX = x.LogFactorialSum()
	return f
}

// evaluate runs the ratio pass for the current parameters on w workers:
// it fills phiRow and phiCol for the next sweep and returns their ELBO.
func (f *fitState) evaluate(w int, rowELBO, colELBO float64, sumTheta, sumBeta []float64) float64 {
	if f.fixedCols {
		// Only the rows' φ is needed, and the columns' terms are
		// constants left out (Settings.FixedColumns).
		lik := f.kn.RowSide(w, f.rows.fac, f.cols.fac, f.logs, f.phiRow)
		return lik - f.lgammaX - floats.Dot(sumTheta, sumBeta) + rowELBO
	}
	lik := f.kn.TwoSided(w, f.rows.fac, f.cols.fac, f.logs, f.phiRow, f.phiCol)
	return lik - f.lgammaX - floats.Dot(sumTheta, sumBeta) + rowELBO + colELBO
}

// begin derives, from the parameters as they stand (a start or a
// checkpoint), what the first sweep reads, on w workers: each side's
// E log and E of its weights, and the ratio pass. It returns the ELBO and
// the sides' sums Σ_u E θ_u and Σ_i E β_i.
func (f *fitState) begin(w int) (elbo float64, sumTheta, sumBeta []float64) {
	rowELBO, sumTheta := f.rows.sweep(w, nil, nil, f.cols.mean, false)
	colELBO, sumBeta := f.cols.sweep(w, nil, nil, f.rows.mean, true)
	return f.evaluate(w, rowELBO, colELBO, sumTheta, sumBeta), sumTheta, sumBeta
}

// sweep runs one CAVI sweep on w workers: the rows' updates from the last
// ratio pass and sumBeta, then the columns' (unless they are fixed), then
// the ratio pass for the new parameters. It returns the new ELBO and sums,
// as begin does.
func (f *fitState) sweep(w int, sumBeta []float64) (elbo float64, sumTheta, newSumBeta []float64) {
	rowELBO, sumTheta := f.rows.sweep(w, f.phiRow, sumBeta, f.cols.mean, false)
	var colELBO float64 // left out of the ELBO when the columns are fixed
	if !f.fixedCols {
		colELBO, sumBeta = f.cols.sweep(w, f.phiCol, sumTheta, f.rows.mean, true)
	}
	return f.evaluate(w, rowELBO, colELBO, sumTheta, sumBeta), sumTheta, sumBeta
}

// run fits one restart from the start seeded by seed, appending its
// sweeps to res.Trace, and leaves its best check in f.best.
func (f *fitState) run(ctx context.Context, restart int, seed uint64, fitStart time.Time, res *Result, resume *caviState, save func(*caviState) error) (Restart, error) {
	s := f.s
	runStart := time.Now()
	out := Restart{Seed: seed, Status: MaxIterations}
	stop := fitting.Stopper{Tol: s.Tol, Patience: s.Patience, MinIter: s.MinIter}
	checked := -1 // the last sweep checked
	t := 0
	if resume != nil {
		f.resumeFrom(resume, &stop)
		checked, t = resume.Checked, resume.Iter
	} else if err := f.start(ctx, seed); err != nil {
		return out, err
	}
	w := s.Workers
	elbo, sumTheta, sumBeta := f.begin(w)

	// capture writes the fit as it stands after sweep t, with pending, a
	// sweep not yet in the trace, as it would stand in a longer fit.
	capture := func(t int, pending *Iteration) error {
		if s.Checkpoint == nil {
			return nil
		}
		st := &caviState{Restart: restart, Iter: t, Checked: checked, Stopper: stop.State(), Best: f.best, Trace: res.Trace}
		st.Params.take(s.Workers, f.rows, f.cols, t, elbo)
		if pending != nil {
			st.Trace = append(append([]Iteration(nil), res.Trace...), *pending)
		}
		return save(st)
	}
	check := func(t int, it *Iteration) bool {
		checked = t
		v := f.criterion(elbo, sumTheta, sumBeta, it)
		it.Criterion = v
		best, done := stop.Check(t, v)
		if best {
			f.best = f.best.take(f.s.Workers, f.rows, f.cols, t, elbo)
		}
		return done
	}
	for t < s.MaxIter {
		if ctx.Err() != nil {
			out.Status = Cancelled
			if err := capture(t, nil); err != nil {
				return out, err
			}
			break
		}
		t++
		elbo, sumTheta, sumBeta = f.sweep(w, sumBeta)
		if math.IsNaN(elbo) || math.IsInf(elbo, 0) {
			return out, fmt.Errorf("inference: the ELBO became %v at sweep %d: numerical failure (please report with the data and settings)", elbo, t)
		}
		it := Iteration{Restart: restart, Iter: t, ELBO: elbo, ValidLogLik: math.NaN(), ValidLogLikNonzero: math.NaN(), Criterion: math.NaN()}
		regular, last := t%s.CheckEvery == 0, t == s.MaxIter
		before, after := s.Checkpoint.When(t, regular, last)
		if before {
			it.Elapsed = time.Since(fitStart)
			if err := capture(t, &it); err != nil {
				return out, err
			}
		}
		done := false
		if regular || last {
			done = check(t, &it)
		}
		f.record(res, &it, fitStart)
		if done {
			out.Status = Converged
			break
		}
		if after {
			if err := capture(t, nil); err != nil {
				return out, err
			}
		}
	}
	if checked != t {
		// Cancelled between checks (or before the first sweep): the last
		// complete sweep is checked too, so that no finished work is lost.
		var it Iteration
		check(t, &it)
	}
	out.Iterations = t
	out.Best, out.BestIter = stop.Best()
	if f.best == nil || f.best.Iter != out.BestIter {
		// No finite check (cannot happen for a finite ELBO): keep the
		// current parameters.
		f.best = f.best.take(f.s.Workers, f.rows, f.cols, t, elbo)
		out.BestIter = t
	}
	out.ELBO = f.best.ELBO
	out.Elapsed = time.Since(runStart)
	return out, nil
}

// criterion returns the stopping criterion for the current parameters,
// recording the validation log-likelihood in it when it is computed.
func (f *fitState) criterion(elbo float64, sumTheta, sumBeta []float64, it *Iteration) float64 {
	var means model.Factors
	if f.s.Validation != nil {
		n, p := f.x.Dims()
		means = model.Factors{W: mat.NewDense(n, f.s.K, f.rows.mean), H: mat.NewDense(p, f.s.K, f.cols.mean)}
		ll := f.s.Validation.LogLikWorkers(means, f.s.Workers)
		it.ValidLogLik, it.ValidLogLikNonzero = ll.Mean, ll.MeanNonzero
	}
	switch f.s.Criterion {
	case CriterionValidation:
		return it.ValidLogLik
	case CriterionValidationNonzero:
		return it.ValidLogLikNonzero
	case CriterionValidationNDCG:
		// Rank fails only on shapes, which withDefaults checked; were
		// it to fail, NaN is a check without improvement, never a best.
		r, err := f.s.Validation.Rank(means, ValidationRankK, f.s.Workers)
		if err != nil {
			return math.NaN()
		}
		return r.NDCG
	case CriterionTrainLogLik:
		return f.trainLogLik(sumTheta, sumBeta)
	}
	return elbo
}

// trainLogLik returns Σ_ui [x log μ − μ − log x!] over the training cells
// (masked cells left out) for μ = E θ E βᵀ, in parallel over the kernel's
// row chunks (its cost is the non-zeros').
func (f *fitState) trainLogLik(sumTheta, sumBeta []float64) float64 {
	k := f.s.K
	ptr, idx, val := f.x.CSR()
	rows, cols := f.rows, f.cols
	nz := f.kn.RowChunks().Sum(f.s.Workers, func(_, lo, hi int) float64 {
		var acc float64
		for u := lo; u < hi; u++ {
			mu := rows.mean[u*k : (u+1)*k]
			for e := ptr[u]; e < ptr[u+1]; e++ {
				i := int(idx[e])
				acc += val[e] * math.Log(floats.Dot(mu, cols.mean[i*k:(i+1)*k]))
			}
			if rows.maskPtr != nil {
				for e := rows.maskPtr[u]; e < rows.maskPtr[u+1]; e++ {
					i := int(rows.maskIdx[e])
					acc += floats.Dot(mu, cols.mean[i*k:(i+1)*k])
				}
			}
		}
		return acc
	})
	return nz - f.lgammaX - floats.Dot(sumTheta, sumBeta)
}

// snapshot is a copy of both sides' shapes and rates at one check.
type snapshot struct {
	RowShape, RowRate, RowAct []float64
	ColShape, ColRate, ColAct []float64
	Iter                      int
	ELBO                      float64
}

// take copies the sides' parameters into s, allocating it when nil, and
// returns it.
func (s *snapshot) take(workers int, rows, cols *side, iter int, elbo float64) *snapshot {
	if s == nil {
		s = &snapshot{}
	}
	// The shapes and rates are copied in parallel over each side's
	// chunks: with the ELBO as the criterion every sweep is a new best,
	// and a serial copy of them was what kept two workers from being
	// twice as fast as one.
	s.RowShape, s.RowRate = copySide(workers, rows, s.RowShape, s.RowRate)
	s.ColShape, s.ColRate = copySide(workers, cols, s.ColShape, s.ColRate)
	s.RowAct = append(s.RowAct[:0], rows.actRate...)
	s.ColAct = append(s.ColAct[:0], cols.actRate...)
	s.Iter, s.ELBO = iter, elbo
	return s
}

// copySide copies sd's shapes and rates into shape and rate (reused when
// large enough) over sd's chunks on workers goroutines, and returns them.
func copySide(workers int, sd *side, shape, rate []float64) ([]float64, []float64) {
	grow := func(v []float64) []float64 {
		if cap(v) < len(sd.shape) {
			return make([]float64, len(sd.shape))
		}
		return v[:len(sd.shape)]
	}
	shape, rate = grow(shape), grow(rate)
	k := sd.k
	sd.chunks.Run(workers, func(_, _, lo, hi int) {
		copy(shape[lo*k:hi*k], sd.shape[lo*k:hi*k])
		copy(rate[lo*k:hi*k], sd.rate[lo*k:hi*k])
	})
	return shape, rate
}

// apply sets the sides' parameters to the snapshot's.
func (s *snapshot) apply(rows, cols *side) {
	copy(rows.shape, s.RowShape)
	copy(rows.rate, s.RowRate)
	copy(rows.actRate, s.RowAct)
	copy(cols.shape, s.ColShape)
	copy(cols.rate, s.ColRate)
	copy(cols.actRate, s.ColAct)
}

// resumeFrom sets the parameters, the stopping rule and the best check
// to a checkpoint's.
func (f *fitState) resumeFrom(st *caviState, stop *fitting.Stopper) {
	st.Params.apply(f.rows, f.cols)
	stop.Restore(st.Stopper)
	f.best = nil
	if b := st.Best; b != nil {
		f.best = (&snapshot{}).takeFrom(b)
	}
}

// record stamps a sweep's (or check's) record with the time since the fit
// started, appends it to the trace and hands it to the recorder.
func (f *fitState) record(res *Result, it *Iteration, fitStart time.Time) {
	it.Elapsed = time.Since(fitStart)
	res.Trace = append(res.Trace, *it)
	if f.s.Recorder != nil {
		f.s.Recorder(*it)
	}
}

// takeFrom copies another snapshot into s and returns it.
func (s *snapshot) takeFrom(o *snapshot) *snapshot {
	cp := func(src []float64) []float64 { return append([]float64(nil), src...) }
	s.RowShape, s.RowRate, s.RowAct = cp(o.RowShape), cp(o.RowRate), cp(o.RowAct)
	s.ColShape, s.ColRate, s.ColAct = cp(o.ColShape), cp(o.ColRate), cp(o.ColAct)
	s.Iter, s.ELBO = o.Iter, o.ELBO
	return s
}

// posterior hands the snapshot's parameters over to a model.Posterior;
// the snapshot must not be used after.
func (s *snapshot) posterior(n, p, k int, h model.HPF) *model.Posterior {
	q := &model.Posterior{
		Hyper:      h,
		ThetaShape: mat.NewDense(n, k, s.RowShape), ThetaRate: mat.NewDense(n, k, s.RowRate),
		BetaShape: mat.NewDense(p, k, s.ColShape), BetaRate: mat.NewDense(p, k, s.ColRate),
	}
	if !h.NonHierarchical {
		// κˢ and τˢ are the same for every row and column (newSide).
		q.XiShape, q.XiRate = constant(n, h.APrime+float64(k)*h.A), s.RowAct
		q.EtaShape, q.EtaRate = constant(p, h.CPrime+float64(k)*h.C), s.ColAct
	}
	return q
}

// constant returns a slice of m copies of v.
func constant(m int, v float64) []float64 {
	out := make([]float64, m)
	for j := range out {
		out[j] = v
	}
	return out
}

// Record describes the fit for a saved model (model.FitRecord), from the
// result and the settings it was run with; the caller adds the data's
// part (input, split).
func (r *Result) Record(s *Settings) model.FitRecord {
	return model.FitRecord{
		Algorithm: r.algorithm, K: r.Posterior.K(), Seed: s.Seed, Init: s.Init.resolved().Method.String(),
		MaxIter: s.MaxIter, Tol: s.Tol, Criterion: r.Criterion.String(),
		Iterations: r.Iterations, BestIteration: r.BestIter, Restarts: len(r.Restarts), Restart: r.Restart, StopReason: r.Status.String(),
	}
}
