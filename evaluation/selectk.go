package evaluation

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/model"
)

// SelectKSettings configures SelectK. The zero value of every field but
// Ks means the documented default.
type SelectKSettings struct {
	// Ks lists the numbers of factors to try, each at least 1.
	Ks []int
	// HoldOut is the fraction of each row's non-zeros held out for
	// validation, and again for test. Zero means 0.1.
	HoldOut float64
	// Restarts is the number of seeded fits per K (inference.Settings
	// Restarts); the one with the best validation log-likelihood is kept.
	// Zero means 1.
	Restarts int
	// Seed seeds the split and its held-out zero cells, and the fits'
	// starts (restart r uses inference.RestartSeed(Seed, r)).
	Seed uint64
	// Workers, MaxIter, Tol and Hyper are passed to every CAVI fit.
	Workers int
	MaxIter int
	Tol     float64
	Hyper   model.HPF
	// Recorder, when set, is called after each fit.
	Recorder func(KResult)
}

// KResult is one line of the K-selection table.
type KResult struct {
	K int
	// ValidLogLik is the best restart's validation mean log-likelihood
	// (model.HeldOutLogLik.Mean), which chooses K.
	ValidLogLik float64
	// TestLogLik is the same restart's test mean log-likelihood, for the
	// record: it plays no part in the choice.
	TestLogLik float64
	// ELBO is the best restart's ELBO on the training counts.
	ELBO float64
	// Iterations of the best restart; Seconds of all restarts together.
	Iterations int
	Seconds    float64
	// Seed of the best restart.
	Seed uint64
}

// SelectKResult is the K-selection table with the chosen K.
type SelectKResult struct {
	Rows []KResult
	// Best is the K with the highest validation log-likelihood.
	Best int
	// AtEdge reports that Best is the smallest or the largest K tried (of
	// more than one): the best K may lie outside the grid.
	AtEdge bool
}

// SelectK fits HPF at every K of s.Ks on one train / validation / test
// split of x (validation drives each fit's stopping rule and the choice of
// K), with s.Restarts seeded fits per K, and returns a table of validation
// log-likelihood, ELBO and time per K. When ctx is cancelled it returns
// the K finished before, with ctx's error.
func SelectK(ctx context.Context, x *model.Counts, s SelectKSettings) (*SelectKResult, error) {
	if len(s.Ks) == 0 {
		return nil, fmt.Errorf("evaluation: no K to try")
	}
	for _, k := range s.Ks {
		if k <= 0 {
			return nil, fmt.Errorf("evaluation: K = %d: want K ≥ 1", k)
		}
	}
	if s.Restarts == 0 {
		s.Restarts = 1
	}
	if s.Restarts < 0 {
		return nil, fmt.Errorf("evaluation: %d restarts", s.Restarts)
	}
	split, valid, test, err := heldOutSplit(x, s.HoldOut, s.Seed)
	if err != nil {
		return nil, err
	}
	out := &SelectKResult{}
	bestLL := math.Inf(-1)
	for _, k := range s.Ks {
		start := time.Now()
		res, err := inference.CAVI(ctx, split.Train, &inference.Settings{
			K: k, Hyper: s.Hyper, MaxIter: s.MaxIter, Tol: s.Tol, Validation: valid, Seed: s.Seed, Restarts: s.Restarts, Workers: s.Workers,
		})
		if err != nil {
			return nil, err
		}
		if res.Status == inference.Cancelled {
			// The K finished so far are kept: cancelling a long scan
			// does not throw them away.
			return out, ctx.Err()
		}
		rates := res.Posterior.PointEstimate()
		row := KResult{
			K: k, ValidLogLik: res.Best, TestLogLik: test.LogLik(rates).Mean, ELBO: res.ELBO,
			Iterations: res.Iterations, Seconds: time.Since(start).Seconds(), Seed: res.Restarts[res.Restart].Seed,
		}
		out.Rows = append(out.Rows, row)
		if row.ValidLogLik > bestLL {
			bestLL, out.Best = row.ValidLogLik, k
		}
		if s.Recorder != nil {
			s.Recorder(row)
		}
	}
	if len(s.Ks) > 1 {
		lo, hi := slices.Min(s.Ks), slices.Max(s.Ks)
		out.AtEdge = out.Best == lo || out.Best == hi
	}
	return out, nil
}

// Print writes the table, marking the chosen K.
func (r *SelectKResult) Print(w io.Writer) {
	fmt.Fprintf(w, "%6s %14s %14s %16s %6s %9s\n", "K", "valid loglik", "test loglik", "elbo", "iters", "seconds")
	for _, row := range r.Rows {
		mark := ""
		if row.K == r.Best {
			mark = "  ← chosen"
		}
		fmt.Fprintf(w, "%6d %14.6f %14.6f %16.8g %6d %9.2f%s\n", row.K, row.ValidLogLik, row.TestLogLik, row.ELBO, row.Iterations, row.Seconds, mark)
	}
	if r.AtEdge {
		fmt.Fprintf(w, "note: K = %d is at the edge of the grid; the best K may lie beyond it: try a wider grid\n", r.Best)
	}
}

// heldOutSplit is the setup SelectK and SideBySide share: a per-row
// train / validation / test split of x with the fraction holdout (0 means
// 0.1) to each held-out part, and both held-out sets, every draw from the
// one seed.
func heldOutSplit(x *model.Counts, holdout float64, seed uint64) (split *model.Split, valid, test *model.HeldOut, err error) {
	if holdout == 0 {
		holdout = 0.1
	}
	if split, err = model.NewSplit(x, holdout, holdout, seed); err != nil {
		return nil, nil, nil, err
	}
	if valid, test, err = split.RequireHeldOutSets(seed); err != nil {
		return nil, nil, nil, err
	}
	return split, valid, test, nil
}
