package inference

import (
	"fmt"
	"math"
	"time"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/model"
)

// Settings configures CAVI. The zero value of every field but K means the
// documented default; a nil *Settings is not accepted because K has no
// sensible default.
type Settings struct {
	// K is the number of factors, at least 1. K may exceed min(n, p):
	// the prior keeps the model well posed.
	K int
	// Hyper holds the hyperparameters; zero fields take the defaults of
	// model.HPF (a = a' = c = c' = 0.3, b' = d' = 1).
	Hyper model.HPF
	// MaxIter bounds the number of sweeps. Zero means 1000.
	MaxIter int
	// MinIter is the number of sweeps before convergence may be declared.
	// Zero means 10.
	MinIter int
	// Tol is the relative change below which the fit has converged: of
	// the ELBO, or of the validation log-likelihood when Validation is
	// set (as in the HPF paper), in which case a fall of the validation
	// log-likelihood at three successive checks also stops the fit. Zero means 1e-6; a negative value
	// turns the test off, so the fit runs MaxIter sweeps.
	Tol float64
	// CheckEvery is how often, in sweeps, the validation log-likelihood is
	// computed and convergence is tested. Zero means 1. The ELBO is
	// recorded every sweep regardless.
	CheckEvery int
	// Validation, when set, is a held-out set (model.Split.HeldOut) whose
	// mean log-likelihood (model.HeldOutLogLik.Mean) is recorded at each
	// check and drives the stopping rule.
	Validation *model.HeldOut
	// Mask, when set, lists cells (its non-zeros) that are left out of the
	// likelihood: the model neither sees them as zeros nor predicts them,
	// so that held-out cells do not bias the fit downwards. Its cells must
	// be zero in the training counts. Nil means the paper's convention:
	// every cell not in the training counts is an observed zero
	// (docs/MATH.md section 4). Masking costs O(|mask|·K) per sweep.
	Mask *model.Counts
	// Seed seeds the initialization.
	Seed uint64
	// Workers is the number of goroutines. Zero means
	// runtime.GOMAXPROCS(0). The result does not depend on it.
	Workers int
	// Recorder, when set, is called after every sweep with that sweep's
	// record, from the goroutine that called CAVI.
	Recorder func(Iteration)
}

// Iteration is the record of one sweep.
type Iteration struct {
	// Iter is the sweep number, from 1.
	Iter int
	// ELBO is the exact ELBO of the parameters after this sweep.
	ELBO float64
	// ValidLogLik is the validation mean log-likelihood of the parameters
	// after this sweep, NaN when it was not computed at this sweep.
	ValidLogLik float64
	// Elapsed is the time since the fit started.
	Elapsed time.Duration
}

// HasValid reports whether the validation log-likelihood was computed at
// this sweep.
func (it Iteration) HasValid() bool { return !math.IsNaN(it.ValidLogLik) }

// Status says why a fit stopped: Converged, MaxIterations or Cancelled.
type Status = fitting.Status

// The reasons a fit stops.
const (
	// Converged: the relative change fell below Tol (or, with a
	// validation set, the validation log-likelihood fell).
	Converged = fitting.Converged
	// MaxIterations: MaxIter sweeps ran.
	MaxIterations = fitting.MaxIterations
	// Cancelled: the context was cancelled; the result holds the
	// parameters after the last complete sweep.
	Cancelled = fitting.Cancelled
)

// withDefaults validates s against x and returns a copy with defaults
// filled in.
func (s *Settings) withDefaults(x *model.Counts) (Settings, error) {
	if s == nil {
		return Settings{}, fmt.Errorf("inference: nil settings: K is required")
	}
	d := *s
	if err := (fitting.Loop{K: d.K, MaxIter: &d.MaxIter, MinIter: &d.MinIter, CheckEvery: &d.CheckEvery, Tol: &d.Tol, Workers: &d.Workers}).Defaults("inference", x); err != nil {
		return d, err
	}
	if err := d.Hyper.Validate(); err != nil {
		return d, fmt.Errorf("inference: %w", err)
	}
	if v := d.Validation; v != nil && (v.X.Rows() != x.Rows() || v.X.Cols() != x.Cols()) {
		return d, fmt.Errorf("inference: validation set is %d × %d, counts are %d × %d", v.X.Rows(), v.X.Cols(), x.Rows(), x.Cols())
	}
	if m := d.Mask; m != nil {
		if m.Rows() != x.Rows() || m.Cols() != x.Cols() {
			return d, fmt.Errorf("inference: mask is %d × %d, counts are %d × %d", m.Rows(), m.Cols(), x.Rows(), x.Cols())
		}
		for u := 0; u < m.Rows(); u++ {
			cols, _ := m.Row(u)
			for _, i := range cols {
				if x.At(u, int(i)) != 0 {
					return d, fmt.Errorf("inference: masked cell (%d, %d) holds a training count", u+1, i+1)
				}
			}
		}
	}
	d.Hyper = d.Hyper.WithDefaults()
	return d, nil
}
