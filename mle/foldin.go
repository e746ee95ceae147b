package mle

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/model"
)

// FoldInSettings configures FoldIn. The zero value of every field means
// the documented default.
type FoldInSettings struct {
	// MAP is the prior of the fit whose H is given, nil for maximum
	// likelihood.
	MAP *Prior
	// MaxIter bounds the multiplicative updates. Zero means 10000.
	MaxIter int
	// Tol is the relative change of the objective at which the fold-in
	// has converged. Zero means 1e-12.
	Tol float64
	// Seed seeds the random start.
	Seed uint64
	// Workers is the number of goroutines. Zero means all cores.
	Workers int
	// Recorder, when set, is called after every iteration, as Fit's.
	Recorder func(Iteration)
}

// FoldIn solves W for new rows x (m × p) with the column factors H fixed:
// Fit with Settings.FixedH, multiplicative updates of W alone from a
// random positive start (the W half-step of docs/MATH.md section 2, MAP
// form with a prior), the same loop, stopping rule and recorder. With H
// fixed each row's problem is convex, so the result is the W a full fit
// gives those rows when the columns do not move. It returns W (m × K);
// FitFoldIn returns the whole Result.
func FoldIn(ctx context.Context, h *mat.Dense, x *model.Counts, s *FoldInSettings) (*mat.Dense, error) {
	res, err := FitFoldIn(ctx, h, x, s)
	if err != nil {
		return nil, err
	}
	if res.Status == Cancelled {
		return nil, ctx.Err()
	}
	return res.W, nil
}

// FitFoldIn is FoldIn returning the fit's Result (status, trace, time;
// H is the given one).
func FitFoldIn(ctx context.Context, h *mat.Dense, x *model.Counts, s *FoldInSettings) (*Result, error) {
	var set FoldInSettings
	if s != nil {
		set = *s
	}
	fitting.FoldInDefaults(&set.MaxIter, &set.Tol)
	if x == nil || h == nil {
		return nil, fmt.Errorf("mle: fold-in of nil rows or a nil H")
	}
	if p, _ := h.Dims(); x.Cols() != p {
		return nil, fmt.Errorf("mle: fold-in rows have %d columns, H has %d rows", x.Cols(), p)
	}
	if x.NNZ() == 0 {
		return nil, fmt.Errorf("mle: fold-in rows have no non-zeros")
	}
	return Fit(ctx, x, &Settings{
		FixedH: h, MAP: set.MAP, MaxIter: set.MaxIter, MinIter: 1, Tol: set.Tol,
		Seed: set.Seed, Workers: set.Workers, Recorder: set.Recorder,
	})
}
