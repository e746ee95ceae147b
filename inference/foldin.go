package inference

import (
	"context"
	"fmt"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/model"
)

// FoldInSettings configures FoldIn. The zero value of every field means
// the documented default.
type FoldInSettings struct {
	// MaxIter bounds the CAVI sweeps. Zero means 10000.
	MaxIter int
	// Tol is the relative change of the rows' ELBO at which the fold-in
	// has converged. Zero means 1e-12.
	Tol float64
	// Seed seeds the start of the new rows.
	Seed uint64
	// Workers is the number of goroutines. Zero means all cores.
	Workers int
	// Recorder, when set, is called after every sweep, as CAVI's.
	Recorder func(Iteration)
}

// FoldedRows holds the local variational parameters of rows folded into
// a fitted model.
type FoldedRows struct {
	// ThetaShape and ThetaRate are γˢ and γʳ of the new rows (m × K).
	ThetaShape, ThetaRate *mat.Dense
	// XiShape and XiRate are κˢ and κʳ (m); nil in the non-hierarchical
	// model.
	XiShape, XiRate []float64
	// Iterations is the number of CAVI sweeps run.
	Iterations int
	// Converged reports whether the tolerance was met.
	Converged bool
	// Status says why the fold-in stopped, and Elapsed how long it took.
	Status  Status
	Elapsed time.Duration
}

// ETheta returns E[θ_uk] = γˢ_uk / γʳ_uk of the folded rows.
func (f *FoldedRows) ETheta() *mat.Dense {
	var d mat.Dense
	d.DivElem(f.ThetaShape, f.ThetaRate)
	return &d
}

// FoldIn fits the local parameters γ, κ of new rows x (m × p, the columns
// of the fitted model) with the column parameters of q fixed: CAVI with
// Settings.FixedColumns, the row steps of docs/MATH.md section 3 (φ, γ, κ)
// repeated to convergence of the rows' ELBO from the default start, the
// same loop, stopping rule and recorder as a fit. A new user, document or
// cell gets the weights a full fit would give it if the columns did not
// move. Cancelling ctx returns its error.
func FoldIn(ctx context.Context, q *model.Posterior, x *model.Counts, s *FoldInSettings) (*FoldedRows, error) {
	var set FoldInSettings
	if s != nil {
		set = *s
	}
	fitting.FoldInDefaults(&set.MaxIter, &set.Tol)
	if q == nil || x == nil {
		return nil, fmt.Errorf("inference: fold-in of nil rows or into a nil posterior")
	}
	res, err := CAVI(ctx, x, &Settings{
		FixedColumns: q, Criterion: CriterionELBO, MaxIter: set.MaxIter, Tol: set.Tol, Patience: fitting.FoldInPatience,
		Seed: set.Seed, Workers: set.Workers, Recorder: set.Recorder,
	})
	if err != nil {
		return nil, err
	}
	if res.Status == Cancelled {
		return nil, ctx.Err()
	}
	p := res.Posterior
	return &FoldedRows{
		ThetaShape: p.ThetaShape, ThetaRate: p.ThetaRate, XiShape: p.XiShape, XiRate: p.XiRate,
		Iterations: res.Iterations, Converged: res.Status == Converged, Status: res.Status, Elapsed: res.Elapsed,
	}, nil
}
