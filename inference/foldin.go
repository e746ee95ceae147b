package inference

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/sparse"
	"github.com/poisfact/poisfact/model"
)

// FoldInSettings configures FoldIn. The zero value of every field means
// the documented default.
type FoldInSettings struct {
	// MaxIter bounds the CAVI iterations. Zero means 1000.
	MaxIter int
	// Tol is the largest relative change of any E[θ_uk] between two
	// iterations at which the fold-in has converged. Zero means 1e-10.
	Tol float64
	// Seed seeds the initialization of the new rows.
	Seed uint64
	// Workers is the number of goroutines. Zero means all cores.
	Workers int
}

// FoldedRows holds the local variational parameters of rows folded into
// a fitted model.
type FoldedRows struct {
	// ThetaShape and ThetaRate are γˢ and γʳ of the new rows (m × K).
	ThetaShape, ThetaRate *mat.Dense
	// XiShape and XiRate are κˢ and κʳ (m); nil in the non-hierarchical
	// model.
	XiShape, XiRate []float64
	// Iterations is the number of CAVI iterations run.
	Iterations int
	// Converged reports whether the tolerance was met.
	Converged bool
}

// ETheta returns E[θ_uk] = γˢ_uk / γʳ_uk of the folded rows.
func (f *FoldedRows) ETheta() *mat.Dense {
	var d mat.Dense
	d.DivElem(f.ThetaShape, f.ThetaRate)
	return &d
}

// FoldIn fits the local parameters γ, κ of new rows x (m × p, the columns
// of the fitted model) by CAVI with the column parameters of q fixed: the
// row steps of docs/MATH.md section 3 (φ, γ, κ) repeated to convergence,
// from the same kind of fresh start as a fit. A new user, document or
// cell gets the weights a full fit would give it if the columns did not
// move.
func FoldIn(ctx context.Context, q *model.Posterior, x *model.Counts, s *FoldInSettings) (*FoldedRows, error) {
	var set FoldInSettings
	if s != nil {
		set = *s
	}
	if set.MaxIter == 0 {
		set.MaxIter = 1000
	}
	if set.Tol == 0 {
		set.Tol = 1e-10
	}
	_, p := q.Dims()
	k := q.K()
	if x.Cols() != p {
		return nil, fmt.Errorf("inference: fold-in rows have %d columns, the model %d", x.Cols(), p)
	}
	h := q.Hyper
	kn := sparse.New(x, k)
	rows := newSide(x.Rows(), k, h.A, h.APrime, h.BPrime, h.NonHierarchical, kn.RowChunks())
	// The fold-in runs to convergence with β fixed, so a small jitter
	// of the prior is start enough.
	rows.jitter(rand.NewPCG(set.Seed, 1), DefaultJitter)
	cols := newSide(p, k, h.C, h.CPrime, h.DPrime, h.NonHierarchical, kn.ColChunks())
	copy(cols.shape, q.BetaShape.RawMatrix().Data)
	copy(cols.rate, q.BetaRate.RawMatrix().Data)
	copy(cols.actRate, q.EtaRate)
	_, sumBeta := cols.sweep(set.Workers, nil, nil, nil, false)
	rows.sweep(set.Workers, nil, nil, cols.mean, false)

	logs := &sparse.Logs{LogA: rows.logF, LogB: cols.logF, MaxA: rows.shift, MaxB: cols.shift}
	phi := make([]float64, x.Rows()*k)
	prev := make([]float64, len(rows.mean))
	out := &FoldedRows{}
	for t := 1; t <= set.MaxIter; t++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		copy(prev, rows.mean)
		kn.RowSide(set.Workers, rows.fac, cols.fac, logs, phi)
		rows.sweep(set.Workers, phi, sumBeta, cols.mean, false)
		out.Iterations = t
		var change float64
		for j, v := range rows.mean {
			change = math.Max(change, math.Abs(v-prev[j])/math.Max(math.Abs(prev[j]), 1e-300))
		}
		if change <= set.Tol {
			out.Converged = true
			break
		}
	}
	out.ThetaShape = mat.NewDense(rows.m, k, rows.shape)
	out.ThetaRate = mat.NewDense(rows.m, k, rows.rate)
	if !h.NonHierarchical {
		out.XiShape, out.XiRate = constant(rows.m, rows.actShape), rows.actRate
	}
	return out, nil
}
