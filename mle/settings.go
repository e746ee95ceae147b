package mle

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/model"
)

// Method selects the solver.
type Method int

const (
	// MU is Lee–Seung multiplicative updates, the default.
	MU Method = iota
	// CD is cyclic coordinate descent with one-variable Newton steps.
	CD
)

// String returns the method's name as the command line spells it.
func (m Method) String() string {
	switch m {
	case MU:
		return "mu"
	case CD:
		return "cd"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Init selects the initialization.
type Init int

const (
	// InitRandom draws every entry uniformly in (0, 1] and scales W and H
	// so that Σ μ = Σ x; the default.
	InitRandom Init = iota
	// InitNNDSVDa is NNDSVD (Boutsidis & Gallopoulos 2008) from a truncated
	// SVD of the counts, with its zeros filled by the mean of X, since MU
	// can never move an exact zero.
	InitNNDSVDa
)

// String returns the initialization's name as the command line spells
// it.
func (i Init) String() string {
	switch i {
	case InitRandom:
		return "random"
	case InitNNDSVDa:
		return "nndsvda"
	}
	return fmt.Sprintf("Init(%d)", int(i))
}

// Normalize says how the returned factors are scaled; W Hᵀ is the same
// either way, since the factors are identifiable only up to scale.
type Normalize int

const (
	// NormalizeDefault rescales so that the columns of W sum to one for a
	// maximum likelihood fit, and leaves a MAP fit as it is (its prior is
	// not scale invariant, so rescaling would change its objective).
	NormalizeDefault Normalize = iota
	// NormalizeW rescales so that every column of W sums to one.
	NormalizeW
	// NormalizeH rescales so that every column of H sums to one.
	NormalizeH
	// NormalizeNone returns the factors as the solver left them.
	NormalizeNone
)

// MaxPrior bounds the shape and the rate of a MAP prior: a Gamma(10⁶, b)
// prior already pins every factor entry to its mode whatever the data
// say, and values near 1e300 overflow the objective.
const MaxPrior = 1e6

// Prior is a Gamma(Shape α, Rate b) prior on every entry of W and H, for
// the MAP variant (docs/MATH.md section 2). It needs α ≥ 1 (for α < 1 the
// objective goes to −∞ at zero) and b > 0.
type Prior struct {
	Shape, Rate float64
}

// Settings configures Fit. The zero value of every field but K means the
// documented default.
type Settings struct {
	// K is the number of factors, at least 1.
	K int
	// Method is the solver: MU (default) or CD.
	Method Method
	// Init is the initialization: InitRandom (default) or InitNNDSVDa.
	Init Init
	// FixedH, when set, holds H at this p × K matrix (non-negative,
	// finite) and fits W alone: the fold-in of new rows into a fitted
	// model (FoldIn). K may then be 0 (H's columns), the factors are
	// returned as the solver left them (no Normalize), and Init applies
	// to W. With H fixed each row's problem is convex.
	FixedH *mat.Dense
	// MAP, when set, fits the MAP variant with this prior; nil means
	// maximum likelihood.
	MAP *Prior
	// MaxIter bounds the number of iterations (each a W step and an H
	// step). Zero means 1000.
	MaxIter int
	// MinIter is the number of iterations before convergence may be
	// declared. Zero means 10.
	MinIter int
	// Tol is the relative change of the objective below which the fit has
	// converged. Zero means 1e-6; negative turns the test off.
	Tol float64
	// CheckEvery is how often, in iterations, convergence is tested. Zero
	// means 1. The objective is recorded every iteration regardless.
	CheckEvery int
	// Normalize says how the returned factors are scaled.
	Normalize Normalize
	// Seed seeds the initialization.
	Seed uint64
	// Workers is the number of goroutines. Zero means
	// runtime.GOMAXPROCS(0). The result does not depend on it.
	Workers int
	// Recorder, when set, is called after every iteration from the
	// goroutine that called Fit.
	Recorder func(Iteration)
	// Checkpoint, when set, writes the fit's state to a directory as it
	// runs and resumes from it (see Checkpoint). Not with FixedH.
	Checkpoint *Checkpoint
}

// Checkpoint makes a fit write its state to a directory as it runs, and
// resume from it (see fitting.Checkpoint; the same type serves inference).
type Checkpoint = fitting.Checkpoint

// Iteration is the record of one iteration.
type Iteration struct {
	// Iter is the iteration number, from 1.
	Iter int
	// Divergence is D(X ‖ W Hᵀ) after this iteration.
	Divergence float64
	// Objective is what the solver minimizes: the divergence, or for MAP
	// D + Σ [b W − (α−1) log W] + (the same for H).
	Objective float64
	// Elapsed is the time since the fit started.
	Elapsed time.Duration
	// Factors returns copies of W and H after this iteration, before any
	// normalization. It is valid only during the Recorder call; it costs
	// O((n+p)K), so a recorder calls it only when it needs the iterate.
	Factors func() (w, h *mat.Dense)
}

// Status says why a fit stopped: Converged, MaxIterations or Cancelled.
type Status = fitting.Status

// The reasons a fit stops.
const (
	Converged     = fitting.Converged
	MaxIterations = fitting.MaxIterations
	Cancelled     = fitting.Cancelled
)

func (s *Settings) withDefaults(x *model.Counts) (Settings, error) {
	if s == nil {
		return Settings{}, fmt.Errorf("mle: nil settings: K is required")
	}
	if x == nil {
		return Settings{}, fmt.Errorf("mle: no count matrix (nil)")
	}
	d := *s
	if h := d.FixedH; h != nil {
		p, k := h.Dims()
		if d.K == 0 {
			d.K = k
		}
		switch {
		case p != x.Cols():
			return d, fmt.Errorf("mle: FixedH has %d rows, the counts %d columns", p, x.Cols())
		case k != d.K:
			return d, fmt.Errorf("mle: FixedH has %d columns for K = %d", k, d.K)
		}
		for _, v := range h.RawMatrix().Data {
			if !(v >= 0) || math.IsInf(v, 0) {
				return d, fmt.Errorf("mle: FixedH holds %v: want finite non-negative entries", v)
			}
		}
		d.Normalize = NormalizeNone
		if d.Checkpoint != nil {
			return d, fmt.Errorf("mle: checkpoints do not apply to a fold-in (FixedH)")
		}
	}
	if err := d.resolve(x.Rows(), x.Cols(), x.NNZ()); err != nil {
		return d, err
	}
	if d.Checkpoint != nil {
		if err := d.Checkpoint.Check(); err != nil {
			return d, fmt.Errorf("mle: %w", err)
		}
	}
	return d, nil
}

// resolve fills in the defaults that depend on the matrix's shape alone
// and validates what needs no counts: the part of withDefaults a sharded
// fit, whose driver never holds the counts, shares.
func (s *Settings) resolve(n, p, nnz int) error {
	if err := (fitting.Loop{K: s.K, FactorArrays: 4, MaxIter: &s.MaxIter, MinIter: &s.MinIter, CheckEvery: &s.CheckEvery, Tol: &s.Tol, Workers: &s.Workers}).Defaults("mle", n, p, nnz); err != nil {
		return err
	}
	switch {
	case s.Method != MU && s.Method != CD:
		return fmt.Errorf("mle: unknown method %v", s.Method)
	case s.Init != InitRandom && s.Init != InitNNDSVDa:
		return fmt.Errorf("mle: unknown initialization %v", s.Init)
	case s.Normalize < NormalizeDefault || s.Normalize > NormalizeNone:
		return fmt.Errorf("mle: unknown normalization %d", int(s.Normalize))
	}
	if pr := s.MAP; pr != nil {
		if !(pr.Shape >= 1 && pr.Shape <= MaxPrior) {
			return fmt.Errorf("mle: MAP prior shape α = %v: want 1 ≤ α ≤ %g (for α < 1 the MAP objective is unbounded below at zero; far above, the prior swamps any data)", pr.Shape, MaxPrior)
		}
		if !(pr.Rate > 0 && pr.Rate <= MaxPrior) {
			return fmt.Errorf("mle: MAP prior rate b = %v: want 0 < b ≤ %g", pr.Rate, MaxPrior)
		}
	}
	if s.Normalize == NormalizeDefault {
		s.Normalize = NormalizeW
		if s.MAP != nil {
			s.Normalize = NormalizeNone
		}
	}
	return nil
}
