package evaluation

import (
	"context"
	"fmt"
	"io"
	"math"
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
	// Restarts is the number of seeded fits per K; the one with the best
	// validation log-likelihood is kept. Zero means 1.
	Restarts int
	// Seed seeds the split (and the first restart; restart r uses
	// Seed + r).
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
}

// SelectK fits HPF at every K of s.Ks on one train / validation / test
// split of x (validation drives each fit's stopping rule and the choice of
// K), with s.Restarts seeded fits per K, and returns a table of validation
// log-likelihood, ELBO and time per K.
func SelectK(ctx context.Context, x *model.Counts, s SelectKSettings) (*SelectKResult, error) {
	if len(s.Ks) == 0 {
		return nil, fmt.Errorf("evaluation: no K to try")
	}
	for _, k := range s.Ks {
		if k <= 0 {
			return nil, fmt.Errorf("evaluation: K = %d: want K ≥ 1", k)
		}
	}
	if s.HoldOut == 0 {
		s.HoldOut = 0.1
	}
	if s.Restarts == 0 {
		s.Restarts = 1
	}
	if s.Restarts < 0 {
		return nil, fmt.Errorf("evaluation: %d restarts", s.Restarts)
	}
	split, err := model.NewSplit(x, s.HoldOut, s.HoldOut, s.Seed)
	if err != nil {
		return nil, err
	}
	valid, test, err := split.HeldOutSets(s.Seed)
	if err != nil {
		return nil, err
	}
	out := &SelectKResult{}
	bestLL := math.Inf(-1)
	for _, k := range s.Ks {
		row := KResult{K: k, ValidLogLik: math.Inf(-1)}
		start := time.Now()
		for r := 0; r < s.Restarts; r++ {
			seed := s.Seed + uint64(r)
			res, err := inference.CAVI(ctx, split.Train, &inference.Settings{
				K: k, Hyper: s.Hyper, MaxIter: s.MaxIter, Tol: s.Tol, Validation: valid, Seed: seed, Workers: s.Workers,
			})
			if err != nil {
				return nil, err
			}
			rates := res.Posterior.PointEstimate()
			if ll := valid.LogLik(rates.Rate).Mean; ll > row.ValidLogLik {
				row.ValidLogLik, row.ELBO, row.Iterations, row.Seed = ll, res.ELBO, res.Iterations, seed
				row.TestLogLik = test.LogLik(rates.Rate).Mean
			}
		}
		row.Seconds = time.Since(start).Seconds()
		out.Rows = append(out.Rows, row)
		if row.ValidLogLik > bestLL {
			bestLL, out.Best = row.ValidLogLik, k
		}
		if s.Recorder != nil {
			s.Recorder(row)
		}
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
}
