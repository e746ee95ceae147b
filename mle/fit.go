package mle

import (
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/model"
)

// Result is a fitted factorization X ≈ W Hᵀ with the record of its fit.
type Result struct {
	// W (n × K) and H (p × K) are the factors, scaled as
	// Settings.Normalize says.
	W, H *mat.Dense
	// Trace has one record per iteration, Trace[t-1] for iteration t.
	Trace []Iteration
	// Status says why the fit stopped.
	Status Status
	// Iterations is the number of complete iterations.
	Iterations int
	// Divergence is the generalized KL divergence D(X ‖ W Hᵀ) on the
	// training counts.
	Divergence float64
	// Objective is the minimized objective: Divergence, or for MAP
	// Divergence plus the prior's penalty (of the factors before any
	// rescaling).
	Objective float64
	// LogLik is the Poisson log-likelihood of the training counts under
	// μ = W Hᵀ, log x! included: by docs/MATH.md section 1 it is
	// −(D + C(X)).
	LogLik float64
	// Elapsed is the wall time of the fit.
	Elapsed time.Duration
}

// Fit fits X ≈ W Hᵀ by maximum likelihood, or MAP with Settings.MAP, with
// the solver Settings.Method. The objective recorded for iteration t is
// that of the factors after iteration t.
//
// Cancelling ctx stops the fit after the current iteration with status
// Cancelled and the factors of the last complete iteration.
func Fit(ctx context.Context, x *model.Counts, settings *Settings) (*Result, error) {
	set, err := settings.withDefaults(x)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	s := newState(x, set.K, set.Workers, set.MAP)
	var resume *fitCheckpoint
	if cp := set.Checkpoint; cp != nil && cp.Resume {
		if resume, err = loadCheckpoint(cp, x, &set); err != nil {
			return nil, err
		}
	}
	switch set.Init {
	case InitRandom:
		s.initRandom(set.Seed)
	case InitNNDSVDa:
		if err := s.initNNDSVDa(set.Seed); err != nil {
			return nil, err
		}
	}
	if set.FixedH != nil {
		s.fixedH = true
		copy(s.h, mat.DenseCopyOf(set.FixedH).RawMatrix().Data)
	}
	// MU's first row pass gives both the first W step's numerators and
	// the starting point's Σ x log(x/μ); CD uses only the latter.
	xLogXOverMu := s.kn.RowSide(s.workers, s.w, s.h, nil, s.outW)
	sumW, sumH := s.colSums(s.w, s.rows), s.colSums(s.h, s.cols)
	div := s.divergence(xLogXOverMu, sumW, sumH)
	obj := div + s.penalty()
	// The stopping rule CAVI uses, on −objective: with patience 1 a check
	// that lowers the objective by at most Tol relative stops the fit.
	stop := fitting.Stopper{Tol: set.Tol, Patience: 1, MinIter: set.MinIter}
	stop.Check(0, -obj)
	res := &Result{Status: MaxIterations}
	first := 1
	if resume != nil {
		// The state after iteration resume.Iter: every quantity derived
		// above is recomputed from W and H as the fit had it.
		copy(s.w, resume.W)
		copy(s.h, resume.H)
		xLogXOverMu = s.kn.RowSide(s.workers, s.w, s.h, nil, s.outW)
		sumW, sumH = s.colSums(s.w, s.rows), s.colSums(s.h, s.cols)
		div = s.divergence(xLogXOverMu, sumW, sumH)
		obj = div + s.penalty()
		stop.Restore(resume.Stopper)
		res.Trace, res.Iterations, first = resume.Trace, resume.Iter, resume.Iter+1
	}
	capture := func(t int) error {
		if set.Checkpoint == nil {
			return nil
		}
		return fitting.SaveState(set.Checkpoint.Dir, checkpointFile, &fitCheckpoint{
			Fingerprint: fingerprint(x, &set), Iter: t, W: s.w, H: s.h, Stopper: stop.State(), Trace: res.Trace,
		})
	}
	for t := first; t <= set.MaxIter; t++ {
		if ctx.Err() != nil {
			res.Status = Cancelled
			if err := capture(t - 1); err != nil {
				return nil, err
			}
			break
		}
		switch set.Method {
		case MU:
			xLogXOverMu, sumW, sumH = s.muIteration()
		case CD:
			xLogXOverMu, sumW, sumH = s.cdIteration()
		}
		div = s.divergence(xLogXOverMu, sumW, sumH)
		obj = div + s.penalty()
		if math.IsNaN(obj) || math.IsInf(obj, 0) {
			return nil, fmt.Errorf("mle: the objective became %v at iteration %d: numerical failure (please report with the data and settings)", obj, t)
		}
		it := Iteration{Iter: t, Divergence: div, Objective: obj, Elapsed: time.Since(start)}
		res.Trace = append(res.Trace, it)
		res.Iterations = t
		if set.Recorder != nil {
			it.Factors = s.copyFactors
			set.Recorder(it)
		}
		regular, last := t%set.CheckEvery == 0, t == set.MaxIter
		before, after := set.Checkpoint.When(t, regular, last)
		if before {
			if err := capture(t); err != nil {
				return nil, err
			}
		}
		if regular || last {
			if _, done := stop.Check(t, -obj); done {
				res.Status = Converged
				break
			}
		}
		if after {
			if err := capture(t); err != nil {
				return nil, err
			}
		}
	}
	res.Divergence, res.Objective = div, obj
	res.LogLik = -(div + x.DataConstant())
	s.normalize(set.Normalize)
	res.W = mat.NewDense(s.n, s.k, s.w)
	res.H = mat.NewDense(s.p, s.k, s.h)
	res.Elapsed = time.Since(start)
	return res, nil
}

// copyFactors returns copies of the current W and H.
func (s *state) copyFactors() (w, h *mat.Dense) {
	return mat.NewDense(s.n, s.k, append([]float64(nil), s.w...)), mat.NewDense(s.p, s.k, append([]float64(nil), s.h...))
}

// normalize rescales the columns of W (or H) to sum to one, moving the
// scale into the other factor so that W Hᵀ is unchanged.
func (s *state) normalize(how Normalize) {
	var f, g []float64
	switch how {
	case NormalizeW:
		f, g = s.w, s.h
	case NormalizeH:
		f, g = s.h, s.w
	default:
		return
	}
	k := s.k
	sums := make([]float64, k)
	for j, v := range f {
		sums[j%k] += v
	}
	for j := range f {
		if c := sums[j%k]; c > 0 {
			f[j] /= c
		}
	}
	for j := range g {
		if c := sums[j%k]; c > 0 {
			g[j] *= c
		}
	}
}

// Record describes the fit for a saved model (model.FitRecord), from the
// result and the settings it was run with; the caller adds the data's
// part (input, split).
func (r *Result) Record(s *Settings) model.FitRecord {
	_, k := r.W.Dims()
	return model.FitRecord{
		Algorithm: s.Method.String(), MAP: s.MAP != nil, K: k, Seed: s.Seed, Init: s.Init.String(),
		MaxIter: s.MaxIter, Tol: s.Tol, Iterations: r.Iterations, StopReason: r.Status.String(),
	}
}

// Factors returns the fitted rates μ = W Hᵀ as model.Factors, the Rates
// every likelihood, metric and check reads.
func (r *Result) Factors() model.Factors { return model.Factors{W: r.W, H: r.H} }
