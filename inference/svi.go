package inference

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/internal/sparse"
	"github.com/poisfact/poisfact/model"
)

// Stochastic configures stochastic variational inference (SVI,
// Hoffman, Blei, Wang & Paisley 2013; docs/MATH.md section 3). The zero
// value of every field means the documented default.
type Stochastic struct {
	// BatchRows is the number of rows of a minibatch. Zero means
	// min(n, max(100, n/50)).
	BatchRows int
	// Delay t0 and Forget κ set the step ρ_t = (t0 + t)^(−κ) of batch t
	// (from 1); κ must be in (0.5, 1]. Zero means κ = 0.7 and t0 = 1, or
	// t0 = 1024 (the delay Hoffman et al. found best for LDA) when the
	// start is a KL-NMF fit to a subsample of the rows (Init.NMFRows),
	// whose columns the first steps would otherwise undo: on the 116 M
	// draw of the README (K = 100, minibatches of 4,801 rows, one epoch),
	// t0 = 1, 100 and 1000 ended at a validation log-likelihood of −2.04,
	// −1.95 and −1.83; on the simulated matrix of the tests, from a start
	// on every row, t0 = 1, 10 and 100 ended at −1.182, −1.186 and
	// −1.194 (CAVI −1.178).
	Delay, Forget float64
	// LocalIter bounds the local steps (φ, γ, κ of the batch's rows with
	// the columns fixed, warm-started from the rows' last visit) and
	// LocalTol is the relative change of the rows' E[θ] that ends them.
	// Zero means 2 and 1e-4. Batch CAVI takes one such step per sweep,
	// and each costs a pass over the batch's non-zeros: on the 116 M draw
	// (t0 = 1000, the first epoch), 2 and 3 local steps ended at −1.831
	// and −1.833 in 35.8 s and 35.3 s, 10 (t0 = 1, start on n/10 rows) at −2.04 in 113 s; on
	// the simulated matrix of the tests 2 and 10 ended at −1.1820 and
	// −1.1819.
	LocalIter int
	LocalTol  float64
	// CheckBatches is how many batches run between checks of the
	// criterion. Zero means one check per epoch.
	CheckBatches int
}

// SVINMFMinRows is how many rows a fortieth of the rows must reach for
// the KL-NMF start of SVI to see only those (Init.NMFRows = n/40) by
// default: then the start costs NMFIters passes over 2.5% of the
// non-zeros, a fraction of an epoch, not NMFIters full passes (161 s on
// the 116 M draw of the README, ten epochs' time, and from a worse
// start: −2.01 against −1.81 after the first epoch; n/20 rows gave
// −1.81 too, in twice the start's time). Below it the start sees every
// row, which on the simulated matrix of the tests ended closer to CAVI
// (−1.182 against −1.194 from half the rows).
const SVINMFMinRows = 10000

// SVI fits HPF to x by stochastic variational inference: every epoch
// visits the rows once, in minibatches drawn without replacement (order
// from the seed). For a batch B, the local step iterates φ, γ and κ of
// its rows to LocalTol with the columns fixed; then every column's
// parameters move toward their estimate from the batch, the batch's
// sufficient statistics scaled by n/|B| and the prior counted once:
//
//	λ̂ˢ_ik = c + (n/|B|) Σ_{u∈B} x_ui φ_uik
//	λ̂ʳ_ik = E[η_i] + (n/|B|) Σ_{u∈B} E[θ_uk]
//	τ̂ʳ_i  = c'/d' + Σ_k E[β_ik]
//	λ ← (1 − ρ_t) λ + ρ_t λ̂,  τ likewise,  ρ_t = (t0 + t)^(−κ)
//
// MaxIter counts epochs. The criterion is checked every CheckBatches
// batches (validation log-likelihood with a Validation set, else the
// training log-likelihood: the ELBO needs a full sweep), with the stopping
// rule, Recorder, Status and Result of CAVI (Iteration.Iter counts checks;
// Result.Iterations the batches run). The result is the same for any
// number of workers. The default start is InitNMF (see the code for the
// measurement that chose it). Masks and fixed columns do not apply;
// restarts do.
func SVI(ctx context.Context, x *model.Counts, settings *Settings, st *Stochastic) (*Result, error) {
	if settings == nil {
		return nil, fmt.Errorf("inference: nil settings: K is required")
	}
	s := *settings
	if s.Mask != nil || s.FixedColumns != nil {
		return nil, fmt.Errorf("inference: SVI does not take a mask or fixed columns")
	}
	if s.Criterion == CriterionDefault || s.Criterion == CriterionELBO {
		s.Criterion = CriterionTrainLogLik
		if s.Validation != nil {
			s.Criterion = CriterionValidation
		}
	}
	if s.Init.Method == InitDefault {
		// SVI's shrinking steps cannot cross the symmetric plateau that
		// batch CAVI crosses in its first tens of sweeps (measured on a
		// simulated 2000 × 300 matrix: from the jitter start SVI stalls
		// 9% below CAVI's held-out log-likelihood; from the KL-NMF start
		// it ends within 1%).
		s.Init.Method = InitNMF
	}
	if s.MaxIter == 0 {
		s.MaxIter = 100 // epochs
	}
	if s.MinIter == 0 {
		s.MinIter = 1
	}
	d, err := s.withDefaults(x)
	if err != nil {
		return nil, err
	}
	var sv Stochastic
	if st != nil {
		sv = *st
	}
	n := x.Rows()
	if sv.BatchRows == 0 {
		sv.BatchRows = min(n, max(100, n/50))
	}
	if d.Init.NMFRows == 0 && n/40 >= SVINMFMinRows {
		d.Init.NMFRows = n / 40
	}
	if sv.Delay == 0 {
		sv.Delay = 1
		if d.Init.Method == InitNMF && d.Init.NMFRows > 0 && d.Init.NMFRows < n {
			sv.Delay = 1024
		}
	}
	if sv.Forget == 0 {
		sv.Forget = 0.7
	}
	if sv.LocalIter == 0 {
		sv.LocalIter = 2
	}
	if sv.LocalTol == 0 {
		sv.LocalTol = 1e-4
	}
	batches := (n + sv.BatchRows - 1) / max(sv.BatchRows, 1)
	if sv.CheckBatches == 0 {
		sv.CheckBatches = batches
	}
	switch {
	case sv.BatchRows < 1 || sv.BatchRows > n:
		return nil, fmt.Errorf("inference: SVI batch of %d rows: want 1 to %d", sv.BatchRows, n)
	case !(sv.Forget > 0.5 && sv.Forget <= 1):
		return nil, fmt.Errorf("inference: SVI forgetting rate κ = %v: want (0.5, 1]", sv.Forget)
	case !(sv.Delay > 0) || math.IsInf(sv.Delay, 0):
		return nil, fmt.Errorf("inference: SVI delay t0 = %v: want a positive number", sv.Delay)
	case sv.LocalIter < 0 || sv.LocalTol < 0 || sv.CheckBatches < 0:
		return nil, fmt.Errorf("inference: SVI LocalIter, LocalTol and CheckBatches must not be negative")
	}
	f := newFit(x, d)
	f.variant = fmt.Sprintf("svi %+v", sv)
	run := func(ctx context.Context, restart int, seed uint64, fitStart time.Time, res *Result, resume *caviState, save func(*caviState) error) (Restart, error) {
		return f.runSVI(ctx, sv, restart, seed, fitStart, res, resume, save)
	}
	return f.restarts(ctx, "svi", run)
}

// runSVI runs one restart of SVI; see SVI.
func (f *fitState) runSVI(ctx context.Context, sv Stochastic, restart int, seed uint64, fitStart time.Time, res *Result, resume *caviState, save func(*caviState) error) (Restart, error) {
	s := f.s
	runStart := time.Now()
	out := Restart{Seed: seed, Status: MaxIterations}
	n, k := f.x.Rows(), s.K
	stop := fitting.Stopper{Tol: s.Tol, Patience: s.Patience, MinIter: s.MinIter}
	src := rand.NewPCG(seed, 3)
	shuffle := rand.New(src)
	order := make([]int, n)
	for u := range order {
		order[u] = u
	}
	// The position: the epoch, the next row of its order, batches run,
	// checks made.
	epoch, next, batch, checks := 1, 0, 0, 0
	shuffled := false // the current epoch's order is drawn
	if resume != nil {
		f.resumeFrom(resume, &stop)
		epoch, next, batch, checks, shuffled = resume.Epoch, resume.Next, resume.Iter, resume.Checked, resume.Shuffled
		copy(order, resume.Order)
		if err := src.UnmarshalBinary(resume.RNG); err != nil {
			return out, fmt.Errorf("inference: checkpoint: %w", err)
		}
	} else if err := f.start(ctx, seed); err != nil {
		return out, err
	}
	w := s.Workers
	f.rows.sweep(w, nil, nil, f.cols.mean, false)
	_, sumBeta := f.cols.sweep(w, nil, nil, f.rows.mean, true)
	elbo := math.NaN()
	// capture writes the fit as it stands after batch; pending is a check
	// not yet in the trace, left out as a longer fit would have it.
	capture := func() error {
		if s.Checkpoint == nil {
			return nil
		}
		rng, err := src.MarshalBinary()
		if err != nil {
			return fmt.Errorf("inference: checkpoint: %w", err)
		}
		st := &caviState{Restart: restart, Iter: batch, Checked: checks, Stopper: stop.State(), Best: f.best, Trace: res.Trace,
			Epoch: epoch, Next: next, Shuffled: shuffled, Order: order, RNG: rng}
		st.Params.take(s.Workers, f.rows, f.cols, batch, elbo)
		return save(st)
	}
	mb := &minibatch{}
	done := false
	for epoch <= s.MaxIter && !done {
		if !shuffled {
			shuffle.Shuffle(n, func(a, b int) { order[a], order[b] = order[b], order[a] })
			shuffled = true
		}
		for next < n && !done {
			if ctx.Err() != nil {
				out.Status = Cancelled
				if err := capture(); err != nil {
					return out, err
				}
				done = true
				break
			}
			rows := order[next:min(next+sv.BatchRows, n)]
			next += len(rows)
			batch++
			rho := math.Pow(sv.Delay+float64(batch), -sv.Forget)
			if err := f.sviBatch(mb, rows, sumBeta, rho, float64(n)/float64(len(rows)), sv); err != nil {
				return out, err
			}
			// Only the means (and their sums) of every column are needed
			// now; the next batch refreshes the digammas of its own
			// columns (sviBatch), not all p × K of them.
			sumBeta = f.cols.refreshMeans(w)
			regular, last := batch%sv.CheckBatches == 0, epoch == s.MaxIter && next >= n
			before, after := s.Checkpoint.When(batch, regular, last)
			if before {
				if err := capture(); err != nil {
					return out, err
				}
			}
			if regular || last {
				checks++
				sumTheta := columnSums(f.rows.mean, k)
				it := Iteration{Restart: restart, Iter: checks, ELBO: elbo, ValidLogLik: math.NaN(), ValidLogLikNonzero: math.NaN()}
				v := f.criterion(elbo, sumTheta, sumBeta, &it)
				it.Criterion = v
				best, stopNow := stop.Check(checks, v)
				if best {
					f.best = f.best.take(s.Workers, f.rows, f.cols, batch, elbo)
				}
				f.record(res, &it, fitStart)
				if stopNow {
					out.Status = Converged
					done = true
					break
				}
			}
			if after {
				if err := capture(); err != nil {
					return out, err
				}
			}
		}
		if next >= n {
			epoch, next, shuffled = epoch+1, 0, false
		}
	}
	out.Iterations = batch
	out.Best, out.BestIter = stop.Best()
	if f.best == nil {
		f.best = f.best.take(s.Workers, f.rows, f.cols, batch, elbo)
	}
	out.BestIter = f.best.Iter
	// The ELBO of the kept parameters, from one full evaluation: the
	// number CAVI would record for them.
	f.best.apply(f.rows, f.cols)
	out.ELBO, _, _ = f.begin(w)
	f.best.ELBO = out.ELBO
	out.Elapsed = time.Since(runStart)
	return out, nil
}

// sviBatch runs the local step on the given rows and moves the columns'
// parameters a step ρ toward the batch's estimate, scaled by scale =
// n/|B|.
func (f *fitState) sviBatch(mb *minibatch, rows []int, sumBeta []float64, rho, scale float64, sv Stochastic) error {
	s, k := f.s, f.s.K
	w := s.Workers
	xb, err := f.x.SubRowsInto(mb.x, rows)
	if err != nil {
		return err
	}
	mb.x = xb
	f.cols.refreshLogs(xb)
	kn := sparse.New(xb, k)
	h := s.Hyper
	local := mb.side(len(rows), k, h)
	for b, u := range rows {
		copy(local.shape[b*k:(b+1)*k], f.rows.shape[u*k:(u+1)*k])
		copy(local.rate[b*k:(b+1)*k], f.rows.rate[u*k:(u+1)*k])
		if !h.NonHierarchical {
			local.actRate[b] = f.rows.actRate[u]
		}
	}
	logs := &sparse.Logs{LogA: local.logF, LogB: f.cols.logF, MaxA: local.shift, MaxB: f.cols.shift}
	phi, prev := mb.phi[:len(rows)*k], mb.prev[:len(rows)*k]
	local.sweep(w, nil, nil, f.cols.mean, false)
	for it := 0; it < sv.LocalIter; it++ {
		copy(prev, local.mean)
		kn.RowSide(w, local.fac, f.cols.fac, logs, phi)
		local.sweep(w, phi, sumBeta, f.cols.mean, false)
		var change float64
		for j, v := range local.mean {
			change = math.Max(change, math.Abs(v-prev[j])/math.Max(math.Abs(prev[j]), 1e-300))
		}
		if change <= sv.LocalTol {
			break
		}
	}
	for b, u := range rows {
		copy(f.rows.shape[u*k:(u+1)*k], local.shape[b*k:(b+1)*k])
		copy(f.rows.rate[u*k:(u+1)*k], local.rate[b*k:(b+1)*k])
		copy(f.rows.mean[u*k:(u+1)*k], local.mean[b*k:(b+1)*k])
		if !h.NonHierarchical {
			f.rows.actRate[u] = local.actRate[b]
		}
	}
	// The batch's Σ_u x_ui φ_uik, from the converged local parameters.
	phiCol := f.phiCol // CAVI's buffer, unused by SVI otherwise: no p × K allocation per batch
	kn.ColSide(w, local.fac, f.cols.fac, logs, phiCol)
	thetaB := columnSums(local.mean, k)
	cols := f.cols
	// Each column's step reads and writes that column alone, so the
	// chunks may run in any order.
	cols.chunks.Run(w, func(_, _, lo, hi int) {
		for i := lo; i < hi; i++ {
			eEta := cols.activityMean(i)
			var sumB float64
			for j := 0; j < k; j++ {
				e := i*k + j
				shapeHat := cols.a + scale*phiCol[e]
				rateHat := eEta + scale*thetaB[j]
				cols.shape[e] = (1-rho)*cols.shape[e] + rho*shapeHat
				cols.rate[e] = (1-rho)*cols.rate[e] + rho*rateHat
				sumB += cols.shape[e] / cols.rate[e]
			}
			if !cols.fixed {
				cols.actRate[i] = (1-rho)*cols.actRate[i] + rho*(cols.aPrime/cols.bPrime+sumB)
			}
		}
	})
	return nil
}

// minibatch holds a batch's sub-matrix, local side and buffers across the
// batches of a fit: each batch overwrites the last one's arrays, so a
// batch makes no garbage in proportion to its size. (At 116 M non-zeros,
// fresh arrays per batch let the heap grow 1.2 GB past CAVI's before the
// collector ran.)
type minibatch struct {
	x         *model.Counts
	local     *side
	phi, prev []float64
}

// side returns the local side for a batch of m rows, the arrays of the
// first batch (the largest) resliced.
func (mb *minibatch) side(m, k int, h model.HPF) *side {
	s := mb.local
	if s == nil || cap(s.shape) < m*k {
		s = newSide(m, k, h.A, h.APrime, h.BPrime, h.NonHierarchical)
		mb.local = s
		mb.phi, mb.prev = make([]float64, m*k), make([]float64, m*k)
		return s
	}
	s.m, s.chunks, s.sweeper = m, rowChunks(m, nil), nil // the sweeper is rebound to the new chunks
	s.shape, s.rate = s.shape[:m*k], s.rate[:m*k]
	s.logF, s.fac, s.mean = s.logF[:m*k], s.fac[:m*k], s.mean[:m*k]
	s.shift = s.shift[:m]
	if !s.fixed {
		s.actRate = s.actRate[:m]
	}
	return s
}
