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
}

// FoldIn solves W for new rows x (m × p) with the column factors H fixed:
// W ← W ⊙ (R H) / Σ_j H_jk repeated from a random positive start (the W
// half-step of docs/MATH.md section 2, MAP form with a prior). With H
// fixed each row's problem is convex, so the result is the W a full fit
// gives those rows when the columns do not move. It returns W (m × K).
func FoldIn(ctx context.Context, h *mat.Dense, x *model.Counts, s *FoldInSettings) (*mat.Dense, error) {
	var set FoldInSettings
	if s != nil {
		set = *s
	}
	if set.MaxIter == 0 {
		set.MaxIter = 10000
	}
	if set.Tol == 0 {
		set.Tol = 1e-12
	}
	p, k := h.Dims()
	if x.Cols() != p {
		return nil, fmt.Errorf("mle: fold-in rows have %d columns, H has %d rows", x.Cols(), p)
	}
	if x.NNZ() == 0 {
		return nil, fmt.Errorf("mle: fold-in rows have no non-zeros")
	}
	st := newState(x, k, set.Workers, set.MAP)
	st.initRandom(set.Seed)
	copy(st.h, mat.DenseCopyOf(h).RawMatrix().Data)
	sumH := st.colSums(st.h, st.cols)
	prev := st.objective(st.kn.RowSide(st.workers, st.w, st.h, nil, st.outW), sumH)
	for t := 1; t <= set.MaxIter; t++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st.muApply(st.w, st.outW, sumH, st.rows)
		cur := st.objective(st.kn.RowSide(st.workers, st.w, st.h, nil, st.outW), sumH)
		if fitting.RelativeChange(cur, prev, set.Tol) {
			break
		}
		prev = cur
	}
	return mat.NewDense(x.Rows(), k, st.w), nil
}

// objective returns D (+ the prior's penalty) from Σ x log(x/μ) and the
// column sums of H.
func (s *state) objective(xLogXOverMu float64, sumH []float64) float64 {
	return s.divergence(xLogXOverMu, s.colSums(s.w, s.rows), sumH) + s.penalty()
}
