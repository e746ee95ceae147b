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
	// model.HPF (a = c = 1, a' = c' = 0.3, b' = d' = 1).
	Hyper model.HPF
	// Init chooses the starting point; the zero value is the default
	// start (see Init).
	Init Init
	// MaxIter bounds the number of sweeps of each restart. Zero means
	// 1000.
	MaxIter int
	// MinIter is the number of sweeps before the fit may stop. Zero
	// means DefaultMinIter.
	MinIter int
	// Criterion is what the stopping rule watches and what chooses the
	// parameters returned and the best restart. The zero value means
	// CriterionValidation when Validation is set, CriterionELBO
	// otherwise.
	Criterion Criterion
	// CheckEvery is how often, in sweeps, the criterion is computed and
	// the stopping rule applied. Zero means the default, which depends on
	// the criterion: DefaultCheckEvery for the held-out and training
	// log-likelihood, 1 for the ELBO (which every sweep computes anyway).
	// The last sweep is always checked.
	CheckEvery int
	// Patience is the number of successive checks without an improvement
	// of more than Tol (relative) after which the fit stops. Zero means
	// DefaultPatience for the held-out and training log-likelihood, 1 for
	// the ELBO, which never falls.
	Patience int
	// Tol is the relative improvement of the criterion over its best
	// check that counts as progress. Zero means DefaultLogLikTol for the
	// held-out and training log-likelihood, DefaultELBOTol for the ELBO; a negative value
	// turns the stopping rule off, so the fit runs MaxIter sweeps (and
	// still returns the best check).
	Tol float64
	// Restarts is the number of fits from different starts; the one whose
	// best check is best by the criterion is returned. Restart r uses the
	// seed RestartSeed(Seed, r). Zero means 1.
	Restarts int
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
	// Checkpoint, when set, writes the fit's state to a directory as it
	// runs and resumes from it (see Checkpoint).
	Checkpoint *Checkpoint
	// FixedColumns, when set, holds the columns (β, η) at this fitted
	// posterior's and fits the rows of x alone: the fold-in of new rows
	// into a fitted model (FoldIn), the same loop, stopping rule, status
	// and recorder as a fit. x must have the posterior's columns; K (0
	// allowed) and Hyper are the posterior's; Mask and the KL-NMF start
	// do not apply. The recorded ELBO leaves out the columns' prior and
	// entropy terms, constants here, so that its relative change measures
	// the rows alone.
	FixedColumns *model.Posterior
	// Seed seeds the initialization of the first restart, and through
	// RestartSeed those of the others.
	Seed uint64
	// Workers is the number of goroutines. Zero means
	// runtime.GOMAXPROCS(0). The result does not depend on it.
	Workers int
	// Recorder, when set, is called after every sweep of every restart
	// with that sweep's record, from the goroutine that called CAVI.
	Recorder func(Iteration)
}

// Iteration is the record of one sweep.
type Iteration struct {
	// Restart is the restart the sweep belongs to, from 0.
	Restart int
	// Iter is the sweep number within its restart, from 1.
	Iter int
	// ELBO is the exact ELBO of the parameters after this sweep.
	ELBO float64
	// ValidLogLik and ValidLogLikNonzero are the validation mean
	// log-likelihood of the parameters after this sweep
	// (model.HeldOutLogLik Mean and MeanNonzero), NaN when they were not
	// computed at this sweep.
	ValidLogLik, ValidLogLikNonzero float64
	// Criterion is the value of the stopping criterion at a check, NaN
	// between checks.
	Criterion float64
	// Elapsed is the time since the fit started.
	Elapsed time.Duration
}

// HasValid reports whether the validation log-likelihood was computed at
// this sweep.
func (it Iteration) HasValid() bool { return !math.IsNaN(it.ValidLogLik) }

// IsCheck reports whether the stopping rule looked at this sweep.
func (it Iteration) IsCheck() bool { return !math.IsNaN(it.Criterion) }

// Status says why a fit stopped: Converged, MaxIterations or Cancelled.
type Status = fitting.Status

// The reasons a fit stops.
const (
	// Converged: Patience successive checks brought no improvement of
	// the criterion above Tol.
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
	if x == nil {
		return Settings{}, fmt.Errorf("inference: no count matrix (nil)")
	}
	d := *s
	if q := d.FixedColumns; q != nil {
		_, p := q.Dims()
		switch {
		case p != x.Cols():
			return d, fmt.Errorf("inference: the rows to fold in have %d columns, the model %d", x.Cols(), p)
		case d.K != 0 && d.K != q.K():
			return d, fmt.Errorf("inference: K = %d with fixed columns of K = %d", d.K, q.K())
		case d.Mask != nil:
			return d, fmt.Errorf("inference: a mask does not apply with fixed columns")
		case d.Init.Method == InitNMF:
			return d, fmt.Errorf("inference: the KL-NMF start does not apply with fixed columns")
		}
		d.K, d.Hyper = q.K(), q.Hyper
	}
	if err := d.resolve(x.Rows(), x.Cols(), x.NNZ()); err != nil {
		return d, err
	}
	if v := d.Validation; v != nil && (v.X.Rows() != x.Rows() || v.X.Cols() != x.Cols()) {
		return d, fmt.Errorf("inference: validation set is %d × %d, counts are %d × %d", v.X.Rows(), v.X.Cols(), x.Rows(), x.Cols())
	}
	if m := d.Mask; m != nil {
		if m.Rows() != x.Rows() || m.Cols() != x.Cols() {
			return d, fmt.Errorf("inference: mask is %d × %d, counts are %d × %d", m.Rows(), m.Cols(), x.Rows(), x.Cols())
		}
		if u, i, ok := m.FirstShared(x); ok {
			return d, fmt.Errorf("inference: masked cell (%d, %d) holds a training count", u+1, i+1)
		}
	}
	if d.Checkpoint != nil {
		if err := d.Checkpoint.Check(); err != nil {
			return d, fmt.Errorf("inference: %w", err)
		}
	}
	return d, nil
}

// resolve fills in the defaults that depend on the matrix's shape alone
// and validates the settings that do not need the matrix itself: the
// part of withDefaults that a sharded fit, whose driver never holds the
// counts, shares.
func (s *Settings) resolve(n, p, nnz int) error {
	if s.Criterion == CriterionDefault {
		s.Criterion = CriterionELBO
		if s.Validation != nil {
			s.Criterion = CriterionValidation
		}
	}
	switch {
	case s.Criterion < CriterionDefault || s.Criterion > CriterionValidationNDCG:
		return fmt.Errorf("inference: unknown criterion %d", int(s.Criterion))
	case s.Criterion.NeedsValidation() && s.Validation == nil:
		return fmt.Errorf("inference: criterion %v needs a validation set", s.Criterion)
	case s.Patience < 0 || s.Restarts < 0:
		return fmt.Errorf("inference: Patience = %d, Restarts = %d: want 0 (default) or more", s.Patience, s.Restarts)
	}
	if s.CheckEvery == 0 && s.Criterion != CriterionELBO {
		s.CheckEvery = DefaultCheckEvery
	}
	if s.Patience == 0 {
		s.Patience = 1
		if s.Criterion != CriterionELBO {
			s.Patience = DefaultPatience
		}
	}
	if s.Restarts == 0 {
		s.Restarts = 1
	}
	if s.Tol == 0 {
		s.Tol = DefaultLogLikTol
		if s.Criterion == CriterionELBO {
			s.Tol = DefaultELBOTol
		}
	}
	if s.MinIter == 0 {
		s.MinIter = DefaultMinIter
	}
	if err := (fitting.Loop{K: s.K, FactorArrays: 9, MaxIter: &s.MaxIter, MinIter: &s.MinIter, CheckEvery: &s.CheckEvery, Tol: &s.Tol, Workers: &s.Workers}).Defaults("inference", n, p, nnz); err != nil {
		return err
	}
	if err := s.Init.validate(); err != nil {
		return err
	}
	if err := s.Hyper.Validate(); err != nil {
		return fmt.Errorf("inference: %w", err)
	}
	s.Hyper = s.Hyper.WithDefaults()
	return nil
}
