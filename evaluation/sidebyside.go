package evaluation

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/poisfact/poisfact/compare"
	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// SideBySideSettings configures SideBySide. The zero value of every field
// but K means the documented default.
type SideBySideSettings struct {
	// K is the number of factors of every model, at least 1.
	K int
	// HoldOut is the fraction of each row's non-zeros sent to test, and
	// again to validation. Zero means 0.1 (an 80/10/10 split).
	HoldOut float64
	// Seed seeds the split, the held-out zero cells and every fit.
	Seed uint64
	// Workers is the number of goroutines of every fit. Zero means all
	// cores.
	Workers int
	// MaxIter bounds the iterations of every fit. Zero means 1000.
	MaxIter int
	// Tol is every fit's relative tolerance. Zero means 1e-6 (HPF stops on
	// the validation log-likelihood, the MLE fits on their objective).
	Tol float64
	// Hyper holds the HPF hyperparameters (zero fields take defaults).
	Hyper model.HPF
}

// Row is one model's line of the side-by-side table.
type Row struct {
	// Model names the model and solver.
	Model string
	// HeldOut is the test set's log-likelihood, log x! included.
	HeldOut model.HeldOutLogLik
	// ZeroRates counts held-out non-zeros the model predicts with μ = 0,
	// each of which makes the held-out log-likelihood −∞.
	ZeroRates int
	// TrainDivergence is D(train ‖ μ) of the model's point estimate.
	TrainDivergence float64
	// Iterations and Seconds are the fit's.
	Iterations int
	Seconds    float64
	// Stop is why the fit stopped.
	Stop string
}

// Table is the result of SideBySide: one split, one line per model.
type Table struct {
	K            int
	Train, Valid int // non-zeros
	TestNonZeros int
	TestZeros    int
	Rows         []Row
}

// SideBySide fits HPF by CAVI, KL-NMF by MU and KL-NMF by coordinate
// descent on the same train / validation / test split of x and tabulates
// each model's held-out Poisson log-likelihood, training divergence,
// iterations and time: the Bayesian versus maximum likelihood comparison.
// The maximum likelihood fits predict μ = 0 where a factor has died, and a
// held-out count there gives a log-likelihood of −∞, reported as such; the
// HPF posterior mean is positive everywhere.
func SideBySide(ctx context.Context, x *model.Counts, s SideBySideSettings) (*Table, error) {
	if s.K <= 0 {
		return nil, fmt.Errorf("evaluation: K = %d: want K ≥ 1", s.K)
	}
	split, valid, test, err := heldOutSplit(x, s.HoldOut, s.Seed)
	if err != nil {
		return nil, err
	}
	t := &Table{K: s.K, Train: split.Train.NNZ(), Valid: split.Valid.NNZ(), TestNonZeros: test.X.NNZ(), TestZeros: len(test.Zeros)}

	hpf, err := inference.CAVI(ctx, split.Train, &inference.Settings{
		K: s.K, Hyper: s.Hyper, MaxIter: s.MaxIter, Tol: s.Tol, Validation: valid, Seed: s.Seed, Workers: s.Workers,
	})
	if err != nil {
		return nil, err
	}
	if hpf.Status == inference.Cancelled {
		return nil, ctx.Err()
	}
	t.Rows = append(t.Rows, row("HPF (CAVI)", hpf.Posterior.PointEstimate(), split.Train, test, hpf.Iterations, hpf.Elapsed, hpf.Status.String()))
	for _, m := range []struct {
		name   string
		method mle.Method
	}{{"KL-NMF (MU)", mle.MU}, {"KL-NMF (CD)", mle.CD}} {
		fit, err := mle.Fit(ctx, split.Train, &mle.Settings{
			K: s.K, Method: m.method, MaxIter: s.MaxIter, Tol: s.Tol, Seed: s.Seed, Workers: s.Workers,
		})
		if err != nil {
			return nil, err
		}
		if fit.Status == mle.Cancelled {
			return nil, ctx.Err()
		}
		t.Rows = append(t.Rows, row(m.name, model.Factors{W: fit.W, H: fit.H}, split.Train, test, fit.Iterations, fit.Elapsed, fit.Status.String()))
	}
	return t, nil
}

func row(name string, r model.Rates, train *model.Counts, test *model.HeldOut, iters int, elapsed time.Duration, stop string) Row {
	out := Row{
		Model: name, HeldOut: test.LogLik(r), TrainDivergence: compare.Evaluate(train, r).Divergence,
		Iterations: iters, Seconds: elapsed.Seconds(), Stop: stop,
	}
	for u := 0; u < test.X.Rows(); u++ {
		cols, _ := test.X.Row(u)
		for _, i := range cols {
			if r.Rate(u, int(i)) == 0 {
				out.ZeroRates++
			}
		}
	}
	return out
}

// Print writes the table as aligned text.
func (t *Table) Print(w io.Writer) {
	fmt.Fprintf(w, "K = %d; split: %d training, %d validation, %d test non-zeros (+ %d test zeros)\n", t.K, t.Train, t.Valid, t.TestNonZeros, t.TestZeros)
	fmt.Fprintf(w, "%-14s %14s %14s %10s %16s %6s %9s  %s\n", "model", "loglik_mean", "ll_nonzero", "μ=0 cells", "train D", "iters", "seconds", "stopped")
	for _, r := range t.Rows {
		fmt.Fprintf(w, "%-14s %14s %14s %10d %16.6g %6d %9.3f  %s\n", r.Model, fmtLL(r.HeldOut.Mean), fmtLL(r.HeldOut.MeanNonzero), r.ZeroRates, r.TrainDivergence, r.Iterations, r.Seconds, r.Stop)
	}
}

func fmtLL(v float64) string {
	if math.IsInf(v, -1) {
		return "-Inf"
	}
	return fmt.Sprintf("%.6f", v)
}
